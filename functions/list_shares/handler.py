"""GET /v1/sessions/{session_id}/shares: the session's live share links, oldest first (never a token)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.shares import list_shares
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.shares import SharePage
from shared.store.sessions import SessionStore
from shared.store.shares import ShareStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    session_id: str,
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(100, 100))] = 100,
    cursor: Cursor = None,
) -> SharePage:
    shares, next_cursor = list_shares(
        ShareStore(), SessionStore(), app.reviewer().org_id, session_id, limit=limit, cursor=cursor
    )
    return SharePage(shares=shares, next_cursor=next_cursor)


handler = lambda_handler(app)
