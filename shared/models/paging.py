"""The query parameters every list route pages with: ``limit`` and ``cursor`` (the answer carries ``nextCursor``)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.models.common import CURSOR_DESCRIPTION, CURSOR_PATTERN, NAME_CURSOR_PATTERN

Cursor = Annotated[
    str | None,
    Query(pattern=CURSOR_PATTERN, description=CURSOR_DESCRIPTION, examples=["0195f3a2c1e87c3a9b5d2f4e6a8c0b1d"]),
]
NameCursor = Annotated[
    str | None,
    Query(pattern=NAME_CURSOR_PATTERN, description=CURSOR_DESCRIPTION, examples=["666c61736b2d34303337"]),
]


def limit_description(default: int, maximum: int) -> str:
    return (
        f"The most items one page holds: 1 to {maximum}, {default} by default. A page may hold fewer (it also "
        "stops short of 5 MB of JSON); only a null `nextCursor` means the list is done."
    )
