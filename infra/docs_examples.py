"""The generated parts of docs/: every request and response example, produced by running it.

``python -m infra.docs_examples`` (``make docs-examples``) serves the API locally on a free port with its
own embedded table, runs the documented requests in order (``STEPS``: one customer's story, from a rubric
to an erased candidate) on a clock that moves only between steps, and writes each exchange into its page
between ``<!-- example: NAME -->`` and ``<!-- /example -->``. Ids, key codes, cursors and secrets are
replaced by stable placeholders in order of appearance, so a run writes the same text as the last one
unless the API answers differently; tests/http/test_docs_examples_http.py fails then. The tables made
from the code's own lists (routes, body limits, error codes) are written the same way, between
``<!-- generated: NAME -->`` and ``<!-- /generated -->``."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest import mock

from infra.paths import REPO_ROOT
from infra.tokens import operator_audit
from shared.error_codes import ERROR_CODES
from shared.routes import ROUTES, Auth

DOCS = REPO_ROOT / "docs"
START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
# The one outside host the story registers a webhook for: it resolves as the tests' does, without a
# DNS query, and nothing polls the delivery queue, so nothing is ever sent to it.
WEBHOOK_HOST = "ats.example.com"
SHOWN_HEADERS = ("Location", "Idempotent-Replayed", "ETag", "Retry-After")
LONGEST_TEXT = 160  # characters of a string value shown; longer ones end in "…"
WIDTH = 100  # JSON that fits stays on one line

_EXAMPLE = re.compile(r"(<!-- example: ([\w-]+) -->\n)(.*?)(<!-- /example -->)", re.DOTALL)
_GENERATED = re.compile(r"(<!-- generated: ([\w-]+) -->\n)(.*?)(<!-- /generated -->)", re.DOTALL)
_FIELD = re.compile(r"\{(\w+(?:[+-]\d+s)?)\}")


@dataclass(frozen=True)
class Step:
    """One documented exchange: who sends what, and what to remember of the answer for later steps.

    ``path``, header values and strings in ``body`` may name remembered values as ``{name}``, and the
    clock as ``{at-90s}`` (an event's time, 90 s before this step's moment)."""

    name: str
    method: str
    path: str
    caller: str | None = "reviewer"  # "reviewer", a remembered key code's name, or None
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    minutes: int = 1  # how far the clock moves before this step
    remember: Mapping[str, str] = field(default_factory=dict)  # name -> dotted path into the answer


_RUBRIC = {
    "name": "Backend",
    "description": "How we score backend work",
    "criteria": [
        {"name": "Correctness", "weight": 3, "description": "Does it do what the brief asks?"},
        {"name": "Tests", "weight": 1},
    ],
}
_ASSESSMENT = {
    "title": "Backend API Challenge",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "repoUrl": "https://github.com/acme/webhooks",
    "timeLimitMinutes": 120,
    "expiresInDays": 7,
    "rubricId": "{rubric}",
}
_EVENTS = [
    ("prompt", "{at-170s}", "proxy", {"text": "Add a dedup table keyed by event id", "model": "any-llm"}),
    ("response", "{at-163s}", "proxy", {"tokens": 812}),
    ("file_change", "{at-135s}", "hook", {"author": "ai", "path": "app/dedup.py", "linesAdded": 42}),
    ("decision", "{at-80s}", "cli", {"title": "Conditional put on the event id", "why": "exactly once"}),
    ("test_run", "{at-25s}", "hook", {"passed": True, "command": "pytest -q"}),
]
_EVENT_IDS = [f"6f1c2a4e-0d1b-4c55-9a57-2c1b7f3e9a0{index}" for index in range(1, len(_EVENTS) + 1)]
_BATCH = {
    "events": [
        {"id": event_id, "type": kind, "at": at, "source": source, "data": data}
        for event_id, (kind, at, source, data) in zip(_EVENT_IDS, _EVENTS, strict=True)
    ]
}

STEPS: tuple[Step, ...] = (
    Step("unauthenticated", "GET", "/v1/assessments", caller=None),
    Step(
        "create-rubric",
        "POST",
        "/v1/rubrics",
        body=_RUBRIC,
        headers={"Idempotency-Key": "5f0c2a8e-rubric-backend"},
        remember={"rubric": "rubric.id"},
    ),
    Step(
        "duplicate-criterion",
        "POST",
        "/v1/rubrics",
        body={"name": "Twice", "criteria": [{"name": "Design", "weight": 1}, {"name": "design", "weight": 1}]},
    ),
    Step("create-assessment", "POST", "/v1/assessments", body=_ASSESSMENT, remember={"assessment": "assessment.id"}),
    Step(
        "unknown-rubric",
        "POST",
        "/v1/assessments",
        body={**_ASSESSMENT, "rubricId": "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a"},
    ),
    Step("invalid-assessment", "POST", "/v1/assessments", body={"title": "", "role": "Engineer", "task_brief": "x"}),
    Step("list-assessments", "GET", "/v1/assessments?limit=10"),
    Step("get-assessment", "GET", "/v1/assessments/{assessment}"),
    Step(
        "generate-keys",
        "POST",
        "/v1/assessments/{assessment}/keys",
        body={
            "count": 2,
            "candidateEmails": ["ada@example.com", "alan@example.com"],
            "candidateNames": ["Ada Lovelace", "Alan Turing"],
            "orgName": "Acme",
            "extraMinutes": [0, 30],
        },
        remember={"ada": "keys.0.key", "alan": "keys.1.key", "alan_key": "keys.1.id"},
    ),
    Step(
        "generate-keys-without-invites",
        "POST",
        "/v1/assessments/{assessment}/keys",
        body={"count": 1, "sendInvites": False},
        remember={"spare_key": "keys.0.id"},
    ),
    Step("list-keys", "GET", "/v1/assessments/{assessment}/keys?limit=2"),
    Step("list-keys-newest-first", "GET", "/v1/assessments/{assessment}/keys?order=desc&limit=1"),
    Step("revoke-key", "DELETE", "/v1/assessments/{assessment}/keys/{spare_key}"),
    Step(
        "generate-key-to-invite-later",
        "POST",
        "/v1/assessments/{assessment}/keys",
        body={"count": 1, "candidateEmails": ["grace@example.com"], "sendInvites": False},
        remember={"grace_key": "keys.0.id"},
    ),
    Step("resend-invitation", "POST", "/v1/assessments/{assessment}/keys/{grace_key}/resend"),
    Step("resend-while-queued", "POST", "/v1/assessments/{assessment}/keys/{grace_key}/resend"),
    Step("list-issues", "GET", "/v1/issues?language=python&limit=1"),
    Step("candidate-assessment-before-start", "GET", "/v1/assessments/{assessment}", caller="ada"),
    Step("start-session", "POST", "/v1/sessions", caller="ada", remember={"session": "session.id"}),
    Step("resume-session", "POST", "/v1/sessions", caller="ada"),
    Step("send-events", "POST", "/v1/sessions/{session}/events", caller="ada", body=_BATCH, minutes=3),
    Step("send-events-again", "POST", "/v1/sessions/{session}/events", caller="ada", body=_BATCH),
    Step(
        "extend-session",
        "POST",
        "/v1/sessions/{session}/extend",
        body={"minutes": 15, "reason": "Network outage during the session"},
    ),
    Step("candidate-session", "GET", "/v1/sessions/{session}", caller="ada", minutes=30),
    Step(
        "complete-session",
        "POST",
        "/v1/sessions/{session}/complete",
        caller="ada",
        body={"submissionUrl": "https://github.com/ada/webhooks/pull/1", "notes": "Dedup by event id."},
        minutes=12,
    ),
    Step("timeline-decisions", "GET", "/v1/sessions/{session}/timeline?type=decision", minutes=60),
    Step("list-sessions", "GET", "/v1/assessments/{assessment}/sessions?limit=20"),
    Step(
        "score-missing-criterion",
        "PUT",
        "/v1/sessions/{session}/score",
        body={"criteria": [{"name": "Correctness", "score": 80}]},
    ),
    Step(
        "score-session",
        "PUT",
        "/v1/sessions/{session}/score",
        body={
            "criteria": [{"name": "correctness", "score": 80}, {"name": "Tests", "score": 90.5}],
            "comment": "Solid dedup, thin tests.",
        },
    ),
    Step("get-session", "GET", "/v1/sessions/{session}"),
    Step("assessment-stats", "GET", "/v1/assessments/{assessment}/stats"),
    Step(
        "edit-assessment",
        "PATCH",
        "/v1/assessments/{assessment}",
        body={"taskBrief": "Build a webhook ingestion endpoint that also retries failed deliveries.", "repoUrl": None},
        headers={"If-Match": '"1"'},
    ),
    Step(
        "edit-assessment-stale",
        "PATCH",
        "/v1/assessments/{assessment}",
        body={"title": "Backend API Challenge (2026)"},
        headers={"If-Match": '"1"'},
    ),
    Step("candidate-assessment-after-edit", "GET", "/v1/assessments/{assessment}", caller="ada"),
    Step("rubric-in-use", "DELETE", "/v1/rubrics/{rubric}"),
    Step(
        "create-webhook",
        "POST",
        "/v1/webhooks",
        body={"url": f"https://{WEBHOOK_HOST}/hooks/promptster", "events": ["session.completed", "session.scored"]},
        headers={"Idempotency-Key": "0b6f1e7c-webhook-ats"},
        remember={"webhook": "webhook.id"},
    ),
    Step(
        "create-webhook-replayed",
        "POST",
        "/v1/webhooks",
        body={"url": f"https://{WEBHOOK_HOST}/hooks/promptster", "events": ["session.completed", "session.scored"]},
        headers={"Idempotency-Key": "0b6f1e7c-webhook-ats"},
        minutes=5,
    ),
    Step("private-webhook-url", "POST", "/v1/webhooks", body={"url": "https://10.0.0.7/hooks"}),
    Step("list-webhooks", "GET", "/v1/webhooks"),
    Step("test-webhook", "POST", "/v1/webhooks/{webhook}/test"),
    Step("list-webhook-deliveries", "GET", "/v1/webhooks/{webhook}/deliveries"),
    Step("delete-webhook", "DELETE", "/v1/webhooks/{webhook}"),
    Step("erase-candidate", "POST", "/v1/candidates/erase", body={"email": "Ada@Example.com"}, minutes=60),
    Step("list-keys-after-erasure", "GET", "/v1/assessments/{assessment}/keys?limit=2"),
    Step("delete-assessment", "DELETE", "/v1/assessments/{assessment}"),
    Step("session-after-delete", "GET", "/v1/sessions/{session}"),
    Step("delete-rubric", "DELETE", "/v1/rubrics/{rubric}"),
    Step("audit-log", "GET", "/v1/audit?limit=3"),
    Step("audit-log-of-an-assessment", "GET", "/v1/audit?resource=assessment:{assessment}&action=assessment.update"),
)


class _Placeholders:
    """Stable stand-ins for what changes from run to run, numbered in order of first appearance."""

    _UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
    _KEY = re.compile(r"\bPST-[0-9A-Z]{4}-[0-9A-Z]{4}\b")
    _SECRET = re.compile(r"\bwhsec_[A-Za-z0-9_-]+")
    _EVENT = re.compile(r"\bevt_[0-9a-f]{32}\b")

    def __init__(self) -> None:
        self.uuids: dict[str, str] = {}
        self.others: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        text = self._UUID.sub(lambda match: self._uuid(match.group()), text)
        # A cursor is an id's 32 hex digits: the placeholder's, where the id has one.
        hexes = {real.replace("-", ""): stand_in.replace("-", "") for real, stand_in in self.uuids.items()}
        text = re.sub(r"\b[0-9a-f]{32}\b", lambda match: hexes.get(match.group(), match.group()), text)
        text = self._KEY.sub(lambda match: self._other(match.group(), "PST-K3Y5-{:04d}"), text)
        text = self._SECRET.sub(lambda match: self._other(match.group(), "whsec_example{:02d}"), text)
        return self._EVENT.sub(lambda match: self._other(match.group(), "evt_{:032x}"), text)

    def _uuid(self, real: str) -> str:
        if real not in self.uuids:
            self.uuids[real] = f"01900000-0000-7000-8000-{len(self.uuids) + 1:012d}"
        return self.uuids[real]

    def _other(self, real: str, pattern: str) -> str:
        if real not in self.others:
            kind = pattern.split("{", maxsplit=1)[0]
            self.others[real] = pattern.format(sum(1 for other in self.others.values() if other.startswith(kind)) + 1)
        return self.others[real]


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: Any


class _Story:
    """Runs the steps against ``base_url``, remembering what later steps name."""

    def __init__(self, base_url: str, token: str, clock: list[datetime]) -> None:
        self.base_url, self.token, self.clock = base_url, token, clock
        self.remembered: dict[str, str] = {}
        self.placeholders = _Placeholders()

    def run(self, step: Step) -> str:
        self.clock[0] += timedelta(minutes=step.minutes)
        path = self._fill(step.path)
        headers = {name: self._fill(value) for name, value in step.headers.items()}
        body = self._fill_body(step.body)
        answer = self._send(step, path, headers, body)
        for name, where in step.remember.items():
            value: Any = answer.body
            for part in where.split("."):
                value = value[int(part)] if isinstance(value, list) else value[part]
            self.remembered[name] = str(value)
        return self.placeholders(_render(step, path, headers, body, answer))

    def _fill(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("at"):
                moment = self.clock[0] + timedelta(seconds=int(name[2:-1]))
                return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            return self.remembered[name]

        return _FIELD.sub(value, text)

    def _fill_body(self, body: Any) -> Any:
        if isinstance(body, str):
            return self._fill(body)
        if isinstance(body, list):
            return [self._fill_body(item) for item in body]
        if isinstance(body, dict):
            return {name: self._fill_body(value) for name, value in body.items()}
        return body

    def _send(self, step: Step, path: str, headers: dict[str, str], body: Any) -> _Answer:
        request = urllib.request.Request(self.base_url + path, method=step.method)  # noqa: S310 - the local http URL
        if step.caller == "reviewer":
            request.add_header("Authorization", f"Bearer {self.token}")
        elif step.caller is not None:
            request.add_header("X-API-Key", self.remembered[step.caller])
        for name, value in headers.items():
            request.add_header(name, value)
        if body is not None:
            request.add_header("Content-Type", "application/json")
            request.data = json.dumps(body).encode()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local http URL
                status, raw, answer_headers = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, answer_headers = error.code, error.read(), dict(error.headers)
        return _Answer(status, answer_headers, json.loads(raw) if raw else None)


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONGEST_TEXT:
        return value[:LONGEST_TEXT] + "…"
    if isinstance(value, list):
        return [_shortened(item) for item in value]
    if isinstance(value, dict):
        return {name: _shortened(item) for name, item in value.items()}
    return value


def _pretty(value: Any, indent: str = "") -> str:
    """JSON as people read it: a value that fits on one line stays on it, the rest nests by two spaces."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(indent) + len(flat) <= WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(name)}: {_pretty(item, inner)}" for name, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    return "[\n" + ",\n".join(inner + _pretty(item, inner) for item in value) + f"\n{indent}]"


def _render(step: Step, path: str, headers: Mapping[str, str], body: Any, answer: _Answer) -> str:
    """The exchange as a page shows it: the curl command, then the status line, headers and JSON."""
    command = ["curl -s" + ("" if step.method == "GET" else f" -X {step.method}") + f' "$API{path}"']
    if step.caller == "reviewer":
        command.append('-H "Authorization: Bearer $TOKEN"')
    elif step.caller is not None:
        command.append('-H "X-API-Key: $KEY"')
    # A value holding double quotes (an ETag) is single-quoted, as a shell needs it.
    command += [f"-H '{name}: {value}'" if '"' in value else f'-H "{name}: {value}"' for name, value in headers.items()]
    if body is not None:
        command += ['-H "Content-Type: application/json"', f"-d '{_pretty(body)}'"]
    response = [f"HTTP/1.1 {answer.status} {HTTPStatus(answer.status).phrase}"]
    response += [f"{name}: {answer.headers[name]}" for name in SHOWN_HEADERS if name in answer.headers]
    if answer.body is not None:
        response += ["", _pretty(_shortened(answer.body))]
    return "```sh\n" + " \\\n  ".join(command) + "\n```\n\n```http\n" + "\n".join(response) + "\n```\n"


@contextmanager
def _served(clock: list[datetime]) -> Iterator[tuple[str, str]]:
    """The local server on a free port with its own embedded table, the webhook queue beside it (nothing
    polls it: no delivery is attempted), on ``clock``; yields its URL and a reviewer token."""
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    from infra.local.embedded_dynamodb import local_dynamodb  # noqa: PLC0415 - make dev's tools, loaded to run
    from infra.local.gateway import LocalGateway  # noqa: PLC0415
    from infra.local.server import LocalServer  # noqa: PLC0415
    from infra.local.webhooks import create_queues  # noqa: PLC0415
    from shared import clock as shared_clock  # noqa: PLC0415
    from shared import settings  # noqa: PLC0415
    from shared.domain.tokens import issue_token  # noqa: PLC0415
    from shared.store.tokens import TokenStore  # noqa: PLC0415
    from shared.webhooks import addresses  # noqa: PLC0415

    def now() -> datetime:
        return clock[0]

    def resolve(host: str) -> list[str]:
        if host != WEBHOOK_HOST:
            raise OSError(f"{host}: not resolved while documenting")
        return ["93.184.215.14"]

    with (
        local_dynamodb("promptster-docs"),
        mock.patch.object(shared_clock, "utc_now", now),
        mock.patch.object(addresses, "resolve", resolve),
        mock.patch.dict(os.environ, {settings.WEBHOOK_QUEUE_VARIABLE: create_queues(10).url}),
    ):
        server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=False)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield (
                f"http://127.0.0.1:{server.server_address[1]}",
                issue_token(TokenStore(), "org_acme", name="docs", audit=operator_audit("docs")).token,
            )
        finally:
            server.shutdown()
            server.server_close()


def run_examples(steps: Sequence[Step] = STEPS) -> dict[str, str]:
    """Each step's exchange as its page shows it, by step name, from one run against a fresh local server."""
    clock = [START]
    with _served(clock) as (base_url, token):
        story = _Story(base_url, token, clock)
        return {step.name: story.run(step) for step in steps}


def generated_tables() -> dict[str, str]:
    """The tables made from the code's own lists, by name."""
    routes = ["| method and path | who | what |", "|---|---|---|"]
    who = {
        Auth.REVIEWER: "reviewer",
        Auth.CANDIDATE: "candidate",
        Auth.REVIEWER_OR_CANDIDATE: "reviewer or candidate",
        Auth.PUBLIC: "anyone",
    }
    routes += [f"| `{route.method} {route.path}` | {who[route.auth]} | {route.summary} |" for route in ROUTES]
    limits = ["| route | largest body |", "|---|---|"]
    limits += [
        f"| `{route.method} {route.path}` | {route.max_body_bytes // 1024} KiB |"
        for route in ROUTES
        if route.method in ("POST", "PUT", "PATCH")
    ]
    codes = ["| status | `code` | meaning | answered by |", "|---|---|---|---|"]
    codes += [
        f"| {', '.join(map(str, error.statuses))} | `{error.code}` | {error.meaning} | {error.answered_by} |"
        for error in sorted(ERROR_CODES, key=lambda error: (error.statuses, error.code))
    ]
    return {
        "routes": "\n".join(routes) + "\n",
        "body-limits": "\n".join(limits) + "\n",
        "error-codes": "\n".join(codes) + "\n",
    }


def pages() -> list[Path]:
    """The pages that hold generated parts: docs/ and the README."""
    return [*sorted(DOCS.rglob("*.md")), REPO_ROOT / "README.md"]


def rewrite(text: str, examples: Mapping[str, str], tables: Mapping[str, str]) -> str:
    """``text`` with each marked part replaced by what was produced for it (a name nothing produced is an error)."""

    def replaced(produced: Mapping[str, str]) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if match.group(2) not in produced:
                raise KeyError(f"nothing produces the part {match.group(2)!r}")
            return match.group(1) + produced[match.group(2)] + match.group(4)

        return replace

    return _GENERATED.sub(replaced(tables), _EXAMPLE.sub(replaced(examples), text))


def stale_pages() -> dict[Path, str]:
    """Each page whose generated parts differ from what the code produces now, with its new text."""
    examples, tables = run_examples(), generated_tables()
    shown = {match.group(2) for path in pages() for match in _EXAMPLE.finditer(path.read_text(encoding="utf-8"))}
    if unshown := examples.keys() - shown:
        raise KeyError(f"examples no page shows: {sorted(unshown)}")
    changed = {}
    for path in pages():
        text = path.read_text(encoding="utf-8")
        if (new := rewrite(text, examples, tables)) != text:
            changed[path] = new
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.docs_examples", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list stale pages and exit 1, writing nothing")
    check: bool = parser.parse_args(argv).check
    changed = stale_pages()
    for path, text in changed.items():
        if not check:
            path.write_text(text, encoding="utf-8")
        print(f"{'stale' if check else 'wrote'} {path.relative_to(REPO_ROOT)}")
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
