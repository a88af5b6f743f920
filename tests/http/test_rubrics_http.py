"""Rubrics through the local server: create, link, in use, delete, isolation."""

from __future__ import annotations

from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

RUBRIC = {"name": "Backend", "criteria": [{"name": "Correctness", "weight": 60}, {"name": "Tests", "weight": 40}]}


def test_rubric_lifecycle_with_a_linked_assessment(api: Api) -> None:
    token = new_token("org_rubrics")
    rubric = api.request("POST", "/v1/rubrics", token, RUBRIC)
    rubric_id = rubric.body["rubric"]["id"]
    assessment = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric_id})
    in_use = api.request("DELETE", f"/v1/rubrics/{rubric_id}", token)
    api.request("DELETE", f"/v1/assessments/{assessment.body['assessment']['id']}", token)
    deleted = api.request("DELETE", f"/v1/rubrics/{rubric_id}", token)

    assert rubric.status == 201
    assert assessment.status == 201
    assert assessment.body["assessment"]["rubricId"] == rubric_id
    assert (in_use.status, in_use.body["code"]) == (409, "rubric_in_use")
    assert (deleted.status, deleted.body) == (200, {"ok": True, "id": rubric_id})
    assert api.request("GET", "/v1/rubrics", token).body == {"rubrics": [], "nextCursor": None}


def test_rubrics_are_invisible_to_other_orgs(api: Api) -> None:
    mine, theirs = new_token("org_rubrics_a"), new_token("org_rubrics_b")
    rubric_id = api.request("POST", "/v1/rubrics", mine, RUBRIC).body["rubric"]["id"]

    assert api.request("GET", f"/v1/rubrics/{rubric_id}", theirs).status == 404
    assert api.request("GET", "/v1/rubrics", theirs).body == {"rubrics": [], "nextCursor": None}
    linked = api.request("POST", "/v1/assessments", theirs, {**SEED_BODY, "rubricId": rubric_id})
    assert (linked.status, linked.body["code"]) == (400, "rubric_not_found")
    assert api.request("DELETE", f"/v1/rubrics/{rubric_id}", theirs).status == 404
