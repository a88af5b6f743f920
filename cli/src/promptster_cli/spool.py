"""The spool: the events captured on this laptop, in a SQLite database (WAL) in ``.promptster/``. It is
the source of truth until the API has answered for an event: an event is ``waiting`` until then, then
``sent`` (stored, or found already stored), or ``rejected`` (the API refused it alone; it is kept and
reported). Besides the events it keeps what capture needs between two hooks: tool calls waiting for
their result (``held``), the files the assistant touched (for telling human edits apart) and a few
named values (``meta``). Standard library only: the hook path writes here."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from promptster_cli.events import Event

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting',
    reason TEXT
);
CREATE INDEX IF NOT EXISTS events_by_state ON events (state, seq);
CREATE TABLE IF NOT EXISTS held (key TEXT PRIMARY KEY, body TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS touched (path TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
PRAGMA user_version = 1;
"""

WAITING, SENT, REJECTED = "waiting", "sent", "rejected"


class Spool:
    """One connection to a workspace's spool; every write is one transaction."""

    def __init__(self, path: str) -> None:
        # Autocommit mode: transactions are opened explicitly, IMMEDIATE so writers queue on busy_timeout.
        self.connection = sqlite3.connect(path, timeout=10, isolation_level=None)
        self.connection.execute("PRAGMA busy_timeout = 10000")
        if self.connection.execute("PRAGMA user_version").fetchone()[0] == 0:
            self.connection.execute("PRAGMA journal_mode = WAL")
            self.connection.executescript(_SCHEMA)
        # In WAL mode, NORMAL loses nothing when a process dies (only a power cut may lose the last commits).
        self.connection.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    # Capture

    def append(self, events: Iterable[Event], touched: Iterable[str] = ()) -> None:
        """Spool ``events`` and note the paths the assistant touched, in one transaction."""
        now = time.time()
        with self.transaction() as connection:
            connection.executemany(
                "INSERT OR IGNORE INTO events (id, body) VALUES (?, ?)",
                [(event["id"], json.dumps(event, separators=(",", ":"), ensure_ascii=False)) for event in events],
            )
            connection.executemany("INSERT INTO touched (path, at) VALUES (?, ?)", [(path, now) for path in touched])

    def hold(self, key: str, event: Event) -> None:
        """Keep a tool call until its result comes (``release``), or its turn ends (``release_all``)."""
        with self.transaction() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO held (key, body, at) VALUES (?, ?, ?)", (key, json.dumps(event), time.time())
            )

    def release(self, key: str) -> tuple[Event, float] | None:
        """The tool call held under ``key`` and when it was held, taken out of the spool's keeping."""
        with self.transaction() as connection:
            row = connection.execute("SELECT body, at FROM held WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            connection.execute("DELETE FROM held WHERE key = ?", (key,))
        return json.loads(row[0]), row[1]

    def release_all(self) -> list[Event]:
        """Every tool call still held (their result never came), taken out of the spool's keeping."""
        with self.transaction() as connection:
            rows = connection.execute("SELECT body FROM held ORDER BY at").fetchall()
            connection.execute("DELETE FROM held")
        return [json.loads(body) for (body,) in rows]

    # Sending

    def waiting(self, limit: int) -> list[Event]:
        """The oldest ``limit`` events not yet answered for."""
        rows = self.connection.execute(
            "SELECT body FROM events WHERE state = ? ORDER BY seq LIMIT ?", (WAITING, limit)
        ).fetchall()
        return [json.loads(body) for (body,) in rows]

    def mark(self, event_ids: Iterable[str], state: str, reason: str | None = None) -> None:
        """Move waiting events to ``state`` (``sent`` or ``rejected``, saying why)."""
        with self.transaction() as connection:
            connection.executemany(
                "UPDATE events SET state = ?, reason = ? WHERE id = ? AND state = ?",
                [(state, reason, event_id, WAITING) for event_id in event_ids],
            )

    def counts(self) -> dict[str, int]:
        """How many events are in each state (every state named, 0 when none)."""
        found = dict(self.connection.execute("SELECT state, COUNT(*) FROM events GROUP BY state").fetchall())
        return {state: int(found.get(state, 0)) for state in (WAITING, SENT, REJECTED)}

    def rejected(self) -> list[tuple[Event, str]]:
        """The events the API refused, each with why."""
        rows = self.connection.execute(
            "SELECT body, reason FROM events WHERE state = ? ORDER BY seq", (REJECTED,)
        ).fetchall()
        return [(json.loads(body), reason or "") for body, reason in rows]

    def tools_seen(self) -> dict[str, int]:
        """How many events each tool captured."""
        rows = self.connection.execute(
            "SELECT json_extract(body, '$.tool'), COUNT(*) FROM events GROUP BY 1 ORDER BY 1"
        ).fetchall()
        return {str(tool): int(count) for tool, count in rows if tool is not None}

    # Human edits

    def touched_since(self, since: float) -> set[str]:
        """The paths the assistant touched since ``since`` (epoch seconds)."""
        rows = self.connection.execute("SELECT DISTINCT path FROM touched WHERE at >= ?", (since,)).fetchall()
        return {path for (path,) in rows}

    def all_touched(self) -> set[str]:
        return {path for (path,) in self.connection.execute("SELECT DISTINCT path FROM touched").fetchall()}

    # Named values

    def get(self, name: str) -> Any:
        row = self.connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, name: str, value: Any) -> None:
        with self.transaction() as connection:
            connection.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, json.dumps(value)))
