"""GET /v1/webhooks/{webhook_id}: one webhook of the caller's organisation (never its secret)."""

from shared.domain.webhooks import get_webhook, webhook_view
from shared.http import lambda_handler, make_resolver
from shared.models.webhooks import WebhookEnvelope
from shared.store.webhooks import WebhookStore

app = make_resolver(__name__)


@app.endpoint
def get(webhook_id: str) -> WebhookEnvelope:
    return WebhookEnvelope(webhook=webhook_view(get_webhook(WebhookStore(), app.reviewer().org_id, webhook_id)))


handler = lambda_handler(app)
