"""POST /v1/rubrics: create a scoring rubric for the caller's organisation."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.rubrics import create_rubric, rubric_view
from shared.http import lambda_handler, make_resolver
from shared.models.rubrics import CreateRubricRequest, RubricEnvelope
from shared.observability import metrics
from shared.store.rubrics import RubricStore

app = make_resolver(__name__)


@app.endpoint
def create(body: Annotated[CreateRubricRequest, Body()]) -> Response[RubricEnvelope]:
    rubric = create_rubric(RubricStore(), app.reviewer().org_id, body, audit=app.audit_context())
    metrics.add_metric(name="RubricCreated", unit=MetricUnit.Count, value=1)
    return app.created(RubricEnvelope(rubric=rubric_view(rubric)), f"/v1/rubrics/{rubric.id}")


handler = lambda_handler(app)
