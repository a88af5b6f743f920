"""POST /v1/ats/ashby/assessment.start: Ashby's assessment.start. The candidate is issued a key of their
own, as `POST /v1/assessments/{id}/keys` issues one, and invited by email; `assessment_id` is that key's
id. A retried start (the same application) is answered the same; a candidate already being assessed on
this assessment is a 409; an assessment that is unknown or deleted, a 422 whose `message` Ashby shows."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.ashby import start_assessment
from shared.http import lambda_handler, make_resolver
from shared.models.ats import AshbyAssessmentId, AshbyStarted, StartAssessmentRequest
from shared.observability import metrics
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def start(body: Annotated[StartAssessmentRequest, Body()]) -> AshbyStarted:
    caller = app.integration("ashby")
    stores = AssessmentStore(), CandidateKeyStore(), IntegrationStore()
    key_id = start_assessment(*stores, caller, body, audit=app.audit_context())
    metrics.add_metric(name="AtsTestSent", unit=MetricUnit.Count, value=1)
    return AshbyStarted(results=AshbyAssessmentId(assessment_id=key_id))


handler = lambda_handler(app)
