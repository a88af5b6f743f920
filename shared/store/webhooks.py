"""Webhooks and their delivery logs, each webhook in a partition of its own: the webhook
(``WEBHOOK#{id}`` / ``WEBHOOK``, listed in the GSI1 index under ``WEBHOOKS#{orgId}`` until it is
deleted) and its delivery attempts (shared.store.deliveries: ``DELIVERY#{attemptId}``, gone after 30 days).
Everything the delivery function touches is under ``WEBHOOK#``, which is all its role may touch. The
organisation's count of webhooks not deleted (``ORG#{orgId}`` / ``WEBHOOK_COUNT``) moves in the same
transaction as each registration and deletion, so its limit holds under concurrent registrations."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.observability import traced
from shared.store import audit, deliveries, dynamo, listing
from shared.store.audit import AuditRecord
from shared.store.deliveries import DeliveryRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import (
    INDEX_PARTITION_KEY,
    INDEX_SORT_KEY,
    PARTITION_KEY,
    SORT_KEY,
)

PARTITION_PREFIX = "WEBHOOK#"
_WEBHOOK_SK = "WEBHOOK"

WebhookStatus = Literal["active", "disabled", "deleted"]


class WebhookRecord(Record):
    id: str
    org_id: str
    url: str
    events: tuple[str, ...]
    description: str | None = None
    # Signs every delivery. Never in a repr (so never in a log line or a traceback of one).
    secret: str = Field(repr=False)
    status: WebhookStatus = "active"
    created_at: str
    updated_at: str
    disabled_reason: str | None = None
    share_reports: bool = False  # session.completed and session.scored deliveries carry a report link


def _keys(webhook_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"{PARTITION_PREFIX}{webhook_id}", SORT_KEY: _WEBHOOK_SK}


def _count_keys(org_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ORG#{org_id}", SORT_KEY: "WEBHOOK_COUNT"}


def _org_index(org_id: str) -> str:
    return f"WEBHOOKS#{org_id}"


class WebhookStore:
    @traced
    def create(self, webhook: WebhookRecord, limit: int, record: AuditRecord) -> None:
        """Store the webhook and count it, unless the org already has ``limit`` (ConditionFailedError names
        ``webhook count`` then, or when another registration counted first: reading again tells)."""
        index = {INDEX_PARTITION_KEY: _org_index(webhook.org_id), INDEX_SORT_KEY: f"{PARTITION_PREFIX}{webhook.id}"}
        dynamo.transact_write(
            [
                self._count_in(webhook.org_id, limit),
                Action(
                    "Put",
                    "webhook",
                    item={**item_of(_keys(webhook.id), webhook), **index},
                    condition="attribute_not_exists(PK)",
                ),
                audit.entry_action(record),
            ]
        )

    def _count_in(self, org_id: str, limit: int) -> Action:
        """The action counting one more webhook of the org, below ``limit``. An org whose webhooks
        predate the count is counted once from its list."""
        if dynamo.get(_count_keys(org_id)) is not None:
            return Action(
                "Update",
                "webhook count",
                keys=_count_keys(org_id),
                expression="ADD active :one",
                condition="active < :limit",
                values={":one": 1, ":limit": limit},
            )
        listed = 0
        after_id: str | None = None
        while True:
            page, after_id = self.list_page(org_id, 100, after_id)
            listed += len(page)
            if after_id is None:
                break
        if listed >= limit:
            raise dynamo.ConditionFailedError("webhook count")
        item = {**_count_keys(org_id), "active": listed + 1}
        return Action("Put", "webhook count", item=item, condition="attribute_not_exists(PK)")

    @traced
    def get(self, org_id: str, webhook_id: str) -> WebhookRecord | None:
        """The org's webhook, deleted or not; another org's reads as None."""
        item = dynamo.get(_keys(webhook_id))
        webhook = WebhookRecord.model_validate(item) if item else None
        return webhook if webhook is not None and webhook.org_id == org_id else None

    @traced
    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[WebhookRecord], str | None]:
        """One Query of the org's webhooks not deleted, in creation order, and the id to resume after.
        The index is read eventually consistently: a webhook created a moment ago may be a moment late."""
        items, resume_after = listing.org_page(_org_index(org_id), PARTITION_PREFIX, _keys, limit, after_id)
        return [WebhookRecord.model_validate(item) for item in items], resume_after

    @traced
    def subscribed(self, org_id: str, event_type: str) -> list[WebhookRecord]:
        """The org's active webhooks that take ``event_type``, every page of them."""
        found: list[WebhookRecord] = []
        after_id: str | None = None
        while True:
            page, after_id = self.list_page(org_id, 100, after_id)
            found.extend(hook for hook in page if hook.status == "active" and event_type in hook.events)
            if after_id is None:
                return found

    @traced
    def delete(self, webhook: WebhookRecord, deleted_at: str, record: AuditRecord) -> None:
        """Mark the webhook deleted, take it out of the org's list and its count (ConditionFailedError
        names ``webhook`` when it is already deleted); its delivery log stays."""
        actions = [
            Action(
                "Update",
                "webhook",
                keys=_keys(webhook.id),
                expression=f"SET #status = :deleted, deletedAt = :at, updatedAt = :at "
                f"REMOVE {INDEX_PARTITION_KEY}, {INDEX_SORT_KEY}",
                condition="attribute_exists(PK) AND #status <> :deleted",
                names={"#status": "status"},
                values={":deleted": "deleted", ":at": deleted_at},
            )
        ]
        if dynamo.get(_count_keys(webhook.org_id)) is not None:  # else counted from the list when next needed
            actions.append(
                Action(
                    "Update",
                    "webhook count",
                    keys=_count_keys(webhook.org_id),
                    expression="ADD active :minus_one",
                    condition="active > :none",
                    values={":minus_one": -1, ":none": 0},
                )
            )
        dynamo.transact_write([*actions, audit.entry_action(record)])

    @traced
    def disable(self, webhook_id: str, disabled_at: str, reason: str) -> None:
        """Stop deliveries to an active webhook (ConditionFailedError names ``webhook`` otherwise)."""
        dynamo.update(
            _keys(webhook_id),
            "webhook",
            "SET #status = :disabled, disabledReason = :reason, disabledAt = :at, updatedAt = :at",
            condition="#status = :active",
            names={"#status": "status"},
            values={":disabled": "disabled", ":active": "active", ":reason": reason, ":at": disabled_at},
        )

    @traced
    def find_active(self, webhook_id: str) -> WebhookRecord | None:
        """The webhook a delivery is for, if it is still active."""
        item = dynamo.get(_keys(webhook_id))
        webhook = WebhookRecord.model_validate(item) if item else None
        return webhook if webhook is not None and webhook.status == "active" else None

    @traced
    def record_delivery(self, webhook_id: str, delivery: DeliveryRecord) -> None:
        deliveries.record(f"{PARTITION_PREFIX}{webhook_id}", delivery)

    @traced
    def list_deliveries(
        self, webhook_id: str, limit: int, after_id: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        """One Query of the webhook's delivery attempts, newest first, and the id to resume after."""
        return deliveries.list_page(f"{PARTITION_PREFIX}{webhook_id}", limit, after_id)
