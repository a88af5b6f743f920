"""The curated issue catalog is well-formed real data and filters as documented."""

from __future__ import annotations

import re

from shared import catalog


def test_catalog_has_at_least_twelve_consistent_github_issues() -> None:
    issues = catalog.all_issues()

    assert len(issues) >= 12
    assert len({issue.id for issue in issues}) == len(issues)
    for issue in issues:
        assert issue.repo_url == f"https://github.com/{issue.repo_slug}"
        assert issue.issue_url == f"{issue.repo_url}/issues/{issue.issue_number}"
        assert re.fullmatch(r"[a-z0-9-]+-\d+", issue.id)
        assert issue.id.endswith(f"-{issue.issue_number}")
        assert len(issue.task_brief.split()) >= 40
        assert issue.setup_instructions.strip()
        assert 0 < issue.estimated_minutes <= 480
        assert issue.skill_tags


def test_catalog_spans_languages_and_difficulties() -> None:
    issues = catalog.all_issues()

    assert len({issue.language for issue in issues}) >= 3
    assert {issue.difficulty for issue in issues} == {"easy", "medium", "hard"}


def test_filters_combine_and_ignore_case() -> None:
    python_easy = catalog.filter_issues(language="Python", difficulty="EASY")

    assert python_easy
    assert all(issue.language == "python" and issue.difficulty == "easy" for issue in python_easy)
    assert len(catalog.filter_issues()) == len(catalog.all_issues())
    assert catalog.filter_issues(language="cobol") == []


def test_find_issue_by_id() -> None:
    first = catalog.all_issues()[0]

    assert catalog.find_issue(first.id) == first
    assert catalog.find_issue("no-such-issue-1") is None
