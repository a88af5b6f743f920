"""One cached authorizer verdict covers every route of the deployed stage, not only the one it was asked for."""

from __future__ import annotations

import io
import json
import logging
import re
from fnmatch import fnmatchcase

import pytest

from functions.authorizer.handler import handler
from infra.constructs.alarms import AUTHORIZER_DENIED_MESSAGE
from infra.local.gateway import LambdaContext
from shared.observability import SERVICE, logger
from shared.routes import ROUTES, Auth, Route
from tests.infra.conftest import Synthesized
from tests.support import new_token

pytestmark = [pytest.mark.infra, pytest.mark.usefixtures("table")]

API = "arn:aws:execute-api:eu-west-1:123456789012:abc123"


def _method_arn(stage: str, route: Route) -> str:
    concrete = re.sub(r"\{\w+\}", "0190f0a2-7c1e-7000-8000-000000000000", route.path)
    return f"{API}/{stage}/{route.method}{concrete}"


def test_a_reviewer_verdict_cached_for_one_route_allows_all_routes_of_the_stage(prod: Synthesized) -> None:
    ((_, stage),) = prod.properties("AWS::ApiGateway::Stage").items()
    first = next(route for route in ROUTES if route.auth is Auth.REVIEWER)
    event = {
        "type": "REQUEST",
        "methodArn": _method_arn(stage["StageName"], first),
        "httpMethod": first.method,
        "resource": first.path,
        "headers": {"Authorization": f"Bearer {new_token('org_acme')}"},
    }

    result = handler(event, LambdaContext(function_name="authorizer"))

    (statement,) = result["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    for route in ROUTES:
        arn = _method_arn(stage["StageName"], route)
        assert any(fnmatchcase(arn, pattern) for pattern in statement["Resource"]), f"{route.name} not covered"


def test_a_refused_credential_is_logged_as_the_metric_filter_behind_the_authorizer_alarm_expects(
    prod: Synthesized,
) -> None:
    (metric_filter,) = prod.properties("AWS::Logs::MetricFilter").values()
    event = {
        "type": "REQUEST",
        "methodArn": f"{API}/prod/GET/v1/issues",
        "resource": "/v1/issues",
        "httpMethod": "GET",
        "headers": {"Authorization": "Bearer nope"},
    }
    lines = io.StringIO()
    capture = logging.StreamHandler(lines)
    capture.setFormatter(logger.registered_formatter)  # the JSON lines the function writes in Lambda
    service_logger = logging.getLogger(SERVICE)
    previous_level = service_logger.level
    service_logger.addHandler(capture)
    service_logger.setLevel(logging.INFO)  # the deployed level; the test session logs at WARNING
    try:
        with pytest.raises(Exception, match=r"^Unauthorized$"):
            handler(event, LambdaContext(function_name="promptster-acme-prod-authorizer"))
    finally:
        service_logger.removeHandler(capture)
        service_logger.setLevel(previous_level)

    (transformation,) = metric_filter["MetricTransformations"]
    assert metric_filter["FilterPattern"] == f'{{ $.message = "{AUTHORIZER_DENIED_MESSAGE}" }}'
    assert transformation["Dimensions"] == [{"Key": "FunctionName", "Value": "$.function_name"}]
    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    expected = {"message": AUTHORIZER_DENIED_MESSAGE, "function_name": "promptster-acme-prod-authorizer"}
    assert any(expected.items() <= record.items() for record in records)
