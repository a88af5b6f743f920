"""GET /v1/assessments/{assessment_id}/sessions: the assessment's sessions in start order, one page
at a time, each completed one ranked against the others; results stay readable after a delete."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.cohort import list_ranked_sessions
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.sessions import SessionPage
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    assessment_id: str,
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(50, 100))] = 50,
    cursor: Cursor = None,
) -> SessionPage:
    sessions, next_cursor = list_ranked_sessions(SessionStore(), app.reviewer().org_id, assessment_id, limit, cursor)
    return SessionPage(sessions=sessions, next_cursor=next_cursor)


handler = lambda_handler(app)
