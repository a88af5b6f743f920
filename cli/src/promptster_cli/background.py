"""The background flush: one process per workspace at a time, detached from the caller (its own
session, standard streams on /dev/null) so neither an AI tool's hook nor a command waits for the
network. An exclusive lock on ``.promptster/flush.lock`` is what says one is running."""

from __future__ import annotations

import fcntl
import os
import sys

from promptster_cli.workspace import Workspace

LOCK_NAME = "flush.lock"


def flush_running(workspace: Workspace) -> bool:
    """Whether a flush holds the workspace's lock now."""
    try:
        descriptor = os.open(workspace.path(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(descriptor)  # closing releases a lock taken here
    return False


def start_flush(workspace: Workspace) -> None:
    """Start a detached flush of the workspace unless one is running. One that is about to end looks
    at the spool again after it lets the lock go, so an event spooled before this check is never left
    behind."""
    if flush_running(workspace):
        return
    devnull = os.devnull
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, devnull, os.O_WRONLY, 0),
    ]
    # posix_spawn, not subprocess: the hook path starts it, and subprocess costs ~10 ms to import.
    os.posix_spawn(
        sys.executable,
        [sys.executable, "-m", "promptster_cli.flush", workspace.root],
        dict(os.environ),
        file_actions=actions,
        setsid=True,
    )
