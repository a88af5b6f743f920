"""``-c corsOrigins=…``: API Gateway answers every path's preflight itself, and the functions know the origins."""

from __future__ import annotations

import pytest

from infra.app import build_app, cdk_json_context
from shared import cors
from shared.routes import ROUTES
from tests.infra.conftest import DEV_CONTEXT, Synthesized
from tests.infra.test_stack import _resource_path

ORIGINS = ("https://app.acme.com", "https://admin.acme.com")


@pytest.fixture(scope="module")
def with_cors(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The dev stack with two origins; synthesis fails on any unacknowledged cdk-nag finding."""
    outdir = tmp_path_factory.mktemp("cdk-cors")
    context = {**cdk_json_context(), **DEV_CONTEXT, "corsOrigins": ",".join(ORIGINS)}
    (stack,) = build_app(context, outdir=str(outdir)).synth().stacks
    return Synthesized(stack.stack_name, stack.template, outdir, 0.0)


def test_every_path_has_a_preflight_answered_by_api_gateway_without_the_authorizer(with_cors: Synthesized) -> None:
    methods = with_cors.properties("AWS::ApiGateway::Method").values()
    preflights = {
        _resource_path(with_cors, method["ResourceId"]): method
        for method in methods
        if method["HttpMethod"] == "OPTIONS"
    }

    assert set(preflights) == {route.path for route in ROUTES}
    for path, method in preflights.items():
        assert method["AuthorizationType"] == "NONE"
        assert "AuthorizerId" not in method
        assert method["Integration"]["Type"] == "MOCK"
        [response] = method["Integration"]["IntegrationResponses"]
        parameters = response["ResponseParameters"]
        path_methods = [route.method for route in ROUTES if route.path == path]
        assert parameters["method.response.header.Access-Control-Allow-Methods"] == (
            f"'{','.join([*path_methods, 'OPTIONS'])}'"
        )
        assert parameters["method.response.header.Access-Control-Allow-Headers"] == f"'{','.join(cors.ALLOW_HEADERS)}'"
        assert parameters["method.response.header.Access-Control-Allow-Origin"] == f"'{ORIGINS[0]}'"
        # The other origins are echoed back by the response template when the request names one.
        assert f'$origin == "{ORIGINS[1]}"' in response["ResponseTemplates"]["application/json"]


def test_every_function_is_told_the_allowed_origins(with_cors: Synthesized, prod: Synthesized) -> None:
    functions = with_cors.properties("AWS::Lambda::Function").values()
    route_functions = [f for f in functions if f["Handler"] != "functions.authorizer.handler.handler"]

    for function in route_functions:
        assert function["Environment"]["Variables"][cors.ORIGINS_VARIABLE] == ",".join(ORIGINS)
    for function in prod.properties("AWS::Lambda::Function").values():
        assert cors.ORIGINS_VARIABLE not in function["Environment"]["Variables"]
    assert not [m for m in prod.properties("AWS::ApiGateway::Method").values() if m["HttpMethod"] == "OPTIONS"]
