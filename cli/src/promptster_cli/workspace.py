"""The workspace: the directory a session is worked in, and its ``.promptster/`` folder holding the
session's state (file mode 0600, folder 0700: the state holds the key), the spool, the locks and the
error log. Standard library only: the hook path finds its workspace through this module."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from typing import Any

STATE_DIR = ".promptster"
MAX_ERROR_LOG_BYTES = 256 * 1024  # then the log starts again, its last part kept as errors.log.1

State = dict[str, Any]


class Workspace:
    """A session's workspace, by its root directory (absolute). A plain class: the hook path uses it,
    and dataclasses cost it ~10 ms to import."""

    __slots__ = ("root",)

    def __init__(self, root: str) -> None:
        self.root = root

    @property
    def state_dir(self) -> str:
        return os.path.join(self.root, STATE_DIR)

    def path(self, name: str) -> str:
        """A file of ``.promptster/``."""
        return os.path.join(self.state_dir, name)

    @property
    def spool_file(self) -> str:
        return self.path("spool.db")

    @property
    def errors_log(self) -> str:
        return self.path("errors.log")

    def read_state(self) -> State | None:
        """The session's state, or None when this workspace has none (or it cannot be read)."""
        try:
            with open(self.path("state.json"), encoding="utf-8") as file:
                state = json.load(file)
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def write_state(self, state: State) -> None:
        """Write the state whole (a reader never sees half of it), readable by its owner only."""
        os.makedirs(self.state_dir, mode=0o700, exist_ok=True)
        os.chmod(self.state_dir, 0o700)
        temporary = self.path(f"state.json.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(state, file, indent=2, sort_keys=True)
            file.write("\n")
        os.replace(temporary, self.path("state.json"))

    def log_error(self, message: str) -> None:
        """Append one line to ``errors.log`` (bounded in size); never raises: it is where failures go."""
        try:
            log = self.errors_log
            if os.path.exists(log) and os.path.getsize(log) > MAX_ERROR_LOG_BYTES:
                os.replace(log, log + ".1")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            line = " ".join(message.split())
            with open(log, "a", encoding="utf-8") as file:
                file.write(f"{stamp} {line}\n")
        except OSError:
            pass


def find_workspace(starts: Iterable[str]) -> Workspace | None:
    """The first workspace found walking up from each of ``starts`` in turn: the nearest directory
    holding ``.promptster/state.json``."""
    for start in starts:
        if not start:
            continue
        directory = os.path.abspath(start)
        while True:
            if os.path.isfile(os.path.join(directory, STATE_DIR, "state.json")):
                return Workspace(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
    return None
