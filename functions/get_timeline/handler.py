"""GET /v1/sessions/{session_id}/timeline: a session's events in time order, one Query a page;
``type`` reads only the events of that type (``decision``: the decision log)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.telemetry import get_timeline
from shared.http import lambda_handler, make_resolver
from shared.models.paging import NameCursor
from shared.models.telemetry import MAX_TIMELINE_PAGE, EventType, TimelinePage
from shared.store.sessions import SessionStore
from shared.store.telemetry import TelemetryStore

app = make_resolver(__name__)


@app.endpoint
def timeline(
    session_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_TIMELINE_PAGE)] = 500,
    cursor: NameCursor = None,
    type: Annotated[EventType | None, Query()] = None,
) -> TimelinePage:
    events, next_cursor = get_timeline(
        SessionStore(),
        TelemetryStore(),
        app.reviewer().org_id,
        session_id,
        limit=limit,
        cursor=cursor,
        event_type=type,
    )
    return TimelinePage(events=events, next_cursor=next_cursor)


handler = lambda_handler(app)
