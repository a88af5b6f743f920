"""GET /v1/assessments/{assessment_id}/stats: how the signals spread over the assessment's completed
sessions, read from the sessions alone (one item each), never from their events."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.cohort import MAX_STATS_PAGE, assessment_stats
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor
from shared.models.signals import AssessmentStats
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def stats(
    assessment_id: str,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_STATS_PAGE,
            description=f"The most sessions whose ranks one answer holds: 1 to {MAX_STATS_PAGE}, all of them by "
            "default. The spread is over every completed session whatever the page.",
        ),
    ] = MAX_STATS_PAGE,
    cursor: Cursor = None,
) -> AssessmentStats:
    return assessment_stats(SessionStore(), app.reviewer().org_id, assessment_id, limit, cursor)


handler = lambda_handler(app)
