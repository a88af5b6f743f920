"""Sessions: starting, resuming, the deadline and its grace, completing, listing and scoring."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from shared import clock
from shared.domain.assessments import delete_assessment
from shared.domain.candidate_keys import revoke_key
from shared.domain.rubrics import delete_rubric
from shared.domain.sessions import (
    complete_session,
    get_assessment_for_candidate,
    get_candidate_session,
    get_session,
    list_sessions,
    score_session,
    start_session,
)
from shared.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError
from shared.models.sessions import CompleteSessionRequest, ScoreSessionRequest, Submission
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import (
    AUDIT,
    ORG,
    OTHER_ORG,
    START,
    FrozenClock,
    a_rubric,
    a_started_session,
    an_assessment,
    candidate_of,
    some_keys,
)


def _scores(*pairs: tuple[str, float]) -> ScoreSessionRequest:
    return ScoreSessionRequest.model_validate({"criteria": [{"name": name, "score": score} for name, score in pairs]})


def _finished_scored_session(stores: Stores, weights: Mapping[str, float]) -> str:
    """The id of a completed session of an assessment with a rubric of ``weights``."""
    rubric = a_rubric(stores, weights)
    candidate, session = a_started_session(stores, rubricId=rubric.id)
    complete_session(stores.sessions, candidate, session.id, None)
    return session.id


# Starting and resuming


def test_starting_opens_a_session_with_the_deadline_and_the_brief(stores: Stores) -> None:
    [key] = some_keys(stores, an_assessment(stores, timeLimitMinutes=90, taskBrief="Build the webhook"))

    started, new = start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(key))

    assert new
    assert started.session.status == "in_progress"
    assert started.session.started_at == clock.to_timestamp(START)
    assert started.session.deadline == clock.to_timestamp(START + timedelta(minutes=90))
    assert started.session.remaining_seconds == 90 * 60
    assert started.assessment.task_brief == "Build the webhook"


def test_without_a_time_limit_there_is_no_deadline_nor_remaining_time(stores: Stores) -> None:
    _, session = a_started_session(stores, timeLimitMinutes=None)

    assert (session.deadline, session.remaining_seconds) == (None, None)


def test_starting_again_resumes_the_same_session(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=60)
    clock.advance(minutes=10)

    resumed, new = start_session(stores.assessments, stores.keys, stores.sessions, candidate)

    assert not new
    assert resumed.session.id == session.id
    assert resumed.session.remaining_seconds == 50 * 60


def test_a_session_may_be_resumed_until_the_grace_after_its_deadline_ends(stores: Stores, clock: FrozenClock) -> None:
    candidate, _ = a_started_session(stores, timeLimitMinutes=60)

    clock.advance(minutes=60, seconds=60)
    resumed, _ = start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    assert (resumed.session.status, resumed.session.remaining_seconds) == ("in_progress", 0)
    clock.advance(seconds=1)
    with pytest.raises(ConflictError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    assert raised.value.code == "deadline_passed"


def test_a_started_session_goes_on_after_its_assessment_is_deleted(stores: Stores) -> None:
    candidate, session = a_started_session(stores, taskBrief="Build the webhook")

    delete_assessment(stores.assessments, stores.deleter, ORG, candidate.assessment_id, audit=AUDIT)

    resumed, _ = start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    assert resumed.session.id == session.id
    assert resumed.assessment.task_brief == "Build the webhook"


def test_a_key_left_pending_behind_a_deleted_assessment_cannot_start(stores: Stores) -> None:
    assessment = an_assessment(stores)
    [key] = some_keys(stores, assessment)
    delete_assessment(stores.assessments, stores.deleter, ORG, assessment.id, audit=AUDIT)
    # A delete that could not revoke every key leaves some pending: the tombstone still stops them.
    where = (assessment.id, key.id)
    stores.memory.keys[where] = stores.memory.keys[where].model_copy(update={"status": "pending", "revoked_at": None})

    with pytest.raises(ForbiddenError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(key))

    assert raised.value.code == "assessment_deleted"


def test_an_unknown_key_is_unauthorized(stores: Stores) -> None:
    [key] = some_keys(stores, an_assessment(stores))
    stranger = candidate_of(key.model_copy(update={"org_id": OTHER_ORG}))

    with pytest.raises(UnauthorizedError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, stranger)

    assert raised.value.code == "invalid_key"


# What the candidate sees


def test_before_starting_the_candidate_sees_the_assessment_without_its_brief(stores: Stores) -> None:
    [key] = some_keys(stores, an_assessment(stores, repoUrl="https://example.com/repo"))
    candidate = candidate_of(key)

    before = get_assessment_for_candidate(stores.assessments, stores.keys, candidate, candidate.assessment_id)

    assert (before.task_brief, before.repo_url, before.issue) == (None, None, None)
    assert before.title == "Webhooks"


def test_once_started_the_candidate_sees_the_brief(stores: Stores) -> None:
    candidate, _ = a_started_session(stores, taskBrief="Build the webhook", repoUrl="https://example.com/repo")

    after = get_assessment_for_candidate(stores.assessments, stores.keys, candidate, candidate.assessment_id)

    assert (after.task_brief, after.repo_url) == ("Build the webhook", "https://example.com/repo")


def test_a_key_opens_its_own_assessment_only(stores: Stores) -> None:
    [key] = some_keys(stores, an_assessment(stores))
    other = an_assessment(stores)

    with pytest.raises(NotFoundError):
        get_assessment_for_candidate(stores.assessments, stores.keys, candidate_of(key), other.id)


def test_the_candidate_reads_the_seconds_left_and_none_past_the_deadline(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=60)

    clock.advance(minutes=59, seconds=30)
    assert get_candidate_session(stores.sessions, candidate, session.id).remaining_seconds == 30
    clock.advance(seconds=45)
    assert get_candidate_session(stores.sessions, candidate, session.id).remaining_seconds == 0


def test_a_candidate_cannot_read_another_candidates_session(stores: Stores) -> None:
    _, session = a_started_session(stores)
    other, _ = a_started_session(stores)

    with pytest.raises(NotFoundError):
        get_candidate_session(stores.sessions, other, session.id)


# Completing


def test_completing_keeps_the_submission_and_the_duration(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores)
    clock.advance(minutes=42)
    request = CompleteSessionRequest.model_validate({"submissionUrl": "https://example.com/pr/1", "notes": "Done"})

    completed = complete_session(stores.sessions, candidate, session.id, request)

    assert (completed.status, completed.duration_seconds) == ("completed", 42 * 60)
    assert completed.submission == Submission(url="https://example.com/pr/1", notes="Done")
    assert get_session(stores.sessions, ORG, session.id).submission == completed.submission


def test_a_session_is_completed_once(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    complete_session(stores.sessions, candidate, session.id, None)

    with pytest.raises(ConflictError) as raised:
        complete_session(stores.sessions, candidate, session.id, None)

    assert raised.value.code == "session_completed"


def test_a_completed_sessions_key_cannot_start_again(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    complete_session(stores.sessions, candidate, session.id, None)

    with pytest.raises(ConflictError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate)

    assert raised.value.code == "session_completed"


def test_completing_within_the_grace_is_accepted(stores: Stores, clock: FrozenClock) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=60)
    clock.advance(minutes=60, seconds=60)

    assert complete_session(stores.sessions, candidate, session.id, None).status == "completed"


def test_completing_after_the_grace_is_deadline_passed_and_the_session_timed_out(
    stores: Stores, clock: FrozenClock
) -> None:
    candidate, session = a_started_session(stores, timeLimitMinutes=60)
    clock.advance(minutes=60, seconds=61)

    with pytest.raises(ConflictError) as raised:
        complete_session(stores.sessions, candidate, session.id, None)

    assert raised.value.code == "deadline_passed"
    assert get_session(stores.sessions, ORG, session.id).status == "timed_out"


def test_a_revoked_sessions_candidate_is_forbidden_to_resume(stores: Stores) -> None:
    candidate, _ = a_started_session(stores)

    revoke_key(stores.keys, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    with pytest.raises(ForbiddenError) as raised:
        start_session(stores.assessments, stores.keys, stores.sessions, candidate)
    assert raised.value.code == "key_revoked"


# The reviewer's side


def test_another_orgs_session_is_not_found(stores: Stores) -> None:
    _, session = a_started_session(stores)

    with pytest.raises(NotFoundError):
        get_session(stores.sessions, OTHER_ORG, session.id)


def test_sessions_are_listed_in_start_order_page_by_page(stores: Stores) -> None:
    assessment = an_assessment(stores)
    keys = some_keys(stores, assessment, count=5)
    started = [
        start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(key))[0].session.id for key in keys
    ]

    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = list_sessions(stores.sessions, ORG, assessment.id, 2, cursor)
        seen += [session.id for session in page]
        if cursor is None:
            break

    assert seen == started


def test_a_full_last_page_of_sessions_has_no_cursor(stores: Stores) -> None:
    assessment = an_assessment(stores)
    for key in some_keys(stores, assessment, count=2):
        start_session(stores.assessments, stores.keys, stores.sessions, candidate_of(key))

    page, cursor = list_sessions(stores.sessions, ORG, assessment.id, 2, None)

    assert (len(page), cursor) == (2, None)


def test_a_deleted_assessments_sessions_are_still_listed(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    delete_assessment(stores.assessments, stores.deleter, ORG, candidate.assessment_id, audit=AUDIT)

    page, _ = list_sessions(stores.sessions, ORG, candidate.assessment_id, 10, None)

    assert [listed.id for listed in page] == [session.id]


def test_another_orgs_or_an_unknown_assessments_sessions_are_not_found(stores: Stores) -> None:
    candidate, _ = a_started_session(stores)

    for org_id, assessment_id in [(OTHER_ORG, candidate.assessment_id), (ORG, "not-a-uuid")]:
        with pytest.raises(NotFoundError):
            list_sessions(stores.sessions, org_id, assessment_id, 10, None)


def test_an_assessment_without_sessions_lists_none(stores: Stores) -> None:
    assessment = an_assessment(stores)

    assert list_sessions(stores.sessions, ORG, assessment.id, 10, None) == ([], None)


# Scoring


def test_the_total_is_the_weighted_average_rounded_to_two_places(stores: Stores) -> None:
    session_id = _finished_scored_session(stores, {"Design": 2, "Tests": 1})

    scored = score_session(stores.sessions, ORG, session_id, _scores(("Design", 50), ("Tests", 100)), audit=AUDIT)

    assert scored.score is not None
    assert scored.score.total_score == 66.67
    assert get_session(stores.sessions, ORG, session_id).score == scored.score


@pytest.mark.parametrize(
    ("design", "tests", "total"),
    [(80.25, 80, 80.13), (5.35, 0, 2.68), (99.99, 99.98, 99.99)],
)
def test_a_total_halfway_between_hundredths_rounds_up(
    stores: Stores, design: float, tests: float, total: float
) -> None:
    session_id = _finished_scored_session(stores, {"Design": 1, "Tests": 1})

    scored = score_session(stores.sessions, ORG, session_id, _scores(("Design", design), ("Tests", tests)), audit=AUDIT)

    assert scored.score is not None
    assert scored.score.total_score == total


def test_criteria_match_whatever_their_case_and_come_back_in_rubric_order(stores: Stores) -> None:
    session_id = _finished_scored_session(stores, {"Design": 1, "Tests": 1})

    scored = score_session(stores.sessions, ORG, session_id, _scores((" tests ", 80), ("DESIGN", 60)), audit=AUDIT)

    assert scored.score is not None
    assert [(item.name, item.score) for item in scored.score.criteria] == [("Design", 60), ("Tests", 80)]
    assert scored.score.total_score == 70


@pytest.mark.parametrize(
    ("pairs", "path", "code"),
    [
        ((("Design", 50),), ("criteria",), "missing_criterion"),
        ((("Design", 50), ("Tests", 50), ("Style", 50)), ("criteria", 2, "name"), "unknown_criterion"),
        ((("Design", 50), ("design", 60), ("Tests", 50)), ("criteria", 1, "name"), "duplicate"),
    ],
)
def test_every_criterion_is_scored_exactly_once(
    stores: Stores, pairs: tuple[tuple[str, float], ...], path: tuple[Any, ...], code: str
) -> None:
    session_id = _finished_scored_session(stores, {"Design": 1, "Tests": 1})

    with pytest.raises(InvalidInputError) as raised:
        score_session(stores.sessions, ORG, session_id, _scores(*pairs), audit=AUDIT)

    assert (raised.value.problems[0].path, raised.value.problems[0].code) == (path, code)
    assert get_session(stores.sessions, ORG, session_id).score is None


def test_scoring_again_replaces_the_score(stores: Stores) -> None:
    session_id = _finished_scored_session(stores, {"Design": 1, "Tests": 1})
    score_session(stores.sessions, ORG, session_id, _scores(("Design", 10), ("Tests", 10)), audit=AUDIT)

    score_session(stores.sessions, ORG, session_id, _scores(("Design", 90), ("Tests", 90)), audit=AUDIT)

    score = get_session(stores.sessions, ORG, session_id).score
    assert score is not None
    assert score.total_score == 90


def test_a_session_without_a_rubric_cannot_be_scored(stores: Stores) -> None:
    candidate, session = a_started_session(stores)
    complete_session(stores.sessions, candidate, session.id, None)

    with pytest.raises(ConflictError) as raised:
        score_session(stores.sessions, ORG, session.id, _scores(("Design", 50)), audit=AUDIT)

    assert raised.value.code == "no_rubric"


def test_a_running_session_cannot_be_scored_until_it_times_out(stores: Stores, clock: FrozenClock) -> None:
    rubric = a_rubric(stores, {"Design": 1})
    _, session = a_started_session(stores, rubricId=rubric.id, timeLimitMinutes=60)

    with pytest.raises(ConflictError) as raised:
        score_session(stores.sessions, ORG, session.id, _scores(("Design", 50)), audit=AUDIT)
    assert raised.value.code == "session_not_finished"
    clock.advance(minutes=60, seconds=61)
    assert score_session(stores.sessions, ORG, session.id, _scores(("Design", 50)), audit=AUDIT).status == "timed_out"


def test_a_revoked_session_cannot_be_scored(stores: Stores) -> None:
    rubric = a_rubric(stores, {"Design": 1})
    candidate, session = a_started_session(stores, rubricId=rubric.id)

    revoke_key(stores.keys, stores.sessions, ORG, candidate.assessment_id, candidate.key_id, audit=AUDIT)

    with pytest.raises(ConflictError) as raised:
        score_session(stores.sessions, ORG, session.id, _scores(("Design", 50)), audit=AUDIT)
    assert raised.value.code == "session_not_finished"


def test_another_orgs_session_cannot_be_scored(stores: Stores) -> None:
    session_id = _finished_scored_session(stores, {"Design": 1})

    with pytest.raises(NotFoundError):
        score_session(stores.sessions, OTHER_ORG, session_id, _scores(("Design", 50)), audit=AUDIT)


def test_a_session_is_scored_on_its_rubric_snapshot_after_the_assessment_and_rubric_are_deleted(
    stores: Stores,
) -> None:
    rubric = a_rubric(stores, {"Design": 3, "Tests": 1})
    candidate, session = a_started_session(stores, rubricId=rubric.id)
    complete_session(stores.sessions, candidate, session.id, None)
    delete_assessment(stores.assessments, stores.deleter, ORG, candidate.assessment_id, audit=AUDIT)
    delete_rubric(stores.rubrics, ORG, rubric.id, audit=AUDIT)

    scored = score_session(stores.sessions, ORG, session.id, _scores(("Design", 100), ("Tests", 0)), audit=AUDIT)

    assert scored.score is not None
    assert scored.score.total_score == 75
