"""The functions' code asset holds ``functions/`` and ``shared/`` only, always with the bytecode of the runtime
its functions run on, and every Handler string resolves in it."""

from __future__ import annotations

import importlib.util
import json
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from infra.code_asset import BytecodeError, bundle
from infra.constructs.function import UnsupportedPythonError, runtime_for
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


def test_every_module_of_the_asset_has_bytecode_for_the_runtime_its_functions_run_on(prod: Synthesized) -> None:
    (runtime,) = {props["Runtime"] for props in prod.properties("AWS::Lambda::Function").values()}
    (asset,) = set(_asset_directories(prod).values())

    compiled = set(asset.rglob("*.pyc"))
    assert compiled == {_bytecode_of(source, runtime.removeprefix("python")) for source in asset.rglob("*.py")}
    for bytecode in compiled:
        assert bytecode.read_bytes()[:4] == importlib.util.MAGIC_NUMBER, f"{bytecode} is not this Python's"


def _bytecode_of(source: Path, version: str) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-{version.replace('.', '')}.pyc"


def test_the_functions_run_on_the_python_that_synthesizes_the_stack(prod: Synthesized) -> None:
    building = f"python{sys.version_info.major}.{sys.version_info.minor}"

    assert {props["Runtime"] for props in prod.properties("AWS::Lambda::Function").values()} == {building}


def test_the_bytecode_is_never_checked_against_its_source_and_names_the_sources_as_the_asset_does(
    tmp_path: Path,
) -> None:
    bundle(tmp_path)

    bytecode = tmp_path / "shared" / "__pycache__" / f"http.{sys.implementation.cache_tag}.pyc"
    header = bytecode.read_bytes()[:8]
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, the source never checked
    code = marshal.loads(bytecode.read_bytes()[16:])
    assert code.co_filename == "shared/http.py"  # not the staging directory, so the asset's hash holds


def test_a_module_that_does_not_compile_fails_the_bundle(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for package in ("functions", "shared"):
        (repo / package).mkdir(parents=True)
    (repo / "shared" / "broken.py").write_text("def broken(:\n")

    with pytest.raises(BytecodeError, match="shared/"):
        bundle(tmp_path / "asset", repo)


@pytest.mark.parametrize("version", [(3, 11), (3, 12), (3, 13)])
def test_each_python_the_code_runs_on_is_the_lambda_runtime_of_its_version(version: tuple[int, int]) -> None:
    assert runtime_for(version).name == f"python{version[0]}.{version[1]}"


@pytest.mark.parametrize("version", [(3, 10), (3, 14)])
def test_synthesis_by_a_python_no_function_runs_on_fails_saying_which_to_use(version: tuple[int, int]) -> None:
    with pytest.raises(UnsupportedPythonError, match=rf"this is Python {version[0]}\.{version[1]}; use one of 3\.11"):
        runtime_for(version)


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
