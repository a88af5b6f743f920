"""POST /v1/assessments/{assessment_id}/keys: issue one-time candidate keys."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.candidate_keys import current_keys, generate_keys
from shared.http import lambda_handler, make_resolver
from shared.models.candidate_keys import GenerateKeysRequest, KeyList
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore

app = make_resolver(__name__)


@app.endpoint
def generate(assessment_id: str, body: Annotated[GenerateKeysRequest, Body()]) -> Response[KeyList]:
    keys = generate_keys(
        AssessmentStore(), CandidateKeyStore(), app.reviewer().org_id, assessment_id, body, audit=app.audit_context()
    )
    metrics.add_metric(name="CandidateKeysGenerated", unit=MetricUnit.Count, value=len(keys))
    # Many resources at once: Location names the collection they joined.
    return app.created(KeyList(keys=keys), f"/v1/assessments/{keys[0].assessment_id}/keys")


@app.on_replay
def as_now(first: dict[str, Any]) -> KeyList:
    issued = KeyList.model_validate(first).keys
    return KeyList(keys=current_keys(CandidateKeyStore(), app.reviewer().org_id, issued))


handler = lambda_handler(app)
