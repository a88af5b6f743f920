"""A fake Greenhouse and a fake Ashby on 127.0.0.1 for tests: each calls this API as its documentation says
it does (HTTP Basic with the integration's key as the user name and an empty password), takes the calls
back this API makes, and checks every body it receives or is answered against the documented format
(Greenhouse's Assessment Partner API; Ashby's assessments API), written from the documentation alone:
it shares no code with the API."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Ashby's assessment data values: "The type of the value".
ASHBY_VALUE_TYPES = {"numeric_score", "numeric_duration_minutes", "url", "string", "boolean_success"}


def basic(user_name: str) -> str:
    """``Authorization`` as Greenhouse and Ashby send an API key: the key and a colon, in base64."""
    return "Basic " + base64.b64encode(f"{user_name}:".encode()).decode()


@dataclass(frozen=True)
class Call:
    """One call received: method, path, headers and the raw body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Listener:
    """What a fake took on its own port, in order, answering ``statuses`` one per call (200 once spent)."""

    statuses: list[int] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, call: Call) -> int:
        with self.lock:
            self.calls.append(call)
            return self.statuses.pop(0) if self.statuses else 200

    def wait_for(self, count: int, seconds: float = 20) -> list[Call]:
        """The first ``count`` calls, once they have arrived (failing after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.calls) >= count:
                    return self.calls[:count]
            time.sleep(0.05)
        raise AssertionError(f"{count} calls expected, {len(self.calls)} arrived")


@contextmanager
def listening(statuses: list[int] | None = None) -> Iterator[Listener]:
    """A listener on a free port of 127.0.0.1 that takes any method while the block runs."""
    listener = Listener(list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def _take(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = listener.take(Call(self.command, self.path, dict(self.headers.items()), body))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            self._take()

        def do_PATCH(self) -> None:
            self._take()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    listener.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


def call_api(base_url: str, method: str, path: str, key: str, body: Any = None) -> Answer:
    """One call to this API as an ATS makes it: its key as the Basic user name, JSON in and out."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Authorization", basic(key))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return Answer(status, json.loads(raw) if raw else None)


# Greenhouse


def check_test_list(body: Any) -> None:
    """List Tests: a list of objects, each with `partner_test_id` and `partner_test_name`, both strings."""
    assert isinstance(body, list), body
    for test in body:
        assert isinstance(test["partner_test_id"], str), test
        assert isinstance(test["partner_test_name"], str), test


def check_test_status(body: Any) -> None:
    """Test Status: `partner_status` a string; `partner_profile_url` a string when it is `complete`;
    `partner_score` a number (or null: unset properties are null); `metadata` non-nested, its values
    JavaScript primitives."""
    assert isinstance(body["partner_status"], str), body
    if body["partner_status"] == "complete":
        assert isinstance(body["partner_profile_url"], str), body
        assert body["partner_profile_url"], body
    assert body.get("partner_score") is None or isinstance(body["partner_score"], int | float), body
    metadata = body.get("metadata") or {}
    assert isinstance(metadata, dict), body
    assert all(isinstance(value, str | int | float | bool) for value in metadata.values()), metadata


class FakeGreenhouse:
    """Greenhouse as one customer has it set up: it holds the integration's key, calls the partner's
    endpoints with it, and takes the PATCH of a completed test at the URL it gave in `send_test`."""

    def __init__(self, base_url: str, key: str, callbacks: Listener) -> None:
        self.base_url, self.key, self.callbacks = base_url, key, callbacks

    def _call(self, method: str, name: str, body: Any = None, query: str = "") -> Answer:
        return call_api(self.base_url, method, f"/v1/ats/greenhouse/{name}{query}", self.key, body)

    def list_tests(self) -> Answer:
        answer = self._call("GET", "list_tests")
        if answer.status == 200:
            check_test_list(answer.body)
        return answer

    def callback_url(self, take_home_test: str) -> str:
        return f"{self.callbacks.url}/integrations/testing_partners/take_home_tests/{take_home_test}"

    def send_test(self, test_id: str, email: str, take_home_test: str = "12345") -> Answer:
        body = {
            "partner_test_id": test_id,
            "candidate": {
                "first_name": "Harry",
                "last_name": "Potter",
                "preferred_name": "The Chosen One",
                "resume_url": "https://hogwarts.example/resume",
                "phone_number": "123-456-7890",
                "email": email,
                "greenhouse_profile_url": "https://app.greenhouse.io/people/17681532?application_id=26234709",
            },
            "sent_by": "test_sender@example.org",
            "url": self.callback_url(take_home_test),
        }
        answer = self._call("POST", "send_test", body)
        if answer.status == 200:
            assert set(answer.body) == {"partner_interview_id"}
            assert isinstance(answer.body["partner_interview_id"], str)
        return answer

    def test_status(self, interview_id: str) -> Answer:
        answer = self._call("GET", "test_status", query=f"?partner_interview_id={interview_id}")
        if answer.status == 200:
            check_test_status(answer.body)
        return answer

    def response_error(self, body: Any) -> Answer:
        return self._call("POST", "response_error", body)

    def check_callback(self, call: Call, take_home_test: str = "12345") -> None:
        """PATCH - Mark Test as Completed: to the URL sent, no parameters, the partner's key in Basic."""
        assert call.method == "PATCH", call
        assert call.path == f"/integrations/testing_partners/take_home_tests/{take_home_test}", call
        assert call.headers["Authorization"] == basic(self.key), call.headers
        assert call.body == b"", call.body


# Ashby


def check_data_value(value: Any) -> None:
    """An assessment data value: `identifier`, `label`, `type` (one of Ashby's) and `value` required."""
    assert {"identifier", "label", "type", "value"} <= set(value), value
    assert isinstance(value["identifier"], str), value
    assert isinstance(value["label"], str), value
    assert value["type"] in ASHBY_VALUE_TYPES, value
    assert isinstance(value["value"], str | int | float | bool), value


def check_assessment_update(body: Any) -> None:
    """assessment.update: `assessment_id` and `timestamp` (an integer of milliseconds) required;
    `assessment_status` unless `cancelled_reason`; `assessment_profile_url` (of type url) whenever
    `assessment_result` is set; every value in the data value format."""
    assert isinstance(body["assessment_id"], str), body
    assert isinstance(body["timestamp"], int), body
    assert body["timestamp"] > 10**12, body  # milliseconds, not seconds
    assert "assessment_status" in body or "cancelled_reason" in body, body
    for name in ("assessment_status", "assessment_profile_url", "assessment_result", "cancelled_reason"):
        if name in body:
            check_data_value(body[name])
    if "assessment_result" in body:
        assert body["assessment_profile_url"]["type"] == "url", body
    for value in body.get("metadata") or []:
        check_data_value(value)


class FakeAshby:
    """Ashby as one customer has it set up: it holds the integration's key to call the partner with, and
    takes `assessment.update` on its API (authenticated with the customer's Ashby API key)."""

    def __init__(self, base_url: str, key: str, ashby_api_key: str, api: Listener) -> None:
        self.base_url, self.key, self.ashby_api_key, self.api = base_url, key, ashby_api_key, api

    def _call(self, name: str, body: Any) -> Answer:
        return call_api(self.base_url, "POST", f"/v1/ats/ashby/{name}", self.key, body)

    def list_assessments(self) -> Answer:
        answer = self._call("assessment.list", {})
        if answer.status == 200:
            assert answer.body["success"] is True, answer.body
            for listed in answer.body["results"]:
                assert {"assessment_type_id", "name", "description"} <= set(listed), listed
        return answer

    def start(self, assessment_type_id: str, email: str, application_id: str = "app-1") -> Answer:
        body = {
            "assessment_type_id": assessment_type_id,
            "candidate": {
                "ashby_id": "cand-1",
                "first_name": "Alex",
                "last_name": "Chen",
                "email": email,
                "ashby_profile_url": "https://app.ashbyhq.com/candidates/cand-1",
            },
            "application": {"ashby_id": application_id, "status": "Active"},
            "job": {"ashby_id": "job-1", "name": "Backend", "ashby_job_url": "https://app.ashbyhq.com/jobs/job-1"},
        }
        answer = self._call("assessment.start", body)
        if answer.status == 200:
            assert answer.body["success"] is True
            assert isinstance(answer.body["results"]["assessment_id"], str)
        if answer.status == 422:
            assert isinstance(answer.body["message"], str), answer.body
            assert answer.body["message"], answer.body
        return answer

    def cancel(self, assessment_id: str) -> Answer:
        return self._call("assessment.cancel", {"assessment_id": assessment_id})

    def check_update(self, call: Call) -> Any:
        """An `assessment.update` as Ashby takes it, with the customer's key in Basic; its body."""
        assert call.method == "POST", call
        assert call.path == "/assessment.update", call
        assert call.headers["Authorization"] == basic(self.ashby_api_key), call.headers
        assert call.headers["Content-Type"] == "application/json", call.headers
        body = json.loads(call.body)
        check_assessment_update(body)
        return body
