"""POST /v1/candidates/erase: erase a candidate's personal data from the organisation, by email."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.erasure import erase_candidate
from shared.http import lambda_handler, make_resolver
from shared.models.candidate_keys import EraseCandidateRequest, Erasure
from shared.observability import metrics
from shared.store.erasure import ErasureStore

app = make_resolver(__name__)


@app.endpoint
def erase(body: Annotated[EraseCandidateRequest, Body()]) -> Erasure:
    erasure = erase_candidate(ErasureStore(), app.reviewer().org_id, body, audit=app.audit_context())
    metrics.add_metric(name="CandidateErased", unit=MetricUnit.Count, value=1)
    return erasure


handler = lambda_handler(app)
