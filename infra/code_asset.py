"""The functions' code asset: ``functions/`` and ``shared/``, the pure-Python libraries neither Lambda's
runtime nor the Powertools layer brings (Jinja2 and MarkupSafe, for the report pages), and always their
bytecode.

The libraries are copied from the locked environment (the versions uv.lock pins), never installed
in Docker: both are pure Python, and MarkupSafe's C speedups are left out, so its own pure-Python
fallback runs on any platform Lambda may run (arm64 here) and the asset is the same wherever it is
built. Each keeps its licence and metadata beside it.

Lambda's file system is read-only, so without bytecode in the asset every cold start compiles each
module the function imports (0.14 to 0.33 of the bare boto3 floor for this code, ``make bench``).
Bytecode counts only if the runtime's own Python version wrote it (a ``.pyc`` names that version, and
any other version ignores the file), so the asset is compiled by the Python that synthesizes the
stack, and the functions run on that version (``RUNTIME``): no interpreter to find, nothing skipped.
The files are ``unchecked-hash``: the zip Lambda unpacks keeps no modification times worth
comparing, and the bundler writes each ``.pyc`` beside the very source it compiled."""

from __future__ import annotations

import compileall
import importlib.metadata
import importlib.util
import py_compile
import shutil
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from infra.paths import REPO_ROOT

PACKAGES = ("functions", "shared")
VENDORED = ("jinja2", "markupsafe")
# A compiled extension is for the machine that built it; the libraries above run without theirs.
_NOT_SHIPPED = ("__pycache__", "*.pyc", "*.so", "*.pyd", "*.c")
_DIST_INFO_KEPT = ("METADATA", "LICENSE")


class BytecodeError(Exception):
    """A module of the asset did not compile."""


def bundle(output_dir: Path, source: Path = REPO_ROOT) -> None:
    """Copy the packages of ``source`` and the libraries into ``output_dir``, and compile every module with
    this interpreter."""
    leave_out = shutil.ignore_patterns(*_NOT_SHIPPED)
    for package in PACKAGES:
        shutil.copytree(source / package, output_dir / package, ignore=leave_out)
    for library in VENDORED:
        _copy_library(library, output_dir, leave_out)
    for name in (*PACKAGES, *VENDORED):
        # ``ddir`` names the sources as the asset does, not the staging directory: the same sources make
        # the same bytes, so an unchanged commit keeps its asset hash.
        compiled = compileall.compile_dir(
            output_dir / name,
            ddir=name,
            quiet=1,
            optimize=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        if not compiled:
            raise BytecodeError(f"a module under {name}/ does not compile; see the error printed above")


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
    """Bundles on this machine (never in Docker): a copy, compiled."""

    # jsii hands the bundling options over positionally, where the typed interface declares keywords.
    def try_bundle(self, output_dir: str, *_: Any, **__: Any) -> bool:
        bundle(Path(output_dir))
        return True


def function_code() -> lambda_.Code:
    """The asset every function deploys: the managed layer brings Powertools and pydantic, the runtime boto3,
    the asset itself the rest. Its hash is the bundle's, so the same code compiled by another Python
    version is another asset."""
    return lambda_.Code.from_asset(
        str(REPO_ROOT),
        asset_hash_type=AssetHashType.OUTPUT,
        # The image is never pulled: the local bundling always succeeds.
        bundling=BundlingOptions(image=DockerImage.from_registry("none"), local=_LocalBundling()),
    )
