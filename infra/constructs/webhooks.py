"""Webhook delivery: the SQS queue deliveries wait in, the function that makes them, and the dead-letter
queue that keeps what still failed after about a day of retries."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.checkov import QUEUE_KEY, skip_checks
from infra.constructs.function import ApiFunction, FunctionDefaults
from shared.routes import DECRYPT, GET, PUT, UPDATE
from shared.settings import ASHBY_API_URL_VARIABLE, WEBHOOK_QUEUE_VARIABLE
from shared.store import integrations as integration_store
from shared.store import webhooks as webhook_store
from shared.webhooks.schedule import DELIVERY_BATCH_SIZE, DELIVERY_TIMEOUT_SECONDS, MAX_ATTEMPTS

DELIVERY_NAME = "webhook_delivery"
DELIVERY_HANDLER = "functions.webhook_delivery.handler.handler"
# It reads the webhook or integration, writes the attempt to its delivery log, and disables a webhook on a 410.
DELIVERY_TABLE_ACTIONS = (GET, PUT, UPDATE)
# Each webhook shares its partition WEBHOOK#{id} with its delivery log, each integration INTEGRATION#{id} with
# its own: nothing else in the table is the function's business (an integration key's hash item is not there).
DELIVERY_PARTITION_PREFIXES = (webhook_store.PARTITION_PREFIX, integration_store.PARTITION_PREFIX)
# It decrypts the key an ATS takes, for each call back to it.
DELIVERY_SECRET_ACTIONS = (DECRYPT,)
# A batch's deliveries go one after the other, each allowed its timeout; the rest is DNS checks and the log.
DELIVERY_FUNCTION_TIMEOUT = Duration.seconds(DELIVERY_BATCH_SIZE * DELIVERY_TIMEOUT_SECONDS + 10)
# AWS's advice for an SQS event source: six times the function's timeout, so that a batch still being
# retried by Lambda after a throttle is not handed out again meanwhile.
QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * DELIVERY_FUNCTION_TIMEOUT.to_seconds())
# Longer than the whole schedule (about a day), with room for a stalled consumer to be noticed and fixed.
QUEUE_RETENTION = Duration.days(4)
# A message keeps its first enqueue time in the dead-letter queue: 14 days (SQS's most) leaves about 13 there.
DEAD_LETTER_RETENTION = Duration.days(14)


class WebhookDelivery(Construct):
    """The delivery queue with its redrive policy, its dead-letter queue, and the delivery function on it,
    whose role may touch only webhook items and the visibility of the queue's messages."""

    def __init__(self, scope: Construct, construct_id: str, *, defaults: FunctionDefaults) -> None:
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self.dead_letters = self._queue("DeadLetters", "webhook-dead-letters", retention=DEAD_LETTER_RETENTION)
        Validations.of(self.dead_letters).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is the delivery queue's dead-letter queue: a delivery that lands here "
                "failed for about a day and waits for a person",
            ),
            Acknowledgment(
                id="Serverless-SQSRedrivePolicy",
                reason="This queue is the delivery queue's dead-letter queue: what lands here is read by a "
                "person, never by a consumer that could fail again",
            ),
        )
        self.queue = self._queue(
            "Queue",
            "webhook-deliveries",
            retention=QUEUE_RETENTION,
            visibility_timeout=QUEUE_VISIBILITY_TIMEOUT,
            # SQS moves a message here when it is received once more than this: after its last attempt.
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.dead_letters, max_receive_count=MAX_ATTEMPTS),
        )
        self.delivery = ApiFunction(
            self,
            "Delivery",
            defaults=defaults,
            name=DELIVERY_NAME,
            handler=DELIVERY_HANDLER,
            description="Webhook deliveries and calls back to an ATS, retried from the queue",
            table_actions=DELIVERY_TABLE_ACTIONS,
            table_partition_prefixes=DELIVERY_PARTITION_PREFIXES,
            secret_actions=DELIVERY_SECRET_ACTIONS,
            timeout=DELIVERY_FUNCTION_TIMEOUT,
            no_dlq_reason="Invoked by its queue's event source mapping, not asynchronously: the queue's "
            "redrive policy moves a delivery that failed its last attempt to the dead-letter queue",
        )
        self.delivery.function.add_environment(ASHBY_API_URL_VARIABLE, defaults.deployment.ashby_api_url)
        # A failed delivery is put back with a longer wait each time (the schedule in shared/webhooks).
        self.queue.grant(self.delivery.role, "sqs:ChangeMessageVisibility")
        reserved = defaults.deployment.reserved_concurrency
        self.delivery.target.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=DELIVERY_BATCH_SIZE,
                report_batch_item_failures=True,
                # Never more pollers than the function may run at once: a throttled batch counts as a
                # receive and would spend an attempt (2 is Lambda's least).
                max_concurrency=max(reserved, 2) if reserved else None,
            )
        )
        (mapping,) = [node for node in self.delivery.node.find_all() if isinstance(node, lambda_.CfnEventSourceMapping)]
        Validations.of(mapping).acknowledge(
            Acknowledgment(
                id="Serverless-LambdaEventSourceMappingDestination",
                reason="Lambda offers no on-failure destination for an SQS mapping: the queue's own redrive "
                "policy sends a delivery that failed its last attempt to the dead-letter queue",
            )
        )

    def allow_enqueueing(self, function: ApiFunction) -> None:
        """Tell ``function`` the delivery queue and let it send there (and no more)."""
        function.function.add_environment(WEBHOOK_QUEUE_VARIABLE, self.queue.queue_url)
        self.queue.grant_send_messages(function.role)
        if self._defaults.key is not None:
            sends_encrypted = "SQS encrypts what this function queues for delivery under the customer's key"
            Validations.of(function.role).acknowledge(
                Acknowledgment(id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", reason=sends_encrypted),
                Acknowledgment(id="AwsSolutions-IAM5[Action::kms:ReEncrypt*]", reason=sends_encrypted),
            )

    def _queue(
        self,
        construct_id: str,
        suffix: str,
        *,
        retention: Duration,
        visibility_timeout: Duration | None = None,
        dead_letter_queue: sqs.DeadLetterQueue | None = None,
    ) -> sqs.Queue:
        """Under the customer's key when there is one, else SQS-managed keys; TLS only."""
        defaults = self._defaults
        queue = sqs.Queue(
            self,
            construct_id,
            queue_name=defaults.deployment.name(suffix),
            encryption=sqs.QueueEncryption.KMS if defaults.key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=defaults.key,
            enforce_ssl=True,
            retention_period=retention,
            visibility_timeout=visibility_timeout,
            dead_letter_queue=dead_letter_queue,
        )
        if defaults.key is None:
            skip_checks(queue, QUEUE_KEY)
        return queue
