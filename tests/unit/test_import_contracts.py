"""The code keeps its shape: no import circles and no layer importing a higher one, as the import-linter
contracts in pyproject.toml declare them; and the contracts do catch a circle when one appears."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from infra.paths import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("shared", "functions", "infra")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Check the contracts of ``root``'s pyproject.toml against the packages under ``root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )


def a_copy_of_the_tree(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(REPO_ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", destination)
    return destination


def test_the_tree_keeps_every_contract() -> None:
    checked = lint_imports(REPO_ROOT)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 broken" in checked.stdout


def test_a_circle_between_two_store_modules_breaks_the_contracts(tmp_path: Path) -> None:
    tree = a_copy_of_the_tree(tmp_path)
    sessions = tree / "shared" / "store" / "sessions.py"
    sessions.write_text(sessions.read_text() + "\nfrom shared.store import telemetry  # noqa: E402\n")

    checked = lint_imports(tree)

    assert checked.returncode == 1
    assert "No import circles, at any depth BROKEN" in checked.stdout
    assert "- .telemetry -> .sessions" in checked.stdout  # where the circle can be cut


def test_a_model_importing_the_store_breaks_the_contracts(tmp_path: Path) -> None:
    tree = a_copy_of_the_tree(tmp_path)
    common = tree / "shared" / "models" / "common.py"
    common.write_text(common.read_text() + "\nfrom shared.store import dynamo  # noqa: E402\n")

    checked = lint_imports(tree)

    assert checked.returncode == 1
    assert "Each layer imports only the layers below it BROKEN" in checked.stdout
    assert "The API's models import nothing of ours but models BROKEN" in checked.stdout
