"""Business rules for candidate keys: generation, listing, revocation, and status as of now."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic.alias_generators import to_camel

from shared import clock, ids
from shared.auth import new_key_code
from shared.domain.assessments import get_assessment
from shared.domain.audit import AuditContext
from shared.domain.deadlines import running_cutoff, status_at
from shared.domain.paging import decode_cursor, within_budget
from shared.domain.ports import Assessments, CandidateKeys, Sessions
from shared.errors import ConflictError, InvalidInputError, NotFoundError, RateLimitedError
from shared.models.candidate_keys import CandidateKey, GenerateKeysRequest, Invite
from shared.store.audit import AuditRecord
from shared.store.candidate_keys import KEYS_PER_TRANSACTION, CandidateKeyRecord, CodeTakenError
from shared.store.dynamo import ConditionFailedError, WriteConflictError
from shared.store.integrations import InterviewTerms

# Codes are drawn from 32^8 ≈ 10^12: a second collision in a row means something else is wrong.
_INSERT_ATTEMPTS = 4
# A key moves on at most twice while it is being revoked (redeemed, then completed or revoked).
_REVOKE_ATTEMPTS = 3
# A key's invitation is sent again at most this often in any 24 hours.
MAX_RESENDS_PER_DAY = 3
RESEND_WINDOW = timedelta(days=1)
# Another resend, or the consumer settling an email, may change the key while it is being resent.
_RESEND_ATTEMPTS = 3


def key_view(key: CandidateKeyRecord, now: datetime) -> CandidateKey:
    """The key as the API shows it; an invitation being sent still reads ``queued``."""
    invite = None
    if key.invite_status is not None:
        status = "queued" if key.invite_status == "sending" else key.invite_status
        # A key sent before emails were counted had one, at its sentAt.
        counted = key.invite_sent_count if key.invite_sent_count is not None else int(key.invite_sent_at is not None)
        invite = Invite(
            status=status,
            sent_at=key.invite_sent_at,
            error=key.invite_error,
            sent_count=counted,
            last_sent_at=key.invite_last_sent_at or key.invite_sent_at,
            reminded_at=key.reminded_at,
        )
    return CandidateKey.model_validate(
        {**key.model_dump(), "key": key.code, "status": status_at(key, now), "invite": invite}
    )


def generate_keys(
    assessments: Assessments,
    keys: CandidateKeys,
    org_id: str,
    assessment_id: str,
    request: GenerateKeysRequest,
    *,
    audit: AuditContext,
    interview: InterviewTerms | None = None,
) -> list[CandidateKey]:
    """Issue ``count`` keys for the org's active assessment, expiring ``expiresInDays`` from now, each with
    its extra minutes. An ATS asks for one key to one email, with the ``interview`` it is issued for: written
    with the key, and only while no other key holds that candidate's place (else ConditionFailedError,
    ``interview claim``)."""
    assert interview is None or (request.count == 1 and request.candidate_emails), "an interview is one key"
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
    extra = request.extra_minutes
    if isinstance(extra, list) and len(extra) != request.count:
        raise InvalidInputError.for_field(
            ("extraMinutes",), "length_mismatch", f"a list must give exactly count ({request.count}) numbers"
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
            extra_minutes=extra[index] if isinstance(extra, list) else extra,
            integration_id=interview.integration_id if interview is not None else None,
        )
        for index in range(request.count)
    ]
    sent = [to_camel(name) for name in sorted(request.model_fields_set)]
    record: AuditRecord | None = audit.record(
        org_id, "keys.generate", ("assessment", assessment.id), sent, clock.to_timestamp(now)
    )
    stored: list[CandidateKeyRecord] = []
    for start in range(0, len(new_keys), KEYS_PER_TRANSACTION):
        batch = new_keys[start : start + KEYS_PER_TRANSACTION]
        stored += _insert(keys, org_id, assessment.id, batch, record=record, interview=interview)
        record = None  # the first transaction carries it
    return [key_view(key, now) for key in stored]


def _insert(
    keys: CandidateKeys,
    org_id: str,
    assessment_id: str,
    batch: list[CandidateKeyRecord],
    *,
    record: AuditRecord | None,
    interview: InterviewTerms | None,
) -> list[CandidateKeyRecord]:
    """Insert one transaction's worth of keys, drawing new codes for any already taken."""
    for _ in range(_INSERT_ATTEMPTS):
        try:
            keys.insert(org_id, assessment_id, batch, record, interview)
        except CodeTakenError as taken:
            batch = [
                key.model_copy(update={"code": new_key_code()}) if index in taken.positions else key
                for index, key in enumerate(batch)
            ]
        except ConditionFailedError as failed:
            if failed.item == "assessment":
                raise NotFoundError("Assessment not found") from failed
            if failed.item == "interview claim":
                raise
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
    keys: CandidateKeys, org_id: str, assessment_id: str, limit: int, cursor: str | None, *, newest_first: bool = False
) -> tuple[list[CandidateKey], str | None]:
    """One page of the non-revoked keys of the org's active assessment in creation order (or newest first),
    and the cursor of the next. The first page checks the assessment (another org's or a deleted one is not
    found); a later page holds only keys of the caller's org, so a forged cursor shows nothing of another's."""
    canonical_id = ids.canonical_uuid(assessment_id)
    after_id = decode_cursor(cursor)
    if canonical_id is None:
        raise NotFoundError("Assessment not found")
    state, found, resume_after = keys.list_page(canonical_id, limit, after_id, newest_first=newest_first)
    if after_id is None and (state is None or state.org_id != org_id or state.deleted_at is not None):
        raise NotFoundError("Assessment not found")
    if any(key.org_id != org_id for key in found):
        raise NotFoundError("Assessment not found")
    now = clock.utc_now()
    views = [key_view(key, now) for key in found if key.status != "revoked"]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def get_key(keys: CandidateKeys, org_id: str, assessment_id: str, key_id: str) -> CandidateKey:
    """The org's key of that assessment as it is now; unknown, revoked and other orgs' keys are not found."""
    return key_view(_org_key(keys, org_id, assessment_id, key_id), clock.utc_now())


def _org_key(keys: CandidateKeys, org_id: str, assessment_id: str, key_id: str) -> CandidateKeyRecord:
    """The org's key of that assessment, as stored; unknown, revoked and other orgs' keys are not found."""
    canonical_assessment, canonical_key = ids.canonical_uuid(assessment_id), ids.canonical_uuid(key_id)
    key = keys.get(canonical_assessment, canonical_key) if canonical_assessment and canonical_key else None
    if key is None or key.org_id != org_id or key.status == "revoked":
        raise NotFoundError("Key not found")
    return key


def revoke_key(
    keys: CandidateKeys, sessions: Sessions, org_id: str, assessment_id: str, key_id: str, *, audit: AuditContext
) -> str:
    """Revoke a key of the org's active assessment and return its id. An unused key can no longer
    start; a session in progress ends as ``revoked``; a finished session is history and stays."""
    for _ in range(_REVOKE_ATTEMPTS):
        key = _org_key(keys, org_id, assessment_id, key_id)
        if key.status == "completed":
            raise _session_finished()
        now = clock.utc_now()
        record = audit.record(org_id, "key.revoke", ("key", key.id), ["status"], clock.to_timestamp(now))
        try:
            if key.status == "pending":
                keys.revoke_pending(key, clock.to_timestamp(now), record)
            else:
                sessions.revoke(key, clock.to_timestamp(now), running_cutoff(now), record)
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


def resend_invitation(
    keys: CandidateKeys, org_id: str, assessment_id: str, key_id: str, *, audit: AuditContext
) -> CandidateKey:
    """Queue a pending key's invitation to be emailed again (the event consumer sends it), at most
    MAX_RESENDS_PER_DAY times in any 24 hours; returns the key as it is now."""
    for _ in range(_RESEND_ATTEMPTS):
        key = _org_key(keys, org_id, assessment_id, key_id)
        now = clock.utc_now()
        _refuse_resend(key, now)
        since = clock.to_timestamp(now - RESEND_WINDOW)
        recent = tuple(at for at in key.resent_at if at > since)
        if len(recent) >= MAX_RESENDS_PER_DAY:
            next_allowed = clock.from_timestamp(min(recent)) + RESEND_WINDOW
            raise RateLimitedError(
                f"This key's invitation was sent again {MAX_RESENDS_PER_DAY} times in the last 24 hours; "
                f"it may be sent again from {clock.to_timestamp(next_allowed)}",
                retry_after_seconds=max(1, int((next_allowed - now).total_seconds())),
                code="resend_limited",
            )
        at = clock.to_timestamp(now)
        record = audit.record(org_id, "key.resend", ("key", key.id), ["invite"], at)
        try:
            keys.resend(key, (*recent, at), record)
        except ConditionFailedError as failed:
            if failed.item == "assessment":
                raise NotFoundError("Key not found") from failed
            continue  # used, revoked, resent or sent meanwhile: read it again
        except WriteConflictError:
            continue
        queued = key.model_copy(
            update={
                "invite_status": "queued",
                "invite_reason": "invitation",
                "invite_error": None,
                "resent_at": (*recent, at),
            }
        )
        return key_view(queued, now)
    raise ConflictError("The key changed while its invitation was being queued; retry")


def _refuse_resend(key: CandidateKeyRecord, now: datetime) -> None:
    """Raise the error that says why this key's invitation cannot be sent again now, if it cannot."""
    if key.candidate_email is None:
        raise ConflictError("This key was issued to no email address: there is no invitation to send", code="no_email")
    status = status_at(key, now)
    if status != "pending":
        raise ConflictError(
            f"Only an unused key's invitation is sent again; this key is {status}", code="key_not_pending"
        )
    if key.invite_status in ("queued", "sending"):
        raise ConflictError(
            "An email for this key is already on its way; check again in a minute", code="invite_queued"
        )


def _session_finished() -> ConflictError:
    return ConflictError(
        "This key's session has finished; results are kept and cannot be revoked", code="session_finished"
    )
