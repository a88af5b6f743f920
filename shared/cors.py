"""Cross-origin access for browser clients: which origins a stack allows, and the headers they get.

API Gateway answers the preflight (``OPTIONS``) itself, without the authorizer; the functions add
``Access-Control-Allow-Origin`` to their answers for an allowed origin only. The stack sets the
allowed origins in ``PROMPTSTER_CORS_ORIGINS`` (from ``-c corsOrigins=…``); none by default."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence

from aws_lambda_powertools.event_handler import CORSConfig

ORIGINS_VARIABLE = "PROMPTSTER_CORS_ORIGINS"
# What a browser may send on a cross-origin call, and what its script may read from the answer.
ALLOW_HEADERS = ("Authorization", "X-API-Key", "Idempotency-Key", "Content-Type", "If-Match")
EXPOSE_HEADERS = ("Location", "Idempotent-Replayed", "ETag", "Retry-After")
MAX_AGE_SECONDS = 600  # how long a browser may reuse a preflight's answer
# scheme://host[:port], exactly as a browser sends it in Origin: no path, no wildcard.
_ORIGIN = r"https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?"


def parse_origins(text: str) -> tuple[str, ...]:
    """The origins of a comma-separated list; ValueError names the first that is not one."""
    origins = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    for origin in origins:
        if not re.fullmatch(_ORIGIN, origin):
            raise ValueError(f"{origin!r} is not an origin (scheme://host[:port], lowercase, no path)")
    return origins


def allowed_origins() -> tuple[str, ...]:
    """The origins this deployment allows, read from the environment on each call."""
    return parse_origins(os.environ.get(ORIGINS_VARIABLE, ""))


class RouteCors(CORSConfig):
    """Powertools' CORS for the functions' answers, with the allowed origins read at request time."""

    def __init__(self) -> None:
        super().__init__(allow_origin="", allow_headers=list(ALLOW_HEADERS), expose_headers=list(EXPOSE_HEADERS))

    def allowed_origin(self, extracted_origin: str) -> str | None:
        return extracted_origin if extracted_origin in allowed_origins() else None

    def to_dict(self, origin: str | None) -> dict[str, str]:
        return response_headers(origin)


def response_headers(origin: str | None) -> dict[str, str]:
    """The CORS headers of an answer to a request from ``origin``: none unless it is allowed."""
    if not origin or origin not in allowed_origins():
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": ",".join(EXPOSE_HEADERS),
        "Vary": "Origin",
    }


def request_origin(headers: Mapping[str, str] | None) -> str | None:
    """The request's ``Origin`` header, whatever its case."""
    return next((value for name, value in (headers or {}).items() if name.lower() == "origin"), None)


def preflight_headers(origins: Sequence[str], origin: str | None, methods: Sequence[str]) -> dict[str, str]:
    """What API Gateway's mock integration answers a preflight with (CDK's ``add_cors_preflight``):
    the request's origin when it is allowed, else the first allowed one, which a browser refuses."""
    return {
        "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
        "Access-Control-Allow-Origin": origin if origin is not None and origin in origins else origins[0],
        "Vary": "Origin",
        "Access-Control-Allow-Methods": ",".join([*methods, "OPTIONS"]),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }
