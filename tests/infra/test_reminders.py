"""The reminder job as deployed: a function no route serves, run every hour by an EventBridge schedule,
that may query the table's indexes and update keys (no mail: the consumer sends), with alarms."""

from __future__ import annotations

import pytest

from infra.constructs.reminders import REMINDERS_HANDLER, REMINDERS_TABLE_ACTIONS
from shared.routes import ROUTES
from shared.store.schema import SECOND_INDEX
from tests.infra.conftest import Synthesized, statement_actions

pytestmark = pytest.mark.infra


def test_the_job_runs_every_hour_on_a_schedule_that_invokes_it_alone(prod: Synthesized) -> None:
    logical_id, _ = prod.function(REMINDERS_HANDLER)
    (rule,) = prod.properties("AWS::Events::Rule").values()
    (permission,) = [
        props
        for props in prod.properties("AWS::Lambda::Permission").values()
        if props["Principal"] == "events.amazonaws.com"
    ]

    assert rule["ScheduleExpression"] == "rate(1 hour)"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 3600
    assert permission["FunctionName"] == {"Fn::GetAtt": [logical_id, "Arn"]}
    assert REMINDERS_HANDLER not in {route.handler for route in ROUTES}


def test_the_job_may_query_the_reminders_index_and_update_keys_and_send_nothing(prod: Synthesized) -> None:
    statements = prod.role_statements(REMINDERS_HANDLER)
    granted = set().union(*(statement_actions(statement) for statement in statements))

    table_statements = [statement for statement in statements if "dynamodb:Query" in statement_actions(statement)]
    (table_statement,) = table_statements
    assert statement_actions(table_statement) == set(REMINDERS_TABLE_ACTIONS)
    assert f"/index/{SECOND_INDEX}" in [resource["Fn::Join"][1][-1] for resource in table_statement["Resource"][1:]]
    assert not any(action.startswith(("ses:", "sqs:")) for action in granted)


def test_the_table_has_the_sparse_second_index_the_reminders_and_the_audit_log_read(prod: Synthesized) -> None:
    (table,) = prod.properties("AWS::DynamoDB::Table").values()

    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert indexes[SECOND_INDEX]["KeySchema"] == [
        {"AttributeName": "GSI2PK", "KeyType": "HASH"},
        {"AttributeName": "GSI2SK", "KeyType": "RANGE"},
    ]
    assert indexes[SECOND_INDEX]["Projection"] == {"ProjectionType": "ALL"}


def test_the_jobs_failures_and_throttles_alarm_into_the_topic(prod: Synthesized) -> None:
    alarms = {props["AlarmName"]: props for props in prod.properties("AWS::CloudWatch::Alarm").values()}

    failures = alarms["promptster-acme-prod-send-reminders-errors"]
    watched = {m["MetricStat"]["Metric"]["MetricName"] for m in failures["Metrics"] if "MetricStat" in m}
    assert watched == {"Errors", "Throttles"}
    (topic,) = prod.resources("AWS::SNS::Topic")
    assert failures["AlarmActions"] == [{"Ref": topic}]
