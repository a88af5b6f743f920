"""What the OpenAPI document says of the API's HTTP conventions: ``Idempotency-Key`` on every POST,
and the headers of their successful answers (``Location`` on a 201, ``Idempotent-Replayed``); an
assessment's ``ETag`` and ``If-Match``, the merge patch's media type, and ``Retry-After`` on a 429 the
API itself answers."""

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


ETAG: dict[str, Any] = {
    "description": "The assessment's version, a strong validator: send it back in `If-Match` to edit only that "
    "version (a reviewer's answers only; a candidate's carry none)",
    "schema": {"type": "string", "examples": ['"3"']},
}
IF_MATCH_PARAMETER: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag of the version you read (or `*`): the edit applies only to that version, else 412 "
    "precondition_failed. Without it the edit applies to whatever the assessment is now: the last edit wins.",
}
RETRY_AFTER: dict[str, Any] = {
    "description": "Seconds until the request may succeed",
    "schema": {"type": "integer", "minimum": 1},
}
# Routes whose success carries the assessment's ETag, and the one that takes If-Match.
ETAG_ROUTES = frozenset({"create_assessment", "get_assessment", "update_assessment"})
MERGE_PATCH = "application/merge-patch+json"


def describe_conventions(route: Route, operation: dict[str, Any]) -> None:
    """Add the idempotency header to a POST operation and its success's response headers; an assessment's
    ETag and If-Match, its merge patch's media type; Retry-After on the 429 the API answers."""
    success = operation["responses"][str(route.status)]
    headers = success.setdefault("headers", {})
    if route.name in ETAG_ROUTES:
        headers["ETag"] = ETAG
    if route.method == "PATCH":
        operation.setdefault("parameters", []).append(IF_MATCH_PARAMETER)
        content = operation["requestBody"]["content"]
        content[MERGE_PATCH] = content["application/json"]
    throttled = operation["responses"].get("429", {})
    if any(code not in ("throttled", "quota_exceeded") for code in _codes(throttled)):
        throttled.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
    if not headers:
        del success["headers"]
    if not route.idempotent:
        return
    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY_PARAMETER)
    headers = success.setdefault("headers", {})
    if route.status == HTTPStatus.CREATED:
        headers["Location"] = LOCATION
    headers[REPLAYED_HEADER] = REPLAYED


def _codes(response: dict[str, Any]) -> list[str]:
    """The error codes a response of the document lists (its schema's enum of ``code``)."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return [
        code for part in schema.get("allOf", []) for code in part.get("properties", {}).get("code", {}).get("enum", [])
    ]
