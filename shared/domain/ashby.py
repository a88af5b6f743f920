"""The partner side of Ashby's assessments API: ``assessment.list`` offers the organisation's active
assessments, ``assessment.start`` issues the candidate a key (the invitation goes out as for any key),
``assessment.cancel`` revokes it; and what ``assessment.update`` tells Ashby as the session starts,
completes and is scored (Ashby's typed values: ``numeric_score``, ``numeric_duration_minutes``, ``url``,
``string``)."""

from __future__ import annotations

from shared import clock
from shared.auth import Integration
from shared.domain.audit import AuditContext
from shared.domain.interviews import Candidate, active_assessments, cancel_interview, canonical_id, issue_interview
from shared.domain.ports import Assessments, CandidateKeys, Integrations, Sessions
from shared.errors import ConflictError, NotFoundError, UnprocessableError
from shared.models.ats import (
    AshbyAssessmentType,
    AshbyAssessmentUpdate,
    AshbyDataValue,
    CancelAssessmentRequest,
    StartAssessmentRequest,
)
from shared.store.sessions import SessionRecord

STARTED, COMPLETED = "Started", "Completed"


def list_assessments(assessments: Assessments, caller: Integration) -> list[AshbyAssessmentType]:
    """The org's active assessments as Ashby lists assessment types."""
    return [
        AshbyAssessmentType(
            assessment_type_id=assessment.id,
            name=assessment.title,
            description=assessment.role
            + (f", {assessment.time_limit_minutes} minutes" if assessment.time_limit_minutes else ""),
        )
        for assessment in active_assessments(assessments, caller.org_id)
    ]


def start_assessment(
    assessments: Assessments,
    keys: CandidateKeys,
    integrations: Integrations,
    caller: Integration,
    request: StartAssessmentRequest,
    *,
    audit: AuditContext,
) -> str:
    """The candidate's key id (Ashby's ``assessment_id``). A retried start (the same application) is
    answered the same; a candidate already being assessed on it from elsewhere is a 409; an assessment
    that is unknown or deleted a 422 whose message Ashby shows its user."""
    try:
        assessment_id = canonical_id(request.assessment_type_id, "Assessment")
        candidate = Candidate(request.candidate.email, request.candidate.first_name, request.candidate.last_name)
        issued = issue_interview(
            assessments,
            keys,
            integrations,
            caller,
            assessment_id=assessment_id,
            candidate=candidate,
            ats_reference=request.application.ashby_id,
            audit=audit,
        )
    except NotFoundError:
        raise UnprocessableError(
            "This assessment no longer exists in Promptster: choose another one", code="assessment_unavailable"
        ) from None
    if not issued.new and issued.claim.ats_reference != request.application.ashby_id:
        raise ConflictError("The candidate is already being assessed on this assessment", code="already_assessed")
    return issued.claim.key_id


def cancel_assessment(
    keys: CandidateKeys,
    sessions: Sessions,
    integrations: Integrations,
    caller: Integration,
    request: CancelAssessmentRequest,
    *,
    audit: AuditContext,
) -> str:
    """Revoke the candidate's key (a running session ends as revoked); one already finished is a 422 whose
    message Ashby shows its user, as its results are kept."""
    try:
        interview = cancel_interview(keys, sessions, integrations, caller, request.assessment_id, audit=audit)
    except ConflictError as finished:
        raise UnprocessableError(
            "The candidate has already finished this assessment: its results are kept", code="assessment_unavailable"
        ) from finished
    return interview.key_id


def assessment_update(
    assessment_id: str, session: SessionRecord, occurred_at: str, report_url: str | None
) -> AshbyAssessmentUpdate:
    """What ``assessment.update`` tells Ashby of the session: started, or finished with the report link and
    its result (the rubric's total once scored, else how it ended)."""
    timestamp = int(clock.from_timestamp(occurred_at).timestamp() * 1000)
    if report_url is None:
        return AshbyAssessmentUpdate(
            assessment_id=assessment_id, timestamp=timestamp, assessment_status=_status(STARTED)
        )
    ended = COMPLETED if session.completed_at is not None else "Timed out"
    if session.score is not None:
        result = AshbyDataValue(
            identifier="total_score",
            label="Score",
            type="numeric_score",
            value=session.score.total_score,
            description="The rubric's weighted total",
        )
    else:
        result = AshbyDataValue(identifier="result", label="Result", type="string", value=f"{ended}, awaiting review")
    metadata = [
        AshbyDataValue(identifier="session_status", label="Session", type="string", value=ended.lower()),
    ]
    if session.completed_at is not None:
        elapsed = clock.from_timestamp(session.completed_at) - clock.from_timestamp(session.started_at)
        metadata.append(
            AshbyDataValue(
                identifier="duration",
                label="Time taken",
                type="numeric_duration_minutes",
                value=round(elapsed.total_seconds() / 60, 1),
            )
        )
    if session.submission is not None and session.submission.url is not None:
        metadata.append(
            AshbyDataValue(identifier="submission", label="Submission", type="url", value=session.submission.url)
        )
    return AshbyAssessmentUpdate(
        assessment_id=assessment_id,
        timestamp=timestamp,
        assessment_status=_status(ended),
        assessment_profile_url=AshbyDataValue(identifier="report", label="Report", type="url", value=report_url),
        assessment_result=result,
        metadata=metadata,
    )


def _status(value: str) -> AshbyDataValue:
    return AshbyDataValue(identifier="status", label="Status", type="string", value=value)
