"""POST /v1/ats/ashby/assessment.cancel: Ashby's assessment.cancel. The candidate's key is revoked (a
session in progress ends as revoked); cancelling again changes nothing. One already finished is a 422
whose `message` Ashby shows: its results are kept."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from shared.domain.ashby import cancel_assessment
from shared.http import lambda_handler, make_resolver
from shared.models.ats import AshbyAssessmentId, AshbyStarted, CancelAssessmentRequest
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.integrations import IntegrationStore
from shared.store.sessions import SessionStore

app = make_resolver(__name__)


@app.endpoint
def cancel(body: Annotated[CancelAssessmentRequest, Body()]) -> AshbyStarted:
    caller = app.integration("ashby")
    stores = CandidateKeyStore(), SessionStore(), IntegrationStore()
    key_id = cancel_assessment(*stores, caller, body, audit=app.audit_context())
    return AshbyStarted(results=AshbyAssessmentId(assessment_id=key_id))


handler = lambda_handler(app)
