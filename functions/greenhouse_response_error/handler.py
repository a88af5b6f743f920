"""POST /v1/ats/greenhouse/response_error: Greenhouse's Response Error, an answer of ours it could not read.
It is logged, and recorded on the interview it names (any address or link it quotes left out)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from shared.domain.greenhouse import response_error
from shared.http import lambda_handler, make_resolver
from shared.models.ats import ResponseErrorAnswer, ResponseErrorRequest
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def record(body: Annotated[ResponseErrorRequest, Body()]) -> ResponseErrorAnswer:
    response_error(IntegrationStore(), app.integration("greenhouse"), body)
    return ResponseErrorAnswer()


handler = lambda_handler(app)
