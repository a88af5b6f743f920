"""GET /v1/rubrics: the caller's active rubrics in creation order, one page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.rubrics import list_rubrics
from shared.http import lambda_handler, make_resolver
from shared.models.paging import Cursor, limit_description
from shared.models.rubrics import RubricPage
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    limit: Annotated[int, Query(ge=1, le=100, description=limit_description(100, 100))] = 100,
    cursor: Cursor = None,
) -> RubricPage:
    rubrics, next_cursor = list_rubrics(RubricStore(), app.reviewer().org_id, limit, cursor)
    return RubricPage(rubrics=rubrics, next_cursor=next_cursor)


handler = lambda_handler(app)
