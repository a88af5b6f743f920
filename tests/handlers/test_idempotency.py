"""``Idempotency-Key`` on every POST: a retry gets the first answer back, never a second resource."""

from __future__ import annotations

import time
from typing import Any

import pytest

from shared.domain.rubrics import create_rubric
from shared.routes import ROUTES
from shared.store import dynamo
from tests.conftest import RequestCounter
from tests.support import (
    ORG_B,
    SEED_BODY,
    Answer,
    call,
    candidate_for,
    create_assessment,
    generate_keys,
    invoke,
)

pytestmark = pytest.mark.usefixtures("table")

RUBRIC = {"name": "Backend", "criteria": [{"name": "Design", "weight": 1}]}


def keyed(key: str) -> list[tuple[str, str]]:
    return [("Idempotency-Key", key)]


def test_every_post_route_honours_the_header_and_no_other_does() -> None:
    assert {route.name for route in ROUTES if route.idempotent} == {
        "create_assessment",
        "generate_keys",
        "create_rubric",
        "start_session",
        "complete_session",
        "ingest_events",
        "erase_candidate",
        "create_webhook",
        "test_webhook",
        "extend_session",
        "resend_invitation",
        "create_share",
    }


def test_a_retry_replays_the_first_answer_and_creates_nothing() -> None:
    first = invoke("create_assessment", body=SEED_BODY, headers=keyed("abc123"))
    retry = invoke("create_assessment", body=SEED_BODY, headers=keyed("abc123"))

    assert first.status == retry.status == 201
    assert retry.body == first.body
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    _, listed = call("list_assessments")
    assert [item["id"] for item in listed["assessments"]] == [first.body["assessment"]["id"]]


def test_the_same_body_spelled_differently_is_the_same_request() -> None:
    first = invoke(
        "create_rubric",
        raw_body='{"name": "Backend", "criteria": [{"weight": 1, "name": "Design"}]}',
        headers=keyed("k"),
    )
    retry = invoke(
        "create_rubric", raw_body='{"criteria":[{"name":"Design","weight":1}],"name":"Backend"}', headers=keyed("k")
    )

    assert retry.status == 201
    assert retry.body == first.body
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_generated_keys_are_not_generated_twice() -> None:
    assessment = create_assessment()
    path = {"assessment_id": assessment["id"]}

    first = invoke("generate_keys", body={"count": 3}, path=path, headers=keyed("batch-1"))
    retry = invoke("generate_keys", body={"count": 3}, path=path, headers=keyed("batch-1"))

    assert retry.body == first.body
    _, listed = call("list_keys", path=path)
    assert len(listed["keys"]) == 3


def test_the_same_key_with_another_body_is_refused() -> None:
    invoke("create_assessment", body=SEED_BODY, headers=keyed("abc123"))

    reused = invoke("create_assessment", body={**SEED_BODY, "title": "Other"}, headers=keyed("abc123"))

    assert reused.status == 422
    assert reused.body["code"] == "idempotency_key_reused"
    _, listed = call("list_assessments")
    assert len(listed["assessments"]) == 1


def test_the_same_key_for_another_resource_is_refused() -> None:
    first, second = create_assessment(), create_assessment()
    invoke("generate_keys", body={"count": 1}, path={"assessment_id": first["id"]}, headers=keyed("k"))

    reused = invoke("generate_keys", body={"count": 1}, path={"assessment_id": second["id"]}, headers=keyed("k"))

    assert (reused.status, reused.body["code"]) == (422, "idempotency_key_reused")


def test_keys_belong_to_one_organisation_and_one_route() -> None:
    mine = invoke("create_assessment", body=SEED_BODY, headers=keyed("k"))
    theirs = invoke("create_assessment", ORG_B, body=SEED_BODY, headers=keyed("k"))
    rubric = invoke("create_rubric", body=RUBRIC, headers=keyed("k"))

    assert theirs.status == rubric.status == 201
    assert theirs.body["assessment"]["id"] != mine.body["assessment"]["id"]
    assert "Idempotent-Replayed" not in theirs.headers
    assert "Idempotent-Replayed" not in rubric.headers


def test_candidates_keys_are_their_own() -> None:
    assessment = create_assessment()
    one, other = (candidate_for(key) for key in generate_keys(assessment["id"], 2))

    first = invoke("start_session", one, headers=keyed("start"))
    replay = invoke("start_session", one, headers=keyed("start"))
    theirs = invoke("start_session", other, headers=keyed("start"))

    assert (first.status, replay.status, theirs.status) == (201, 201, 201)
    assert replay.body["session"]["id"] == first.body["session"]["id"]
    assert replay.body["assessment"] == first.body["assessment"]
    assert replay.headers["Location"] == f"/v1/sessions/{first.body['session']['id']}"
    assert theirs.body["session"]["id"] != first.body["session"]["id"]


def test_a_completed_session_replays_its_completion() -> None:
    assessment = create_assessment()
    candidate = candidate_for(generate_keys(assessment["id"], 1)[0])
    _, started = call("start_session", candidate)
    path = {"session_id": started["session"]["id"]}
    body = {"submissionUrl": "https://github.com/me/solution"}

    first = invoke("complete_session", candidate, body=body, path=path, headers=keyed("done"))
    replay = invoke("complete_session", candidate, body=body, path=path, headers=keyed("done"))
    unkeyed = invoke("complete_session", candidate, body=body, path=path)

    assert (first.status, replay.status) == (200, 200)
    assert replay.body == first.body
    assert (unkeyed.status, unkeyed.body["code"]) == (409, "session_completed")


def test_a_key_generation_replayed_after_an_erasure_shows_the_keys_as_they_are_now() -> None:
    assessment = create_assessment()
    path = {"assessment_id": assessment["id"]}
    body = {"count": 2, "candidateEmails": ["ada@example.com", "alan@example.org"], "candidateNames": ["Ada", "Alan"]}
    first = invoke("generate_keys", body=body, path=path, headers=keyed("batch"))
    ada, alan = first.body["keys"]
    call("start_session", candidate_for(alan))
    assert call("erase_candidate", body={"email": "ada@example.com"})[1] == {"erased": 1}

    replay = invoke("generate_keys", body=body, path=path, headers=keyed("batch"))

    assert (replay.status, replay.headers["Idempotent-Replayed"]) == (201, "true")
    now_ada, now_alan = replay.body["keys"]
    assert (now_ada["id"], now_ada["candidateEmail"], now_ada["candidateName"]) == (ada["id"], None, None)
    assert (now_ada["status"], now_ada["erasedAt"] is not None) == ("revoked", True)
    assert (now_alan["candidateEmail"], now_alan["status"]) == ("alan@example.org", "redeemed")
    assert "ada@example.com" not in str(replay.body)


def test_a_start_replayed_after_the_key_was_revoked_is_refused_as_a_new_start_would_be() -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    candidate = candidate_for(key)
    assert invoke("start_session", candidate, headers=keyed("start")).status == 201
    call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})

    replay = invoke("start_session", candidate, headers=keyed("start"))
    fresh = invoke("start_session", candidate)

    assert (replay.status, replay.body["code"]) == (fresh.status, fresh.body["code"]) == (403, "key_revoked")
    assert "taskBrief" not in str(replay.body)


def test_a_completion_replayed_after_an_erasure_keeps_no_name_email_or_notes() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=["ada@example.com"], candidateNames=["Ada"])
    candidate = candidate_for(key)
    _, started = call("start_session", candidate)
    path = {"session_id": started["session"]["id"]}
    body = {"notes": "Ada here: I added retries."}
    first = invoke("complete_session", candidate, body=body, path=path, headers=keyed("done"))
    assert first.body["session"]["submission"]["notes"] == body["notes"]
    call("erase_candidate", body={"email": "ada@example.com"})

    replay = invoke("complete_session", candidate, body=body, path=path, headers=keyed("done"))

    assert (replay.status, replay.headers["Idempotent-Replayed"]) == (200, "true")
    session = replay.body["session"]
    assert (session["candidateEmail"], session["candidateName"], session["submission"]["notes"]) == (None, None, None)
    assert session["status"] == "completed"


def test_an_error_is_not_kept_so_the_corrected_retry_runs() -> None:
    missing_rubric = {**SEED_BODY, "rubricId": "01900000-0000-7000-8000-000000000000"}
    refused = invoke("create_assessment", body=missing_rubric, headers=keyed("k"))
    again = invoke("create_assessment", body=missing_rubric, headers=keyed("k"))
    _, rubric = call("create_rubric", body=RUBRIC)
    corrected = invoke("create_assessment", body={**SEED_BODY, "rubricId": rubric["rubric"]["id"]}, headers=keyed("k"))

    assert (refused.status, refused.body["code"]) == (400, "rubric_not_found")
    assert again.status == 400
    assert "Idempotent-Replayed" not in again.headers
    assert corrected.status == 201


def test_a_retry_while_the_first_is_running_is_told_to_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    during: list[Answer] = []

    def slow_create(*arguments: Any, **keywords: Any) -> Any:
        during.append(invoke("create_rubric", body=RUBRIC, headers=keyed("k")))
        return create_rubric(*arguments, **keywords)

    monkeypatch.setattr("functions.create_rubric.handler.create_rubric", slow_create)
    first = invoke("create_rubric", body=RUBRIC, headers=keyed("k"))

    assert first.status == 201
    assert (during[0].status, during[0].body["code"]) == (409, "idempotency_key_in_progress")


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_an_empty_or_overlong_key_is_refused(key: str) -> None:
    answer = invoke("create_rubric", body=RUBRIC, headers=keyed(key))

    assert (answer.status, answer.body["code"]) == (400, "invalid_idempotency_key")


def test_an_invalid_body_is_refused_before_any_record(dynamodb_calls: RequestCounter) -> None:
    answer = invoke("create_rubric", body={"name": "R"}, headers=keyed("k"))

    assert answer.status == 400
    assert dynamodb_calls.total == 0


def test_a_key_costs_two_writes_and_a_replay_one(dynamodb_calls: RequestCounter) -> None:
    invoke("create_assessment", body=SEED_BODY)
    unkeyed = dict(dynamodb_calls.calls)
    dynamodb_calls.reset()

    invoke("create_assessment", body=SEED_BODY, headers=keyed("k"))
    keyed_first = dict(dynamodb_calls.calls)
    dynamodb_calls.reset()
    invoke("create_assessment", body=SEED_BODY, headers=keyed("k"))

    assert unkeyed == {"TransactWriteItems": 1}
    assert keyed_first == {"TransactWriteItems": 1, "PutItem": 1, "UpdateItem": 1}
    assert dict(dynamodb_calls.calls) == {"PutItem": 1}


def test_the_record_expires_through_the_table_ttl_after_a_day() -> None:
    invoke("create_assessment", body=SEED_BODY, headers=keyed("k"))
    items = dynamo.client().scan(TableName=dynamo.table_name())["Items"]
    [record] = [item for item in items if item["PK"]["S"].startswith("IDEMPOTENCY#")]
    ttl = dynamo.client().describe_time_to_live(TableName=dynamo.table_name())["TimeToLiveDescription"]

    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    assert abs(int(record["ttl"]["N"]) - (time.time() + 24 * 3600)) < 60
    assert record["SK"] == {"S": "IDEMPOTENCY"}
