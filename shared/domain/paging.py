"""Opaque cursors and the response budget every paged list shares."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from shared import ids
from shared.errors import InvalidInputError

# Lambda refuses responses over 6 MB; stay clear of it with room for the envelope.
RESPONSE_BUDGET_BYTES = 5 * 1024 * 1024

ItemT = TypeVar("ItemT")


def encode_cursor(last_id: str) -> str:
    """The cursor that resumes after the item with ``last_id``."""
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The id a cursor resumes after. It only ever addresses the caller's own partition, so a
    forged one can at worst skip ahead in the caller's own data."""
    if cursor is None:
        return None
    try:
        last_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        last_id = ""
    if ids.canonical_uuid(last_id) != last_id:
        raise InvalidInputError.for_field(("cursor",), "invalid_cursor", "not a cursor this API returned")
    return last_id


def within_budget(
    page: Sequence[ItemT], resume_after: str | None, size: Callable[[ItemT], int], item_id: Callable[[ItemT], str]
) -> tuple[list[ItemT], str | None]:
    """The page cut where its JSON would pass the response budget (escaping can make a page
    several times larger than DynamoDB's 1 MB read), and the cursor of what follows."""
    total = 0
    for index, item in enumerate(page):
        total += size(item)
        if total > RESPONSE_BUDGET_BYTES and index > 0:
            return list(page[:index]), encode_cursor(item_id(page[index - 1]))
    return list(page), encode_cursor(resume_after) if resume_after else None
