"""GET /v1/assessments/{assessment_id}/keys: the non-revoked keys in creation order (or newest first), with
their status as of now, one page at a time."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.candidate_keys import list_keys
from shared.http import lambda_handler, make_resolver
from shared.models.candidate_keys import KeyPage
from shared.models.paging import Cursor, limit_description
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    assessment_id: str,
    limit: Annotated[int, Query(ge=1, le=1000, description=limit_description(100, 1000))] = 100,
    cursor: Cursor = None,
    order: Annotated[
        Literal["asc", "desc"],
        Query(
            description="`asc` (the default): in creation order, oldest first; `desc`: newest first. "
            "A cursor resumes the order it came from."
        ),
    ] = "asc",
) -> KeyPage:
    org_id = app.reviewer().org_id
    keys, next_cursor = list_keys(
        CandidateKeyStore(), org_id, assessment_id, limit, cursor, newest_first=order == "desc"
    )
    return KeyPage(keys=keys, next_cursor=next_cursor)


handler = lambda_handler(app)
