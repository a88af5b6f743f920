"""GET /v1/assessments/{assessment_id}/stats: how the signals spread over the assessment's completed
sessions, read from the sessions alone (one item each), never from their events."""

from shared.domain.telemetry import assessment_stats
from shared.http import lambda_handler, make_resolver
from shared.models.telemetry import AssessmentStats
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def stats(assessment_id: str) -> AssessmentStats:
    return assessment_stats(SessionStore(), app.reviewer().org_id, assessment_id)


handler = lambda_handler(app)
