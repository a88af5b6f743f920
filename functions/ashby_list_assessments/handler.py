"""POST /v1/ats/ashby/assessment.list: Ashby's assessment.list, the organisation's active assessments."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from shared.domain.ashby import list_assessments
from shared.http import lambda_handler, make_resolver
from shared.models.ats import AshbyAssessmentList, AshbyListRequest
from shared.store.assessments import AssessmentStore

app = make_resolver(__name__)


@app.endpoint
def assessments(body: Annotated[AshbyListRequest | None, Body()] = None) -> AshbyAssessmentList:
    return AshbyAssessmentList(results=list_assessments(AssessmentStore(), app.integration("ashby")))


handler = lambda_handler(app)
