"""Alarms on what needs a person: API 5xx rate, function errors and throttles, table throttles."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from infra.deployment import Deployment
from shared.observability import metrics

PERIOD = Duration.minutes(5)
# Share of requests answered with a 5xx (API Gateway's 5XXError averages to that rate).
SERVER_ERROR_RATE = 0.05
# The authorizer refuses a credential by raising, which Lambda counts as an error. It also logs
# this message (functions/authorizer/handler.py); a metric filter on its own log group counts them,
# so errors minus refusals are real failures, per deployment.
AUTHORIZER_DENIED_MESSAGE = "Denied"
AUTHORIZER_DENIED_METRIC = "AuthorizerDenied"


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
        authorizer_logs: logs.ILogGroup,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=deployment.name("alarms"),
            display_name=f"Promptster {deployment.customer} {deployment.stage} alarms",
            enforce_ssl=True,
        )
        if deployment.alarm_email:
            subscription = sns.Subscription(
                self,
                "Email",
                topic=self.topic,
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
        self._action = actions.SnsAction(self.topic)
        self._deployment = deployment

        self._alarm(
            "Api5xxRate",
            "api-5xx-rate",
            api.metric_server_error(period=PERIOD, statistic=cloudwatch.Stats.AVERAGE),
            threshold=SERVER_ERROR_RATE,
            description=f"More than {SERVER_ERROR_RATE:.0%} of API requests answered 5xx",
            evaluation_periods=3,
            datapoints_to_alarm=2,
        )
        denied = logs.MetricFilter(
            self,
            "AuthorizerDenied",
            log_group=authorizer_logs,
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", AUTHORIZER_DENIED_MESSAGE),
            metric_namespace=metrics.namespace or "",
            metric_name=AUTHORIZER_DENIED_METRIC,
            metric_value="1",
            # Several customers' stacks may share an account: the function name keeps theirs apart.
            dimensions={"FunctionName": "$.function_name"},
            unit=cloudwatch.Unit.COUNT,
        ).metric(
            dimensions_map={"FunctionName": authorizer.function_name},
            period=PERIOD,
            statistic=cloudwatch.Stats.SUM,
        )
        authorizer_failures = cloudwatch.MathExpression(
            expression="FILL(errors, 0) - FILL(denied, 0)",
            using_metrics={
                "errors": authorizer.metric_errors(period=PERIOD, statistic=cloudwatch.Stats.SUM),
                "denied": denied,
            },
            label="Authorizer failures other than refused credentials",
            period=PERIOD,
        )
        errors: dict[str, cloudwatch.IMetric] = {"authorizer": authorizer_failures}
        errors.update(
            (name, function.metric_errors(period=PERIOD, statistic=cloudwatch.Stats.SUM))
            for name, function in functions.items()
        )
        for name, metric in errors.items():
            self._alarm(
                f"{_pascal(name)}Errors",
                f"{name.replace('_', '-')}-errors",
                metric,
                threshold=1,
                description=f"{name}: invocations failed (unhandled error or timeout)",
            )
        for name, function in {"authorizer": authorizer, **functions}.items():
            self._alarm(
                f"{_pascal(name)}Throttles",
                f"{name.replace('_', '-')}-throttles",
                function.metric_throttles(period=PERIOD, statistic=cloudwatch.Stats.SUM),
                threshold=1,
                description=f"{name}: invocations throttled by the account's concurrency limit",
            )
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
