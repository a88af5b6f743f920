"""Domain events: what one committed change of the table means, read from the before and after images
of its stream record. Pure, so the event consumer (invitations, webhooks) and the tests
share one reading of the data."""

from __future__ import annotations

from typing import Literal, NamedTuple

from shared.store.assessments import state_in
from shared.store.audit import record_in
from shared.store.candidate_keys import CandidateKeyRecord, EmailLookup, key_in, lookup_in
from shared.store.dynamo import Item
from shared.store.sessions import SessionRecord, session_in

EventType = Literal[
    "key.created",
    "invitation.queued",
    "invitation.failed",
    "session.started",
    "session.extended",
    "session.completed",
    "session.scored",
    "assessment.deleted",
    "timeline.erasing",
    "candidate.erased",
]
ChangeKind = Literal["INSERT", "MODIFY", "REMOVE"]


class Change(NamedTuple):
    """One committed item change as the stream reports it (images as plain values)."""

    kind: ChangeKind
    old: Item | None
    new: Item | None


class DomainEvent(NamedTuple):
    """Something that happened to a key, a session or an assessment of ``org_id``, at ``occurred_at`` (or
    to a candidate, erased: then the subject is their email's digest, and there is no assessment)."""

    type: EventType
    org_id: str
    assessment_id: str | None
    subject_id: str  # the key, session, assessment or erased email the event is about
    occurred_at: str
    key: CandidateKeyRecord | None = None
    session: SessionRecord | None = None
    erasure: tuple[str, EmailLookup] | None = None  # ``timeline.erasing``: the email's digest and its lookup
    ordinal: int = 0  # which of the subject's events of this type at ``occurred_at`` (extensions)

    @property
    def id(self) -> str:
        """The same for every delivery of one change: what a side effect is recorded once under."""
        suffix = f":{self.ordinal}" if self.ordinal else ""
        return f"{self.type}:{self.subject_id}:{self.occurred_at}{suffix}"

    @property
    def invitation(self) -> CandidateKeyRecord | None:
        """The key, when an email for its candidate was queued: at its creation (``key.created``), sent again
        or as its reminder (``invitation.queued``)."""
        key = self.key if self.type in ("key.created", "invitation.queued") else None
        return key if key is not None and key.candidate_email and key.invite_status == "queued" else None


def events_of(change: Change) -> list[DomainEvent]:
    """The domain events one change makes: none for most (the consumer's own invite updates included)."""
    if change.new is None:
        return []  # nothing is hard-deleted but expired idempotency and audit records
    for reader in (_key_events, _session_change, _lookup_events, _state_events, _audit_events):
        found = reader(change, change.new)
        if found is not None:
            return found
    return []


def _key_events(change: Change, new: Item) -> list[DomainEvent] | None:
    key = key_in(new)
    if key is None:
        return None
    if change.kind == "INSERT":
        return [DomainEvent("key.created", key.org_id, key.assessment_id, key.id, key.created_at, key=key)]
    before = key_in(change.old) if change.old is not None else None
    return _invitation_events(before.invite_status if before is not None else None, key)


def _invitation_events(was: str | None, after: CandidateKeyRecord) -> list[DomainEvent]:
    """An email queued again for a key (sent again, or its reminder), or one refused for good. The
    consumer's own move back to ``queued`` after a failed attempt is none: the stream redelivers that
    attempt's record."""
    if after.invite_status == "queued" and was not in ("queued", "sending"):
        # Only the consumer reads it (it is no webhook event): when it was queued does not matter.
        return [
            DomainEvent("invitation.queued", after.org_id, after.assessment_id, after.id, after.created_at, key=after)
        ]
    if after.invite_status == "failed" and was != "failed" and after.invite_failed_at is not None:
        return [
            DomainEvent(
                "invitation.failed", after.org_id, after.assessment_id, after.id, after.invite_failed_at, key=after
            )
        ]
    return []


def _session_change(change: Change, new: Item) -> list[DomainEvent] | None:
    session = session_in(new)
    if session is None:
        return None
    return _session_events(session_in(change.old) if change.old is not None else None, session)


def _lookup_events(change: Change, new: Item) -> list[DomainEvent] | None:
    erasure = lookup_in(new)
    if erasure is None:
        return None
    earlier = lookup_in(change.old) if change.old is not None else None
    return _erasure_pass(earlier[1] if earlier is not None else None, erasure)


def _state_events(change: Change, new: Item) -> list[DomainEvent] | None:
    state = state_in(new)
    if state is None:
        return None
    earlier = state_in(change.old) if change.old is not None else None
    assessment_id, after = state
    if after.deleted_at is not None and (earlier is None or earlier[1].deleted_at is None):
        return [DomainEvent("assessment.deleted", after.org_id, assessment_id, assessment_id, after.deleted_at)]
    return []


def _audit_events(change: Change, new: Item) -> list[DomainEvent] | None:
    """An erasure, told by its audit record: written once, with the erasure's first write, it makes one
    event an erasure, naming the candidate by their email's digest alone."""
    record = record_in(new)
    if record is None:
        return None
    if change.kind != "INSERT" or record.action != "candidate.erase":
        return []
    return [DomainEvent("candidate.erased", record.org_id, None, record.resource_id, record.at)]


def _session_events(before: SessionRecord | None, after: SessionRecord) -> list[DomainEvent]:
    def event(kind: EventType, at: str) -> DomainEvent:
        return DomainEvent(kind, after.org_id, after.assessment_id, after.id, at, session=after)

    found = []
    if before is None:
        found.append(event("session.started", after.started_at))
    added = after.extensions[len(before.extensions) :] if before is not None else ()
    for position, extension in enumerate(added, start=len(after.extensions) - len(added) + 1):
        found.append(event("session.extended", extension.at)._replace(ordinal=position))
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
