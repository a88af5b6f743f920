"""GET /v1/webhooks/{webhook_id}/deliveries: the webhook's delivery attempts, newest first, deleted
webhook or not."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.webhooks import list_deliveries
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.webhooks import DeliveryPage
from shared.store.webhooks import WebhookStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    webhook_id: str,
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(50, 100))] = 50,
    cursor: Cursor = None,
) -> DeliveryPage:
    deliveries, next_cursor = list_deliveries(WebhookStore(), app.reviewer().org_id, webhook_id, limit, cursor)
    return DeliveryPage(deliveries=deliveries, next_cursor=next_cursor)


handler = lambda_handler(app)
