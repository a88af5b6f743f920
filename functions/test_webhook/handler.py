"""POST /v1/webhooks/{webhook_id}/test: queue a ``ping`` event to the webhook, signed like any other."""

from shared.domain.webhooks import queue_ping
from shared.http import lambda_handler, make_resolver
from shared.models.webhooks import PING, QueuedEvent
from shared.store.audit import AuditStore
from shared.store.webhooks import WebhookStore
from shared.webhooks.queue import DeliveryQueue

app = make_resolver(__name__)


@app.endpoint
def ping(webhook_id: str) -> QueuedEvent:
    event_id = queue_ping(
        WebhookStore(), DeliveryQueue(), AuditStore(), app.reviewer().org_id, webhook_id, audit=app.audit_context()
    )
    return QueuedEvent(event_id=event_id, type=PING)


handler = lambda_handler(app)
