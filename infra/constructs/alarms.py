"""Alarms on what needs a person: API 5xx rate, function errors and throttles, latency, table throttles,
requests refused for a dependency's outage, the event pipeline falling behind or giving up on records,
webhook deliveries given up or stuck, and the reminder job failing.

A stack holds at most 500 resources (CloudFormation's limit), and with SnapStart each function takes
seven: so a function's errors and throttles are one alarm, and the functions' durations are watched ten
to an alarm (the most metrics one alarm's math may read), rather than three alarms a function."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.checkov import TOPIC_KEY, skip_checks
from infra.deployment import Deployment
from shared.observability import AUTHORIZATION_DENIED, DEPENDENCY_UNAVAILABLE, NAMESPACE, metric_dimensions
from shared.webhooks.schedule import RETRY_DELAYS_SECONDS

PERIOD = Duration.minutes(5)
# Share of requests answered with a 5xx (API Gateway's 5XXError averages to that rate).
SERVER_ERROR_RATE = 0.05
# A few requests meeting a timeout or throttle happen; this many in one period is an outage or a hot key.
DEPENDENCY_UNAVAILABLE_REQUESTS = 5
# A warm request is a few DynamoDB round trips (tens of milliseconds): a p90 above this, held for
# three periods in a row, is a slow dependency or a regression, not noise.
LATENCY_P90 = Duration.seconds(1)
LATENCY_PERIODS = 3
# The most metrics an alarm's metric math may read (CloudWatch's hard limit).
METRICS_PER_ALARM = 10
# The oldest stream record the consumer is still working on: past this, invitations are late.
ITERATOR_AGE = Duration.minutes(10)
# A delivery being retried stays in its queue for the whole schedule (about a day) before it is
# dead-lettered; one older than that plus a margin was never received at all: nothing drains the queue,
# and its deliveries expire unseen when the queue's retention runs out. (A lower threshold would fire
# on deliveries merely backing off.)
OLDEST_DELIVERY_AGE = Duration.seconds(sum(RETRY_DELAYS_SECONDS)).plus(Duration.hours(2))


def emitted_metric(deployment: Deployment, name: str) -> cloudwatch.Metric:
    """A business metric as this deployment's functions emit it (shared/observability.py's dimensions)."""
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map=metric_dimensions(deployment.customer, deployment.stage),
        period=PERIOD,
        statistic=cloudwatch.Stats.SUM,
    )


class Alarms(Construct):
    """Every alarm notifies one SNS topic; an operator's email subscribes to it when ``alarmEmail`` is given."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        authorizer: lambda_.IFunction,
        table: dynamodb.ITable,
        consumer: lambda_.IFunction,
        dead_letters: sqs.IQueue,
        delivery: lambda_.IFunction,
        delivery_queue: sqs.IQueue,
        delivery_dead_letters: sqs.IQueue,
        reminders: lambda_.IFunction,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._deployment = deployment
        self.topic = self._topic(key)
        self._action = actions.SnsAction(self.topic)
        every_function = {"authorizer": authorizer, **functions}
        self._api_alarms(api)
        self._error_alarms(functions, authorizer)
        self._latency_alarms(every_function)
        self._table_alarms(table)
        self._dependency_alarm()
        self._pipeline_alarms(consumer, dead_letters)
        self._webhook_alarms(delivery, delivery_queue, delivery_dead_letters)
        self._background_alarms("send_reminders", reminders)

    def _topic(self, key: kms.IKey | None) -> sns.Topic:
        """Encrypted under the customer's key if given. Not under SNS's AWS-managed key otherwise: its
        policy cannot admit CloudWatch, whose alarm notifications it would then drop."""
        deployment = self._deployment
        topic = sns.Topic(
            self,
            "Topic",
            topic_name=deployment.name("alarms"),
            display_name=f"Promptster {deployment.customer} {deployment.stage} alarms",
            enforce_ssl=True,
            master_key=key,
        )
        if key is None:
            skip_checks(topic, TOPIC_KEY)
        if deployment.alarm_email:
            subscription = sns.Subscription(
                self,
                "Email",
                topic=topic,
                protocol=sns.SubscriptionProtocol.EMAIL,
                endpoint=deployment.alarm_email,
            )
            Validations.of(subscription).acknowledge(
                Acknowledgment(
                    id="Serverless-SNSRedrivePolicy",
                    reason="An email subscription to alarm notifications; the alarm state stays in CloudWatch "
                    "if a delivery fails, so there is nothing to redrive",
                )
            )
        return topic

    def _api_alarms(self, api: apigw.RestApi) -> None:
        self._alarm(
            "Api5xxRate",
            "api-5xx-rate",
            api.metric_server_error(period=PERIOD, statistic=cloudwatch.Stats.AVERAGE),
            threshold=SERVER_ERROR_RATE,
            description=f"More than {SERVER_ERROR_RATE:.0%} of API requests answered 5xx",
            evaluation_periods=3,
            datapoints_to_alarm=2,
        )

    def _error_alarms(self, functions: Mapping[str, lambda_.IFunction], authorizer: lambda_.IFunction) -> None:
        # The authorizer refuses a credential by raising, which Lambda counts as an error; it counts
        # each refusal in its own metric, so errors minus refusals are real failures.
        self._failure_alarm(
            "authorizer",
            authorizer,
            "invocations failed (unhandled error or timeout, refused credentials left out) or were throttled",
            denied=emitted_metric(self._deployment, AUTHORIZATION_DENIED),
        )
        for name, function in functions.items():
            self._failure_alarm(name, function, "invocations failed (unhandled error or timeout) or were throttled")

    def _failure_alarm(
        self, name: str, function: lambda_.IFunction, what: str, denied: cloudwatch.IMetric | None = None
    ) -> None:
        """One alarm a function: its invocations that failed, or that its concurrency limit turned away."""
        using: dict[str, cloudwatch.IMetric] = {
            "errors": function.metric_errors(period=PERIOD, statistic=cloudwatch.Stats.SUM),
            "throttles": function.metric_throttles(period=PERIOD, statistic=cloudwatch.Stats.SUM),
        }
        expression = "FILL(errors, 0) + FILL(throttles, 0)"
        if denied is not None:
            using["denied"] = denied
            expression += " - FILL(denied, 0)"
        self._alarm(
            f"{_pascal(name)}Errors",
            f"{_kebab(name)}-errors",
            cloudwatch.MathExpression(
                expression=expression, using_metrics=using, label=f"{name} failures", period=PERIOD
            ),
            threshold=1,
            description=f"{name}: {what}",
        )

    def _latency_alarms(self, functions: Mapping[str, lambda_.IFunction]) -> None:
        """The 90th percentile duration of each function, watched ten functions to an alarm (in name order):
        the alarm's description names the functions, their own Duration metrics say which one is slow."""
        names = sorted(functions)
        for number, start in enumerate(range(0, len(names), METRICS_PER_ALARM), start=1):
            group = names[start : start + METRICS_PER_ALARM]
            using = {
                f"p{index}": functions[name].metric_duration(period=PERIOD, statistic=cloudwatch.Stats.p(90))
                for index, name in enumerate(group)
            }
            self._alarm(
                f"LatencyP90Group{number}",
                f"latency-p90-{number}",
                cloudwatch.MathExpression(
                    expression=f"MAX([{', '.join(using)}])", using_metrics=using, label="p90 duration", period=PERIOD
                ),
                threshold=LATENCY_P90.to_milliseconds(),
                description=f"90th percentile duration above {LATENCY_P90.to_milliseconds()} ms for {LATENCY_PERIODS} "
                f"periods of {PERIOD.to_minutes()} minutes, of one of: {', '.join(group)}",
                evaluation_periods=LATENCY_PERIODS,
                datapoints_to_alarm=LATENCY_PERIODS,
            )

    def _table_alarms(self, table: dynamodb.ITable) -> None:
        self._alarm(
            "TableThrottles",
            "table-throttles",
            cloudwatch.MathExpression(
                expression="FILL(reads, 0) + FILL(writes, 0)",
                using_metrics={
                    "reads": table.metric("ReadThrottleEvents", period=PERIOD, statistic=cloudwatch.Stats.SUM),
                    "writes": table.metric("WriteThrottleEvents", period=PERIOD, statistic=cloudwatch.Stats.SUM),
                },
                label="Throttled reads and writes",
                period=PERIOD,
            ),
            threshold=1,
            description="DynamoDB throttled reads or writes on the table",
        )

    def _dependency_alarm(self) -> None:
        self._alarm(
            "DependencyUnavailable",
            "dependency-unavailable",
            emitted_metric(self._deployment, DEPENDENCY_UNAVAILABLE),
            threshold=DEPENDENCY_UNAVAILABLE_REQUESTS,
            description=f"{DEPENDENCY_UNAVAILABLE_REQUESTS} or more requests in {PERIOD.to_minutes()} minutes "
            "answered 503 because DynamoDB or SQS timed out or throttled after retries",
        )

    def _pipeline_alarms(self, consumer: lambda_.IFunction, dead_letters: sqs.IQueue) -> None:
        self._background_alarms("stream_consumer", consumer)
        self._dead_letter_alarm(
            "Stream",
            dead_letters,
            "Stream records the consumer gave up on (their invitations were not sent) wait in the dead-letter queue",
        )
        self._alarm(
            "StreamIteratorAge",
            "stream-iterator-age",
            consumer.metric("IteratorAge", period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
            threshold=ITERATOR_AGE.to_milliseconds(),
            description=f"stream_consumer: stream records waited more than {ITERATOR_AGE.to_minutes()} minutes",
        )

    def _webhook_alarms(self, delivery: lambda_.IFunction, queue: sqs.IQueue, dead_letters: sqs.IQueue) -> None:
        # A failed delivery is no error (it is reported and retried): errors are crashes and timeouts.
        self._background_alarms("webhook_delivery", delivery)
        self._dead_letter_alarm(
            "Webhook",
            dead_letters,
            "Webhook deliveries that failed every attempt for about a day wait in the dead-letter queue",
        )
        self._alarm(
            "WebhookQueueStalled",
            "webhook-queue-stalled",
            queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
            threshold=OLDEST_DELIVERY_AGE.to_seconds(),
            description=f"A webhook delivery has waited over {OLDEST_DELIVERY_AGE.to_hours(integral=False):.1f} "
            "hours, longer than all its retries take: the queue is not being drained",
        )

    def _background_alarms(self, name: str, function: lambda_.IFunction) -> None:
        """A function no caller waits on: its crashes and timeouts, and its throttles."""
        self._failure_alarm(
            name, function, "an invocation failed as a whole (unhandled error or timeout) or was throttled"
        )

    def _dead_letter_alarm(self, queue_prefix: str, dead_letters: sqs.IQueue, given_up: str) -> None:
        """What a background function gave up on, waiting in its dead-letter queue for a person."""
        self._alarm(
            f"{queue_prefix}DeadLetters",
            f"{queue_prefix.lower()}-dead-letters",
            dead_letters.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=1,
            description=given_up,
        )

    def _alarm(
        self,
        construct_id: str,
        suffix: str,
        metric: cloudwatch.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int = 1,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=self._deployment.name(suffix),
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            # No traffic is not a failure.
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)


def _pascal(name: str) -> str:
    return name.title().replace("_", "")


def _kebab(name: str) -> str:
    return name.replace("_", "-")
