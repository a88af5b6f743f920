"""Candidates redeem a key to start, and complete their own session; a key opens one assessment only."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from shared import clock
from shared.clock import from_timestamp
from tests.conftest import RequestCounter
from tests.support import CANDIDATE_FIELDS, ORG_A, call, candidate_for, create_assessment, generate_keys

pytestmark = pytest.mark.usefixtures("table")


def test_redeeming_a_key_starts_a_session_with_a_deadline_and_the_brief() -> None:
    assessment = create_assessment(timeLimitMinutes=90, repoUrl="https://github.com/acme/api")
    [key] = generate_keys(assessment["id"], 1)

    status, payload = call("start_session", candidate_for(key))

    assert status == 201
    session = payload["session"]
    assert set(session) == CANDIDATE_FIELDS
    assert (session["keyId"], session["assessmentId"], session["status"]) == (
        key["id"],
        assessment["id"],
        "in_progress",
    )
    assert session["remainingSeconds"] == 90 * 60
    assert from_timestamp(session["deadline"]) - from_timestamp(session["startedAt"]) == timedelta(minutes=90)
    assert payload["assessment"] == {
        "id": assessment["id"],
        "title": assessment["title"],
        "role": assessment["role"],
        "taskBrief": assessment["taskBrief"],
        "repoUrl": "https://github.com/acme/api",
        "timeLimitMinutes": 90,
        "issue": None,
    }
    _, listed = call("list_keys", path={"assessment_id": assessment["id"]})
    assert listed["keys"][0]["status"] == "redeemed"
    assert listed["keys"][0]["sessionId"] == session["id"]
    assert listed["keys"][0]["redeemedAt"] == session["startedAt"]


def test_without_a_time_limit_the_deadline_is_null() -> None:
    assessment = create_assessment(timeLimitMinutes=None)
    [key] = generate_keys(assessment["id"], 1)

    assert call("start_session", candidate_for(key))[1]["session"]["deadline"] is None


def test_starting_again_returns_the_same_session_with_200(monkeypatch: pytest.MonkeyPatch) -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    now = clock.utc_now()
    monkeypatch.setattr(clock, "utc_now", lambda: now)  # the same instant: remainingSeconds alike too
    _, first = call("start_session", candidate_for(key))

    status, again = call("start_session", candidate_for(key))

    assert status == 200
    assert again == first


def test_a_revoked_key_cannot_start() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})

    status, payload = call("start_session", candidate_for(key))

    assert (status, payload["code"]) == (403, "key_revoked")


def test_an_expired_key_cannot_start(monkeypatch: pytest.MonkeyPatch) -> None:
    [key] = generate_keys(create_assessment(expiresInDays=1)["id"], 1)
    monkeypatch.setattr(clock, "utc_now", lambda: from_timestamp(key["expiresAt"]))

    status, payload = call("start_session", candidate_for(key))

    assert (status, payload["code"]) == (403, "key_expired")


def test_a_key_of_a_deleted_assessment_cannot_start() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    status, payload = call("start_session", candidate_for(key))

    assert (status, payload["code"]) == (403, "key_revoked")


def test_a_completed_key_cannot_start_again() -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    session = call("start_session", candidate_for(key))[1]["session"]
    call("complete_session", candidate_for(key), path={"session_id": session["id"]})

    status, payload = call("start_session", candidate_for(key))

    assert (status, payload["code"]) == (409, "session_completed")


def test_completing_sets_completed_at_once() -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    session = call("start_session", candidate_for(key))[1]["session"]

    status, payload = call("complete_session", candidate_for(key), path={"session_id": session["id"]})
    again, conflict = call("complete_session", candidate_for(key), path={"session_id": session["id"]})

    assert status == 200
    completed = payload["session"]
    assert (completed["id"], completed["status"], completed["startedAt"]) == (
        session["id"],
        "completed",
        session["startedAt"],
    )
    assert (
        completed["durationSeconds"]
        == (from_timestamp(completed["completedAt"]) - from_timestamp(session["startedAt"])).seconds
    )
    assert (again, conflict["code"]) == (409, "session_completed")
    _, listed = call("list_keys", path={"assessment_id": key["assessmentId"]})
    assert listed["keys"][0]["status"] == "completed"
    assert listed["keys"][0]["completedAt"] == payload["session"]["completedAt"]


def test_a_candidate_completes_only_their_own_session() -> None:
    mine, theirs = generate_keys(create_assessment()["id"], 2)
    call("start_session", candidate_for(mine))
    their_session = call("start_session", candidate_for(theirs))[1]["session"]

    for session_id in (their_session["id"], str(uuid.uuid4()), "nope"):
        status, payload = call("complete_session", candidate_for(mine), path={"session_id": session_id})
        assert (status, payload["code"]) == (404, "not_found")


def test_completing_before_starting_is_not_found() -> None:
    [key] = generate_keys(create_assessment()["id"], 1)

    assert call("complete_session", candidate_for(key), path={"session_id": str(uuid.uuid4())})[0] == 404


def test_a_candidate_reads_only_the_assessment_their_key_opens() -> None:
    assessment, other = create_assessment(), create_assessment()
    [key] = generate_keys(assessment["id"], 1)

    status, payload = call("get_assessment", candidate_for(key), path={"assessment_id": assessment["id"]})

    assert status == 200
    assert payload["assessment"]["id"] == assessment["id"]
    assert call("get_assessment", candidate_for(key), path={"assessment_id": other["id"]})[0] == 404


def test_candidate_keys_cannot_use_reviewer_routes_nor_tokens_candidate_routes() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)

    assert call("list_keys", candidate_for(key), path={"assessment_id": assessment["id"]})[0] == 401
    assert call("delete_assessment", candidate_for(key), path={"assessment_id": assessment["id"]})[0] == 401
    assert call("start_session", ORG_A)[0] == 401


def test_redeeming_costs_at_most_three_reads_and_one_transaction(dynamodb_calls: RequestCounter) -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    dynamodb_calls.reset()

    call("start_session", candidate_for(key))

    reads = dynamodb_calls.calls["GetItem"] + dynamodb_calls.calls["Query"]
    assert reads <= 3
    assert dynamodb_calls.calls["TransactWriteItems"] == 1
    assert dynamodb_calls.total == reads + 1
