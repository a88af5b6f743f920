"""Candidate keys: the key (``ASMT#{assessmentId}`` / ``KEY#{keyId}``), its code lookup (written through
``shared.store.credentials``, which reads it for the authorizer) and its email lookup when it names a
candidate (``ORG#{orgId}#EMAIL#{digest}`` / ``KEY#{keyId}``: the email's SHA-256, never the address).
Every key write is checked against the assessment's state record; the writes that move a key together
with its session are built here and run by shared.store.sessions.

A key whose candidate is invited by email is also in the GSI2 index until its reminder is queued, or it
is used, revoked or erased (whichever comes first removes the entry): under ``REMIND#{expiry date}``,
sorted by ``{expiresAt}#{keyId}``, so the keys expiring in a window are a Query per UTC day it touches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from shared.ids import email_digest
from shared.observability import traced
from shared.store import assessments, audit, dynamo
from shared.store.assessments import AssessmentState
from shared.store.audit import AuditRecord
from shared.store.credentials import CodeTarget, code_item
from shared.store.dynamo import Action, Item
from shared.store.records import Record, item_of
from shared.store.schema import (
    PARTITION_KEY,
    SECOND_INDEX,
    SECOND_INDEX_PARTITION_KEY,
    SECOND_INDEX_SORT_KEY,
    SORT_KEY,
)

if TYPE_CHECKING:
    from shared.store.integrations import InterviewTerms

StoredStatus = Literal["pending", "redeemed", "completed", "revoked"]
# ``sending`` while one consumer holds the invitation: it moves to ``sent`` or ``failed``, or back to
# ``queued`` for a retry, so no two deliveries of a stream record both send.
InviteStatus = Literal["queued", "sending", "sent", "failed", "not_requested"]
# What the queued email is: the invitation (first sent or sent again), or the one reminder.
InviteReason = Literal["invitation", "reminder"]

# Key generation writes the state record and the audit record plus up to three items a key (key, code,
# email lookup): 32 keys fill one transaction.
KEYS_PER_TRANSACTION = (dynamo.MAX_TRANSACTION_ACTIONS - 2) // 3
_KEY_PREFIX = "KEY#"
_REMINDER_PREFIX = "REMIND#"
_STATUS = {"#status": "status"}  # a DynamoDB reserved word
# Every move of a key's status ends any wait for a reminder (only a pending key is reminded).
_NO_REMINDER = f" REMOVE {SECOND_INDEX_PARTITION_KEY}, {SECOND_INDEX_SORT_KEY}"


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
    invite_reason: InviteReason | None = None  # what the queued email is (None: an invitation)
    invite_sent_at: str | None = None  # the first email's
    invite_last_sent_at: str | None = None  # None on keys sent before emails were counted: sent_at then
    invite_sent_count: int | None = None  # None on keys sent before emails were counted
    invite_error: str | None = None
    invite_failed_at: str | None = None
    reminded_at: str | None = None
    resent_at: tuple[str, ...] = ()  # when the invitation was sent again, within the last day
    erased_at: str | None = None
    extra_minutes: int = 0
    terms_version: int | None = None  # of the assessment's terms when the session started (None: before versions)
    integration_id: str | None = None  # the integration whose ATS had it issued (its interview tells more)


class EmailLookup(Record):
    """Finds a key (and its session, once started) by its candidate's email within one organisation;
    ``has_notes`` says the session's submission holds notes (they go when the candidate is erased).
    Once the candidate is erased (``erased_at``), the lookup of a started session stays until the
    session's events are gone: it is what the erasure resumes from, ``erase_pass`` counting its passes."""

    org_id: str
    assessment_id: str
    key_id: str
    session_id: str | None = None
    has_notes: bool = False
    erased_at: str | None = None
    erase_pass: int = 0


class CodeTakenError(Exception):
    """Some codes of a new batch already exist; ``positions`` index the batch."""

    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(f"key codes already taken at {list(positions)}")
        self.positions = list(positions)


def _key_keys(assessment_id: str, key_id: str) -> dict[str, str]:
    return {PARTITION_KEY: assessments.partition(assessment_id), SORT_KEY: f"{_KEY_PREFIX}{key_id}"}


def reminder_partition(day: str) -> str:
    """The reminder index's partition of the keys expiring on ``day`` (YYYY-MM-DD, UTC)."""
    return f"{_REMINDER_PREFIX}{day}"


def _reminder_keys(key: CandidateKeyRecord) -> dict[str, str]:
    """A key's entry in the reminder index, for a key whose candidate is invited by email."""
    if key.candidate_email is None or key.invite_status != "queued":
        return {}
    return {
        SECOND_INDEX_PARTITION_KEY: reminder_partition(key.expires_at[:10]),
        SECOND_INDEX_SORT_KEY: f"{key.expires_at}#{key.id}",
    }


def _email_partition(org_id: str, digest: str) -> str:
    return f"ORG#{org_id}#EMAIL#{digest}"


def _email_keys(org_id: str, email: str, key_id: str) -> dict[str, str]:
    return {PARTITION_KEY: _email_partition(org_id, email_digest(email)), SORT_KEY: f"{_KEY_PREFIX}{key_id}"}


def lookup_partition(org_id: str, digest: str) -> dict[str, str]:
    """The partition key of every email lookup of one candidate (by their email's digest) in an org."""
    return {PARTITION_KEY: _email_partition(org_id, digest)}


def lookup_keys(org_id: str, digest: str, key_id: str) -> dict[str, str]:
    return {**lookup_partition(org_id, digest), SORT_KEY: f"{_KEY_PREFIX}{key_id}"}


def note_on_lookup_actions(
    org_id: str, assessment_id: str, key_id: str, session_id: str, email: str | None, *, has_notes: bool
) -> list[Action]:
    """The write keeping the email lookup of a session's key current, if the key names a candidate: it
    writes the whole lookup, so a key issued before lookups existed gains one. The session's own
    conditions keep it from writing after an erasure (a revoked key, an erased session)."""
    if email is None:
        return []
    return [
        Action(
            "Update",
            "email lookup",
            keys=_email_keys(org_id, email, key_id),
            expression="SET orgId = :org, assessmentId = :assessment, keyId = :key, sessionId = :session, "
            "hasNotes = :notes",
            values={
                ":org": org_id,
                ":assessment": assessment_id,
                ":key": key_id,
                ":session": session_id,
                ":notes": has_notes,
            },
        )
    ]


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
        expression=f"SET #status = :after, {stamp} = :at{also_set}{_NO_REMINDER}",
        condition=f"#status = :before{also_require}",
        names=_STATUS,
        values={":before": before, ":after": after, ":at": moment, **(values or {})},
    )


def move_action(key: CandidateKeyRecord, moves: tuple[StoredStatus, StoredStatus], at: tuple[str, str]) -> Action:
    """A transaction action moving ``key`` from one status to the next (else ``key`` fails), stamping when."""
    return _move_key(key.assessment_id, key.id, moves, at)


def redeem_action(key: CandidateKeyRecord, session_id: str, started_at: str, terms_version: int) -> Action:
    """A transaction action redeeming a pending, unexpired key for ``session_id`` (else ``key`` fails),
    noting which version of the assessment's terms the session started on."""
    return _move_key(
        key.assessment_id,
        key.id,
        ("pending", "redeemed"),
        ("redeemedAt", started_at),
        also_set=", sessionId = :session, termsVersion = :terms",
        also_require=" AND expiresAt > :at",
        values={":session": session_id, ":terms": terms_version},
    )


def complete_action(assessment_id: str, key_id: str, session_id: str, completed_at: str) -> Action:
    """A transaction action marking the redeemed key of ``session_id`` completed (else ``key`` fails)."""
    return _move_key(
        assessment_id,
        key_id,
        ("redeemed", "completed"),
        ("completedAt", completed_at),
        also_require=" AND sessionId = :session",
        values={":session": session_id},
    )


def key_in(item: dynamo.Item) -> CandidateKeyRecord | None:
    """The key an item of the table holds (a stream image), or None for any other item."""
    is_key = str(item.get(SORT_KEY, "")).startswith(_KEY_PREFIX) and str(item.get(PARTITION_KEY, "")).startswith(
        assessments.ACTIVE_PREFIX
    )
    return CandidateKeyRecord.model_validate(item) if is_key else None


def lookup_in(item: dynamo.Item) -> tuple[str, EmailLookup] | None:
    """The email digest and lookup an item of the table holds (a stream image), or None for any other."""
    org_part, separator, digest = str(item.get(PARTITION_KEY, "")).partition("#EMAIL#")
    if not separator or not org_part.startswith("ORG#") or not str(item.get(SORT_KEY, "")).startswith(_KEY_PREFIX):
        return None
    return digest, EmailLookup.model_validate(item)


def forget_action(lookup: EmailLookup, erased_at: str) -> Action:
    """A transaction action erasing the candidate from the lookup's key: name, email and any error
    of its invitation (which may quote the address) go; a key never redeemed can no longer be used."""
    forget = (
        f"REMOVE candidateEmail, candidateName, inviteError, {SECOND_INDEX_PARTITION_KEY}, {SECOND_INDEX_SORT_KEY} "
        "SET erasedAt = :at"
    )
    keys = _key_keys(lookup.assessment_id, lookup.key_id)
    if lookup.session_id is not None:
        return Action("Update", "key", keys=keys, expression=forget, values={":at": erased_at})
    return Action(
        "Update",
        "key",
        keys=keys,
        expression=f"{forget}, #status = :revoked, revokedAt = if_not_exists(revokedAt, :at)",
        names=_STATUS,
        values={":at": erased_at, ":revoked": "revoked"},
    )


def lookup_erased_action(digest: str, lookup: EmailLookup, erased_at: str) -> Action:
    """A transaction action settling the lookup of an erased key, only as it was read (so a key
    redeemed, or a session completed, meanwhile fails the transaction rather than escape the erasure):
    a key never redeemed has nothing more to erase, so its lookup goes; a session's stays, marked,
    until its events are gone."""
    keys = lookup_keys(lookup.org_id, digest, lookup.key_id)
    if lookup.session_id is None:
        return Action("Delete", "email lookup", keys=keys, condition="attribute_not_exists(sessionId)")
    return Action(
        "Update",
        "email lookup",
        keys=keys,
        expression="SET erasedAt = :at",
        condition="hasNotes = :notes AND attribute_not_exists(erasedAt)",
        values={":at": erased_at, ":notes": lookup.has_notes},
    )


def revoke_action(key: CandidateKeyRecord, revoked_at: str) -> Action:
    """A transaction action revoking ``key`` if it is still pending (safe to repeat)."""
    return _move_key(key.assessment_id, key.id, ("pending", "revoked"), ("revokedAt", revoked_at))


class CandidateKeyStore:
    @traced
    def insert(
        self,
        org_id: str,
        assessment_id: str,
        new_keys: Sequence[CandidateKeyRecord],
        record: AuditRecord | None,
        interview: InterviewTerms | None = None,
    ) -> None:
        """Store up to KEYS_PER_TRANSACTION keys and their codes in one transaction, which also counts
        them on the state record and writes ``record`` (the generation's first transaction carries it): it
        fails (as ``assessment``) if the assessment was deleted meanwhile, and raises CodeTakenError if a
        code is already taken. An ATS's one key comes with its claim and interview (``interview claim``
        fails when another key holds the candidate's place)."""
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
                    item={**item_of(_key_keys(key.assessment_id, key.id), key), **_reminder_keys(key)},
                    condition="attribute_not_exists(PK)",
                )
            )
            actions.append(
                Action("Put", "key code", item=code_item(key.code, target), condition="attribute_not_exists(PK)")
            )
            owners += [position, position]
            if key.candidate_email is not None:
                lookup = EmailLookup(org_id=key.org_id, assessment_id=key.assessment_id, key_id=key.id)
                actions.append(
                    Action(
                        "Put",
                        "email lookup",
                        item=item_of(_email_keys(key.org_id, key.candidate_email, key.id), lookup),
                    )
                )
                owners.append(position)
            if interview is not None and key.candidate_email is not None:
                # Only an ATS's key loads the integration store (the authorizer and most routes read keys).
                from shared.store import integrations  # noqa: PLC0415

                asked = integrations.interview_actions(
                    interview, key.id, key.assessment_id, key.candidate_email, key.created_at
                )
                actions += asked
                owners += [position] * len(asked)
        if record is not None:
            actions.append(audit.entry_action(record))
        try:
            dynamo.transact_write(actions)
        except dynamo.ConditionFailedError as failed:
            taken = [owners[position] for position in failed.positions if actions[position].what == "key code"]
            if failed.item in ("assessment", "interview claim") or not taken:
                raise
            raise CodeTakenError(taken) from failed

    @traced
    def get(self, assessment_id: str, key_id: str) -> CandidateKeyRecord | None:
        item = dynamo.get(_key_keys(assessment_id, key_id))
        return CandidateKeyRecord.model_validate(item) if item else None

    @traced
    def get_many(self, assessment_id: str, key_ids: Sequence[str]) -> list[CandidateKeyRecord]:
        """The assessment's keys with these ids that exist, in the order given."""
        items = dynamo.get_many([_key_keys(assessment_id, key_id) for key_id in key_ids])
        found = {record.id: record for record in map(CandidateKeyRecord.model_validate, items)}
        return [found[key_id] for key_id in key_ids if key_id in found]

    @traced
    def read_partition(self, assessment_id: str) -> tuple[AssessmentState | None, list[CandidateKeyRecord]]:
        """The assessment's state record and all its keys in creation order: one Query per MB."""
        state: AssessmentState | None = None
        found: list[CandidateKeyRecord] = []
        keys_and_state = f"{PARTITION_KEY} = :pk AND {SORT_KEY} BETWEEN :first AND :state"
        bounds = {":pk": assessments.partition(assessment_id), ":first": _KEY_PREFIX, ":state": assessments.STATE_SK}
        for item in dynamo.query_all(keys_and_state, bounds):
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
    def revoke_pending(self, key: CandidateKeyRecord, revoked_at: str, record: AuditRecord) -> None:
        """Revoke an unused key of the org's active assessment (``key`` fails if it was used meanwhile)."""
        dynamo.transact_write(
            [
                revoke_action(key, revoked_at),
                assessments.active_check(key.assessment_id, key.org_id),
                audit.entry_action(record),
            ]
        )

    @traced
    def resend(self, key: CandidateKeyRecord, resent_at: tuple[str, ...], record: AuditRecord) -> None:
        """Queue the invitation of a pending key of the org's active assessment again, its resends now
        ``resent_at``: only while its invitation is not already queued or being sent, and its resends are
        as read in ``key`` (else ``key`` fails, and reading it again tells why)."""
        condition = (
            "#status = :pending AND attribute_exists(candidateEmail) AND inviteStatus IN (:sent, :failed, :none)"
        )
        # As read: none (a key stored before resends were counted has no list), or exactly those.
        condition += (
            " AND resentAt = :before"
            if key.resent_at
            else " AND (attribute_not_exists(resentAt) OR resentAt = :before)"
        )
        values: dict[str, object] = {
            ":pending": "pending",
            ":sent": "sent",
            ":failed": "failed",
            ":none": "not_requested",
            ":queued": "queued",
            ":invitation": "invitation",
            ":resends": list(resent_at),
            ":before": list(key.resent_at),
        }
        dynamo.transact_write(
            [
                Action(
                    "Update",
                    "key",
                    keys=_key_keys(key.assessment_id, key.id),
                    expression="SET inviteStatus = :queued, inviteReason = :invitation, resentAt = :resends "
                    "REMOVE inviteError",
                    condition=condition,
                    names=_STATUS,
                    values=values,
                ),
                assessments.active_check(key.assessment_id, key.org_id),
                audit.entry_action(record),
            ]
        )


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
        failed_at: str | None = None,
    ) -> bool:
        """Move the invitation from one status to another, recording when an email was sent (and counting
        it; a reminder's also as ``remindedAt``) or why and when it failed; False when it was not in the
        first status any more."""
        before, after = moves
        expression = "SET inviteStatus = :after"
        values: dict[str, object] = {":before": before, ":after": after}
        if sent_at is not None:
            expression += (
                ", inviteSentAt = if_not_exists(inviteSentAt, :at), inviteLastSentAt = :at, "
                "inviteSentCount = if_not_exists(inviteSentCount, :counted) + :one"
            )
            # A key sent before emails were counted had one.
            values |= {":at": sent_at, ":counted": 1 if key.invite_sent_at else 0, ":one": 1}
            if key.invite_reason == "reminder":
                expression += ", remindedAt = :at"
        if error is not None:
            expression += ", inviteError = :error"
            values[":error"] = error
        if failed_at is not None:
            expression += ", inviteFailedAt = :failed"
            values[":failed"] = failed_at
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


class ReminderStore:
    """The reminder index of keys awaiting their one reminder, and the queuing of that reminder (the event
    consumer sends it, as it sends invitations)."""

    @traced
    def expiring(
        self, day: str, window: tuple[str, str], after: Item | None
    ) -> tuple[list[CandidateKeyRecord], Item | None]:
        """One Query of the keys in the index expiring on ``day`` within ``window`` (from, to), in expiry
        order, and where to resume. The index is read eventually consistently: the queuing's condition
        is what decides."""
        start, end = window
        items, last = dynamo.query(
            f"{SECOND_INDEX_PARTITION_KEY} = :day AND {SECOND_INDEX_SORT_KEY} BETWEEN :start AND :end",
            {":day": reminder_partition(day), ":start": start, ":end": f"{end}~"},
            start_after=after,
            index=SECOND_INDEX,
        )
        return [CandidateKeyRecord.model_validate(item) for item in items], last

    @traced
    def queue(self, key: CandidateKeyRecord, now: str, quiet_since: str) -> bool:
        """Queue the key's reminder and take it out of the index, once: only a pending, unexpired, unerased
        key still in the index whose invitation was sent, last at or before ``quiet_since``; False otherwise."""
        last_sent = (
            "(inviteLastSentAt <= :quiet OR (attribute_not_exists(inviteLastSentAt) AND inviteSentAt <= :quiet))"
        )
        try:
            dynamo.update(
                _key_keys(key.assessment_id, key.id),
                "key",
                f"SET inviteStatus = :queued, inviteReason = :reminder{_NO_REMINDER}",
                condition=f"attribute_exists({SECOND_INDEX_PARTITION_KEY}) AND #status = :pending AND expiresAt > :now "
                f"AND inviteStatus = :sent AND attribute_not_exists(erasedAt) AND {last_sent}",
                names=_STATUS,
                values={
                    ":queued": "queued",
                    ":reminder": "reminder",
                    ":pending": "pending",
                    ":now": now,
                    ":sent": "sent",
                    ":quiet": quiet_since,
                },
            )
        except dynamo.ConditionFailedError:
            return False
        return True
