"""Business rules for the webhook endpoints: registering one (public https only), reading, deleting and
pinging them, and their delivery logs. What is delivered, and how, is shared.domain.webhook_delivery's."""

from __future__ import annotations

from shared import clock, ids
from shared.domain.audit import AuditContext
from shared.domain.paging import decode_cursor, encode_cursor, within_budget
from shared.domain.ports import AuditLog, DeliveryQueue, Webhooks
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.webhooks import PING, CreateWebhookRequest, Delivery, PingEventData, PingWebhookEvent, Webhook
from shared.store.dynamo import ConditionFailedError
from shared.store.webhooks import DeliveryRecord, WebhookRecord
from shared.webhooks import addresses, signing
from shared.webhooks.addresses import UrlNotAllowedError
from shared.webhooks.queue import Delivery as QueuedDelivery

EVENT_ID_PREFIX = "evt_"
# Each event is queued once per webhook: a bound keeps one organisation from multiplying the work.
MAX_WEBHOOKS_PER_ORG = 25
# Registering reads the count again when another registration changed it first.
_COUNT_ATTEMPTS = 3

# Views


def webhook_view(webhook: WebhookRecord) -> Webhook:
    """The webhook as the API shows it: never its secret."""
    return Webhook.model_validate(webhook.model_dump(exclude={"secret"}))


def delivery_view(delivery: DeliveryRecord) -> Delivery:
    return Delivery.model_validate(delivery.model_dump())


# The API


def create_webhook(
    webhooks: Webhooks, org_id: str, request: CreateWebhookRequest, *, audit: AuditContext
) -> WebhookRecord:
    """Register an endpoint, with a new signing secret, unless its URL may not receive webhooks or the
    organisation has as many as it may (deleted ones do not count)."""
    try:
        addresses.check_registration(request.url)
    except UrlNotAllowedError as refused:
        raise InvalidInputError.for_field(
            ("url",), "url_not_allowed", str(refused), error_code="url_not_allowed"
        ) from None
    now = clock.to_timestamp(clock.utc_now())
    webhook = WebhookRecord(
        id=ids.new_id(),
        org_id=org_id,
        url=request.url,
        events=tuple(request.events),
        description=request.description,
        share_reports=request.share_reports,
        secret=signing.new_secret(),
        created_at=now,
        updated_at=now,
    )
    # The URL is the organisation's own, its secret never recorded: only what was set.
    changes = ["url", "events", *(["description"] if webhook.description is not None else []), "secret"]
    record = audit.record(org_id, "webhook.create", ("webhook", webhook.id), changes, now)
    for _ in range(_COUNT_ATTEMPTS):
        try:
            webhooks.create(webhook, MAX_WEBHOOKS_PER_ORG, record)
        except ConditionFailedError as failed:
            if failed.item != "webhook count":
                raise
            continue  # full, or another registration counted first: the next read tells which
        return webhook
    raise ConflictError(
        f"The organisation has {MAX_WEBHOOKS_PER_ORG} webhooks, the most it may; delete one first",
        code="too_many_webhooks",
    )


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


def delete_webhook(webhooks: Webhooks, org_id: str, webhook_id: str, *, audit: AuditContext) -> str:
    """Stop deliveries to the org's webhook for good; its delivery log stays readable."""
    webhook = get_webhook(webhooks, org_id, webhook_id)
    deleted_at = clock.to_timestamp(clock.utc_now())
    try:
        webhooks.delete(
            webhook, deleted_at, audit.record(org_id, "webhook.delete", ("webhook", webhook.id), ["status"], deleted_at)
        )
    except ConditionFailedError as failed:
        raise NotFoundError("Webhook not found") from failed
    return webhook.id


def queue_ping(
    webhooks: Webhooks, queue: DeliveryQueue, log: AuditLog, org_id: str, webhook_id: str, *, audit: AuditContext
) -> str:
    """Queue a ``ping`` to the org's active webhook, and record that it was asked for once it is queued (a
    ping that never left leaves no record); returns the event's id."""
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
    queue.send([QueuedDelivery(org_id, webhook.id, ping.id, PING, ping.model_dump_json(by_alias=True))])
    log.record(audit.record(org_id, "webhook.test", ("webhook", webhook.id), at=ping.created_at))
    return ping.id


def list_deliveries(
    webhooks: Webhooks, org_id: str, webhook_id: str, limit: int, cursor: str | None
) -> tuple[list[Delivery], str | None]:
    """One page of the attempts to deliver to the org's webhook (deleted or not), newest first."""
    webhook = get_webhook(webhooks, org_id, webhook_id, deleted_too=True)
    page, resume_after = webhooks.list_deliveries(webhook.id, limit, decode_cursor(cursor))
    return [delivery_view(delivery) for delivery in page], encode_cursor(resume_after) if resume_after else None
