"""The issue catalog endpoints and issue-backed assessments."""

from __future__ import annotations

import pytest

from shared import catalog
from tests.support import ORG_A, SEED_BODY, call

pytestmark = pytest.mark.usefixtures("table")

ISSUE_FIELDS = {
    "id",
    "source",
    "repoUrl",
    "repoSlug",
    "issueNumber",
    "issueTitle",
    "issueUrl",
    "language",
    "difficulty",
    "skillTags",
    "estimatedMinutes",
    "taskBrief",
    "setupInstructions",
}


def test_list_issues_defaults_to_twenty_with_the_total() -> None:
    status, payload = call("list_issues")

    assert status == 200
    assert payload["total"] == len(catalog.all_issues())
    assert len(payload["issues"]) == min(20, payload["total"])
    assert (payload["limit"], payload["offset"]) == (20, 0)
    assert set(payload["issues"][0]) == ISSUE_FIELDS


def test_list_issues_filters_and_pages() -> None:
    python_issues = [issue.id for issue in catalog.filter_issues(language="python")]

    _, first = call("list_issues", query="language=python&limit=2")
    _, second = call("list_issues", query="language=python&limit=2&offset=2")

    assert first["total"] == len(python_issues)
    assert [issue["id"] for issue in first["issues"] + second["issues"]] == python_issues[:4]


@pytest.mark.parametrize("query", ["limit=0", "limit=51", "offset=-1", "difficulty=impossible"])
def test_list_issues_rejects_bad_parameters(query: str) -> None:
    status, payload = call("list_issues", query=query)

    assert status == 400
    assert payload["details"][0]["path"] == [query.split("=", maxsplit=1)[0]]


def test_get_issue_and_unknown_issue() -> None:
    issue = catalog.all_issues()[0]

    assert call("get_issue", path={"issue_id": issue.id}) == (
        200,
        {"issue": issue.model_dump(mode="json", by_alias=True)},
    )
    assert call("get_issue", path={"issue_id": "nope-1"})[0] == 404


def test_issue_brief_takes_precedence_and_the_snapshot_reads_back() -> None:
    issue = catalog.all_issues()[0]

    status, created = call("create_assessment", ORG_A, body={**SEED_BODY, "issueId": issue.id})

    assert status == 201
    assert created["assessment"]["taskBrief"] == issue.task_brief
    assert created["assessment"]["issueId"] == issue.id
    assert created["assessment"]["issue"] == issue.model_dump(mode="json", by_alias=True)
    _, read = call("get_assessment", path={"assessment_id": created["assessment"]["id"]})
    assert read["assessment"]["issue"] == issue.model_dump(mode="json", by_alias=True)
    _, listed = call("list_assessments")
    assert listed["assessments"][0]["issue"]["id"] == issue.id


def test_issue_id_alone_is_enough_for_a_brief() -> None:
    issue = catalog.all_issues()[-1]

    status, created = call("create_assessment", body={"title": "T", "role": "R", "issueId": issue.id})

    assert status == 201
    assert created["assessment"]["taskBrief"] == issue.task_brief


def test_unknown_issue_id_is_a_400_issue_not_found() -> None:
    status, payload = call("create_assessment", body={**SEED_BODY, "issueId": "left-pad-1"})

    assert status == 400
    assert payload["code"] == "issue_not_found"
    assert payload["details"][0]["path"] == ["issueId"]
