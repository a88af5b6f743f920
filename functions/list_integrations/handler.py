"""GET /v1/integrations: the caller's integrations (not deleted) in creation order, with what to paste on
each ATS's side; never a key."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.integrations import list_integrations
from shared.http import lambda_handler, make_resolver
from shared.models.integrations import IntegrationPage
from shared.models.paging import Cursor, limit_description
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(100, 100))] = 100,
    cursor: Cursor = None,
) -> IntegrationPage:
    found, next_cursor = list_integrations(IntegrationStore(), app.reviewer().org_id, app.api_url(), limit, cursor)
    return IntegrationPage(integrations=found, next_cursor=next_cursor)


handler = lambda_handler(app)
