"""Webhook deliveries in the local server: the delivery queue and its dead-letter queue in the embedded
moto, and a thread handing their messages to the same DeliveryWorker the Lambda function runs, as
Lambda's SQS event source does (failed messages stay on the queue, the rest are deleted). Locally a
receiver on this machine may be registered over plain http, and retries come after seconds, not hours."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from infra.local.polling import Poller
from shared import settings
from shared.delivery_worker import DeliveryWorker
from shared.settings import WEBHOOK_QUEUE_VARIABLE
from shared.webhooks import queue
from shared.webhooks.schedule import DELIVERY_BATCH_SIZE

# The pause after each failed attempt, locally; then the message goes to the dead-letter queue.
LOCAL_RETRY_DELAYS_SECONDS = (1, 2, 4)
QUEUE_NAME = "promptster-webhook-deliveries"
DEAD_LETTER_QUEUE_NAME = "promptster-webhook-dead-letters"


@dataclass(frozen=True)
class Queues:
    url: str
    arn: str
    dead_letter_url: str


def _queue(name: str, attributes: dict[str, str] | None = None) -> tuple[str, str]:
    """Create the queue (or find it) and return its URL and ARN."""
    sqs = queue.client()
    url = sqs.create_queue(QueueName=name, Attributes=attributes or {})["QueueUrl"]  # type: ignore[arg-type]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def create_queues(attempts: int) -> Queues:
    """The delivery queue, moving a message to its dead-letter queue after ``attempts`` receives."""
    dead_letter_url, dead_letter_arn = _queue(DEAD_LETTER_QUEUE_NAME)
    redrive = {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": attempts}
    url, arn = _queue(QUEUE_NAME, {"RedrivePolicy": json.dumps(redrive), "VisibilityTimeout": "30"})
    return Queues(url, arn, dead_letter_url)


def lambda_record(message: Any, queue_arn: str) -> dict[str, Any]:
    """A ReceiveMessage message as Lambda's SQS event source delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


class QueuePoller(Poller):
    """Receives the delivery queue's messages and hands each batch to ``worker``."""

    def __init__(self, worker: DeliveryWorker, queue_url: str, queue_arn: str) -> None:
        super().__init__("webhook-delivery")
        self.worker = worker
        self.queue_url = queue_url
        self.queue_arn = queue_arn

    def poll(self) -> int:
        """One receive: deliver what is visible, and return how many messages were handled."""
        sqs = queue.client()
        messages = sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=DELIVERY_BATCH_SIZE, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return 0
        answer = self.worker.handle({"Records": [lambda_record(message, self.queue_arn) for message in messages]})
        failed = {str(failure["itemIdentifier"]) for failure in answer["batchItemFailures"]}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)


@contextmanager
def local_webhooks() -> Iterator[str]:
    """Deliver webhooks for real while the block runs (inside the embedded moto); yields the queue's URL."""
    queues = create_queues(len(LOCAL_RETRY_DELAYS_SECONDS) + 1)
    saved = {name: os.environ.get(name) for name in (WEBHOOK_QUEUE_VARIABLE, settings.LOCAL_LOOPBACK_VARIABLE)}
    os.environ[WEBHOOK_QUEUE_VARIABLE] = queues.url
    os.environ[settings.LOCAL_LOOPBACK_VARIABLE] = "1"
    worker = DeliveryWorker(delays=LOCAL_RETRY_DELAYS_SECONDS, allow_loopback=True)
    poller = QueuePoller(worker, queues.url, queues.arn)
    poller.start()
    try:
        yield queues.url
    finally:
        poller.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
