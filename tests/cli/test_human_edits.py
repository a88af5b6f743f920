"""Human edits: a change in the workspace no assistant event accounts for is the candidate's, once the
assistant's hook has had time to report it (an assistant writes a file a moment before its hook runs,
and a snapshot may fall in between)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from promptster_cli.human_edits import TOUCH_GRACE_SECONDS, record_human_edits
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace

from tests.cli.conftest import a_workspace


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The time the spool and the snapshots read, moved by the test."""
    moved = Clock()
    monkeypatch.setattr(time, "time", moved)
    return moved


@pytest.fixture
def workspace(tmp_path: Path, clock: Clock) -> Iterator[tuple[Workspace, Spool]]:
    root = a_workspace(tmp_path / "work")
    (root / "app.py").write_text("print('start')\n")
    found = Workspace(str(root))
    spool = Spool(found.spool_file)
    record_human_edits(found, spool, {})  # the baseline
    yield found, spool
    spool.close()


def human_paths(spool: Spool) -> list[str]:
    rows = spool.connection.execute("SELECT body FROM events").fetchall()
    bodies: list[dict[str, Any]] = [json.loads(body) for (body,) in rows]
    return sorted(body["data"]["path"] for body in bodies if body["data"].get("author") == "human")


def test_an_edit_the_assistant_reports_just_after_a_snapshot_saw_it_stays_the_assistants(
    workspace: tuple[Workspace, Spool], clock: Clock
) -> None:
    found, spool = workspace
    Path(found.root, "app.py").write_text("print('the assistant wrote this')\n")
    clock.now += 1
    record_human_edits(found, spool, {})  # a background snapshot between the write and its hook
    clock.now += 0.2
    spool.append([], touched=["app.py"])  # the assistant's hook, a moment late

    clock.now += TOUCH_GRACE_SECONDS + 1
    record_human_edits(found, spool, {})

    assert human_paths(spool) == []


def test_an_edit_nobody_reports_is_the_candidates_once_the_grace_has_passed(
    workspace: tuple[Workspace, Spool], clock: Clock
) -> None:
    found, spool = workspace
    Path(found.root, "notes.md").write_text("by hand\n")
    clock.now += 1

    assert record_human_edits(found, spool, {}) == 0  # not yet: the hook may still come
    clock.now += TOUCH_GRACE_SECONDS
    assert record_human_edits(found, spool, {}) == 1

    assert human_paths(spool) == ["notes.md"]


def test_handing_in_decides_every_waiting_edit_at_once(workspace: tuple[Workspace, Spool], clock: Clock) -> None:
    found, spool = workspace
    Path(found.root, "notes.md").write_text("by hand\n")
    clock.now += 1

    assert record_human_edits(found, spool, {}, settle=True) == 1
    assert human_paths(spool) == ["notes.md"]
