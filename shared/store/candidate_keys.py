"""Candidate keys: the key (``ASMT#{assessmentId}`` / ``KEY#{keyId}``), its code lookup (written through
``shared.store.credentials``, which reads it for the authorizer) and its email lookup when it names a
candidate (``ORG#{orgId}#EMAIL#{digest}`` / ``KEY#{keyId}``: the email's SHA-256, never the address).
Every key write is checked against the assessment's state record; the writes that move a key together
with its session are built here and run by shared.store.sessions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal

from shared.observability import traced
from shared.store import assessments, dynamo
from shared.store.assessments import AssessmentState
from shared.store.credentials import CodeTarget, code_item
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import PARTITION_KEY, SORT_KEY

StoredStatus = Literal["pending", "redeemed", "completed", "revoked"]
# ``sending`` while one consumer holds the invitation: it moves to ``sent`` or ``failed``, or back to
# ``queued`` for a retry, so no two deliveries of a stream record both send.
InviteStatus = Literal["queued", "sending", "sent", "failed", "not_requested"]

# Key generation writes the state record plus up to three items a key (key, code, email lookup): 33 keys
# fill one transaction.
KEYS_PER_TRANSACTION = (dynamo.MAX_TRANSACTION_ACTIONS - 1) // 3
_KEY_PREFIX = "KEY#"
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


def email_digest(email: str) -> str:
    """The SHA-256 of an address as matched (case and surrounding space ignored): what the store files a
    candidate under and the logs name them by, so neither holds the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


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
        expression=f"SET #status = :after, {stamp} = :at{also_set}",
        condition=f"#status = :before{also_require}",
        names=_STATUS,
        values={":before": before, ":after": after, ":at": moment, **(values or {})},
    )


def move_action(key: CandidateKeyRecord, moves: tuple[StoredStatus, StoredStatus], at: tuple[str, str]) -> Action:
    """A transaction action moving ``key`` from one status to the next (else ``key`` fails), stamping when."""
    return _move_key(key.assessment_id, key.id, moves, at)


def redeem_action(key: CandidateKeyRecord, session_id: str, started_at: str) -> Action:
    """A transaction action redeeming a pending, unexpired key for ``session_id`` (else ``key`` fails)."""
    return _move_key(
        key.assessment_id,
        key.id,
        ("pending", "redeemed"),
        ("redeemedAt", started_at),
        also_set=", sessionId = :session",
        also_require=" AND expiresAt > :at",
        values={":session": session_id},
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
    forget = "REMOVE candidateEmail, candidateName, inviteError SET erasedAt = :at"
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
                    item=item_of(_key_keys(key.assessment_id, key.id), key),
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
        for item in dynamo.query_all("PK = :pk", {":pk": assessments.partition(assessment_id)}):
            if item[SORT_KEY] == assessments.STATE_SK:
                state = AssessmentState.model_validate(item)
            else:
                found.append(CandidateKeyRecord.model_validate(item))
        return state, found

    @traced
    def list_page(
        self, assessment_id: str, limit: int, after_id: str | None
    ) -> tuple[AssessmentState | None, list[CandidateKeyRecord], str | None]:
        """One Query of the assessment's keys, newest first, and the key id to resume after. The state
        record sorts after every key, so the first page (no ``after_id``) starts with it and tells the
        owner and whether the assessment was deleted; later pages hold keys only, each naming its org."""
        items, last = dynamo.query(
            f"{PARTITION_KEY} = :pk AND {SORT_KEY} BETWEEN :first AND :state",
            {":pk": assessments.partition(assessment_id), ":first": _KEY_PREFIX, ":state": assessments.STATE_SK},
            limit=limit if after_id else limit + 1,  # the first page reads the state record too
            start_after=_key_keys(assessment_id, after_id) if after_id else None,
            forward=False,
        )
        state: AssessmentState | None = None
        found: list[CandidateKeyRecord] = []
        for item in items:
            if item[SORT_KEY] == assessments.STATE_SK:
                state = AssessmentState.model_validate(item)
            else:
                found.append(CandidateKeyRecord.model_validate(item))
        resume_after = found[-1].id if last is not None and found else None
        return state, found, resume_after

    @traced
    def revoke_pending(self, key: CandidateKeyRecord, revoked_at: str) -> None:
        """Revoke an unused key of the org's active assessment (``key`` fails if it was used meanwhile)."""
        dynamo.transact_write([revoke_action(key, revoked_at), assessments.active_check(key.assessment_id, key.org_id)])


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
