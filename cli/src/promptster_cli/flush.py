"""Sending: the spool's waiting events go to the API in batches of up to 100, oldest first. An event
leaves the waiting state only once the API answered for it: stored now or already (a resend after a
timeout or a crash is a duplicate, harmless), or refused alone (``rejected``: kept and reported, so it
never holds back the rest). No answer, throttling or a server fault: retried with exponential backoff
and jitter, then left waiting for the next flush. The key refused, the session not found or finished:
the flush stops, keeping every event, and records why. Human edits are recorded first (a snapshot of
the workspace), so they go in the same flush.

``python -m promptster_cli.flush WORKSPACE`` is the background flush: it holds the workspace's lock,
lingers a moment for the events that follow, and exits."""

from __future__ import annotations

import fcntl
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from promptster_cli.api import Api, ApiError
from promptster_cli.background import LOCK_NAME
from promptster_cli.events import Event
from promptster_cli.human_edits import record_human_edits
from promptster_cli.spool import REJECTED, SENT, Spool
from promptster_cli.workspace import Workspace

BATCH = 100
# The events route takes bodies up to 256 KiB: a batch stops short of it (one event always fits alone).
BATCH_BYTES = 200_000
ATTEMPTS = 6
# A background flush gives up sooner: the next hook or command starts another.
BACKGROUND_ATTEMPTS = 3
BACKOFF_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 30.0
# How long a background flush waits for more events before it exits (an AI tool's hooks come in bursts).
LINGER_VARIABLE = "PROMPTSTER_FLUSH_LINGER"
DEFAULT_LINGER_SECONDS = 3.0
BLOCKED = "blocked"  # the spool's record of why sending stopped: {"code", "message", "status"}


@dataclass
class FlushReport:
    """What one flush did: events stored now, found already stored, refused alone; and why it stopped
    early (the API refused the key or the session, or could not be reached), if it did."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    stopped: ApiError | None = None


@contextmanager
def flush_lock(workspace: Workspace, wait: float = 0.0) -> Iterator[bool]:
    """Hold the workspace's flush lock (waiting up to ``wait`` seconds for it): whether it is held."""
    descriptor = os.open(workspace.path(LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
                continue
            yield True
            return
    finally:
        os.close(descriptor)


def flush(
    workspace: Workspace,
    *,
    attempts: int = ATTEMPTS,
    linger: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
    api: Api | None = None,
    settle: bool = False,
) -> FlushReport:
    """Send every waiting event (the caller holds the flush lock): at most ``attempts`` tries while the
    API cannot be reached, then waiting up to ``linger`` seconds for more events. With ``settle``, every
    change no assistant accounted for is the candidate's now (the work is being handed in)."""
    state = workspace.read_state()
    report = FlushReport()
    if state is None:
        return report
    spool = Spool(workspace.spool_file)
    client = api or Api(state["apiUrl"], state["key"])
    try:
        _record_edits(workspace, spool, state, settle=settle)
        failures = 0
        idle_until = time.monotonic() + linger
        while True:
            batch = _within_body_limit(spool.waiting(BATCH))
            if not batch:
                if time.monotonic() >= idle_until:
                    break
                sleep(0.25)
                _record_edits(workspace, spool, state)
                continue
            try:
                _send(client, spool, state["sessionId"], batch, report)
            except ApiError as error:
                report.stopped = error
                if not error.retryable:
                    spool.put(BLOCKED, {"status": error.status, "code": error.code, "message": error.message})
                    break
                failures += 1
                if failures >= attempts:
                    break
                sleep(_backoff(failures))
                continue
            failures = 0
            report.stopped = None
            spool.put(BLOCKED, None)
            idle_until = time.monotonic() + linger
    finally:
        if api is None:
            client.close()
        spool.close()
    return report


def _within_body_limit(events: list[Event]) -> list[Event]:
    """The oldest of ``events`` whose JSON fits one request body (at least one)."""
    size = 0
    for count, event in enumerate(events):
        size += len(json.dumps(event, ensure_ascii=False).encode()) + 1
        if size > BATCH_BYTES and count:
            return events[:count]
    return events


def _record_edits(workspace: Workspace, spool: Spool, state: dict[str, Any], *, settle: bool = False) -> None:
    try:
        record_human_edits(workspace, spool, state, settle=settle)
    except Exception as error:
        workspace.log_error(f"human edits: {type(error).__name__}: {error}")


def _backoff(failures: int) -> float:
    """Exponential, capped, with full jitter: clients that failed together do not retry together."""
    return random.uniform(0, min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**failures))  # noqa: S311 - not for secrets


def _send(api: Api, spool: Spool, session_id: str, batch: list[Event], report: FlushReport) -> None:
    """Send ``batch``; an event the API refuses alone is set aside and the rest sent again (halving the
    batch when the answer does not say which event it was)."""
    try:
        result = api.send_events(session_id, batch)
    except ApiError as error:
        if error.status not in (400, 413):
            raise
        culprit = _named_event(error, len(batch))
        if culprit is None and len(batch) > 1:
            middle = len(batch) // 2
            _send(api, spool, session_id, batch[:middle], report)
            _send(api, spool, session_id, batch[middle:], report)
            return
        refused = batch[culprit or 0]
        spool.mark([refused["id"]], REJECTED, f"{error.code}: {error.message}")
        report.rejected += 1
        rest = [event for event in batch if event is not refused]
        if rest:
            _send(api, spool, session_id, rest, report)
        return
    refused = {
        str(item.get("id")): item for item in result.get("refused") or [] if isinstance(item, dict) and item.get("id")
    }
    spool.mark([event["id"] for event in batch if event["id"] not in refused], SENT)
    report.accepted += int(result.get("accepted", 0))
    report.duplicates += int(result.get("duplicates", 0))
    spool.put("duplicates", int(spool.get("duplicates") or 0) + int(result.get("duplicates", 0)))
    if refused:
        # The session finished (or filled) part-way: what was stored stands, the rest stays waiting and
        # the sending stops, as if the whole request had been refused.
        first = next(iter(refused.values()))
        raise ApiError(409, str(first.get("code") or "session_finished"), str(first.get("message") or ""))


def _named_event(error: ApiError, size: int) -> int | None:
    """The index of the event a 400 names in its details (``["events", i, …]``), if it names one."""
    for detail in error.details:
        path = detail.get("path")
        if not isinstance(path, list) or len(path) < 2 or path[0] != "events":
            continue
        index = path[1]
        if isinstance(index, int) and 0 <= index < size:
            return index
    return None


def background(root: str) -> int:
    """The detached flush: sends while it holds the lock, then looks at the spool once more after
    letting it go, and goes on if an event came in between (its hook saw the lock still held)."""
    workspace = Workspace(os.path.abspath(root))
    linger = float(os.environ.get(LINGER_VARIABLE, DEFAULT_LINGER_SECONDS))
    while True:
        with flush_lock(workspace) as held:
            if not held:
                return 0
            try:
                report = flush(workspace, attempts=BACKGROUND_ATTEMPTS, linger=linger)
            except Exception as error:
                workspace.log_error(f"flush: {type(error).__name__}: {error}")
                return 1
        if report.stopped is not None:
            workspace.log_error(f"flush: events left waiting: {report.stopped}")
            return 0
        spool = Spool(workspace.spool_file)
        try:
            left = spool.counts()["waiting"]
        finally:
            spool.close()
        if not left:
            return 0


if __name__ == "__main__":
    sys.exit(background(sys.argv[1]))
