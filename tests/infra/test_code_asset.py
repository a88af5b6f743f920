"""The functions' code asset holds ``functions/`` and ``shared/`` only, and every Handler string resolves in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# Runs inside the asset directory, as Lambda would: the current directory first on sys.path.
IMPORT_HANDLERS = """
import importlib, json, sys
found = {}
for handler in json.loads(sys.argv[1]):
    module_name, _, attribute = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        found[handler] = {"callable": callable(getattr(module, attribute, None)), "file": module.__file__}
    except Exception as error:
        found[handler] = {"callable": False, "file": None, "error": repr(error)}
print(json.dumps(found))
"""


def _asset_directories(stack: Synthesized) -> dict[str, Path]:
    """Handler string -> the staged code asset its function deploys."""
    return {
        props["Handler"]: stack.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
        for props in stack.properties("AWS::Lambda::Function").values()
    }


def test_one_code_asset_with_functions_and_shared_only(prod: Synthesized) -> None:
    (asset,) = set(_asset_directories(prod).values())

    assert sorted(path.name for path in asset.iterdir()) == ["functions", "shared"]
    assert not [path for path in asset.rglob("*") if path.name == "__pycache__" or path.suffix == ".pyc"]


def test_every_handler_string_names_a_callable_in_the_code_asset(prod: Synthesized) -> None:
    (asset,) = set(_asset_directories(prod).values())
    handlers = sorted(_asset_directories(prod))

    result = subprocess.run(
        [sys.executable, "-c", IMPORT_HANDLERS, json.dumps(handlers)],
        cwd=asset,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "POWERTOOLS_METRICS_DISABLED": "true", "AWS_DEFAULT_REGION": "eu-west-1"},
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    for handler in handlers:
        assert found[handler]["callable"], f"{handler}: {found[handler].get('error', 'not callable')}"
        assert Path(found[handler]["file"]).is_relative_to(asset), f"{handler} was imported from outside the asset"
