"""Each deployment's metrics are its own: emitted with its customer and stage, as its alarms read them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from infra.paths import REPO_ROOT
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# A request for no route is refused before any store is built: no table is needed.
REFUSE_ONE_CREDENTIAL = """
from types import SimpleNamespace
from functions.authorizer.handler import handler
context = SimpleNamespace(function_name="authorizer", memory_limit_in_mb=128, aws_request_id="r-1",
                          invoked_function_arn="arn:aws:lambda:eu-west-1:123456789012:function:authorizer")
try:
    handler({"type": "REQUEST", "httpMethod": "GET", "resource": "/nowhere", "headers": {}}, context)
except Exception as refused:
    assert str(refused) == "Unauthorized", refused
"""


def _authorizer(stack: Synthesized) -> dict[str, Any]:
    (props,) = [p for p in stack.properties("AWS::Lambda::Function").values() if "authorizer" in p["Handler"]]
    return props


def _emitted_metrics(variables: dict[str, str]) -> list[dict[str, Any]]:
    """The EMF records the authorizer writes when it refuses a credential, run with the deployed variables."""
    result = subprocess.run(
        [sys.executable, "-c", REFUSE_ONE_CREDENTIAL],
        cwd=REPO_ROOT,
        env={"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "eu-west-1", **variables},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [record for record in records if "_aws" in record]


def test_the_authorizer_alarm_reads_the_refusals_the_authorizer_emits_for_its_deployment(prod: Synthesized) -> None:
    variables = {
        key: value for key, value in _authorizer(prod)["Environment"]["Variables"].items() if isinstance(value, str)
    }
    (alarm,) = [
        a for a in prod.properties("AWS::CloudWatch::Alarm").values() if a["AlarmName"].endswith("authorizer-errors")
    ]
    (denied,) = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if m["Id"] == "denied"]

    (record,) = _emitted_metrics(variables)

    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == denied["Namespace"]
    assert [metric["Name"] for metric in directive["Metrics"]] == [denied["MetricName"]]
    assert record[denied["MetricName"]] == [1.0]
    (dimension_names,) = directive["Dimensions"]
    assert {name: record[name] for name in dimension_names} == {d["Name"]: d["Value"] for d in denied["Dimensions"]}
    assert {record["customer"], record["stage"]} == {"acme", "prod"}
