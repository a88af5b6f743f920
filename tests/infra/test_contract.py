"""The compatibility gate: v1 only grows. The generated document keeps every promise of the published baseline
(openapi.v1.json); a break passes only when the same commit records it in the baseline and in CHANGELOG.md."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from infra.openapi import openapi_document
from infra.openapi_compat import BASELINE_PATH, CHANGELOG_PATH, breaking_changes, operations
from infra.paths import REPO_ROOT

ACCEPT = (
    "If the break is meant, run `make openapi-baseline` and add a line to CHANGELOG.md naming it and why, in the "
    "same commit; otherwise restore what v1 promised."
)


def _baseline() -> dict[str, Any]:
    baseline: dict[str, Any] = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
    return baseline


def _git(*arguments: str) -> str:
    return subprocess.run(["git", *arguments], capture_output=True, text=True, check=True, cwd=REPO_ROOT).stdout


@pytest.fixture
def history() -> None:
    if shutil.which("git") is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout: the baseline's history cannot be read")


def test_the_generated_document_breaks_no_promise_of_the_baseline() -> None:
    broken = breaking_changes(_baseline(), openapi_document())

    assert not broken, "\n".join(["v1 changed under its clients:", *map(str, broken), ACCEPT])


def test_every_operation_added_since_the_baseline_is_in_the_changelog() -> None:
    changelog = CHANGELOG_PATH.read_text(encoding="utf-8")

    added = operations(openapi_document()).keys() - operations(_baseline()).keys()

    assert not [name for name in added if f"`{name}`" not in changelog], "name each new operation in CHANGELOG.md"


@pytest.mark.usefixtures("history")
def test_a_baseline_changed_in_the_work_tree_comes_with_a_changelog_line() -> None:
    changed = set(_git("diff", "--name-only", "HEAD").split())

    assert BASELINE_PATH.name not in changed or CHANGELOG_PATH.name in changed, ACCEPT


@pytest.mark.usefixtures("history")
def test_every_commit_that_changed_the_baseline_names_its_breaks_in_the_changelog() -> None:
    for commit in _git("log", "--format=%H", "--", BASELINE_PATH.name).split():
        touched = _git("show", "--format=", "--name-only", commit).split()
        assert CHANGELOG_PATH.name in touched, f"{commit} changed {BASELINE_PATH.name} without CHANGELOG.md"
        parents = _git("log", "-1", "--format=%P", commit).split()
        before = subprocess.run(
            ["git", "show", f"{parents[0]}:{BASELINE_PATH.name}"] if parents else ["true"],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO_ROOT,
        )
        if before.returncode != 0 or not before.stdout:
            continue  # the commit that published the baseline
        after = json.loads(_git("show", f"{commit}:{BASELINE_PATH.name}"))
        added_lines = _git("show", "--format=", commit, "--", CHANGELOG_PATH.name)
        for change in breaking_changes(json.loads(before.stdout), after):
            assert change.operation in added_lines, f"{commit}: CHANGELOG.md does not name the break {change}"
