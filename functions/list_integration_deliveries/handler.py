"""GET /v1/integrations/{integration_id}/deliveries: the calls back to the integration's ATS (Greenhouse's
PATCH, Ashby's assessment.update), newest first, deleted integration or not."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.integrations import list_deliveries
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.webhooks import DeliveryPage
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    integration_id: str,
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(50, 100))] = 50,
    cursor: Cursor = None,
) -> DeliveryPage:
    found, next_cursor = list_deliveries(IntegrationStore(), app.reviewer().org_id, integration_id, limit, cursor)
    return DeliveryPage(deliveries=found, next_cursor=next_cursor)


handler = lambda_handler(app)
