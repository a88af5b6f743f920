"""The functions' code asset: ``functions/`` and ``shared/``, with their bytecode when the runtime's
Python is at hand to compile it.

Lambda's file system is read-only, so without bytecode in the asset every cold start compiles each
module the function imports (25 to 45 ms for this code on Python 3.12, ``make bench``). Bytecode
counts only if the runtime's own Python version wrote it (a ``.pyc`` names that version, and any
other version ignores the file), so the bundler compiles with ``python3.12`` from PATH, as
``RUNTIME`` says, and ships the sources alone when it is not there: the same code, slower to start.
The files are ``unchecked-hash``: the zip Lambda unpacks keeps no modification times worth
comparing, and the bundler writes each ``.pyc`` beside the very source it compiled."""

from __future__ import annotations

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
    """Copy the packages into ``output_dir``, compiled by ``python`` when there is one."""
    leave_out = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, output_dir / package, ignore=leave_out)
    if python is not None:
        command = [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", *PACKAGES]
        subprocess.run(command, cwd=output_dir, check=True, capture_output=True)  # noqa: S603 - our own arguments


@jsii.implements(ILocalBundling)
class _LocalBundling:
    """Bundles on this machine (never in Docker): a copy, compiled when it can be."""

    # jsii hands the bundling options over positionally, where the typed interface declares keywords.
    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        bundle(Path(output_dir), runtime_python())
        return True


def function_code() -> lambda_.Code:
    """The asset every function deploys: the managed layer brings Powertools and pydantic, the runtime boto3.
    Its hash is the bundle's, so an asset with bytecode and one without are two assets."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT),
        asset_hash_type=AssetHashType.OUTPUT,
        # The image is never pulled: the local bundling always succeeds.
        bundling=BundlingOptions(image=DockerImage.from_registry("none"), local=_LocalBundling()),
    )
