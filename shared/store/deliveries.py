"""Delivery logs: each attempt to deliver an event to an endpoint (a webhook's URL, or an integration's
ATS) is an item ``DELIVERY#{attemptId}`` in the endpoint's own partition, time-ordered by its id and
gone after 30 days. The webhook and integration stores keep theirs here, under their partitions."""

from __future__ import annotations

from datetime import timedelta

from shared import clock
from shared.store import dynamo, listing
from shared.store.records import Record, item_of
from shared.store.schema import SORT_KEY, TTL_ATTRIBUTE

_PREFIX = "DELIVERY#"
# How long a log keeps an attempt.
RETENTION = timedelta(days=30)


class DeliveryRecord(Record):
    """One attempt to deliver one event."""

    id: str
    event_id: str
    type: str
    attempt: int
    status_code: int | None = None
    duration_ms: int
    error: str | None = None
    at: str


def _keys(partition: str, delivery_id: str) -> dict[str, str]:
    return {"PK": partition, SORT_KEY: f"{_PREFIX}{delivery_id}"}


def record(partition: str, delivery: DeliveryRecord) -> None:
    """Log one attempt in the endpoint's ``partition`` (one PutItem), kept for RETENTION."""
    expires = clock.from_timestamp(delivery.at) + RETENTION
    item = {**item_of(_keys(partition, delivery.id), delivery), TTL_ATTRIBUTE: int(expires.timestamp())}
    dynamo.put(item, "delivery")


def list_page(partition: str, limit: int, after_id: str | None) -> tuple[list[DeliveryRecord], str | None]:
    """One Query of the endpoint's attempts, newest first, and the id to resume after."""
    items, resume_after = listing.prefix_page(
        partition, _PREFIX, lambda after: _keys(partition, after), limit, after_id, forward=False
    )
    return [DeliveryRecord.model_validate(item) for item in items], resume_after
