"""Operator CLI for reviewer API tokens, against the table ``--table`` (or TABLE_NAME) names, at the
DynamoDB endpoint ``--endpoint-url`` (or AWS_ENDPOINT_URL_DYNAMODB, or AWS's), with the usual AWS settings.

python -m infra.tokens create --org org_acme --name "ci pipeline"   # prints the token once
python -m infra.tokens list --org org_acme
python -m infra.tokens revoke --org org_acme --token-id <id>       # and flushes the API's authorizer cache

Creating and revoking write an audit record naming the operator (``cli:<operator>``): ``--operator``, else
PROMPTSTER_OPERATOR, else the login name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal, cast

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)

from infra.deployment import Deployment, DeploymentError, Stage
from shared import settings
from shared.domain.audit import Actor, AuditContext
from shared.domain.tokens import issue_token, revoke_token
from shared.errors import NotFoundError, UnavailableError
from shared.store import dynamo
from shared.store.tokens import TokenStore

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"
OPERATOR_VARIABLE = "PROMPTSTER_OPERATOR"

# How long API Gateway caches a Bearer token's verdict (infra/constructs/api.py; a test keeps them equal).
BEARER_CACHE_SECONDS = 300

Service = Literal["cloudformation", "apigateway"]
# Builds a boto3 client for a service; tests pass one that hands out stubbed clients.
ClientFactory = Callable[[Service], Any]


def _aws_client(service: Service) -> Any:
    return boto3.client(service)


def _parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--table", help="the DynamoDB table (default: TABLE_NAME, else promptster-local)")
    where.add_argument("--endpoint-url", help="a DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, else AWS's)")
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument(
        "--operator",
        help=f"who is making the change, as the audit log names them (default: {OPERATOR_VARIABLE}, else your "
        "login name)",
    )
    parser = argparse.ArgumentParser(prog="python -m infra.tokens", description="Manage reviewer API tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", parents=[where, who], help="mint a token for an organisation (shown once)")
    create.add_argument("--org", required=True, help="organisation id, e.g. org_acme")
    create.add_argument("--name", required=True, help="what the token is for, e.g. 'ci pipeline'")
    listing = commands.add_parser(
        "list", parents=[where], help="list an organisation's tokens (never the tokens themselves)"
    )
    listing.add_argument("--org", required=True)
    revoke = commands.add_parser(
        "revoke",
        parents=[where, who],
        help="revoke a token and flush the deployed API's authorizer cache, so it fails within seconds",
    )
    revoke.add_argument("--org", required=True)
    revoke.add_argument("--token-id", required=True)
    return parser


def deployment_for_table(table_name: str) -> Deployment | None:
    """The deployment whose stack created ``table_name`` (``promptster-{customer}-{stage}``), if any."""
    customer, _, stage = table_name.removeprefix("promptster-").rpartition("-")
    try:
        deployment = Deployment(customer, cast(Stage, stage))
    except DeploymentError:
        return None
    return deployment if deployment.prefix == table_name else None


def flush_authorizer_cache(deployment: Deployment, client: ClientFactory) -> str:
    """Flush the cached authorizer verdicts of the deployment's API stage; says which stage it was.

    The stack's outputs ``ApiId`` and ``ApiStageName`` name the stage. Raises LookupError when the
    stack has no such outputs, and boto errors when the stack or the permission is missing."""
    stacks = client("cloudformation").describe_stacks(StackName=deployment.stack_name)["Stacks"]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}
    if "ApiId" not in outputs or "ApiStageName" not in outputs:
        raise LookupError(f"stack {deployment.stack_name} has no ApiId and ApiStageName outputs")
    client("apigateway").flush_stage_authorizers_cache(restApiId=outputs["ApiId"], stageName=outputs["ApiStageName"])
    return f"stage {outputs['ApiStageName']} of API {outputs['ApiId']} ({deployment.stack_name})"


def _flush_after_revoke(table_name: str, client: ClientFactory) -> None:
    """Make the revocation take effect now on the deployed API, or say how long it may take."""
    deployment = deployment_for_table(table_name)
    if deployment is None:
        reason = f"table {table_name} is not named promptster-<customer>-<stage>, so no stack is known"
    else:
        try:
            stage = flush_authorizer_cache(deployment, client)
        except (BotoCoreError, ClientError, LookupError) as error:
            reason = str(error)
        else:
            print(f"Flushed the authorizer cache of {stage}: the token fails from now on")
            return
    print(
        f"warning: the authorizer cache was not flushed ({reason}); a deployed API may still accept "
        f"the token for up to {BEARER_CACHE_SECONDS} s, until its cached verdict expires",
        file=sys.stderr,
    )


@contextmanager
def _dynamodb(table: str | None, endpoint_url: str | None) -> Iterator[None]:
    """Point the store at ``table`` and ``endpoint_url`` (where given) while a command runs."""
    chosen = {"TABLE_NAME": table, ENDPOINT_VARIABLE: endpoint_url}
    previous = {name: os.environ.get(name) for name in chosen}
    os.environ.update({name: value for name, value in chosen.items() if value is not None})
    dynamo.reset()
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        dynamo.reset()


def operator_audit(operator: str | None) -> AuditContext:
    """Who the audit log names for a change made here (``cli:<operator>``), each run its own request id."""
    name = operator or os.environ.get(OPERATOR_VARIABLE) or getpass.getuser()
    return AuditContext(Actor.operator(name), f"cli-{uuid.uuid4()}")


def _run(arguments: argparse.Namespace, client: ClientFactory) -> int:
    table_name = settings.table_name()
    if arguments.command == "create":
        issued = issue_token(TokenStore(), arguments.org, arguments.name, audit=operator_audit(arguments.operator))
        print(f"Token {issued.stored.token_id} for {arguments.org} in table {table_name}:")
        print(issued.token)
        print("Store it now: only its hash is kept.", file=sys.stderr)
    elif arguments.command == "list":
        tokens = TokenStore().list_for_org(arguments.org)
        if not tokens:
            return _fail(f"no tokens for {arguments.org} in table {table_name}")
        for token in tokens:
            state = f"revoked {token.revoked_at}" if token.revoked_at else "active"
            print(f"{token.token_id}  {token.created_at}  {state:<28}  {token.name}")
    else:
        try:
            revoked = revoke_token(
                TokenStore(), arguments.org, arguments.token_id, audit=operator_audit(arguments.operator)
            )
        except NotFoundError as error:
            return _fail(f"{error.message} in table {table_name}")
        print(f"Revoked {revoked.token_id} ({revoked.name}) at {revoked.revoked_at}")
        _flush_after_revoke(table_name, client)
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _explain(error: BotoCoreError | ClientError) -> str:
    """One line an operator can act on, for what AWS or botocore refused."""
    if isinstance(error, NoRegionError):
        return "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region)"
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach DynamoDB at {error.kwargs.get('endpoint_url')}"
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        if details.get("Code") == "ResourceNotFoundException":
            region = dynamo.client().meta.region_name
            return f"table {settings.table_name()} not found in {region} (name it with --table or TABLE_NAME)"
        return f"DynamoDB refused the request: {details.get('Code')}: {details.get('Message')}"
    return str(error)


def main(argv: Sequence[str] | None = None, client: ClientFactory = _aws_client) -> int:
    arguments = _parser().parse_args(argv)
    with _dynamodb(arguments.table, arguments.endpoint_url):
        try:
            return _run(arguments, client)
        except (BotoCoreError, ClientError) as error:
            return _fail(_explain(error))
        except UnavailableError as error:  # the store's word for a DynamoDB that timed out or throttled
            cause = error.__cause__
            return _fail(_explain(cause) if isinstance(cause, BotoCoreError | ClientError) else error.message)


if __name__ == "__main__":
    sys.exit(main())
