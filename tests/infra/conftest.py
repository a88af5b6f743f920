"""The stack, synthesized once per session: prod in-process (cdk-nag included), dev by ``python -m infra.app``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template

from infra import stack as stack_module
from infra.app import build_app, cdk_json_context
from infra.constructs import function as function_module
from infra.constructs.function import RUNTIME, SNAP_START_RUNTIMES
from infra.paths import REPO_ROOT

CLI_PACKAGE = "https://downloads.acme.com/promptster_cli-0.1.0-py3-none-any.whl"
PROD_CONTEXT = {
    "customer": "acme",
    "stage": "prod",
    "alarmEmail": "ops@example.com",
    "mailFrom": "hiring@acme.com",
    "cliPackage": CLI_PACKAGE,
}
DEV_CONTEXT = {"customer": "acme", "stage": "dev"}
SNAP_START_CONTEXT = {**DEV_CONTEXT, "snapStart": "true"}
CUSTOMER_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
# Under the customer's key: a key created by the stack in production, an existing one in dev.
PROD_KMS_CONTEXT = {**PROD_CONTEXT, "customerManagedKey": "true"}
DEV_KMS_CONTEXT = {**DEV_CONTEXT, "kmsKeyArn": CUSTOMER_KEY_ARN}


@dataclass(frozen=True)
class Synthesized:
    """One synthesized stack: its template, the cloud assembly it was written to, and how long it took."""

    stack_name: str
    template: dict[str, Any]
    outdir: Path
    seconds: float
    output: str = ""  # what the synthesis printed, when it ran as a process

    @cached_property
    def nested_templates(self) -> dict[str, Path]:
        """The logical id of each nested stack -> the file of its template in the cloud assembly."""
        assets = json.loads((self.outdir / f"{self.stack_name}.assets.json").read_text())["files"]
        found = {}
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] == "AWS::CloudFormation::Stack":
                url = json.dumps(resource["Properties"]["TemplateURL"])
                (path,) = [asset["source"]["path"] for digest, asset in assets.items() if f"/{digest}.json" in url]
                found[logical_id] = self.outdir / path
        return found

    @cached_property
    def every_resource(self) -> dict[str, dict[str, Any]]:
        """The stack's resources and its nested stacks' in one view, a nested stack's reference to one of its
        parameters replaced by what the stack passes it, and the stack's reference to a nested stack's output
        by the output's value: assertions read one template, however it is split."""
        outputs: dict[tuple[str, str], Any] = {}
        merged: dict[str, dict[str, Any]] = {}
        for logical_id, path in self.nested_templates.items():
            passed = self.template["Resources"][logical_id]["Properties"].get("Parameters", {})
            nested = _passing(json.loads(path.read_text()), passed)
            merged.update(nested["Resources"])
            for name, output in nested.get("Outputs", {}).items():
                outputs[(logical_id, f"Outputs.{name}")] = output["Value"]
        for logical_id, resource in self.template["Resources"].items():
            if logical_id not in self.nested_templates:
                merged[logical_id] = _reading_outputs(resource, outputs)
        return merged

    @property
    def template_files(self) -> list[Path]:
        """The stack's template and its nested stacks', as written to the cloud assembly."""
        return [self.outdir / f"{self.stack_name}.template.json", *self.nested_templates.values()]

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id -> resource, for every resource of ``resource_type`` (nested stacks' included)."""
        return {
            logical_id: resource
            for logical_id, resource in self.every_resource.items()
            if resource["Type"] == resource_type
        }

    def properties(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id -> ``Properties``, for every resource of ``resource_type``."""
        return {logical_id: resource["Properties"] for logical_id, resource in self.resources(resource_type).items()}

    def function(self, handler: str) -> tuple[str, dict[str, Any]]:
        """The logical id and ``Properties`` of the one function serving ``handler``."""
        (found,) = [
            (logical_id, props)
            for logical_id, props in self.properties("AWS::Lambda::Function").items()
            if props["Handler"] == handler
        ]
        return found

    def role_statements(self, handler: str) -> list[dict[str, Any]]:
        """Every policy statement of the role of the function serving ``handler``."""
        role = self.function(handler)[1]["Role"]["Fn::GetAtt"][0]
        return [
            statement
            for policy in self.properties("AWS::IAM::Policy").values()
            if policy["Roles"] == [{"Ref": role}]
            for statement in policy["PolicyDocument"]["Statement"]
        ]


def _passing(value: Any, passed: dict[str, Any]) -> Any:
    """``value`` with each ``{"Ref": parameter}`` of ``passed`` replaced by what is passed for it."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in passed:
            return passed[value["Ref"]]
        return {key: _passing(item, passed) for key, item in value.items()}
    if isinstance(value, list):
        return [_passing(item, passed) for item in value]
    return value


def _reading_outputs(value: Any, outputs: dict[tuple[str, str], Any]) -> Any:
    """``value`` with each ``{"Fn::GetAtt": [nested stack, "Outputs.…"]}`` replaced by that output's value."""
    if isinstance(value, dict):
        if set(value) == {"Fn::GetAtt"} and tuple(value["Fn::GetAtt"]) in outputs:
            return outputs[tuple(value["Fn::GetAtt"])]
        return {key: _reading_outputs(item, outputs) for key, item in value.items()}
    if isinstance(value, list):
        return [_reading_outputs(item, outputs) for item in value]
    return value


def statement_actions(statement: dict[str, Any]) -> set[str]:
    """The actions a policy statement allows (one or a list)."""
    actions = statement["Action"]
    return set(actions) if isinstance(actions, list) else {actions}


@dataclass(frozen=True)
class ProdSynthesis:
    synthesized: Synthesized
    app: App


@pytest.fixture(scope="session")
def prod_synthesis(tmp_path_factory: pytest.TempPathFactory) -> ProdSynthesis:
    """The production stack for customer ``acme``; synthesis fails on any unacknowledged cdk-nag finding."""
    outdir = tmp_path_factory.mktemp("cdk-prod")
    started = time.perf_counter()
    app = build_app({**cdk_json_context(), **PROD_CONTEXT}, outdir=str(outdir))
    assembly = app.synth()
    seconds = time.perf_counter() - started
    (stack,) = assembly.stacks
    return ProdSynthesis(Synthesized(stack.stack_name, stack.template, outdir, seconds), app)


@pytest.fixture(scope="session")
def prod(prod_synthesis: ProdSynthesis) -> Synthesized:
    return prod_synthesis.synthesized


@pytest.fixture(scope="session")
def prod_template(prod: Synthesized) -> Template:
    return Template.from_json(prod.template)


@pytest.fixture(scope="session")
def snap_start(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The dev stack with ``-c snapStart=true``; synthesis fails on any unacknowledged cdk-nag finding.

    Synthesized by Python 3.11, the stack refuses SnapStart (test_snap_start.py holds that); the versions,
    aliases and permissions SnapStart adds do not depend on the Python, so here the stack is made as a
    Python 3.12 synthesis makes it, and every SnapStart test runs whatever Python runs the tests."""
    outdir = tmp_path_factory.mktemp("cdk-snap-start")
    started = time.perf_counter()
    with pytest.MonkeyPatch.context() as patch:
        if RUNTIME.name not in SNAP_START_RUNTIMES:
            layer = function_module.POWERTOOLS_LAYER_PARAMETER.replace(RUNTIME.name, lambda_.Runtime.PYTHON_3_12.name)
            for module in (function_module, stack_module):
                patch.setattr(module, "RUNTIME", lambda_.Runtime.PYTHON_3_12)
                patch.setattr(module, "POWERTOOLS_LAYER_PARAMETER", layer)
        (stack,) = build_app({**cdk_json_context(), **SNAP_START_CONTEXT}, outdir=str(outdir)).synth().stacks
    return Synthesized(stack.stack_name, stack.template, outdir, time.perf_counter() - started)


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The dev stack, synthesized the way ``make synth`` does it: ``python -m infra.app`` in a fresh process."""
    outdir = tmp_path_factory.mktemp("cdk-dev")
    arguments = [f"{key}={value}" for key, value in DEV_CONTEXT.items()]
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "infra.app", *(f"-c{argument}" for argument in arguments), "-o", str(outdir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={key: value for key, value in os.environ.items() if key != "CDK_OUTDIR"},
        check=False,
    )
    seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    stack_name = f"Promptster-{DEV_CONTEXT['customer']}-{DEV_CONTEXT['stage']}"
    template = json.loads((outdir / f"{stack_name}.template.json").read_text())
    return Synthesized(stack_name, template, outdir, seconds, result.stdout)


def _synthesize(tmp_path_factory: pytest.TempPathFactory, name: str, context: dict[str, str]) -> Synthesized:
    """The stack ``context`` describes, synthesized in-process; fails on any unacknowledged cdk-nag finding."""
    outdir = tmp_path_factory.mktemp(name)
    started = time.perf_counter()
    (stack,) = build_app({**cdk_json_context(), **context}, outdir=str(outdir)).synth().stacks
    return Synthesized(stack.stack_name, stack.template, outdir, time.perf_counter() - started, "")


@pytest.fixture(scope="session")
def prod_kms(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The production stack with ``-c customerManagedKey=true``."""
    return _synthesize(tmp_path_factory, "cdk-prod-kms", PROD_KMS_CONTEXT)


@pytest.fixture(scope="session")
def dev_kms(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """The dev stack with ``-c kmsKeyArn=…`` (an existing key)."""
    return _synthesize(tmp_path_factory, "cdk-dev-kms", DEV_KMS_CONTEXT)
