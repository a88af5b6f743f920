"""POST /v1/rubrics: create a scoring rubric for the caller's organisation."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.rubrics import create_rubric
from shared.http import created, lambda_handler, make_resolver, reviewer
from shared.models.rubrics import CreateRubricRequest, RubricEnvelope
from shared.observability import metrics
from shared.routes import route
from shared.store.rubrics import RubricStore

ROUTE = route("create_rubric")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary, status_code=201)
def create(body: Annotated[CreateRubricRequest, Body()]) -> Response[RubricEnvelope]:
    rubric = create_rubric(RubricStore(), reviewer(app).org_id, body)
    metrics.add_metric(name="RubricCreated", unit=MetricUnit.Count, value=1)
    return created(RubricEnvelope(rubric=rubric))


handler = lambda_handler(app)
