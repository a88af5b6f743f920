"""Telemetry end to end through the local server: a tool uploads a JSONL file 100 lines a request with
the candidate's key, uploads it again after a failure, and the reviewer reads the timeline and signals."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from tests.http.conftest import Api
from tests.support import SEED_BODY, instant, new_token


def jsonl(count: int, start: datetime) -> str:
    """A tool's capture from ``start``: one JSON event a line every 250 ms, a prompt and an AI file change
    by turns, a test run every 10th."""
    lines = []
    for index in range(count):
        at = (start + timedelta(milliseconds=250 * index)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        data: dict[str, Any] = {"text": f"step {index}"} if index % 2 else {"author": "ai"}
        kind = "prompt" if index % 2 else "file_change"
        if index % 10 == 9:
            kind, data = "test_run", {"passed": index > 100, "command": "pytest -q"}
        event = {"id": str(uuid.uuid4()), "type": kind, "at": at, "source": "hook", "data": data}
        lines.append(json.dumps(event))
    return "\n".join(lines) + "\n"


def upload(api: Api, session_id: str, key: str, text: str) -> list[Any]:
    """What the README's loop does: 100 lines a request."""
    events = [json.loads(line) for line in text.splitlines() if line.strip()]
    answers = []
    for start in range(0, len(events), 100):
        result = api.request(
            "POST",
            f"/v1/sessions/{session_id}/events",
            body={"events": events[start : start + 100]},
            headers={"X-API-Key": key},
        )
        assert result.status == 200, result.body
        answers.append(result.body)
    return answers


def test_a_jsonl_capture_uploads_once_and_reads_back_in_order(api: Api) -> None:
    token = new_token("org_telemetry")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    [key] = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, {"count": 1}).body["keys"]
    session = api.request("POST", "/v1/sessions", headers={"X-API-Key": key["key"]}).body["session"]
    # From 30 s before the start (within the skew forgiven) to about 32 s after it.
    start = datetime.fromisoformat(session["startedAt"]) - timedelta(seconds=30)
    capture = jsonl(250, start)

    first = upload(api, session["id"], key["key"], capture)
    again = upload(api, session["id"], key["key"], capture)
    page = api.request("GET", f"/v1/sessions/{session['id']}/timeline?limit=200", token).body
    rest = api.request("GET", f"/v1/sessions/{session['id']}/timeline?cursor={page['nextCursor']}", token).body
    tests = api.request("GET", f"/v1/sessions/{session['id']}/timeline?type=test_run", token).body
    signals = api.request("GET", f"/v1/sessions/{session['id']}", token).body["session"]["signals"]

    assert first == [{"accepted": 100, "duplicates": 0, "refused": []}] * 2 + [
        {"accepted": 50, "duplicates": 0, "refused": []}
    ]
    assert again == [{"accepted": 0, "duplicates": 100, "refused": []}] * 2 + [
        {"accepted": 0, "duplicates": 50, "refused": []}
    ]
    sent = [json.loads(line) for line in capture.splitlines()]
    assert [event["id"] for event in page["events"] + rest["events"]] == [event["id"] for event in sent]
    assert rest["nextCursor"] is None
    assert [event["data"]["passed"] for event in tests["events"]] == [index > 100 for index in range(9, 250, 10)]
    assert signals == {
        "eventCount": 250,
        "promptCount": 100,
        "toolCallCount": 0,
        "testRunCount": 25,
        "testPassCount": 15,
        "decisionCount": 0,
        "firstEventAt": sent[0]["at"],
        "lastEventAt": sent[-1]["at"],
        "aiAttributionPct": 100,
    }


def test_the_events_route_takes_256_kib_and_no_more(api: Api) -> None:
    token = new_token("org_telemetry_limits")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    [key] = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, {"count": 1}).body["keys"]
    session = api.request("POST", "/v1/sessions", headers={"X-API-Key": key["key"]}).body["session"]

    def body(count: int) -> bytes:
        events = [
            {
                "id": str(uuid.uuid4()),
                "type": "note",
                "at": instant(),
                "source": "cli",
                "data": {"text": "x" * 30_000},
            }
            for _ in range(count)
        ]
        return json.dumps({"events": events}).encode()

    path = f"/v1/sessions/{session['id']}/events"
    fits = api.request("POST", path, body=body(8), headers={"X-API-Key": key["key"]})
    too_large = api.request("POST", path, body=body(9), headers={"X-API-Key": key["key"]})

    assert (fits.status, fits.body) == (200, {"accepted": 8, "duplicates": 0, "refused": []})
    assert (too_large.status, too_large.body["code"]) == (413, "payload_too_large")
