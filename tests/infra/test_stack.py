"""The synthesized stack matches the route table and keeps its promises: auth, least privilege, data, logs, alarms."""

from __future__ import annotations

import json
import math
import sys
from importlib.metadata import version
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from infra.constructs.alarms import DEPENDENCY_UNAVAILABLE_REQUESTS, LATENCY_P90
from infra.constructs.api import AUTHORIZERS, THROTTLING, path_parameters
from infra.constructs.events import CONSUMER_HANDLER, CONSUMER_TABLE_ACTIONS
from infra.constructs.function import AUTHORIZER_ACTIONS
from infra.constructs.reminders import REMINDERS_HANDLER, REMINDERS_TABLE_ACTIONS
from infra.constructs.webhooks import DELIVERY_HANDLER, DELIVERY_TABLE_ACTIONS
from infra.gateway_responses import GATEWAY_RESPONSES
from shared.observability import (
    CUSTOMER_VARIABLE,
    DEPENDENCY_UNAVAILABLE,
    NAMESPACE,
    STAGE_VARIABLE,
    metric_dimensions,
)
from shared.routes import AUTHORIZER_HANDLER, ROUTES, Auth, Route, route
from shared.store.schema import INDEXES, TTL_ATTRIBUTE, table_definition
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

ROUTE_BY_METHOD_AND_PATH = {(route.method, route.path): route for route in ROUTES}
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def _single(stack: Synthesized, resource_type: str) -> str:
    (logical_id,) = stack.resources(resource_type)
    return logical_id


def _getatt(value: Any) -> str:
    logical_id: str = value["Fn::GetAtt"][0]
    return logical_id


def _is_table(resource: Any, table: str) -> bool:
    """Whether a policy resource is the table itself (its stream is a GetAtt of the table too)."""
    return isinstance(resource, dict) and resource.get("Fn::GetAtt") == [table, "Arn"]


def _resource_path(stack: Synthesized, resource_id: Any) -> str:
    """The path of an API Gateway resource, rebuilt from its parents."""
    resources = stack.properties("AWS::ApiGateway::Resource")
    parts: list[str] = []
    while "Ref" in resource_id:
        resource = resources[resource_id["Ref"]]
        parts.insert(0, resource["PathPart"])
        resource_id = resource["ParentId"]
    return "/" + "/".join(parts)


def _route_of(stack: Synthesized, method: dict[str, Any]) -> Route:
    return ROUTE_BY_METHOD_AND_PATH[(method["HttpMethod"], _resource_path(stack, method["ResourceId"]))]


def _integrated_function(method: dict[str, Any]) -> str:
    parts = method["Integration"]["Uri"]["Fn::Join"][1]
    (function_id,) = [_getatt(part) for part in parts if isinstance(part, dict) and "Fn::GetAtt" in part]
    return function_id


def _function_of_role(stack: Synthesized) -> dict[str, str]:
    """Role logical id -> the function it belongs to."""
    return {
        _getatt(props["Role"]): logical_id for logical_id, props in stack.properties("AWS::Lambda::Function").items()
    }


def _declared_table_actions(handler: str) -> set[str]:
    """What the route table (or, for the authorizer, the stream consumer and webhook delivery, its construct)
    says the function issues."""
    if handler == AUTHORIZER_HANDLER:
        return set(AUTHORIZER_ACTIONS)
    if handler == CONSUMER_HANDLER:
        return set(CONSUMER_TABLE_ACTIONS)
    if handler == DELIVERY_HANDLER:
        return set(DELIVERY_TABLE_ACTIONS)
    if handler == REMINDERS_HANDLER:
        return set(REMINDERS_TABLE_ACTIONS)
    return set(next(route for route in ROUTES if route.handler == handler).table_actions)


def _table_actions_by_handler(stack: Synthesized) -> dict[str, set[str]]:
    """Handler -> every action its role may take on the table (an empty set: no statement at all)."""
    table = _single(stack, "AWS::DynamoDB::Table")
    functions = stack.properties("AWS::Lambda::Function")
    function_of_role = _function_of_role(stack)
    granted: dict[str, set[str]] = {props["Handler"]: set() for props in functions.values()}
    for policy in stack.properties("AWS::IAM::Policy").values():
        (role,) = policy["Roles"]
        handler = functions[function_of_role[role["Ref"]]]["Handler"]
        for statement in policy["PolicyDocument"]["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if any(_is_table(resource, table) for resource in resources):
                actions = statement["Action"]
                granted[handler] |= set(actions) if isinstance(actions, list) else {actions}
    return granted


# Routes, methods, functions


def test_every_route_is_one_method_integrated_with_the_function_named_after_it(prod: Synthesized) -> None:
    functions = prod.properties("AWS::Lambda::Function")

    deployed = {
        (
            method["HttpMethod"],
            _resource_path(prod, method["ResourceId"]),
            functions[_integrated_function(method)]["Handler"],
        )
        for method in prod.properties("AWS::ApiGateway::Method").values()
    }

    assert deployed == {(route.method, route.path, route.handler) for route in ROUTES}
    assert len(prod.resources("AWS::ApiGateway::Method")) == len(ROUTES)


def test_there_is_one_function_per_route_plus_the_authorizer_the_consumer_delivery_and_reminders(
    prod: Synthesized,
) -> None:
    handlers = [props["Handler"] for props in prod.properties("AWS::Lambda::Function").values()]

    assert sorted(handlers) == sorted(
        [route.handler for route in ROUTES]
        + [AUTHORIZER_HANDLER, CONSUMER_HANDLER, DELIVERY_HANDLER, REMINDERS_HANDLER]
    )


def test_every_function_is_arm64_traced_with_explicit_memory_and_timeout(prod: Synthesized) -> None:
    for props in prod.properties("AWS::Lambda::Function").values():
        assert props["Architectures"] == ["arm64"]
        assert isinstance(props["MemorySize"], int)
        assert isinstance(props["Timeout"], int)
        assert props["TracingConfig"] == {"Mode": "Active"}


def test_every_function_logs_json_to_its_own_log_group(prod: Synthesized) -> None:
    log_groups = prod.properties("AWS::Logs::LogGroup")

    for props in prod.properties("AWS::Lambda::Function").values():
        logging = props["LoggingConfig"]
        assert logging["LogFormat"] == "JSON"
        group = log_groups[logging["LogGroup"]["Ref"]]
        assert group["LogGroupName"] == f"/aws/lambda/{props['FunctionName']}"


def test_every_function_uses_the_managed_layer_of_the_powertools_release_installed_here(prod: Synthesized) -> None:
    parameters = prod.template["Parameters"]
    # The per-release public parameter, never ".../latest": redeploying a commit cannot change Powertools.
    runtime = f"python{sys.version_info.major}.{sys.version_info.minor}"  # the Python that synthesized the stack
    installed = f"/aws/service/powertools/python/arm64/{runtime}/{version('aws-lambda-powertools')}"

    for props in prod.properties("AWS::Lambda::Function").values():
        (layer,) = props["Layers"]
        assert parameters[layer["Ref"]] == {"Type": "AWS::SSM::Parameter::Value<String>", "Default": installed}


def test_every_function_is_told_its_table_and_its_observability_settings(prod: Synthesized) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")

    for props in prod.properties("AWS::Lambda::Function").values():
        variables = props["Environment"]["Variables"]
        assert variables.get("TABLE_NAME", {"Ref": table}) == {"Ref": table}
        assert variables["POWERTOOLS_SERVICE_NAME"] == "assessments-api"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Promptster"
        assert (variables[CUSTOMER_VARIABLE], variables[STAGE_VARIABLE]) == ("acme", "prod")
        assert variables["POWERTOOLS_LOG_LEVEL"] == "INFO"


# Authorizers


def test_every_method_is_behind_the_lambda_authorizer_its_route_names(prod: Synthesized) -> None:
    authorizers = prod.properties("AWS::ApiGateway::Authorizer")
    handlers = {logical_id: props["Handler"] for logical_id, props in prod.properties("AWS::Lambda::Function").items()}

    for method in prod.properties("AWS::ApiGateway::Method").values():
        route = _route_of(prod, method)
        if not route.auth.needs_authorizer:
            assert method["AuthorizationType"] == "NONE"
            assert "AuthorizerId" not in method
            continue
        authorizer = authorizers[method["AuthorizerId"]["Ref"]]
        settings = AUTHORIZERS[route.auth]
        assert method["AuthorizationType"] == "CUSTOM"
        assert authorizer["Type"] == "REQUEST"
        assert handlers[_getatt(authorizer["AuthorizerUri"]["Fn::Join"][1][-2])] == AUTHORIZER_HANDLER
        assert authorizer["AuthorizerResultTtlInSeconds"] == settings.cache_seconds
        expected_source = f"method.request.header.{route.auth.identity_header}" if route.auth.identity_header else None
        assert authorizer.get("IdentitySource") == expected_source


def test_reviewer_methods_cache_the_authorizer_verdict_by_the_authorization_header(prod: Synthesized) -> None:
    authorizers = prod.properties("AWS::ApiGateway::Authorizer")
    reviewer_methods = [
        method
        for method in prod.properties("AWS::ApiGateway::Method").values()
        if _route_of(prod, method).auth is Auth.REVIEWER
    ]

    assert reviewer_methods
    for method in reviewer_methods:
        authorizer = authorizers[method["AuthorizerId"]["Ref"]]
        assert authorizer["IdentitySource"] == "method.request.header.Authorization"
        assert authorizer["AuthorizerResultTtlInSeconds"] > 0


def test_only_the_apis_description_and_a_share_links_report_are_public(prod: Synthesized) -> None:
    public = {route.path for route in ROUTES if not route.auth.needs_authorizer}

    assert public == {"/v1/openapi.json", "/v1/docs", "/v1/reports/{token}"}


def test_the_public_report_may_read_share_links_sessions_and_assessments_and_no_credential(prod: Synthesized) -> None:
    shared = route("get_shared_report")
    table = _single(prod, "AWS::DynamoDB::Table")

    (statement,) = [
        statement
        for statement in prod.role_statements(shared.handler)
        if any(
            _is_table(resource, table)
            for resource in (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
        )
    ]
    prefixes = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
    assert prefixes == ["SHARE#*", "SESSION#*", "ORG#*", "ASMT#*"]
    assert not [prefix for prefix in prefixes if prefix.startswith(("TOKEN#", "CODE#", "WEBHOOK#", "IDEMPOTENCY"))]
    others = [each for each in ROUTES if each.table_actions and each is not shared]
    assert all(not each.table_partition_prefixes for each in others)


def test_there_is_one_authorizer_per_kind_of_caller_the_routes_use_all_on_one_function(prod: Synthesized) -> None:
    authorizers = prod.properties("AWS::ApiGateway::Authorizer").values()

    assert len(authorizers) == len({route.auth for route in ROUTES if route.auth.needs_authorizer})
    assert len({_getatt(props["AuthorizerUri"]["Fn::Join"][1][-2]) for props in authorizers}) == 1


# Least privilege


def test_function_roles_carry_no_managed_policy(prod: Synthesized) -> None:
    for role_id in _function_of_role(prod):
        assert "ManagedPolicyArns" not in prod.every_resource[role_id]["Properties"]


def test_functions_may_use_only_their_table_actions_their_log_group_and_xray(prod: Synthesized) -> None:
    table = _single(prod, "AWS::DynamoDB::Table")
    secrets_key = _single(prod, "AWS::KMS::Key")
    functions = prod.properties("AWS::Lambda::Function")
    function_of_role = _function_of_role(prod)
    enqueuing = {route.handler for route in ROUTES if route.enqueues_webhooks}
    secret_actions = {route.handler: set(route.secret_actions) for route in ROUTES}

    for policy in prod.properties("AWS::IAM::Policy").values():
        (role,) = policy["Roles"]
        function = functions[function_of_role[role["Ref"]]]
        if function["Handler"] in (CONSUMER_HANDLER, DELIVERY_HANDLER):
            continue  # the stream, SES and queues besides: tests/infra/test_events.py, test_webhooks.py
        for statement in policy["PolicyDocument"]["Statement"]:
            if function["Handler"] in enqueuing and "sqs:SendMessage" in statement["Action"]:
                continue  # sending to the delivery queue: tests/infra/test_webhooks.py
            actions = set(statement["Action"]) if isinstance(statement["Action"], list) else {statement["Action"]}
            resource = statement["Resource"]
            assert statement["Effect"] == "Allow"
            if isinstance(resource, list):  # the table and its indexes by name, for a function that queries
                # (in a nested stack's template, where the table's ARN is a parameter, it comes last)
                index_arns = [arn for arn in resource if "Fn::Join" in arn]
                assert [_getatt(arn) for arn in resource if arn not in index_arns] == [table]
                assert sorted(index_arn["Fn::Join"][1][-1] for index_arn in index_arns) == [
                    f"/index/{index}" for index in INDEXES
                ]
                assert "dynamodb:Query" in actions
                assert actions == _declared_table_actions(function["Handler"])
            elif resource == "*":
                assert actions <= XRAY_ACTIONS
            elif _getatt(resource) == table:
                assert actions == _declared_table_actions(function["Handler"])
            elif _getatt(resource) == secrets_key:  # what the route declares it does with the secrets key
                assert actions == secret_actions[function["Handler"]]
            else:
                assert _getatt(resource) == function["LoggingConfig"]["LogGroup"]["Ref"]
                assert actions == LOG_ACTIONS


def test_each_function_role_may_take_exactly_the_table_actions_its_route_declares(prod: Synthesized) -> None:
    granted = _table_actions_by_handler(prod)

    assert granted == {handler: _declared_table_actions(handler) for handler in granted}


def test_the_catalog_functions_get_no_table_access_and_read_routes_only_get_and_query(prod: Synthesized) -> None:
    granted = _table_actions_by_handler(prod)
    functions = {props["Handler"]: props for props in prod.properties("AWS::Lambda::Function").values()}

    for name in ("list_issues", "get_issue"):
        assert granted[route(name).handler] == set()
        assert "TABLE_NAME" not in functions[route(name).handler]["Environment"]["Variables"]
    # Greenhouse reads a finished test's status with a GET, which makes its report link the first time.
    makes_a_link = route("greenhouse_test_status")
    assert granted[makes_a_link.handler] == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    for read in (r for r in ROUTES if r.method == "GET" and r != makes_a_link):
        assert granted[read.handler] <= {"dynamodb:GetItem", "dynamodb:Query"}, read.name


def test_every_declared_action_is_a_dynamodb_item_action() -> None:
    # TransactWriteItems is no IAM action of its own (its items' actions are); the batch operations are.
    item_actions = {
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "ConditionCheckItem",
        "BatchWriteItem",
    }

    for declared in [
        *(r.table_actions for r in ROUTES),
        AUTHORIZER_ACTIONS,
        CONSUMER_TABLE_ACTIONS,
        DELIVERY_TABLE_ACTIONS,
        REMINDERS_TABLE_ACTIONS,
    ]:
        assert {action.removeprefix("dynamodb:") for action in declared} <= item_actions
        assert all(action.startswith("dynamodb:") for action in declared)


# Data


def test_the_table_is_keyed_as_the_store_expects_on_demand_encrypted_with_pitr(prod_template: Template) -> None:
    definition = table_definition("unused")

    prod_template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": definition["KeySchema"],
            "AttributeDefinitions": definition["AttributeDefinitions"],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
            "TimeToLiveSpecification": {"AttributeName": TTL_ATTRIBUTE, "Enabled": True},
            "GlobalSecondaryIndexes": definition["GlobalSecondaryIndexes"],
        },
    )


def test_production_retains_its_table_and_protects_it_from_deletion(prod_template: Template) -> None:
    prod_template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like({"DeletionProtectionEnabled": True}),
        },
    )


def test_a_dev_stack_can_destroy_its_table(dev: Synthesized) -> None:
    (table,) = dev.resources("AWS::DynamoDB::Table").values()

    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize(("stage", "days", "policy"), [("prod", 365, "Retain"), ("dev", 14, "Delete")])
def test_every_log_group_has_an_explicit_retention(
    prod: Synthesized, dev: Synthesized, stage: str, days: int, policy: str
) -> None:
    stack = prod if stage == "prod" else dev
    log_groups = stack.resources("AWS::Logs::LogGroup").values()

    # The functions, the authorizer, the consumer, webhook delivery, the reminder job, the API's access log.
    assert len(log_groups) == len(ROUTES) + 5
    for log_group in log_groups:
        assert log_group["Properties"]["RetentionInDays"] == days
        assert log_group["DeletionPolicy"] == policy


# API Gateway


def test_the_stage_traces_throttles_and_writes_json_access_logs(prod: Synthesized) -> None:
    (stage,) = prod.properties("AWS::ApiGateway::Stage").values()
    rate, burst = THROTTLING["prod"]

    assert stage["StageName"] == "prod"
    assert stage["TracingEnabled"] is True
    assert stage["MethodSettings"] == [
        {
            "HttpMethod": "*",
            "ResourcePath": "/*",
            "ThrottlingRateLimit": rate,
            "ThrottlingBurstLimit": burst,
            "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
        }
    ]
    access_log = json.loads(stage["AccessLogSetting"]["Format"])
    assert access_log["requestId"] == "$context.requestId"
    assert access_log["status"] == "$context.status"
    # The route's template, never the path: a share link's path is its token.
    assert access_log["resource"] == "$context.resourcePath"
    assert "$context.path" not in access_log.values()


def test_every_method_validates_its_request_and_requires_its_path_parameters(prod: Synthesized) -> None:
    (validator_id,) = prod.properties("AWS::ApiGateway::RequestValidator")
    validator = prod.properties("AWS::ApiGateway::RequestValidator")[validator_id]

    assert validator["ValidateRequestBody"] is True
    assert validator["ValidateRequestParameters"] is True
    for method in prod.properties("AWS::ApiGateway::Method").values():
        route = _route_of(prod, method)
        assert method["RequestValidatorId"] == {"Ref": validator_id}
        expected = {f"method.request.path.{name}": True for name in path_parameters(route.path)}
        assert method.get("RequestParameters", {}) == expected


def test_api_gateway_answers_its_own_errors_with_the_error_envelope(prod: Synthesized) -> None:
    installed = {props["ResponseType"]: props for props in prod.properties("AWS::ApiGateway::GatewayResponse").values()}

    assert {"UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "REQUEST_TOO_LARGE", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(
        installed
    )
    assert set(installed) == {response.response_type for response in GATEWAY_RESPONSES}
    for response in GATEWAY_RESPONSES:
        props = installed[response.response_type]
        body = json.loads(props["ResponseTemplates"]["application/json"])
        assert body == {"error": response.message, "code": response.code, "requestId": "$context.requestId"}
        assert props["ResponseParameters"] == {"gatewayresponse.header.Content-Type": "'application/json'"}
        if response.response_type.startswith("DEFAULT_"):
            assert "StatusCode" not in props  # API Gateway's own status (504, 415, …) is kept
        else:
            assert props["StatusCode"] == str(response.status)


# Alarms


def test_alarms_watch_the_api_every_function_the_table_the_stream_and_webhooks_and_notify_one_topic(
    prod: Synthesized,
) -> None:
    topic = _single(prod, "AWS::SNS::Topic")
    alarms = prod.properties("AWS::CloudWatch::Alarm").values()
    functions = [props["FunctionName"] for props in prod.properties("AWS::Lambda::Function").values()]
    # A stream batch may send a hundred emails, a delivery batch wait on ten endpoints: their durations are
    # watched as the stream's iterator age and the delivery queue's oldest message. No one waits on the
    # hourly reminder job: its errors (timeouts included) are what matter.
    background = (
        "promptster-acme-prod-stream-consumer",
        "promptster-acme-prod-webhook-delivery",
        "promptster-acme-prod-send-reminders",
    )
    api_functions = [name for name in functions if name not in background]

    assert {props["AlarmName"] for props in alarms} == {
        "promptster-acme-prod-api-5xx-rate",
        "promptster-acme-prod-table-throttles",
        "promptster-acme-prod-dependency-unavailable",
        "promptster-acme-prod-stream-iterator-age",
        "promptster-acme-prod-stream-dead-letters",
        "promptster-acme-prod-webhook-dead-letters",
        "promptster-acme-prod-webhook-queue-stalled",
        *(f"{name}-errors" for name in functions),
        *(f"promptster-acme-prod-latency-p90-{number}" for number in range(1, math.ceil(len(api_functions) / 10) + 1)),
    }
    for props in alarms:
        assert props["AlarmActions"] == [{"Ref": topic}]
        assert props["TreatMissingData"] == "notBreaching"


def test_requests_refused_for_a_dependencys_outage_have_an_alarm_of_their_own(prod: Synthesized) -> None:
    [alarm] = [
        props
        for props in prod.properties("AWS::CloudWatch::Alarm").values()
        if props["AlarmName"] == "promptster-acme-prod-dependency-unavailable"
    ]

    assert (alarm["MetricName"], alarm["Namespace"]) == (DEPENDENCY_UNAVAILABLE, NAMESPACE)
    assert alarm["Threshold"] == DEPENDENCY_UNAVAILABLE_REQUESTS
    assert {dimension["Name"]: dimension["Value"] for dimension in alarm["Dimensions"]} == metric_dimensions(
        "acme", "prod"
    )


def test_every_api_function_has_its_p90_duration_watched_by_an_alarm_held_over_several_periods(
    prod: Synthesized,
) -> None:
    functions = {
        logical_id: props["FunctionName"]
        for logical_id, props in prod.properties("AWS::Lambda::Function").items()
        if props["Handler"] not in (CONSUMER_HANDLER, DELIVERY_HANDLER, REMINDERS_HANDLER)
    }
    latency = [a for a in prod.properties("AWS::CloudWatch::Alarm").values() if "-latency-p90-" in a["AlarmName"]]

    watched = []
    for alarm in latency:
        assert alarm["Threshold"] == LATENCY_P90.to_milliseconds()
        assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] > 1
        stats = [m["MetricStat"] for m in alarm["Metrics"] if "MetricStat" in m]
        (expression,) = [m for m in alarm["Metrics"] if "Expression" in m]
        assert expression["Expression"].startswith("MAX(")
        assert len(stats) <= 10  # CloudWatch's most metrics per alarm
        for stat in stats:
            assert (stat["Metric"]["MetricName"], stat["Metric"]["Namespace"], stat["Stat"]) == (
                "Duration",
                "AWS/Lambda",
                "p90",
            )
            (dimension,) = stat["Metric"]["Dimensions"]
            watched.append(dimension["Value"]["Ref"])
    assert sorted(watched) == sorted(functions)


def test_every_function_has_one_alarm_on_its_errors_and_throttles(prod: Synthesized) -> None:
    functions = prod.properties("AWS::Lambda::Function")
    alarms = {props["AlarmName"]: props for props in prod.properties("AWS::CloudWatch::Alarm").values()}

    for logical_id, function in functions.items():
        alarm = alarms[f"{function['FunctionName']}-errors"]
        watched = {
            m["MetricStat"]["Metric"]["MetricName"]: m["MetricStat"]["Metric"]["Dimensions"]
            for m in alarm["Metrics"]
            if m.get("MetricStat", {}).get("Metric", {}).get("Namespace") == "AWS/Lambda"
        }
        dimensions = [{"Name": "FunctionName", "Value": {"Ref": logical_id}}]
        assert watched == {"Errors": dimensions, "Throttles": dimensions}
        assert alarm["Threshold"] == 1


def test_every_template_stays_within_cloudformations_500_resources(
    prod: Synthesized, dev: Synthesized, snap_start: Synthesized
) -> None:
    for stack in (prod, dev, snap_start):
        for path in stack.template_files:
            assert len(json.loads(path.read_text())["Resources"]) <= 500, path.name


def test_the_nested_stack_holds_the_integration_and_ats_functions_and_their_alarms_only(
    snap_start: Synthesized,
) -> None:
    (path,) = snap_start.nested_templates.values()
    nested = json.loads(path.read_text())["Resources"].values()
    handlers = {resource["Properties"]["Handler"] for resource in nested if resource["Type"] == "AWS::Lambda::Function"}
    alarms = [resource for resource in nested if resource["Type"] == "AWS::CloudWatch::Alarm"]

    # A function deployed in the stack's own template stays there: moved, it would be made again under its name.
    assert handlers == {route.handler for route in ROUTES if route.path.startswith(("/v1/integrations", "/v1/ats/"))}
    assert len(alarms) == len(handlers)


def test_no_alarm_depends_on_a_metric_filter_over_logs(prod: Synthesized) -> None:
    assert prod.resources("AWS::Logs::MetricFilter") == {}


def test_the_alarm_email_from_the_context_subscribes_to_the_topic(prod: Synthesized, dev: Synthesized) -> None:
    (subscription,) = prod.properties("AWS::SNS::Subscription").values()

    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@example.com")
    assert dev.resources("AWS::SNS::Subscription") == {}


# Names


def test_stack_table_api_function_and_log_names_carry_the_customer_and_stage(prod: Synthesized) -> None:
    (table,) = prod.properties("AWS::DynamoDB::Table").values()
    (api,) = prod.properties("AWS::ApiGateway::RestApi").values()

    assert prod.stack_name == "Promptster-acme-prod"
    assert table["TableName"] == "promptster-acme-prod"
    assert api["Name"] == "promptster-acme-prod"
    for props in prod.properties("AWS::Lambda::Function").values():
        assert props["FunctionName"].startswith("promptster-acme-prod-")
    for props in prod.properties("AWS::Logs::LogGroup").values():
        assert "promptster-acme-prod" in props["LogGroupName"]


@pytest.mark.parametrize("stage", ["prod", "dev"])
def test_the_stack_outputs_its_api_id_and_stage_name_for_the_token_cli(
    prod: Synthesized, dev: Synthesized, stage: str
) -> None:
    stack = prod if stage == "prod" else dev
    outputs = stack.template["Outputs"]

    assert outputs["ApiId"]["Value"] == {"Ref": _single(stack, "AWS::ApiGateway::RestApi")}
    assert outputs["ApiStageName"]["Value"] == {"Ref": _single(stack, "AWS::ApiGateway::Stage")}
    (stage_props,) = stack.properties("AWS::ApiGateway::Stage").values()
    assert stage_props["StageName"] == stage


def test_synthesis_takes_under_a_minute(prod: Synthesized, dev: Synthesized) -> None:
    print(f"synthesis: prod in-process {prod.seconds:.1f}s, dev via python -m infra.app {dev.seconds:.1f}s")

    assert prod.seconds < 60
    assert dev.seconds < 60
