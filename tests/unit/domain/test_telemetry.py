"""Telemetry rules over in-memory stores: each event id once, batches retried when another one moved the
session's bounds, only running sessions, and the cohort's spread and ranks."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from shared.auth import Candidate
from shared.domain.cohort import assessment_stats
from shared.domain.sessions import complete_session, get_session, start_session
from shared.domain.telemetry import get_timeline, ingest_events
from shared.errors import ConflictError, InvalidInputError, NotFoundError, PayloadTooLargeError
from shared.models.telemetry import IngestRequest, IngestResult
from shared.store.sessions import SessionRecord, SignalCounts
from shared.store.telemetry import EventRecord
from tests.unit.domain.fakes import FakeTelemetry, Stores
from tests.unit.domain.support import (
    ORG,
    OTHER_ORG,
    FrozenClock,
    a_started_session,
    an_assessment,
    candidate_of,
    some_keys,
)


def an_event(second: int, event_type: str = "prompt", **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "at": f"2026-04-01T10:00:{second:02}Z",
        "source": "cli",
        "data": data,
    }


def an_event_at(at: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": "prompt", "at": at, "source": "hook", "data": {}}


def send(stores: Stores, candidate: Candidate, session_id: str, events: Sequence[dict[str, Any]]) -> IngestResult:
    request = IngestRequest.model_validate({"events": list(events)})
    return ingest_events(
        stores.sessions, stores.telemetry, candidate, session_id, request, sent=request.model_dump_json(by_alias=True)
    )


def test_an_id_is_stored_once_within_and_across_requests(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    first, second = an_event(1), an_event(2, "test_run", passed=True)

    assert send(stores, candidate, session.id, [first, second, first]) == IngestResult(accepted=2, duplicates=1)
    assert send(stores, candidate, session.id, [second, an_event(3)]) == IngestResult(accepted=1, duplicates=1)

    signals = get_session(stores.sessions, ORG, session.id).signals
    assert (signals.event_count, signals.prompt_count, signals.test_pass_count) == (3, 2, 1)


def test_a_request_of_more_than_49_new_events_is_stored_in_batches(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    events = [an_event(index % 60, "file_change", author="ai" if index < 25 else "human") for index in range(100)]

    assert send(stores, candidate, session.id, events) == IngestResult(accepted=100, duplicates=0)

    signals = get_session(stores.sessions, ORG, session.id).signals
    assert (signals.event_count, signals.ai_attribution_pct) == (100, 25)
    assert (signals.first_event_at, signals.last_event_at) == ("2026-04-01T10:00:00.000Z", "2026-04-01T10:00:59.000Z")


class Interleaved(FakeTelemetry):
    """Before the first write, another request stores ``other`` in the session."""

    def __init__(self, stores: Stores, other: list[EventRecord]) -> None:
        super().__init__(stores.memory)
        self.stores, self.other = stores, other

    def insert(
        self, session: SessionRecord, events: Sequence[EventRecord], counts: SignalCounts, cutoff: str, max_events: int
    ) -> None:
        if self.other:
            current = self.stores.sessions.get(session.id)
            assert current is not None
            super().insert(current, self.other, SignalCounts(event_count=len(self.other)), cutoff, max_events)
            self.other = []
        super().insert(session, events, counts, cutoff, max_events)


def test_a_batch_is_retried_when_another_moved_the_bounds_it_moves(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    other = EventRecord(id=str(uuid.uuid4()), type="note", at="2026-04-01T10:00:50.000Z", source="cli", data="{}")
    telemetry = Interleaved(stores, [other])
    request = IngestRequest.model_validate({"events": [an_event(10), an_event(40)]})

    result = ingest_events(
        stores.sessions, telemetry, candidate, session.id, request, sent=request.model_dump_json(by_alias=True)
    )

    assert result == IngestResult(accepted=2, duplicates=0)
    signals = get_session(stores.sessions, ORG, session.id).signals
    assert (signals.event_count, signals.first_event_at, signals.last_event_at) == (
        3,
        "2026-04-01T10:00:10.000Z",
        "2026-04-01T10:00:50.000Z",
    )


def test_only_a_running_session_takes_events(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=1)
    clock.advance(minutes=1, seconds=60)
    assert send(stores, candidate, session.id, [an_event(1)]).accepted == 1

    clock.advance(seconds=1)
    with pytest.raises(ConflictError) as finished:
        send(stores, candidate, session.id, [an_event(2)])
    assert finished.value.code == "session_finished"


def test_another_candidates_session_is_not_found(stores: Stores) -> None:
    _, session = a_started_session(stores)
    stranger, _ = a_started_session(stores)

    with pytest.raises(NotFoundError):
        send(stores, stranger, session.id, [an_event(1)])


def test_data_over_32_kib_is_too_large_naming_the_event(stores: Stores) -> None:
    candidate, session = a_started_session(stores)

    with pytest.raises(PayloadTooLargeError, match=r"events\.1\.data"):
        send(stores, candidate, session.id, [an_event(1), an_event(2, text="x" * 33_000)])


def test_stats_spread_over_completed_sessions_and_rank_each(stores: Stores) -> None:
    assessment = an_assessment(stores)
    candidates = [candidate_of(key) for key in some_keys(stores, assessment, count=4)]
    sessions = [
        start_session(stores.assessments, stores.keys, stores.sessions, candidate)[0].session
        for candidate in candidates
    ]
    for count, candidate, session in zip([4, 1, 2, 9], candidates, sessions, strict=True):
        send(stores, candidate, session.id, [an_event(second, "decision", title="t") for second in range(count)])
    for candidate, session in zip(candidates[:3], sessions[:3], strict=True):
        complete_session(stores.sessions, candidate, session.id, None)

    stats = assessment_stats(stores.sessions, ORG, assessment.id)

    assert stats.sessions == 3
    spread = stats.signals["decisionCount"]
    assert (spread.min, spread.p25, spread.median, spread.p75, spread.max) == (1, 1.5, 2, 3, 4)
    assert stats.signals["aiAttributionPct"].median is None
    assert [stats.percentiles[session.id]["decisionCount"] for session in sessions[:3]] == [83.3, 16.7, 50]
    with pytest.raises(NotFoundError):
        assessment_stats(stores.sessions, OTHER_ORG, assessment.id)


def test_stats_page_the_ranks_each_page_ranked_against_the_whole_cohort(stores: Stores) -> None:
    assessment = an_assessment(stores)
    candidates = [candidate_of(key) for key in some_keys(stores, assessment, count=5)]
    for count, candidate in zip([3, 1, 4, 1, 5], candidates, strict=True):
        session = start_session(stores.assessments, stores.keys, stores.sessions, candidate)[0].session
        send(stores, candidate, session.id, [an_event(second, "decision", title="t") for second in range(count)])
        complete_session(stores.sessions, candidate, session.id, None)
    whole = assessment_stats(stores.sessions, ORG, assessment.id)

    pages, cursor = [], None
    while True:
        page = assessment_stats(stores.sessions, ORG, assessment.id, limit=2, cursor=cursor)
        assert (page.sessions, page.signals) == (whole.sessions, whole.signals)
        pages.append(page.percentiles)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert [len(ranks) for ranks in pages] == [2, 2, 1]
    assert {session_id: ranks for page in pages for session_id, ranks in page.items()} == whole.percentiles
    assert whole.next_cursor is None


@pytest.mark.parametrize(
    ("at", "says"),
    [("2026-04-01T09:58:59.999Z", "before the session started"), ("2026-04-01T10:01:00.001Z", "in the future")],
)
def test_an_event_outside_the_session_refuses_the_request_naming_it(stores: Stores, at: str, says: str) -> None:
    candidate, session = a_started_session(stores)
    outside = an_event_at(at)

    with pytest.raises(InvalidInputError) as refused:
        send(stores, candidate, session.id, [an_event(1), outside])

    assert refused.value.code == "event_out_of_range"
    [problem] = refused.value.problems
    assert problem.path == ("events", 1, "at")
    assert outside["id"] in problem.message
    assert says in problem.message
    assert get_session(stores.sessions, ORG, session.id).signals.event_count == 0


def test_events_within_a_minute_of_skew_either_side_are_taken(stores: Stores) -> None:
    candidate, session = a_started_session(stores)

    result = send(
        stores, candidate, session.id, [an_event_at("2026-04-01T09:59:00Z"), an_event_at("2026-04-01T10:01:00Z")]
    )

    assert result == IngestResult(accepted=2, duplicates=0)


def test_each_event_keeps_its_tool_and_when_it_was_received(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores)
    clock.advance(seconds=30)

    send(
        stores, candidate, session.id, [{**an_event(1), "tool": "cursor"}, {**an_event(2), "tool": "cli"}, an_event(3)]
    )

    events, _ = get_timeline(stores.sessions, stores.telemetry, ORG, session.id, limit=10, cursor=None, event_type=None)
    assert [(event.tool, event.received_at) for event in events] == [
        ("cursor", "2026-04-01T10:00:30.000Z"),
        ("cli", "2026-04-01T10:00:30.000Z"),
        (None, "2026-04-01T10:00:30.000Z"),
    ]
    assert get_session(stores.sessions, ORG, session.id).tools == ["cli", "cursor"]


def test_a_workspace_summary_is_not_counted_among_the_file_changes(stores: Stores) -> None:
    candidate, session = a_started_session(stores)

    send(
        stores,
        candidate,
        session.id,
        [
            an_event(1, "file_change", author="ai"),
            an_event(2, "file_change", author="human"),
            an_event(3, "file_change", author="human", summary=True),
        ],
    )

    signals = get_session(stores.sessions, ORG, session.id).signals
    assert (signals.event_count, signals.ai_attribution_pct) == (3, 50)
