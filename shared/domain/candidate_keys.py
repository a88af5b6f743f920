"""Business rules for candidate keys: generation, listing, revocation, and status as of now."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from shared import clock
from shared.auth import new_key_code
from shared.domain.assessments import get_assessment
from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.keys import CandidateKey, GenerateKeysRequest, KeyStatus
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import KEYS_PER_TRANSACTION, CandidateKeyStore, CodeTakenError, StoredKey

# Codes are drawn from 32^8 ≈ 10^12: a second collision in a row means something else is wrong.
_INSERT_ATTEMPTS = 4


def status_at(key: StoredKey, now: datetime) -> KeyStatus:
    """The key's status as of ``now``: an unredeemed key past its expiry reads ``expired``."""
    if key.status == "pending" and clock.from_timestamp(key.expires_at) <= now:
        return "expired"
    return key.status


def key_view(key: StoredKey, now: datetime) -> CandidateKey:
    """The key as the API shows it."""
    return CandidateKey(
        id=key.id,
        key=key.code,
        assessment_id=key.assessment_id,
        org_id=key.org_id,
        candidate_email=key.candidate_email,
        candidate_name=key.candidate_name,
        status=status_at(key, now),
        session_id=key.session_id,
        expires_at=key.expires_at,
        redeemed_at=key.redeemed_at,
        completed_at=key.completed_at,
        created_at=key.created_at,
    )


def generate_keys(
    assessments: AssessmentStore,
    key_store: CandidateKeyStore,
    org_id: str,
    assessment_id: str,
    request: GenerateKeysRequest,
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
    expires_at = clock.to_timestamp(now + timedelta(days=assessment.expires_in_days))
    new_keys = [
        StoredKey(
            id=clock.new_id(),
            code=new_key_code(),
            assessment_id=assessment.id,
            org_id=org_id,
            candidate_email=emails[index] if emails else None,
            candidate_name=names[index] if names else None,
            org_name=request.org_name,
            status="pending",
            session_id=None,
            expires_at=expires_at,
            redeemed_at=None,
            completed_at=None,
            deadline=None,
            created_at=clock.to_timestamp(now),
        )
        for index in range(request.count)
    ]
    stored: list[StoredKey] = []
    for start in range(0, len(new_keys), KEYS_PER_TRANSACTION):
        stored += _insert(key_store, org_id, assessment.id, new_keys[start : start + KEYS_PER_TRANSACTION])
    return [key_view(key, now) for key in stored]


def _insert(key_store: CandidateKeyStore, org_id: str, assessment_id: str, batch: list[StoredKey]) -> list[StoredKey]:
    """Insert one transaction's worth of keys, drawing new codes for any already taken."""
    for _ in range(_INSERT_ATTEMPTS):
        try:
            key_store.insert(org_id, assessment_id, batch)
        except CodeTakenError as taken:
            batch = [
                replace(key, code=new_key_code()) if index in taken.positions else key
                for index, key in enumerate(batch)
            ]
        except ConflictError:
            continue  # another write to the same assessment at the same instant: try again
        else:
            return batch
    raise ConflictError("Could not issue the keys; retry")


def list_keys(key_store: CandidateKeyStore, org_id: str, assessment_id: str) -> list[CandidateKey]:
    """Every non-revoked key of the org's active assessment, in creation order."""
    canonical_id = clock.canonical_uuid(assessment_id)
    found = key_store.list_live(org_id, canonical_id) if canonical_id else None
    if found is None:
        raise NotFoundError("Assessment not found")
    now = clock.utc_now()
    return [key_view(key, now) for key in found]


def revoke_key(key_store: CandidateKeyStore, org_id: str, assessment_id: str, key_id: str) -> str:
    """Revoke a key of the org's active assessment; returns the key's id."""
    canonical_assessment, canonical_key = clock.canonical_uuid(assessment_id), clock.canonical_uuid(key_id)
    if canonical_assessment is None or canonical_key is None:
        raise NotFoundError("Key not found")
    key_store.revoke(org_id, canonical_assessment, canonical_key, clock.to_timestamp(clock.utc_now()))
    return canonical_key
