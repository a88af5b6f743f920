"""Human edits: what changed in the workspace that no assistant event accounts for. The workspace is
snapshotted with git into a private index (``.promptster/git-index``: the candidate's own index and
history are never touched): ``git add -A`` then ``git write-tree``, which respects .gitignore. Each
snapshot is compared with the previous one (``git diff-tree --numstat``); a changed path the assistant
touched since just before the previous snapshot is the assistant's. Any other waits a little before it
is the candidate's (recorded as a ``file_change`` with author ``human``): an assistant writes a file a
moment before its hook reports the edit, and a snapshot may fall in between.

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
# Changes no assistant event accounted for yet, waiting out TOUCH_GRACE_SECONDS before they are the candidate's.
UNEXPLAINED = "unexplained_changes"


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


def record_human_edits(workspace: Workspace, spool: Spool, state: dict[str, Any], *, settle: bool = False) -> int:
    """Snapshot the workspace and spool a human ``file_change`` for each changed path no assistant event
    accounts for once TOUCH_GRACE_SECONDS have passed since it was seen (all of them now if ``settle``):
    how many. The first snapshot only sets the baseline."""
    now = time.time()
    tree = snapshot(workspace)
    if tree is None:
        return 0
    before, before_at = spool.get(SNAPSHOT), spool.get(SNAPSHOT_AT)
    unexplained: list[dict[str, Any]] = spool.get(UNEXPLAINED) or []
    if before is not None and before != tree:
        since = float(before_at or 0) - TOUCH_GRACE_SECONDS
        assistants = spool.touched_since(since)
        unexplained += [
            {"path": path, "added": added, "removed": removed, "since": since, "seenAt": now}
            for path, added, removed in changes(workspace, before, tree)
            if path not in assistants
        ]
    due = [change for change in unexplained if settle or now - change["seenAt"] >= TOUCH_GRACE_SECONDS]
    offset = int(state.get("clockOffsetMs") or 0)
    events = [
        new_event(
            "file_change",
            {
                "author": "human",
                "path": change["path"],
                "linesAdded": change["added"],
                "linesRemoved": change["removed"],
            },
            source="cli",
            tool="cli",
            clock_offset_ms=offset,
        )
        for change in due
        if change["path"] not in spool.touched_since(change["since"])
    ]
    spool.append([mask_all(event) for event in events])
    spool.put(UNEXPLAINED, [change for change in unexplained if change not in due])
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
