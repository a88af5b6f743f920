"""Results (issue 9): the session object for reviewer and candidate, deadlines, submissions, the
reviewer's view of sessions (after a delete too), revocation of sessions, scoring against the
rubric's snapshot, the candidate's view of the assessment, request budgets and races."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import pytest

from shared import clock
from shared.domain.candidate_keys import revoke_key
from shared.domain.sessions import complete_session, score_session, start_session
from shared.errors import DomainError
from shared.models.sessions import (
    CandidateSession,
    CompleteSessionRequest,
    CriterionScore,
    ScoreSessionRequest,
    Session,
)
from shared.store.assessments import AssessmentStore
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.sessions import SessionStore
from tests.conftest import RequestCounter
from tests.support import (
    AUDIT_A,
    CANDIDATE_FIELDS,
    KEY_FIELDS,
    ORG_A,
    ORG_B,
    REVIEWER_FIELDS,
    call,
    candidate_for,
    create_assessment,
    generate_keys,
)

pytestmark = pytest.mark.usefixtures("table")


RUBRIC = {
    "name": "Backend rubric",
    "criteria": [
        {"name": "Correctness", "description": "Does it work?", "weight": 3},
        {"name": "Tests", "weight": 1},
    ],
}
GOOD_SCORE = {"criteria": [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 90.5}]}
SUBMISSION = {"submissionUrl": "https://github.com/ada/fix/pull/1", "notes": "Added retries; see the PR."}


class FrozenClock:
    """``shared.clock.utc_now`` held still, moved only by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = clock.utc_now()
        monkeypatch.setattr(clock, "utc_now", lambda: self.now)

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


def create_rubric(principal: Any = ORG_A) -> dict[str, Any]:
    status, payload = call("create_rubric", principal, body=RUBRIC)
    assert status == 201, payload
    return dict(payload["rubric"])


def start(key: dict[str, Any]) -> dict[str, Any]:
    status, payload = call("start_session", candidate_for(key))
    assert status == 201, payload
    return dict(payload["session"])


def started(count: int = 1, principal: Any = ORG_A, **fields: Any) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """An assessment (``fields`` over the seed's), ``count`` keys and a started session for each."""
    assessment = create_assessment(principal, **fields)
    keys = generate_keys(assessment["id"], count, principal)
    return assessment, keys, [start(key) for key in keys]


def scorable(principal: Any = ORG_A, **fields: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An assessment with the rubric, its key, and the key's completed session."""
    rubric = create_rubric(principal)
    assessment, [key], [session] = started(principal=principal, rubricId=rubric["id"], **fields)
    assert complete(key, session["id"])[0] == 200
    return assessment, key, session


def complete(key: dict[str, Any], session_id: str, body: Any = None, raw_body: str | None = None) -> tuple[int, Any]:
    return call("complete_session", candidate_for(key), body=body, path={"session_id": session_id}, raw_body=raw_body)


def reviewer_get(session_id: str, principal: Any = ORG_A) -> tuple[int, Any]:
    return call("get_session", principal, path={"session_id": session_id})


def candidate_get(key: dict[str, Any], session_id: str) -> tuple[int, Any]:
    return call("get_session", candidate_for(key), path={"session_id": session_id})


def score(session_id: str, body: Any = None, principal: Any = ORG_A) -> tuple[int, Any]:
    return call("score_session", principal, body=body or GOOD_SCORE, path={"session_id": session_id})


def list_sessions(assessment_id: str, query: str = "", principal: Any = ORG_A) -> tuple[int, Any]:
    return call("list_sessions", principal, path={"assessment_id": assessment_id}, query=query)


def revoke(key: dict[str, Any]) -> tuple[int, Any]:
    return call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})


def stored(session_id: str) -> Any:
    return SessionStore().get(session_id)


# The session object


def test_reviewer_and_candidate_read_one_shape_the_candidate_without_score_with_time_left(
    frozen: FrozenClock,
) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1, candidateEmails=["ada@example.com"], candidateNames=["Ada Lovelace"])
    session = start(key)
    frozen.advance(minutes=10, seconds=5)

    _, as_candidate = candidate_get(key, session["id"])
    _, as_reviewer = reviewer_get(session["id"])

    mine, theirs = as_candidate["session"], as_reviewer["session"]
    assert set(mine) == CANDIDATE_FIELDS
    assert set(theirs) == REVIEWER_FIELDS
    assert theirs == {
        "id": session["id"],
        "assessmentId": assessment["id"],
        "keyId": key["id"],
        "orgId": "org_a",
        "candidateEmail": "ada@example.com",
        "candidateName": "Ada Lovelace",
        "status": "in_progress",
        "startedAt": session["startedAt"],
        "deadline": clock.to_timestamp(clock.from_timestamp(session["startedAt"]) + timedelta(minutes=30)),
        "completedAt": None,
        "durationSeconds": None,
        "submission": None,
        "score": None,
        "signals": {
            "eventCount": 0,
            "promptCount": 0,
            "toolCallCount": 0,
            "testRunCount": 0,
            "testPassCount": 0,
            "decisionCount": 0,
            "firstEventAt": None,
            "lastEventAt": None,
            "aiAttributionPct": None,
        },
        "tools": [],
        "erasedAt": None,
        "extensions": [],
    }
    assert {name: value for name, value in mine.items() if name != "remainingSeconds"} == {
        name: value for name, value in theirs.items() if name not in ("score", "signals", "tools")
    }
    assert mine["remainingSeconds"] == 20 * 60 - 5


def test_a_completed_session_carries_its_duration_and_submission(frozen: FrozenClock) -> None:
    _, [key], [session] = started()
    frozen.advance(minutes=42, seconds=7)

    status, payload = complete(key, session["id"], SUBMISSION)

    assert status == 200
    completed = payload["session"]
    assert set(completed) == CANDIDATE_FIELDS
    assert (completed["status"], completed["completedAt"], completed["durationSeconds"]) == (
        "completed",
        clock.to_timestamp(frozen.now),
        42 * 60 + 7,
    )
    assert completed["submission"] == {"url": SUBMISSION["submissionUrl"], "notes": SUBMISSION["notes"]}
    assert completed["remainingSeconds"] == 0
    assert candidate_get(key, session["id"])[1]["session"] == completed
    assert {
        name: value
        for name, value in reviewer_get(session["id"])[1]["session"].items()
        if name not in ("score", "signals", "tools")
    } == {name: value for name, value in completed.items() if name != "remainingSeconds"}


def test_without_a_time_limit_there_is_no_deadline_nor_time_left(frozen: FrozenClock) -> None:
    _, [key], [session] = started(timeLimitMinutes=None)
    frozen.advance(days=30)

    _, payload = candidate_get(key, session["id"])

    assert (payload["session"]["deadline"], payload["session"]["remainingSeconds"]) == (None, None)
    assert payload["session"]["status"] == "in_progress"
    assert complete(key, session["id"])[0] == 200


def test_status_is_computed_at_read_time_timed_out_only_after_the_grace(frozen: FrozenClock) -> None:
    assessment, [key], [session] = started(timeLimitMinutes=1)
    deadline = clock.from_timestamp(session["deadline"])
    as_started = stored(session["id"])

    def statuses() -> tuple[str, str, str, int | None]:
        mine = candidate_get(key, session["id"])[1]["session"]
        theirs = reviewer_get(session["id"])[1]["session"]
        [listed] = list_sessions(assessment["id"])[1]["sessions"]
        return mine["status"], theirs["status"], listed["status"], mine["remainingSeconds"]

    frozen.set(deadline - timedelta(seconds=15))
    assert statuses() == ("in_progress", "in_progress", "in_progress", 15)
    frozen.set(deadline + timedelta(seconds=60))
    assert statuses() == ("in_progress", "in_progress", "in_progress", 0)
    frozen.set(deadline + timedelta(seconds=61))
    assert statuses() == ("timed_out", "timed_out", "timed_out", 0)
    # Nothing was written: the status is the clock's reading of the stored timestamps.
    assert stored(session["id"]) == as_started


# Completing


@pytest.mark.parametrize(
    ("body", "raw_body", "submission"),
    [
        (SUBMISSION, None, {"url": SUBMISSION["submissionUrl"], "notes": SUBMISSION["notes"]}),
        ({"submissionUrl": "http://example.com/work"}, None, {"url": "http://example.com/work", "notes": None}),
        ({"notes": "I ran out of time on the tests."}, None, {"url": None, "notes": "I ran out of time on the tests."}),
        ({}, None, None),
        (None, None, None),
        (None, "", None),
    ],
    ids=["url and notes", "url only", "notes only", "empty object", "no body", "empty body"],
)
def test_complete_takes_an_optional_submission(body: Any, raw_body: str | None, submission: Any) -> None:
    _, [key], [session] = started()

    status, payload = complete(key, session["id"], body, raw_body)

    assert status == 200, payload
    assert payload["session"]["submission"] == submission
    assert reviewer_get(session["id"])[1]["session"]["submission"] == submission


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"submissionUrl": "https://github.com/ada/fix", "grade": "A+"}, "grade"),
        ({"submissionURL": "https://github.com/ada/fix"}, "submissionURL"),
        ({"submissionUrl": "ftp://example.com/fix.zip"}, "submissionUrl"),
        ({"submissionUrl": "javascript:alert(1)"}, "submissionUrl"),
        ({"submissionUrl": "https://"}, "submissionUrl"),
        ({"submissionUrl": "github.com/ada/fix"}, "submissionUrl"),
        ({"submissionUrl": "https://example.com/" + "a" * 2029}, "submissionUrl"),
        ({"submissionUrl": "https://example.com/my fix"}, "submissionUrl"),
        ({"submissionUrl": " https://example.com/fix"}, "submissionUrl"),
        ({"submissionUrl": "https://example.com/\nfix"}, "submissionUrl"),
        ({"submissionUrl": "https://example.com:99999/fix"}, "submissionUrl"),
        ({"submissionUrl": "http://[::1/fix"}, "submissionUrl"),
        ({"submissionUrl": 42}, "submissionUrl"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"notes": ["a", "b"]}, "notes"),
    ],
    ids=[
        "unknown field",
        "wrong case",
        "ftp",
        "javascript",
        "no host",
        "no scheme",
        "2049 chars",
        "space",
        "leading space",
        "newline",
        "port out of range",
        "broken IPv6 host",
        "not a string",
        "10001 chars of notes",
        "notes not a string",
    ],
)
def test_an_invalid_submission_is_400_naming_the_field_and_leaves_the_session_running(body: Any, field: str) -> None:
    _, [key], [session] = started()

    status, payload = complete(key, session["id"], body)

    assert (status, payload["code"]) == (400, "validation_error")
    assert payload["details"][0]["path"] == [field]
    assert reviewer_get(session["id"])[1]["session"]["status"] == "in_progress"


def test_a_submission_may_use_the_full_lengths() -> None:
    _, [key], [session] = started()
    url, notes = "https://example.com/" + "a" * 2028, "ü" * 10_000

    status, payload = complete(key, session["id"], {"submissionUrl": url, "notes": notes})

    assert status == 200, payload
    assert (len(url), payload["session"]["submission"]) == (2048, {"url": url, "notes": notes})


def test_completing_within_the_grace_is_accepted(frozen: FrozenClock) -> None:
    _, [key], [session] = started(timeLimitMinutes=1)
    frozen.set(clock.from_timestamp(session["deadline"]) + timedelta(seconds=60))

    status, payload = complete(key, session["id"], SUBMISSION)

    assert (status, payload["session"]["status"]) == (200, "completed")


def test_after_the_deadline_and_grace_complete_and_start_are_409_and_the_session_timed_out(
    frozen: FrozenClock,
) -> None:
    _, [key], [session] = started(timeLimitMinutes=1)
    frozen.set(clock.from_timestamp(session["deadline"]) + timedelta(seconds=61))

    completed = complete(key, session["id"], SUBMISSION)
    restarted = call("start_session", candidate_for(key))

    assert (completed[0], completed[1]["code"]) == (409, "deadline_passed")
    assert (restarted[0], restarted[1]["code"]) == (409, "deadline_passed")
    timed_out = reviewer_get(session["id"])[1]["session"]
    assert (timed_out["status"], timed_out["completedAt"], timed_out["submission"]) == ("timed_out", None, None)
    frozen.advance(days=1)
    assert complete(key, session["id"])[1]["code"] == "deadline_passed"


def test_before_the_deadline_starting_again_resumes(frozen: FrozenClock) -> None:
    _, [key], [session] = started(timeLimitMinutes=1)
    frozen.set(clock.from_timestamp(session["deadline"]) + timedelta(seconds=30))

    status, payload = call("start_session", candidate_for(key))

    assert (status, payload["session"]["id"], payload["session"]["remainingSeconds"]) == (200, session["id"], 0)


# Reading sessions


def test_a_candidate_reads_only_their_own_session() -> None:
    _, [mine, _], [my_session, their_session] = started(2)

    assert candidate_get(mine, my_session["id"])[0] == 200
    for session_id in (their_session["id"], str(uuid.uuid4()), "nope"):
        status, payload = candidate_get(mine, session_id)
        assert (status, payload["code"]) == (404, "not_found")


def test_a_reviewer_reads_any_session_of_the_org_also_after_the_delete_and_no_other_orgs() -> None:
    assessment, [key, _], [session, other_session] = started(2)
    complete(key, session["id"], SUBMISSION)
    before = reviewer_get(session["id"])[1]["session"]

    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    assert reviewer_get(session["id"]) == (200, {"session": before})
    assert reviewer_get(other_session["id"])[1]["session"]["status"] == "in_progress"
    for session_id in (session["id"], str(uuid.uuid4()), "nope"):
        status, payload = reviewer_get(session_id, ORG_B)
        assert (status, payload["code"]) == (404, "not_found")


def test_sessions_list_in_start_order_with_all_their_fields() -> None:
    assessment = create_assessment()
    keys = generate_keys(assessment["id"], 4)
    order = [keys[2], keys[0], keys[3], keys[1]]
    sessions = [start(key) for key in order]
    complete(order[1], sessions[1]["id"], SUBMISSION)

    status, payload = list_sessions(assessment["id"])

    assert status == 200
    assert payload["nextCursor"] is None
    assert [item["id"] for item in payload["sessions"]] == [session["id"] for session in sessions]
    assert [item["keyId"] for item in payload["sessions"]] == [key["id"] for key in order]
    listed = payload["sessions"][1]
    assert {**listed, "percentiles": None} == {**reviewer_get(sessions[1]["id"])[1]["session"], "percentiles": None}
    assert listed["percentiles"]["eventCount"] == 50  # alone in its cohort of completed sessions
    assert [item["percentiles"] for item in payload["sessions"] if item["status"] != "completed"] == [None] * 3
    assert all(set(item) == REVIEWER_FIELDS | {"percentiles"} for item in payload["sessions"])


def test_an_assessment_without_sessions_lists_none() -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 3)

    assert list_sessions(assessment["id"]) == (200, {"sessions": [], "nextCursor": None})


@pytest.mark.parametrize(("count", "limit"), [(5, 2), (4, 2), (3, 1), (2, 5)])
def test_sessions_page_with_limit_and_cursor_in_start_order(count: int, limit: int) -> None:
    assessment, _, sessions = started(count)
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        status, page = list_sessions(assessment["id"], query)
        assert status == 200, page
        assert 0 < len(page["sessions"]) <= limit
        seen += [item["id"] for item in page["sessions"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            break

    assert seen == [session["id"] for session in sessions]
    assert pages == -(-count // limit)


def test_sessions_stay_listed_after_the_delete() -> None:
    assessment, [key, _], sessions = started(2)
    complete(key, sessions[0]["id"], SUBMISSION)
    before = list_sessions(assessment["id"])

    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    assert list_sessions(assessment["id"]) == before
    page = list_sessions(assessment["id"], "limit=1")[1]
    assert list_sessions(assessment["id"], f"limit=1&cursor={page['nextCursor']}")[1]["sessions"] == [
        before[1]["sessions"][1]
    ]


def test_another_orgs_or_an_unknown_assessment_lists_404_and_a_forged_cursor_400() -> None:
    assessment, _, _ = started(2)

    for assessment_id, principal in ((assessment["id"], ORG_B), (str(uuid.uuid4()), ORG_A), ("nope", ORG_A)):
        status, payload = list_sessions(assessment_id, principal=principal)
        assert (status, payload["code"]) == (404, "not_found")
    cursor = list_sessions(assessment["id"], "limit=1")[1]["nextCursor"]
    assert list_sessions(assessment["id"], f"limit=1&cursor={cursor}", ORG_B)[0] == 404
    status, payload = list_sessions(assessment["id"], "cursor=bm90LWEtdXVpZA")
    assert (status, payload["details"][0]["path"]) == (400, ["cursor"])
    assert list_sessions(assessment["id"], "limit=0")[0] == 400
    assert list_sessions(assessment["id"], "limit=101")[0] == 400


# Revoking keys with sessions


def test_revoking_a_key_in_progress_ends_its_session_as_revoked() -> None:
    assessment, [key, kept], [session, kept_session] = started(2)

    assert revoke(key) == (200, {"ok": True, "id": key["id"]})

    assert reviewer_get(session["id"])[1]["session"]["status"] == "revoked"
    assert candidate_get(key, session["id"])[1]["session"]["status"] == "revoked"
    status, payload = complete(key, session["id"], SUBMISSION)
    assert (status, payload["code"]) == (403, "key_revoked")
    assert call("start_session", candidate_for(key))[1]["code"] == "key_revoked"
    assert [listed["id"] for listed in list_sessions(assessment["id"])[1]["sessions"]] == [
        session["id"],
        kept_session["id"],
    ]
    keys = call("list_keys", path={"assessment_id": assessment["id"]})[1]["keys"]
    assert [(listed["id"], listed["status"]) for listed in keys] == [(kept["id"], "redeemed")]


def test_a_completed_session_cannot_be_revoked() -> None:
    assessment, [key], [session] = started()
    complete(key, session["id"], SUBMISSION)

    status, payload = revoke(key)

    assert (status, payload["code"]) == (409, "session_finished")
    assert reviewer_get(session["id"])[1]["session"]["status"] == "completed"
    [listed] = call("list_keys", path={"assessment_id": assessment["id"]})[1]["keys"]
    assert (listed["id"], listed["status"]) == (key["id"], "completed")


def test_a_timed_out_session_cannot_be_revoked(frozen: FrozenClock) -> None:
    assessment, [key], [session] = started(timeLimitMinutes=1)
    frozen.set(clock.from_timestamp(session["deadline"]) + timedelta(seconds=61))

    status, payload = revoke(key)

    assert (status, payload["code"]) == (409, "session_finished")
    assert reviewer_get(session["id"])[1]["session"]["status"] == "timed_out"
    [listed] = call("list_keys", path={"assessment_id": assessment["id"]})[1]["keys"]
    assert listed["id"] == key["id"]


def test_the_keys_list_keeps_its_contract() -> None:
    assessment = create_assessment()
    _, redeemed, completed = generate_keys(assessment["id"], 3)
    session = start(redeemed)
    complete(completed, start(completed)["id"])

    status, payload = call("list_keys", path={"assessment_id": assessment["id"]})

    assert status == 200
    assert payload["nextCursor"] is None
    assert [key["status"] for key in payload["keys"]] == ["pending", "redeemed", "completed"]  # creation order
    assert payload["keys"][1]["sessionId"] == session["id"]
    assert all(set(key) == KEY_FIELDS for key in payload["keys"])


# Scoring


def test_scoring_stores_the_weighted_average_and_the_reviewer_reads_it(frozen: FrozenClock) -> None:
    _, key, session = scorable()
    frozen.advance(hours=2)

    status, payload = score(session["id"], {**GOOD_SCORE, "comment": "Solid retries, thin tests."})

    assert status == 200
    assert set(payload["session"]) == REVIEWER_FIELDS
    expected = {
        "criteria": [
            {"name": "Correctness", "weight": 3, "score": 80},
            {"name": "Tests", "weight": 1, "score": 90.5},
        ],
        "totalScore": 82.63,  # (3 * 80 + 1 * 90.5) / 4 = 82.625, half up
        "comment": "Solid retries, thin tests.",
        "scoredAt": clock.to_timestamp(frozen.now),
    }
    assert payload["session"]["score"] == expected
    assert reviewer_get(session["id"])[1]["session"] == payload["session"]
    assert "score" not in candidate_get(key, session["id"])[1]["session"]


@pytest.mark.parametrize(
    ("weights", "scores", "total"),
    [
        ((3, 1), (80, 90.5), 82.63),
        ((1, 1), (80.01, 80.02), 80.02),  # 80.015: a float average would read 80.01
        ((1, 1, 1), (100, 0, 0), 33.33),
        ((1, 1, 1), (100, 100, 0), 66.67),
        ((0.01, 100), (0, 100), 99.99),
        ((2, 2), (70, 70), 70),
    ],
)
def test_the_total_is_the_weighted_average_rounded_half_up_to_2_places(
    weights: tuple[float, ...], scores: tuple[float, ...], total: float
) -> None:
    names = [f"Criterion {index}" for index in range(len(weights))]
    rubric_body = {"name": "R", "criteria": [{"name": n, "weight": w} for n, w in zip(names, weights, strict=True)]}
    rubric = call("create_rubric", body=rubric_body)[1]["rubric"]
    _, [key], [session] = started(rubricId=rubric["id"])
    complete(key, session["id"])

    status, payload = score(
        session["id"], {"criteria": [{"name": n, "score": s} for n, s in zip(names, scores, strict=True)]}
    )

    assert status == 200, payload
    assert payload["session"]["score"]["totalScore"] == total


def test_scoring_again_replaces_the_score() -> None:
    _, _, session = scorable()
    score(session["id"], {**GOOD_SCORE, "comment": "first look"})

    status, payload = score(
        session["id"], {"criteria": [{"name": "Tests", "score": 10}, {"name": "Correctness", "score": 20}]}
    )

    assert status == 200
    replaced = payload["session"]["score"]
    assert replaced["criteria"] == [
        {"name": "Correctness", "weight": 3, "score": 20},
        {"name": "Tests", "weight": 1, "score": 10},
    ]
    assert (replaced["totalScore"], replaced["comment"]) == (17.5, None)
    assert reviewer_get(session["id"])[1]["session"]["score"] == replaced


def test_the_rubric_snapshot_scores_after_the_assessment_and_then_the_rubric_are_deleted() -> None:
    rubric = create_rubric()
    assessment, [key], [session] = started(rubricId=rubric["id"])
    complete(key, session["id"], SUBMISSION)

    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200
    assert call("delete_rubric", path={"rubric_id": rubric["id"]})[0] == 200
    assert call("get_rubric", path={"rubric_id": rubric["id"]})[0] == 404

    status, payload = score(session["id"])
    assert (status, payload["session"]["score"]["totalScore"]) == (200, 82.63)
    assert [criterion["weight"] for criterion in payload["session"]["score"]["criteria"]] == [3, 1]
    [listed] = list_sessions(assessment["id"])[1]["sessions"]
    assert {key: value for key, value in listed.items() if key != "percentiles"} == payload["session"]


def test_a_candidate_mid_session_when_assessment_and_rubric_go_finishes_and_is_scored() -> None:
    rubric = create_rubric()
    assessment, [key], [session] = started(rubricId=rubric["id"])
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    call("delete_rubric", path={"rubric_id": rubric["id"]})

    assert complete(key, session["id"], SUBMISSION)[0] == 200
    assert score(session["id"])[0] == 200


def test_a_timed_out_session_can_be_scored(frozen: FrozenClock) -> None:
    rubric = create_rubric()
    _, _, [session] = started(rubricId=rubric["id"], timeLimitMinutes=1)
    frozen.set(clock.from_timestamp(session["deadline"]) + timedelta(seconds=61))

    status, payload = score(session["id"])

    assert (status, payload["session"]["status"], payload["session"]["score"]["totalScore"]) == (
        200,
        "timed_out",
        82.63,
    )


def test_only_finished_sessions_can_be_scored(frozen: FrozenClock) -> None:
    rubric = create_rubric()
    _, [_, revoked], [running_session, revoked_session] = started(2, rubricId=rubric["id"], timeLimitMinutes=1)
    revoke(revoked)
    frozen.set(clock.from_timestamp(running_session["deadline"]) + timedelta(seconds=60))

    for session in (running_session, revoked_session):
        status, payload = score(session["id"])
        assert (status, payload["code"]) == (409, "session_not_finished")
        assert stored(session["id"]).score is None


def test_an_assessment_without_a_rubric_cannot_be_scored() -> None:
    _, [key], [session] = started()
    complete(key, session["id"])

    status, payload = score(session["id"])

    assert (status, payload["code"]) == (409, "no_rubric")


def test_another_orgs_session_cannot_be_scored() -> None:
    _, _, session = scorable()

    for session_id in (session["id"], str(uuid.uuid4()), "nope"):
        status, payload = score(session_id, principal=ORG_B)
        assert (status, payload["code"]) == (404, "not_found")
    assert stored(session["id"]).score is None


@pytest.mark.parametrize(
    ("criteria", "path", "code"),
    [
        ([{"name": "Correctness", "score": 80}], ["criteria"], "missing_criterion"),
        (
            [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 90}, {"name": "Style", "score": 50}],
            ["criteria", 2, "name"],
            "unknown_criterion",
        ),
        (
            [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 90}, {"name": "TESTS", "score": 50}],
            ["criteria", 2, "name"],
            "duplicate",
        ),
        ([{"name": "Correctness", "score": 101}, {"name": "Tests", "score": 90}], ["criteria", 0, "score"], None),
        ([{"name": "Correctness", "score": -1}, {"name": "Tests", "score": 90}], ["criteria", 0, "score"], None),
        ([{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 9.125}], ["criteria", 1, "score"], None),
        ([{"name": "Correctness", "score": "80"}, {"name": "Tests", "score": 9}], ["criteria", 0, "score"], None),
        ([{"name": "Correctness"}, {"name": "Tests", "score": 9}], ["criteria", 0, "score"], None),
        ([], ["criteria"], None),
    ],
    ids=["missing", "extra", "duplicated", "over 100", "negative", "3 decimals", "string", "no score", "empty"],
)
def test_a_wrong_criterion_is_400_naming_the_field(criteria: Any, path: list[Any], code: str | None) -> None:
    _, _, session = scorable()

    status, payload = score(session["id"], {"criteria": criteria})

    assert (status, payload["code"]) == (400, "validation_error")
    assert payload["details"][0]["path"] == path
    if code is not None:
        assert payload["details"][0]["code"] == code
    assert stored(session["id"]).score is None


@pytest.mark.parametrize(
    "body",
    [{**GOOD_SCORE, "verdict": "hire"}, {**GOOD_SCORE, "comment": "x" * 10_001}, {"comment": "no criteria"}],
    ids=["unknown field", "long comment", "no criteria"],
)
def test_a_wrong_score_body_is_400(body: Any) -> None:
    _, _, session = scorable()

    assert score(session["id"], body)[0] == 400


def test_criterion_names_match_whatever_their_case() -> None:
    _, _, session = scorable()

    status, payload = score(
        session["id"], {"criteria": [{"name": "tests", "score": 90.5}, {"name": " CORRECTNESS ", "score": 80}]}
    )

    assert status == 200, payload
    assert [criterion["name"] for criterion in payload["session"]["score"]["criteria"]] == ["Correctness", "Tests"]
    assert payload["session"]["score"]["totalScore"] == 82.63


def test_a_candidate_cannot_score() -> None:
    _, key, session = scorable()

    assert call("score_session", candidate_for(key), body=GOOD_SCORE, path={"session_id": session["id"]})[0] == 401


# The candidate's view of the assessment


CANDIDATE_ASSESSMENT_FIELDS = {"id", "title", "role", "timeLimitMinutes", "taskBrief", "repoUrl", "issue"}


def test_before_the_start_a_candidate_sees_no_brief_and_after_it_the_values() -> None:
    rubric = create_rubric()
    assessment = create_assessment(
        timeLimitMinutes=45, repoUrl="https://github.com/acme/api", issueId="axios-6341", rubricId=rubric["id"]
    )
    [key] = generate_keys(assessment["id"], 1)
    full = call("get_assessment", path={"assessment_id": assessment["id"]})[1]["assessment"]

    status, before = call("get_assessment", candidate_for(key), path={"assessment_id": assessment["id"]})
    start(key)
    _, after = call("get_assessment", candidate_for(key), path={"assessment_id": assessment["id"]})

    assert status == 200
    assert before["assessment"] == {
        "id": assessment["id"],
        "title": assessment["title"],
        "role": assessment["role"],
        "timeLimitMinutes": 45,
        "taskBrief": None,
        "repoUrl": None,
        "issue": None,
    }
    assert after["assessment"] == {name: full[name] for name in CANDIDATE_ASSESSMENT_FIELDS}
    assert after["assessment"]["issue"]["id"] == "axios-6341"
    assert after["assessment"]["taskBrief"]
    assert after["assessment"]["repoUrl"]


def test_the_candidate_view_never_carries_the_reviewers_fields() -> None:
    rubric = create_rubric()
    assessment = create_assessment(issueId="axios-6341", rubricId=rubric["id"])
    [key] = generate_keys(assessment["id"], 1)

    def read() -> dict[str, Any]:
        status, payload = call("get_assessment", candidate_for(key), path={"assessment_id": assessment["id"]})
        assert status == 200, payload
        return dict(payload["assessment"])

    views = [read()]
    session = start(key)
    views.append(read())
    complete(key, session["id"])
    views.append(read())
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    views.append(read())

    assert [set(view) for view in views] == [CANDIDATE_ASSESSMENT_FIELDS] * 4
    assert [view["taskBrief"] is not None for view in views] == [False, True, True, True]


# Request budgets


def test_getting_a_session_is_one_get_item(dynamodb_calls: RequestCounter) -> None:
    _, [key], [session] = started()
    dynamodb_calls.reset()

    assert reviewer_get(session["id"])[0] == 200
    assert dict(dynamodb_calls.calls) == {"GetItem": 1}
    dynamodb_calls.reset()
    assert candidate_get(key, session["id"])[0] == 200
    assert dict(dynamodb_calls.calls) == {"GetItem": 1}


def test_listing_sessions_is_one_query_when_the_page_is_the_whole_list(dynamodb_calls: RequestCounter) -> None:
    assessment, _, _ = started(5)
    dynamodb_calls.reset()

    _, page = list_sessions(assessment["id"])

    assert len(page["sessions"]) == 5
    assert dict(dynamodb_calls.calls) == {"Query": 1}


def test_each_page_of_a_longer_list_is_one_query_plus_one_for_the_cohort(dynamodb_calls: RequestCounter) -> None:
    assessment, _, _ = started(5)
    cursor: str | None = None
    for expected in (2, 2, 1):
        dynamodb_calls.reset()
        _, page = list_sessions(assessment["id"], "limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert len(page["sessions"]) == expected
        # The page, and the cohort the percentiles rank against (a Query per 1,000 sessions).
        assert dict(dynamodb_calls.calls) == {"Query": 2}
        cursor = page["nextCursor"]
    assert cursor is None


def test_completing_is_one_read_and_one_write(dynamodb_calls: RequestCounter) -> None:
    _, [key], [session] = started()
    dynamodb_calls.reset()

    assert complete(key, session["id"], SUBMISSION)[0] == 200

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 1}


def test_scoring_is_one_read_and_one_conditional_write_with_its_audit_record(dynamodb_calls: RequestCounter) -> None:
    _, _, session = scorable()
    dynamodb_calls.reset()

    assert score(session["id"])[0] == 200

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 1}


# Races: two requests on one session at the same moment leave one consistent result


ROUNDS = 10
FirstT = TypeVar("FirstT")
SecondT = TypeVar("SecondT")


def attempt(request: Callable[[], FirstT]) -> FirstT | DomainError:
    try:
        return request()
    except DomainError as refused:
        return refused


def race(
    first: Callable[[], FirstT], second: Callable[[], SecondT]
) -> tuple[FirstT | DomainError, SecondT | DomainError]:
    """Run both requests at the same moment; each gives its result or the DomainError it raised."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        one, other = pool.submit(attempt, first), pool.submit(attempt, second)
        return one.result(), other.result()


def completing(key: dict[str, Any], session_id: str, notes: str | None = None) -> Callable[[], CandidateSession]:
    body = CompleteSessionRequest(notes=notes) if notes is not None else None
    return partial(complete_session, SessionStore(), candidate_for(key), session_id, body)


def scoring(session_id: str, points: float, comment: str | None = None) -> Callable[[], Session]:
    request = ScoreSessionRequest(
        criteria=[CriterionScore(name="Correctness", score=points), CriterionScore(name="Tests", score=points)],
        comment=comment,
    )
    return partial(score_session, SessionStore(), "org_a", session_id, request, audit=AUDIT_A)


def test_two_completes_racing_complete_once_with_the_winners_submission() -> None:
    for _ in range(ROUNDS):
        assessment, [key], [session] = started()

        outcomes = race(completing(key, session["id"], "first"), completing(key, session["id"], "second"))

        [winner] = [outcome for outcome in outcomes if not isinstance(outcome, DomainError)]
        [loser] = [outcome for outcome in outcomes if isinstance(outcome, DomainError)]
        assert loser.code == "session_completed"
        kept = stored(session["id"])
        assert (kept.completed_at, kept.submission) == (winner.completed_at, winner.submission)
        [stored_key] = CandidateKeyStore().read_partition(assessment["id"])[1]
        assert (stored_key.status, stored_key.completed_at) == ("completed", kept.completed_at)


def test_a_score_racing_a_complete_is_refused_or_stored_on_the_completed_session() -> None:
    rubric = create_rubric()
    for _ in range(ROUNDS):
        _, [key], [session] = started(rubricId=rubric["id"])

        completed, scored = race(completing(key, session["id"]), scoring(session["id"], 75))

        assert not isinstance(completed, DomainError)
        kept = stored(session["id"])
        assert kept.completed_at == completed.completed_at
        if isinstance(scored, DomainError):
            assert scored.code == "session_not_finished"
            assert kept.score is None
        else:
            assert (scored.status, scored.completed_at) == ("completed", kept.completed_at)
            assert kept.score == scored.score


def test_a_revoke_racing_a_complete_leaves_either_a_revoked_or_a_completed_session() -> None:
    for _ in range(ROUNDS):
        assessment, [key], [session] = started()
        revoking = partial(
            revoke_key, CandidateKeyStore(), SessionStore(), "org_a", assessment["id"], key["id"], audit=AUDIT_A
        )

        completed, revoked = race(completing(key, session["id"]), revoking)

        kept = stored(session["id"])
        [stored_key] = CandidateKeyStore().read_partition(assessment["id"])[1]
        if isinstance(completed, DomainError):
            assert (completed.code, revoked) == ("key_revoked", key["id"])
            assert (stored_key.status, kept.completed_at) == ("revoked", None)
            assert kept.revoked_at == stored_key.revoked_at is not None
        else:
            assert isinstance(revoked, DomainError)
            assert revoked.code == "session_finished"
            assert (stored_key.status, kept.revoked_at) == ("completed", None)
            assert kept.completed_at == completed.completed_at


def test_two_scores_racing_leave_one_of_them_whole() -> None:
    rubric = create_rubric()
    for _ in range(ROUNDS):
        _, [key], [session] = started(rubricId=rubric["id"])
        complete(key, session["id"])

        first, second = race(scoring(session["id"], 10, "low"), scoring(session["id"], 90, "high"))

        assert not isinstance(first, DomainError)
        assert not isinstance(second, DomainError)
        assert stored(session["id"]).score in (first.score, second.score)


def test_a_revoke_racing_a_start_always_revokes_and_leaves_no_running_session() -> None:
    for _ in range(ROUNDS):
        assessment = create_assessment()
        [key] = generate_keys(assessment["id"], 1)
        starting = partial(start_session, AssessmentStore(), CandidateKeyStore(), SessionStore(), candidate_for(key))
        revoking = partial(
            revoke_key, CandidateKeyStore(), SessionStore(), "org_a", assessment["id"], key["id"], audit=AUDIT_A
        )

        begun, revoked = race(starting, revoking)

        assert revoked == key["id"]
        [stored_key] = CandidateKeyStore().read_partition(assessment["id"])[1]
        assert stored_key.status == "revoked"
        if isinstance(begun, DomainError):
            assert (begun.code, stored_key.session_id) == ("key_revoked", None)
        else:
            assert stored(begun[0].session.id).revoked_at == stored_key.revoked_at
