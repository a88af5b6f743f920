"""Erasing a candidate on request (issue 15): identity and notes go from every key and session of the
organisation, unused keys are revoked, results stay; one Query finds them; nothing logs the address."""

from __future__ import annotations

import hashlib
import io
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shared.consumer import EventConsumer
from shared.domain import erasure
from shared.ids import email_digest
from shared.observability import logger
from shared.store import dynamo
from shared.store.sessions import SessionStore
from tests.conftest import RequestCounter
from tests.support import (
    ORG_A,
    ORG_B,
    RecordingMailer,
    Stream,
    call,
    candidate_for,
    create_assessment,
    deliver,
    generate_keys,
)

pytestmark = pytest.mark.usefixtures("table")

EMAIL = "ada@example.com"
SUBMISSION = {"submissionUrl": "https://example.com/ada/fix/pull/1", "notes": "Ada here: I added retries."}


def erase(email: str, principal: Any = ORG_A) -> tuple[int, Any]:
    return call("erase_candidate", principal, body={"email": email})


def keys_for(assessment_id: str, emails: list[str], principal: Any = ORG_A) -> list[dict[str, Any]]:
    return generate_keys(
        assessment_id, len(emails), principal, candidateEmails=emails, candidateNames=[e[:3] for e in emails]
    )


def list_keys(assessment_id: str, principal: Any = ORG_A) -> dict[str, dict[str, Any]]:
    """Every key of the assessment the list shows, revoked ones included, by id."""
    status, payload = call("list_keys", principal, path={"assessment_id": assessment_id})
    assert status == 200, payload
    return {key["id"]: key for key in payload["keys"]}


def completed_session(key: dict[str, Any]) -> dict[str, Any]:
    """Start and complete the key's session with a submission; the reviewer's view of it."""
    status, started = call("start_session", candidate_for(key))
    assert status == 201, started
    session_id = started["session"]["id"]
    status, _ = call("complete_session", candidate_for(key), body=SUBMISSION, path={"session_id": session_id})
    assert status == 200
    return reviewer_session(session_id)


def reviewer_session(session_id: str, principal: Any = ORG_A) -> dict[str, Any]:
    status, payload = call("get_session", principal, path={"session_id": session_id})
    assert status == 200, payload
    return dict(payload["session"])


def test_erasure_covers_every_assessment_and_both_key_states_keeping_results() -> None:
    first, second = create_assessment(), create_assessment(title="Second")
    [pending, other] = keys_for(first["id"], [EMAIL, "alan@example.org"])
    [done] = keys_for(second["id"], ["Ada@Example.COM"])  # matched whatever the case
    before = completed_session(done)

    status, payload = erase(EMAIL)

    assert (status, payload) == (200, {"erased": 2})
    revoked = call("revoke_key", path={"assessment_id": first["id"], "key_id": pending["id"]})
    assert revoked[0] == 404  # already revoked by the erasure
    status, started = call("start_session", candidate_for(pending))
    assert (status, started["code"]) == (403, "key_revoked")
    untouched = list_keys(first["id"])[other["id"]]
    assert (untouched["candidateEmail"], untouched["erasedAt"]) == ("alan@example.org", None)
    key = list_keys(second["id"])[done["id"]]
    assert (key["candidateEmail"], key["candidateName"], key["status"]) == (None, None, "completed")
    assert key["erasedAt"] is not None
    after = reviewer_session(before["id"])
    assert (after["candidateEmail"], after["candidateName"]) == (None, None)
    assert after["submission"] == {"url": SUBMISSION["submissionUrl"], "notes": None}
    assert after["erasedAt"] == key["erasedAt"]
    kept = ("status", "startedAt", "deadline", "completedAt", "durationSeconds")
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}


def test_an_erased_candidate_in_progress_keeps_no_notes_when_completing() -> None:
    assessment = create_assessment()
    [key] = keys_for(assessment["id"], [EMAIL])
    status, started = call("start_session", candidate_for(key))
    assert status == 201
    assert erase(EMAIL) == (200, {"erased": 1})

    session_id = started["session"]["id"]
    status, _ = call("complete_session", candidate_for(key), body=SUBMISSION, path={"session_id": session_id})

    assert status == 200
    session = reviewer_session(session_id)
    assert (session["status"], session["candidateEmail"], session["submission"]["notes"]) == ("completed", None, None)


def test_an_erasure_landing_while_a_session_completes_leaves_no_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    assessment = create_assessment()
    [key] = keys_for(assessment["id"], [EMAIL])
    status, started = call("start_session", candidate_for(key))
    assert status == 201
    session_id = started["session"]["id"]
    complete = SessionStore.complete

    def erased_first(store: SessionStore, *arguments: Any) -> None:
        monkeypatch.setattr(SessionStore, "complete", complete)
        assert erase(EMAIL) == (200, {"erased": 1})  # between the session's read and its write
        complete(store, *arguments)

    monkeypatch.setattr(SessionStore, "complete", erased_first)
    path = {"session_id": session_id}

    assert call("complete_session", candidate_for(key), body=SUBMISSION, path=path)[0] == 409
    assert call("complete_session", candidate_for(key), body=SUBMISSION, path=path)[0] == 200
    session = reviewer_session(session_id)
    assert (session["candidateEmail"], session["submission"]["notes"]) == (None, None)


def test_a_key_issued_without_a_lookup_gains_one_when_its_session_starts() -> None:
    assessment = create_assessment()
    [key] = keys_for(assessment["id"], [EMAIL])
    lookup = {"PK": f"ORG#org_a#EMAIL#{email_digest(EMAIL)}", "SK": f"KEY#{key['id']}"}
    dynamo.client().delete_item(TableName=dynamo.table_name(), Key=dynamo.serialize(lookup))
    session = completed_session(key)

    assert erase(EMAIL) == (200, {"erased": 1})
    assert reviewer_session(session["id"])["submission"]["notes"] is None


def test_erasure_leaves_other_organisations_alone() -> None:
    mine, theirs = create_assessment(), create_assessment(ORG_B)
    keys_for(mine["id"], [EMAIL])
    [their_key] = keys_for(theirs["id"], [EMAIL], ORG_B)

    assert erase(EMAIL) == (200, {"erased": 1})

    kept = list_keys(theirs["id"], ORG_B)[their_key["id"]]
    assert (kept["candidateEmail"], kept["status"], kept["erasedAt"]) == (EMAIL, "pending", None)
    assert erase(EMAIL, ORG_B) == (200, {"erased": 1})


def test_a_second_erasure_finds_nothing() -> None:
    assessment = create_assessment()
    keys_for(assessment["id"], [EMAIL, EMAIL])

    assert erase(EMAIL) == (200, {"erased": 2})
    assert erase(EMAIL) == (200, {"erased": 0})
    assert erase("nobody@example.com") == (200, {"erased": 0})


def test_erasure_is_one_query_and_one_transaction_per_hundred_writes(dynamodb_calls: RequestCounter) -> None:
    pending = create_assessment()
    keys_for(pending["id"], [EMAIL] * 40)  # 2 writes each
    done = create_assessment()
    for key in keys_for(done["id"], [EMAIL] * 2):  # 3 writes each
        completed_session(key)
    dynamodb_calls.reset()

    assert erase(EMAIL) == (200, {"erased": 42})

    # The lookups and the transaction: the timelines are the consumer's work.
    assert dict(dynamodb_calls.calls) == {"Query": 1, "TransactWriteItems": 1}


class Consumer:
    """The event consumer on the table's stream, handed each batch as Lambda's event source does:
    after a failure, again from the first record it reported failed."""

    def __init__(self) -> None:
        self.stream = Stream()
        self.consumer = EventConsumer(RecordingMailer())
        self.again: list[dict[str, Any]] = []

    def run(self) -> list[str]:
        """Deliver one batch; the sequence numbers the consumer asks to have delivered again."""
        return self._deliver(self.again or self.stream.new_records())

    def drain(self, rounds: int = 20) -> None:
        """Deliver until the stream is quiet (a pass over a timeline writes the record of the next)."""
        for _ in range(rounds):
            records = self.again or self.stream.new_records()
            if not records:
                return
            assert self._deliver(records) == []
        raise AssertionError("the stream never went quiet")

    def _deliver(self, records: list[dict[str, Any]]) -> list[str]:
        failed = deliver(records, self.consumer) if records else []
        numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        self.again = records[min(numbers.index(number) for number in failed) :] if failed else []
        return failed


def a_running_session_with_events(count: int) -> tuple[dict[str, Any], str, list[dict[str, Any]]]:
    [key] = keys_for(create_assessment()["id"], [EMAIL])
    _, started = call("start_session", candidate_for(key))
    session_id = started["session"]["id"]
    events = [
        {"id": str(uuid.uuid4()), "type": "prompt", "at": started["session"]["startedAt"], "source": "cli", "data": {}}
        for _ in range(count)
    ]
    for start in range(0, count, 100):
        batch = {"events": events[start : start + 100]}
        assert call("ingest_events", candidate_for(key), path={"session_id": session_id}, body=batch)[0] == 200
    return key, session_id, events


def stored_events(session_id: str) -> int:
    """The session's events still in the table, whatever the API shows."""
    items = dynamo.query_all("PK = :pk AND begins_with(SK, :evt)", {":pk": f"SESSION#{session_id}", ":evt": "EVT#"})
    return sum(1 for _ in items)


def stored_lookups(email: str, org_id: str = "org_a") -> int:
    return sum(1 for _ in dynamo.query_all("PK = :pk", {":pk": f"ORG#{org_id}#EMAIL#{email_digest(email)}"}))


def test_the_timeline_of_an_erased_session_reads_empty_at_once_and_is_deleted_by_the_consumer() -> None:
    consumer = Consumer()
    _, session_id, _ = a_running_session_with_events(30)
    consumer.drain()

    assert erase(EMAIL) == (200, {"erased": 1})

    status, timeline = call("get_timeline", path={"session_id": session_id})
    assert (status, timeline["events"]) == (200, [])
    assert stored_events(session_id) == 30
    consumer.drain()
    assert (stored_events(session_id), stored_lookups(EMAIL)) == (0, 0)
    assert reviewer_session(session_id)["signals"]["promptCount"] == 30  # the org's record of how it went


def test_an_erased_candidates_running_session_takes_no_more_events() -> None:
    key, session_id, events = a_running_session_with_events(1)
    assert erase(EMAIL) == (200, {"erased": 1})

    for sent in ([events[0]], [{**events[0], "id": str(uuid.uuid4())}]):  # a retry, and a new event
        status, payload = call(
            "ingest_events", candidate_for(key), path={"session_id": session_id}, body={"events": sent}
        )
        assert (status, payload["code"]) == (409, "session_finished")
    assert stored_events(session_id) == 1  # nothing was added; the consumer deletes the one there


def test_a_timeline_of_any_size_is_deleted_in_bounded_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(erasure, "EVENTS_PER_PASS", 40)
    consumer = Consumer()
    _, session_id, _ = a_running_session_with_events(130)
    consumer.drain()
    assert erase(EMAIL) == (200, {"erased": 1})

    passes = 0
    while stored_events(session_id):
        assert consumer.run() == []
        passes += 1
    assert passes == 4  # 40 events a pass
    consumer.drain()
    assert stored_lookups(EMAIL) == 0


def test_a_pass_killed_midway_is_retried_and_the_erasure_finishes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(erasure, "EVENTS_PER_PASS", 100)
    consumer = Consumer()
    _, session_id, _ = a_running_session_with_events(100)
    consumer.drain()
    assert erase(EMAIL) == (200, {"erased": 1})
    delete_all = dynamo.delete_all

    def dies_after_some(keys: Any) -> None:
        delete_all(keys[:30])
        raise ConnectionError("the process died")

    monkeypatch.setattr(dynamo, "delete_all", dies_after_some)
    assert consumer.run() != []  # the record is reported failed: the stream delivers it again
    assert (stored_events(session_id), stored_lookups(EMAIL)) == (70, 1)

    monkeypatch.setattr(dynamo, "delete_all", delete_all)
    consumer.drain()
    assert (stored_events(session_id), stored_lookups(EMAIL)) == (0, 0)


def test_erasing_again_resumes_a_timeline_whose_passes_stopped() -> None:
    _, session_id, _ = a_running_session_with_events(20)
    consumer = Consumer()
    assert erase(EMAIL) == (200, {"erased": 1})
    consumer.stream.new_records()  # lost: every delivery failed and went to the dead-letter queue

    assert erase(EMAIL) == (200, {"erased": 0})

    consumer.drain()
    assert (stored_events(session_id), stored_lookups(EMAIL)) == (0, 0)


def test_an_erased_keys_invitation_error_goes_with_the_address() -> None:
    [key] = keys_for(create_assessment()["id"], [EMAIL])
    item = dynamo.get({"PK": f"ASMT#{key['assessmentId']}", "SK": f"KEY#{key['id']}"})
    assert item is not None
    dynamo.put({**item, "inviteStatus": "failed", "inviteError": f"MessageRejected: {EMAIL} bounced"}, "key")

    assert erase(EMAIL) == (200, {"erased": 1})

    erased = dynamo.get({"PK": f"ASMT#{key['assessmentId']}", "SK": f"KEY#{key['id']}"})
    assert erased is not None
    assert EMAIL not in str(erased)


def test_a_body_without_an_email_is_refused() -> None:
    status, payload = call("erase_candidate", body={"email": "not an address"})

    assert status == 400
    assert payload["details"][0]["path"] == ["email"]


@pytest.fixture
def every_log_line() -> Iterator[io.StringIO]:
    """Every line logged during the test: the service's own at DEBUG, every library's at INFO, the level
    the functions run at (below it, Powertools and botocore echo request bodies, as a debugger expects)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    levels = {logging.getLogger(): logging.INFO, logging.getLogger(logger.name): logging.DEBUG}
    before = {each: each.level for each in levels}
    for each, level in levels.items():
        each.addHandler(handler)
        each.setLevel(level)
    yield stream
    for each, level in before.items():
        each.removeHandler(handler)
        each.setLevel(level)


def test_no_log_line_carries_the_erased_email(every_log_line: io.StringIO) -> None:
    assessment = create_assessment()
    [key] = keys_for(assessment["id"], [EMAIL])
    completed_session(key)

    assert erase(EMAIL) == (200, {"erased": 1})
    assert erase(EMAIL) == (200, {"erased": 0})

    text = every_log_line.getvalue()
    assert hashlib.sha256(EMAIL.encode()).hexdigest() in text  # the erasure is logged, by digest
    assert EMAIL not in text.lower()
