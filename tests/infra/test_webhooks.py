"""Webhook delivery as deployed: a queue that keeps a delivery for its whole retry schedule and then
dead-letters it, a delivery function that may touch webhook items only, the functions allowed to queue
deliveries (and no others), and alarms when deliveries are given up or stuck."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from infra.app import cdk_json_context
from infra.constructs.events import CONSUMER_HANDLER
from infra.constructs.webhooks import DELIVERY_HANDLER, DELIVERY_TABLE_ACTIONS
from infra.deployment import Deployment
from infra.stack import AssessmentsStack
from shared.routes import ROUTES, Route
from shared.settings import ASHBY_API_URL_VARIABLE, WEBHOOK_QUEUE_VARIABLE
from shared.webhooks.schedule import (
    DELIVERY_BATCH_SIZE,
    DELIVERY_TIMEOUT_SECONDS,
    MAX_ATTEMPTS,
    RETRY_DELAYS_SECONDS,
)
from tests.infra.conftest import DEV_CONTEXT, Synthesized, statement_actions

pytestmark = pytest.mark.infra

QUEUE_NAME = "promptster-acme-prod-webhook-deliveries"
DEAD_LETTERS_NAME = "promptster-acme-prod-webhook-dead-letters"
# What SQS allows: a message hidden at most 12 hours, kept at most 14 days.
MAX_VISIBILITY_SECONDS = 12 * 3600
MAX_RETENTION_SECONDS = 14 * 24 * 3600
# What the event source mapping needs to receive and settle messages.
CONSUME = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
}
SEND = {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _queue(stack: Synthesized, name: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (logical_id, props)
        for logical_id, props in stack.properties("AWS::SQS::Queue").items()
        if props["QueueName"] == name
    ]
    return found


def _resources(statement: dict[str, Any]) -> list[Any]:
    resources = statement["Resource"]
    return resources if isinstance(resources, list) else [resources]


def _arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def _single(stack: Synthesized, resource_type: str) -> str:
    (logical_id,) = stack.resources(resource_type)
    return logical_id


# The queue and its schedule


def test_the_schedule_fits_what_sqs_allows() -> None:
    assert list(RETRY_DELAYS_SECONDS) == sorted(RETRY_DELAYS_SECONDS)  # growing
    assert max(RETRY_DELAYS_SECONDS) < MAX_VISIBILITY_SECONDS
    assert 20 * 3600 < sum(RETRY_DELAYS_SECONDS) < 26 * 3600  # about a day


def test_the_delivery_queue_dead_letters_a_message_received_once_more_than_its_attempts(prod: Synthesized) -> None:
    dead_letters, _ = _queue(prod, DEAD_LETTERS_NAME)
    _, queue = _queue(prod, QUEUE_NAME)

    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": _arn(dead_letters), "maxReceiveCount": MAX_ATTEMPTS}


def test_the_queue_keeps_a_delivery_for_its_whole_schedule_and_the_dead_letters_longer(prod: Synthesized) -> None:
    _, queue = _queue(prod, QUEUE_NAME)
    _, dead_letters = _queue(prod, DEAD_LETTERS_NAME)
    _, delivery = prod.function(DELIVERY_HANDLER)

    assert queue["VisibilityTimeout"] >= 6 * delivery["Timeout"]  # AWS's advice for an SQS event source
    assert queue["MessageRetentionPeriod"] >= sum(RETRY_DELAYS_SECONDS) + queue["VisibilityTimeout"]
    # A dead letter keeps its first enqueue time: its retention must outlast the queue's.
    assert dead_letters["MessageRetentionPeriod"] == MAX_RETENTION_SECONDS > queue["MessageRetentionPeriod"]
    assert "RedrivePolicy" not in dead_letters


def test_both_queues_are_encrypted_and_refuse_plain_http(prod: Synthesized) -> None:
    policies = prod.properties("AWS::SQS::QueuePolicy").values()

    for name in (QUEUE_NAME, DEAD_LETTERS_NAME):
        logical_id, queue = _queue(prod, name)
        assert queue["SqsManagedSseEnabled"] is True
        (policy,) = [policy for policy in policies if policy["Queues"] == [{"Ref": logical_id}]]
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})


# The delivery function


def test_the_queue_invokes_the_delivery_function_in_batches_reporting_each_failed_message(prod: Synthesized) -> None:
    queue, _ = _queue(prod, QUEUE_NAME)
    delivery, props = prod.function(DELIVERY_HANDLER)

    (mapping,) = [
        mapping
        for mapping in prod.properties("AWS::Lambda::EventSourceMapping").values()
        if mapping["EventSourceArn"] == _arn(queue)
    ]

    assert mapping["FunctionName"] == {"Ref": delivery}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == DELIVERY_BATCH_SIZE
    # Never more invocations than the function may run: a throttled batch would spend an attempt.
    assert mapping["ScalingConfig"]["MaximumConcurrency"] <= props["ReservedConcurrentExecutions"]
    # Every delivery of a batch, one after the other, may take its whole timeout.
    assert props["Timeout"] >= DELIVERY_BATCH_SIZE * DELIVERY_TIMEOUT_SECONDS


def test_the_delivery_function_is_no_route_and_is_told_the_table_but_not_the_queue(prod: Synthesized) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")
    delivery, props = prod.function(DELIVERY_HANDLER)

    for permission in prod.properties("AWS::Lambda::Permission").values():
        assert permission["FunctionName"] != _arn(delivery)
    assert props["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": table}
    assert WEBHOOK_QUEUE_VARIABLE not in props["Environment"]["Variables"]  # it reads its queue from the event


def test_the_delivery_role_may_touch_webhook_and_integration_items_decrypt_and_settle_its_own_queue_only(
    prod: Synthesized,
) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")
    queue, _ = _queue(prod, QUEUE_NAME)
    secrets_key = _single(prod, "AWS::KMS::Key")
    _, function = prod.function(DELIVERY_HANDLER)
    by_resource: dict[str, set[str]] = {}

    for statement in prod.role_statements(DELIVERY_HANDLER):
        assert statement["Effect"] == "Allow"
        actions = statement_actions(statement)
        (resource,) = _resources(statement)
        if resource == "*":
            assert actions <= XRAY_ACTIONS
        elif resource == _arn(table):
            # A webhook's or an integration's partition, with its log; never a credential's hash item.
            partitions = ["WEBHOOK#*", "INTEGRATION#*"]
            assert statement["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": partitions}}
            by_resource["table"] = actions
        elif resource == _arn(queue):
            by_resource["queue"] = actions
        elif resource == _arn(secrets_key):
            by_resource["secrets key"] = actions  # the key an ATS takes, decrypted for each call
        else:
            assert resource == _arn(function["LoggingConfig"]["LogGroup"]["Ref"])
            assert actions == LOG_ACTIONS

    assert by_resource == {"table": set(DELIVERY_TABLE_ACTIONS), "queue": CONSUME, "secrets key": {"kms:Decrypt"}}
    assert function["Environment"]["Variables"][ASHBY_API_URL_VARIABLE] == "https://api.ashbyhq.com"
    assert set(DELIVERY_TABLE_ACTIONS) == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}


# Who may queue deliveries


def _enqueuers(resources: Mapping[str, Any]) -> dict[str, set[str]]:
    """Handler -> how it may queue deliveries: ``told`` (the queue's URL in its environment), ``sends``
    (``sqs:SendMessage`` on the delivery queue); only functions with either are listed."""
    (queue,) = [
        logical_id
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::SQS::Queue" and resource["Properties"]["QueueName"].endswith("-webhook-deliveries")
    ]
    functions = {
        logical_id: resource["Properties"]
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    handler_of_role = {props["Role"]["Fn::GetAtt"][0]: props["Handler"] for props in functions.values()}
    found: dict[str, set[str]] = {}
    for props in functions.values():
        if props["Environment"]["Variables"].get(WEBHOOK_QUEUE_VARIABLE) == {"Ref": queue}:
            found.setdefault(props["Handler"], set()).add("told")
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        (role,) = resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if "sqs:SendMessage" in statement_actions(statement) and _arn(queue) in _resources(statement):
                found.setdefault(handler_of_role[role["Ref"]], set()).add("sends")
    return found


def test_the_consumer_and_the_routes_that_queue_deliveries_are_told_the_queue_and_may_send_nothing_else(
    prod: Synthesized,
) -> None:
    enqueuing = [route.handler for route in ROUTES if route.enqueues_webhooks]

    assert _enqueuers(prod.every_resource) == {handler: {"told", "sends"} for handler in [CONSUMER_HANDLER, *enqueuing]}


def test_a_route_flagged_as_queueing_deliveries_is_told_the_queue_and_may_send_to_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    flagged = next(route for route in ROUTES if route.table_actions and not route.enqueues_webhooks)
    routes: tuple[Route, ...] = tuple(
        route._replace(enqueues_webhooks=True) if route == flagged else route for route in ROUTES
    )
    monkeypatch.setattr("infra.stack.ROUTES", routes)
    app = App(context={**cdk_json_context(), **DEV_CONTEXT}, outdir=str(tmp_path))
    deployment = Deployment.from_context(app.node.try_get_context)

    stack = AssessmentsStack(app, deployment.stack_name, deployment=deployment)

    enqueuers = _enqueuers(Template.from_stack(stack).to_json()["Resources"])
    expected = [CONSUMER_HANDLER, *(route.handler for route in routes if route.enqueues_webhooks)]
    assert flagged.handler in expected
    assert enqueuers == {handler: {"told", "sends"} for handler in expected}


def test_the_consumer_may_find_an_organisations_webhooks(prod: Synthesized) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")

    queries = [
        statement
        for statement in prod.role_statements(CONSUMER_HANDLER)
        if "dynamodb:Query" in statement_actions(statement)
    ]

    (statement,) = queries
    table_arn, *index_arns = _resources(statement)
    assert table_arn == _arn(table)
    assert "/index/GSI1" in [index_arn["Fn::Join"][1][-1] for index_arn in index_arns]


# Alarms


def test_dead_letters_a_stalled_queue_and_failing_deliveries_alarm_into_the_topic(prod: Synthesized) -> None:
    topic = _single(prod, "AWS::SNS::Topic")
    queue, queue_props = _queue(prod, QUEUE_NAME)
    dead_letters, _ = _queue(prod, DEAD_LETTERS_NAME)
    delivery, _ = prod.function(DELIVERY_HANDLER)
    alarms = {props["AlarmName"]: props for props in prod.properties("AWS::CloudWatch::Alarm").values()}

    dead = alarms["promptster-acme-prod-webhook-dead-letters"]
    assert (dead["Namespace"], dead["MetricName"], dead["Threshold"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        1,
    )
    assert dead["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letters, "QueueName"]}}]
    stalled = alarms["promptster-acme-prod-webhook-queue-stalled"]
    assert (stalled["Namespace"], stalled["MetricName"]) == ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert stalled["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    # Deliveries merely backing off never trip it; stuck ones do, well before the queue lets them expire.
    last_wait = queue_props["VisibilityTimeout"]
    assert sum(RETRY_DELAYS_SECONDS) + last_wait < stalled["Threshold"] < queue_props["MessageRetentionPeriod"] / 2
    failures = alarms["promptster-acme-prod-webhook-delivery-errors"]
    assert {m["Id"] for m in failures["Metrics"] if "MetricStat" in m} == {"errors", "throttles"}
    for metric in failures["Metrics"]:
        if "MetricStat" in metric:
            dimensions = metric["MetricStat"]["Metric"]["Dimensions"]
            assert dimensions == [{"Name": "FunctionName", "Value": {"Ref": delivery}}]
    for name in (
        "promptster-acme-prod-webhook-dead-letters",
        "promptster-acme-prod-webhook-queue-stalled",
        "promptster-acme-prod-webhook-delivery-errors",
    ):
        assert alarms[name]["AlarmActions"] == [{"Ref": topic}]
