"""The event pipeline: the table's stream read by one consumer function (domain events, invitations
through SES, webhook deliveries queued), with the records it gives up on kept in an SQS dead-letter queue."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Duration, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.checkov import QUEUE_KEY, skip_checks
from infra.constructs.function import ApiFunction, FunctionDefaults
from infra.constructs.webhooks import WebhookDelivery
from shared.consumer import RETRY_ATTEMPTS
from shared.settings import API_URL_VARIABLE, CLI_PACKAGE_VARIABLE, MAIL_FROM_VARIABLE

CONSUMER_NAME = "stream_consumer"
CONSUMER_HANDLER = "functions.stream_consumer.handler.handler"
# It reads the assessment an invitation names and moves the key's invite status, finds the
# organisation's webhooks an event goes to, and writes the report links of those that ask for one.
CONSUMER_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:UpdateItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    # An erased session's timeline: its events deleted in batches, then its email lookup.
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
)
BATCH_SIZE = 100
# A stream record older than this is dead-lettered rather than delivered: an invitation a day late
# is better reviewed by a person.
MAX_RECORD_AGE = Duration.days(1)
# Sending a batch is up to a hundred SES calls, each a few tens of milliseconds.
CONSUMER_TIMEOUT = Duration.seconds(60)


class EventPipeline(Construct):
    """The consumer function on the table's stream, its dead-letter queue, and what it may touch: the
    stream, six actions on the table, ``ses:SendEmail`` as the configured sender only, and sending to
    the webhook delivery queue."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        table: dynamodb.ITable,
        api_url: str,
        webhooks: WebhookDelivery,
    ) -> None:
        super().__init__(scope, construct_id)
        deployment = defaults.deployment
        self.consumer = ApiFunction(
            self,
            "Consumer",
            defaults=defaults,
            name=CONSUMER_NAME,
            handler=CONSUMER_HANDLER,
            description="The table's stream: domain events, invitation emails and webhook deliveries to queue",
            table_actions=CONSUMER_TABLE_ACTIONS,
            timeout=CONSUMER_TIMEOUT,
            no_dlq_reason="Invoked by its stream's event source mapping, not asynchronously: records it "
            "gives up on go to the mapping's on-failure destination, an SQS queue",
        )
        function = self.consumer.function
        function.add_environment(API_URL_VARIABLE, api_url)
        if deployment.cli_package:
            function.add_environment(CLI_PACKAGE_VARIABLE, deployment.cli_package)
        if deployment.mail_from:
            function.add_environment(MAIL_FROM_VARIABLE, deployment.mail_from)
            self._allow_sending(deployment.mail_from, deployment.mail_domain or "")
        webhooks.allow_enqueueing(self.consumer)
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=deployment.name("stream-dead-letters"),
            encryption=sqs.QueueEncryption.KMS if defaults.key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=defaults.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        if defaults.key is None:
            skip_checks(self.dead_letters, QUEUE_KEY)
        else:
            # Sending a failed record to the queue encrypts it under the customer's key: CDK's grant for
            # that names KMS's data-key action families, on that one key only.
            sends_encrypted = "SQS encrypts what the mapping sends to the dead-letter queue under the customer's key"
            Validations.of(self.consumer.role).acknowledge(
                Acknowledgment(id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", reason=sends_encrypted),
                Acknowledgment(id="AwsSolutions-IAM5[Action::kms:ReEncrypt*]", reason=sends_encrypted),
            )
        dead_end = "This queue is the dead-letter destination of the stream's event source mapping; what "
        Validations.of(self.dead_letters).acknowledge(
            Acknowledgment(id="AwsSolutions-SQS3", reason=dead_end + "lands here waits for a person"),
            Acknowledgment(
                id="Serverless-SQSRedrivePolicy",
                reason=dead_end + "lands here is read by a person, never by a consumer that could fail again",
            ),
        )
        self.consumer.target.add_event_source(
            sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=BATCH_SIZE,
                max_batching_window=Duration.seconds(1),
                report_batch_item_failures=True,
                retry_attempts=RETRY_ATTEMPTS,
                max_record_age=MAX_RECORD_AGE,
                on_failure=sources.SqsDlq(self.dead_letters),
            )
        )
        Validations.of(self.consumer.role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Wildcard resources for X-Ray's PutTraceSegments and PutTelemetryRecords (active "
                "tracing) and DynamoDB's ListStreams (the event source mapping), which have no "
                "resource-level permissions",
            )
        )

    def _allow_sending(self, address: str, domain: str) -> None:
        stack = Stack.of(self)
        identities = [
            stack.format_arn(service="ses", resource="identity", resource_name=name) for name in (address, domain)
        ]
        self.consumer.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=identities,
                # The From address too: a verified domain must not let this role send as anyone there.
                conditions={"StringEquals": {"ses:FromAddress": address}},
            )
        )
