"""POST /v1/assessments: create an assessment for the caller's organisation."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.assessments import create_assessment
from shared.http import created, lambda_handler, make_resolver, reviewer
from shared.models.assessments import CreateAssessmentRequest, CreatedAssessment
from shared.observability import metrics
from shared.routes import route
from shared.store.assessments import AssessmentStore

ROUTE = route("create_assessment")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary, status_code=201)
def create(body: Annotated[CreateAssessmentRequest, Body()]) -> Response[CreatedAssessment]:
    assessment = create_assessment(AssessmentStore(), reviewer(app).org_id, body)
    metrics.add_metric(name="AssessmentCreated", unit=MetricUnit.Count, value=1)
    return created(CreatedAssessment(assessment=assessment))


handler = lambda_handler(app)
