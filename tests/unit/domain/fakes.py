"""In-memory stores implementing the Protocols of ``shared.domain.ports`` as the DynamoDB stores behave:
the same conditions, failing with ``ConditionFailedError`` under the same item names and transaction
positions (``CodeTakenError`` for taken codes), the same orders, the same paging. A write whose
condition fails changes nothing, as a cancelled transaction does.

Two things are left out: DynamoDB's 1 MB read pages (a page ends at its ``limit`` only) and races
(``WriteConflictError``), which need two requests at the same instant."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from shared.domain.ports import (
    AssessmentDeleter,
    Assessments,
    AuditLog,
    CandidateKeys,
    Credentials,
    Integrations,
    Reminders,
    Rubrics,
    Secrets,
    Sessions,
    Shares,
    Telemetry,
    Tokens,
)
from shared.ids import email_digest
from shared.models.sessions import Score, Submission
from shared.store.assessments import AssessmentRecord, AssessmentState, AssessmentTerms
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import KEYS_PER_TRANSACTION, CandidateKeyRecord, CodeTakenError
from shared.store.cascade import Deletion
from shared.store.credentials import CodeTarget, IntegrationKeyTarget, StoredToken
from shared.store.deliveries import DeliveryRecord
from shared.store.dynamo import ConditionFailedError, Item
from shared.store.integrations import (
    AtsError,
    ClaimRecord,
    IntegrationRecord,
    InterviewRecord,
    InterviewTerms,
)
from shared.store.rubrics import RubricRecord
from shared.store.sessions import ExtensionRecord, SessionRecord, SignalCounts
from shared.store.shares import ShareRecord
from shared.store.telemetry import EVENTS_PER_TRANSACTION, EventRecord, EventsRefusedError
from shared.store.tokens import TokenRecord

RecordT = TypeVar("RecordT", AssessmentRecord, RubricRecord)


@dataclass
class Memory:
    """The table: every item the stores keep, under the key each is kept by."""

    assessments: dict[tuple[str, str], AssessmentRecord] = field(default_factory=dict)  # (org, id), while active
    states: dict[str, AssessmentState] = field(default_factory=dict)  # by assessment id, tombstones included
    rubrics: dict[tuple[str, str], RubricRecord] = field(default_factory=dict)  # (org, id), while active
    rubric_links: dict[tuple[str, str], int] = field(default_factory=dict)
    deleted_rubrics: dict[tuple[str, str], RubricRecord] = field(default_factory=dict)
    keys: dict[tuple[str, str], CandidateKeyRecord] = field(default_factory=dict)  # (assessment id, key id)
    codes: dict[str, CodeTarget] = field(default_factory=dict)
    sessions: dict[str, SessionRecord] = field(default_factory=dict)
    events: dict[str, dict[str, EventRecord]] = field(default_factory=dict)  # by session id, then event id
    tokens: dict[str, TokenRecord] = field(default_factory=dict)  # by hash: what the authorizer reads
    token_index: dict[tuple[str, str], TokenRecord] = field(default_factory=dict)  # (org, token id)
    shares: dict[str, ShareRecord] = field(default_factory=dict)  # by token hash: what a shared report reads
    share_entries: dict[tuple[str, str], ShareRecord] = field(default_factory=dict)  # (session id, share id)
    integrations: dict[str, IntegrationRecord] = field(default_factory=dict)  # by id, deleted ones included
    integration_keys: dict[str, IntegrationKeyTarget] = field(default_factory=dict)  # by hash: the authorizer's
    interviews: dict[str, InterviewRecord] = field(default_factory=dict)  # by key id
    claims: dict[tuple[str, str, str], ClaimRecord] = field(default_factory=dict)  # (org, assessment, email digest)
    integration_deliveries: dict[str, list[DeliveryRecord]] = field(default_factory=dict)  # by integration id
    terms: dict[tuple[str, int], AssessmentTerms] = field(default_factory=dict)  # (assessment id, version) kept
    reminders: set[tuple[str, str]] = field(default_factory=set)  # (assessment id, key id) awaiting a reminder
    audit: list[AuditRecord] = field(default_factory=list)  # in the order written

    def move_key(self, key: CandidateKeyRecord, **changes: object) -> None:
        """Store the key with ``changes``; a move of its status ends any wait for its reminder."""
        self.keys[(key.assessment_id, key.id)] = key.model_copy(update=changes)
        if "status" in changes:
            self.reminders.discard((key.assessment_id, key.id))

    def active_state(self, assessment_id: str, org_id: str | None = None) -> bool:
        """Whether the state record exists, is not a tombstone and (if given) is ``org_id``'s."""
        state = self.states.get(assessment_id)
        return state is not None and state.deleted_at is None and (org_id is None or state.org_id == org_id)


def _transact(actions: Sequence[tuple[str, bool]]) -> None:
    """Cancel a transaction of ``(what, condition holds)`` actions as DynamoDB does: the error names the
    first action that failed and lists the position of every one."""
    failed = [position for position, (_, holds) in enumerate(actions) if not holds]
    if failed:
        raise ConditionFailedError(actions[failed[0]][0], failed)


def _page(records: Sequence[RecordT], limit: int, after_id: str | None) -> tuple[list[RecordT], str | None]:
    """A Query with ``Limit`` over items sorted by id: DynamoDB hands back where it stopped whenever
    the page is full, whether or not anything follows."""
    following = sorted((record for record in records if after_id is None or record.id > after_id), key=_id)
    page = following[:limit]
    return page, page[-1].id if len(page) == limit else None


def _id(record: AssessmentRecord | RubricRecord | SessionRecord) -> str:
    return record.id


def _running(session: SessionRecord | None, cutoff: str) -> bool:
    """The store's condition for a session still running at ``cutoff``."""
    return (
        session is not None
        and session.completed_at is None
        and session.revoked_at is None
        and (session.deadline is None or session.deadline >= cutoff)
    )


class FakeAssessments:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def create(self, assessment: AssessmentRecord, record: AuditRecord) -> None:
        memory = self.memory
        actions = [
            ("assessment", (assessment.org_id, assessment.id) not in memory.assessments),
            ("assessment", assessment.id not in memory.states),
        ]
        rubric = (assessment.org_id, assessment.rubric_id or "")
        if assessment.rubric_id is not None:
            actions.append(("rubric", rubric in memory.rubrics))
        _transact(actions)
        memory.assessments[(assessment.org_id, assessment.id)] = assessment
        memory.states[assessment.id] = AssessmentState(org_id=assessment.org_id)
        if assessment.rubric_id is not None:
            memory.rubric_links[rubric] += 1
        memory.audit.append(record)

    def update(self, before: AssessmentRecord, after: AssessmentRecord, record: AuditRecord) -> None:
        memory = self.memory
        stored = memory.assessments.get((before.org_id, before.id))
        actions = [("assessment", stored is not None and stored.version == before.version)]
        if before.rubric_id != after.rubric_id:
            if before.rubric_id is not None:
                actions.append(("rubric", (before.org_id, before.rubric_id) in memory.rubrics))
            if after.rubric_id is not None:
                actions.append(("rubric", (after.org_id, after.rubric_id) in memory.rubrics))
        if before.terms_version != after.terms_version:
            actions.append(("terms", (before.id, before.terms_version) not in memory.terms))
        _transact(actions)
        memory.assessments[(after.org_id, after.id)] = after
        if before.rubric_id != after.rubric_id:
            if before.rubric_id is not None:
                memory.rubric_links[(before.org_id, before.rubric_id)] -= 1
            if after.rubric_id is not None:
                memory.rubric_links[(after.org_id, after.rubric_id)] += 1
        if before.terms_version != after.terms_version:
            memory.terms[(before.id, before.terms_version)] = before.terms
        memory.audit.append(record)

    def get_terms(self, assessment_id: str, terms_version: int) -> AssessmentTerms | None:
        return self.memory.terms.get((assessment_id, terms_version))

    def get(self, org_id: str, assessment_id: str) -> AssessmentRecord | None:
        return self.memory.assessments.get((org_id, assessment_id))

    def get_deleted(self, org_id: str, assessment_id: str) -> AssessmentRecord | None:
        state = self.memory.states.get(assessment_id)
        return state.snapshot if state is not None and state.org_id == org_id else None

    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[AssessmentRecord], str | None]:
        mine = [record for (org, _), record in self.memory.assessments.items() if org == org_id]
        return _page(mine, limit, after_id)


class FakeAssessmentDeleter:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def delete(self, assessment: AssessmentRecord, deleted_at: str, record: AuditRecord) -> Deletion:
        memory = self.memory
        if not memory.active_state(assessment.id, assessment.org_id):
            raise ConditionFailedError("assessment")
        # The store deletes the assessment as it is now: an edit since it was read is read again.
        current = memory.assessments.get((assessment.org_id, assessment.id))
        if current is None:
            raise ConditionFailedError("assessment")
        pending = [
            key for (owner, _), key in sorted(memory.keys.items()) if owner == current.id and key.status == "pending"
        ]
        rubric = (current.org_id, current.rubric_id or "")
        # The tombstone's actions, in the store's order; nothing can issue a key between read and write here.
        actions = [("assessment", True), ("keys issued", True)]
        if current.rubric_id is not None:
            actions.append(("rubric", rubric in memory.rubrics))
        _transact(actions)
        del memory.assessments[(current.org_id, current.id)]
        state = memory.states[current.id]
        memory.states[current.id] = state.model_copy(update={"deleted_at": deleted_at, "snapshot": current})
        if current.rubric_id is not None:
            memory.rubric_links[rubric] -= 1
        for key in pending:
            memory.move_key(key, status="revoked", revoked_at=deleted_at)
        memory.audit.append(record)
        return Deletion(revoked=len(pending), left_pending=0)


class FakeCandidateKeys:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def insert(
        self,
        org_id: str,
        assessment_id: str,
        new_keys: Sequence[CandidateKeyRecord],
        record: AuditRecord | None,
        interview: InterviewTerms | None = None,
    ) -> None:
        if len(new_keys) > KEYS_PER_TRANSACTION:
            raise ValueError("more keys than one transaction holds")  # DynamoDB refuses the request
        memory = self.memory
        actions = [("assessment", memory.active_state(assessment_id, org_id))]
        owners = [-1]
        claims: dict[tuple[str, str, str], ClaimRecord] = {}
        for position, key in enumerate(new_keys):
            actions.append(("key", (key.assessment_id, key.id) not in memory.keys))
            actions.append(("key code", key.code not in memory.codes))
            owners += [position, position]
            if key.candidate_email is not None:
                actions.append(("email lookup", True))
                owners.append(position)
            if interview is not None and key.candidate_email is not None:
                where = (org_id, key.assessment_id, email_digest(key.candidate_email))
                held = memory.claims.get(where)
                free = (
                    held is None
                    if interview.replacing_key_id is None
                    else held is not None and held.key_id == (interview.replacing_key_id)
                )
                actions.append(("interview claim", free))
                actions.append(("interview", key.id not in memory.interviews))
                owners += [position, position]
                claims[where] = ClaimRecord(
                    key_id=key.id, integration_id=interview.integration_id, ats_reference=interview.ats_reference
                )
        try:
            _transact(actions)
        except ConditionFailedError as failed:
            taken = [owners[position] for position in failed.positions if actions[position][0] == "key code"]
            if failed.item in ("assessment", "interview claim") or not taken:
                raise
            raise CodeTakenError(taken) from failed
        state = memory.states[assessment_id]
        memory.states[assessment_id] = state.model_copy(update={"keys_issued": state.keys_issued + len(new_keys)})
        for key in new_keys:
            memory.keys[(key.assessment_id, key.id)] = key
            memory.codes[key.code] = CodeTarget(org_id=key.org_id, assessment_id=key.assessment_id, key_id=key.id)
            if key.candidate_email is not None and key.invite_status == "queued":
                memory.reminders.add((key.assessment_id, key.id))
        if record is not None:
            memory.audit.append(record)
        for (claim_org, claim_assessment, _), claim in claims.items():
            assert interview is not None
            memory.interviews[claim.key_id] = InterviewRecord(
                key_id=claim.key_id,
                org_id=claim_org,
                integration_id=interview.integration_id,
                kind=interview.kind,
                assessment_id=claim_assessment,
                created_at=memory.keys[(claim_assessment, claim.key_id)].created_at,
                callback_url=interview.callback_url,
                ats_reference=interview.ats_reference,
            )
        memory.claims.update(claims)

    def get(self, assessment_id: str, key_id: str) -> CandidateKeyRecord | None:
        return self.memory.keys.get((assessment_id, key_id))

    def get_many(self, assessment_id: str, key_ids: Sequence[str]) -> list[CandidateKeyRecord]:
        found = (self.memory.keys.get((assessment_id, key_id)) for key_id in key_ids)
        return [key for key in found if key is not None]

    def read_partition(self, assessment_id: str) -> tuple[AssessmentState | None, list[CandidateKeyRecord]]:
        found = [key for (owner, _), key in sorted(self.memory.keys.items()) if owner == assessment_id]
        return self.memory.states.get(assessment_id), found

    def list_page(
        self, assessment_id: str, limit: int, after_id: str | None, *, newest_first: bool = False
    ) -> tuple[AssessmentState | None, list[CandidateKeyRecord], str | None]:
        state, found = self.read_partition(assessment_id)
        ordered = found[::-1] if newest_first else found
        if after_id is not None:
            ordered = [key for key in ordered if (key.id < after_id if newest_first else key.id > after_id)]
        page = ordered[:limit]
        more = len(ordered) > limit
        return (state if after_id is None else None), page, page[-1].id if more and page else None

    def revoke_pending(self, key: CandidateKeyRecord, revoked_at: str, record: AuditRecord) -> None:
        memory = self.memory
        stored = memory.keys.get((key.assessment_id, key.id))
        _transact(
            [
                ("key", stored is not None and stored.status == "pending"),
                ("assessment", memory.active_state(key.assessment_id, key.org_id)),
            ]
        )
        assert stored is not None
        memory.move_key(stored, status="revoked", revoked_at=revoked_at)
        memory.audit.append(record)

    def resend(self, key: CandidateKeyRecord, resent_at: tuple[str, ...], record: AuditRecord) -> None:
        memory = self.memory
        stored = memory.keys.get((key.assessment_id, key.id))
        _transact(
            [
                (
                    "key",
                    stored is not None
                    and stored.status == "pending"
                    and stored.candidate_email is not None
                    and stored.invite_status in ("sent", "failed", "not_requested")
                    and stored.resent_at == key.resent_at,
                ),
                ("assessment", memory.active_state(key.assessment_id, key.org_id)),
            ]
        )
        assert stored is not None
        memory.move_key(
            stored, invite_status="queued", invite_reason="invitation", resent_at=resent_at, invite_error=None
        )
        memory.audit.append(record)


class FakeReminders:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def expiring(
        self, day: str, window: tuple[str, str], after: Item | None
    ) -> tuple[list[CandidateKeyRecord], Item | None]:
        start, end = window
        waiting = (self.memory.keys[where] for where in self.memory.reminders)
        found = sorted(
            (key for key in waiting if key.expires_at[:10] == day and start <= key.expires_at <= end),
            key=lambda key: (key.expires_at, key.id),
        )
        return found, None  # one page: the fakes have no 1 MB pages

    def queue(self, key: CandidateKeyRecord, now: str, quiet_since: str) -> bool:
        memory = self.memory
        stored = memory.keys.get((key.assessment_id, key.id))
        last_sent = stored.invite_last_sent_at or stored.invite_sent_at if stored is not None else None
        due = (
            stored is not None
            and (stored.assessment_id, stored.id) in memory.reminders
            and stored.status == "pending"
            and stored.expires_at > now
            and stored.invite_status == "sent"
            and stored.erased_at is None
            and last_sent is not None
            and last_sent <= quiet_since
        )
        if not due:
            return False
        assert stored is not None
        memory.move_key(stored, invite_status="queued", invite_reason="reminder")
        memory.reminders.discard((stored.assessment_id, stored.id))
        return True


class FakeSessions:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, session_id: str) -> SessionRecord | None:
        return self.memory.sessions.get(session_id)

    def start(self, key: CandidateKeyRecord, session: SessionRecord, terms_version: int) -> None:
        memory = self.memory
        stored = memory.keys.get((key.assessment_id, key.id))
        _transact(
            [
                ("key", stored is not None and stored.status == "pending" and stored.expires_at > session.started_at),
                ("assessment", memory.active_state(key.assessment_id)),
                ("session", session.id not in memory.sessions),
            ]
        )
        assert stored is not None
        memory.move_key(
            stored,
            status="redeemed",
            session_id=session.id,
            redeemed_at=session.started_at,
            terms_version=terms_version,
        )
        memory.sessions[session.id] = session

    def revoke(self, key: CandidateKeyRecord, revoked_at: str, cutoff: str, record: AuditRecord) -> None:
        assert key.session_id is not None, "a redeemed key has a session"
        memory = self.memory
        stored = memory.keys.get((key.assessment_id, key.id))
        session = memory.sessions.get(key.session_id)
        _transact(
            [
                ("key", stored is not None and stored.status == "redeemed"),
                ("session", _running(session, cutoff)),
                ("assessment", memory.active_state(key.assessment_id, key.org_id)),
            ]
        )
        assert stored is not None
        assert session is not None
        memory.move_key(stored, status="revoked", revoked_at=revoked_at)
        memory.sessions[session.id] = session.model_copy(update={"revoked_at": revoked_at})
        memory.audit.append(record)

    def extend(
        self,
        session: SessionRecord,
        extension: ExtensionRecord,
        reason: str,
        *,
        deadline: str,
        cutoff: str,
        record: AuditRecord,
    ) -> None:
        memory = self.memory
        stored = memory.sessions.get(session.id)
        _transact(
            [
                (
                    "session",
                    _running(stored, cutoff)
                    and stored is not None
                    and stored.deadline == session.deadline
                    and stored.erased_at is None,
                )
            ]
        )
        assert stored is not None
        memory.sessions[session.id] = stored.model_copy(
            update={
                "deadline": deadline,
                "extensions": (*stored.extensions, extension),
                "extension_reasons": (*(stored.extension_reasons or ()), reason),
            }
        )
        memory.audit.append(record)

    def complete(self, session: SessionRecord, completed_at: str, submission: Submission | None, cutoff: str) -> None:
        memory = self.memory
        stored = memory.sessions.get(session.id)
        key = memory.keys.get((session.assessment_id, session.key_id))
        _transact(
            [
                ("session", _running(stored, cutoff)),
                ("key", key is not None and key.status == "redeemed" and key.session_id == session.id),
            ]
        )
        assert stored is not None
        assert key is not None
        memory.sessions[session.id] = stored.model_copy(update={"completed_at": completed_at, "submission": submission})
        memory.move_key(key, status="completed", completed_at=completed_at)

    def score(self, session: SessionRecord, score: Score, cutoff: str, record: AuditRecord) -> None:
        stored = self.memory.sessions.get(session.id)
        finished = stored is not None and (
            stored.completed_at is not None or (stored.deadline is not None and stored.deadline < cutoff)
        )
        _transact([("session", stored is not None and stored.revoked_at is None and finished)])
        assert stored is not None
        self.memory.sessions[session.id] = stored.model_copy(update={"score": score})
        self.memory.audit.append(record)

    def list_page(
        self, org_id: str, assessment_id: str, limit: int, after_id: str | None
    ) -> tuple[list[SessionRecord], str | None] | None:
        # The sessions index: the assessment's sessions by id, then its state record; one Query of
        # limit + 1 entries, as the store reads them.
        state = self.memory.states.get(assessment_id)
        sessions = sorted(
            (
                session
                for session in self.memory.sessions.values()
                if session.assessment_id == assessment_id and (after_id is None or session.id > after_id)
            ),
            key=_id,
        )
        entries: list[SessionRecord | AssessmentState] = [*sessions, *([state] if state is not None else [])]
        read = entries[: limit + 1]
        if not read or {entry.org_id for entry in read} != {org_id}:
            return None
        page = [entry for entry in read if isinstance(entry, SessionRecord)][:limit]
        more = not isinstance(read[-1], AssessmentState) and len(read) == limit + 1 and bool(page)
        return page, page[-1].id if more else None

    def list_signals(
        self, org_id: str, assessment_id: str, limit: int, after_id: str | None
    ) -> tuple[list[SessionRecord], str | None] | None:
        return self.list_page(org_id, assessment_id, limit, after_id)  # the store leaves out what signals ignore


class FakeRubrics:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def create(self, rubric: RubricRecord, record: AuditRecord) -> None:
        where = (rubric.org_id, rubric.id)
        _transact([("rubric", where not in self.memory.rubrics)])
        self.memory.rubrics[where] = rubric
        self.memory.rubric_links[where] = 0
        self.memory.audit.append(record)

    def get(self, org_id: str, rubric_id: str) -> RubricRecord | None:
        return self.memory.rubrics.get((org_id, rubric_id))

    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[RubricRecord], str | None]:
        mine = [record for (org, _), record in self.memory.rubrics.items() if org == org_id]
        return _page(mine, limit, after_id)

    def delete(self, rubric: RubricRecord, deleted_at: str, record: AuditRecord) -> None:
        where = (rubric.org_id, rubric.id)
        if where not in self.memory.rubrics:
            raise ConditionFailedError("rubric")
        _transact([("rubric link", self.memory.rubric_links[where] == 0), ("rubric", True)])
        self.memory.deleted_rubrics[where] = self.memory.rubrics.pop(where)
        del self.memory.rubric_links[where]
        self.memory.audit.append(record)


class FakeTokens:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def create(self, token: TokenRecord, record: AuditRecord) -> None:
        where = (token.org_id, token.token_id)
        _transact(
            [("token", token.token_hash not in self.memory.tokens), ("token", where not in self.memory.token_index)]
        )
        self.memory.tokens[token.token_hash] = self.memory.token_index[where] = token
        self.memory.audit.append(record)

    def find_by_hash(self, token_hash: str) -> TokenRecord | None:
        return self.memory.tokens.get(token_hash)

    def list_for_org(self, org_id: str) -> list[TokenRecord]:
        return [token for (org, _), token in sorted(self.memory.token_index.items()) if org == org_id]

    def get(self, org_id: str, token_id: str) -> TokenRecord | None:
        return self.memory.token_index.get((org_id, token_id))

    def revoke(self, token: TokenRecord, revoked_at: str, record: AuditRecord) -> None:
        by_hash = self.memory.tokens.get(token.token_hash)
        where = (token.org_id, token.token_id)
        indexed = self.memory.token_index.get(where)
        _transact(
            [
                (name, found is not None and found.revoked_at is None)
                for name, found in (("token", by_hash), ("token", indexed))
            ]
        )
        assert by_hash is not None
        assert indexed is not None
        self.memory.tokens[token.token_hash] = by_hash.model_copy(update={"revoked_at": revoked_at})
        self.memory.token_index[where] = indexed.model_copy(update={"revoked_at": revoked_at})
        self.memory.audit.append(record)


class FakeCredentials:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def find_token(self, token_hash: str) -> StoredToken | None:
        token = self.memory.tokens.get(token_hash)
        return (
            None
            if token is None
            else StoredToken(org_id=token.org_id, token_id=token.token_id, name=token.name, revoked_at=token.revoked_at)
        )

    def find_code(self, code: str) -> CodeTarget | None:
        return self.memory.codes.get(code)

    def find_integration_key(self, key_hash: str) -> IntegrationKeyTarget | None:
        return self.memory.integration_keys.get(key_hash)


class FakeTelemetry:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def insert(
        self, session: SessionRecord, events: Sequence[EventRecord], counts: SignalCounts, cutoff: str, max_events: int
    ) -> None:
        assert 0 < len(events) <= EVENTS_PER_TRANSACTION
        stored = self.memory.events.setdefault(session.id, {})
        current = self.memory.sessions.get(session.id)
        first, last = min(event.at for event in events), max(event.at for event in events)
        # The store conditions a bound only where the batch moves it outwards, on the value read.
        moves_first = session.first_event_at is None or first < session.first_event_at
        moves_last = session.last_event_at is None or last > session.last_event_at
        unchanged = (
            current is not None
            and _running(current, cutoff)
            and current.erased_at is None
            and current.event_count + counts.event_count <= max_events
            and (not moves_first or current.first_event_at == session.first_event_at)
            and (not moves_last or current.last_event_at == session.last_event_at)
        )
        duplicates = [index for index, event in enumerate(events) if event.id in stored]
        if duplicates or not unchanged:
            raise EventsRefusedError(duplicates, not unchanged)
        assert current is not None
        stored.update((event.id, event) for event in events)
        added = {name: getattr(current, name) + getattr(counts, name) for name in vars(counts)}
        bounds = {
            "first_event_at": min(first, current.first_event_at or first),
            "last_event_at": max(last, current.last_event_at or last),
        }
        tools = (current.tools or frozenset()) | {event.tool for event in events if event.tool is not None}
        self.memory.sessions[session.id] = current.model_copy(update=added | bounds | {"tools": tools or None})

    def timeline(
        self, session_id: str, event_type: str | None, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[EventRecord], bool]:
        following = sorted(
            (
                event
                for event in self.memory.events.get(session_id, {}).values()
                if (event_type is None or event.type == event_type) and (after is None or (event.at, event.id) > after)
            ),
            key=lambda event: (event.at, event.id),
        )
        return following[:limit], len(following) > limit

    def erase_events(self, session_id: str, limit: int) -> bool:
        events = self.memory.events.get(session_id, {})
        for event_id in sorted(events, key=lambda event_id: (events[event_id].at, event_id))[:limit]:
            del events[event_id]
        return not events


class FakeAuditLog:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def record(self, record: AuditRecord) -> None:
        self.memory.audit.append(record)

    def list_page(
        self,
        org_id: str,
        limit: int,
        after_id: str | None,
        *,
        resource: tuple[str, str] | None = None,
        action: str | None = None,
    ) -> tuple[list[AuditRecord], str | None]:
        # The partition (or the index's, for a filter) newest first; both filters: the resource's records
        # read, those of the action kept, as the store's filter expression does.
        mine = sorted(
            (
                record
                for record in self.memory.audit
                if record.org_id == org_id
                and (resource is None or (record.resource_type, record.resource_id) == resource)
                and (resource is not None or action is None or record.action == action)
                and (after_id is None or record.id < after_id)
            ),
            key=lambda record: record.id,
            reverse=True,
        )
        read = mine[:limit]
        kept = [record for record in read if action is None or record.action == action]
        return kept, read[-1].id if len(read) == limit else None


class FakeShares:
    """Share links as the store keeps them; expired ones stay until read past (the TTL is not modelled)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def create(self, share: ShareRecord, record: AuditRecord | None) -> None:
        where = (share.session_id, share.id)
        _transact(
            [("share", share.token_hash not in self.memory.shares), ("share", where not in self.memory.share_entries)]
        )
        self.memory.shares[share.token_hash] = self.memory.share_entries[where] = share
        if record is not None:
            self.memory.audit.append(record)

    def find(self, token_hash: str) -> ShareRecord | None:
        return self.memory.shares.get(token_hash)

    def get(self, session_id: str, share_id: str) -> ShareRecord | None:
        return self.memory.share_entries.get((session_id, share_id))

    def list_page(self, session_id: str, limit: int, after_id: str | None) -> tuple[list[ShareRecord], str | None]:
        entries = sorted(
            (share for (session, _), share in self.memory.share_entries.items() if session == session_id),
            key=lambda share: share.id,
        )
        following = [share for share in entries if after_id is None or share.id > after_id]
        page = following[:limit]
        return page, page[-1].id if len(following) > limit else None

    def delete(self, share: ShareRecord, record: AuditRecord) -> None:
        where = (share.session_id, share.id)
        _transact([("share", share.token_hash in self.memory.shares), ("share", where in self.memory.share_entries)])
        del self.memory.shares[share.token_hash], self.memory.share_entries[where]
        self.memory.audit.append(record)


class FakeIntegrations:
    """Integrations, their key items, interviews and claims, and their delivery logs, as the store keeps them."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def create(self, integration: IntegrationRecord, record: AuditRecord) -> None:
        memory = self.memory
        _transact(
            [
                ("integration", integration.id not in memory.integrations),
                ("integration", integration.key_hash not in memory.integration_keys),
            ]
        )
        memory.integrations[integration.id] = integration
        memory.integration_keys[integration.key_hash] = IntegrationKeyTarget(
            org_id=integration.org_id, integration_id=integration.id, kind=integration.kind
        )
        memory.audit.append(record)

    def get(self, org_id: str, integration_id: str) -> IntegrationRecord | None:
        found = self.memory.integrations.get(integration_id)
        return found if found is not None and found.org_id == org_id else None

    def find_active(self, integration_id: str) -> IntegrationRecord | None:
        found = self.memory.integrations.get(integration_id)
        return found if found is not None and found.deleted_at is None else None

    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[IntegrationRecord], str | None]:
        mine = sorted(
            (
                integration
                for integration in self.memory.integrations.values()
                if integration.org_id == org_id and integration.deleted_at is None
            ),
            key=lambda integration: integration.id,
        )
        following = [integration for integration in mine if after_id is None or integration.id > after_id]
        page = following[:limit]
        return page, page[-1].id if len(page) == limit else None

    def delete(self, integration: IntegrationRecord, deleted_at: str, record: AuditRecord) -> None:
        memory = self.memory
        stored = memory.integrations.get(integration.id)
        key = memory.integration_keys.get(integration.key_hash)
        _transact(
            [
                ("integration", stored is not None and stored.deleted_at is None),
                ("integration", key is not None and key.revoked_at is None),
            ]
        )
        assert stored is not None
        assert key is not None
        memory.integrations[integration.id] = stored.model_copy(update={"deleted_at": deleted_at})
        memory.integration_keys[integration.key_hash] = IntegrationKeyTarget(
            org_id=key.org_id, integration_id=key.integration_id, kind=key.kind, revoked_at=deleted_at
        )
        memory.audit.append(record)

    def record_delivery(self, integration_id: str, delivery: DeliveryRecord) -> None:
        self.memory.integration_deliveries.setdefault(integration_id, []).append(delivery)

    def list_deliveries(
        self, integration_id: str, limit: int, after_id: str | None
    ) -> tuple[list[DeliveryRecord], str | None]:
        newest_first = sorted(
            self.memory.integration_deliveries.get(integration_id, []), key=lambda delivery: delivery.id, reverse=True
        )
        following = [delivery for delivery in newest_first if after_id is None or delivery.id < after_id]
        page = following[:limit]
        return page, page[-1].id if len(page) == limit else None

    def find_claim(self, org_id: str, assessment_id: str, digest: str) -> ClaimRecord | None:
        return self.memory.claims.get((org_id, assessment_id, digest))

    def get_interview(self, key_id: str) -> InterviewRecord | None:
        return self.memory.interviews.get(key_id)

    def remember_share(self, interview: InterviewRecord, share: ShareRecord, url_ciphertext: str) -> None:
        memory = self.memory
        stored = memory.interviews.get(interview.key_id)
        where = (share.session_id, share.id)
        _transact(
            [
                ("share", share.token_hash not in memory.shares),
                ("share", where not in memory.share_entries),
                ("interview", stored is not None and stored.share_id == interview.share_id),
            ]
        )
        assert stored is not None
        memory.shares[share.token_hash] = memory.share_entries[where] = share
        memory.interviews[interview.key_id] = stored.model_copy(
            update={"share_id": share.id, "share_url_ciphertext": url_ciphertext}
        )

    def note_error(self, key_id: str, error: AtsError) -> None:
        stored = self.memory.interviews.get(key_id)
        if stored is None:
            raise ConditionFailedError("interview")
        self.memory.interviews[key_id] = stored.model_copy(
            update={"last_error": error, "error_count": stored.error_count + 1}
        )


class FakeSecrets:
    """Reversible, and bound to its context as KMS is: decrypting with another context fails."""

    def encrypt(self, plaintext: str, context: Mapping[str, str]) -> str:
        sealed = f"{sorted(context.items())}|{plaintext}"
        return base64.b64encode(sealed.encode()).decode()

    def decrypt(self, ciphertext: str, context: Mapping[str, str]) -> str:
        bound, _, plaintext = base64.b64decode(ciphertext).decode().partition("|")
        if bound != str(sorted(context.items())):
            raise ValueError("the ciphertext was encrypted for another context")
        return plaintext


@dataclass(frozen=True)
class Stores:
    """One in-memory table and a store of each kind over it, typed as the domain sees them."""

    memory: Memory
    assessments: Assessments
    deleter: AssessmentDeleter
    keys: CandidateKeys
    sessions: Sessions
    rubrics: Rubrics
    tokens: Tokens
    credentials: Credentials
    telemetry: Telemetry
    reminders: Reminders
    audit: AuditLog
    shares: Shares
    integrations: Integrations
    secrets: Secrets


def in_memory_stores() -> Stores:
    memory = Memory()
    return Stores(
        memory=memory,
        assessments=FakeAssessments(memory),
        deleter=FakeAssessmentDeleter(memory),
        keys=FakeCandidateKeys(memory),
        sessions=FakeSessions(memory),
        rubrics=FakeRubrics(memory),
        tokens=FakeTokens(memory),
        credentials=FakeCredentials(memory),
        telemetry=FakeTelemetry(memory),
        reminders=FakeReminders(memory),
        audit=FakeAuditLog(memory),
        shares=FakeShares(memory),
        integrations=FakeIntegrations(memory),
        secrets=FakeSecrets(),
    )
