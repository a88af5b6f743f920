"""POST /v1/integrations: connect an applicant tracking system for the caller's organisation; the answer
shows the key the ATS calls with, this once, and the URLs to give it."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.integrations import create_integration, integration_view
from shared.http import lambda_handler, make_resolver
from shared.models.integrations import CreatedIntegration, CreateIntegrationRequest
from shared.observability import metrics
from shared.secrets import KmsSecrets
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)
app.shown_once = frozenset({"apiKey"})


@app.endpoint
def create(body: Annotated[CreateIntegrationRequest, Body()]) -> Response[CreatedIntegration]:
    org_id, audit = app.reviewer().org_id, app.audit_context()
    connected = create_integration(IntegrationStore(), KmsSecrets(), org_id, body, audit=audit)
    metrics.add_metric(name="IntegrationCreated", unit=MetricUnit.Count, value=1)
    view = integration_view(connected.stored, app.api_url())
    created = CreatedIntegration(**view.model_dump(), api_key=connected.api_key)
    return app.created(created, f"/v1/integrations/{view.id}")


handler = lambda_handler(app)
