"""Business rules for session telemetry: the candidate's tools send what happened, each event stored
once, and reviewers read the timeline (the signals' spread over a cohort is shared.domain.cohort)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from shared import clock
from shared.auth import Candidate
from shared.domain.deadlines import running_cutoff
from shared.domain.paging import decode_name_cursor, encode_name_cursor, within_budget
from shared.domain.ports import Sessions, Telemetry
from shared.domain.sessions import org_session, own_session, session_status
from shared.errors import ConflictError, InvalidInputError, PayloadTooLargeError
from shared.models.telemetry import (
    EVENT_CLOCK_SKEW_SECONDS,
    MAX_DATA_BYTES,
    MAX_EVENTS_PER_SESSION,
    Event,
    EventIn,
    EventType,
    FileChangeEvent,
    IngestRequest,
    IngestResult,
    RefusedEvent,
    TestRunEvent,
    utc_instant,
)
from shared.store.dynamo import WriteConflictError
from shared.store.sessions import SessionRecord, SignalCounts
from shared.store.telemetry import EVENTS_PER_TRANSACTION, EventRecord, EventsRefusedError

_SURROGATE = "[\ud800-\udfff]"
# Each attempt either stores the batch or learns something (duplicates, or the session's new bounds).
_ATTEMPTS = 8

# Ingest (candidate)


def ingest_events(
    sessions: Sessions,
    telemetry: Telemetry,
    candidate: Candidate,
    session_id: str,
    request: IngestRequest,
    *,
    sent: str,
) -> IngestResult:
    """Store the events of the candidate's own running session, each id once: an id already stored,
    or repeated in the request, counts as a duplicate and changes nothing. ``sent`` is the body as the
    client sent it, whose numbers ``data`` must keep as written. One event outside the session's time
    (before its start, or ahead of the server's clock, beyond the skew forgiven) refuses the whole
    request, as any invalid event does: nothing is stored."""
    _refuse_inexact_numbers(sent)
    texts = _data_texts(request.events)
    session = own_session(sessions, candidate, session_id)
    _refuse_finished(session)
    _refuse_full(session, 1)
    now = clock.utc_now()
    _refuse_out_of_range(request.events, clock.from_timestamp(session.started_at), now)
    received_at = utc_instant(clock.to_timestamp(now))
    unique: dict[str, tuple[EventIn, str]] = {}
    for event, text in zip(request.events, texts, strict=True):
        unique.setdefault(event.id, (event, text))
    accepted, duplicates = 0, len(request.events) - len(unique)
    pending = list(unique.values())
    for start in range(0, len(pending), EVENTS_PER_TRANSACTION):
        batch = pending[start : start + EVENTS_PER_TRANSACTION]
        try:
            stored, repeated, session = _store_batch(
                sessions, telemetry, candidate, session, batch, received_at=received_at
            )
        except ConflictError as stopped:
            if accepted + duplicates == 0:
                raise  # nothing of the request is stored: the request as a whole is refused
            # The batches before stand: say so, and which events were not stored.
            refused = [
                RefusedEvent(id=event.id, code=stopped.code, message=stopped.message) for event, _ in pending[start:]
            ]
            return IngestResult(accepted=accepted, duplicates=duplicates, refused=refused)
        accepted, duplicates = accepted + stored, duplicates + repeated
    return IngestResult(accepted=accepted, duplicates=duplicates)


def _data_texts(events: Sequence[EventIn]) -> list[str]:
    """Each event's ``data`` as the JSON text stored; 413 naming the first event whose data is too large,
    400 naming the first string that is not Unicode text (an unpaired surrogate, which JSON's escapes
    can spell and no store can keep)."""
    texts = []
    for index, event in enumerate(events):
        data = event.data if isinstance(event.data, dict) else event.data.model_dump(by_alias=True)
        try:
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise InvalidInputError.for_field(
                ("events", index, "data"), "json_invalid", "NaN and Infinity are not JSON numbers"
            ) from None
        broken = _surrogate_path(data)
        if broken is not None:
            raise InvalidInputError.for_field(
                ("events", index, "data", *broken), "string_unicode", "an unpaired surrogate is not Unicode text"
            )
        if len(text.encode()) > MAX_DATA_BYTES:
            raise PayloadTooLargeError(
                f"events.{index}.data is larger than {MAX_DATA_BYTES // 1024} KiB as JSON", code="event_too_large"
            )
        texts.append(text)
    return texts


def _surrogate_path(value: object, path: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """Where in ``value`` a string (or a key) holds an unpaired surrogate, if anywhere."""
    if isinstance(value, str):
        return path if re.search(_SURROGATE, value) else None
    if isinstance(value, dict):
        for key, inner in value.items():
            found = (*path, key) if re.search(_SURROGATE, key) else _surrogate_path(inner, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, inner in enumerate(value):
            found = _surrogate_path(inner, (*path, index))
            if found is not None:
                return found
    return None


def _refuse_inexact_numbers(sent: str) -> None:
    """400 naming the first number of an event's ``data`` that a double cannot hold as written (more
    than 17 significant digits, or beyond a double's range): it is kept as sent or refused, never
    changed on the way in. A number meant to be exact beyond that belongs in a string."""
    for index, event in enumerate(json.loads(sent, parse_float=Decimal).get("events", [])):
        for path, number in _decimals(event.get("data") if isinstance(event, dict) else None):
            as_double = float(number)
            if not math.isfinite(as_double) or Decimal(repr(as_double)) != number:
                raise InvalidInputError.for_field(
                    ("events", index, "data", *path),
                    "number_not_exact",
                    f"{number} cannot be kept as written (at most 17 significant digits, within ±1.7e308); "
                    "send it as a string",
                )


def _decimals(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Decimal]]:
    if isinstance(value, Decimal):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _decimals(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _decimals(inner, (*path, index))


def _refuse_out_of_range(events: Sequence[EventIn], started: datetime, now: datetime) -> None:
    """400 ``event_out_of_range`` naming the first event whose ``at`` lies before the session started
    or after now, beyond the clock skew forgiven: a timeline can be neither backdated nor padded."""
    skew = timedelta(seconds=EVENT_CLOCK_SKEW_SECONDS)
    earliest, latest = started - skew, now + skew
    for index, event in enumerate(events):
        at = datetime.fromisoformat(event.at)
        if at < earliest:
            problem = f"event {event.id} is dated before the session started ({clock.to_timestamp(started)})"
        elif at > latest:
            problem = f"event {event.id} is dated in the future (the server's time is {clock.to_timestamp(now)})"
        else:
            continue
        raise InvalidInputError.for_field(
            ("events", index, "at"), "event_out_of_range", problem, error_code="event_out_of_range"
        )


def _refuse_full(session: SessionRecord, adding: int) -> None:
    if session.event_count + adding > MAX_EVENTS_PER_SESSION:
        raise ConflictError(
            f"This session holds {session.event_count} events; it may hold at most {MAX_EVENTS_PER_SESSION}",
            code="event_limit_reached",
        )


def _refuse_finished(session: SessionRecord) -> None:
    if session.erased_at is not None:
        raise ConflictError("This session's candidate was erased: it takes no more events", code="session_finished")
    if session_status(session, clock.utc_now()) != "in_progress":
        raise ConflictError("This session is no longer in progress", code="session_finished")


def _store_batch(
    sessions: Sessions,
    telemetry: Telemetry,
    candidate: Candidate,
    session: SessionRecord,
    batch: list[tuple[EventIn, str]],
    *,
    received_at: str,
) -> tuple[int, int, SessionRecord]:
    """Store one transaction's events: how many were stored, how many were duplicates, and the
    session as it now stands (its event bounds are the next batch's condition)."""
    repeated = 0
    for _ in range(_ATTEMPTS):
        if not batch:
            return 0, repeated, session
        records = [
            EventRecord(
                id=event.id,
                type=event.type,
                at=event.at,
                source=event.source,
                data=text,
                tool=event.tool,
                received_at=received_at,
            )
            for event, text in batch
        ]
        try:
            counts = _counts([event for event, _ in batch])
            telemetry.insert(session, records, counts, running_cutoff(clock.utc_now()), MAX_EVENTS_PER_SESSION)
        except EventsRefusedError as refused:
            repeated += len(refused.duplicates)
            batch = [pair for index, pair in enumerate(batch) if index not in set(refused.duplicates)]
            if refused.session_changed:
                session = own_session(sessions, candidate, session.id)
                _refuse_finished(session)
                _refuse_full(session, len(batch))
            continue
        except WriteConflictError:
            continue
        first = min(record.at for record in records)
        last = max(record.at for record in records)
        bounds = {
            "first_event_at": min(first, session.first_event_at or first),
            "last_event_at": max(last, session.last_event_at or last),
        }
        return len(records), repeated, session.model_copy(update=bounds)
    raise ConflictError("The session changed while its events were being stored; retry", code="write_conflict")


def _counts(events: Sequence[EventIn]) -> SignalCounts:
    """What ``events`` add to the session's signals."""

    def count(matches: Callable[[EventIn], bool]) -> int:
        return sum(1 for event in events if matches(event))

    # A workspace summary restates file changes already counted.
    changes = [event for event in events if isinstance(event, FileChangeEvent) and not event.data.summary]

    return SignalCounts(
        event_count=len(events),
        prompt_count=count(lambda event: event.type == "prompt"),
        tool_call_count=count(lambda event: event.type == "tool_call"),
        test_run_count=count(lambda event: event.type == "test_run"),
        test_pass_count=count(lambda event: isinstance(event, TestRunEvent) and event.data.passed),
        decision_count=count(lambda event: event.type == "decision"),
        file_change_count=len(changes),
        ai_file_change_count=sum(1 for change in changes if change.data.author == "ai"),
    )


# Timeline (reviewer)


def get_timeline(
    sessions: Sessions,
    telemetry: Telemetry,
    org_id: str,
    session_id: str,
    *,
    limit: int,
    cursor: str | None,
    event_type: EventType | None,
) -> tuple[list[Event], str | None]:
    """One page of one of the org's sessions' events (see :func:`timeline_page`)."""
    session = org_session(sessions, org_id, session_id)
    return timeline_page(telemetry, session, limit=limit, cursor=cursor, event_type=event_type)


def timeline_page(
    telemetry: Telemetry, session: SessionRecord, *, limit: int, cursor: str | None, event_type: EventType | None
) -> tuple[list[Event], str | None]:
    """One page of a session's events in ``at`` order (ties by id), of one type if asked: one Query,
    cut where its JSON would pass the response budget. An erased session's is empty."""
    if session.erased_at is not None:
        return [], None  # what the candidate's tools captured went with them (its deletion may still run)
    records, more = telemetry.timeline(session.id, event_type, limit, _decode_cursor(cursor))
    views = [_event_view(record) for record in records]
    resume_after = _position(views[-1]) if more and views else None
    return within_budget(
        views, resume_after, lambda view: len(view.model_dump_json()), _position, encode=encode_name_cursor
    )


def _event_view(record: EventRecord) -> Event:
    return Event.model_validate({**record.model_dump(), "data": json.loads(record.data)})


def _position(event: Event) -> str:
    """What a cursor holds: the event's place in the timeline."""
    return f"{event.at}#{event.id}"


def _decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """The (``at``, id) a cursor resumes after: any cursor of the documented shape names a place in
    the session's own timeline, so a forged one can at worst skip ahead in it."""
    position = decode_name_cursor(cursor)
    if position is None:
        return None
    at, _, event_id = position.decode(errors="replace").partition("#")
    return at, event_id
