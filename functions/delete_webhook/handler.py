"""DELETE /v1/webhooks/{webhook_id}: stop deliveries to a webhook; its delivery log stays readable."""

from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.webhooks import delete_webhook
from shared.http import lambda_handler, make_resolver
from shared.models.common import Deleted
from shared.observability import metrics
from shared.store.webhooks import WebhookStore

app = make_resolver(__name__)


@app.endpoint
def delete(webhook_id: str) -> Deleted:
    deleted_id = delete_webhook(WebhookStore(), app.reviewer().org_id, webhook_id, audit=app.audit_context())
    metrics.add_metric(name="WebhookDeleted", unit=MetricUnit.Count, value=1)
    return Deleted(id=deleted_id)


handler = lambda_handler(app)
