"""Business rules for sessions: a candidate starts one with their key, works against its deadline and
completes it with a submission; a reviewer reads the results and scores them against the rubric."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from shared import clock, ids
from shared.auth import Candidate
from shared.domain.audit import AuditContext
from shared.domain.deadlines import running_cutoff, status_at
from shared.domain.paging import decode_cursor, within_budget
from shared.domain.ports import Assessments, CandidateKeys, Sessions
from shared.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthorizedError,
)
from shared.models.assessments import CandidateAssessment
from shared.models.rubrics import whole_as_int
from shared.models.sessions import (
    GRACE_SECONDS,
    CandidateSession,
    CompleteSessionRequest,
    ExtendSessionRequest,
    Extension,
    Score,
    ScoredCriterion,
    ScoreSessionRequest,
    Session,
    SessionStatus,
    StartedSession,
    Submission,
)
from shared.models.signals import Signals
from shared.store.assessments import AssessmentRecord, AssessmentTerms
from shared.store.candidate_keys import CandidateKeyRecord
from shared.store.dynamo import ConditionFailedError, WriteConflictError
from shared.store.sessions import ExtensionRecord, SessionRecord

# An extension reads the session again when another extension got there first.
_EXTEND_ATTEMPTS = 3

# Views


def session_status(session: SessionRecord, now: datetime) -> SessionStatus:
    """The session's status as of ``now``, from its stored timestamps (no background job)."""
    if session.revoked_at is not None:
        return "revoked"
    if session.completed_at is not None:
        return "completed"
    if session.deadline is not None and now > clock.from_timestamp(session.deadline) + timedelta(seconds=GRACE_SECONDS):
        return "timed_out"
    return "in_progress"


def _common_fields(session: SessionRecord, now: datetime) -> dict[str, object]:
    duration = None
    if session.completed_at is not None:
        elapsed = clock.from_timestamp(session.completed_at) - clock.from_timestamp(session.started_at)
        duration = int(elapsed.total_seconds())
    reasons = session.extension_reasons or ()  # gone once the candidate was erased
    extensions = [
        Extension(minutes=extension.minutes, reason=reasons[index] if index < len(reasons) else None, at=extension.at)
        for index, extension in enumerate(session.extensions)
    ]
    return {
        **session.model_dump(exclude={"extensions", "extension_reasons"}),
        "status": session_status(session, now),
        "duration_seconds": duration,
        "extensions": extensions,
    }


def signals_view(session: SessionRecord) -> Signals:
    """The signals kept on the session as its events arrived; the AI share as a percentage to the hundredth."""
    changes = session.file_change_count
    share = whole_as_int(round(100 * session.ai_file_change_count / changes, 2)) if changes else None
    return Signals(
        event_count=session.event_count,
        prompt_count=session.prompt_count,
        tool_call_count=session.tool_call_count,
        test_run_count=session.test_run_count,
        test_pass_count=session.test_pass_count,
        decision_count=session.decision_count,
        first_event_at=session.first_event_at,
        last_event_at=session.last_event_at,
        ai_attribution_pct=share,
    )


def session_view(session: SessionRecord, now: datetime) -> Session:
    """The session as a reviewer reads it, with its signals."""
    return Session.model_validate(
        {**_common_fields(session, now), "signals": signals_view(session), "tools": sorted(session.tools or ())}
    )


def candidate_session_view(session: SessionRecord, now: datetime) -> CandidateSession:
    """The session as its candidate reads it: without the score, with the seconds left."""
    remaining = None
    if session.deadline is not None:
        left = (clock.from_timestamp(session.deadline) - now).total_seconds()
        remaining = max(0, int(left)) if session_status(session, now) == "in_progress" else 0
    return CandidateSession.model_validate({**_common_fields(session, now), "remaining_seconds": remaining})


def candidate_assessment_view(assessment: AssessmentRecord, terms: AssessmentTerms | None) -> CandidateAssessment:
    """What a candidate sees of the assessment: before their session starts (``terms`` None) its title,
    role and time limit; once started, the terms they started with (brief, repository, time limit, issue)."""
    fields = assessment.model_dump(include={"id", "title", "role", "time_limit_minutes"})
    started = {"task_brief": None, "repo_url": None, "issue": None}
    if terms is not None:
        started = terms.model_dump()
    return CandidateAssessment.model_validate({**fields, **started})


# Candidate


def _current_key(keys: CandidateKeys, candidate: Candidate) -> CandidateKeyRecord:
    key = keys.get(candidate.assessment_id, candidate.key_id)
    if key is None or key.org_id != candidate.org_id:
        raise UnauthorizedError("Unknown candidate key", code="invalid_key")
    return key


def _refuse_unusable(key: CandidateKeyRecord, now: datetime) -> None:
    """Raise the error that says why this key cannot be used now, if it cannot."""
    status = status_at(key, now)
    if status == "revoked":
        raise ForbiddenError("This key was revoked", code="key_revoked")
    if status == "expired":
        raise ForbiddenError(f"This key expired at {key.expires_at}", code="key_expired")
    if status == "completed":
        raise ConflictError("This key's session is already completed", code="session_completed")


def refuse_finished(session: SessionRecord, now: datetime) -> None:
    """Raise the error that says why this session can no longer be worked on, if it cannot."""
    status = session_status(session, now)
    if status == "revoked":
        raise ForbiddenError("This key was revoked", code="key_revoked")
    if status == "completed":
        raise ConflictError("This session is already completed", code="session_completed")
    if status == "timed_out":
        raise ConflictError(f"The deadline ({session.deadline}) has passed", code="deadline_passed")


def _assessment_in_progress(assessments: Assessments, key: CandidateKeyRecord) -> CandidateAssessment:
    """The assessment of a started session, with the terms it started on: sessions go on after a delete
    (on its snapshot) and after an edit (on the terms the edit kept)."""
    found = assessments.get(key.org_id, key.assessment_id) or assessments.get_deleted(key.org_id, key.assessment_id)
    if found is None:
        raise NotFoundError("Assessment not found")
    started_on = key.terms_version or 1  # a key redeemed before terms were counted started on the first
    terms = found.terms if started_on == found.terms_version else assessments.get_terms(found.id, started_on)
    return candidate_assessment_view(found, terms or found.terms)


def _resume(assessments: Assessments, sessions: Sessions, key: CandidateKeyRecord) -> StartedSession:
    """The session the key already started, while it may still be worked on."""
    session = sessions.get(key.session_id) if key.session_id else None
    if session is None:
        raise NotFoundError("Session not found")
    now = clock.utc_now()
    refuse_finished(session, now)
    return StartedSession(
        session=candidate_session_view(session, now), assessment=_assessment_in_progress(assessments, key)
    )


def start_session(
    assessments: Assessments, keys: CandidateKeys, sessions: Sessions, candidate: Candidate
) -> tuple[StartedSession, bool]:
    """Redeem the candidate's key and start the session; the flag says whether it was started now.

    Repeating the call while the session runs returns the same session; after its deadline, 409."""
    key = _current_key(keys, candidate)
    now = clock.utc_now()
    _refuse_unusable(key, now)
    if key.status == "redeemed":
        return _resume(assessments, sessions, key), False
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        raise ForbiddenError("This assessment was deleted", code="assessment_deleted")
    # Extra time the key was issued with moves the deadline; without a time limit there is none to move.
    minutes = assessment.time_limit_minutes + key.extra_minutes if assessment.time_limit_minutes else None
    session = SessionRecord(
        id=ids.new_id(),
        assessment_id=key.assessment_id,
        key_id=key.id,
        org_id=key.org_id,
        candidate_email=key.candidate_email,
        candidate_name=key.candidate_name,
        started_at=clock.to_timestamp(now),
        deadline=clock.to_timestamp(now + timedelta(minutes=minutes)) if minutes is not None else None,
        rubric_criteria=assessment.rubric_criteria,
        integration_id=key.integration_id,
    )
    try:
        sessions.start(key, session, assessment.terms_version)
    except ConditionFailedError as failed:
        if failed.item == "assessment":
            raise ForbiddenError("This assessment was deleted", code="assessment_deleted") from failed
        # Someone redeemed, revoked or let it expire at the same moment: report what it is now.
        key = _current_key(keys, candidate)
        _refuse_unusable(key, clock.utc_now())
        if key.status != "redeemed":
            raise ConflictError("The key changed while the session was starting", code="key_changed") from failed
        return _resume(assessments, sessions, key), False
    except WriteConflictError as conflict:
        raise ConflictError("The key changed while the session was starting", code="key_changed") from conflict
    return StartedSession(
        session=candidate_session_view(session, now), assessment=candidate_assessment_view(assessment, assessment.terms)
    ), True


def own_session(sessions: Sessions, candidate: Candidate, session_id: str) -> SessionRecord:
    canonical_id = ids.canonical_uuid(session_id)
    session = sessions.get(canonical_id) if canonical_id else None
    if session is None or session.key_id != candidate.key_id or session.org_id != candidate.org_id:
        raise NotFoundError("Session not found")
    return session


def get_candidate_session(sessions: Sessions, candidate: Candidate, session_id: str) -> CandidateSession:
    """The candidate's own session; any other is not found."""
    return candidate_session_view(own_session(sessions, candidate, session_id), clock.utc_now())


def complete_session(
    sessions: Sessions, candidate: Candidate, session_id: str, request: CompleteSessionRequest | None
) -> CandidateSession:
    """Complete the candidate's own session, once, before its deadline (and grace), with what they hand in."""
    session = own_session(sessions, candidate, session_id)
    now = clock.utc_now()
    refuse_finished(session, now)
    submission = None
    if request is not None and (request.submission_url is not None or request.notes is not None):
        # An erased candidate's notes are not kept (they were removed from every session at erasure).
        notes = None if session.erased_at is not None else request.notes
        submission = Submission(url=request.submission_url, notes=notes)
    completed_at = clock.to_timestamp(now)
    try:
        sessions.complete(session, completed_at, submission, running_cutoff(now))
    except (ConditionFailedError, WriteConflictError) as failed:
        # Completed, revoked or timed out at the same moment: say which.
        refuse_finished(own_session(sessions, candidate, session_id), clock.utc_now())
        raise ConflictError("The session changed while it was being completed; retry") from failed
    completed = session.model_copy(update={"completed_at": completed_at, "submission": submission})
    return candidate_session_view(completed, now)


def get_assessment_for_candidate(
    assessments: Assessments, keys: CandidateKeys, candidate: Candidate, assessment_id: str
) -> CandidateAssessment:
    """The assessment a candidate's key opens, and no other: the brief only once they have started."""
    if ids.canonical_uuid(assessment_id) != candidate.assessment_id:
        raise NotFoundError("Assessment not found")
    key = _current_key(keys, candidate)
    now = clock.utc_now()
    if status_at(key, now) in ("revoked", "expired"):
        _refuse_unusable(key, now)
    if key.status in ("redeemed", "completed"):
        return _assessment_in_progress(assessments, key)
    assessment = assessments.get(key.org_id, key.assessment_id)
    if assessment is None:
        raise NotFoundError("Assessment not found")
    return candidate_assessment_view(assessment, terms=None)


# Reviewer


def get_session(sessions: Sessions, org_id: str, session_id: str) -> Session:
    """Any session of the org, its assessment deleted or not; another org's is not found."""
    return session_view(org_session(sessions, org_id, session_id), clock.utc_now())


def org_session(sessions: Sessions, org_id: str, session_id: str) -> SessionRecord:
    canonical_id = ids.canonical_uuid(session_id)
    session = sessions.get(canonical_id) if canonical_id else None
    if session is None or session.org_id != org_id:
        raise NotFoundError("Session not found")
    return session


def list_sessions(
    sessions: Sessions, org_id: str, assessment_id: str, limit: int, cursor: str | None
) -> tuple[list[Session], str | None]:
    """One page of the assessment's sessions in start order, deleted assessment or not."""
    canonical_id = ids.canonical_uuid(assessment_id)
    found = sessions.list_page(org_id, canonical_id, limit, decode_cursor(cursor)) if canonical_id else None
    if found is None:
        raise NotFoundError("Assessment not found")
    page, resume_after = found
    now = clock.utc_now()
    views = [session_view(session, now) for session in page]
    return within_budget(views, resume_after, lambda view: len(view.model_dump_json()), lambda view: view.id)


def extend_session(
    sessions: Sessions, org_id: str, session_id: str, request: ExtendSessionRequest, *, audit: AuditContext
) -> Session:
    """Move the deadline of the org's running session by ``request.minutes``, also within the grace after
    it passed (completion and events then run to the new deadline); a finished session cannot be."""
    for _ in range(_EXTEND_ATTEMPTS):
        session = org_session(sessions, org_id, session_id)
        now = clock.utc_now()
        _refuse_extension(session, now)
        assert session.deadline is not None, "refused above"
        at = clock.to_timestamp(now)
        deadline = clock.to_timestamp(clock.from_timestamp(session.deadline) + timedelta(minutes=request.minutes))
        extension = ExtensionRecord(minutes=request.minutes, at=at)
        record = audit.record(org_id, "session.extend", ("session", session.id), ["deadline", "extensions"], at)
        try:
            sessions.extend(
                session, extension, request.reason, deadline=deadline, cutoff=running_cutoff(now), record=record
            )
        except (ConditionFailedError, WriteConflictError):
            continue  # finished, erased or extended meanwhile: read it again
        extended = session.model_copy(
            update={
                "deadline": deadline,
                "extensions": (*session.extensions, extension),
                "extension_reasons": (*(session.extension_reasons or ()), request.reason),
            }
        )
        return session_view(extended, now)
    raise ConflictError("The session kept changing while it was being extended; retry")


def _refuse_extension(session: SessionRecord, now: datetime) -> None:
    """Raise the error that says why this session's deadline cannot move, if it cannot."""
    status = session_status(session, now)
    if status != "in_progress":
        raise ConflictError(f"The session has finished ({status}): its deadline cannot move", code="session_finished")
    if session.erased_at is not None:
        raise ConflictError("This session's candidate was erased: it takes no more time", code="session_finished")
    if session.deadline is None:
        raise ConflictError("This session has no time limit: there is no deadline to move", code="no_deadline")


def score_session(
    sessions: Sessions, org_id: str, session_id: str, request: ScoreSessionRequest, *, audit: AuditContext
) -> Session:
    """Score a finished session against its assessment's rubric: every criterion once; scoring
    again replaces the score."""
    session = org_session(sessions, org_id, session_id)
    if not session.rubric_criteria:
        raise ConflictError("This session's assessment has no rubric to score against", code="no_rubric")
    now = clock.utc_now()
    if session_status(session, now) in ("in_progress", "revoked"):
        raise _not_finished()
    scored = _match_criteria(session, request)
    score = Score(
        criteria=tuple(scored),
        total_score=_weighted_average(scored),
        comment=request.comment,
        scored_at=clock.to_timestamp(now),
    )
    record = audit.record(org_id, "session.score", ("session", session.id), ["score"], score.scored_at)
    try:
        sessions.score(session, score, running_cutoff(now), record)
    except ConditionFailedError as failed:
        raise _not_finished() from failed
    return session_view(session.model_copy(update={"score": score}), now)


def _weighted_average(scored: list[ScoredCriterion]) -> float:
    """The weighted average to the hundredth, halves rounded up. Worked in decimal, as weights and
    scores were sent: on floats, round() takes 80.125 to the even 80.12 and 2.675 (held as 2.67499…)
    to 2.67."""
    weights = [Decimal(str(criterion.weight)) for criterion in scored]
    points = sum(
        (weight * Decimal(str(criterion.score)) for weight, criterion in zip(weights, scored, strict=True)), Decimal(0)
    )
    return float((points / sum(weights, Decimal(0))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _not_finished() -> ConflictError:
    return ConflictError("Only a completed or timed-out session can be scored", code="session_not_finished")


def _match_criteria(session: SessionRecord, request: ScoreSessionRequest) -> list[ScoredCriterion]:
    """The request's scores in the rubric's order; names match whatever their case."""
    rubric = {criterion.name.strip().casefold(): criterion for criterion in session.rubric_criteria or ()}
    given: dict[str, float] = {}
    problems: list[FieldProblem] = []
    for index, entry in enumerate(request.criteria):
        folded = entry.name.strip().casefold()
        if folded not in rubric:
            problems.append(
                FieldProblem(("criteria", index, "name"), "unknown_criterion", "the rubric has no such criterion")
            )
        elif folded in given:
            problems.append(FieldProblem(("criteria", index, "name"), "duplicate", "this criterion is already scored"))
        else:
            given[folded] = entry.score
    missing = [criterion.name for folded, criterion in rubric.items() if folded not in given]
    if missing:
        problems.append(FieldProblem(("criteria",), "missing_criterion", f"not scored: {', '.join(missing)}"))
    if problems:
        first = problems[0]
        where = ".".join(str(part) for part in first.path)
        raise InvalidInputError(f"{where}: {first.message}", problems)
    return [
        ScoredCriterion(name=criterion.name, weight=criterion.weight, score=given[folded])
        for folded, criterion in rubric.items()
    ]
