"""The operator CLI mints, lists and revokes tokens against the configured table, and a revocation
flushes the deployed API's authorizer cache (or says how long the token may still work)."""

from __future__ import annotations

import datetime
import getpass
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from infra.deployment import Deployment
from infra.local.embedded_dynamodb import local_dynamodb
from infra.tokens import deployment_for_table, main
from shared.auth import hash_api_token
from shared.store import dynamo
from shared.store.audit import AuditStore
from shared.store.schema import ensure_table
from shared.store.tokens import TokenStore

STACK = "Promptster-acme-prod"


class StubbedAws:
    """CloudFormation and API Gateway clients that answer only what a test queued on their stubbers."""

    def __init__(self) -> None:
        self.clients = {name: boto3.client(name, region_name="eu-west-1") for name in ("cloudformation", "apigateway")}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}
        for stub in self.stubs.values():
            stub.activate()

    def __call__(self, service: str) -> Any:
        return self.clients[service]

    def stack_outputs(self, outputs: dict[str, str]) -> None:
        stack = {
            "StackName": STACK,
            "CreationTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            "StackStatus": "UPDATE_COMPLETE",
            "Outputs": [{"OutputKey": key, "OutputValue": value} for key, value in outputs.items()],
        }
        self.stubs["cloudformation"].add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": STACK})

    def assert_all_called(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def aws() -> StubbedAws:
    return StubbedAws()


@pytest.fixture
def acme_prod_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The table the acme prod stack creates, so the CLI knows which stack's API to flush."""
    monkeypatch.setenv("TABLE_NAME", "promptster-acme-prod")
    with local_dynamodb("promptster-acme-prod"):
        yield


def _create(capsys: pytest.CaptureFixture[str], org: str = "org_acme") -> tuple[str, str]:
    """A new token and its id, through the CLI."""
    assert main(["create", "--org", org, "--name", "ci"]) == 0
    heading, token = capsys.readouterr().out.splitlines()[:2]
    return token, heading.split()[1]


def _revoked(token: str) -> bool:
    stored = TokenStore().find_by_hash(hash_api_token(token))
    assert stored is not None
    return stored.revoked_at is not None


@pytest.mark.usefixtures("table")
def test_create_prints_the_token_once_and_stores_only_its_hash(capsys: pytest.CaptureFixture[str]) -> None:
    token, _ = _create(capsys)

    stored = TokenStore().find_by_hash(hash_api_token(token))
    assert stored is not None
    assert (stored.org_id, stored.name) == ("org_acme", "ci")
    assert token not in repr(stored)


@pytest.mark.usefixtures("table")
def test_list_then_revoke(capsys: pytest.CaptureFixture[str], aws: StubbedAws) -> None:
    token, token_id = _create(capsys)
    main(["list", "--org", "org_acme"])
    listing = capsys.readouterr().out
    assert listing.split()[0] == token_id
    assert "active" in listing
    assert token not in listing

    assert main(["revoke", "--org", "org_acme", "--token-id", token_id], client=aws) == 0
    assert main(["revoke", "--org", "org_acme", "--token-id", token_id], client=aws) == 1
    main(["list", "--org", "org_acme"])
    assert "revoked" in capsys.readouterr().out
    assert _revoked(token)


@pytest.mark.usefixtures("table")
def test_creating_and_revoking_are_audited_as_the_operator_who_ran_them(
    capsys: pytest.CaptureFixture[str], aws: StubbedAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTSTER_OPERATOR", "grace")
    token, token_id = _create(capsys)
    main(["revoke", "--org", "org_acme", "--token-id", token_id, "--operator", "alan"], client=aws)

    records, _ = AuditStore().list_page("org_acme", 10, None)

    assert [(record.action, record.actor_id, record.actor_name) for record in records] == [
        ("token.revoke", "cli:alan", "alan"),
        ("token.create", "cli:grace", "grace"),
    ]
    assert {(record.resource_type, record.resource_id) for record in records} == {("token", token_id)}
    assert all(
        token not in record.model_dump_json() and hash_api_token(token) not in record.model_dump_json()
        for record in records
    )


@pytest.mark.usefixtures("table")
def test_without_an_operator_the_audit_names_the_login(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMPTSTER_OPERATOR", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "ops-laptop")

    _create(capsys)

    [record] = AuditStore().list_page("org_acme", 10, None)[0]
    assert (record.actor_type, record.actor_id, record.actor_name) == ("operator", "cli:ops-laptop", "ops-laptop")


@pytest.mark.usefixtures("acme_prod_table")
def test_revoke_flushes_the_authorizer_cache_of_the_stage_the_stack_outputs_name(
    capsys: pytest.CaptureFixture[str], aws: StubbedAws
) -> None:
    token, token_id = _create(capsys)
    aws.stack_outputs({"TableName": "promptster-acme-prod", "ApiId": "a1b2c3d4e5", "ApiStageName": "prod"})
    aws.stubs["apigateway"].add_response(
        "flush_stage_authorizers_cache", {}, {"restApiId": "a1b2c3d4e5", "stageName": "prod"}
    )

    assert main(["revoke", "--org", "org_acme", "--token-id", token_id], client=aws) == 0

    aws.assert_all_called()
    output = capsys.readouterr()
    assert "Flushed the authorizer cache of stage prod of API a1b2c3d4e5 (Promptster-acme-prod)" in output.out
    assert output.err == ""
    assert _revoked(token)


@pytest.mark.usefixtures("acme_prod_table")
@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ("no stack", "Stack with id Promptster-acme-prod does not exist"),
        ("no outputs", "stack Promptster-acme-prod has no ApiId and ApiStageName outputs"),
        ("no permission", "not authorized to perform: apigateway:DELETE"),
    ],
)
def test_revoke_without_a_flush_still_revokes_and_states_the_remaining_window(
    capsys: pytest.CaptureFixture[str], aws: StubbedAws, failure: str, reason: str
) -> None:
    token, token_id = _create(capsys)
    if failure == "no stack":
        aws.stubs["cloudformation"].add_client_error("describe_stacks", "ValidationError", reason, 400)
    elif failure == "no outputs":
        aws.stack_outputs({"TableName": "promptster-acme-prod"})
    else:
        aws.stack_outputs({"ApiId": "a1b2c3d4e5", "ApiStageName": "prod"})
        aws.stubs["apigateway"].add_client_error(
            "flush_stage_authorizers_cache", "AccessDeniedException", f"User: ops is {reason} on resource", 403
        )

    assert main(["revoke", "--org", "org_acme", "--token-id", token_id], client=aws) == 0

    aws.assert_all_called()
    warning = capsys.readouterr().err
    assert reason in warning
    assert "may still accept the token for up to 300 s" in warning
    assert len(warning.strip().splitlines()) == 1
    assert _revoked(token)


@pytest.mark.usefixtures("table")
def test_revoke_on_a_table_no_stack_created_asks_aws_nothing_and_states_the_window(
    capsys: pytest.CaptureFixture[str], aws: StubbedAws
) -> None:
    token, token_id = _create(capsys)

    assert main(["revoke", "--org", "org_acme", "--token-id", token_id], client=aws) == 0

    warning = capsys.readouterr().err
    assert "table promptster-test is not named promptster-<customer>-<stage>" in warning
    assert "up to 300 s" in warning
    assert _revoked(token)


@pytest.mark.parametrize(
    ("table_name", "deployment"),
    [
        ("promptster-acme-prod", Deployment("acme", "prod")),
        ("promptster-my-co-dev", Deployment("my-co", "dev")),
        ("promptster-local", None),
        ("promptster-test", None),
        ("promptster-acme-qa", None),
        ("promptster-Acme-prod", None),
        ("other-acme-prod", None),
        ("promptster--prod", None),
    ],
)
def test_the_deployment_is_the_one_whose_stack_names_the_table(table_name: str, deployment: Deployment | None) -> None:
    assert deployment_for_table(table_name) == deployment


@pytest.mark.usefixtures("table")
def test_table_chooses_the_table_for_that_command_only(capsys: pytest.CaptureFixture[str]) -> None:
    ensure_table(dynamo.client(), "promptster-other")

    assert main(["create", "--org", "org_acme", "--name", "ci", "--table", "promptster-other"]) == 0
    assert "in table promptster-other:" in capsys.readouterr().out

    assert os.environ["TABLE_NAME"] == "promptster-test"
    assert main(["list", "--org", "org_acme"]) == 1
    assert main(["list", "--org", "org_acme", "--table", "promptster-other"]) == 0


def test_endpoint_url_points_the_cli_at_that_dynamodb(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        external = boto3.client("dynamodb", endpoint_url=endpoint)
        ensure_table(external, "promptster-external")
        where = ["--table", "promptster-external", "--endpoint-url", endpoint]

        assert main(["create", "--org", "org_acme", "--name", "ci", *where]) == 0
        assert main(["list", "--org", "org_acme", *where]) == 0

        # The token, its index entry and the audit record of its creation.
        assert external.scan(TableName="promptster-external")["Count"] == 3
        assert "ci" in capsys.readouterr().out.splitlines()[-1]
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_aws_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS configuration at all: no region, no credentials, no files, no instance metadata."""
    for variable in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # forget credentials resolved by earlier tests


# A loopback port nothing listens on: even a request that got through would go nowhere.
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9"]


@pytest.mark.usefixtures("no_aws_settings")
def test_a_missing_region_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create", "--org", "org_acme", "--name", "ci", *NOWHERE]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "error: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION, or a profile's region)"
    ]


@pytest.mark.usefixtures("no_aws_settings")
def test_missing_credentials_are_a_one_line_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    assert main(["list", "--org", "org_acme", *NOWHERE]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "error: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    ]


def test_an_unreachable_endpoint_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--org", "org_acme", *NOWHERE]) == 1

    assert capsys.readouterr().err.splitlines() == ["error: cannot reach DynamoDB at http://127.0.0.1:9/"]


@pytest.mark.usefixtures("table")
@pytest.mark.parametrize(
    "command",
    [
        ["create", "--org", "org_acme", "--name", "ci"],
        ["list", "--org", "org_acme"],
        ["revoke", "--org", "org_acme", "--token-id", "0190f0a2-7c1e-7000-8000-000000000000"],
    ],
)
def test_a_missing_table_is_a_one_line_error(capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert main([*command, "--table", "promptster-missing"]) == 1

    assert capsys.readouterr().err.splitlines() == [
        "error: table promptster-missing not found in eu-west-1 (name it with --table or TABLE_NAME)"
    ]


@pytest.mark.usefixtures("table")
def test_listing_an_organisation_without_tokens_says_so_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    _create(capsys, org="org_acme")

    assert main(["list", "--org", "nobody"]) == 1

    output = capsys.readouterr()
    assert output.out == ""
    assert output.err.splitlines() == ["error: no tokens for nobody in table promptster-test"]


@pytest.mark.usefixtures("table")
def test_revoking_an_unknown_token_says_so_and_fails(capsys: pytest.CaptureFixture[str], aws: StubbedAws) -> None:
    _create(capsys, org="org_acme")

    assert main(["revoke", "--org", "org_acme", "--token-id", "no-such-id"], client=aws) == 1

    output = capsys.readouterr()
    assert output.out == ""
    assert output.err.splitlines() == ["error: No active token no-such-id for org_acme in table promptster-test"]
