"""PATCH /v1/assessments/{assessment_id}: edit an assessment with a JSON merge patch (sent as
application/merge-patch+json or application/json), only while it is the version ``If-Match`` names
when the header is sent (else 412); without it the last edit wins. Answers the assessment as it is now,
with its new ETag."""

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import content_types
from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.assessments import assessment_view, etag, update_assessment
from shared.http import lambda_handler, make_resolver
from shared.models.assessments import AssessmentEnvelope, UpdateAssessmentRequest
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def update(assessment_id: str, body: Annotated[UpdateAssessmentRequest, Body()]) -> Response[AssessmentEnvelope]:
    assessment = update_assessment(
        AssessmentStore(),
        RubricStore(),
        app.reviewer().org_id,
        assessment_id,
        body,
        if_match=app.current_event.headers.get("If-Match"),
        audit=app.audit_context(),
    )
    metrics.add_metric(name="AssessmentUpdated", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=HTTPStatus.OK,
        content_type=content_types.APPLICATION_JSON,
        body=AssessmentEnvelope(assessment=assessment_view(assessment)),
        headers={"ETag": etag(assessment)},
    )


handler = lambda_handler(app)
