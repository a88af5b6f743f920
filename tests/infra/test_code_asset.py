"""The functions' code asset holds ``functions/``, ``shared/`` and the pure-Python libraries the runtime and
the layer lack (Jinja2 and MarkupSafe, without compiled speedups), always with the bytecode of the runtime
its functions run on, and every Handler string resolves in it."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import marshal
import subprocess
import sys
from pathlib import Path

import pytest

from infra.code_asset import PACKAGES, VENDORED, BytecodeError, bundle
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


def test_the_asset_holds_the_libraries_with_their_licences_and_the_packages_data(tmp_path: Path) -> None:
    bundle(tmp_path)

    assert sorted(path.name for path in tmp_path.iterdir()) == _shipped_directories()
    sources = sorted(tmp_path.rglob("*.py"))
    assert {path.relative_to(tmp_path).parts[0] for path in sources} == {*PACKAGES, *VENDORED}
    assert (tmp_path / "shared" / "catalog" / "issues.json").is_file()
    assert (tmp_path / "shared" / "reports" / "templates" / "report.html").is_file()
    licences = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.glob("*.dist-info/licenses/*"))
    assert [licence.split("-")[0] for licence in licences] == list(VENDORED)


def test_the_template_engine_runs_from_a_copy_of_the_asset_alone_without_compiled_speedups(tmp_path: Path) -> None:
    bundle(tmp_path)

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
    loaded = json.loads(result.stdout)
    found = loaded["handlers"]
    # The report pages' Jinja2 and MarkupSafe are the asset's, the pure-Python MarkupSafe at that.
    assert all(Path(file).is_relative_to(asset) for file in loaded["libraries"].values()), loaded["libraries"]
    assert loaded["speedups"] is False
    for handler in handlers:
        assert found[handler]["callable"], f"{handler}: {found[handler].get('error', 'not callable')}"
        assert Path(found[handler]["file"]).is_relative_to(asset), f"{handler} was imported from outside the asset"
