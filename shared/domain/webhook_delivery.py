"""One attempt to deliver: the signed POST to the webhook's endpoint, checked again for where it may
go, logged, and what it leads to: done, the webhook disabled by a 410, or another attempt later."""

from __future__ import annotations

import contextlib
from typing import Literal

from shared import clock, ids
from shared.domain.ports import Webhooks
from shared.store.dynamo import ConditionFailedError
from shared.store.webhooks import DeliveryRecord
from shared.webhooks import addresses, sender, signing
from shared.webhooks.addresses import UrlNotAllowedError
from shared.webhooks.queue import Delivery as QueuedDelivery

Outcome = Literal["delivered", "disabled", "dropped", "retry"]


def attempt_delivery(
    delivery: QueuedDelivery, attempt: int, webhooks: Webhooks, *, allow_loopback: bool | None = None
) -> Outcome:
    """Send ``delivery`` once (``attempt`` counts from 1) and log the attempt; what happens next.
    ``allow_loopback`` as for :func:`addresses.destination` (the local server allows it)."""
    webhook = webhooks.find_active(delivery.webhook_id)
    if webhook is None or webhook.org_id != delivery.org_id:
        return "dropped"  # deleted or disabled since the event: it receives nothing more
    started = clock.utc_now()
    try:
        where = addresses.destination(webhook.url, allow_loopback=allow_loopback)
    except UrlNotAllowedError as refused:
        result = sender.Attempt(None, 0, f"url_not_allowed: {refused}")
    else:
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Promptster-Webhooks/1",
            signing.EVENT_ID_HEADER: delivery.event_id,
            signing.SIGNATURE_HEADER: signing.signature(webhook.secret, int(started.timestamp()), body),
        }
        result = sender.post(where, body, headers)
    webhooks.record_delivery(
        webhook.id,
        DeliveryRecord(
            id=ids.new_id(),
            event_id=delivery.event_id,
            type=delivery.type,
            attempt=attempt,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            error=result.error,
            at=clock.to_timestamp(started),
        ),
    )
    if result.succeeded:
        return "delivered"
    if result.gone:
        with contextlib.suppress(ConditionFailedError):  # deleted or disabled meanwhile: stopped all the same
            webhooks.disable(webhook.id, clock.to_timestamp(clock.utc_now()), "The endpoint answered 410 Gone")
        return "disabled"
    return "retry"
