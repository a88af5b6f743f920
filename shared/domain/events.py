"""Domain events: what one committed change of the table means, read from the before and after images
of its stream record. Pure, so the event consumer (invitations, webhooks) and the tests
share one reading of the data."""

from __future__ import annotations

from typing import Literal, NamedTuple

from shared.store.assessments import state_in
from shared.store.candidate_keys import CandidateKeyRecord, EmailLookup, key_in, lookup_in
from shared.store.dynamo import Item
from shared.store.sessions import SessionRecord, session_in

EventType = Literal[
    "key.created", "session.started", "session.completed", "session.scored", "assessment.deleted", "timeline.erasing"
]
ChangeKind = Literal["INSERT", "MODIFY", "REMOVE"]


class Change(NamedTuple):
    """One committed item change as the stream reports it (images as plain values)."""

    kind: ChangeKind
    old: Item | None
    new: Item | None


class DomainEvent(NamedTuple):
    """Something that happened to a key, a session or an assessment of ``org_id``, at ``occurred_at``."""

    type: EventType
    org_id: str
    assessment_id: str
    subject_id: str  # the key, session or assessment the event is about
    occurred_at: str
    key: CandidateKeyRecord | None = None
    session: SessionRecord | None = None
    erasure: tuple[str, EmailLookup] | None = None  # ``timeline.erasing``: the email's digest and its lookup

    @property
    def id(self) -> str:
        """The same for every delivery of one change: what a side effect is recorded once under."""
        return f"{self.type}:{self.subject_id}:{self.occurred_at}"

    @property
    def invitation(self) -> CandidateKeyRecord | None:
        """The key, when this is ``key.created`` with an invitation queued for its email."""
        key = self.key if self.type == "key.created" else None
        return key if key is not None and key.candidate_email and key.invite_status == "queued" else None


def events_of(change: Change) -> list[DomainEvent]:
    """The domain events one change makes: none for most (the consumer's own invite updates included)."""
    if change.new is None:
        return []  # nothing is hard-deleted but expired idempotency records
    key = key_in(change.new)
    if key is not None:
        return [_key_created(key)] if change.kind == "INSERT" else []
    session = session_in(change.new)
    if session is not None:
        before = session_in(change.old) if change.old is not None else None
        return _session_events(before, session)
    erasure = lookup_in(change.new)
    if erasure is not None:
        earlier_lookup = lookup_in(change.old) if change.old is not None else None
        return _erasure_pass(earlier_lookup[1] if earlier_lookup is not None else None, erasure)
    state = state_in(change.new)
    if state is not None:
        earlier = state_in(change.old) if change.old is not None else None
        assessment_id, after = state
        if after.deleted_at is not None and (earlier is None or earlier[1].deleted_at is None):
            return [DomainEvent("assessment.deleted", after.org_id, assessment_id, assessment_id, after.deleted_at)]
    return []


def _key_created(key: CandidateKeyRecord) -> DomainEvent:
    return DomainEvent("key.created", key.org_id, key.assessment_id, key.id, key.created_at, key=key)


def _session_events(before: SessionRecord | None, after: SessionRecord) -> list[DomainEvent]:
    def event(kind: EventType, at: str) -> DomainEvent:
        return DomainEvent(kind, after.org_id, after.assessment_id, after.id, at, session=after)

    found = []
    if before is None:
        found.append(event("session.started", after.started_at))
    if after.completed_at is not None and (before is None or before.completed_at is None):
        found.append(event("session.completed", after.completed_at))
    if after.score is not None and (before is None or before.score != after.score):
        found.append(event("session.scored", after.score.scored_at))
    return found


def _erasure_pass(before: EmailLookup | None, erasure: tuple[str, EmailLookup]) -> list[DomainEvent]:
    """A pass over an erased session's timeline is due when its lookup is marked erased, or marked again."""
    _, after = erasure
    if after.erased_at is None or after.session_id is None:
        return []
    if before is not None and before.erased_at is not None and before.erase_pass == after.erase_pass:
        return []
    return [
        DomainEvent(
            "timeline.erasing",
            after.org_id,
            after.assessment_id,
            after.session_id,
            after.erased_at,
            erasure=erasure,
        )
    ]
