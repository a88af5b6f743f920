"""The report's read model over in-memory stores: what the JSON routes answer, read in a bounded number of
requests; a share link's page is that session's alone, without the candidate's email."""

from __future__ import annotations

import uuid

import pytest

from shared.domain.assessments import delete_assessment
from shared.domain.cohort import assessment_stats
from shared.domain.reports import MAX_TIMELINE_PAGES, session_report, shared_report
from shared.domain.sessions import complete_session, get_session, start_session
from shared.domain.shares import create_share, revoke_share, token_digest
from shared.domain.telemetry import get_timeline
from shared.errors import NotFoundError
from shared.models.telemetry import MAX_TIMELINE_PAGE
from shared.store.telemetry import EventRecord
from tests.unit.domain.fakes import FakeTelemetry, Stores
from tests.unit.domain.support import AUDIT, ORG, OTHER_ORG, FrozenClock, an_assessment, candidate_of, some_keys

API = "https://api.example.com"


class CountingTelemetry(FakeTelemetry):
    """The in-memory timeline, counting the pages read."""

    pages = 0

    def timeline(
        self, session_id: str, event_type: str | None, limit: int, after: tuple[str, str] | None
    ) -> tuple[list[EventRecord], bool]:
        self.pages += 1
        return super().timeline(session_id, event_type, limit, after)


def a_completed_session(stores: Stores, events: int = 0) -> str:
    """A session of Ada's, completed with ``events`` prompts stored a millisecond apart."""
    key = some_keys(stores, an_assessment(stores), candidateEmails=["ada@example.com"], candidateNames=["Ada"])[0]
    candidate = candidate_of(key)
    started, _ = start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    stores.memory.events[started.session.id] = {
        event.id: event
        for event in (
            EventRecord(
                id=str(uuid.UUID(int=index)),
                type="prompt",
                at=f"2026-04-01T10:{index // 60_000:02}:{index // 1000 % 60:02}.{index % 1000:03}Z",
                source="hook",
                data='{"text": "Write the retry test"}',
            )
            for index in range(events)
        )
    }
    complete_session(stores.sessions, candidate, started.session.id, None)
    return started.session.id


def a_token(stores: Stores, session_id: str) -> str:
    url = create_share(stores.shares, stores.sessions, ORG, session_id, None, api_url=API, audit=AUDIT).url
    assert url is not None
    return url.rsplit("/", 1)[1]


def test_the_report_holds_what_the_json_routes_answer(stores: Stores) -> None:
    session_id = a_completed_session(stores, events=3)

    report = session_report(stores.sessions, stores.assessments, stores.telemetry, ORG, session_id)

    assert report.session == get_session(stores.sessions, ORG, session_id)
    assert report.cohort == assessment_stats(stores.sessions, ORG, report.session.assessment_id)
    events, _ = get_timeline(stores.sessions, stores.telemetry, ORG, session_id, limit=10, cursor=None, event_type=None)
    assert list(report.events) == events
    assert report.all_events
    assert report.assessment is not None
    assert (report.assessment.title, report.assessment_deleted, report.shared) == ("Webhooks", False, False)


def test_a_session_of_10000_events_is_read_in_5_pages_and_more_are_left_to_the_api(stores: Stores) -> None:
    counting = CountingTelemetry(stores.memory)
    full = a_completed_session(stores, events=MAX_TIMELINE_PAGES * MAX_TIMELINE_PAGE)
    beyond = a_completed_session(stores, events=MAX_TIMELINE_PAGES * MAX_TIMELINE_PAGE + 1)

    report = session_report(stores.sessions, stores.assessments, counting, ORG, full)
    assert (len(report.events), report.all_events, counting.pages) == (10_000, True, 5)
    counting.pages = 0
    report = session_report(stores.sessions, stores.assessments, counting, ORG, beyond)
    assert (len(report.events), report.all_events, counting.pages) == (10_000, False, 5)


def test_another_organisations_session_has_no_report(stores: Stores) -> None:
    session_id = a_completed_session(stores)

    with pytest.raises(NotFoundError):
        session_report(stores.sessions, stores.assessments, stores.telemetry, OTHER_ORG, session_id)


def test_a_deleted_assessments_session_still_has_its_report(stores: Stores) -> None:
    session_id = a_completed_session(stores)
    assessment_id = get_session(stores.sessions, ORG, session_id).assessment_id
    delete_assessment(stores.assessments, stores.deleter, ORG, assessment_id, audit=AUDIT)

    report = session_report(stores.sessions, stores.assessments, stores.telemetry, ORG, session_id)

    assert report.assessment is not None
    assert report.assessment_deleted


def test_a_share_links_report_is_the_sessions_own_without_the_email(stores: Stores) -> None:
    session_id = a_completed_session(stores, events=2)

    report = shared_report(
        stores.shares, stores.sessions, stores.assessments, stores.telemetry, a_token(stores, session_id)
    )

    assert report.shared
    assert report.session.id == session_id
    assert (report.session.candidate_name, report.session.candidate_email) == ("Ada", None)
    assert len(report.events) == 2


def test_a_revoked_or_expired_links_report_is_not_found(stores: Stores, clock: FrozenClock) -> None:
    session_id = a_completed_session(stores)
    revoked, expired = a_token(stores, session_id), a_token(stores, session_id)
    revoke_share(stores.shares, ORG, session_id, stores.memory.shares[token_digest(revoked)].id, audit=AUDIT)

    with pytest.raises(NotFoundError):
        shared_report(stores.shares, stores.sessions, stores.assessments, stores.telemetry, revoked)
    clock.advance(days=30)
    with pytest.raises(NotFoundError):
        shared_report(stores.shares, stores.sessions, stores.assessments, stores.telemetry, expired)
