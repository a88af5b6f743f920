"""Session telemetry (issue 16): events stored once each whatever the retries, the limits of a
request, the timeline in time order a page at a time, the type filter, the signals kept on the
session, the cohort's statistics, who may send and read what, and the requests each costs."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from shared import clock
from shared.domain import telemetry
from shared.domain.telemetry import ingest_events
from shared.models.telemetry import IngestRequest
from shared.store.sessions import SessionRecord, SessionStore, SignalCounts
from shared.store.telemetry import EventRecord, TelemetryStore
from tests.conftest import RequestCounter
from tests.support import ORG_A, ORG_B, call, candidate_for, create_assessment, generate_keys

pytestmark = pytest.mark.usefixtures("table")

BASE = clock.from_timestamp("2026-04-01T10:00:00Z")


class HeldClock:
    """``shared.clock.utc_now`` in this module: sessions start at BASE and everything else happens an
    hour in, so every event here (up to 2,500 s after BASE) lies within its session's time."""

    now = BASE + timedelta(hours=1)


@pytest.fixture(autouse=True)
def held_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "utc_now", lambda: HeldClock.now)


def event(
    event_type: str = "prompt", seconds: float = 0, data: dict[str, Any] | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """An event ``seconds`` after BASE, with data a ``type`` needs unless given."""
    defaults: dict[str, dict[str, Any]] = {
        "test_run": {"passed": True},
        "file_change": {"author": "ai", "path": "app.py"},
        "decision": {"title": "Store events by id"},
    }
    at = (BASE + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {
        "id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "at": at,
        "source": "hook",
        "data": data if data is not None else defaults.get(event_type, {"text": "hello"}),
    }


def prompts(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [event("prompt", seconds=start + index) for index in range(count)]


def started_session(principal: Any = ORG_A, **fields: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An assessment, its key and the key's started session."""
    assessment = create_assessment(principal, **fields)
    [key] = generate_keys(assessment["id"], 1, principal)
    return assessment, key, start(key)


def start(key: dict[str, Any]) -> dict[str, Any]:
    """The key's session, started at BASE."""
    held, HeldClock.now = HeldClock.now, BASE
    try:
        status, payload = call("start_session", candidate_for(key))
    finally:
        HeldClock.now = held
    assert status == 201, payload
    return dict(payload["session"])


def send(key: dict[str, Any], session_id: str, events: Sequence[dict[str, Any]]) -> tuple[int, Any]:
    return call("ingest_events", candidate_for(key), body={"events": list(events)}, path={"session_id": session_id})


def timeline(session_id: str, query: str = "", principal: Any = ORG_A) -> tuple[int, Any]:
    return call("get_timeline", principal, path={"session_id": session_id}, query=query)


def read_all(session_id: str, query: str = "") -> tuple[list[dict[str, Any]], int]:
    """Every event of the timeline, page by page, and how many pages it took."""
    events: list[dict[str, Any]] = []
    cursor, pages = None, 0
    while True:
        status, page = timeline(session_id, "&".join(filter(None, [query, f"cursor={cursor}" if cursor else ""])))
        assert status == 200, page
        events += page["events"]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            return events, pages


def signals(session_id: str) -> dict[str, Any]:
    status, payload = call("get_session", path={"session_id": session_id})
    assert status == 200, payload
    return dict(payload["session"]["signals"])


def stats(assessment_id: str, principal: Any = ORG_A) -> tuple[int, Any]:
    return call("get_assessment_stats", principal, path={"assessment_id": assessment_id})


# Each event once


def test_duplicates_within_and_across_requests_are_stored_and_counted_once() -> None:
    _, key, session = started_session()
    batch, later = prompts(5), prompts(2, start=10)

    first = send(key, session["id"], [*batch, batch[0], batch[3]])
    again = send(key, session["id"], [*batch[2:], *later])

    assert first == (200, {"accepted": 5, "duplicates": 2, "refused": []})
    assert again == (200, {"accepted": 2, "duplicates": 3, "refused": []})
    events, _ = read_all(session["id"])
    assert [stored["id"] for stored in events] == [item["id"] for item in batch + later]
    assert signals(session["id"])["eventCount"] == 7


def test_an_id_sent_again_with_another_time_or_type_is_still_a_duplicate() -> None:
    _, key, session = started_session()
    original = event("prompt", seconds=1)
    moved = {**event("note", seconds=99, data={"text": "changed"}), "id": original["id"]}

    assert send(key, session["id"], [original])[1] == {"accepted": 1, "duplicates": 0, "refused": []}
    assert send(key, session["id"], [moved])[1] == {"accepted": 0, "duplicates": 1, "refused": []}

    events, _ = read_all(session["id"])
    assert [(stored["id"], stored["type"], stored["at"]) for stored in events] == [
        (original["id"], "prompt", original["at"])
    ]


def test_signals_are_exact_after_a_batch_is_retried_in_part_and_in_whole() -> None:
    _, key, session = started_session()
    batch = [event("test_run", index, {"passed": index % 3 != 0}) for index in range(60)]
    batch += [event("file_change", 100 + index, {"author": "ai" if index < 30 else "human"}) for index in range(40)]
    # A client whose first attempt stored the first 55 events, then retried everything twice.
    assert send(key, session["id"], batch[:55])[1] == {"accepted": 55, "duplicates": 0, "refused": []}

    assert send(key, session["id"], batch)[1] == {"accepted": 45, "duplicates": 55, "refused": []}
    assert send(key, session["id"], batch)[1] == {"accepted": 0, "duplicates": 100, "refused": []}

    assert signals(session["id"]) == {
        "eventCount": 100,
        "promptCount": 0,
        "toolCallCount": 0,
        "testRunCount": 60,
        "testPassCount": 40,
        "decisionCount": 0,
        "firstEventAt": batch[0]["at"],
        "lastEventAt": batch[-1]["at"],
        "aiAttributionPct": 75,
    }


class InterleavedStore(TelemetryStore):
    """A store before whose first write another request stores ``other`` events in the same session,
    as a concurrent client would between this request's read and its write."""

    def __init__(self, key: dict[str, Any], session_id: str, other: list[dict[str, Any]]) -> None:
        self.key, self.session_id, self.other = key, session_id, other

    def insert(
        self, session: SessionRecord, events: Sequence[EventRecord], counts: SignalCounts, cutoff: str, max_events: int
    ) -> None:
        if self.other:
            other, self.other = self.other, []
            assert send(self.key, self.session_id, other)[0] == 200
        super().insert(session, events, counts, cutoff, max_events)


def test_a_concurrent_batch_between_read_and_write_neither_loses_counts_nor_bounds() -> None:
    _, key, session = started_session()
    send(key, session["id"], [event("prompt", 50)])
    mine = [event("prompt", 40), event("decision", 60), event("tool_call", 45)]
    theirs = [event("prompt", 10), event("prompt", 90), mine[0]]
    store = InterleavedStore(key, session["id"], theirs)

    body = {"events": mine}
    result = ingest_events(
        SessionStore(),
        store,
        candidate_for(key),
        session["id"],
        IngestRequest.model_validate(body),
        sent=json.dumps(body),
    )

    assert (result.accepted, result.duplicates) == (2, 1)
    found = signals(session["id"])
    assert (found["eventCount"], found["promptCount"], found["decisionCount"], found["toolCallCount"]) == (6, 4, 1, 1)
    assert (found["firstEventAt"], found["lastEventAt"]) == (theirs[0]["at"], theirs[1]["at"])


# Limits


def test_a_request_holds_1_to_100_events() -> None:
    _, key, session = started_session()

    assert send(key, session["id"], [])[0] == 400
    assert send(key, session["id"], prompts(101))[0] == 400
    assert send(key, session["id"], prompts(100))[1] == {"accepted": 100, "duplicates": 0, "refused": []}


def test_data_over_32_kib_is_413_naming_the_event_and_nothing_is_stored() -> None:
    _, key, session = started_session()
    fits = event("note", data={"text": "x" * (32 * 1024 - len('{"text":""}'))})
    too_large = event("note", data={"text": "x" * (32 * 1024)})

    status, payload = send(key, session["id"], [fits, event(), too_large])

    assert (status, payload["code"]) == (413, "event_too_large")
    assert payload["error"].startswith("events.2.data is larger than 32 KiB")
    assert read_all(session["id"])[0] == []
    assert send(key, session["id"], [fits])[1] == {"accepted": 1, "duplicates": 0, "refused": []}


def test_this_route_takes_bodies_up_to_256_kib_where_others_stop_at_64() -> None:
    _, key, session = started_session()
    large = [event("note", index, {"text": "x" * 20_000}) for index in range(12)]  # about 240 KiB
    too_large = [event("note", index, {"text": "x" * 20_000}) for index in range(14)]

    accepted = send(key, session["id"], large)
    refused = send(key, session["id"], too_large)

    assert len(json.dumps({"events": large})) > 200 * 1024
    assert accepted == (200, {"accepted": 12, "duplicates": 0, "refused": []})
    assert (refused[0], refused[1]["code"]) == (413, "payload_too_large")
    assert "256 KiB" in refused[1]["error"]


@pytest.mark.parametrize(
    ("changed", "field"),
    [
        ({"type": "test_run", "data": {"result": "ok"}}, "passed"),
        ({"type": "test_run", "data": {"passed": "yes"}}, "passed"),
        ({"type": "file_change", "data": {"author": "bot"}}, "author"),
        ({"type": "decision", "data": {"why": "no title"}}, "title"),
        ({"type": "deploy"}, "type"),
        ({"source": "email"}, "source"),
        ({"id": "event-1"}, "id"),
        ({"at": "2026-04-01T10:00:00"}, "at"),
        ({"at": "2026-04-01T12:00:00+02:00"}, "at"),
        ({"at": "yesterday"}, "at"),
        ({"data": ["not", "an", "object"]}, "data"),
        ({"extra": 1}, "extra"),
    ],
    ids=[
        "test run without passed",
        "passed not a boolean",
        "unknown author",
        "decision without title",
        "unknown type",
        "unknown source",
        "id not a UUID",
        "no time zone",
        "not UTC",
        "not a time",
        "data not an object",
        "unknown field",
    ],
)
def test_events_are_validated_where_they_drive_signals(changed: dict[str, Any], field: str) -> None:
    _, key, session = started_session()

    status, payload = send(key, session["id"], [event(), {**event(), **changed}])

    assert (status, payload["code"]) == (400, "validation_error")
    assert field in json.dumps(payload["details"])
    assert read_all(session["id"])[0] == []


@pytest.mark.parametrize(
    ("at", "matched", "read"),
    [
        ("0000-01-01T00:07:00Z", False, False),  # no year 0 in a date: the pattern says so too
        ("0001-01-01T00:00:00Z", True, True),  # read, then refused as out of the session's range
        ("2026-02-28T10:00:00Z", True, True),
        ("2026-02-30T10:00:00Z", True, False),  # a day its month lacks: no pattern states that
    ],
)
def test_the_documents_pattern_for_an_instant_admits_what_the_api_reads_as_a_date(
    at: str, matched: bool, read: bool
) -> None:
    pattern = IngestRequest.model_json_schema()["$defs"]["OtherEvent"]["properties"]["at"]["pattern"]
    _, key, session = started_session()

    _, payload = send(key, session["id"], [{**event(), "at": at}])

    unreadable = any(detail["code"] == "utc_timestamp" for detail in payload.get("details", []))
    assert (re.search(pattern, at) is not None, not unreadable) == (matched, read)


def test_an_events_field_has_one_path_the_documents_in_the_details_and_the_message() -> None:
    _, key, session = started_session()

    status, payload = send(key, session["id"], [event(), event("test_run", data={"result": "ok"})])

    assert status == 400
    assert [detail["path"] for detail in payload["details"]] == [["events", 1, "data", "passed"]]
    assert payload["error"].startswith("events.1.data.passed: ")


@pytest.mark.parametrize(
    ("number", "where"),
    [
        ("123456789012345678901234567890.123456789", ["events", 1, "data", "n"]),
        ("1e-400", ["events", 1, "data", "n"]),
        ("1e400", ["events", 1, "data", "n"]),
        ("0.30000000000000001", ["events", 1, "data", "n"]),
    ],
)
def test_a_number_a_double_cannot_hold_as_written_is_refused_naming_it(number: str, where: list[Any]) -> None:
    _, key, session = started_session()
    text = json.dumps({"events": [event(), event("note", data={"n": 0})]}).replace('{"n": 0}', f'{{"n": {number}}}')

    status, payload = call("ingest_events", candidate_for(key), path={"session_id": session["id"]}, raw_body=text)

    assert (status, payload["code"]) == (400, "validation_error")
    assert [(detail["path"], detail["code"]) for detail in payload["details"]] == [(where, "number_not_exact")]
    assert read_all(session["id"])[0] == []


def test_numbers_a_double_holds_come_back_as_sent() -> None:
    _, key, session = started_session()
    numbers = {"ratio": 0.1, "big": 12345678901234567, "tiny": 5e-324, "negative": -2.5e300, "count": 3}

    send(key, session["id"], [event("note", data=numbers)])

    assert read_all(session["id"])[0][0]["data"] == numbers


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_an_unpaired_surrogate_in_event_data_is_a_400_naming_where(escape: str) -> None:
    _, key, session = started_session()
    text = json.dumps({"events": [event("note", data={"notes": ["ok", "X"]})]}).replace('"X"', f'"{escape}"')

    status, payload = call("ingest_events", candidate_for(key), path={"session_id": session["id"]}, raw_body=text)

    assert (status, payload["code"]) == (400, "validation_error")
    assert payload["details"][0]["path"] == ["events", 0, "data", "notes", 1]
    assert payload["details"][0]["code"] == "string_unicode"


def test_data_is_kept_as_sent_beside_the_fields_that_drive_signals() -> None:
    _, key, session = started_session()
    data = {"passed": False, "command": "pytest -q", "failures": [{"name": "test_dedup", "line": 42}], "ratio": 0.5}
    sent = event("test_run", data=data)
    sent["at"] = "2026-04-01T10:00:00.123456+00:00"

    send(key, session["id"], [sent])

    [stored] = read_all(session["id"])[0]
    assert stored == {**sent, "at": "2026-04-01T10:00:00.123Z", "tool": None, "receivedAt": "2026-04-01T11:00:00.000Z"}


def test_the_timeline_names_each_events_tool_and_the_session_the_tools_seen() -> None:
    _, key, session = started_session()

    send(key, session["id"], [{**event(seconds=1), "tool": "claude-code"}, {**event(seconds=2), "tool": "cli"}])

    assert [stored["tool"] for stored in read_all(session["id"])[0]] == ["claude-code", "cli"]
    status, payload = call("get_session", path={"session_id": session["id"]})
    assert (status, payload["session"]["tools"]) == (200, ["claude-code", "cli"])


@pytest.mark.parametrize("tool", ["Claude Code", "", "x" * 33, 7])
def test_a_tool_name_not_of_the_documented_shape_is_400(tool: object) -> None:
    _, key, session = started_session()

    status, payload = send(key, session["id"], [{**event(), "tool": tool}])

    assert (status, payload["details"][0]["path"]) == (400, ["events", 0, "tool"])


@pytest.mark.parametrize("at", ["2026-04-01T09:58:59Z", "2026-04-01T11:01:01Z"])
def test_an_event_dated_outside_its_session_is_400_naming_it_and_nothing_is_stored(at: str) -> None:
    _, key, session = started_session()
    outside = {**event(), "at": at}

    status, payload = send(key, session["id"], [event(seconds=1), outside])

    assert (status, payload["code"]) == (400, "event_out_of_range")
    assert payload["details"][0]["path"] == ["events", 1, "at"]
    assert outside["id"] in payload["error"]
    assert read_all(session["id"])[0] == []


# The timeline


def test_the_timeline_is_in_time_order_ties_by_id() -> None:
    _, key, session = started_session()
    same_time = [event("prompt", 5) for _ in range(6)]
    later, earlier = event("note", 9), event("note", 1)

    send(key, session["id"], [later, *same_time[:3]])
    send(key, session["id"], [*same_time[3:], earlier])

    events, _ = read_all(session["id"], "limit=2")
    assert [stored["id"] for stored in events] == [
        earlier["id"],
        *sorted(item["id"] for item in same_time),
        later["id"],
    ]


def test_paging_through_2500_events_one_query_a_page(dynamodb_calls: RequestCounter) -> None:
    _, key, session = started_session()
    sent = [event("prompt", index / 10) for index in range(2500)]
    for start in range(0, 2500, 100):
        assert send(key, session["id"], sent[start : start + 100])[1]["accepted"] == 100

    dynamodb_calls.reset()
    status, first = timeline(session["id"], "limit=2000")
    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "Query": 1}
    second = timeline(session["id"], f"limit=2000&cursor={first['nextCursor']}")[1]
    by_default, pages = read_all(session["id"])

    assert status == 200
    assert (len(first["events"]), len(second["events"]), second["nextCursor"]) == (2000, 500, None)
    assert [item["id"] for item in first["events"] + second["events"]] == [item["id"] for item in sent]
    assert ([item["id"] for item in by_default], pages) == ([item["id"] for item in sent], 5)
    assert timeline(session["id"], "limit=2001")[0] == 400


def test_the_type_filter_reads_only_that_type() -> None:
    _, key, session = started_session()
    sent = [event("decision" if index % 10 == 0 else "prompt", index) for index in range(100)]
    send(key, session["id"], sent)

    decisions, pages = read_all(session["id"], "type=decision&limit=3")

    assert [item["id"] for item in decisions] == [item["id"] for item in sent if item["type"] == "decision"]
    assert pages == 4
    assert read_all(session["id"], "type=test_run")[0] == []
    assert timeline(session["id"], "type=deploy")[0] == 400


def test_a_cursor_not_of_the_documented_shape_is_400() -> None:
    _, _, session = started_session()

    status, payload = timeline(session["id"], "cursor=bm90LWEtY3Vyc29y")

    assert (status, payload["details"][0]["path"]) == (400, ["cursor"])


# When events are accepted


def test_events_are_409_once_the_session_is_completed() -> None:
    _, key, session = started_session()
    send(key, session["id"], prompts(3))
    assert call("complete_session", candidate_for(key), path={"session_id": session["id"]})[0] == 200

    status, payload = send(key, session["id"], prompts(1, start=10))

    assert (status, payload["code"]) == (409, "session_finished")
    assert signals(session["id"])["eventCount"] == 3


def test_events_are_accepted_through_the_grace_then_409(monkeypatch: pytest.MonkeyPatch) -> None:
    _, key, session = started_session(timeLimitMinutes=1)
    deadline = clock.from_timestamp(session["deadline"])

    monkeypatch.setattr(clock, "utc_now", lambda: deadline + timedelta(seconds=60))
    within = send(key, session["id"], prompts(1))
    monkeypatch.setattr(clock, "utc_now", lambda: deadline + timedelta(seconds=61))
    after = send(key, session["id"], prompts(1, start=5))

    assert within == (200, {"accepted": 1, "duplicates": 0, "refused": []})
    assert (after[0], after[1]["code"]) == (409, "session_finished")


def test_a_session_finishing_part_way_answers_what_was_stored_and_which_events_were_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, key, session = started_session()
    sent = prompts(100)
    insert = TelemetryStore.insert
    batches: list[int] = []

    def revoked_after_the_first_batch(store: TelemetryStore, *arguments: Any) -> None:
        batches.append(len(arguments[1]))
        if len(batches) == 2:  # another request revokes the key between two batches
            call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})
        insert(store, *arguments)

    monkeypatch.setattr(TelemetryStore, "insert", revoked_after_the_first_batch)
    status, result = send(key, session["id"], sent)

    assert status == 200
    assert (result["accepted"], result["duplicates"]) == (batches[0], 0)
    assert [refused["id"] for refused in result["refused"]] == [event["id"] for event in sent[batches[0] :]]
    assert {refused["code"] for refused in result["refused"]} == {"session_finished"}
    assert len(read_all(session["id"])[0]) == batches[0] == signals(session["id"])["eventCount"]


def test_a_session_holds_a_bounded_number_of_events(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telemetry, "MAX_EVENTS_PER_SESSION", 60)
    _, key, session = started_session()
    assert send(key, session["id"], prompts(50))[0] == 200

    status, result = send(key, session["id"], prompts(20, start=50))  # the first 10 fit, as one batch does not

    assert (status, result["code"]) == (409, "event_limit_reached")
    assert send(key, session["id"], prompts(10, start=50))[1] == {"accepted": 10, "duplicates": 0, "refused": []}
    full = send(key, session["id"], prompts(1, start=70))
    assert (full[0], full[1]["code"]) == (409, "event_limit_reached")
    assert signals(session["id"])["eventCount"] == 60


def test_a_revoked_session_takes_no_more_events() -> None:
    _, key, session = started_session()
    call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})

    assert send(key, session["id"], prompts(1))[1]["code"] == "session_finished"


def test_a_deleted_assessments_running_session_still_takes_events() -> None:
    assessment, key, session = started_session()
    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    assert send(key, session["id"], prompts(2)) == (200, {"accepted": 2, "duplicates": 0, "refused": []})
    assert signals(session["id"])["eventCount"] == 2


# Isolation


def test_another_keys_session_is_404_and_another_orgs_timeline_and_stats_too() -> None:
    assessment, key, session = started_session()
    [other_key] = generate_keys(assessment["id"], 1)
    call("start_session", candidate_for(other_key))
    send(key, session["id"], prompts(2))

    assert send(other_key, session["id"], prompts(1))[0] == 404
    assert send(key, str(uuid.uuid4()), prompts(1))[0] == 404
    assert timeline(session["id"], principal=ORG_B)[0] == 404
    assert stats(assessment["id"], ORG_B)[0] == 404
    assert call("get_timeline", candidate_for(key), path={"session_id": session["id"]})[0] == 401
    assert signals(session["id"])["eventCount"] == 2


# Cost


def test_100_events_are_one_read_and_three_transactions(dynamodb_calls: RequestCounter) -> None:
    _, key, session = started_session()
    dynamodb_calls.reset()

    assert send(key, session["id"], prompts(100))[1]["accepted"] == 100

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 3}


def test_reading_the_signals_costs_nothing_more(dynamodb_calls: RequestCounter) -> None:
    _, key, session = started_session()
    send(key, session["id"], prompts(10))
    dynamodb_calls.reset()

    assert signals(session["id"])["eventCount"] == 10

    assert dict(dynamodb_calls.calls) == {"GetItem": 1}


# The cohort


def test_stats_spread_over_completed_sessions_with_each_ones_percentile(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    keys = generate_keys(assessment["id"], 5)
    sessions = [start(key) for key in keys]
    counts = [1, 2, 3, 10, 7]  # prompts a session; the last one stays in progress
    for key, session, count in zip(keys, sessions, counts, strict=True):
        changes = [
            event("file_change", 100 + index, {"author": "ai" if index < count else "human"}) for index in range(4)
        ]
        send(key, session["id"], [*prompts(count), event("test_run"), *changes])
    for key, session in zip(keys[:4], sessions[:4], strict=True):
        call("complete_session", candidate_for(key), path={"session_id": session["id"]})
    dynamodb_calls.reset()

    status, payload = stats(assessment["id"])

    assert status == 200
    assert dict(dynamodb_calls.calls) == {"Query": 1}
    assert payload["sessions"] == 4
    assert payload["signals"]["promptCount"] == {"min": 1, "p25": 1.75, "median": 2.5, "p75": 4.75, "max": 10}
    assert payload["signals"]["eventCount"] == {"min": 6, "p25": 6.75, "median": 7.5, "p75": 9.75, "max": 15}
    assert payload["signals"]["testRunCount"] == {"min": 1, "p25": 1, "median": 1, "p75": 1, "max": 1}
    assert payload["signals"]["aiAttributionPct"] == {"min": 25, "p25": 43.75, "median": 62.5, "p75": 81.25, "max": 100}
    assert set(payload["percentiles"]) == {session["id"] for session in sessions[:4]}
    assert [payload["percentiles"][session["id"]]["promptCount"] for session in sessions[:4]] == [
        12.5,
        37.5,
        62.5,
        87.5,
    ]
    assert payload["percentiles"][sessions[0]["id"]]["testRunCount"] == 50


def test_stats_without_completed_sessions_are_empty() -> None:
    assessment, key, session = started_session()
    send(key, session["id"], prompts(3))

    status, payload = stats(assessment["id"])

    assert status == 200
    assert payload["sessions"] == 0
    assert payload["signals"]["eventCount"] == {"min": None, "p25": None, "median": None, "p75": None, "max": None}
    assert payload["percentiles"] == {}
