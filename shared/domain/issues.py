"""The curated OSS issue catalog as reviewers browse it: filtered, in id order, a page at a time."""

from __future__ import annotations

from shared import catalog
from shared.domain.paging import decode_name_cursor, encode_name_cursor
from shared.models.issues import Issue


def list_issues(
    language: str | None, difficulty: str | None, limit: int, cursor: str | None, offset: int = 0
) -> tuple[list[Issue], int, str | None]:
    """A page of the matching issues after the cursor's (ids compared as UTF-8 bytes) and ``offset``
    more (v1's first paging), how many match in all, and the cursor of the next page."""
    after = decode_name_cursor(cursor)
    matching = catalog.filter_issues(language=language, difficulty=difficulty)
    rest = [issue for issue in matching if after is None or issue.id.encode() > after][offset:]
    page = rest[:limit]
    next_cursor = encode_name_cursor(page[-1].id) if len(rest) > limit else None
    return page, len(matching), next_cursor
