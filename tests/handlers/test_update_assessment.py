"""Editing an assessment: PATCH with a JSON merge patch, the ETag every reviewer's read carries and the
If-Match that guards an edit; sessions keep the terms they started with."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared import catalog, clock
from tests.conftest import RequestCounter
from tests.handlers.test_results import FrozenClock, create_rubric, start
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

MERGE_PATCH = [("Content-Type", "application/merge-patch+json")]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


def patch(assessment_id: str, body: Any, *, if_match: str | None = None, principal: Any = None) -> Answer:
    headers = [("If-Match", if_match)] if if_match is not None else []
    keywords = {"principal": principal} if principal is not None else {}
    return invoke("update_assessment", body=body, path={"assessment_id": assessment_id}, headers=headers, **keywords)


def read(assessment_id: str) -> Answer:
    return invoke("get_assessment", path={"assessment_id": assessment_id})


def candidate_view(key: dict[str, Any], assessment_id: str) -> dict[str, Any]:
    status, payload = call("get_assessment", candidate_for(key), path={"assessment_id": assessment_id})
    assert status == 200, payload
    return dict(payload["assessment"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Backend API Challenge, take two"),
        ("role", "Staff Backend Engineer"),
        ("taskBrief", "Build a webhook ingestion endpoint, with retries."),
        ("repoUrl", "https://github.com/acme/webhooks"),
        ("timeLimitMinutes", 90),
        ("expiresInDays", 14),
    ],
)
def test_each_field_a_patch_sends_changes_and_the_others_stay(frozen: FrozenClock, field: str, value: Any) -> None:
    created = create_assessment()
    frozen.advance(minutes=5)

    answer = patch(created["id"], {field: value})

    assert answer.status == 200
    edited = answer.body["assessment"]
    assert edited == {**created, field: value, "updatedAt": clock.to_timestamp(frozen.now)}
    assert read(created["id"]).body["assessment"] == edited
    _, listed = call("list_assessments")
    assert listed["assessments"] == [edited]


def test_an_issue_id_brings_its_brief_and_its_snapshot() -> None:
    created = create_assessment()
    issue = catalog.all_issues()[0]

    edited = patch(created["id"], {"issueId": issue.id}).body["assessment"]

    assert (edited["issueId"], edited["taskBrief"], edited["issue"]["id"]) == (issue.id, issue.task_brief, issue.id)


def test_a_rubric_id_links_the_rubric_and_moves_the_link_count() -> None:
    old, new = create_rubric(), create_rubric()
    created = create_assessment(rubricId=old["id"])

    edited = patch(created["id"], {"rubricId": new["id"]}).body["assessment"]

    assert edited["rubricId"] == new["id"]
    assert call("delete_rubric", path={"rubric_id": old["id"]})[0] == 200
    assert call("delete_rubric", path={"rubric_id": new["id"]})[1]["code"] == "rubric_in_use"


@pytest.mark.parametrize("field", ["repoUrl", "timeLimitMinutes", "issueId", "rubricId"])
def test_null_clears_an_optional_field(field: str) -> None:
    rubric = create_rubric()
    created = create_assessment(
        repoUrl="https://github.com/acme/webhooks", issueId=catalog.all_issues()[0].id, rubricId=rubric["id"]
    )

    edited = patch(created["id"], {field: None}).body["assessment"]

    assert edited[field] is None
    if field == "issueId":
        assert edited["issue"] is None
        assert edited["taskBrief"] == created["taskBrief"]  # the issue's brief stays, now the reviewer's own
    if field == "rubricId":
        assert call("delete_rubric", path={"rubric_id": rubric["id"]})[0] == 200


@pytest.mark.parametrize("field", ["title", "role", "taskBrief", "expiresInDays"])
def test_null_is_refused_for_a_field_every_assessment_has(field: str) -> None:
    created = create_assessment()

    answer = patch(created["id"], {field: None})

    assert answer.status == 400
    assert answer.body["details"][0]["path"] == [field]
    assert read(created["id"]).body["assessment"] == created


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"title": "   "}, ["title"], "blank"),
        ({"title": "T" * 256}, ["title"], "string_too_long"),
        ({"role": ""}, ["role"], "string_too_short"),
        ({"taskBrief": "  "}, ["taskBrief"], "blank"),
        ({"taskBrief": "x" * 20_001}, ["taskBrief"], "string_too_long"),
        ({"repoUrl": "ftp://host/x"}, ["repoUrl"], "url"),
        ({"timeLimitMinutes": 0}, ["timeLimitMinutes"], "greater_than"),
        ({"timeLimitMinutes": "120"}, ["timeLimitMinutes"], "int_type"),
        ({"expiresInDays": 366}, ["expiresInDays"], "less_than_equal"),
        ({"rubricId": "rubric-1"}, ["rubricId"], "uuid"),
        ({"colour": "red"}, ["colour"], "extra_forbidden"),
        ({"task_brief": "x"}, ["task_brief"], "extra_forbidden"),
        ({"issueId": "no-such-issue"}, ["issueId"], "issue_not_found"),
    ],
)
def test_a_patch_is_validated_as_a_creation_is(body: dict[str, Any], path: list[str], code: str) -> None:
    created = create_assessment()

    answer = patch(created["id"], body)

    assert answer.status == 400
    assert {"path": path, "code": code} in [{"path": d["path"], "code": d["code"]} for d in answer.body["details"]]
    assert read(created["id"]).body["assessment"] == created


def test_an_unknown_rubric_is_refused_as_on_create_and_changes_nothing() -> None:
    created = create_assessment()

    answer = patch(created["id"], {"rubricId": "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a", "title": "New"})

    assert (answer.status, answer.body["code"]) == (400, "rubric_not_found")
    assert read(created["id"]).body["assessment"] == created


def test_a_brief_cannot_be_written_over_a_linked_issue_unless_the_issue_is_unlinked() -> None:
    created = create_assessment(issueId=catalog.all_issues()[0].id)

    refused = patch(created["id"], {"taskBrief": "My own brief"})
    accepted = patch(created["id"], {"taskBrief": "My own brief", "issueId": None})

    assert refused.status == 400
    assert refused.body["details"][0] == {
        "path": ["taskBrief"],
        "code": "issue_linked",
        "message": "the brief comes from the linked issue: set issueId to null in the same patch to write your own",
    }
    assert (accepted.body["assessment"]["taskBrief"], accepted.body["assessment"]["issueId"]) == ("My own brief", None)


def test_an_issue_named_in_the_same_patch_wins_over_a_brief_as_on_create() -> None:
    created = create_assessment()
    issue = catalog.all_issues()[0]

    edited = patch(created["id"], {"taskBrief": "Mine", "issueId": issue.id}).body["assessment"]

    assert edited["taskBrief"] == issue.task_brief


def test_the_merge_patch_media_type_is_taken_like_json() -> None:
    created = create_assessment()

    answer = invoke(
        "update_assessment", body={"title": "Patched"}, path={"assessment_id": created["id"]}, headers=MERGE_PATCH
    )

    assert (answer.status, answer.body["assessment"]["title"]) == (200, "Patched")


def test_an_empty_patch_changes_nothing_not_even_the_version() -> None:
    created = invoke("create_assessment", body=SEED_BODY)

    answer = patch(created.body["assessment"]["id"], {"title": SEED_BODY["title"]})

    assert answer.status == 200
    assert answer.body == created.body
    assert answer.headers["ETag"] == created.headers["ETag"]


def test_another_organisations_or_a_deleted_assessment_is_not_found() -> None:
    created = create_assessment()
    deleted = create_assessment()
    call("delete_assessment", path={"assessment_id": deleted["id"]})

    assert patch(created["id"], {"title": "Theirs"}, principal=ORG_B).status == 404
    assert patch(deleted["id"], {"title": "Gone"}).status == 404
    assert read(created["id"]).body["assessment"] == created


# ETag and If-Match


def test_every_reviewer_read_of_an_assessment_carries_its_etag_and_an_edit_changes_it() -> None:
    created = invoke("create_assessment", body=SEED_BODY)
    assessment_id = created.body["assessment"]["id"]

    first_read = read(assessment_id)
    edited = patch(assessment_id, {"title": "New"})
    second_read = read(assessment_id)

    assert created.headers["ETag"] == first_read.headers["ETag"] == '"1"'
    assert edited.headers["ETag"] == second_read.headers["ETag"] == '"2"'


def test_an_edit_with_the_current_etag_applies() -> None:
    created = create_assessment()
    etag = read(created["id"]).headers["ETag"]

    answer = patch(created["id"], {"title": "New"}, if_match=etag)

    assert answer.status == 200
    assert answer.body["assessment"]["title"] == "New"


@pytest.mark.parametrize("stale", ['"1"', 'W/"2"', '"7"'])
def test_an_edit_with_an_etag_that_is_not_the_current_strong_one_is_refused_with_412(stale: str) -> None:
    created = create_assessment()
    patch(created["id"], {"title": "Changed meanwhile"})

    answer = patch(created["id"], {"title": "Mine"}, if_match=stale)

    assert (answer.status, answer.body["code"]) == (412, "precondition_failed")
    assert read(created["id"]).body["assessment"]["title"] == "Changed meanwhile"


@pytest.mark.parametrize("if_match", ['"3", "2"', "*"])
def test_if_match_takes_a_list_of_etags_or_any(if_match: str) -> None:
    created = create_assessment()
    patch(created["id"], {"title": "Second"})

    assert patch(created["id"], {"title": "Third"}, if_match=if_match).status == 200


def test_without_if_match_the_last_edit_wins() -> None:
    created = create_assessment()
    patch(created["id"], {"title": "First edit"})

    answer = patch(created["id"], {"title": "Second edit"})

    assert answer.status == 200
    assert read(created["id"]).body["assessment"]["title"] == "Second edit"


# Sessions keep the terms they started with


def test_running_and_finished_sessions_keep_the_brief_repository_and_time_limit_they_started_with() -> None:
    created = create_assessment(timeLimitMinutes=60, repoUrl="https://github.com/acme/webhooks")
    finishing, running = generate_keys(created["id"], 2)
    finished_session, running_session = start(finishing), start(running)
    call("complete_session", candidate_for(finishing), path={"session_id": finished_session["id"]})
    before = candidate_view(running, created["id"])

    patch(created["id"], {"taskBrief": "A new brief", "repoUrl": None, "timeLimitMinutes": 10, "title": "Renamed"})

    for key in (finishing, running):
        view = candidate_view(key, created["id"])
        assert {name: view[name] for name in ("taskBrief", "repoUrl", "timeLimitMinutes", "issue")} == {
            name: before[name] for name in ("taskBrief", "repoUrl", "timeLimitMinutes", "issue")
        }
        assert view["title"] == "Renamed"  # a label, not a term
    _, session = call("get_session", path={"session_id": running_session["id"]})
    assert session["session"]["deadline"] == running_session["deadline"]
    [newcomer] = generate_keys(created["id"], 1)
    started = call("start_session", candidate_for(newcomer))[1]
    assert (started["assessment"]["taskBrief"], started["assessment"]["timeLimitMinutes"]) == ("A new brief", 10)
    assert clock.from_timestamp(started["session"]["deadline"]) - clock.from_timestamp(
        started["session"]["startedAt"]
    ) == timedelta(minutes=10)


def test_a_session_keeps_its_terms_through_several_edits_and_a_delete() -> None:
    created = create_assessment(taskBrief="The first brief")
    [key] = generate_keys(created["id"], 1)
    start(key)

    patch(created["id"], {"taskBrief": "The second brief"})
    patch(created["id"], {"taskBrief": "The third brief"})
    call("delete_assessment", path={"assessment_id": created["id"]})

    assert candidate_view(key, created["id"])["taskBrief"] == "The first brief"


def test_a_new_expiry_applies_to_keys_generated_afterwards(frozen: FrozenClock) -> None:
    created = create_assessment(expiresInDays=7)
    [earlier] = generate_keys(created["id"], 1)

    patch(created["id"], {"expiresInDays": 2})
    [later] = generate_keys(created["id"], 1)

    assert clock.from_timestamp(earlier["expiresAt"]) == frozen.now + timedelta(days=7)
    assert clock.from_timestamp(later["expiresAt"]) == frozen.now + timedelta(days=2)


def test_a_session_started_before_a_rubric_change_is_scored_on_the_rubric_it_started_with() -> None:
    old, new = create_rubric(), create_rubric()
    created = create_assessment(rubricId=old["id"])
    [key] = generate_keys(created["id"], 1)
    session = start(key)
    call("complete_session", candidate_for(key), path={"session_id": session["id"]})

    patch(created["id"], {"rubricId": new["id"]})
    status, scored = call(
        "score_session",
        path={"session_id": session["id"]},
        body={"criteria": [{"name": criterion["name"], "score": 80} for criterion in old["criteria"]]},
    )

    assert status == 200
    assert [criterion["name"] for criterion in scored["session"]["score"]["criteria"]] == [
        criterion["name"] for criterion in old["criteria"]
    ]


# What it costs


def test_an_edit_is_one_read_and_one_transaction_and_a_rubric_one_read_more(dynamodb_calls: RequestCounter) -> None:
    rubric = create_rubric()
    created = create_assessment()
    dynamodb_calls.reset()

    assert patch(created["id"], {"title": "New"}).status == 200
    plain = dict(dynamodb_calls.calls)
    dynamodb_calls.reset()
    assert patch(created["id"], {"rubricId": rubric["id"]}).status == 200

    assert plain == {"GetItem": 1, "TransactWriteItems": 1}
    assert dict(dynamodb_calls.calls) == {"GetItem": 2, "TransactWriteItems": 1}
