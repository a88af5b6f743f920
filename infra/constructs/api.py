"""The REST API, built from the route table: resources, methods, authorizers, validation, logs, throttling."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Validations
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.checkov import LOG_GROUP_KEY, PUBLIC_METHOD, STAGE_CACHE, skip_checks
from infra.constructs.common import log_retention, removal_policy
from infra.deployment import Deployment
from infra.gateway_responses import GATEWAY_RESPONSES, GatewayResponse
from shared import cors
from shared.routes import Auth, Route


@dataclass(frozen=True)
class AuthorizerSettings:
    """How long API Gateway caches the authorizer's verdict for a kind of caller (keyed by its identity header)."""

    cache_seconds: int


# The cache is keyed by the identity header, and the authorizer's policy allows every route, so a
# cached verdict holds for whichever route the caller uses next. Either-credential routes cannot
# name one header (API Gateway would 401 a call carrying the other), so they are not cached.
AUTHORIZERS: Mapping[Auth, AuthorizerSettings] = {
    Auth.REVIEWER: AuthorizerSettings(300),
    Auth.CANDIDATE: AuthorizerSettings(60),  # keys live for one session; handlers check their status
    Auth.REVIEWER_OR_CANDIDATE: AuthorizerSettings(0),
}

# Requests per second and burst per stage, for the whole API.
THROTTLING: Mapping[str, tuple[int, int]] = {"dev": (10, 20), "prod": (100, 200)}

# Plain values only: API Gateway does not escape what it substitutes, so free text (user agent,
# error message) could break the JSON.
ACCESS_LOG_FIELDS: Mapping[str, str] = {
    "requestId": "$context.requestId",
    "time": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "method": "$context.httpMethod",
    # The route's template, not the path: a share link's path holds its token, which no log may keep.
    "resource": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "integrationLatencyMs": "$context.integrationLatency",
    "integrationStatus": "$context.integration.status",
    "principalId": "$context.authorizer.principalId",
    "authorizerStatus": "$context.authorizer.status",
    "errorType": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}


def envelope_template(response: GatewayResponse) -> str:
    """The mapping template of a Gateway Response: the project's error envelope, with API Gateway's request id."""
    return json.dumps(
        {"error": response.message, "code": response.code, "requestId": "$context.requestId"},
        separators=(",", ":"),
    )


def _public_reason(route: Route) -> str:
    """Why a route without an authorizer is public on purpose."""
    if route.table_actions:
        return (
            "A share link's report is public by design: the token in its path (256 random bits, only its hash "
            "stored) is the credential, and the function may read only share links, sessions and assessments"
        )
    return (
        "The API's own description (OpenAPI document and reference page) is public on purpose: it holds no "
        "customer data and its function has no access to the table"
    )


def path_parameters(path: str) -> list[str]:
    """The ``{name}`` parameters of an API Gateway path template."""
    return re.findall(r"\{(\w+)\}", path)


class Api(Construct):
    """One method per route, each behind the authorizer its route's ``auth`` names."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        routes: Sequence[Route],
        functions: Mapping[str, lambda_.IFunction],
        authorizer: lambda_.IFunction,
        key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._deployment = deployment
        self._key = key  # the customer's, for the access logs
        self.rest_api = self._rest_api(self._access_logs())
        self._methods(routes, functions, authorizer)
        if deployment.cors_origins:
            self._preflights(routes, deployment.cors_origins)
        self._gateway_responses()
        self._acknowledge_findings()

    def _access_logs(self) -> logs.LogGroup:
        deployment = self._deployment
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=f"/aws/apigateway/{deployment.prefix}/access",
            retention=log_retention(deployment),
            removal_policy=removal_policy(deployment),
            encryption_key=self._key,
        )
        if self._key is None:
            skip_checks(access_logs, LOG_GROUP_KEY)
        return access_logs

    def _rest_api(self, access_logs: logs.ILogGroup) -> apigw.RestApi:
        deployment = self._deployment
        rate, burst = THROTTLING[deployment.stage]
        return apigw.RestApi(
            self,
            "RestApi",
            rest_api_name=deployment.prefix,
            description=f"Promptster assessments API for {deployment.customer} ({deployment.stage})",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Execution and access logging need API Gateway's account-level CloudWatch role. It is
            # kept when the stack goes, so other stacks in the account that rely on it keep logging.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=deployment.stage,
                tracing_enabled=True,
                throttling_rate_limit=rate,
                throttling_burst_limit=burst,
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,  # full request logging would write bearer tokens to CloudWatch
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.custom(json.dumps(ACCESS_LOG_FIELDS)),
            ),
        )

    def _methods(
        self, routes: Sequence[Route], functions: Mapping[str, lambda_.IFunction], authorizer: lambda_.IFunction
    ) -> None:
        # Parameters are checked here; bodies are validated by each handler's pydantic model, which
        # names the offending field (a request model attached later would be enforced too).
        validator = self.rest_api.add_request_validator(
            "RequestValidator",
            request_validator_name=self._deployment.name("validator"),
            validate_request_body=True,
            validate_request_parameters=True,
        )
        kinds = dict.fromkeys(r.auth for r in routes if r.auth.needs_authorizer)
        authorizers = {kind: self._authorizer(kind, authorizer) for kind in kinds}
        for route in routes:
            method = self.rest_api.root.resource_for_path(route.path).add_method(
                route.method,
                apigw.LambdaIntegration(functions[route.name], allow_test_invoke=False),
                operation_name=route.name,
                authorization_type=(
                    apigw.AuthorizationType.CUSTOM if route.auth.needs_authorizer else apigw.AuthorizationType.NONE
                ),
                authorizer=authorizers.get(route.auth),
                request_validator=validator,
                request_parameters={f"method.request.path.{name}": True for name in path_parameters(route.path)},
            )
            if not route.auth.needs_authorizer:
                skip_checks(method, PUBLIC_METHOD)
                Validations.of(method).acknowledge(
                    Acknowledgment(id="AwsSolutions-APIG4", reason=_public_reason(route))
                )

    def _preflights(self, routes: Sequence[Route], origins: Sequence[str]) -> None:
        """An ``OPTIONS`` method on every path, answered by API Gateway itself (a mock integration,
        no authorizer, no function): the request's origin back when it is allowed."""
        methods: dict[str, list[str]] = {}
        for route in routes:
            methods.setdefault(route.path, []).append(route.method)
        for path, path_methods in methods.items():
            preflight = self.rest_api.root.resource_for_path(path).add_cors_preflight(
                allow_origins=list(origins),
                allow_headers=list(cors.ALLOW_HEADERS),
                allow_methods=[*path_methods, "OPTIONS"],
                max_age=Duration.seconds(cors.MAX_AGE_SECONDS),
            )
            skip_checks(preflight, PUBLIC_METHOD)

    def _gateway_responses(self) -> None:
        for response in GATEWAY_RESPONSES:
            self.rest_api.add_gateway_response(
                response.response_type,
                type=apigw.ResponseType.of(response.response_type),
                # The DEFAULT_ types keep the status API Gateway chose (504 timeout, 415, …): only the body is ours.
                status_code=None if response.response_type.startswith("DEFAULT_") else str(response.status),
                response_headers={"Content-Type": "'application/json'"},
                templates={"application/json": envelope_template(response)},
            )

    def _acknowledge_findings(self) -> None:
        skip_checks(self.rest_api.deployment_stage, STAGE_CACHE)
        if not self._deployment.waf_enabled:
            Validations.of(self.rest_api.deployment_stage).acknowledge(
                Acknowledgment(
                    id="AwsSolutions-APIG3",
                    reason="No WAF web ACL unless asked for (-c waf=true; production has one): it bills a fixed "
                    "monthly fee per stack, and every method needs a credential checked by the authorizer",
                )
            )
        Validations.of(self.rest_api.root).acknowledge(
            Acknowledgment(
                id="AwsSolutions-COG4",
                reason="Callers are organisations' API tokens and candidates' one-time keys, verified by the Lambda "
                "authorizer against the table; there are no Cognito users",
            )
        )
        Validations.of(self.rest_api).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
                reason="API Gateway's account-level logging role uses the AWS managed policy made for it; "
                "it grants nothing beyond writing API Gateway's own logs",
            )
        )

    def _authorizer(self, kind: Auth, handler: lambda_.IFunction) -> apigw.RequestAuthorizer:
        deployment = self._deployment
        settings = AUTHORIZERS[kind]
        header = kind.identity_header
        authorizer = apigw.RequestAuthorizer(
            self,
            f"{kind.value.title().replace('_', '')}Authorizer",
            authorizer_name=deployment.name(kind.value.replace("_", "-")),
            handler=handler,
            identity_sources=[apigw.IdentitySource.header(header)] if header else [],
            results_cache_ttl=Duration.seconds(settings.cache_seconds),
        )
        if header is None:
            # Without caching API Gateway needs no identity source; an empty one is not valid CloudFormation.
            resource = authorizer.node.default_child
            assert isinstance(resource, apigw.CfnAuthorizer)
            resource.add_property_deletion_override("IdentitySource")
        return authorizer
