"""Candidate keys and their sessions: the key (``ASMT#{assessmentId}`` / ``KEY#{keyId}``), its code lookup
(``CODE#{code}`` / ``CODE``), its email lookup when it names a candidate (``ORG#{orgId}#EMAIL#{digest}`` /
``KEY#{keyId}``: the email's SHA-256, never the address) and, once redeemed, its session
(``SESSION#{sessionId}`` / ``SESSION``, in the sessions index under the assessment in start order), whose
partition also holds its events (shared.store.telemetry). Every key write is checked against the
assessment's state record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from shared.models.candidate_keys import email_digest
from shared.models.rubrics import Criterion
from shared.models.sessions import Score, Submission
from shared.observability import traced
from shared.store import assessments, dynamo
from shared.store.assessments import AssessmentState
from shared.store.dynamo import Action, Record
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, PARTITION_KEY, SESSIONS_INDEX, SORT_KEY

StoredStatus = Literal["pending", "redeemed", "completed", "revoked"]
# ``sending`` while one consumer holds the invitation: it moves to ``sent`` or ``failed``, or back to
# ``queued`` for a retry, so no two deliveries of a stream record both send.
InviteStatus = Literal["queued", "sending", "sent", "failed", "not_requested"]

# Key generation writes the state record plus up to three items a key (key, code, email lookup): 33 keys
# fill one transaction.
KEYS_PER_TRANSACTION = (dynamo.MAX_TRANSACTION_ACTIONS - 1) // 3
# An erasure re-reads the lookups and retries when a key is redeemed or completed while it runs.
_ERASE_ATTEMPTS = 3

_KEY_PREFIX = "KEY#"
_SESSION_PREFIX = "SESSION#"
_STATUS = {"#status": "status"}  # a DynamoDB reserved word


class CandidateKeyRecord(Record):
    """A key as stored: ``status`` is what was last written, not yet aged by the clock."""

    id: str
    code: str
    assessment_id: str
    org_id: str
    candidate_email: str | None = None
    candidate_name: str | None = None
    org_name: str | None = None
    status: StoredStatus
    expires_at: str
    created_at: str
    session_id: str | None = None
    redeemed_at: str | None = None
    completed_at: str | None = None
    revoked_at: str | None = None
    invite_status: InviteStatus | None = None  # keys with an email only
    invite_sent_at: str | None = None
    invite_error: str | None = None
    erased_at: str | None = None


class CodeTarget(Record):
    """Where a key code points."""

    org_id: str
    assessment_id: str
    key_id: str


class SignalCounts(Record):
    """A session's event counters: kept on the session item, and what each stored batch of events adds
    to them (shared.store.telemetry)."""

    event_count: int = 0
    prompt_count: int = 0
    tool_call_count: int = 0
    test_run_count: int = 0
    test_pass_count: int = 0
    decision_count: int = 0
    file_change_count: int = 0
    ai_file_change_count: int = 0


class SessionRecord(SignalCounts):
    """A started session with what it needs to be read and scored alone: the candidate, the deadline,
    and the rubric criteria of its assessment as they were when it started."""

    id: str
    assessment_id: str
    key_id: str
    org_id: str
    candidate_email: str | None = None
    candidate_name: str | None = None
    started_at: str
    deadline: str | None = None
    rubric_criteria: tuple[Criterion, ...] | None = None
    completed_at: str | None = None
    revoked_at: str | None = None
    submission: Submission | None = None
    score: Score | None = None
    # Signals: the counters come with SignalCounts, kept exact by the transaction that stores each batch.
    first_event_at: str | None = None
    last_event_at: str | None = None
    erased_at: str | None = None


class EmailLookup(Record):
    """Finds a key (and its session, once started) by its candidate's email within one organisation;
    ``has_notes`` says the session's submission holds notes (they go when the candidate is erased)."""

    org_id: str
    assessment_id: str
    key_id: str
    session_id: str | None = None
    has_notes: bool = False


class CodeTakenError(Exception):
    """Some codes of a new batch already exist; ``positions`` index the batch."""

    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(f"key codes already taken at {list(positions)}")
        self.positions = list(positions)


def _key_keys(assessment_id: str, key_id: str) -> dict[str, str]:
    return {PARTITION_KEY: assessments.partition(assessment_id), SORT_KEY: f"{_KEY_PREFIX}{key_id}"}


def _code_keys(code: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CODE#{code}", SORT_KEY: "CODE"}


def session_keys(session_id: str) -> dict[str, str]:
    return {PARTITION_KEY: f"SESSION#{session_id}", SORT_KEY: "SESSION"}


def _email_partition(org_id: str, digest: str) -> str:
    return f"ORG#{org_id}#EMAIL#{digest}"


def _email_keys(org_id: str, email: str, key_id: str) -> dict[str, str]:
    return {PARTITION_KEY: _email_partition(org_id, email_digest(email)), SORT_KEY: f"{_KEY_PREFIX}{key_id}"}


def _note_on_lookup(session: SessionRecord, email: str | None, update: str, values: dict[str, object]) -> list[Action]:
    """The write keeping the email lookup of the session's key current, if it names a candidate. It writes
    the whole lookup, so a key issued before lookups existed gains one; the caller's other conditions
    keep it from writing after an erasure (a revoked key, an erased session)."""
    if email is None:
        return []
    return [
        Action(
            "Update",
            "email lookup",
            keys=_email_keys(session.org_id, email, session.key_id),
            expression=f"SET orgId = :org, assessmentId = :assessment, keyId = :key, sessionId = :session, {update}",
            values={
                ":org": session.org_id,
                ":assessment": session.assessment_id,
                ":key": session.key_id,
                ":session": session.id,
                **values,
            },
        )
    ]


def _session_index_keys(session: SessionRecord) -> dict[str, str]:
    return {
        INDEX_PARTITION_KEY: assessments.partition(session.assessment_id),
        INDEX_SORT_KEY: f"{_SESSION_PREFIX}{session.id}",
    }


def _move_key(
    assessment_id: str,
    key_id: str,
    moves: tuple[StoredStatus, StoredStatus],
    at: tuple[str, str],
    *,
    also_set: str = "",
    also_require: str = "",
    values: dict[str, object] | None = None,
) -> Action:
    """An Update moving a key from one status to the next (else ``key`` fails), stamping when."""
    (before, after), (stamp, moment) = moves, at
    return Action(
        "Update",
        "key",
        keys=_key_keys(assessment_id, key_id),
        expression=f"SET #status = :after, {stamp} = :at{also_set}",
        condition=f"#status = :before{also_require}",
        names=_STATUS,
        values={":before": before, ":after": after, ":at": moment, **(values or {})},
    )


def key_in(item: dynamo.Item) -> CandidateKeyRecord | None:
    """The key an item of the table holds (a stream image), or None for any other item."""
    is_key = str(item.get(SORT_KEY, "")).startswith(_KEY_PREFIX) and str(item.get(PARTITION_KEY, "")).startswith(
        assessments.ACTIVE_PREFIX
    )
    return CandidateKeyRecord.model_validate(item) if is_key else None


def session_in(item: dynamo.Item) -> SessionRecord | None:
    """The session an item of the table holds (a stream image), or None for any other item."""
    is_session = item.get(SORT_KEY) == "SESSION" and str(item.get(PARTITION_KEY, "")).startswith(_SESSION_PREFIX)
    return SessionRecord.model_validate(item) if is_session else None


def revoke_action(key: CandidateKeyRecord, revoked_at: str) -> Action:
    """A transaction action revoking ``key`` if it is still pending (safe to repeat)."""
    return _move_key(key.assessment_id, key.id, ("pending", "revoked"), ("revokedAt", revoked_at))


class CandidateKeyStore:
    @traced
    def insert(self, org_id: str, assessment_id: str, new_keys: Sequence[CandidateKeyRecord]) -> None:
        """Store up to KEYS_PER_TRANSACTION keys and their codes in one transaction, which also counts
        them on the state record: it fails (as ``assessment``) if the assessment was deleted meanwhile,
        and raises CodeTakenError if a code is already taken."""
        actions = [
            Action(
                "Update",
                "assessment",
                keys=assessments.state_keys(assessment_id),
                expression="ADD keysIssued :n",
                condition="orgId = :org AND attribute_not_exists(deletedAt)",
                values={":n": len(new_keys), ":org": org_id},
            )
        ]
        owners = [-1]  # the batch position each action writes for
        for position, key in enumerate(new_keys):
            target = CodeTarget(org_id=key.org_id, assessment_id=key.assessment_id, key_id=key.id)
            actions.append(
                Action(
                    "Put",
                    "key",
                    item=dynamo.item_of(_key_keys(key.assessment_id, key.id), key),
                    condition="attribute_not_exists(PK)",
                )
            )
            actions.append(
                Action(
                    "Put",
                    "key code",
                    item=dynamo.item_of(_code_keys(key.code), target),
                    condition="attribute_not_exists(PK)",
                )
            )
            owners += [position, position]
            if key.candidate_email is not None:
                lookup = EmailLookup(org_id=key.org_id, assessment_id=key.assessment_id, key_id=key.id)
                actions.append(
                    Action(
                        "Put",
                        "email lookup",
                        item=dynamo.item_of(_email_keys(key.org_id, key.candidate_email, key.id), lookup),
                    )
                )
                owners.append(position)
        try:
            dynamo.transact_write(actions)
        except dynamo.ConditionFailedError as failed:
            taken = [owners[position] for position in failed.positions if actions[position].what == "key code"]
            if failed.item == "assessment" or not taken:
                raise
            raise CodeTakenError(taken) from failed

    @traced
    def get(self, assessment_id: str, key_id: str) -> CandidateKeyRecord | None:
        item = dynamo.get(_key_keys(assessment_id, key_id))
        return CandidateKeyRecord.model_validate(item) if item else None

    @traced
    def find_code(self, code: str) -> CodeTarget | None:
        """Where a normalised key code points (the candidate authorizer's one request)."""
        item = dynamo.get(_code_keys(code), consistent=False)
        return CodeTarget.model_validate(item) if item else None

    @traced
    def read_partition(self, assessment_id: str) -> tuple[AssessmentState | None, list[CandidateKeyRecord]]:
        """The assessment's state record and all its keys in creation order: one Query per MB."""
        state: AssessmentState | None = None
        found: list[CandidateKeyRecord] = []
        for item in dynamo.query_all("PK = :pk", {":pk": assessments.partition(assessment_id)}):
            if item[SORT_KEY] == assessments.STATE_SK:
                state = AssessmentState.model_validate(item)
            else:
                found.append(CandidateKeyRecord.model_validate(item))
        return state, found

    @traced
    def list_page(
        self, assessment_id: str, limit: int, after_id: str | None, *, newest_first: bool = False
    ) -> tuple[AssessmentState | None, list[CandidateKeyRecord], str | None]:
        """One page of the assessment's keys (UUIDv7 ids: creation order, or the reverse) and the key id to
        resume after; the first page (no ``after_id``) also returns the state record, which tells the owner
        and whether the assessment was deleted. The state sorts after every key: newest first, the page's
        Query starts with it; in creation order it ends the last page, and a first page that does not reach
        it reads it with one GetItem. Later pages hold keys only, each naming its org."""
        # Read one key beyond the page (proof that more follow), and the state where it is in the way.
        reads_state_first = newest_first and after_id is None
        query_limit = limit + (2 if reads_state_first else 1)
        items, last = dynamo.query(
            f"{PARTITION_KEY} = :pk AND {SORT_KEY} BETWEEN :first AND :state",
            {":pk": assessments.partition(assessment_id), ":first": _KEY_PREFIX, ":state": assessments.STATE_SK},
            limit=query_limit,
            start_after=_key_keys(assessment_id, after_id) if after_id else None,
            forward=not newest_first,
        )
        state: AssessmentState | None = None
        found: list[CandidateKeyRecord] = []
        for item in items:
            if item[SORT_KEY] == assessments.STATE_SK:
                state = AssessmentState.model_validate(item)
            else:
                found.append(CandidateKeyRecord.model_validate(item))
        reached_end = state is not None and not newest_first
        cut_short = last is not None and len(items) < query_limit  # DynamoDB's 1 MB page ended first
        more = not reached_end and (len(found) > limit or cut_short)
        if after_id is None and state is None and more:
            stored = dynamo.get(assessments.state_keys(assessment_id))
            state = AssessmentState.model_validate(stored) if stored else None
        page = found[:limit]
        return (state if after_id is None else None), page, page[-1].id if more and page else None

    @traced
    def redeem(self, key: CandidateKeyRecord, session: SessionRecord) -> None:
        """Start the key's session: only a pending, unexpired key (else ``key`` fails) of an active
        assessment (else ``assessment``), only once."""
        dynamo.transact_write(
            [
                _move_key(
                    key.assessment_id,
                    key.id,
                    ("pending", "redeemed"),
                    ("redeemedAt", session.started_at),
                    also_set=", sessionId = :session",
                    also_require=" AND expiresAt > :at",
                    values={":session": session.id},
                ),
                assessments.active_check(key.assessment_id),
                Action(
                    "Put",
                    "session",
                    item={**_session_index_keys(session), **dynamo.item_of(session_keys(session.id), session)},
                    condition="attribute_not_exists(PK)",
                ),
                # An erasure revokes the key first, failing this transaction.
                *_note_on_lookup(session, key.candidate_email, "hasNotes = :no", {":no": False}),
            ]
        )

    @traced
    def revoke_pending(self, key: CandidateKeyRecord, revoked_at: str) -> None:
        """Revoke an unused key of the org's active assessment (``key`` fails if it was used meanwhile)."""
        dynamo.transact_write([revoke_action(key, revoked_at), assessments.active_check(key.assessment_id, key.org_id)])

    @traced
    def revoke_in_progress(self, key: CandidateKeyRecord, revoked_at: str, cutoff: str) -> None:
        """Revoke a redeemed key and end its session as revoked; ``session`` fails if the session was
        completed or passed its deadline (``cutoff``: the latest deadline still running) meanwhile."""
        assert key.session_id is not None, "a redeemed key has a session"
        dynamo.transact_write(
            [
                _move_key(key.assessment_id, key.id, ("redeemed", "revoked"), ("revokedAt", revoked_at)),
                Action(
                    "Update",
                    "session",
                    keys=session_keys(key.session_id),
                    expression="SET revokedAt = :at",
                    condition=RUNNING,
                    values={":at": revoked_at, ":cutoff": cutoff},
                ),
                assessments.active_check(key.assessment_id, key.org_id),
            ]
        )

    @traced
    def get_session(self, session_id: str) -> SessionRecord | None:
        item = dynamo.get(session_keys(session_id))
        return SessionRecord.model_validate(item) if item else None

    @traced
    def complete(self, session: SessionRecord, completed_at: str, submission: Submission | None, cutoff: str) -> None:
        """Complete a running session (else ``session`` fails) and mark its key completed. Notes of a
        candidate with an email are noted on its lookup, unless the candidate was erased meanwhile
        (``session`` fails)."""
        noted = session.candidate_email if submission is not None and submission.notes is not None else None
        values: dict[str, object] = {
            ":at": completed_at,
            ":submission": submission.model_dump(by_alias=True) if submission is not None else None,
            ":cutoff": cutoff,
        }
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "session",
                    keys=session_keys(session.id),
                    expression="SET completedAt = :at, submission = :submission",
                    condition=RUNNING + (" AND attribute_not_exists(erasedAt)" if noted else ""),
                    values=values,
                ),
                _move_key(
                    session.assessment_id,
                    session.key_id,
                    ("redeemed", "completed"),
                    ("completedAt", completed_at),
                    also_require=" AND sessionId = :session",
                    values={":session": session.id},
                ),
                *_note_on_lookup(session, noted, "hasNotes = :yes", {":yes": True}),
            ]
        )

    @traced
    def score(self, session: SessionRecord, score: Score, cutoff: str) -> None:
        """Store (or replace) the score of a finished session: completed, or past its deadline
        (``cutoff``) and never revoked; ConditionFailedError (``session``) otherwise."""
        dynamo.update(
            session_keys(session.id),
            "session",
            "SET score = :score",
            condition="attribute_exists(PK) AND attribute_not_exists(revokedAt) "
            "AND (attribute_exists(completedAt) OR deadline < :cutoff)",
            values={":score": score.model_dump(by_alias=True), ":cutoff": cutoff},
        )

    @traced
    def erase(self, org_id: str, digest: str, erased_at: str) -> int:
        """Erase the candidate whose email has this digest from the org: their keys and sessions lose the
        name and email and carry ``erasedAt``, unused keys are revoked, submissions lose their notes, and
        the email lookups go with them (a second erasure finds none). One Query of the lookups, then a
        transaction per 100 writes; returns the keys erased. WriteConflictError if they kept changing."""
        erased = 0
        for _ in range(_ERASE_ATTEMPTS):
            lookups = [
                EmailLookup.model_validate(item)
                for item in dynamo.query_all("PK = :pk", {":pk": _email_partition(org_id, digest)})
            ]
            groups = [_erase_actions(org_id, digest, lookup, erased_at) for lookup in lookups]
            try:
                for batch in _pack(groups):
                    dynamo.transact_write([action for group in batch for action in group])
                    erased += len(batch)
            except (dynamo.ConditionFailedError, dynamo.WriteConflictError):
                continue  # a key was redeemed or completed meanwhile: read its lookup again
            _erase_timelines([lookup.session_id for lookup in lookups if lookup.session_id is not None])
            return erased
        raise dynamo.WriteConflictError("the candidate's keys kept changing while they were being erased")

    @traced
    def list_sessions(
        self, org_id: str, assessment_id: str, limit: int, after_id: str | None
    ) -> tuple[list[SessionRecord], str | None] | None:
        """One Query of the assessment's sessions in start order, and the id to resume after; None when
        the assessment is not the org's. The state record sorts after every session in the index, so a
        page either holds sessions (which name their org) or ends on the state record (which does)."""
        partition = assessments.partition(assessment_id)
        start_after = None
        if after_id is not None:
            start_after = {
                **session_keys(after_id),
                INDEX_PARTITION_KEY: partition,
                INDEX_SORT_KEY: f"{_SESSION_PREFIX}{after_id}",
            }
        items, last = dynamo.query(
            f"{INDEX_PARTITION_KEY} = :pk AND {INDEX_SORT_KEY} BETWEEN :first AND :state",
            {":pk": partition, ":first": _SESSION_PREFIX, ":state": assessments.STATE_SK},
            limit=limit + 1,  # one more tells whether another page follows
            start_after=start_after,
            index=SESSIONS_INDEX,
        )
        if not items or {str(item["orgId"]) for item in items} != {org_id}:
            return None
        reached_state = items[-1][INDEX_SORT_KEY] == assessments.STATE_SK
        sessions = [
            SessionRecord.model_validate(item) for item in items if item[INDEX_SORT_KEY] != assessments.STATE_SK
        ]
        sessions = sessions[:limit]
        more = not reached_state and last is not None and bool(sessions)
        return sessions, sessions[-1].id if more else None


class InviteStore:
    """A key's invitation status, moved by the event consumer only (conditional, so at most one send)."""

    @traced
    def claim(self, key: CandidateKeyRecord) -> CandidateKeyRecord | None:
        """Move a queued invitation of a still pending key to ``sending`` and return the key as stored
        now; None when another delivery holds or finished it, or the key was revoked or used."""
        try:
            item = dynamo.update(
                _key_keys(key.assessment_id, key.id),
                "key",
                "SET inviteStatus = :sending",
                condition="inviteStatus = :queued AND #status = :pending",
                names=_STATUS,
                values={":sending": "sending", ":queued": "queued", ":pending": "pending"},
                return_new=True,
            )
        except dynamo.ConditionFailedError:
            return None
        return CandidateKeyRecord.model_validate(item)

    @traced
    def settle(
        self,
        key: CandidateKeyRecord,
        moves: tuple[InviteStatus, InviteStatus],
        *,
        sent_at: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Move the invitation from one status to another, recording when it was sent or why it failed;
        False when it was not in the first status any more."""
        before, after = moves
        expression = "SET inviteStatus = :after"
        values: dict[str, object] = {":before": before, ":after": after}
        for attribute, value in (("inviteSentAt", sent_at), ("inviteError", error)):
            if value is not None:
                expression += f", {attribute} = :{attribute}"
                values[f":{attribute}"] = value
        try:
            dynamo.update(
                _key_keys(key.assessment_id, key.id),
                "key",
                expression,
                condition="inviteStatus = :before",
                values=values,
            )
        except dynamo.ConditionFailedError:
            return False
        return True


def _erase_timelines(session_ids: Sequence[str]) -> None:
    """The erased sessions' events go too (what the candidate's tools captured is theirs): a Query a
    session, and a BatchWriteItem per 25 events."""
    # Imported here: the telemetry store builds on this module (session keys, the running condition).
    from shared.store.telemetry import TelemetryStore  # noqa: PLC0415

    events = TelemetryStore()
    for session_id in session_ids:
        events.erase_events(session_id)


def _erase_actions(org_id: str, digest: str, lookup: EmailLookup, erased_at: str) -> list[Action]:
    """The writes erasing one key (and its session): the lookup is deleted only as it was read, so a key
    redeemed or a session completed meanwhile fails the transaction rather than escape the erasure."""
    forget = "REMOVE candidateEmail, candidateName SET erasedAt = :at"
    at = {":at": erased_at}
    lookup_keys = {PARTITION_KEY: _email_partition(org_id, digest), SORT_KEY: f"{_KEY_PREFIX}{lookup.key_id}"}
    if lookup.session_id is None:
        return [
            Action(
                "Update",
                "key",
                keys=_key_keys(lookup.assessment_id, lookup.key_id),
                # Never redeemed: pending (or already revoked) keys can no longer be used.
                expression=f"{forget}, #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)",
                names=_STATUS,
                values={**at, ":revoked": "revoked"},
            ),
            Action("Delete", "email lookup", keys=lookup_keys, condition="attribute_not_exists(sessionId)"),
        ]
    notes = ", submission.notes = :none" if lookup.has_notes else ""
    return [
        Action("Update", "key", keys=_key_keys(lookup.assessment_id, lookup.key_id), expression=forget, values=at),
        Action(
            "Update",
            "session",
            keys=session_keys(lookup.session_id),
            expression=forget + notes,
            values={**at, ":none": None} if notes else at,
        ),
        Action(
            "Delete",
            "email lookup",
            keys=lookup_keys,
            condition="hasNotes = :notes",
            values={":notes": lookup.has_notes},
        ),
    ]


def _pack(groups: list[list[Action]]) -> list[list[list[Action]]]:
    """Groups of actions in transactions of at most 100 actions, no group split."""
    batches: list[list[list[Action]]] = []
    size = dynamo.MAX_TRANSACTION_ACTIONS
    for group in groups:
        if size + len(group) > dynamo.MAX_TRANSACTION_ACTIONS:
            batches.append([])
            size = 0
        batches[-1].append(group)
        size += len(group)
    return batches


# A session still running at ``:cutoff`` (the latest deadline not yet passed, grace included).
RUNNING = (
    "attribute_exists(PK) AND attribute_not_exists(completedAt) AND attribute_not_exists(revokedAt) "
    "AND (attribute_not_exists(deadline) OR deadline >= :cutoff)"
)
