"""The curated OSS issue catalog: shipped with the code as JSON, parsed once, served from memory."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import TypeAdapter

from shared.domain.paging import encode_name_cursor
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


def page_of_issues(
    language: str | None, difficulty: str | None, limit: int, after: bytes | None, offset: int = 0
) -> tuple[list[Issue], int, str | None]:
    """A page of the matching issues after the id ``after`` (UTF-8, compared as bytes) and ``offset`` more,
    how many match in all, and the cursor of the next page."""
    matching = filter_issues(language=language, difficulty=difficulty)
    rest = [issue for issue in matching if after is None or issue.id.encode() > after][offset:]
    page = rest[:limit]
    next_cursor = encode_name_cursor(page[-1].id) if len(rest) > limit else None
    return page, len(matching), next_cursor
