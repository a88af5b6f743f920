"""A session's events, kept in the session's own partition: the event (``SESSION#{sessionId}`` /
``EVT#{at}#{eventId}``, its timeline in ``at`` order, ties by id; in the GSI1 index under
``SESSION#{sessionId}#TYPE#{type}`` for one type's timeline) and its id's claim (``ID#{eventId}``), which
keeps an id stored once whatever ``at`` a retry carries. The transaction storing a batch also counts
the batch's signals on the session item, and adds the tools that captured them to its ``tools`` set,
so they are exact under retries."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic.alias_generators import to_camel

from shared.observability import traced
from shared.store import dynamo, sessions
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, PARTITION_KEY, SESSIONS_INDEX, SORT_KEY
from shared.store.sessions import RUNNING, SessionRecord, SignalCounts

# Two items an event and the session's update: 49 events fill one transaction.
EVENTS_PER_TRANSACTION = (dynamo.MAX_TRANSACTION_ACTIONS - 1) // 2

_EVENT_PREFIX = "EVT#"


class EventRecord(Record):
    """An event as stored: ``data`` is the JSON text the client sent (numbers of any precision, as sent)."""

    id: str
    type: str
    at: str
    source: str
    data: str
    tool: str | None = None
    received_at: str | None = None  # None for events stored before it was kept


class EventsRefusedError(Exception):
    """A batch was not stored: ``duplicates`` index the events whose id is already stored, and
    ``session_changed`` says the session was no longer as read (finished, or its bounds moved)."""

    def __init__(self, duplicates: Sequence[int], session_changed: bool) -> None:
        super().__init__(f"events refused: duplicates at {list(duplicates)}, session changed: {session_changed}")
        self.duplicates = list(duplicates)
        self.session_changed = session_changed


def _partition(session_id: str) -> str:
    return sessions.keys(session_id)[PARTITION_KEY]


def _sort_key(at: str, event_id: str) -> str:
    return f"{_EVENT_PREFIX}{at}#{event_id}"


def _type_partition(session_id: str, event_type: str) -> str:
    return f"{_partition(session_id)}#TYPE#{event_type}"


def _bounds_update(
    name: str, seen: str | None, new: str, moves: bool, values: dict[str, object]
) -> tuple[list[str], list[str]]:
    """The SET and condition that move a bound (first or last event) to ``new``, if ``moves``: only
    from the value read, so concurrent batches never overwrite a further bound with a nearer one. A
    bound that does not move needs no condition: bounds only ever move outwards."""
    if not moves:
        return [], []
    values[f":{name}"] = new
    if seen is None:
        return [f"{name} = :{name}"], [f"attribute_not_exists({name})"]
    values[f":seen_{name}"] = seen
    return [f"{name} = :{name}"], [f"{name} = :seen_{name}"]


class TelemetryStore:
    @traced
    def insert(
        self,
        session: SessionRecord,
        events: Sequence[EventRecord],
        counts: SignalCounts,
        cutoff: str,
        max_events: int,
    ) -> None:
        """Store up to EVENTS_PER_TRANSACTION events and add ``counts`` to the session, which must
        still be running (``cutoff``: the latest deadline still running) with the bounds read in
        ``session`` and room for them under ``max_events``; else nothing is stored and
        EventsRefusedError says why."""
        assert 0 < len(events) <= EVENTS_PER_TRANSACTION
        partition = _partition(session.id)
        actions: list[Action] = []
        for event in events:
            sort_key = _sort_key(event.at, event.id)
            claim = {PARTITION_KEY: partition, SORT_KEY: f"ID#{event.id}"}
            indexed = {INDEX_PARTITION_KEY: _type_partition(session.id, event.type), INDEX_SORT_KEY: sort_key}
            item = {**indexed, **item_of({PARTITION_KEY: partition, SORT_KEY: sort_key}, event)}
            actions.append(Action("Put", "event id", item=claim, condition="attribute_not_exists(PK)"))
            actions.append(Action("Put", "event", item=item, condition="attribute_not_exists(PK)"))
        actions.append(_count_action(session, events, counts, cutoff, max_events))
        try:
            dynamo.transact_write(actions)
        except dynamo.ConditionFailedError as failed:
            session_position = len(actions) - 1
            duplicates = sorted({position // 2 for position in failed.positions if position < session_position})
            raise EventsRefusedError(duplicates, session_position in failed.positions) from failed

    @traced
    def erase_events(self, session_id: str, limit: int) -> bool:
        """Delete up to ``limit`` of the session's events (an erased candidate's timeline): one Query, and
        a BatchWriteItem per 25 events. True when none are left. The id claims stay, so a retried upload
        is still a duplicate, and so do the signals counted on the session."""
        items, last = dynamo.query(
            "PK = :pk AND begins_with(SK, :prefix)",
            {":pk": _partition(session_id), ":prefix": _EVENT_PREFIX},
            limit=limit,
        )
        dynamo.delete_all([{PARTITION_KEY: str(item[PARTITION_KEY]), SORT_KEY: str(item[SORT_KEY])} for item in items])
        return last is None

    def timeline(
        self, session_id: str, event_type: str | None, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[EventRecord], bool]:
        """One Query of the session's events (of ``event_type`` only, if given) in ``at`` order after
        ``after`` (``at``, id), and whether more may follow (also where the Query's 1 MB ended)."""
        partition = _partition(session_id)
        start_after: dict[str, str] | None = None
        if after is not None:
            start_after = {PARTITION_KEY: partition, SORT_KEY: _sort_key(*after)}
        if event_type is None:
            items, last = dynamo.query(
                "PK = :pk AND begins_with(SK, :prefix)",
                {":pk": partition, ":prefix": _EVENT_PREFIX},
                limit=limit + 1,  # one more tells whether another page follows
                start_after=start_after,
            )
        else:
            type_partition = _type_partition(session_id, event_type)
            if start_after is not None:
                start_after |= {INDEX_PARTITION_KEY: type_partition, INDEX_SORT_KEY: start_after[SORT_KEY]}
            items, last = dynamo.query(
                f"{INDEX_PARTITION_KEY} = :pk",
                {":pk": type_partition},
                limit=limit + 1,
                start_after=start_after,
                index=SESSIONS_INDEX,
            )
        events = [EventRecord.model_validate(item) for item in items]
        return events[:limit], len(events) > limit or (last is not None and bool(events))


def _count_action(
    session: SessionRecord, events: Sequence[EventRecord], counts: SignalCounts, cutoff: str, max_events: int
) -> Action:
    """The session's update adding ``counts`` and the events' tools, and moving its first and last event
    times outwards."""
    values: dict[str, object] = {":cutoff": cutoff, ":room": max_events - counts.event_count}
    adds = []
    for name in SignalCounts.model_fields:
        values[f":{name}"] = getattr(counts, name)
        adds.append(f"{to_camel(name)} :{name}")
    tools = {event.tool for event in events if event.tool is not None}
    if tools:
        values[":tools"] = tools  # a string set: ADD keeps each name once
        adds.append("tools :tools")
    first, last = min(event.at for event in events), max(event.at for event in events)
    seen_first, seen_last = session.first_event_at, session.last_event_at
    set_first, if_first = _bounds_update(
        "firstEventAt", seen_first, first, seen_first is None or first < seen_first, values
    )
    set_last, if_last = _bounds_update("lastEventAt", seen_last, last, seen_last is None or last > seen_last, values)
    expression = "ADD " + ", ".join(adds)
    if set_first or set_last:
        expression += " SET " + ", ".join(set_first + set_last)
    return Action(
        "Update",
        "session",
        keys=sessions.keys(session.id),
        expression=expression,
        # An erased candidate's session takes no more events (its timeline is being deleted).
        condition=" AND ".join(
            [
                f"({RUNNING})",
                "attribute_not_exists(erasedAt)",
                "(attribute_not_exists(eventCount) OR eventCount <= :room)",
                *if_first,
                *if_last,
            ]
        ),
        values=values,
    )
