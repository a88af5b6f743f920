"""POST /v1/ats/greenhouse/send_test: Greenhouse's Send Test. The candidate is issued a key of their own,
as `POST /v1/assessments/{id}/keys` issues one, and invited by email; the answer's `partner_interview_id`
is that key's id, the same again for the same email and test. `url` is where the PATCH goes once the test
is complete (https to a public host, checked again at each call). An unknown test is a 404, a deleted
one a 410."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.greenhouse import send_test
from shared.http import lambda_handler, make_resolver
from shared.models.ats import SendTestRequest, SendTestResponse
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def send(body: Annotated[SendTestRequest, Body()]) -> SendTestResponse:
    caller = app.integration("greenhouse")
    stores = AssessmentStore(), CandidateKeyStore(), IntegrationStore()
    interview_id = send_test(*stores, caller, body, audit=app.audit_context())
    metrics.add_metric(name="AtsTestSent", unit=MetricUnit.Count, value=1)
    return SendTestResponse(partner_interview_id=interview_id)


handler = lambda_handler(app)
