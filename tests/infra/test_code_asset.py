"""The functions' code asset holds ``functions/``, ``shared/`` and the pure-Python libraries the runtime and
the layer lack (Jinja2 and MarkupSafe, without compiled speedups), with the runtime's bytecode where it can
be compiled, and every Handler string resolves in it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.code_asset import PACKAGES, VENDORED, bundle, runtime_python
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
libraries = {name: getattr(sys.modules.get(name), "__file__", None) for name in ("jinja2", "markupsafe")}
print(json.dumps({"handlers": found, "libraries": libraries, "speedups": "markupsafe._speedups" in sys.modules}))
"""
# Run with no site-packages at all (-S): the asset alone, as a function's code sees its own libraries.
RENDER_FROM_THE_ASSET = """
import importlib.metadata, json
import jinja2, markupsafe
try:
    import markupsafe._speedups
    speedups = True
except ImportError:
    speedups = False
page = jinja2.Environment(autoescape=True).from_string("<p>{{ text }}</p>").render(text="<script>x</script>")
print(json.dumps({
    "page": page,
    "speedups": speedups,
    "files": [jinja2.__file__, markupsafe.__file__],
    "versions": [importlib.metadata.version("jinja2"), importlib.metadata.version("markupsafe")],
}))
"""


def _shipped_directories() -> list[str]:
    """What the asset's root holds: the packages, the libraries and their metadata (licences included)."""
    versions = [f"{name}-{importlib.metadata.version(name)}.dist-info" for name in VENDORED]
    return sorted([*PACKAGES, *VENDORED, *versions])


def _asset_directories(stack: Synthesized) -> dict[str, Path]:
    """Handler string -> the staged code asset its function deploys."""
    return {
        props["Handler"]: stack.outdir / f"asset.{props['Code']['S3Key'].removesuffix('.zip')}"
        for props in stack.properties("AWS::Lambda::Function").values()
    }


def test_one_code_asset_with_functions_and_shared_only(prod: Synthesized) -> None:
    (asset,) = set(_asset_directories(prod).values())

    assert sorted(path.name for path in asset.iterdir()) == _shipped_directories()
    assert [path.name for path in asset.rglob("*") if path.suffix in (".so", ".pyd", ".c")] == []
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
    assert {path.relative_to(tmp_path).parts[0] for path in sources} == {*PACKAGES, *VENDORED}
    assert sorted(tmp_path.rglob("*.pyc")) == sorted(_bytecode_of(source, version) for source in sources)
    header = _bytecode_of(tmp_path / "shared" / "http.py", version).read_bytes()[:8]
    assert header[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, the source never checked


def test_without_the_runtimes_python_the_asset_holds_the_sources_alone(tmp_path: Path) -> None:
    bundle(tmp_path, None)

    assert sorted(path.name for path in tmp_path.iterdir()) == _shipped_directories()
    assert list(tmp_path.rglob("*.pyc")) == []
    assert (tmp_path / "shared" / "catalog" / "issues.json").is_file()
    assert (tmp_path / "shared" / "reports" / "templates" / "report.html").is_file()
    licences = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.glob("*.dist-info/licenses/*"))
    assert [licence.split("-")[0] for licence in licences] == list(VENDORED)


def test_the_template_engine_runs_from_a_copy_of_the_asset_alone_without_compiled_speedups(tmp_path: Path) -> None:
    bundle(tmp_path, None)

    done = subprocess.run(
        [sys.executable, "-S", "-c", RENDER_FROM_THE_ASSET],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )

    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["page"] == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert found["speedups"] is False
    assert all(Path(file).is_relative_to(tmp_path) for file in found["files"])
    assert found["versions"] == [importlib.metadata.version(name) for name in VENDORED]  # the locked ones


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
    loaded = json.loads(result.stdout)
    found = loaded["handlers"]
    # The report pages' Jinja2 and MarkupSafe are the asset's, the pure-Python MarkupSafe at that.
    assert all(Path(file).is_relative_to(asset) for file in loaded["libraries"].values()), loaded["libraries"]
    assert loaded["speedups"] is False
    for handler in handlers:
        assert found[handler]["callable"], f"{handler}: {found[handler].get('error', 'not callable')}"
        assert Path(found[handler]["file"]).is_relative_to(asset), f"{handler} was imported from outside the asset"
