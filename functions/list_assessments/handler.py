"""GET /v1/assessments: the caller's active assessments, one page at a time."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.domain.assessments import list_assessments
from shared.http import lambda_handler, make_resolver
from shared.models.assessments import AssessmentPage
from shared.models.paging import Cursor, limit_description
from shared.store.assessments import AssessmentStore

app = make_resolver(__name__)


@app.endpoint
def list_page(
    limit: Annotated[int, Query(ge=1, le=1000, description=limit_description(1000, 1000))] = 1000,
    cursor: Cursor = None,
) -> AssessmentPage:
    assessments, next_cursor = list_assessments(AssessmentStore(), app.reviewer().org_id, limit, cursor)
    return AssessmentPage(assessments=assessments, next_cursor=next_cursor)


handler = lambda_handler(app)
