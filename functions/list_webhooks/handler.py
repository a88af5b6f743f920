"""GET /v1/webhooks: the caller's webhooks (not deleted) in creation order, one page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.webhooks import list_webhooks
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.webhooks import WebhookPage
from shared.store.webhooks import WebhookStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(100, 100))] = 100,
    cursor: Cursor = None,
) -> WebhookPage:
    webhooks, next_cursor = list_webhooks(WebhookStore(), app.reviewer().org_id, limit, cursor)
    return WebhookPage(webhooks=webhooks, next_cursor=next_cursor)


handler = lambda_handler(app)
