"""The delivery worker: a batch of the delivery queue's messages in (webhook deliveries and calls back to
an ATS), one attempt each. A failed
attempt is put back on the queue out of sight for its retry delay (the next one longer) and reported
as failed, so the queue keeps it; after the last attempt the queue's redrive policy moves it to the
dead-letter queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from shared import settings
from shared.domain.ports import Integrations, Secrets, Webhooks
from shared.domain.webhook_delivery import Endpoints, attempt_delivery
from shared.observability import logger
from shared.secrets import KmsSecrets
from shared.store.integrations import IntegrationStore
from shared.store.webhooks import WebhookStore
from shared.webhooks import queue
from shared.webhooks.queue import Delivery
from shared.webhooks.schedule import RETRY_DELAYS_SECONDS


class DeliveryFailedError(Exception):
    """An attempt failed; the message is delivered again after its delay."""


def queue_url(queue_arn: str) -> str:
    """The URL of the queue an SQS event names by ARN (``arn:aws:sqs:<region>:<account>:<name>``)."""
    _, partition, _, region, account, name = queue_arn.split(":", 5)
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


class DeliveryWorker:
    """Attempts the deliveries of queue batches, waiting ``delays[n - 1]`` seconds after failed attempt n."""

    def __init__(
        self,
        webhooks: Webhooks | None = None,
        delays: Sequence[int] = RETRY_DELAYS_SECONDS,
        *,
        allow_loopback: bool | None = None,
        integrations: Integrations | None = None,
        secrets: Secrets | None = None,
    ) -> None:
        self.webhooks = webhooks or WebhookStore()
        self.integrations = integrations or IntegrationStore()
        self.secrets = secrets or KmsSecrets()
        self.delays = tuple(delays)
        self.allow_loopback = allow_loopback  # the local server's receivers on this machine

    def handle(self, batch: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        """Process one batch; the answer lists the messages the queue keeps (Lambda's partial batch response)."""
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(event=batch, record_handler=self._record, processor=processor, context=context)

    def _record(self, record: SQSRecord) -> None:
        delivery = Delivery.from_message(record.body)
        attempt = int(record.attributes.approximate_receive_count)
        endpoints = Endpoints(self.webhooks, self.integrations, self.secrets, settings.ashby_api_url())
        outcome = attempt_delivery(delivery, attempt, endpoints, allow_loopback=self.allow_loopback)
        endpoint = (
            {"webhook_id": delivery.webhook_id} if delivery.webhook_id else {"integration_id": delivery.integration_id}
        )
        context = {**endpoint, "event_id": delivery.event_id, "attempt": attempt}
        if outcome != "retry":
            logger.info("Webhook delivery settled", extra={**context, "outcome": outcome, "event_type": delivery.type})
            return
        # Past the last delay the message goes straight back, to be moved to the dead-letter queue.
        delay = self.delays[attempt - 1] if attempt <= len(self.delays) else 0
        queue.client().change_message_visibility(
            QueueUrl=queue_url(record.event_source_arn), ReceiptHandle=record.receipt_handle, VisibilityTimeout=delay
        )
        last = attempt > len(self.delays)
        logger.warning("Webhook delivery failed", extra={**context, "retry_in_seconds": None if last else delay})
        raise DeliveryFailedError(f"attempt {attempt} failed")
