"""Building blocks of the API contract: camelCase JSON, strict requests, shared field types."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError


class ApiModel(BaseModel):
    """A JSON object of the API: snake_case in Python, camelCase on the wire."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, frozen=True)


class RequestModel(ApiModel):
    """A request body: strict JSON types ("120" is not an integer) and no unknown fields, the
    snake_case spellings of its fields included (``task_brief`` is not ``taskBrief``)."""

    model_config = ConfigDict(strict=True, extra="forbid", validate_by_name=False, validate_by_alias=True)


def not_blank(value: str) -> str:
    """Refuse text that is only white space."""
    if not value.strip():
        raise PydanticCustomError("blank", "must not be blank")
    return value


def _http_url(value: str) -> str:
    """An absolute http(s) URL a browser follows as written: a host, a valid port, no white space or
    control characters (urlsplit would quietly keep or drop them)."""
    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a bad IPv6 host or a port out of range
        valid = False
    if not valid or any(char.isspace() or not char.isprintable() for char in value):
        raise PydanticCustomError("url", "must be an http(s) URL")
    return value


def _uuid(value: str) -> str:
    try:
        if len(value) <= 45:
            return str(uuid.UUID(value))
    except ValueError:
        pass
    raise PydanticCustomError("uuid", "must be a UUID")


Name = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(not_blank)]
HttpUrl = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_http_url)]
UuidString = Annotated[str, AfterValidator(_uuid)]


class Deleted(ApiModel):
    """The answer to a successful DELETE."""

    ok: Literal[True] = True
    id: str
