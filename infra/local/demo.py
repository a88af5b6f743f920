"""A sample session for ``make dev``, so a report can be opened at once: an assessment with a rubric, a
candidate who worked for three quarters of an hour (prompts, tool calls, edits, commands, failing then
passing tests, decisions), handed in and was scored. Made through the domain's own functions, on the
embedded table only; its clock is moved back for the start and the completion, as if it had happened."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared import clock
from shared.auth import Candidate
from shared.domain.assessments import create_assessment
from shared.domain.audit import AuditContext
from shared.domain.candidate_keys import generate_keys
from shared.domain.rubrics import create_rubric
from shared.domain.sessions import complete_session, score_session, start_session
from shared.domain.shares import make_share
from shared.domain.telemetry import ingest_events
from shared.models.assessments import CreateAssessmentRequest
from shared.models.candidate_keys import GenerateKeysRequest
from shared.models.rubrics import CreateRubricRequest
from shared.models.sessions import CompleteSessionRequest, ScoreSessionRequest
from shared.models.telemetry import IngestRequest
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.rubrics import RubricStore
from shared.store.sessions import SessionStore
from shared.store.shares import ShareStore
from shared.store.telemetry import TelemetryStore

WORKED = timedelta(minutes=45)


@dataclass(frozen=True)
class Demo:
    session_id: str
    share_url: str


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """The domain's clock held at ``moment`` (the server is not serving yet: nothing else reads it)."""
    original = clock.utc_now
    clock.utc_now = lambda: moment
    try:
        yield
    finally:
        clock.utc_now = original


def seed_demo(org_id: str, api_url: str, audit: AuditContext) -> Demo:
    """Make the sample session in ``org_id``'s name and a share link to its report at ``api_url``; the audit
    log names ``audit``'s operator for what a reviewer would have done."""
    assessments, keys, sessions, rubrics = AssessmentStore(), CandidateKeyStore(), SessionStore(), RubricStore()
    rubric = create_rubric(rubrics, org_id, CreateRubricRequest.model_validate(_RUBRIC), audit=audit)
    assessment = create_assessment(
        assessments,
        rubrics,
        org_id,
        CreateAssessmentRequest.model_validate({**_ASSESSMENT, "rubricId": rubric.id}),
        audit=audit,
    )
    people = {"count": 1, "candidateEmails": ["ada@example.com"], "candidateNames": ["Ada Lovelace"]}
    request = GenerateKeysRequest.model_validate({**people, "sendInvites": False})
    [key] = generate_keys(assessments, keys, org_id, assessment.id, request, audit=audit)
    candidate = Candidate(org_id=org_id, assessment_id=assessment.id, key_id=key.id)
    began = clock.utc_now() - WORKED - timedelta(minutes=3)
    with _clock_at(began):
        started, _ = start_session(assessments, keys, sessions, candidate)
    session_id = started.session.id
    sent = json.dumps({"events": _events(began)})
    events = IngestRequest.model_validate_json(sent)
    ingest_events(sessions, TelemetryStore(), candidate, session_id, events, sent=sent)
    with _clock_at(began + WORKED):
        complete_session(sessions, candidate, session_id, CompleteSessionRequest.model_validate(_SUBMISSION))
    score_session(sessions, org_id, session_id, ScoreSessionRequest.model_validate(_SCORE), audit=audit)
    _, url = make_share(ShareStore(), org_id, session_id, api_url, audit=audit)
    return Demo(session_id, url)


def _events(began: datetime) -> list[dict[str, Any]]:
    """What the candidate's tools sent, a few dozen events over the session."""
    made = []
    for minute, kind, data in _SCRIPT:
        at = began + timedelta(minutes=minute)
        made.append(
            {
                "id": str(uuid.uuid4()),
                "type": kind,
                "at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "source": "cli" if kind in ("decision", "command", "test_run") else "hook",
                "tool": "cli" if kind in ("decision", "command", "test_run") else "claude-code",
                "data": data,
            }
        )
    return made


_RUBRIC = {
    "name": "Backend take-home",
    "criteria": [
        {"name": "Correctness", "weight": 3, "description": "Events are stored once, whatever the retries"},
        {"name": "Tests", "weight": 2, "description": "The retry and duplicate paths are tested"},
        {"name": "Judgement", "weight": 1, "description": "Decisions are stated and sensible"},
    ],
}
_ASSESSMENT = {
    "title": "Webhook ingestion service",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "timeLimitMinutes": 60,
}
_SUBMISSION = {
    "submissionUrl": "https://github.com/ada/webhooks/pull/1",
    "notes": "Deduplication by event id with a conditional put; retries are safe.\nLoad test left for later.",
}
_SCORE = {
    "criteria": [
        {"name": "Correctness", "score": 88},
        {"name": "Tests", "score": 75},
        {"name": "Judgement", "score": 90},
    ],
    "comment": "Clear reasoning on idempotency; the tests cover the retry path but not the size limit.",
}
_SCRIPT: list[tuple[float, str, dict[str, Any]]] = [
    (1, "prompt", {"text": "Read the brief and sketch an endpoint that stores webhook events once.", "model": "any"}),
    (1.4, "response", {"tokens": 640}),
    (2, "tool_call", {"name": "Read", "input": {"path": "app/main.py"}}),
    (3, "decision", {"title": "One table, keyed by event id", "impact": 4,
                     "rationale": "A conditional put rejects a second copy without a read first."}),
    (4, "prompt", {"text": "Add a POST /events handler that validates the body with pydantic."}),
    (4.5, "response", {"tokens": 1210}),
    (5, "tool_call", {"name": "Edit", "input": {"path": "app/events.py"}}),
    (5.2, "file_change", {"author": "ai", "path": "app/events.py", "linesAdded": 58}),
    (7, "command", {"command": "make lint", "exitCode": 1, "author": "human"}),
    (8, "file_change", {"author": "human", "path": "app/events.py", "linesAdded": 3}),
    (8.5, "command", {"command": "make lint", "exitCode": 0, "author": "human"}),
    (10, "prompt", {"text": "Write tests: a duplicate event is stored once; a retry after a timeout too."}),
    (10.6, "response", {"tokens": 980}),
    (11, "tool_call", {"name": "Edit", "input": {"path": "tests/test_events.py"}}),
    (11.2, "file_change", {"author": "ai", "path": "tests/test_events.py", "linesAdded": 74}),
    (12, "test_run", {"command": "pytest -q", "runner": "pytest", "passed": False, "counts": {"failed": 2}}),
    (14, "prompt", {"text": "The duplicate test fails: the second put raises instead of answering 200. Fix it."}),
    (14.5, "response", {"tokens": 450}),
    (15, "tool_call", {"name": "Edit", "input": {"path": "app/store.py"}}),
    (15.3, "file_change", {"author": "ai", "path": "app/store.py", "linesAdded": 12}),
    (16, "test_run", {"command": "pytest -q", "runner": "pytest", "passed": False, "counts": {"failed": 1}}),
    (18, "file_change", {"author": "human", "path": "app/store.py", "linesAdded": 4}),
    (19, "test_run", {"command": "pytest -q", "passed": True}),
    (21, "decision", {"title": "Answer 200 to a duplicate, not 409", "impact": 3,
                      "rationale": "The event is stored; telling the sender otherwise makes it retry for a day."}),
    (24, "prompt", {"text": "Add a 256 KiB body limit and a test for it."}),
    (24.4, "response", {"tokens": 520}),
    (25, "tool_call", {"name": "Edit", "input": {"path": "app/events.py"}}),
    (25.2, "file_change", {"author": "ai", "path": "app/events.py", "linesAdded": 9}),
    (27, "test_run", {"command": "pytest -q", "passed": True}),
    (30, "command", {"command": "git diff --stat", "author": "ai", "success": True}),
    (32, "prompt", {"text": "Review the handler for anything that could store an event twice under load."}),
    (33, "response", {"tokens": 1730}),
    (35, "decision", {"title": "No cache in front of the table", "impact": 2,
                      "rationale": "A cache would need its own invalidation; the conditional put is enough."}),
    (38, "file_change", {"author": "human", "path": "README.md", "linesAdded": 20}),
    (40, "test_run", {"command": "pytest -q", "passed": True}),
    (42, "command", {"command": "git push origin ingest", "exitCode": 0, "author": "human"}),
    (44, "note", {"text": "Load test left for later."}),
]  # fmt: skip
