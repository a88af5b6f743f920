"""The event pipeline as deployed: the table's stream, the consumer on it with partial batch responses and
a dead-letter queue, a role that may do only what invitations need, and alarms when it falls behind."""

from __future__ import annotations

from typing import Any

import pytest

from infra.app import MAIL_NOT_CONFIGURED_NOTE
from infra.constructs.events import CONSUMER_HANDLER, CONSUMER_TABLE_ACTIONS
from shared.consumer import RETRY_ATTEMPTS
from shared.settings import API_URL_VARIABLE, CLI_PACKAGE_VARIABLE, MAIL_FROM_VARIABLE
from shared.store.schema import INDEXES, STREAM_VIEW_TYPE
from tests.infra.conftest import CLI_PACKAGE, Synthesized, statement_actions

pytestmark = pytest.mark.infra

STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
QUEUE_SEND = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
# ListStreams has no resource-level permission: the event source mapping needs it on "*".
UNSCOPED = {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams"}


def _consumer(stack: Synthesized) -> tuple[str, dict[str, Any]]:
    return stack.function(CONSUMER_HANDLER)


def _statements(stack: Synthesized) -> list[dict[str, Any]]:
    """Every statement of the consumer's role."""
    return stack.role_statements(CONSUMER_HANDLER)


def _ses_resources(statement: dict[str, Any]) -> list[str]:
    return [resource["Fn::Join"][1][-1] for resource in statement["Resource"]]


def _single(stack: Synthesized, resource_type: str) -> str:
    (logical_id,) = stack.resources(resource_type)
    return logical_id


def _queue(stack: Synthesized, suffix: str) -> str:
    """The queue named ``<prefix>-<suffix>``."""
    (logical_id,) = [
        logical_id
        for logical_id, props in stack.properties("AWS::SQS::Queue").items()
        if props["QueueName"].endswith(f"-{suffix}")
    ]
    return logical_id


@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_the_table_streams_new_and_old_images(prod: Synthesized, dev: Synthesized, stage: str) -> None:
    (table,) = (prod if stage == "prod" else dev).properties("AWS::DynamoDB::Table").values()

    assert table["StreamSpecification"] == {"StreamViewType": STREAM_VIEW_TYPE}
    assert STREAM_VIEW_TYPE == "NEW_AND_OLD_IMAGES"


def test_the_consumer_reads_the_stream_reporting_failed_records_and_dead_letters_what_it_gives_up(
    prod: Synthesized,
) -> None:
    consumer, _ = _consumer(prod)
    table = _single(prod, "AWS::DynamoDB::Table")
    queue = _queue(prod, "stream-dead-letters")

    (mapping,) = [
        mapping
        for mapping in prod.properties("AWS::Lambda::EventSourceMapping").values()
        if mapping["FunctionName"] == {"Ref": consumer}
    ]

    assert mapping["FunctionName"] == {"Ref": consumer}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table, "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["MaximumRetryAttempts"] == RETRY_ATTEMPTS
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}}
    assert prod.properties("AWS::SQS::Queue")[queue]["SqsManagedSseEnabled"] is True


def test_the_consumer_is_no_route_of_the_api(prod: Synthesized) -> None:
    consumer, _ = _consumer(prod)

    for permission in prod.properties("AWS::Lambda::Permission").values():
        assert permission["FunctionName"] != {"Fn::GetAtt": [consumer, "Arn"]}


def test_the_consumer_may_read_the_stream_use_the_table_send_as_the_configured_sender_and_queue_only(
    prod: Synthesized,
) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")
    _, function = _consumer(prod)
    named = [
        ("table", {"Fn::GetAtt": [table, "Arn"]}),
        *((index, {"Fn::Join": ["", [{"Fn::GetAtt": [table, "Arn"]}, f"/index/{index}"]]}) for index in INDEXES),
        ("stream", {"Fn::GetAtt": [table, "StreamArn"]}),
        ("dead letters", {"Fn::GetAtt": [_queue(prod, "stream-dead-letters"), "Arn"]}),
        ("webhook deliveries", {"Fn::GetAtt": [_queue(prod, "webhook-deliveries"), "Arn"]}),
        ("logs", {"Fn::GetAtt": [function["LoggingConfig"]["LogGroup"]["Ref"], "Arn"]}),
    ]
    by_resource: dict[str, set[str]] = {}

    for statement in _statements(prod):
        assert statement["Effect"] == "Allow"
        actions = statement_actions(statement)
        if "ses:SendEmail" in actions:
            assert actions == {"ses:SendEmail"}
            assert sorted(_ses_resources(statement)) == [":identity/acme.com", ":identity/hiring@acme.com"]
            assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": "hiring@acme.com"}}
            by_resource["ses"] = actions
        elif statement["Resource"] == "*":
            assert actions <= UNSCOPED
        else:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                (name,) = [name for name, arn in named if arn == resource]
                by_resource[name] = actions

    assert by_resource == {
        "ses": {"ses:SendEmail"},
        "table": set(CONSUMER_TABLE_ACTIONS),
        **{index: set(CONSUMER_TABLE_ACTIONS) for index in INDEXES},
        "stream": STREAM_READ,
        "dead letters": QUEUE_SEND,
        "webhook deliveries": QUEUE_SEND,
        "logs": LOG_ACTIONS,
    }


def test_no_other_function_may_send_mail_or_read_the_stream(prod: Synthesized) -> None:
    consumer_statements = _statements(prod)

    for policy in prod.properties("AWS::IAM::Policy").values():
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement in consumer_statements:
                continue
            assert not {action for action in statement_actions(statement) if action.startswith("ses:")}
            assert not statement_actions(statement) & (STREAM_READ | {"dynamodb:ListStreams"})


def test_the_consumer_is_told_the_sender_and_the_apis_url(prod: Synthesized) -> None:
    _, function = _consumer(prod)
    variables = function["Environment"]["Variables"]
    rest_api = _single(prod, "AWS::ApiGateway::RestApi")

    assert variables[MAIL_FROM_VARIABLE] == "hiring@acme.com"
    assert {"Ref": rest_api} in variables[API_URL_VARIABLE]["Fn::Join"][1]
    assert variables[CLI_PACKAGE_VARIABLE] == CLI_PACKAGE


def test_without_a_cli_package_the_consumer_names_the_default_one(dev: Synthesized) -> None:
    _, function = _consumer(dev)

    assert CLI_PACKAGE_VARIABLE not in function["Environment"]["Variables"]


def test_without_a_sender_the_stack_still_synthesizes_may_send_nothing_and_says_so(dev: Synthesized) -> None:
    _, function = _consumer(dev)

    assert MAIL_FROM_VARIABLE not in function["Environment"]["Variables"]
    assert not [statement for statement in _statements(dev) if "ses:SendEmail" in statement_actions(statement)]
    assert MAIL_NOT_CONFIGURED_NOTE in dev.output


def test_dead_letters_and_a_lagging_stream_alarm_into_the_topic(prod: Synthesized) -> None:
    topic = _single(prod, "AWS::SNS::Topic")
    queue = _queue(prod, "stream-dead-letters")
    consumer, _ = _consumer(prod)
    alarms = {props["AlarmName"]: props for props in prod.properties("AWS::CloudWatch::Alarm").values()}

    dead_letters = alarms["promptster-acme-prod-stream-dead-letters"]
    assert (dead_letters["Namespace"], dead_letters["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dead_letters["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    assert dead_letters["Threshold"] == 1
    lagging = alarms["promptster-acme-prod-stream-iterator-age"]
    assert (lagging["Namespace"], lagging["MetricName"]) == ("AWS/Lambda", "IteratorAge")
    assert lagging["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": consumer}}]
    for alarm in (dead_letters, lagging, alarms["promptster-acme-prod-stream-consumer-errors"]):
        assert alarm["AlarmActions"] == [{"Ref": topic}]
