"""What v1 first promised, over HTTP: answers that moved once and were put back (a published version only grows)."""

from __future__ import annotations

from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token


def test_the_keys_list_is_in_creation_order_and_order_desc_is_newest_first(api: Api) -> None:
    token = new_token("org_v1_keys")
    assessment_id = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]["id"]
    issued = [
        key["id"]
        for count in (2, 3)
        for key in api.request("POST", f"/v1/assessments/{assessment_id}/keys", token, {"count": count}).body["keys"]
    ]

    listed = api.request("GET", f"/v1/assessments/{assessment_id}/keys", token)
    newest_first = api.request("GET", f"/v1/assessments/{assessment_id}/keys?order=desc", token)

    assert [key["id"] for key in listed.body["keys"]] == issued
    assert [key["id"] for key in newest_first.body["keys"]] == issued[::-1]


def test_an_unknown_rubric_id_in_a_body_is_a_400_naming_the_field(api: Api) -> None:
    token = new_token("org_v1_rubric")

    result = api.request(
        "POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": "01900000-0000-7000-8000-000000000000"}
    )

    assert (result.status, result.body["code"]) == (400, "rubric_not_found")
    assert result.body["details"][0]["path"] == ["rubricId"]


def test_an_unknown_rubric_id_in_a_path_stays_a_404(api: Api) -> None:
    token = new_token("org_v1_rubric_path")

    result = api.request("GET", "/v1/rubrics/01900000-0000-7000-8000-000000000000", token)

    assert (result.status, result.body["code"]) == (404, "not_found")


def test_criteria_named_alike_but_for_case_are_a_400_validation_error_naming_the_second(api: Api) -> None:
    token = new_token("org_v1_criteria")
    body = {"name": "R", "criteria": [{"name": "Design", "weight": 1}, {"name": " design", "weight": 2}]}

    result = api.request("POST", "/v1/rubrics", token, body)

    assert (result.status, result.body["code"]) == (400, "validation_error")
    assert [(detail["path"], detail["code"]) for detail in result.body["details"]] == [
        (["criteria", 1, "name"], "duplicate")
    ]
    assert api.request("GET", "/v1/rubrics", token).body["rubrics"] == []


def test_the_catalog_still_pages_by_offset_with_limit_and_offset_in_the_answer(api: Api) -> None:
    token = new_token("org_v1_catalog")
    first = api.request("GET", "/v1/issues?limit=2", token).body

    page = api.request("GET", "/v1/issues?limit=2&offset=1", token)

    assert page.status == 200
    assert (page.body["limit"], page.body["offset"], page.body["total"]) == (2, 1, first["total"])
    assert page.body["issues"][0] == first["issues"][1]
