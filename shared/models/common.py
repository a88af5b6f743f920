"""Building blocks of the API contract: camelCase JSON, strict requests, shared field types."""

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

_ACRONYMS = {"id": "ID", "url": "URL"}


def _field_title(name: str, _: object) -> str:
    """A field's title in the document: ``repo_url`` is "Repo URL", not "Repourl"."""
    words = [_ACRONYMS.get(word, word) for word in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


class ApiModel(BaseModel):
    """A JSON object of the API: snake_case in Python, camelCase on the wire."""

    # Validators are built on first use: a function uses few of the models the modules it imports define.
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        frozen=True,
        field_title_generator=_field_title,
        defer_build=True,
    )


class RequestModel(ApiModel):
    """A request body: strict JSON types ("120" is not an integer) and no unknown fields, the
    snake_case spellings of its fields included (``task_brief`` is not ``taskBrief``)."""

    model_config = ConfigDict(strict=True, extra="forbid", validate_by_name=False, validate_by_alias=True)


# The patterns below are checked with Python's ``re`` and published as is in the OpenAPI document,
# so what the document promises and what the validators accept cannot drift apart. Every pattern of the
# functions is compiled on first use (``re`` keeps it compiled), never as a module loads: compiling these
# few at import cost every function 0.01 of the bare boto3 floor.

# White space as JSON Schema's regex dialect (ECMA-262) defines \s, spelled out because Python's \s
# and str.strip() also count the separators U+001C-U+001F and U+0085.
WHITE_SPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Text with something besides white space in it.
NOT_BLANK_PATTERN = rf"[^{WHITE_SPACE}]"
# An http(s) URI (RFC 3986) with a host name (no user:password@, which has no place in a stored link),
# an optional port, and a path, query and fragment of the characters RFC 3986 allows, %-escapes included.
URI_CHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
HTTP_URL_PATTERN = (
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
    rf"(?:/{URI_CHAR}*)*(?:\?(?:{URI_CHAR}|[/?])*)?(?:#(?:{URI_CHAR}|[/?])*)?$"
)
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# Cursors: see shared.domain.paging.
CURSOR_PATTERN = r"^[0-9a-f]{32}$"
NAME_CURSOR_PATTERN = r"^(?:[0-9a-f]{2}){1,100}$"
NEXT_CURSOR_DESCRIPTION = "Pass it as `cursor` for the next page; null on the last page."
CURSOR_DESCRIPTION = (
    "Where the page starts: the `nextCursor` of the page before, passed unchanged (opaque; any other value of "
    "this shape resumes somewhere in the same list). Omit it for the first page."
)


def matches(pattern: str, code: str, message: str) -> AfterValidator:
    """A validator accepting exactly the strings ``pattern`` matches (searched, as JSON Schema does)."""
    # In JSON Schema's regex dialect a final $ is the end of the text; in Python's it also matches
    # before a final newline, so it is read as \Z here.
    python_pattern = pattern.removesuffix("$") + r"\Z" if pattern.endswith("$") else pattern

    def check(value: str) -> str:
        if not re.search(python_pattern, value):
            raise PydanticCustomError(code, message)
        return value

    return AfterValidator(check)


def _canonical_uuid(value: str) -> str:
    return value.lower()


def _whole_number(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# JSON Schema's integer is any number without a fraction, 7.0 included; strict pydantic takes only 7.
WHOLE_NUMBER = BeforeValidator(_whole_number)


def is_blank(value: str) -> bool:
    """Whether ``value`` is only white space (as the document's patterns define it)."""
    return not re.search(NOT_BLANK_PATTERN, value)


def not_blank(value: str) -> str:
    """Refuse text that is only white space."""
    if is_blank(value):
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _valid_port(value: str) -> str:
    """Refuse a port the pattern lets through but no server can listen on (0, or above 65535)."""
    try:
        valid = urlsplit(value).port != 0
    except ValueError:
        valid = False
    if not valid:
        raise PydanticCustomError("url", "must be an http(s) URL with a valid port")
    return value


# Where a field also refuses blank text, the document says so.
NOT_BLANK = Field(json_schema_extra={"pattern": NOT_BLANK_PATTERN})

Name = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(not_blank), NOT_BLANK]
HttpUrl = Annotated[
    str,
    StringConstraints(max_length=2048),
    matches(HTTP_URL_PATTERN, "url", "must be an http(s) URL with a host name"),
    AfterValidator(_valid_port),
    Field(json_schema_extra={"format": "uri", "pattern": HTTP_URL_PATTERN}),
]
UuidString = Annotated[
    str,
    matches(UUID_PATTERN, "uuid", "must be a UUID (8-4-4-4-12 hex digits)"),
    AfterValidator(_canonical_uuid),
    Field(json_schema_extra={"format": "uuid", "pattern": UUID_PATTERN}),
]


class Deleted(ApiModel):
    """The answer to a successful DELETE."""

    ok: Literal[True] = True
    id: str
