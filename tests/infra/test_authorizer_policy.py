"""One cached authorizer verdict covers every route of the deployed stage, not only the one it was asked for."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

import pytest

from functions.authorizer.handler import handler
from infra.local.gateway import LambdaContext
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
