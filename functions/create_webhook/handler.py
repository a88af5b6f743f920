"""POST /v1/webhooks: register an endpoint for the caller's organisation; the answer shows its signing
secret, this once."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from shared.domain.webhooks import create_webhook, webhook_view
from shared.http import lambda_handler, make_resolver
from shared.models.webhooks import CreatedWebhook, CreateWebhookRequest
from shared.observability import metrics
from shared.store.webhooks import WebhookStore

app = make_resolver(__name__)


@app.endpoint
def create(body: Annotated[CreateWebhookRequest, Body()]) -> Response[CreatedWebhook]:
    webhook = create_webhook(WebhookStore(), app.reviewer().org_id, body, audit=app.audit_context())
    metrics.add_metric(name="WebhookCreated", unit=MetricUnit.Count, value=1)
    created = CreatedWebhook(webhook=webhook_view(webhook), secret=webhook.secret)
    return app.created(created, f"/v1/webhooks/{webhook.id}")


handler = lambda_handler(app)
