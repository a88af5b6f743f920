"""The delivery queue: one message per event and endpoint (a webhook, or an integration's ATS), its body
already serialized, so every attempt sends the same bytes (only a webhook signature's timestamp changes)."""

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
    """One event on its way to one endpoint of ``org_id``: a webhook (a signed POST to its URL, read at each
    attempt), or an integration (a call to its ATS: Greenhouse's callback ``url``, or Ashby's API)."""

    org_id: str
    event_id: str
    type: str
    body: str  # the payload, exactly as it is signed and sent (JSON, or empty)
    webhook_id: str | None = None
    integration_id: str | None = None
    url: str | None = None  # where an ATS asked to be called back, checked again at each attempt

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
