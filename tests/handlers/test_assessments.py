"""The four assessment endpoints, each handler invoked as API Gateway invokes it, against moto."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from infra.local.gateway import proxy_event
from shared import catalog, clock, ids
from shared.auth import Candidate, principal_to_context
from shared.models.assessments import MAX_TASK_BRIEF_CHARS
from shared.routes import route
from shared.store.assessments import AssessmentRecord, AssessmentStore
from shared.store.cascade import AssessmentDeletion
from tests.conftest import RequestCounter
from tests.support import AUDIT_A, ORG_A, ORG_B, SEED_BODY, call, invoke, run

pytestmark = pytest.mark.usefixtures("table")

SEED_FIELDS = {
    "id",
    "orgId",
    "title",
    "role",
    "taskBrief",
    "repoUrl",
    "timeLimitMinutes",
    "expiresInDays",
    "issueId",
    "rubricId",
    "createdAt",
    "updatedAt",
}


def _assessment_record(org_id: str) -> AssessmentRecord:
    """An assessment as the store keeps it, for seeding many without going through the handler."""
    now = clock.to_timestamp(clock.utc_now())
    return AssessmentRecord(
        id=ids.new_id(),
        org_id=org_id,
        title=SEED_BODY["title"],
        role=SEED_BODY["role"],
        task_brief=SEED_BODY["taskBrief"],
        expires_in_days=7,
        created_at=now,
        updated_at=now,
    )


def create(body: dict[str, Any] | None = None, principal: Any = ORG_A) -> dict[str, Any]:
    status, payload = call("create_assessment", principal, body=body or SEED_BODY)
    assert status == 201, payload
    return dict(payload["assessment"])


def test_create_returns_exactly_the_seed_fields_and_the_issue_with_the_sent_values() -> None:
    assessment = create()

    assert set(assessment) == SEED_FIELDS | {"issue"}
    assert assessment["issue"] is None
    assert {name: assessment[name] for name in SEED_BODY} == SEED_BODY
    assert assessment["orgId"] == "org_a"
    assert assessment["repoUrl"] is None
    assert assessment["issueId"] is None
    assert assessment["rubricId"] is None
    assert uuid.UUID(assessment["id"]).version == 7
    assert assessment["createdAt"] == assessment["updatedAt"]
    assert assessment["createdAt"].endswith("Z")


def test_create_defaults_expiry_to_seven_days_and_time_limit_to_none() -> None:
    assessment = create({"title": "T", "role": "R", "taskBrief": "Do it"})

    assert assessment["expiresInDays"] == 7
    assert assessment["timeLimitMinutes"] is None


def test_created_assessment_reads_back_with_a_null_issue() -> None:
    created = create({**SEED_BODY, "repoUrl": "https://github.com/acme/webhooks"})

    status, payload = call("get_assessment", path={"assessment_id": created["id"]})

    assert status == 200
    assert payload["assessment"] == created
    assert created["issue"] is None


def test_create_answers_the_object_every_read_returns_and_where_it_lives() -> None:
    issue_id = catalog.all_issues()[0].id
    answer = invoke("create_assessment", body={"title": "T", "role": "R", "issueId": issue_id})
    created = answer.body["assessment"]

    _, read = call("get_assessment", path={"assessment_id": created["id"]})
    _, listed = call("list_assessments")

    assert answer.status == 201
    assert answer.headers["Location"] == f"/v1/assessments/{created['id']}"
    assert created["issue"]["id"] == issue_id
    assert read["assessment"] == created
    assert listed["assessments"] == [created]


@pytest.mark.parametrize("alias", ["task_brief", "time_limit_minutes", "expires_in_days", "repo_url"])
def test_snake_case_spellings_are_refused_as_unknown_fields(alias: str) -> None:
    value: Any = "https://example.com" if alias == "repo_url" else ("x" if alias == "task_brief" else 5)
    status, payload = call("create_assessment", body={**SEED_BODY, alias: value})

    assert status == 400
    assert payload["details"] == [
        {"path": [alias], "code": "extra_forbidden", "message": "Extra inputs are not permitted"}
    ]


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"role": "R", "taskBrief": "x"}, ["title"], "missing"),
        ({"title": "T", "taskBrief": "x"}, ["role"], "missing"),
        ({"title": "   ", "role": "R", "taskBrief": "x"}, ["title"], "blank"),
        ({"title": "T" * 256, "role": "R", "taskBrief": "x"}, ["title"], "string_too_long"),
        ({"title": "T", "role": "", "taskBrief": "x"}, ["role"], "string_too_short"),
        ({"title": "T", "role": "R"}, ["taskBrief"], "missing"),
        ({"title": "T", "role": "R", "taskBrief": "  "}, ["taskBrief"], "missing"),
        ({"title": "T", "role": "R", "taskBrief": "x" * 20_001}, ["taskBrief"], "string_too_long"),
        ({"title": "T", "role": "R", "taskBrief": "x", "repoUrl": "ftp://host/x"}, ["repoUrl"], "url"),
        ({"title": "T", "role": "R", "taskBrief": "x", "repoUrl": "github.com"}, ["repoUrl"], "url"),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "timeLimitMinutes": 0},
            ["timeLimitMinutes"],
            "greater_than",
        ),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "timeLimitMinutes": "120"},
            ["timeLimitMinutes"],
            "int_type",
        ),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "timeLimitMinutes": 1.5},
            ["timeLimitMinutes"],
            "int_type",
        ),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "timeLimitMinutes": True},
            ["timeLimitMinutes"],
            "int_type",
        ),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "expiresInDays": 0},
            ["expiresInDays"],
            "greater_than_equal",
        ),
        (
            {"title": "T", "role": "R", "taskBrief": "x", "expiresInDays": 366},
            ["expiresInDays"],
            "less_than_equal",
        ),
        ({"title": "T", "role": "R", "taskBrief": "x", "expiresInDays": None}, ["expiresInDays"], "int_type"),
        ({"title": "T", "role": "R", "taskBrief": "x", "rubricId": "rubric-1"}, ["rubricId"], "uuid"),
        ({"title": "T", "role": "R", "taskBrief": "x", "colour": "red"}, ["colour"], "extra_forbidden"),
        ({"title": 5, "role": "R", "taskBrief": "x"}, ["title"], "string_type"),
    ],
)
def test_create_rejects_invalid_input_naming_the_field(body: dict[str, Any], path: list[str], code: str) -> None:
    status, payload = call("create_assessment", body=body)

    assert status == 400
    assert payload["code"] == "validation_error"
    assert payload["requestId"] == "test-request"
    assert {"path": path, "code": code} in [
        {"path": detail["path"], "code": detail["code"]} for detail in payload["details"]
    ]
    assert ".".join(path) in payload["error"]


@pytest.mark.parametrize("raw_body", ["[1, 2]", '"text"', "null", "{not json", ""])
def test_create_rejects_a_body_that_is_not_a_json_object(raw_body: str) -> None:
    status, payload = call("create_assessment", raw_body=raw_body)

    assert status == 400
    assert payload["details"][0]["code"] in {"object_type", "json_invalid"}


def test_create_rejects_a_body_over_its_limit_with_413() -> None:
    body = {**SEED_BODY, "taskBrief": "x" * route("create_assessment").max_body_bytes}

    status, payload = call("create_assessment", body=body)

    assert status == 413
    assert payload["code"] == "payload_too_large"


def test_the_largest_brief_the_schema_allows_fits_the_body_limit_even_fully_escaped() -> None:
    body = {**SEED_BODY, "taskBrief": "\U0001f600" * MAX_TASK_BRIEF_CHARS}

    status, _ = call("create_assessment", raw_body=json.dumps(body, ensure_ascii=True))

    assert status == 201


def test_a_time_limited_assessment_keeps_a_null_time_limit_when_sent_null() -> None:
    assessment = create({**SEED_BODY, "timeLimitMinutes": None})

    assert assessment["timeLimitMinutes"] is None


def test_candidate_credentials_cannot_create() -> None:
    key_holder = Candidate(org_id="org_a", assessment_id=str(uuid.uuid4()), key_id=str(uuid.uuid4()))

    status, payload = call("create_assessment", key_holder, body=SEED_BODY)

    assert status == 401
    assert payload["code"] == "unauthorized"


def test_get_is_not_found_for_unknown_malformed_and_other_orgs_ids() -> None:
    mine = create()

    for assessment_id, principal in [(str(uuid.uuid4()), ORG_A), ("not-a-uuid", ORG_A), (mine["id"], ORG_B)]:
        status, payload = call("get_assessment", principal, path={"assessment_id": assessment_id})
        assert (status, payload["code"]) == (404, "not_found")


def test_list_returns_the_orgs_active_assessments_in_creation_order() -> None:
    created = [create({**SEED_BODY, "title": f"A{index}"})["id"] for index in range(5)]
    create(principal=ORG_B)
    call("delete_assessment", path={"assessment_id": created[2]})

    status, payload = call("list_assessments")

    assert status == 200
    assert [item["id"] for item in payload["assessments"]] == created[:2] + created[3:]
    assert all(item["issue"] is None and item["orgId"] == "org_a" for item in payload["assessments"])
    assert payload["nextCursor"] is None


def test_list_pages_with_limit_and_cursor_without_gaps_or_repeats() -> None:
    created = [create()["id"] for _ in range(7)]

    seen: list[str] = []
    cursor = None
    for _ in range(10):
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        status, payload = call("list_assessments", query=query)
        assert status == 200
        assert len(payload["assessments"]) <= 3
        seen += [item["id"] for item in payload["assessments"]]
        cursor = payload["nextCursor"]
        if cursor is None:
            break

    assert seen == created


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ("limit=0", ["limit"]),
        ("limit=1001", ["limit"]),
        ("limit=ten", ["limit"]),
        ("cursor=garbage", ["cursor"]),
    ],
)
def test_list_rejects_bad_paging_parameters(query: str, path: list[str]) -> None:
    status, payload = call("list_assessments", query=query)

    assert status == 400
    assert payload["details"][0]["path"] == path


def test_list_page_is_one_query_however_many_assessments_were_deleted(dynamodb_calls: RequestCounter) -> None:
    store, deletion = AssessmentStore(), AssessmentDeletion()
    for _ in range(1000):  # seeded through the store: only the list below is under test
        doomed = _assessment_record("org_a")
        store.create(doomed, AUDIT_A.record("org_a", "assessment.create", ("assessment", doomed.id)))
        deletion.delete(
            doomed, doomed.created_at, AUDIT_A.record("org_a", "assessment.delete", ("assessment", doomed.id))
        )
    survivor = create()
    dynamodb_calls.reset()

    status, payload = call("list_assessments")

    assert status == 200
    assert [item["id"] for item in payload["assessments"]] == [survivor["id"]]
    assert dict(dynamodb_calls.calls) == {"Query": 1}


def test_delete_answers_ok_and_hides_the_assessment() -> None:
    assessment = create()

    status, payload = call("delete_assessment", path={"assessment_id": assessment["id"]})

    assert (status, payload) == (200, {"ok": True, "id": assessment["id"]})
    assert call("get_assessment", path={"assessment_id": assessment["id"]})[0] == 404
    assert call("list_assessments")[1]["assessments"] == []


def test_delete_is_not_found_when_repeated_unknown_or_another_orgs() -> None:
    assessment = create()
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    for assessment_id, principal in [(assessment["id"], ORG_A), (str(uuid.uuid4()), ORG_A)]:
        assert call("delete_assessment", principal, path={"assessment_id": assessment_id})[0] == 404
    other = create()
    assert call("delete_assessment", ORG_B, path={"assessment_id": other["id"]})[0] == 404
    assert call("get_assessment", path={"assessment_id": other["id"]})[0] == 200


def test_location_keeps_the_stage_the_client_called_through() -> None:
    target = route("create_assessment")
    event = proxy_event(
        target,
        method="POST",
        path=target.path,
        query="",
        headers=[],
        body=json.dumps(SEED_BODY).encode(),
        path_parameters={},
        request_id="r",
        source_ip="127.0.0.1",
    )
    # API Gateway's own domain: https://{api}.execute-api.{region}.amazonaws.com/prod/v1/assessments
    event["requestContext"]["path"] = "/prod/v1/assessments"
    event["requestContext"]["authorizer"] = principal_to_context(ORG_A)

    result = run("create_assessment", event)

    created_id = json.loads(result["body"])["assessment"]["id"]
    assert result["multiValueHeaders"]["Location"] == [f"/prod/v1/assessments/{created_id}"]
