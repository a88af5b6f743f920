"""GET /v1/issues: the curated OSS issue catalog, filtered and paged."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared import catalog
from shared.http import lambda_handler, make_resolver
from shared.models.issues import Difficulty, IssuePage

app = make_resolver(__name__)


@app.endpoint
def list_page(
    language: Annotated[str | None, Query(max_length=40)] = None,
    difficulty: Annotated[Difficulty | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> IssuePage:
    matching = catalog.filter_issues(language=language, difficulty=difficulty)
    return IssuePage(issues=matching[offset : offset + limit], total=len(matching), limit=limit, offset=offset)


handler = lambda_handler(app)
