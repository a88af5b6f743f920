"""The curated OSS issue catalog: shipped with the code as JSON, parsed once, served from memory."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import TypeAdapter

from shared.models.issues import Issue

_CATALOG_FILE = Path(__file__).with_name("issues.json")


@cache
def all_issues() -> tuple[Issue, ...]:
    """Every issue in the catalog, sorted by id (as UTF-8 bytes, the order cursors resume in)."""
    issues = TypeAdapter(tuple[Issue, ...]).validate_json(_CATALOG_FILE.read_bytes())
    return tuple(sorted(issues, key=lambda issue: issue.id.encode()))


@cache
def _by_id() -> dict[str, Issue]:
    return {issue.id: issue for issue in all_issues()}


def find_issue(issue_id: str) -> Issue | None:
    """The catalog issue with this id, if there is one."""
    return _by_id().get(issue_id)


def filter_issues(language: str | None = None, difficulty: str | None = None) -> list[Issue]:
    """Issues matching every filter given (case-insensitive), in catalog order."""
    return [
        issue
        for issue in all_issues()
        if (language is None or issue.language == language.lower())
        and (difficulty is None or issue.difficulty == difficulty.lower())
    ]
