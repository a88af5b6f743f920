"""Lambda SnapStart (``-c snapStart=true``): API Gateway calls each function's ``live`` alias of a published,
snapshotted version; off by default. Nothing an import builds may end up in a snapshot shared by many
environments: no client, no connection."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from infra.constructs.function import (
    LIVE_ALIAS,
    RUNTIMES,
    SNAP_START_RUNTIMES,
    UnsupportedPythonError,
    refuse_snap_start_on,
)
from infra.paths import REPO_ROOT
from shared.routes import AUTHORIZER_HANDLER, ROUTES
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# Imports every handler module as a fresh Lambda environment would, recording each botocore client built.
IMPORT_RECORDING_CLIENTS = """
import importlib, json, sys
import botocore.client
built = []
create_client = botocore.client.ClientCreator.create_client
def recording(self, service_name, *arguments, **keywords):
    built.append(service_name)
    return create_client(self, service_name, *arguments, **keywords)
botocore.client.ClientCreator.create_client = recording
for handler in json.loads(sys.argv[1]):
    importlib.import_module(handler.rpartition(".")[0])
print(json.dumps(built))
"""


def _referenced(value: Any) -> set[str]:
    """Every logical id a template value refers to (Ref or GetAtt, not pseudo parameters), however deeply nested."""
    if isinstance(value, dict):
        if "Ref" in value:
            return set() if value["Ref"].startswith("AWS::") else {value["Ref"]}
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        return set().union(*(_referenced(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_referenced(item) for item in value))
    return set()


def _aliases_by_function(stack: Synthesized) -> dict[str, str]:
    return {props["FunctionName"]["Ref"]: alias for alias, props in stack.properties("AWS::Lambda::Alias").items()}


# The functions run on the Python that synthesizes the stack; Lambda snapshots Python 3.12 and later.
def test_snap_start_is_refused_for_python_3_11_saying_which_python_to_synthesize_with() -> None:
    with pytest.raises(UnsupportedPythonError, match=r"snapshots Python 3\.12 and later.*PYTHON=python3\.12"):
        refuse_snap_start_on(RUNTIMES[(3, 11)])


@pytest.mark.parametrize("version", [(3, 12), (3, 13)])
def test_snap_start_is_taken_for_python_3_12_and_later(version: tuple[int, int]) -> None:
    refuse_snap_start_on(RUNTIMES[version])


def test_by_default_api_gateway_invokes_the_functions_themselves(prod: Synthesized, dev: Synthesized) -> None:
    for stack in (prod, dev):
        functions = stack.properties("AWS::Lambda::Function")
        assert all("SnapStart" not in props for props in functions.values())
        assert stack.resources("AWS::Lambda::Version") == stack.resources("AWS::Lambda::Alias") == {}
        for permission in stack.properties("AWS::Lambda::Permission").values():
            assert _referenced(permission["FunctionName"]) <= set(functions)


def test_with_snap_start_every_function_snapshots_its_published_versions_behind_a_live_alias(
    snap_start: Synthesized,
) -> None:
    functions = snap_start.properties("AWS::Lambda::Function")
    versions = snap_start.resources("AWS::Lambda::Version")
    aliases = snap_start.properties("AWS::Lambda::Alias")

    assert len(functions) == len(ROUTES) + 4  # the authorizer, the stream consumer, webhook delivery, reminders
    assert all(props["SnapStart"] == {"ApplyOn": "PublishedVersions"} for props in functions.values())
    assert {props["Runtime"] for props in functions.values()} <= SNAP_START_RUNTIMES
    assert set(_aliases_by_function(snap_start)) == set(functions)
    for alias in aliases.values():
        (version,) = _referenced(alias["FunctionVersion"])
        assert alias["Name"] == LIVE_ALIAS
        assert versions[version]["Properties"]["FunctionName"] == alias["FunctionName"]
        # A superseded version goes, and its snapshot stops being billed.
        assert versions[version]["DeletionPolicy"] == "Delete"


def test_with_snap_start_methods_authorizers_and_permissions_all_name_the_aliases(snap_start: Synthesized) -> None:
    functions = set(snap_start.resources("AWS::Lambda::Function"))
    aliases = set(snap_start.resources("AWS::Lambda::Alias"))
    authorizer_function = next(
        logical_id
        for logical_id, props in snap_start.properties("AWS::Lambda::Function").items()
        if props["Handler"] == AUTHORIZER_HANDLER
    )

    methods = snap_start.properties("AWS::ApiGateway::Method").values()
    assert len(methods) == len(ROUTES)
    for method in methods:
        (target,) = _referenced(method["Integration"]["Uri"])
        assert target in aliases
    for authorizer in snap_start.properties("AWS::ApiGateway::Authorizer").values():
        assert _referenced(authorizer["AuthorizerUri"]) == {_aliases_by_function(snap_start)[authorizer_function]}
    permissions = snap_start.properties("AWS::Lambda::Permission").values()
    # API Gateway's for each route and authorizer, EventBridge's for the reminder job's schedule.
    authorizers = len({route.auth for route in ROUTES if route.auth.needs_authorizer})
    assert len(permissions) == len(ROUTES) + authorizers + 1
    for permission in permissions:
        assert _referenced(permission["FunctionName"]) <= aliases
        assert not _referenced(permission["FunctionName"]) & functions


def test_the_snap_start_stack_passes_cdk_nag(snap_start: Synthesized) -> None:
    report = json.loads((snap_start.outdir / "validation-report.json").read_text())

    assert [violation for plugin in report["pluginReports"] for violation in plugin["violations"]] == []


def test_importing_any_handler_builds_no_aws_client_a_snapshot_could_capture() -> None:
    handlers = [route.handler for route in ROUTES] + [AUTHORIZER_HANDLER]

    result = subprocess.run(
        [sys.executable, "-c", IMPORT_RECORDING_CLIENTS, json.dumps(handlers)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        # In Lambda (LAMBDA_TASK_ROOT set) the X-Ray SDK samples locally and builds no client of its own.
        env={
            "PATH": "/usr/bin:/bin",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "LAMBDA_TASK_ROOT": str(REPO_ROOT),
            "POWERTOOLS_METRICS_DISABLED": "true",
        },
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
