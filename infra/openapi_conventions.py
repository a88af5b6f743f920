"""What the OpenAPI document says of the API's HTTP conventions: ``Idempotency-Key`` on every POST,
and the headers of their successful answers (``Location`` on a 201, ``Idempotent-Replayed``)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from shared.idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER
from shared.routes import Route

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "Makes a retry safe: for 24 hours the same key with the same request answers what the first "
    "answered, with Idempotent-Replayed: true; with another request it is 422 idempotency_key_reused, and while "
    "the first still runs 409 idempotency_key_in_progress. Keys belong to the caller and the route.",
}
LOCATION: dict[str, Any] = {"description": "The new resource's path", "schema": {"type": "string"}}
REPLAYED: dict[str, Any] = {
    "description": f"true when this is the kept answer to an earlier request with the same {HEADER}",
    "schema": {"type": "string", "enum": ["true"]},
}


def describe_conventions(route: Route, operation: dict[str, Any]) -> None:
    """Add the idempotency header to a POST operation, and its success's response headers."""
    if not route.idempotent:
        return
    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
    success = operation["responses"][str(route.status)]
    headers = success.setdefault("headers", {})
    if route.status == HTTPStatus.CREATED:
        headers["Location"] = LOCATION
    headers[REPLAYED_HEADER] = REPLAYED
