"""The functions' code asset: ``functions/`` and ``shared/``, always with their bytecode.

Lambda's file system is read-only, so without bytecode in the asset every cold start compiles each
module the function imports (0.13 to 0.24 of the bare boto3 floor for this code, ``make bench``).
Bytecode counts only if the runtime's own Python version wrote it (a ``.pyc`` names that version, and
any other version ignores the file), so the asset is compiled by the Python that synthesizes the
stack, and the functions run on that version (``RUNTIME``): no interpreter to find, nothing skipped.
The files are ``unchecked-hash``: the zip Lambda unpacks keeps no modification times worth
comparing, and the bundler writes each ``.pyc`` beside the very source it compiled."""

from __future__ import annotations

import compileall
import py_compile
import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.paths import REPO_ROOT

PACKAGES = ("functions", "shared")


class BytecodeError(Exception):
    """A module of the asset did not compile."""


def bundle(output_dir: Path, source: Path = REPO_ROOT) -> None:
    """Copy the packages of ``source`` into ``output_dir`` and compile every module with this interpreter."""
    leave_out = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in PACKAGES:
        shutil.copytree(source / package, output_dir / package, ignore=leave_out)
        # ``ddir`` names the sources as the asset does, not the staging directory: the same sources make
        # the same bytes, so an unchanged commit keeps its asset hash.
        compiled = compileall.compile_dir(
            output_dir / package,
            ddir=package,
            quiet=1,
            optimize=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not compiled:
            raise BytecodeError(f"a module under {package}/ does not compile; see the error printed above")


@jsii.implements(ILocalBundling)
class _LocalBundling:
    """Bundles on this machine (never in Docker): a copy, compiled."""

    # jsii hands the bundling options over positionally, where the typed interface declares keywords.
    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        bundle(Path(output_dir))
        return True


def function_code() -> lambda_.Code:
    """The asset every function deploys: the managed layer brings Powertools and pydantic, the runtime boto3.
    Its hash is the bundle's, so the same code compiled by another Python version is another asset."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT),
        asset_hash_type=AssetHashType.OUTPUT,
        # The image is never pulled: the local bundling always succeeds.
        bundling=BundlingOptions(image=DockerImage.from_registry("none"), local=_LocalBundling()),
    )
