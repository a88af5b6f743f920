"""One customer's stack: the table, a function per route plus the authorizer, the API, the event
pipeline on the table's stream, webhook delivery, the hourly reminder job, and their alarms."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aws_cdk import CfnOutput, Duration, NestedStack, Stack, Tags
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from infra.code_asset import function_code
from infra.constructs.alarms import Alarms
from infra.constructs.api import Api
from infra.constructs.encryption import customer_key, secrets_key
from infra.constructs.events import EventPipeline
from infra.constructs.firewall import Firewall
from infra.constructs.function import (
    AUTHORIZER_ACTIONS,
    POWERTOOLS_LAYER_PARAMETER,
    RUNTIME,
    ApiFunction,
    FunctionDefaults,
    refuse_snap_start_on,
)
from infra.constructs.reminders import ReminderJob
from infra.constructs.table import Table
from infra.constructs.webhooks import WebhookDelivery
from infra.deployment import API_ID_OUTPUT, API_STAGE_OUTPUT, Deployment
from shared.observability import SERVICE
from shared.routes import AUTHORIZER_HANDLER, ROUTES

AUTHORIZER_NAME = "authorizer"
# The routes whose functions live in the nested stack ``Integrations``: a template holds at most 500 resources
# (CloudFormation's limit), and with SnapStart a route takes about nine (function, version, alias, role,
# policy, log group, permission, alarm, method). Only routes added since the stack neared the limit go there:
# moving a deployed function would recreate it under the same name, which CloudFormation refuses.
NESTED_ROUTE_PATHS = ("/v1/integrations", "/v1/ats/")


def powertools_layer(scope: Construct) -> lambda_.ILayerVersion:
    """The managed Powertools layer of the pinned release, resolved by CloudFormation at deploy time
    (synthesis needs no AWS credentials)."""
    layer_arn = ssm.StringParameter.value_for_string_parameter(scope, POWERTOOLS_LAYER_PARAMETER)
    return lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", layer_arn)


class AssessmentsStack(Stack):
    """Everything one customer's stage runs on."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=deployment.stack_name,
            description=f"Promptster assessments API for {deployment.customer} ({deployment.stage})",
            **kwargs,
        )
        self._deployment = deployment
        self._tag()
        key = customer_key(self, deployment)
        table = Table(self, "Data", deployment=deployment, key=key).table
        if deployment.snap_start:
            refuse_snap_start_on(RUNTIME)
        secrets = secrets_key(self, deployment, key)
        defaults = FunctionDefaults(deployment, function_code(), powertools_layer(self), table, key, secrets)
        authorizer = self._authorizer(defaults)
        # Not a route: its queue's event source invokes it. Built before the routes, some of which queue deliveries.
        webhooks = WebhookDelivery(self, "Webhooks", defaults=defaults)
        functions = self._route_functions(defaults, webhooks)
        api = Api(
            self,
            "Api",
            deployment=deployment,
            routes=ROUTES,
            functions={name: function.target for name, function in functions.items()},
            authorizer=authorizer.target,
            key=key,
        )
        # Not a route: the table's stream invokes it, so it stays out of the route table.
        events = EventPipeline(
            self, "Events", defaults=defaults, table=table, api_url=api.rest_api.url, webhooks=webhooks
        )
        # Not a route: its schedule invokes it.
        reminders = ReminderJob(self, "Reminders", defaults=defaults)
        if deployment.waf_enabled:
            Firewall(self, "Firewall", deployment=deployment, stage=api.rest_api.deployment_stage)
        Alarms(
            self,
            "Alarms",
            deployment=deployment,
            api=api.rest_api,
            # Lambda's metrics by function name cover every version and alias.
            functions={name: function.function for name, function in functions.items()},
            authorizer=authorizer.function,
            table=table,
            consumer=events.consumer.function,
            dead_letters=events.dead_letters,
            delivery=webhooks.delivery.function,
            delivery_queue=webhooks.queue,
            delivery_dead_letters=webhooks.dead_letters,
            reminders=reminders.job.function,
            key=key,
        )
        self._outputs(table, api.rest_api)

    def _tag(self) -> None:
        deployment = self._deployment
        for key, value in {"customer": deployment.customer, "stage": deployment.stage, "service": SERVICE}.items():
            Tags.of(self).add(key, value)

    def _authorizer(self, defaults: FunctionDefaults) -> ApiFunction:
        return ApiFunction(
            self,
            "Authorizer",
            defaults=defaults,
            name=AUTHORIZER_NAME,
            handler=AUTHORIZER_HANDLER,
            description="Lambda authorizer: organisation API tokens, candidate keys and integration keys",
            table_actions=AUTHORIZER_ACTIONS,
            timeout=Duration.seconds(5),
        )

    def _route_functions(self, defaults: FunctionDefaults, webhooks: WebhookDelivery) -> dict[str, ApiFunction]:
        """Route name -> the function serving it, one per entry of the route table (those of
        NESTED_ROUTE_PATHS in the nested stack ``Integrations``)."""
        deployment = self._deployment
        nested = NestedStack(
            self,
            "Integrations",
            description=f"Promptster assessments API for {deployment.customer} ({deployment.stage}): "
            "the functions of its integrations and ATS routes",
        )
        # A code asset belongs to one stack: the nested stack's functions deploy the same bundle as another asset.
        nested_defaults = replace(defaults, code=function_code())
        functions = {
            route.name: ApiFunction(
                nested if route.path.startswith(NESTED_ROUTE_PATHS) else self,
                route.name.title().replace("_", ""),
                defaults=nested_defaults if route.path.startswith(NESTED_ROUTE_PATHS) else defaults,
                name=route.name,
                handler=route.handler,
                description=f"{route.method} {route.path}: {route.summary}",
                table_actions=route.table_actions,
                table_partition_prefixes=route.table_partition_prefixes,
                secret_actions=route.secret_actions,
            )
            for route in ROUTES
        }
        for route in ROUTES:
            if route.enqueues_webhooks:
                webhooks.allow_enqueueing(functions[route.name])
        return functions

    def _outputs(self, table: dynamodb.ITable, rest_api: apigw.RestApi) -> None:
        # The API's URL is output by RestApi itself; this is where the first token gets minted.
        CfnOutput(self, "TableName", value=table.table_name, description="TABLE_NAME for python -m infra.tokens")
        # Where python -m infra.tokens revoke flushes the authorizer's cached verdicts.
        CfnOutput(self, API_ID_OUTPUT, value=rest_api.rest_api_id, description="The REST API's id")
        CfnOutput(
            self, API_STAGE_OUTPUT, value=rest_api.deployment_stage.stage_name, description="The REST API's stage"
        )
