"""A Python client generated from openapi.json by openapi-python-client covers every operation with typed
bodies, and runs the seed flow against the local server: what a client developer's generated code does."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from infra.openapi import DOCUMENT_PATH, openapi_document
from shared.routes import ROUTES
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

PACKAGE = "promptster_client"


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """openapi-python-client run on the committed document, without its formatting hooks."""
    root = tmp_path_factory.mktemp("client")
    config = root / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(DOCUMENT_PATH), "--output-path", str(root / PACKAGE)]
    return subprocess.run(
        [*command, "--meta", "none", "--config", str(config)], capture_output=True, text=True, check=False, cwd=root
    )


@pytest.fixture(scope="module")
def client_package(generation: subprocess.CompletedProcess[str]) -> Iterator[ModuleType]:
    """The generated package, importable for the module's tests."""
    assert generation.returncode == 0, generation.stdout + generation.stderr
    root = str(Path(generation.args[generation.args.index("--output-path") + 1]).parent)
    sys.path.insert(0, root)
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(root)
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _operation(package: ModuleType, name: str) -> ModuleType:
    """The generated module of the operation called ``name`` (one module per operationId, under its tag)."""
    api = importlib.import_module(f"{package.__name__}.api")
    for tag in pkgutil.iter_modules(api.__path__):
        if (Path(api.__path__[0]) / tag.name / f"{name}.py").exists():
            return importlib.import_module(f"{api.__name__}.{tag.name}.{name}")
    raise AssertionError(f"no generated module for the operation {name}")


def test_the_generator_reads_the_document_without_a_warning(generation: subprocess.CompletedProcess[str]) -> None:
    output = generation.stdout + generation.stderr

    assert generation.returncode == 0, output
    assert "warning" not in output.lower(), output


def test_every_operation_is_generated(client_package: ModuleType) -> None:
    for route in ROUTES:
        assert callable(_operation(client_package, route.name).sync_detailed), route.name


@pytest.mark.parametrize("model", ["CreateAssessmentRequest", "GenerateKeysRequest"])
def test_request_bodies_are_models_with_every_field_typed(client_package: ModuleType, model: str) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    generated = getattr(models, model)
    documented = openapi_document()["components"]["schemas"][model]["properties"]

    hints = typing.get_type_hints(generated, vars(sys.modules[generated.__module__]))
    fields = {field.name for field in attrs.fields(generated)} - {"additional_properties"}

    assert len(fields) == len(documented)
    assert all(hints[field] is not Any for field in fields)


def test_the_seed_flow_runs_through_the_generated_client(client_package: ModuleType, api: Api) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_package.AuthenticatedClient(base_url=api.base_url, token=new_token("org_generated_client"))

    created = _operation(client_package, "create_assessment").sync_detailed(
        client=client, body=models.CreateAssessmentRequest.from_dict(SEED_BODY)
    )
    assessment_id = created.parsed.assessment.id
    keys = _operation(client_package, "generate_keys").sync_detailed(
        assessment_id,
        client=client,
        body=models.GenerateKeysRequest(
            count=2, candidate_emails=["ada@example.com", "alan@example.com"], candidate_names=["Ada", "Alan"]
        ),
    )
    listed = _operation(client_package, "list_assessments").sync_detailed(client=client)
    fetched = _operation(client_package, "get_assessment").sync_detailed(assessment_id, client=client)
    key_page = _operation(client_package, "list_keys").sync_detailed(assessment_id, client=client)
    deleted = _operation(client_package, "delete_assessment").sync_detailed(assessment_id, client=client)

    assert (created.status_code, keys.status_code, deleted.status_code) == (201, 201, 200)
    assert created.parsed.assessment.title == SEED_BODY["title"]
    assert [key.candidate_name for key in keys.parsed.keys] == ["Ada", "Alan"]
    assert [item.id for item in listed.parsed.assessments] == [assessment_id]
    assert fetched.parsed.assessment.to_dict() == created.parsed.assessment.to_dict()
    assert [key.id for key in key_page.parsed.keys] == [key.id for key in keys.parsed.keys]
    assert deleted.parsed.to_dict() == {"ok": True, "id": assessment_id}


def test_a_refusal_reaches_the_generated_client_as_the_documented_error(client_package: ModuleType, api: Api) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    client = client_package.AuthenticatedClient(base_url=api.base_url, token=new_token("org_generated_refusal"))
    assessment_id = (
        _operation(client_package, "create_assessment")
        .sync_detailed(client=client, body=models.CreateAssessmentRequest.from_dict(SEED_BODY))
        .parsed.assessment.id
    )

    refused = _operation(client_package, "generate_keys").sync_detailed(
        assessment_id, client=client, body=models.GenerateKeysRequest(count=2, candidate_emails=["ada@example.com"])
    )

    assert refused.status_code == 400
    assert (refused.parsed.code, refused.parsed.details[0].path) == ("validation_error", ["candidateEmails"])
