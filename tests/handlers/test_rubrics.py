"""Rubrics are an org-owned resource, and ``rubricId`` a checked, counted link to one."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from shared.domain.assessments import create_assessment as create_assessment_for
from shared.domain.rubrics import delete_rubric
from shared.errors import ConflictError, InvalidInputError
from shared.models.assessments import CreateAssessmentRequest
from shared.store.assessments import AssessmentStore
from shared.store.rubrics import RubricStore
from tests.conftest import RequestCounter
from tests.support import AUDIT_A, ORG_B, SEED_BODY, call, create_assessment, invoke

pytestmark = pytest.mark.usefixtures("table")

RUBRIC = {
    "name": "Backend rubric",
    "description": "How we score backend work",
    "criteria": [
        {"name": "Correctness", "description": "Does it work?", "weight": 50},
        {"name": "Tests", "weight": 30.5},
        {"name": "Clarity", "weight": 19.5},
    ],
}


def create_rubric(principal: Any = None, **fields: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {"body": {**RUBRIC, **fields}}
    if principal is not None:
        arguments["principal"] = principal
    status, payload = call("create_rubric", **arguments)
    assert status == 201, payload
    return dict(payload["rubric"])


def test_create_returns_the_rubric_and_it_reads_back() -> None:
    rubric = create_rubric()

    assert set(rubric) == {"id", "orgId", "name", "description", "criteria", "createdAt", "updatedAt"}
    assert uuid.UUID(rubric["id"])
    assert rubric["orgId"] == "org_a"
    assert rubric["criteria"] == [
        {"name": "Correctness", "description": "Does it work?", "weight": 50},
        {"name": "Tests", "description": None, "weight": 30.5},
        {"name": "Clarity", "description": None, "weight": 19.5},
    ]
    assert call("get_rubric", path={"rubric_id": rubric["id"]}) == (200, {"rubric": rubric})


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"name": ""}, ["name"]),
        ({"name": "  "}, ["name"]),
        ({"name": "n" * 256}, ["name"]),
        ({"description": "d" * 2001}, ["description"]),
        ({"criteria": []}, ["criteria"]),
        ({"criteria": [{"name": f"c{i}", "weight": 1} for i in range(21)]}, ["criteria"]),
        ({"criteria": [{"name": "", "weight": 1}]}, ["criteria", 0, "name"]),
        ({"criteria": [{"name": "c" * 101, "weight": 1}]}, ["criteria", 0, "name"]),
        ({"criteria": [{"name": "c", "description": "d" * 2001, "weight": 1}]}, ["criteria", 0, "description"]),
        ({"criteria": [{"name": "c", "weight": 0}]}, ["criteria", 0, "weight"]),
        ({"criteria": [{"name": "c", "weight": 100.5}]}, ["criteria", 0, "weight"]),
        ({"criteria": [{"name": "c", "weight": "5"}]}, ["criteria", 0, "weight"]),
        ({"criteria": [{"name": "c"}]}, ["criteria", 0, "weight"]),
        ({"criteria": [{"name": "c", "weight": 1, "colour": "red"}]}, ["criteria", 0, "colour"]),
    ],
)
def test_create_rejects_invalid_rubrics_naming_the_field(fields: dict[str, Any], path: list[Any]) -> None:
    status, payload = call("create_rubric", body={**RUBRIC, **fields})

    assert status == 400
    assert path in [detail["path"] for detail in payload["details"]]


def test_criterion_names_are_unique_whatever_their_case_a_400_naming_the_duplicate() -> None:
    criteria = [{"name": "Tests", "weight": 1}, {"name": " tests", "weight": 2}]

    status, payload = call("create_rubric", body={**RUBRIC, "criteria": criteria})

    assert (status, payload["code"]) == (400, "validation_error")
    assert [(detail["path"], detail["code"]) for detail in payload["details"]] == [
        (["criteria", 1, "name"], "duplicate")
    ]
    assert call("list_rubrics")[1]["rubrics"] == []


def test_list_shows_the_orgs_active_rubrics_in_creation_order() -> None:
    first, second, third = create_rubric(name="one"), create_rubric(name="two"), create_rubric(name="three")
    create_rubric(ORG_B)
    call("delete_rubric", path={"rubric_id": second["id"]})

    status, payload = call("list_rubrics")

    assert status == 200
    assert [rubric["id"] for rubric in payload["rubrics"]] == [first["id"], third["id"]]


def test_another_orgs_or_a_deleted_rubric_is_not_found() -> None:
    theirs = create_rubric(ORG_B)
    deleted = create_rubric()
    assert call("delete_rubric", path={"rubric_id": deleted["id"]}) == (200, {"ok": True, "id": deleted["id"]})

    for rubric_id in (theirs["id"], deleted["id"], str(uuid.uuid4()), "nope"):
        assert call("get_rubric", path={"rubric_id": rubric_id})[0] == 404
        assert call("delete_rubric", path={"rubric_id": rubric_id})[0] == 404
    assert call("get_rubric", ORG_B, path={"rubric_id": theirs["id"]})[0] == 200


def test_an_assessment_may_link_only_an_active_rubric_of_its_own_org() -> None:
    mine, theirs, deleted = create_rubric(), create_rubric(ORG_B), create_rubric()
    call("delete_rubric", path={"rubric_id": deleted["id"]})

    assert create_assessment(rubricId=mine["id"])["rubricId"] == mine["id"]
    for rubric_id in (theirs["id"], deleted["id"], str(uuid.uuid4())):
        status, payload = call("create_assessment", body={**SEED_BODY, "rubricId": rubric_id})
        assert (status, payload["code"]) == (400, "rubric_not_found")
        assert payload["details"][0]["path"] == ["rubricId"]


def test_a_linked_rubric_is_in_use_until_its_assessments_are_deleted() -> None:
    rubric = create_rubric()
    first, second = create_assessment(rubricId=rubric["id"]), create_assessment(rubricId=rubric["id"])

    for assessment in (first, second):
        status, payload = call("delete_rubric", path={"rubric_id": rubric["id"]})
        assert (status, payload["code"]) == (409, "rubric_in_use")
        call("delete_assessment", path={"assessment_id": assessment["id"]})

    assert call("delete_rubric", path={"rubric_id": rubric["id"]})[0] == 200


def test_creating_an_assessment_with_a_rubric_reads_it_once_and_writes_once(dynamodb_calls: RequestCounter) -> None:
    rubric = create_rubric()
    dynamodb_calls.reset()

    create_assessment(rubricId=rubric["id"])

    # The read snapshots the criteria for scoring; the one transaction checks and counts the link.
    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 1}


def test_a_rubric_delete_racing_an_assessment_create_never_leaves_a_dangling_link() -> None:
    for _ in range(10):
        rubric = create_rubric()
        request = CreateAssessmentRequest.model_validate({**SEED_BODY, "rubricId": rubric["id"]})

        def link(request: CreateAssessmentRequest = request) -> str:
            try:
                return create_assessment_for(AssessmentStore(), RubricStore(), "org_a", request, audit=AUDIT_A).id
            except InvalidInputError:  # rubric_not_found
                return ""

        def remove(rubric_id: str = rubric["id"]) -> bool:
            try:
                delete_rubric(RubricStore(), "org_a", rubric_id, audit=AUDIT_A)
            except ConflictError:
                return False
            return True

        with ThreadPoolExecutor(max_workers=2) as pool:
            linked, removed = pool.submit(link), pool.submit(remove)
            assessment_id, rubric_deleted = linked.result(), removed.result()

        assert bool(assessment_id) != rubric_deleted
        if assessment_id:
            assert RubricStore().get("org_a", rubric["id"]) is not None


def test_a_created_rubric_is_located_where_it_can_be_read() -> None:
    created = invoke("create_rubric", body={"name": "Backend", "criteria": [{"name": "Design", "weight": 1}]})
    rubric_id = created.body["rubric"]["id"]

    _, read = call("get_rubric", path={"rubric_id": rubric_id})

    assert created.status == 201
    assert created.headers["Location"] == f"/v1/rubrics/{rubric_id}"
    assert read == created.body
