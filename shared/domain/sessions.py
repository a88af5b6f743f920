"""Business rules for candidates: starting a session with a key, completing it, reading the brief."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared import clock
from shared.auth import Candidate
from shared.domain.candidate_keys import status_at
from shared.errors import ConflictError, ForbiddenError, NotFoundError, UnauthorizedError
from shared.models.assessments import AssessmentView
from shared.models.keys import CandidateAssessment, CompletedSession, Session, StartedSession
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore, StoredKey


def _current_key(key_store: CandidateKeyStore, candidate: Candidate) -> StoredKey:
    key = key_store.get(candidate.assessment_id, candidate.key_id)
    if key is None or key.org_id != candidate.org_id:
        raise UnauthorizedError("Unknown candidate key", code="invalid_key")
    return key


def _refuse_unusable(key: StoredKey, now: datetime) -> None:
    """Raise the error that says why this key cannot be used now, if it cannot."""
    status = status_at(key, now)
    if status == "revoked":
        raise ForbiddenError("This key was revoked", code="key_revoked")
    if status == "expired":
        raise ForbiddenError(f"This key expired at {key.expires_at}", code="key_expired")
    if status == "completed":
        raise ConflictError("This key's session is already completed", code="session_completed")


def _session(key: StoredKey) -> Session:
    """The session a redeemed key carries (validation refuses a key that has none)."""
    return Session.model_validate(
        {
            "id": key.session_id,
            "key_id": key.id,
            "assessment_id": key.assessment_id,
            "started_at": key.redeemed_at,
            "deadline": key.deadline,
        }
    )


def _brief(assessment: AssessmentView) -> CandidateAssessment:
    return CandidateAssessment.model_validate(assessment.model_dump())


def _assessment_in_progress(assessments: AssessmentStore, key: StoredKey) -> AssessmentView:
    """The assessment of a started session: sessions go on after a delete, on its snapshot."""
    found = assessments.get(key.org_id, key.assessment_id) or assessments.get_deleted(key.org_id, key.assessment_id)
    if found is None:
        raise NotFoundError("Assessment not found")
    return found


def start_session(
    assessments: AssessmentStore, key_store: CandidateKeyStore, candidate: Candidate
) -> tuple[StartedSession, bool]:
    """Redeem the candidate's key and start the session; the flag says whether it was started now.

    Repeating the call while the session is in progress returns the same session."""
    key = _current_key(key_store, candidate)
    now = clock.utc_now()
    _refuse_unusable(key, now)
    if key.status == "redeemed":
        return StartedSession(
            session=_session(key), assessment=_brief(_assessment_in_progress(assessments, key))
        ), False
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        raise ForbiddenError("This assessment was deleted", code="assessment_deleted")
    minutes = assessment.time_limit_minutes
    deadline = clock.to_timestamp(now + timedelta(minutes=minutes)) if minutes is not None else None
    try:
        key = key_store.redeem(key, session_id=clock.new_id(), started_at=clock.to_timestamp(now), deadline=deadline)
    except ConflictError:
        # Someone redeemed, revoked or let it expire at the same moment: report what it is now.
        key = _current_key(key_store, candidate)
        _refuse_unusable(key, clock.utc_now())
        if key.status != "redeemed":
            raise
        return StartedSession(session=_session(key), assessment=_brief(assessment)), False
    return StartedSession(session=_session(key), assessment=_brief(assessment)), True


def complete_session(key_store: CandidateKeyStore, candidate: Candidate, session_id: str) -> CompletedSession:
    """Complete the candidate's own session, once."""
    key = _current_key(key_store, candidate)
    if key.session_id is None or key.session_id != clock.canonical_uuid(session_id):
        raise NotFoundError("Session not found")
    if key.status == "completed":
        raise ConflictError("This session is already completed", code="session_completed")
    if key.status == "revoked":
        raise ForbiddenError("This key was revoked", code="key_revoked")
    completed = key_store.complete(key, completed_at=clock.to_timestamp(clock.utc_now()))
    return CompletedSession.model_validate({**_session(completed).model_dump(), "completed_at": completed.completed_at})


def get_assessment_for_candidate(
    assessments: AssessmentStore, key_store: CandidateKeyStore, candidate: Candidate, assessment_id: str
) -> AssessmentView:
    """The assessment a candidate's key opens, and no other."""
    if clock.canonical_uuid(assessment_id) != candidate.assessment_id:
        raise NotFoundError("Assessment not found")
    key = _current_key(key_store, candidate)
    now = clock.utc_now()
    if status_at(key, now) in ("revoked", "expired"):
        _refuse_unusable(key, now)
    if key.status in ("redeemed", "completed"):
        return _assessment_in_progress(assessments, key)
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        raise NotFoundError("Assessment not found")
    return assessment
