"""The vendor side of Greenhouse's Assessment Partner API: its tests are the organisation's active
assessments, ``send_test`` issues the candidate a key (the invitation goes out as for any key) and
remembers where Greenhouse takes its callback, ``test_status`` says where the candidate stands, and
``response_error`` records what Greenhouse could not read of an answer."""

from __future__ import annotations

import re

from shared import clock
from shared.auth import Integration
from shared.domain.audit import AuditContext
from shared.domain.interviews import (
    Candidate,
    InterviewLinks,
    active_assessments,
    canonical_id,
    issue_interview,
    org_interview,
    report_link,
    standing,
)
from shared.domain.ports import Assessments, CandidateKeys, Integrations, Sessions
from shared.domain.sessions import session_status, signals_view
from shared.errors import GoneError, InvalidInputError, NotFoundError
from shared.models.ats import (
    GreenhouseTestStatus,
    PartnerTest,
    ResponseErrorRequest,
    SendTestRequest,
)
from shared.observability import logger
from shared.store.integrations import AtsError
from shared.store.sessions import SessionRecord
from shared.webhooks import addresses
from shared.webhooks.addresses import UrlNotAllowedError

COMPLETE = "complete"
# What an ATS's error text keeps: no address or link it may quote (a report link is a credential).
# Compiled on first use (re keeps them), not as a function loads.
_URL = r"(?i)\b[a-z][a-z0-9+.-]*://\S+"
_EMAIL = r"[^@\s]+@[^@\s]+"
_KEPT_ERRORS = 10
_ERROR_LENGTH = 300


def list_tests(assessments: Assessments, caller: Integration) -> list[PartnerTest]:
    """The org's active assessments as Greenhouse lists tests: ``<title> (<role>)``."""
    return [
        PartnerTest(partner_test_id=assessment.id, partner_test_name=f"{assessment.title} ({assessment.role})")
        for assessment in active_assessments(assessments, caller.org_id)
    ]


def send_test(
    assessments: Assessments,
    keys: CandidateKeys,
    integrations: Integrations,
    caller: Integration,
    request: SendTestRequest,
    *,
    audit: AuditContext,
) -> str:
    """The candidate's key id (Greenhouse's ``partner_interview_id``): the same for the same email and test.
    The callback URL must be https to a public host; an unknown test is 404, a deleted one 410."""
    try:
        addresses.check_registration(request.url)
    except UrlNotAllowedError as refused:
        raise InvalidInputError.for_field(
            ("url",), "url_not_allowed", str(refused), error_code="url_not_allowed"
        ) from None
    assessment_id = canonical_id(request.partner_test_id, "Test")
    candidate = Candidate(request.candidate.email, request.candidate.first_name, request.candidate.last_name)
    try:
        issued = issue_interview(
            assessments,
            keys,
            integrations,
            caller,
            assessment_id=assessment_id,
            candidate=candidate,
            callback_url=request.url,
            audit=audit,
        )
    except NotFoundError:
        if assessments.get_deleted(caller.org_id, assessment_id) is not None:
            raise GoneError("This test's assessment was deleted") from None
        raise NotFoundError("Test not found") from None
    return issued.claim.key_id


def interview_status(
    keys: CandidateKeys, sessions: Sessions, links: InterviewLinks, caller: Integration, interview_id: str
) -> GreenhouseTestStatus:
    """Where the candidate stands: ``complete`` (with the report link and, once scored, the total) when the
    session has finished, else the key's status."""
    interview = org_interview(links.integrations, caller, interview_id)
    now = clock.utc_now()
    found = standing(keys, sessions, interview)
    metadata = signals_metadata(found.session) if found.session is not None else {}
    if not found.finished or found.session is None:
        return GreenhouseTestStatus(
            partner_status=found.status(now), partner_profile_url=None, partner_score=None, metadata=metadata
        )
    session = found.session
    return GreenhouseTestStatus(
        partner_status=COMPLETE,
        partner_profile_url=report_link(links, interview, session),
        partner_score=session.score.total_score if session.score is not None else None,
        metadata=metadata,
    )


def signals_metadata(session: SessionRecord) -> dict[str, str | int | float]:
    """The session's signals as Greenhouse shows test metadata: flat, labelled, numbers and text only
    (what is not known is left out)."""
    signals = signals_view(session)
    duration = None
    if session.completed_at is not None:
        elapsed = clock.from_timestamp(session.completed_at) - clock.from_timestamp(session.started_at)
        duration = round(elapsed.total_seconds() / 60, 1)
    shown: dict[str, str | int | float | None] = {
        "Status": session_status(session, clock.utc_now()),
        "Started at": session.started_at,
        "Completed at": session.completed_at,
        "Duration (minutes)": duration,
        "Events": signals.event_count,
        "Prompts": signals.prompt_count,
        "Tool calls": signals.tool_call_count,
        "Test runs": signals.test_run_count,
        "Test runs passed": signals.test_pass_count,
        "Decisions": signals.decision_count,
        "AI share of file changes (%)": signals.ai_attribution_pct,
        "Tools": ", ".join(sorted(session.tools)) if session.tools else None,
    }
    return {label: value for label, value in shown.items() if value is not None}


def response_error(integrations: Integrations, caller: Integration, request: ResponseErrorRequest) -> None:
    """Record what Greenhouse could not read on the interview it names (an unknown one is 404), and log it:
    the call and its errors, any address or link they quote left out."""
    errors = tuple(_redacted(error) for error in request.errors[:_KEPT_ERRORS])
    context = {"api_call": request.api_call[:100], "errors": list(errors), "integration_id": caller.integration_id}
    if request.partner_interview_id is None:
        logger.warning("Greenhouse could not read an answer", extra=context)
        return
    interview = org_interview(integrations, caller, request.partner_interview_id)
    logger.warning("Greenhouse could not read an answer", extra={**context, "interview_id": interview.key_id})
    error = AtsError(api_call=request.api_call[:100], errors=errors, at=clock.to_timestamp(clock.utc_now()))
    integrations.note_error(interview.key_id, error)


def _redacted(text: str) -> str:
    return re.sub(_EMAIL, "<email>", re.sub(_URL, "<url>", text))[:_ERROR_LENGTH]
