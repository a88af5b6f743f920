"""The functions' code asset: ``functions/`` and ``shared/``, the pure-Python libraries neither Lambda's
runtime nor the Powertools layer brings (Jinja2 and MarkupSafe, for the report pages), and their
bytecode when the runtime's Python is at hand to compile it.

The libraries are copied from the locked environment (the versions uv.lock pins), never installed
in Docker: both are pure Python, and MarkupSafe's C speedups are left out, so its own pure-Python
fallback runs on any platform Lambda may run (arm64 here) and the asset is the same wherever it is
built. Each keeps its licence and metadata beside it.

Lambda's file system is read-only, so without bytecode in the asset every cold start compiles each
module the function imports (25 to 45 ms for this code on Python 3.12, ``make bench``). Bytecode
counts only if the runtime's own Python version wrote it (a ``.pyc`` names that version, and any
other version ignores the file), so the bundler compiles with ``python3.12`` from PATH, as
``RUNTIME`` says, and ships the sources alone when it is not there: the same code, slower to start.
The files are ``unchecked-hash``: the zip Lambda unpacks keeps no modification times worth
comparing, and the bundler writes each ``.pyc`` beside the very source it compiled."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.constructs.function import RUNTIME
from infra.paths import REPO_ROOT

PACKAGES = ("functions", "shared")
VENDORED = ("jinja2", "markupsafe")
# A compiled extension is for the machine that built it; the libraries above run without theirs.
_NOT_SHIPPED = ("__pycache__", "*.pyc", "*.so", "*.pyd", "*.c")
_DIST_INFO_KEPT = ("METADATA", "LICENSE")


def runtime_python() -> str | None:
    """The interpreter of the runtime's Python version on PATH (``python3.12``), if there is one that runs
    and is that version (a version manager's shim may be neither)."""
    found = shutil.which(RUNTIME.name)
    if found is None:
        return None
    version = "import sys; print(f'python{sys.version_info[0]}.{sys.version_info[1]}')"
    done = subprocess.run([found, "-c", version], capture_output=True, text=True, check=False)  # noqa: S603
    return found if done.returncode == 0 and done.stdout.strip() == RUNTIME.name else None


def bundle(output_dir: Path, python: str | None) -> None:
    """Copy the packages and the libraries into ``output_dir``, compiled by ``python`` when there is one."""
    leave_out = shutil.ignore_patterns(*_NOT_SHIPPED)
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, output_dir / package, ignore=leave_out)
    for library in VENDORED:
        _copy_library(library, output_dir, leave_out)
    if python is not None:
        command = [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", *PACKAGES, *VENDORED]
        subprocess.run(command, cwd=output_dir, check=True, capture_output=True)  # noqa: S603 - our own arguments


def _copy_library(name: str, output_dir: Path, leave_out: Any) -> None:
    """The installed package ``name`` and its distribution's metadata and licence files."""
    distribution = importlib.metadata.distribution(name)
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed in this environment: run make to install uv.lock")
    shutil.copytree(Path(spec.origin).parent, output_dir / name, ignore=leave_out)
    for file in distribution.files or ():
        if file.parts[0].endswith(".dist-info") and file.name.startswith(_DIST_INFO_KEPT):
            target = output_dir / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(str(distribution.locate_file(file))), target)


@jsii.implements(ILocalBundling)
class _LocalBundling:
    """Bundles on this machine (never in Docker): a copy, compiled when it can be."""

    # jsii hands the bundling options over positionally, where the typed interface declares keywords.
    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        bundle(Path(output_dir), runtime_python())
        return True


def function_code() -> lambda_.Code:
    """The asset every function deploys: the managed layer brings Powertools and pydantic, the runtime boto3,
    the asset itself the rest.
    Its hash is the bundle's, so an asset with bytecode and one without are two assets."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT),
        asset_hash_type=AssetHashType.OUTPUT,
        # The image is never pulled: the local bundling always succeeds.
        bundling=BundlingOptions(image=DockerImage.from_registry("none"), local=_LocalBundling()),
    )
