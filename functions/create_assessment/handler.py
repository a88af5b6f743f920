"""POST /v1/assessments: create an assessment for the caller's organisation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.assessments import assessment_view, create_assessment, etag
from shared.http import lambda_handler, make_resolver
from shared.models.assessments import AssessmentEnvelope, CreateAssessmentRequest
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def create(body: Annotated[CreateAssessmentRequest, Body()]) -> Response[AssessmentEnvelope]:
    assessment = create_assessment(
        AssessmentStore(), RubricStore(), app.reviewer().org_id, body, audit=app.audit_context()
    )
    metrics.add_metric(name="AssessmentCreated", unit=MetricUnit.Count, value=1)
    created = app.created(
        AssessmentEnvelope(assessment=assessment_view(assessment)), f"/v1/assessments/{assessment.id}"
    )
    created.headers["ETag"] = etag(assessment)
    return created


handler = lambda_handler(app)
