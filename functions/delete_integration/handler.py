"""DELETE /v1/integrations/{integration_id}: disconnect an integration. Its key is refused from this
moment, and nothing more is sent to its ATS; the keys it had issued stay valid, its delivery log readable."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.integrations import delete_integration
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.integrations import IntegrationStore

app = make_resolver(__name__)


@app.endpoint
def delete(integration_id: str) -> Deleted:
    org_id, audit = app.reviewer().org_id, app.audit_context()
    deleted_id = delete_integration(IntegrationStore(), org_id, integration_id, audit=audit)
    metrics.add_metric(name="IntegrationDeleted", unit=MetricUnit.Count, value=1)
    return Deleted(id=deleted_id)


handler = lambda_handler(app)
