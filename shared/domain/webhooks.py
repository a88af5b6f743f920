"""Business rules for webhooks: registering an endpoint (public https only), the events it is sent
(the same objects the API returns, in a signed envelope), and what each delivery attempt leads to:
done, disabled by a 410, or tried again later."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from typing import Literal

from shared import clock, ids
from shared.domain.assessments import assessment_view
from shared.domain.events import DomainEvent
from shared.domain.paging import decode_cursor, encode_cursor, within_budget
from shared.domain.ports import Assessments, DeliveryQueue, Webhooks
from shared.domain.sessions import session_view
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.webhooks import (
    PING,
    WEBHOOK_EVENT_TYPES,
    AssessmentEventData,
    AssessmentWebhookEvent,
    CreateWebhookRequest,
    Delivery,
    PingEventData,
    PingWebhookEvent,
    SessionEventData,
    SessionWebhookEvent,
    Webhook,
    WebhookEvent,
)
from shared.store.dynamo import ConditionFailedError
from shared.store.webhooks import DeliveryRecord, WebhookRecord
from shared.webhooks import addresses, sender, signing
from shared.webhooks.addresses import UrlNotAllowedError
from shared.webhooks.queue import Delivery as QueuedDelivery

EVENT_ID_PREFIX = "evt_"
# Each event is queued once per webhook: a bound keeps one organisation from multiplying the work.
MAX_WEBHOOKS_PER_ORG = 25

# Views


def webhook_view(webhook: WebhookRecord) -> Webhook:
    """The webhook as the API shows it: never its secret."""
    return Webhook.model_validate(webhook.model_dump(exclude={"secret"}))


def delivery_view(delivery: DeliveryRecord) -> Delivery:
    return Delivery.model_validate(delivery.model_dump())


# The API


def create_webhook(webhooks: Webhooks, org_id: str, request: CreateWebhookRequest) -> WebhookRecord:
    """Register an endpoint, with a new signing secret, unless its URL may not receive webhooks or the
    organisation has as many as it may (deleted ones do not count)."""
    try:
        addresses.check_registration(request.url)
    except UrlNotAllowedError as refused:
        raise InvalidInputError.for_field(("url",), "url_not_allowed", str(refused), "url_not_allowed") from None
    registered, _ = webhooks.list_page(org_id, MAX_WEBHOOKS_PER_ORG, None)
    if len(registered) >= MAX_WEBHOOKS_PER_ORG:
        raise ConflictError(
            f"The organisation has {MAX_WEBHOOKS_PER_ORG} webhooks, the most it may; delete one first",
            code="too_many_webhooks",
        )
    now = clock.to_timestamp(clock.utc_now())
    webhook = WebhookRecord(
        id=ids.new_id(),
        org_id=org_id,
        url=request.url,
        events=tuple(request.events),
        description=request.description,
        secret=signing.new_secret(),
        created_at=now,
        updated_at=now,
    )
    webhooks.create(webhook)
    return webhook


def get_webhook(webhooks: Webhooks, org_id: str, webhook_id: str, *, deleted_too: bool = False) -> WebhookRecord:
    """The org's webhook; unknown, other orgs' and (unless ``deleted_too``) deleted ones are not found."""
    canonical_id = ids.canonical_uuid(webhook_id)
    webhook = webhooks.get(org_id, canonical_id) if canonical_id else None
    if webhook is None or (webhook.status == "deleted" and not deleted_too):
        raise NotFoundError("Webhook not found")
    return webhook


def list_webhooks(webhooks: Webhooks, org_id: str, limit: int, cursor: str | None) -> tuple[list[Webhook], str | None]:
    """One page of the org's webhooks (deleted ones left out) in creation order, and the next cursor."""
    page, resume_after = webhooks.list_page(org_id, limit, decode_cursor(cursor))
    views = [webhook_view(webhook) for webhook in page]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def delete_webhook(webhooks: Webhooks, org_id: str, webhook_id: str) -> str:
    """Stop deliveries to the org's webhook for good; its delivery log stays readable."""
    webhook = get_webhook(webhooks, org_id, webhook_id)
    try:
        webhooks.delete(webhook, deleted_at=clock.to_timestamp(clock.utc_now()))
    except ConditionFailedError as failed:
        raise NotFoundError("Webhook not found") from failed
    return webhook.id


def queue_ping(webhooks: Webhooks, queue: DeliveryQueue, org_id: str, webhook_id: str) -> str:
    """Queue a ``ping`` to the org's active webhook; returns the event's id."""
    webhook = get_webhook(webhooks, org_id, webhook_id)
    if webhook.status != "active":
        raise ConflictError(
            "The webhook is disabled (its endpoint answered 410 Gone); register the endpoint again",
            code="webhook_disabled",
        )
    ping = PingWebhookEvent(
        id=EVENT_ID_PREFIX + ids.new_uuid7().hex,
        type=PING,
        created_at=clock.to_timestamp(clock.utc_now()),
        org_id=org_id,
        data=PingEventData(webhook=webhook_view(webhook)),
    )
    queue.send([QueuedDelivery(org_id, webhook.id, ping.id, PING, body_of(ping))])
    return ping.id


def list_deliveries(
    webhooks: Webhooks, org_id: str, webhook_id: str, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """One page of the attempts to deliver to the org's webhook (deleted or not), newest first."""
    webhook = get_webhook(webhooks, org_id, webhook_id, deleted_too=True)
    page, resume_after = webhooks.list_deliveries(webhook.id, limit, decode_cursor(cursor))
    return [delivery_view(delivery) for delivery in page], encode_cursor(resume_after) if resume_after else None


# Events to deliveries


def event_id_of(event: DomainEvent) -> str:
    """The id every delivery of one domain event carries, however often the stream reports it."""
    return EVENT_ID_PREFIX + hashlib.sha256(event.id.encode()).hexdigest()[:32]


def body_of(event: WebhookEvent) -> str:
    """The delivered JSON, exactly as the OpenAPI document's ``webhooks`` describe it."""
    return event.model_dump_json(by_alias=True)


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
    body = body_of(delivered)
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
