"""Sending the spool: nothing is lost while the API is down, each event is stored once however often it
is sent (a resend after a lost answer, a flush killed mid-request), an event the API refuses alone is
set aside without holding back the rest, and a refused key stops the sending, keeping the events."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import pytest
from promptster_cli.api import Api
from promptster_cli.events import bounded, instant, new_event
from promptster_cli.flush import BLOCKED, FlushReport, flush, flush_lock
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace

from shared import clock
from tests.cli.conftest import ServedApi, a_workspace, environment, promptster, run_hook, settled, spooled


def a_session(served: ServedApi, root: Path, **fields: Any) -> tuple[Workspace, str]:
    """A started session's workspace (its key redeemed directly), and the session's id."""
    key = served.key(**fields)
    started = served.api.request("POST", "/v1/sessions", headers={"X-API-Key": key})
    assert started.status == 201, started.body
    session = started.body["session"]
    a_workspace(root, api_url=served.url, key=key, sessionId=session["id"], startedAt=session["startedAt"])
    return Workspace(str(root)), session["id"]


def some_events(workspace: Workspace, count: int, at: str | None = None) -> list[str]:
    """``count`` notes spooled (without a background flush): their ids."""
    events = [new_event("note", {"text": f"note {index}"}, source="cli", tool="cli") for index in range(count)]
    if at is not None:
        events = [{**event, "at": at} for event in events]
    spool = Spool(workspace.spool_file)
    try:
        spool.append(events)
    finally:
        spool.close()
    return [event["id"] for event in events]


def flushed(workspace: Workspace, **options: Any) -> FlushReport:
    with flush_lock(workspace, wait=30) as held:
        assert held
        return flush(workspace, sleep=lambda _: None, **options)


def test_events_captured_while_the_api_is_down_are_sent_once_each_when_it_is_back(
    served: ServedApi, tmp_path: Path
) -> None:
    workspace, session_id = a_session(served, tmp_path / "work")
    root = Path(workspace.root)
    served.down()
    try:
        for name in ("user-prompt-submit", "pre-tool-use-bash", "post-tool-use-bash", "stop"):
            assert run_hook("claude-code", name, root).returncode == 0
        settled(root)
        waiting = Spool(workspace.spool_file).counts()
    finally:
        served.up()

    report = flushed(workspace)

    captured = spooled(root)
    assert waiting["waiting"] == len(captured) == 4
    assert (report.accepted, report.duplicates, report.stopped) == (4, 0, None)
    assert sorted(event["id"] for event in served.timeline(session_id)) == sorted(event["id"] for event in captured)
    assert flushed(workspace).accepted == 0  # nothing left to send


def test_a_resend_of_a_partly_accepted_batch_counts_duplicates_not_new_events(
    served: ServedApi, tmp_path: Path
) -> None:
    workspace, session_id = a_session(served, tmp_path / "work")
    ids = some_events(workspace, 150)
    # The first 60 reached the API, but its answer was lost: they are still waiting here.
    first = Spool(workspace.spool_file).waiting(60)
    state = workspace.read_state()
    assert state is not None
    sent = served.api.request(
        "POST", f"/v1/sessions/{session_id}/events", body={"events": first}, headers={"X-API-Key": state["key"]}
    )
    assert sent.body == {"accepted": 60, "duplicates": 0, "refused": []}

    report = flushed(workspace)

    assert (report.accepted, report.duplicates) == (90, 60)
    assert sorted(event["id"] for event in served.timeline(session_id)) == sorted(ids)
    assert served.session(session_id)["signals"]["eventCount"] == 150


class HoldingProxy(ThreadingHTTPServer):
    """Forwards requests to the API, but holds the answer to the first batch of events until released:
    the API has stored the batch, the flush has not heard so."""

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream = upstream
        self.forwarded = threading.Event()
        self.release = threading.Event()


class _Forward(BaseHTTPRequestHandler):
    server: HoldingProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = urllib.request.Request(self.server.upstream + self.path, data=body, method="POST")
        for name in ("Content-Type", "X-API-Key"):
            request.add_header(name, self.headers[name])
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, payload = answer.status, answer.read()
        if not self.server.forwarded.is_set():
            self.server.forwarded.set()
            self.server.release.wait(30)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            pass  # the flush was killed meanwhile

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def proxy(served: ServedApi) -> Iterator[HoldingProxy]:
    server = HoldingProxy(served.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_a_flush_killed_while_waiting_for_an_answer_loses_nothing(
    served: ServedApi, proxy: HoldingProxy, tmp_path: Path
) -> None:
    workspace, session_id = a_session(served, tmp_path / "work")
    ids = some_events(workspace, 130)
    state = workspace.read_state()
    assert state is not None
    workspace.write_state({**state, "apiUrl": f"http://127.0.0.1:{proxy.server_address[1]}"})
    background = subprocess.Popen(
        [sys.executable, "-m", "promptster_cli.flush", workspace.root],
        env=environment(tmp_path),
        start_new_session=True,
    )
    try:
        assert proxy.forwarded.wait(30)
    finally:
        os.killpg(background.pid, signal.SIGKILL)
        background.wait()
    proxy.release.set()
    workspace.write_state(state)

    report = flushed(workspace)

    assert Spool(workspace.spool_file).counts() == {"waiting": 0, "sent": 130, "rejected": 0}
    assert (report.accepted, report.duplicates) == (30, 100)
    assert sorted(event["id"] for event in served.timeline(session_id)) == sorted(ids)


def test_an_event_dated_before_the_session_is_set_aside_and_the_rest_is_sent(served: ServedApi, tmp_path: Path) -> None:
    workspace, session_id = a_session(served, tmp_path / "work")
    good = some_events(workspace, 3)
    [backdated] = some_events(workspace, 1, at="2020-01-01T00:00:00.000Z")
    later = some_events(workspace, 2)

    report = flushed(workspace)

    assert (report.accepted, report.rejected) == (5, 1)
    spool = Spool(workspace.spool_file)
    [(event, reason)] = spool.rejected()
    assert event["id"] == backdated
    assert reason.startswith("event_out_of_range: events.3.at: event " + backdated)
    assert sorted(event["id"] for event in served.timeline(session_id)) == sorted(good + later)


def test_a_refused_key_stops_the_sending_keeps_the_events_and_submit_says_why(
    served: ServedApi, tmp_path: Path
) -> None:
    workspace, _ = a_session(served, tmp_path / "work")
    some_events(workspace, 3)
    state = workspace.read_state()
    assert state is not None
    workspace.write_state({**state, "key": "PST-ZZZZ-ZZZZ"})

    report = flushed(workspace)
    submitted = promptster("submit", cwd=Path(workspace.root))

    assert report.stopped is not None
    assert (report.stopped.status, report.accepted) == (401, 0)
    assert Spool(workspace.spool_file).counts()["waiting"] == 3
    assert Spool(workspace.spool_file).get(BLOCKED)["status"] == 401
    assert submitted.returncode == 1
    assert submitted.stderr.startswith("promptster: not_sent: ")
    assert "promptster submit --force" in submitted.stderr


def test_submitting_after_the_deadline_says_deadline_passed(
    served: ServedApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, _ = a_session(served, tmp_path / "work", timeLimitMinutes=1)
    some_events(workspace, 2)
    later = clock.utc_now().replace(year=clock.utc_now().year + 1)
    monkeypatch.setattr(clock, "utc_now", lambda: later)  # the server runs in this process

    submitted = promptster("submit", cwd=Path(workspace.root))

    assert submitted.returncode == 1
    assert submitted.stderr.startswith("promptster: deadline_passed: ")


def test_every_event_time_is_the_apis_format(tmp_path: Path) -> None:
    assert len(instant(0)) == len("1970-01-01T00:00:00.000Z")
    assert instant(1.25) == "1970-01-01T00:00:01.250Z"


def test_large_events_go_in_as_many_requests_as_the_body_limit_needs(served: ServedApi, tmp_path: Path) -> None:
    workspace, session_id = a_session(served, tmp_path / "work")
    events = [new_event("prompt", {"text": bounded("é\n" * 20_000)}, source="hook", tool="cursor") for _ in range(40)]
    spool = Spool(workspace.spool_file)
    spool.append(events)
    spool.close()

    report = flushed(workspace)

    assert (report.accepted, report.rejected, report.stopped) == (40, 0, None)
    assert len(served.timeline(session_id)) == 40


def test_text_is_cut_to_its_bytes_never_inside_a_character() -> None:
    cut = bounded("é" * 10, limit=5)

    assert cut == "éé… [8 more characters]"


def test_events_the_api_refused_part_way_stay_waiting_and_the_sending_stops(tmp_path: Path) -> None:
    workspace = Workspace(str(a_workspace(tmp_path / "work")))
    ids = some_events(workspace, 3)

    def finished_part_way(request: httpx2.Request) -> httpx2.Response:
        refused = [
            {"id": event_id, "code": "session_finished", "message": "no longer in progress"} for event_id in ids[1:]
        ]
        return httpx2.Response(200, json={"accepted": 1, "duplicates": 0, "refused": refused})

    api = Api("http://api.test", "PST-TEST-KEY1", transport=httpx2.MockTransport(finished_part_way))
    report = flushed(workspace, api=api)

    assert report.stopped is not None
    assert (report.accepted, report.stopped.code) == (1, "session_finished")
    assert Spool(workspace.spool_file).counts() == {"waiting": 2, "sent": 1, "rejected": 0}
    assert Spool(workspace.spool_file).get(BLOCKED)["code"] == "session_finished"
