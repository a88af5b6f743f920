"""GET /v1/sessions/{session_id}/report: the session's report as one self-contained HTML page (no
script, nothing fetched): the candidate, the score against the rubric, the signals against the
cohort, the timeline drawn, the decisions, commands, test runs, prompts and the submission."""

from aws_lambda_powertools.event_handler.api_gateway import Response

from shared.domain.reports import session_report
from shared.http import lambda_handler, make_resolver
from shared.reports.render import report_response
from shared.store.assessments import AssessmentStore
from shared.store.sessions import SessionStore
from shared.store.telemetry import TelemetryStore

app = make_resolver(__name__)


@app.endpoint
def report(session_id: str) -> Response[str]:
    org_id = app.reviewer().org_id
    return report_response(session_report(SessionStore(), AssessmentStore(), TelemetryStore(), org_id, session_id))


handler = lambda_handler(app)
