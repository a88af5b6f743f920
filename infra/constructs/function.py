"""One Lambda function of the API; every route and the authorizer are built the same way."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Acknowledgment, Annotations, Duration, RemovalPolicy, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.checkov import LAMBDA_DLQ, LAMBDA_ENVIRONMENT_KEY, LAMBDA_VPC, LOG_GROUP_KEY, skip_checks
from infra.constructs.common import log_retention, removal_policy
from infra.deployment import Deployment
from shared.cors import ORIGINS_VARIABLE
from shared.observability import CUSTOMER_VARIABLE, NAMESPACE, SERVICE, STAGE_VARIABLE
from shared.settings import SECRETS_KEY_VARIABLE
from shared.store.schema import INDEXES

# The authorizer reads one token or key-code item per credential (routes declare their own actions).
AUTHORIZER_ACTIONS = ("dynamodb:GetItem",)
# What DynamoDB asks of a caller's role on a table encrypted under a customer managed key.
TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")

# The functions run on the Python version that synthesizes the stack: it compiles their bytecode
# (infra/code_asset.py), and a ``.pyc`` is read only by the version that wrote it. The code runs on each
# of these, and Powertools publishes its layer for each.
RUNTIMES = {
    (3, 11): lambda_.Runtime.PYTHON_3_11,
    (3, 12): lambda_.Runtime.PYTHON_3_12,
    (3, 13): lambda_.Runtime.PYTHON_3_13,
}


class UnsupportedPythonError(Exception):
    """The stack is synthesized by a Python whose version no function can run on."""


def runtime_for(version: tuple[int, int]) -> lambda_.Runtime:
    """The Lambda runtime of the Python ``version`` that builds the code asset."""
    if version not in RUNTIMES:
        supported = ", ".join(f"{major}.{minor}" for major, minor in RUNTIMES)
        building = f"{version[0]}.{version[1]}"
        raise UnsupportedPythonError(
            f"the functions run on the Python that synthesizes the stack, and this is Python {building}; "
            f"use one of {supported}: `make clean`, then `make synth PYTHON=python3.12` (or its path)"
        )
    return RUNTIMES[version]


RUNTIME = runtime_for((sys.version_info.major, sys.version_info.minor))
# Lambda snapshots Python functions from 3.12 on.
SNAP_START_RUNTIMES = frozenset({lambda_.Runtime.PYTHON_3_12.name, lambda_.Runtime.PYTHON_3_13.name})


def refuse_snap_start_on(runtime: lambda_.Runtime) -> None:
    """Raise UnsupportedPythonError if SnapStart cannot snapshot functions running on ``runtime``."""
    if runtime.name not in SNAP_START_RUNTIMES:
        raise UnsupportedPythonError(
            f"SnapStart (-c snapStart=true) snapshots Python 3.12 and later, and the functions run on the Python "
            f"that synthesizes the stack, {runtime.name} here: `make clean`, then synthesize with "
            "PYTHON=python3.12 or python3.13 (or its path)"
        )


ARCHITECTURE = lambda_.Architecture.ARM_64
# The managed layer of exactly the Powertools release the project is tested with: AWS publishes its
# ARN under one public SSM parameter per release (and a moving ``latest`` one, which would let two
# deploys of one commit run different Powertools). A test holds this to the installed version.
POWERTOOLS_VERSION = "3.37.0"
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/{ARCHITECTURE.name}/{RUNTIME.name}/{POWERTOOLS_VERSION}"
MAX_FUNCTION_NAME = 64
# With SnapStart, API Gateway invokes this alias of each function's latest published version.
LIVE_ALIAS = "live"


@dataclass(frozen=True)
class FunctionDefaults:
    """What every function of one deployment shares."""

    deployment: Deployment
    code: lambda_.Code
    layer: lambda_.ILayerVersion
    table: dynamodb.ITable
    key: kms.IKey | None = None  # the customer's: the log group and the environment variables
    secrets_key: kms.IKey | None = None  # what an ATS's credentials and report links are encrypted under


class ApiFunction(Construct):
    """A function with its own log group and a role that may touch only its table, with only ``table_actions``
    (a function with none is not even told the table's name), and with ``table_partition_prefixes`` only
    on items whose partition key starts with one of them.

    ``target`` is what API Gateway invokes: the function itself, or with SnapStart its ``live`` alias
    (SnapStart snapshots published versions only)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        defaults: FunctionDefaults,
        name: str,
        handler: str,
        description: str,
        table_actions: Sequence[str],
        table_partition_prefixes: Sequence[str] = (),
        secret_actions: Sequence[str] = (),
        memory_mb: int = 512,
        timeout: Duration | None = None,
        no_dlq_reason: str = "Invoked synchronously by API Gateway only: a failure goes back to the caller, "
        "there is no asynchronous event to dead-letter",
    ) -> None:
        super().__init__(scope, construct_id)
        self._defaults = defaults
        self.function_name = defaults.deployment.name(name.replace("_", "-"))
        if len(self.function_name) > MAX_FUNCTION_NAME:
            raise ValueError(
                f"function name {self.function_name!r} is longer than Lambda allows; shorten the route name"
            )
        self.log_group = self._log_group()
        self.role = self._role(table_actions, table_partition_prefixes)
        self.function = self._function(
            handler, description, memory_mb, timeout or Duration.seconds(10), uses_table=bool(table_actions)
        )
        self.target: lambda_.IFunction = self._live_alias() if defaults.deployment.snap_start else self.function
        if secret_actions:
            self.allow_secrets(*secret_actions)
        self._acknowledge_findings(no_dlq_reason)
        skip_checks(
            self.function,
            LAMBDA_DLQ,
            LAMBDA_VPC,
            *([] if defaults.key else [LAMBDA_ENVIRONMENT_KEY]),
        )
        if defaults.key is None:
            skip_checks(self.log_group, LOG_GROUP_KEY)

    def allow_secrets(self, *actions: str) -> None:
        """Tell the function the secrets key and let it use it for ``actions`` (kms:Encrypt, kms:Decrypt) only."""
        key = self._defaults.secrets_key
        if key is None:
            raise ValueError(f"{self.function_name} needs the secrets key, which the deployment was not given")
        self.function.add_environment(SECRETS_KEY_VARIABLE, key.key_arn)
        key.grant(self.role, *actions)

    def _log_group(self) -> logs.LogGroup:
        deployment = self._defaults.deployment
        return logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{self.function_name}",
            retention=log_retention(deployment),
            removal_policy=removal_policy(deployment),
            encryption_key=self._defaults.key,
        )

    def _role(self, table_actions: Sequence[str], partition_prefixes: Sequence[str]) -> iam.Role:
        # An explicit role instead of the managed basic-execution policy: logs go to this one
        # log group only, and the table grant names each action.
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{self.function_name}: its log group and {len(table_actions)} action(s) on the table",
        )
        self.log_group.grant_write(role)
        if table_actions:
            table_arn = self._defaults.table.table_arn
            # Named resources only: the table, and for queries its indexes by name (never ``index/*``).
            resources = [table_arn]
            if "dynamodb:Query" in table_actions:
                resources += [f"{table_arn}/index/{index_name}" for index_name in INDEXES]
            # Every partition key the request names must start with a prefix; item actions always name one,
            # so ForAllValues cannot pass for want of a key.
            conditions = (
                {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{prefix}*" for prefix in partition_prefixes]}}
                if partition_prefixes
                else None
            )
            role.add_to_policy(
                iam.PolicyStatement(actions=list(table_actions), resources=resources, conditions=conditions)
            )
            if self._defaults.key is not None:
                # A table under the customer's key is read and written through it (named actions: no wildcards).
                self._defaults.key.grant(role, *TABLE_KEY_ACTIONS)
        return role

    def _function(
        self, handler: str, description: str, memory_mb: int, timeout: Duration, *, uses_table: bool
    ) -> lambda_.Function:
        defaults = self._defaults
        return lambda_.Function(
            self,
            "Function",
            function_name=self.function_name,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            code=defaults.code,
            handler=handler,
            layers=[defaults.layer],
            memory_size=memory_mb,
            timeout=timeout,
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            tracing=lambda_.Tracing.ACTIVE,
            environment=self._environment(uses_table),
            environment_encryption=defaults.key,
            # Bounds each route: a runaway one cannot take the account's concurrency from the others.
            reserved_concurrent_executions=defaults.deployment.reserved_concurrency or None,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if defaults.deployment.snap_start else None,
            # A superseded version is deleted with its snapshot, which would otherwise go on billing.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY),
        )

    def _live_alias(self) -> lambda_.Alias:
        """The alias API Gateway invokes, moved to a new published version whenever the function changes."""
        Annotations.of(self.function).acknowledge_warning(
            "@aws-cdk/aws-lambda:snapStartRequirePublish",
            "Every change publishes a version (current_version), the one the live alias points at",
        )
        return lambda_.Alias(self, "Live", alias_name=LIVE_ALIAS, version=self.function.current_version)

    def _environment(self, uses_table: bool) -> dict[str, str]:
        deployment = self._defaults.deployment
        table = {"TABLE_NAME": self._defaults.table.table_name} if uses_table else {}
        origins = {ORIGINS_VARIABLE: ",".join(deployment.cors_origins)} if deployment.cors_origins else {}
        return {
            **table,
            **origins,
            "POWERTOOLS_SERVICE_NAME": SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": NAMESPACE,
            CUSTOMER_VARIABLE: deployment.customer,
            STAGE_VARIABLE: deployment.stage,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            # Responses carry candidate key codes: keep them out of X-Ray.
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        }

    def _acknowledge_findings(self, no_dlq_reason: str) -> None:
        runtime_pinned = (
            f"{RUNTIME.name} is the Python that built the code asset, whose bytecode only that version reads; "
            "the Powertools layer is resolved for the same version, never moved by a CDK upgrade"
        )
        Validations.of(self.function).acknowledge(
            Acknowledgment(id="AwsSolutions-L1", reason=runtime_pinned),
            Acknowledgment(id="Serverless-LambdaLatestVersion", reason=runtime_pinned),
            Acknowledgment(id="Serverless-LambdaDLQ", reason=no_dlq_reason),
        )
        Validations.of(self.role).acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="The one wildcard resource is for X-Ray's PutTraceSegments and PutTelemetryRecords "
                "(active tracing), which have no resource-level permissions",
            )
        )
