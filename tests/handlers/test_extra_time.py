"""Extra time: minutes a key is issued with, added to the deadline when its session starts, and minutes a
reviewer adds to a running session; completion and events follow the deadline at its boundary, the
60 seconds of grace included."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from shared import clock
from shared.models.sessions import GRACE_SECONDS
from tests.conftest import RequestCounter
from tests.handlers.test_results import FrozenClock, start
from tests.support import ORG_B, call, candidate_for, create_assessment, generate_keys, invoke

pytestmark = pytest.mark.usefixtures("table")

REASON = "Outage on the candidate's side"


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


def deadline_of(session: dict[str, Any]) -> Any:
    return clock.from_timestamp(session["deadline"])


def extend(session_id: str, minutes: int = 15, reason: str = REASON, principal: Any = None) -> tuple[int, Any]:
    keywords = {"principal": principal} if principal is not None else {}
    return call(
        "extend_session", body={"minutes": minutes, "reason": reason}, path={"session_id": session_id}, **keywords
    )


def complete(key: dict[str, Any], session_id: str) -> tuple[int, Any]:
    return call("complete_session", candidate_for(key), path={"session_id": session_id})


def send_event(key: dict[str, Any], session_id: str, at: str) -> tuple[int, Any]:
    event = {"id": str(uuid.uuid4()), "type": "note", "at": at, "source": "cli", "data": {}}
    return call("ingest_events", candidate_for(key), body={"events": [event]}, path={"session_id": session_id})


# Extra time at generation


def test_one_number_gives_every_key_its_extra_minutes_and_a_list_one_each() -> None:
    assessment = create_assessment()

    same = generate_keys(assessment["id"], 2, extraMinutes=30)
    each = generate_keys(assessment["id"], 3, extraMinutes=[0, 15, 1440])
    none = generate_keys(assessment["id"], 1)

    assert [key["extraMinutes"] for key in same] == [30, 30]
    assert [key["extraMinutes"] for key in each] == [0, 15, 1440]
    assert none[0]["extraMinutes"] == 0
    _, listed = call("list_keys", path={"assessment_id": assessment["id"]})
    assert sorted(key["extraMinutes"] for key in listed["keys"]) == [0, 0, 15, 30, 30, 1440]


@pytest.mark.parametrize(
    ("extra", "path", "code"),
    [
        ([10, 20], ["extraMinutes"], "length_mismatch"),
        (-1, ["extraMinutes"], "extra_minutes"),
        (1441, ["extraMinutes"], "extra_minutes"),
        (12.5, ["extraMinutes"], "extra_minutes"),
        ([5, 5, 1441], ["extraMinutes"], "extra_minutes"),
        ("30", ["extraMinutes"], "extra_minutes"),
        (True, ["extraMinutes"], "extra_minutes"),
    ],
)
def test_extra_minutes_out_of_range_or_not_one_per_key_are_refused_naming_the_field(
    extra: Any, path: list[Any], code: str
) -> None:
    assessment = create_assessment()

    status, payload = call(
        "generate_keys", body={"count": 3, "extraMinutes": extra}, path={"assessment_id": assessment["id"]}
    )

    assert status == 400
    assert {"path": path, "code": code} in [{"path": d["path"], "code": d["code"]} for d in payload["details"]]


def test_a_keys_extra_minutes_are_added_to_its_deadline_when_it_starts() -> None:
    assessment = create_assessment(timeLimitMinutes=60)
    plain, extended = generate_keys(assessment["id"], 2, extraMinutes=[0, 45])

    first, second = start(plain), start(extended)

    assert deadline_of(first) - clock.from_timestamp(first["startedAt"]) == timedelta(minutes=60)
    assert deadline_of(second) - clock.from_timestamp(second["startedAt"]) == timedelta(minutes=105)


def test_without_a_time_limit_extra_minutes_give_no_deadline() -> None:
    assessment = create_assessment(timeLimitMinutes=None)
    [key] = generate_keys(assessment["id"], 1, extraMinutes=30)

    assert start(key)["deadline"] is None


@pytest.mark.parametrize(("after_deadline", "status"), [(GRACE_SECONDS, 200), (GRACE_SECONDS + 1, 409)])
def test_completion_runs_to_the_deadline_with_extra_minutes_and_its_grace(
    frozen: FrozenClock, after_deadline: int, status: int
) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1, extraMinutes=20)
    session = start(key)

    frozen.set(deadline_of(session) + timedelta(seconds=after_deadline))

    assert complete(key, session["id"])[0] == status


# Extra time for a running session


def test_extending_moves_the_deadline_and_answers_the_session_with_its_extensions(frozen: FrozenClock) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    frozen.advance(minutes=5)

    status, payload = extend(session["id"], minutes=15)
    status_again, again = extend(session["id"], minutes=10, reason="A second outage")

    assert (status, status_again) == (200, 200)
    assert deadline_of(payload["session"]) == deadline_of(session) + timedelta(minutes=15)
    assert deadline_of(again["session"]) == deadline_of(session) + timedelta(minutes=25)
    assert again["session"]["extensions"] == [
        {"minutes": 15, "reason": REASON, "at": clock.to_timestamp(frozen.now)},
        {"minutes": 10, "reason": "A second outage", "at": clock.to_timestamp(frozen.now)},
    ]
    _, reviewer_view = call("get_session", path={"session_id": session["id"]})
    assert reviewer_view["session"] == again["session"]


def test_the_candidates_time_left_follows_the_extension(frozen: FrozenClock) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    frozen.advance(minutes=10)

    extend(session["id"], minutes=20)

    _, mine = call("get_session", candidate_for(key), path={"session_id": session["id"]})
    assert mine["session"]["remainingSeconds"] == 40 * 60
    assert mine["session"]["extensions"][0]["minutes"] == 20


@pytest.mark.parametrize(("after_new_deadline", "status"), [(GRACE_SECONDS, 200), (GRACE_SECONDS + 1, 409)])
def test_completion_runs_to_the_extended_deadline_and_its_grace(
    frozen: FrozenClock, after_new_deadline: int, status: int
) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    extended = extend(session["id"], minutes=15)[1]["session"]

    frozen.set(deadline_of(extended) + timedelta(seconds=after_new_deadline))

    assert complete(key, session["id"])[0] == status


@pytest.mark.parametrize(("after_new_deadline", "status"), [(GRACE_SECONDS, 200), (GRACE_SECONDS + 1, 409)])
def test_events_are_taken_until_the_extended_deadline_and_its_grace(
    frozen: FrozenClock, after_new_deadline: int, status: int
) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    extended = extend(session["id"], minutes=15)[1]["session"]
    frozen.set(deadline_of(extended) + timedelta(seconds=after_new_deadline))

    answer, _ = send_event(key, session["id"], clock.to_timestamp(frozen.now - timedelta(seconds=30)))

    assert answer == status


def test_a_session_whose_deadline_passed_within_the_grace_can_still_be_extended(frozen: FrozenClock) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    frozen.set(deadline_of(session) + timedelta(seconds=GRACE_SECONDS))

    status, payload = extend(session["id"], minutes=10)

    assert status == 200
    assert payload["session"]["status"] == "in_progress"
    assert complete(key, session["id"])[0] == 200


def test_a_timed_out_session_cannot_be_extended(frozen: FrozenClock) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    frozen.set(deadline_of(session) + timedelta(seconds=GRACE_SECONDS + 1))

    status, payload = extend(session["id"])

    assert (status, payload["code"]) == (409, "session_finished")


@pytest.mark.parametrize("ending", ["complete", "revoke"])
def test_a_completed_or_revoked_session_cannot_be_extended(ending: str) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    if ending == "complete":
        complete(key, session["id"])
    else:
        call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})

    status, payload = extend(session["id"])

    assert (status, payload["code"]) == (409, "session_finished")
    _, read = call("get_session", path={"session_id": session["id"]})
    assert read["session"]["deadline"] == session["deadline"]


def test_a_session_without_a_time_limit_has_no_deadline_to_move() -> None:
    assessment = create_assessment(timeLimitMinutes=None)
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)

    status, payload = extend(session["id"])

    assert (status, payload["code"]) == (409, "no_deadline")


def test_another_organisations_session_is_not_found() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)

    status, payload = extend(session["id"], principal=ORG_B)

    assert (status, payload["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"minutes": 0, "reason": REASON}, ["minutes"], "greater_than_equal"),
        ({"minutes": 1441, "reason": REASON}, ["minutes"], "less_than_equal"),
        ({"minutes": "15", "reason": REASON}, ["minutes"], "int_type"),
        ({"minutes": 15}, ["reason"], "missing"),
        ({"minutes": 15, "reason": "  "}, ["reason"], "blank"),
        ({"minutes": 15, "reason": "x" * 501}, ["reason"], "string_too_long"),
        ({"reason": REASON}, ["minutes"], "missing"),
    ],
)
def test_an_extension_needs_1_to_1440_minutes_and_a_reason(body: dict[str, Any], path: list[str], code: str) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)

    status, payload = call("extend_session", body=body, path={"session_id": session["id"]})

    assert status == 400
    assert {"path": path, "code": code} in [{"path": d["path"], "code": d["code"]} for d in payload["details"]]


def test_an_erased_candidates_session_loses_its_reasons_and_takes_no_more_time() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=["ada@example.com"])
    session = start(key)
    extend(session["id"], minutes=15, reason="Agreed with Ada Lovelace")

    call("erase_candidate", body={"email": "ada@example.com"})

    _, read = call("get_session", path={"session_id": session["id"]})
    assert read["session"]["extensions"] == [
        {"minutes": 15, "reason": None, "at": read["session"]["extensions"][0]["at"]}
    ]
    assert extend(session["id"])[1]["code"] == "session_finished"


def test_an_idempotent_retry_answers_the_session_as_it_is_now() -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    retry = [("Idempotency-Key", "extend-1")]
    body, path = {"minutes": 15, "reason": REASON}, {"session_id": session["id"]}

    first = invoke("extend_session", body=body, path=path, headers=retry)
    complete(key, session["id"])
    again = invoke("extend_session", body=body, path=path, headers=retry)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.body["session"]["status"] == "in_progress"
    assert again.body["session"]["status"] == "completed"
    assert again.body["session"]["extensions"] == first.body["session"]["extensions"]


def test_extending_is_one_read_and_one_transaction(dynamodb_calls: RequestCounter) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = start(key)
    dynamodb_calls.reset()

    assert extend(session["id"])[0] == 200

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 1}
