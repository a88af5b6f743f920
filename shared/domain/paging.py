"""Opaque cursors and the response budget every paged list shares.

A cursor names the last item of the page before: a stored item's id (a UUID) as 32 hex digits, or
a catalog issue's id as the hex of its UTF-8. Any string of that shape is a cursor that works (it
resumes after whatever sorts there), so the document's pattern says exactly what is accepted."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import TypeVar

from shared.errors import InvalidInputError
from shared.models.common import CURSOR_PATTERN, NAME_CURSOR_PATTERN

# Lambda refuses responses over 6 MB; stay clear of it with room for the envelope.
RESPONSE_BUDGET_BYTES = 5 * 1024 * 1024

ItemT = TypeVar("ItemT")


def encode_cursor(last_id: str) -> str:
    """The cursor that resumes after the item with the UUID ``last_id``."""
    return uuid.UUID(last_id).hex


def decode_cursor(cursor: str | None) -> str | None:
    """The id (canonical UUID) a cursor resumes after. It only ever addresses the caller's own
    partition, so a forged one can at worst skip ahead in the caller's own data."""
    if cursor is None:
        return None
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise _invalid_cursor()
    return str(uuid.UUID(hex=cursor))


def encode_name_cursor(last_name: str) -> str:
    """The cursor that resumes after the item named ``last_name`` (any text id)."""
    return last_name.encode().hex()


def decode_name_cursor(cursor: str | None) -> bytes | None:
    """The UTF-8 of the name a name cursor resumes after (compared as bytes: any such cursor works)."""
    if cursor is None:
        return None
    if not re.fullmatch(NAME_CURSOR_PATTERN, cursor):
        raise _invalid_cursor()
    return bytes.fromhex(cursor)


def _invalid_cursor() -> InvalidInputError:
    return InvalidInputError.for_field(("cursor",), "invalid_cursor", "not a cursor this API returned")


def within_budget(
    page: Sequence[ItemT],
    resume_after: str | None,
    size: Callable[[ItemT], int],
    item_id: Callable[[ItemT], str],
    encode: Callable[[str], str] = encode_cursor,
) -> tuple[list[ItemT], str | None]:
    """The page cut where its JSON would pass the response budget (escaping can make a page
    several times larger than DynamoDB's 1 MB read), and the cursor of what follows."""
    total = 0
    for index, item in enumerate(page):
        total += size(item)
        if total > RESPONSE_BUDGET_BYTES and index > 0:
            return list(page[:index]), encode(item_id(page[index - 1]))
    return list(page), encode(resume_after) if resume_after else None
