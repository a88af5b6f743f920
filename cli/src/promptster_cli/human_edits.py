"""Human edits: what changed in the workspace that no assistant event accounts for. The workspace is
snapshotted with git into a private index (``.promptster/git-index``: the candidate's own index and
history are never touched): ``git add -A`` then ``git write-tree``, which respects .gitignore. Each
snapshot is compared with the previous one (``git diff-tree --numstat``); a changed path the assistant
touched since just before the previous snapshot is the assistant's, every other one the candidate's,
recorded as a ``file_change`` with author ``human``.

It is an approximation, said plainly in docs/cli.md: a file both the assistant and the candidate
changed between two snapshots counts as the assistant's; files git ignores are not seen; a change
the assistant's tool made without telling its hooks counts as the candidate's."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from typing import Any

from promptster_cli.events import new_event
from promptster_cli.masking import mask_all
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's tree of no files
# An assistant's edit noted this long before a snapshot still explains a change seen in the next one.
TOUCH_GRACE_SECONDS = 10.0
SNAPSHOT, SNAPSHOT_AT = "snapshot_tree", "snapshot_at"


def snapshot(workspace: Workspace) -> str | None:
    """The workspace's files as a git tree (None without git or a repository)."""
    if shutil.which("git") is None or not os.path.isdir(os.path.join(workspace.root, ".git")):
        return None
    environment = {**os.environ, "GIT_INDEX_FILE": workspace.path("git-index")}
    _git(workspace, ["add", "--all", "--", "."], environment)
    return _git(workspace, ["write-tree"], environment).strip()


def changes(workspace: Workspace, before: str, after: str) -> list[tuple[str, int, int]]:
    """Each path changed from tree ``before`` to ``after``: lines added and removed (0 for binaries)."""
    output = _git(workspace, ["diff-tree", "-r", "--numstat", "--no-renames", "-z", before, after], None)
    found = []
    for entry in output.split("\0"):
        if not entry:
            continue
        added, removed, path = entry.split("\t", 2)
        found.append((path, int(added) if added.isdigit() else 0, int(removed) if removed.isdigit() else 0))
    return found


def record_human_edits(workspace: Workspace, spool: Spool, state: dict[str, Any]) -> int:
    """Snapshot the workspace and spool a human ``file_change`` for each path changed since the last
    snapshot that the assistant did not touch: how many. The first snapshot only sets the baseline."""
    now = time.time()
    tree = snapshot(workspace)
    if tree is None:
        return 0
    before, before_at = spool.get(SNAPSHOT), spool.get(SNAPSHOT_AT)
    events = []
    if before is not None and before != tree:
        assistants = spool.touched_since(float(before_at or 0) - TOUCH_GRACE_SECONDS)
        offset = int(state.get("clockOffsetMs") or 0)
        events = [
            new_event(
                "file_change",
                {"author": "human", "path": path, "linesAdded": added, "linesRemoved": removed},
                source="cli",
                tool="cli",
                clock_offset_ms=offset,
            )
            for path, added, removed in changes(workspace, before, tree)
            if path not in assistants
        ]
        spool.append([mask_all(event) for event in events])
    spool.put(SNAPSHOT, tree)
    spool.put(SNAPSHOT_AT, now)
    return len(events)


def _git(workspace: Workspace, args: list[str], environment: dict[str, str] | None) -> str:
    completed = subprocess.run(  # noqa: S603 - fixed git subcommands on the workspace
        ["git", "-C", workspace.root, *args],  # noqa: S607 - git as the candidate's PATH finds it
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout
