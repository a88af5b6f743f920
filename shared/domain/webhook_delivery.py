"""Business rules of delivery: which webhooks a domain event goes to and with what body (the same
objects the API returns, in the documented envelope), and what one attempt leads to: done, the
webhook disabled by a 410, or another attempt later."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from typing import Literal

from shared import clock, ids
from shared.domain.assessments import assessment_view
from shared.domain.events import DomainEvent
from shared.domain.ports import Assessments, Webhooks
from shared.domain.sessions import session_view
from shared.domain.webhooks import EVENT_ID_PREFIX
from shared.models.webhook_events import (
    AssessmentEventData,
    AssessmentWebhookEvent,
    SessionEventData,
    SessionWebhookEvent,
    WebhookEvent,
)
from shared.models.webhooks import WEBHOOK_EVENT_TYPES
from shared.store.dynamo import ConditionFailedError
from shared.store.webhooks import DeliveryRecord
from shared.webhooks import addresses, sender, signing
from shared.webhooks.addresses import UrlNotAllowedError
from shared.webhooks.queue import Delivery as QueuedDelivery

# Events to deliveries


def event_id_of(event: DomainEvent) -> str:
    """The id every delivery of one domain event carries, however often the stream reports it."""
    return EVENT_ID_PREFIX + hashlib.sha256(event.id.encode()).hexdigest()[:32]


def deliveries_for(
    event: DomainEvent, webhooks: Webhooks, assessments: Assessments, now: datetime
) -> list[QueuedDelivery]:
    """A delivery of ``event`` for each of its org's active webhooks that takes its type."""
    if event.type not in WEBHOOK_EVENT_TYPES:
        return []
    subscribed = webhooks.subscribed(event.org_id, event.type)
    if not subscribed:
        return []
    delivered = _webhook_event(event, assessments, now)
    if delivered is None:
        return []
    body = delivered.model_dump_json(by_alias=True)  # as the OpenAPI document's ``webhooks`` describe it
    return [QueuedDelivery(event.org_id, webhook.id, delivered.id, event.type, body) for webhook in subscribed]


def _webhook_event(event: DomainEvent, assessments: Assessments, now: datetime) -> WebhookEvent | None:
    """The body of ``event``'s deliveries (None when what it is about is gone)."""
    fields = {"id": event_id_of(event), "type": event.type, "created_at": event.occurred_at, "org_id": event.org_id}
    if event.session is not None:
        return SessionWebhookEvent.model_validate(
            {**fields, "data": SessionEventData(session=session_view(event.session, now))}
        )
    assessment = assessments.get_deleted(event.org_id, event.assessment_id)
    if assessment is None:
        return None
    return AssessmentWebhookEvent.model_validate(
        {**fields, "data": AssessmentEventData(assessment=assessment_view(assessment))}
    )


# One delivery attempt

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
