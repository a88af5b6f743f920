"""The session report's read model: what the page shows, read with the functions the JSON routes use
(the session as a reviewer reads it, the assessment, its cohort statistics, the timeline's pages), so
the page can never show more than the API would. A share link's page is the same, less the email."""

from __future__ import annotations

from typing import NamedTuple

from shared import clock
from shared.domain.assessments import assessment_view
from shared.domain.cohort import session_standing
from shared.domain.ports import Assessments, Sessions, Shares, Telemetry
from shared.domain.sessions import org_session, session_view
from shared.domain.shares import open_share
from shared.domain.telemetry import timeline_page
from shared.errors import NotFoundError
from shared.models.assessments import AssessmentView
from shared.models.rubrics import Criterion
from shared.models.sessions import Session
from shared.models.signals import AssessmentStats
from shared.models.telemetry import MAX_TIMELINE_PAGE, Event
from shared.store.sessions import SessionRecord

# 10,000 events at most are read for one page (the chart, the tables and the prompts): five Queries.
MAX_TIMELINE_PAGES = 5


class Report(NamedTuple):
    """Everything one report page shows."""

    session: Session
    rubric: tuple[Criterion, ...]  # the rubric's criteria as the session was scored against them
    assessment: AssessmentView | None  # None only if the assessment's record is gone altogether
    assessment_deleted: bool
    cohort: AssessmentStats
    events: tuple[Event, ...]
    all_events: bool  # False when the session has more events than MAX_TIMELINE_PAGES pages hold
    made_at: str
    shared: bool  # opened with a share link: no email


def session_report(
    sessions: Sessions, assessments: Assessments, telemetry: Telemetry, org_id: str, session_id: str
) -> Report:
    """The report of one of the org's sessions; another org's is not found."""
    return _report(sessions, assessments, telemetry, org_session(sessions, org_id, session_id), shared=False)


def shared_report(
    shares: Shares, sessions: Sessions, assessments: Assessments, telemetry: Telemetry, token: str
) -> Report:
    """The report a share link's token opens: that session's alone, without the candidate's email."""
    share = open_share(shares, token)
    session = sessions.get(share.session_id)
    if session is None or session.org_id != share.org_id:
        raise NotFoundError("Report not found")
    return _report(sessions, assessments, telemetry, session, shared=True)


def _report(
    sessions: Sessions, assessments: Assessments, telemetry: Telemetry, session: SessionRecord, *, shared: bool
) -> Report:
    now = clock.utc_now()
    view = session_view(session, now)
    if shared:
        view = view.model_copy(update={"candidate_email": None})
    active = assessments.get(session.org_id, session.assessment_id)
    found = active or assessments.get_deleted(session.org_id, session.assessment_id)
    events, all_events = _events(telemetry, session)
    return Report(
        session=view,
        rubric=session.rubric_criteria or (),
        assessment=assessment_view(found) if found is not None else None,
        assessment_deleted=active is None and found is not None,
        cohort=session_standing(sessions, session.org_id, session.assessment_id, session.id),
        events=tuple(events),
        all_events=all_events,
        made_at=clock.to_timestamp(now),
        shared=shared,
    )


def _events(telemetry: Telemetry, session: SessionRecord) -> tuple[list[Event], bool]:
    """The session's events in time order, MAX_TIMELINE_PAGES pages at most, and whether that was all."""
    events: list[Event] = []
    cursor: str | None = None
    for _ in range(MAX_TIMELINE_PAGES):
        page, cursor = timeline_page(telemetry, session, limit=MAX_TIMELINE_PAGE, cursor=cursor, event_type=None)
        events += page
        if cursor is None:
            return events, True
    return events, False
