"""GET /v1/issues: the curated OSS issue catalog, filtered, in id order, one page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.issues import list_issues
from shared.http import lambda_handler, make_resolver
from shared.models.issues import Difficulty, IssuePage
from shared.models.paging import NameCursor, limit_description

app = make_resolver(__name__)


@app.endpoint
def list_page(
    language: Annotated[
        str | None, Query(max_length=40, description="Only issues in this language (any case), e.g. python.")
    ] = None,
    difficulty: Annotated[Difficulty | None, Query(description="Only issues of this difficulty.")] = None,
    limit: Annotated[int, Query(ge=1, le=50, description=limit_description(20, 50))] = 20,
    cursor: NameCursor = None,
    offset: Annotated[
        int,
        Query(
            ge=0,
            description="Skip this many matching issues (after the cursor's position, when one is sent). "
            "v1's first way of paging, kept for the clients that use it; `cursor` is the one to prefer.",
        ),
    ] = 0,
) -> IssuePage:
    issues, total, next_cursor = list_issues(language, difficulty, limit, cursor, offset)
    return IssuePage(issues=issues, total=total, limit=limit, offset=offset, next_cursor=next_cursor)


handler = lambda_handler(app)
