"""Business rules for candidate keys: generation, listing, revocation, and status as of now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from shared import clock, ids
from shared.auth import new_key_code
from shared.domain.assessments import get_assessment
from shared.domain.deadlines import running_cutoff, status_at
from shared.domain.paging import decode_cursor, within_budget
from shared.domain.ports import Assessments, CandidateKeys, Sessions
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.candidate_keys import CandidateKey, GenerateKeysRequest, Invite
from shared.store.candidate_keys import KEYS_PER_TRANSACTION, CandidateKeyRecord, CodeTakenError
from shared.store.dynamo import ConditionFailedError, WriteConflictError

# Codes are drawn from 32^8 ≈ 10^12: a second collision in a row means something else is wrong.
_INSERT_ATTEMPTS = 4
# A key moves on at most twice while it is being revoked (redeemed, then completed or revoked).
_REVOKE_ATTEMPTS = 3


def key_view(key: CandidateKeyRecord, now: datetime) -> CandidateKey:
    """The key as the API shows it; an invitation being sent still reads ``queued``."""
    invite = None
    if key.invite_status is not None:
        status = "queued" if key.invite_status == "sending" else key.invite_status
        invite = Invite(status=status, sent_at=key.invite_sent_at, error=key.invite_error)
    return CandidateKey.model_validate(
        {**key.model_dump(), "key": key.code, "status": status_at(key, now), "invite": invite}
    )


def generate_keys(
    assessments: Assessments, keys: CandidateKeys, org_id: str, assessment_id: str, request: GenerateKeysRequest
) -> list[CandidateKey]:
    """Issue ``count`` keys for the org's active assessment, expiring ``expiresInDays`` from now."""
    emails = request.candidate_emails
    if emails is not None and len(emails) != request.count:
        raise InvalidInputError.for_field(
            ("candidateEmails",), "length_mismatch", f"must list exactly count ({request.count}) addresses"
        )
    names = request.candidate_names
    if names is not None and (emails is None or len(names) != len(emails)):
        raise InvalidInputError.for_field(
            ("candidateNames",), "length_mismatch", "must match candidateEmails, name for address"
        )
    assessment = get_assessment(assessments, org_id, assessment_id)
    now = clock.utc_now()
    # The event consumer sends queued invitations once the keys are committed.
    invite_status = "queued" if request.send_invites else "not_requested"
    new_keys = [
        CandidateKeyRecord(
            id=ids.new_id(),
            code=new_key_code(),
            assessment_id=assessment.id,
            org_id=org_id,
            candidate_email=emails[index] if emails else None,
            candidate_name=names[index] if names else None,
            org_name=request.org_name,
            invite_status=invite_status if emails else None,
            status="pending",
            expires_at=clock.to_timestamp(now + timedelta(days=assessment.expires_in_days)),
            created_at=clock.to_timestamp(now),
        )
        for index in range(request.count)
    ]
    stored: list[CandidateKeyRecord] = []
    for start in range(0, len(new_keys), KEYS_PER_TRANSACTION):
        stored += _insert(keys, org_id, assessment.id, new_keys[start : start + KEYS_PER_TRANSACTION])
    return [key_view(key, now) for key in stored]


def _insert(
    keys: CandidateKeys, org_id: str, assessment_id: str, batch: list[CandidateKeyRecord]
) -> list[CandidateKeyRecord]:
    """Insert one transaction's worth of keys, drawing new codes for any already taken."""
    for _ in range(_INSERT_ATTEMPTS):
        try:
            keys.insert(org_id, assessment_id, batch)
        except CodeTakenError as taken:
            batch = [
                key.model_copy(update={"code": new_key_code()}) if index in taken.positions else key
                for index, key in enumerate(batch)
            ]
        except ConditionFailedError as failed:
            if failed.item == "assessment":
                raise NotFoundError("Assessment not found") from failed
        except WriteConflictError:
            continue  # another write to the same assessment at the same instant: try again
        else:
            return batch
    raise ConflictError("Could not issue the keys; retry")


def current_keys(keys: CandidateKeys, org_id: str, issued: Sequence[CandidateKey]) -> list[CandidateKey]:
    """Keys issued earlier, as they are now (an ``Idempotency-Key`` replay of their generation): a
    candidate erased since shows no name or email, a key used or revoked since says so."""
    if not issued:
        return []
    stored = keys.get_many(issued[0].assessment_id, [key.id for key in issued])
    now = clock.utc_now()
    return [key_view(key, now) for key in stored if key.org_id == org_id]


def list_keys(
    keys: CandidateKeys, org_id: str, assessment_id: str, limit: int, cursor: str | None
) -> tuple[list[CandidateKey], str | None]:
    """One page of the non-revoked keys of the org's active assessment, newest first, and the cursor of
    the next. The first page checks the assessment (another org's or a deleted one is not found); a
    later page holds only keys of the caller's org, so a forged cursor shows nothing of another's."""
    canonical_id = ids.canonical_uuid(assessment_id)
    after_id = decode_cursor(cursor)
    if canonical_id is None:
        raise NotFoundError("Assessment not found")
    state, found, resume_after = keys.list_page(canonical_id, limit, after_id)
    if after_id is None and (state is None or state.org_id != org_id or state.deleted_at is not None):
        raise NotFoundError("Assessment not found")
    if any(key.org_id != org_id for key in found):
        raise NotFoundError("Assessment not found")
    now = clock.utc_now()
    views = [key_view(key, now) for key in found if key.status != "revoked"]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def revoke_key(keys: CandidateKeys, sessions: Sessions, org_id: str, assessment_id: str, key_id: str) -> str:
    """Revoke a key of the org's active assessment and return its id. An unused key can no longer
    start; a session in progress ends as ``revoked``; a finished session is history and stays."""
    canonical_assessment, canonical_key = ids.canonical_uuid(assessment_id), ids.canonical_uuid(key_id)
    for _ in range(_REVOKE_ATTEMPTS):
        key = keys.get(canonical_assessment, canonical_key) if canonical_assessment and canonical_key else None
        if key is None or key.org_id != org_id or key.status == "revoked":
            raise NotFoundError("Key not found")
        if key.status == "completed":
            raise _session_finished()
        now = clock.utc_now()
        try:
            if key.status == "pending":
                keys.revoke_pending(key, clock.to_timestamp(now))
            else:
                sessions.revoke(key, clock.to_timestamp(now), running_cutoff(now))
        except ConditionFailedError as failed:
            if failed.item == "assessment":
                raise NotFoundError("Key not found") from failed
            if failed.item == "session":
                raise _session_finished() from failed
            continue  # the key was redeemed, completed or revoked meanwhile: answer for what it is now
        except WriteConflictError:
            continue
        return key.id
    raise ConflictError("The key changed while it was being revoked; retry")


def _session_finished() -> ConflictError:
    return ConflictError(
        "This key's session has finished; results are kept and cannot be revoked", code="session_finished"
    )
