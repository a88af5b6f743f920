"""The functions' code asset holds ``functions/`` and ``shared/`` only (with the runtime's bytecode where it
can be compiled), and every Handler string resolves in it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.code_asset import bundle, runtime_python
from infra.constructs.function import RUNTIME
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
    # Bytecode of the runtime's Python, for every module, where that interpreter was at hand; none else.
    compiled = set(asset.rglob("*.pyc"))
    expected = {_bytecode_of(source) for source in asset.rglob("*.py")} if runtime_python() else set()
    assert compiled == expected


def _bytecode_of(source: Path, version: str = RUNTIME.name.removeprefix("python")) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-{version.replace('.', '')}.pyc"


def test_the_bytecode_is_compiled_by_the_given_python_and_never_checked_against_its_source(tmp_path: Path) -> None:
    bundle(tmp_path, sys.executable)
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"

    sources = sorted(tmp_path.rglob("*.py"))
    assert {path.relative_to(tmp_path).parts[0] for path in sources} == {"functions", "shared"}
    assert sorted(tmp_path.rglob("*.pyc")) == sorted(_bytecode_of(source, version) for source in sources)
    header = _bytecode_of(tmp_path / "shared" / "http.py", version).read_bytes()[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, the source never checked


def test_without_the_runtimes_python_the_asset_holds_the_sources_alone(tmp_path: Path) -> None:
    bundle(tmp_path, None)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["functions", "shared"]
    assert list(tmp_path.rglob("*.pyc")) == []
    assert (tmp_path / "shared" / "catalog" / "issues.json").is_file()


@pytest.mark.parametrize(
    ("script", "found"),
    [
        (f"echo {RUNTIME.name}", True),
        ("echo python3.99", False),  # another version under the runtime's name
        ("exit 127", False),  # a version manager's shim with no such version installed
    ],
)
def test_the_bundler_compiles_only_with_an_interpreter_of_the_runtimes_version(
    script: str, found: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interpreter = tmp_path / RUNTIME.name
    interpreter.write_text(f"#!/bin/sh\n{script}\n")
    interpreter.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    assert runtime_python() == (str(interpreter) if found else None)


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
