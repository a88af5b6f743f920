"""The delivery queue: one message per event and endpoint, its body already serialized, so every
attempt sends the same bytes (only the signature's timestamp changes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import boto3
from botocore.config import Config

from shared import outages, settings
from shared.errors import UnavailableError

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

# SendMessageBatch takes at most this many messages.
_BATCH_LIMIT = 10


class Delivery(NamedTuple):
    """One event on its way to one webhook of ``org_id``."""

    org_id: str
    webhook_id: str
    event_id: str
    type: str
    body: str  # the JSON payload, exactly as it is signed and sent

    def to_message(self) -> str:
        return json.dumps(self._asdict(), separators=(",", ":"))

    @classmethod
    def from_message(cls, message: str) -> Delivery:
        return cls(**json.loads(message))


@cache
def client() -> SQSClient:
    """Built on first use (tests start moto before it); standard mode retries throttles with backoff."""
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("sqs", config=config)


class DeliveryQueue:
    """Queues deliveries on the queue the environment names."""

    def send(self, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        queue_url = settings.webhook_queue_url()
        if queue_url is None:
            raise UnavailableError(
                f"Webhook deliveries are not configured here ({settings.WEBHOOK_QUEUE_VARIABLE} is not set)"
            )
        for start in range(0, len(deliveries), _BATCH_LIMIT):
            chunk = deliveries[start : start + _BATCH_LIMIT]
            entries = [{"Id": str(index), "MessageBody": item.to_message()} for index, item in enumerate(chunk)]
            answer = outages.unavailable(
                "SQS",
                lambda entries=entries: client().send_message_batch(QueueUrl=queue_url, Entries=entries),  # type: ignore[misc]
            )
            failed = answer.get("Failed", [])
            if failed:
                # The stream delivers the whole record again: a duplicate is what at-least-once allows.
                raise RuntimeError(f"{len(failed)} webhook deliveries were not queued: {failed[0].get('Code')}")
