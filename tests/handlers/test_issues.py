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
    assert set(payload["issues"][0]) == ISSUE_FIELDS


def test_list_issues_filters_and_pages_with_a_cursor_keeping_the_total() -> None:
    python_issues = [issue.id for issue in catalog.filter_issues(language="python")]
    assert len(python_issues) > 2

    seen: list[str] = []
    cursor = None
    for _ in range(len(python_issues)):
        status, page = call("list_issues", query="language=python&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200
        assert page["total"] == len(python_issues)
        assert len(page["issues"]) <= 2
        seen += [issue["id"] for issue in page["issues"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break

    assert seen == python_issues


def test_any_cursor_of_the_documented_shape_resumes_in_id_order() -> None:
    ids = [issue.id for issue in catalog.all_issues()]

    _, page = call("list_issues", query=f"limit=50&cursor={ids[2].encode().hex()}")
    _, past_the_end = call("list_issues", query="cursor=ffff")

    assert [issue["id"] for issue in page["issues"]] == ids[3:]
    assert page["nextCursor"] is None
    assert (past_the_end["issues"], past_the_end["total"]) == ([], len(ids))


def test_offset_paging_as_v1_first_served_it_still_works() -> None:
    python_issues = [issue.id for issue in catalog.filter_issues(language="python")]

    status, page = call("list_issues", query="language=python&limit=2&offset=1")

    assert status == 200
    assert [issue["id"] for issue in page["issues"]] == python_issues[1:3]
    assert (page["total"], page["limit"], page["offset"]) == (len(python_issues), 2, 1)


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=51", "difficulty=impossible", "cursor=abc", "cursor=zz", "offset=-1"]
)
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
