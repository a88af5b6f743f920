"""POST /v1/assessments/{assessment_id}/keys: issue one-time candidate keys."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.candidate_keys import generate_keys
from shared.http import created, lambda_handler, make_resolver, reviewer
from shared.models.keys import GenerateKeysRequest, KeyList
from shared.observability import metrics
from shared.routes import route
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

ROUTE = route("generate_keys")
app = make_resolver()


@app.route(ROUTE.resolver_path, method=ROUTE.method, summary=ROUTE.summary, status_code=201)
def generate(assessment_id: str, body: Annotated[GenerateKeysRequest, Body()]) -> Response[KeyList]:
    keys = generate_keys(AssessmentStore(), CandidateKeyStore(), reviewer(app).org_id, assessment_id, body)
    metrics.add_metric(name="CandidateKeysGenerated", unit=MetricUnit.Count, value=len(keys))
    return created(KeyList(keys=keys))


handler = lambda_handler(app)
