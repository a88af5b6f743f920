"""The OpenAPI document of the whole API, merged from the schemas the handlers' resolvers generate.

``python -m infra.openapi`` (``make openapi``) writes it to ``openapi.json`` at the repository root
and to ``shared/openapi.json``, the copy the functions ship with and serve at ``GET /v1/openapi.json``
(rendered for people at ``GET /v1/docs``). No CDK here."""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import sys
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from pydantic import BaseModel, Field

from infra.openapi_conventions import describe_conventions
from infra.openapi_examples import examples
from infra.paths import REPO_ROOT
from shared import catalog, docs
from shared.auth import API_TOKEN_PREFIX, API_TOKEN_SHAPE, KEY_CODE_ALPHABET
from shared.error_codes import BY_CODE
from shared.http import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS
from shared.models.common import UUID_PATTERN
from shared.models.shares import SHARE_TOKEN_PATTERN
from shared.models.webhook_events import (
    AssessmentWebhookEvent,
    ErasureWebhookEvent,
    InvitationWebhookEvent,
    SessionWebhookEvent,
)
from shared.models.webhooks import PingWebhookEvent
from shared.routes import ROUTES, Auth, Route
from shared.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER

DOCUMENT_PATH = REPO_ROOT / "openapi.json"
TITLE = "Promptster Assessments API"
DESCRIPTION = (
    "Technical hiring assessments: organisations create assessments and issue one-time candidate keys; "
    "candidates redeem a key to start, then complete, their session. Every error answers with the same envelope."
)

SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "apiToken": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": API_TOKEN_SHAPE,
        "description": f"An organisation's API token: `Authorization: Bearer {API_TOKEN_PREFIX}…`, where "
        f"`{API_TOKEN_PREFIX}` is followed by 32 to 128 ASCII letters, digits, `-` or `_` (tokens minted by "
        "`python -m infra.tokens create` have 40). Anything else is refused without a lookup.",
    },
    "candidateKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": f"A candidate's one-time key, `PST-XXXX-XXXX`: each X one of `{KEY_CODE_ALPHABET}` "
        "(no I, L, O or U). Any case, white space around it ignored.",
    },
}

SHARE_TOKEN_EXAMPLE = "q3b2Yx0LrJm0c9kV8wZc1uQe7HtFz5aN4sDpG6iRb2E"  # noqa: S105 - a documentation example

# Alternatives in an OpenAPI security list are OR-ed.
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.REVIEWER: [{"apiToken": []}],
    Auth.CANDIDATE: [{"candidateKey": []}],
    Auth.REVIEWER_OR_CANDIDATE: [{"apiToken": []}, {"candidateKey": []}],
    Auth.PUBLIC: [],
}

# Status -> what it means; each operation lists the codes it can answer under each status.
ERROR_STATUSES: dict[str, str] = {
    "400": "Invalid request; `details` names each offending field",
    "401": "Missing or invalid credentials, or the wrong kind for this route",
    "403": "Credentials that may not do this now",
    "404": "No such resource (also another organisation's, or a deleted one)",
    "409": "The request conflicts with the resource's current state",
    "412": "The resource changed since the version `If-Match` names; read it again",
    "413": "The request body (or a part of it) is larger than the route takes",
    "422": "The Idempotency-Key was used before with another request",
    "429": "Throttled; retry with backoff",
    "500": "Internal server error (no details are disclosed)",
    "503": "A service the request needs timed out or is throttled; retry after `Retry-After` seconds",
}
# What every route can answer: bodies are checked (and size-limited) whatever the route, API Gateway
# and the firewall answer before any function runs.
COMMON_CODES: dict[str, tuple[str, ...]] = {
    "400": ("validation_error", "invalid_encoding", "too_deep", "number_too_long", "bad_request"),
    "401": ("unauthorized",),
    "403": ("forbidden", "request_blocked"),
    "413": ("payload_too_large",),
    "429": ("throttled", "quota_exceeded"),
    "500": ("internal_error",),
    "503": ("unavailable",),
}
# What each route's domain function adds (shared/domain/*: the codes of the errors it raises).
_KEY_REFUSED = ("key_revoked", "key_expired")
ROUTE_CODES: dict[str, dict[str, tuple[str, ...]]] = {
    "create_assessment": {"400": ("issue_not_found", "rubric_not_found"), "409": ("conflict",)},
    "list_assessments": {},
    "get_assessment": {"401": ("invalid_key",), "403": _KEY_REFUSED, "404": ("not_found",)},
    "update_assessment": {
        "400": ("issue_not_found", "rubric_not_found"),
        "404": ("not_found",),
        "409": ("conflict",),
        "412": ("precondition_failed",),
    },
    "delete_assessment": {"404": ("not_found",), "409": ("conflict",)},
    "generate_keys": {"404": ("not_found",), "409": ("conflict",)},
    "list_keys": {"404": ("not_found",)},
    "revoke_key": {"404": ("not_found",), "409": ("session_finished", "conflict")},
    "resend_invitation": {
        "404": ("not_found",),
        "409": ("no_email", "key_not_pending", "invite_queued", "conflict"),
        "429": ("resend_limited",),
    },
    "list_sessions": {"404": ("not_found",)},
    "start_session": {
        "401": ("invalid_key",),
        "403": (*_KEY_REFUSED, "assessment_deleted"),
        "404": ("not_found",),
        "409": ("session_completed", "deadline_passed", "key_changed"),
    },
    "get_session": {"404": ("not_found",)},
    "complete_session": {
        "403": ("key_revoked",),
        "404": ("not_found",),
        "409": ("session_completed", "deadline_passed", "conflict"),
    },
    "extend_session": {"404": ("not_found",), "409": ("session_finished", "no_deadline", "conflict")},
    "score_session": {"404": ("not_found",), "409": ("no_rubric", "session_not_finished")},
    "create_rubric": {},
    "list_rubrics": {},
    "get_rubric": {"404": ("not_found",)},
    "delete_rubric": {"404": ("not_found",), "409": ("rubric_in_use",)},
    "list_issues": {},
    "get_issue": {"404": ("not_found",)},
    "ingest_events": {
        "400": ("event_out_of_range",),
        "404": ("not_found",),
        "409": ("session_finished", "event_limit_reached", "write_conflict"),
        "413": ("event_too_large",),
    },
    "get_timeline": {"404": ("not_found",)},
    "get_assessment_stats": {"404": ("not_found",)},
    "erase_candidate": {"409": ("conflict",)},
    "create_webhook": {"400": ("url_not_allowed",), "409": ("too_many_webhooks",)},
    "list_webhooks": {},
    "get_webhook": {"404": ("not_found",)},
    "delete_webhook": {"404": ("not_found",)},
    "test_webhook": {"404": ("not_found",), "409": ("webhook_disabled",)},
    "list_webhook_deliveries": {"404": ("not_found",)},
    "get_report": {"404": ("not_found",)},
    "create_share": {"404": ("not_found",)},
    "list_shares": {"404": ("not_found",)},
    "revoke_share": {"404": ("not_found",)},
    "get_shared_report": {"404": ("not_found",)},
    "list_audit": {},
    "get_openapi": {},
    "get_docs": {},
}
# What an Idempotency-Key adds to every POST.
IDEMPOTENCY_CODES: dict[str, tuple[str, ...]] = {
    "400": ("invalid_idempotency_key",),
    "409": ("idempotency_key_in_progress",),
    "422": ("idempotency_key_reused",),
}
# Routes whose success is not JSON.
SUCCESS_MEDIA_TYPES: dict[str, str] = {
    "get_docs": "text/html",
    "get_report": "text/html",
    "get_shared_report": "text/html",
}
# Answers besides the route's success status.
OTHER_SUCCESSES: dict[str, tuple[str, str]] = {
    "start_session": ("200", "The key's session had already started: the same session, to resume"),
}
PATH_PARAMETERS: dict[str, tuple[str, str]] = {
    "assessment_id": ("The assessment's id (a UUID).", "01234567-89ab-cdef-0123-456789abcdef"),
    "key_id": ("The key's `id` (a UUID; not its code).", "0195f3a2-c1e8-7c3a-9b5d-2f4e6a8c0b1d"),
    "session_id": ("The session's id (a UUID).", "0195f3a4-0b2c-7d1e-8f3a-5b6c7d8e9f01"),
    "rubric_id": ("The rubric's id (a UUID).", "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a"),
    "webhook_id": ("The webhook's id (a UUID).", "0195f3b1-4c2d-7e8f-9a0b-1c2d3e4f5a6b"),
    "share_id": ("The share link's `id` (a UUID; not its token).", "0195f3c0-2b1a-7d9e-8c7b-6a5f4e3d2c1b"),
}
TOKEN_PARAMETER: dict[str, Any] = {
    "description": "The share link's token: the last part of the `url` `POST /v1/sessions/{id}/share` answered, "
    "43 URL-safe characters. Any other value, and an unknown, expired or revoked token, is a 404.",
    "schema": {"type": "string", "pattern": SHARE_TOKEN_PATTERN, "examples": [SHARE_TOKEN_EXAMPLE]},
}


def body_rules(route: Route) -> str:
    """What every body of ``route`` must be, before its schema."""
    return (
        f"Bodies are UTF-8 JSON of at most {route.max_body_bytes // 1024} KiB, nested at most {MAX_JSON_DEPTH} "
        f"deep, with numbers of at most {MAX_NUMBER_DIGITS} digits; whatever the Content-Type, a body is read as JSON."
    )


# What Powertools documents for its own validation errors; ours are 400s with the envelope instead.
_POWERTOOLS_VALIDATION = ("422", ("HTTPValidationError", "ValidationError", "ResponseValidationError"))


class ErrorDetail(BaseModel):
    """One problem with one field of the request."""

    path: list[str | int] = Field(description="Where the problem is, e.g. ['timeLimitMinutes']")
    code: str = Field(description="Machine-readable problem, e.g. int_type, missing, extra_forbidden")
    message: str


class Error(BaseModel):
    """The body of every non-2xx answer, API Gateway's own ones included."""

    error: str = Field(description="Human-readable message")
    code: str = Field(description="Machine-readable error code, e.g. validation_error, not_found")
    request_id: str = Field(alias="requestId", description="The request's id, as in the logs")
    details: list[ErrorDetail] = Field(default_factory=list, description="Present on validation errors only")


def _resolver(route: Route) -> APIGatewayRestResolver:
    module = importlib.import_module(f"functions.{route.name}.handler")
    resolver: APIGatewayRestResolver = module.app
    return resolver


def error_codes(route: Route) -> dict[str, tuple[str, ...]]:
    """Status -> every error code the route can answer with it."""
    common = COMMON_CODES
    if route.auth is Auth.PUBLIC:  # no credentials to refuse
        common = {status: codes for status, codes in common.items() if status not in ("401", "403")}
    if not route.table_actions:  # no service to wait for
        common = {status: codes for status, codes in common.items() if status != "503"}
    added = [ROUTE_CODES[route.name], IDEMPOTENCY_CODES if route.idempotent else {}]
    statuses = sorted(set(common).union(*added))
    return {status: common.get(status, ()) + sum((codes.get(status, ()) for codes in added), ()) for status in statuses}


def _described(status: str, codes: tuple[str, ...]) -> str:
    """The status's meaning and each code's, from the one list of codes (a code not there is a bug)."""
    for code in codes:
        if int(status) not in BY_CODE[code].statuses:
            raise ValueError(f"{code} is not a {status} in shared/error_codes.py")
    meanings = "; ".join(f"`{code}`: {BY_CODE[code].meaning[:1].lower()}{BY_CODE[code].meaning[1:]}" for code in codes)
    return f"{ERROR_STATUSES[status]}. {meanings}."


def _error_responses(route: Route) -> dict[str, dict[str, Any]]:
    return {
        status: {
            "description": _described(status, codes),
            "content": {
                "application/json": {
                    "schema": {
                        "allOf": [
                            {"$ref": "#/components/schemas/Error"},
                            {"properties": {"code": {"enum": list(codes)}}},
                        ]
                    }
                }
            },
        }
        for status, codes in error_codes(route).items()
    }


def _handler_description(route: Route) -> str:
    """The handler module's docstring, without the method and path it starts with."""
    docstring = importlib.import_module(f"functions.{route.name}.handler").__doc__ or ""
    text = " ".join(docstring.split()).removeprefix(f"{route.method} {route.path}:").strip()
    return text[:1].upper() + text[1:]


def _parameters(operation: dict[str, Any]) -> None:
    """Path parameters described; optional query parameters as plain values (a query string has no null)."""
    for parameter in operation.get("parameters", []):
        schema = parameter["schema"]
        if parameter["in"] == "path" and parameter["name"] in PATH_PARAMETERS:
            description, example = PATH_PARAMETERS[parameter["name"]]
            parameter["description"] = description
            parameter["schema"] = {"type": "string", "format": "uuid", "pattern": UUID_PATTERN, "examples": [example]}
        elif parameter["in"] == "path" and parameter["name"] == "token":
            parameter.update(copy.deepcopy(TOKEN_PARAMETER))
        elif parameter["in"] == "path":
            parameter["schema"] = {"type": "string", "minLength": 1}
        not_null = [branch for branch in schema.get("anyOf", []) if branch.get("type") != "null"]
        if len(not_null) == 1:
            parameter["schema"] = {**{k: v for k, v in schema.items() if k != "anyOf"}, **not_null[0]}
        parameter["schema"].pop("title", None)
        for bound in ("minimum", "maximum"):
            if isinstance(parameter["schema"].get(bound), float):
                parameter["schema"][bound] = int(parameter["schema"][bound])


def _examples(route: Route, operation: dict[str, Any]) -> None:
    if route.auth is Auth.PUBLIC:  # the document and its page describe the API: no example of themselves
        return
    request, response = examples()[route.name]
    if request is not None:
        operation["requestBody"]["content"]["application/json"]["example"] = request
    success = operation["responses"][str(route.status)]
    success["content"][SUCCESS_MEDIA_TYPES.get(route.name, "application/json")]["example"] = response


def _describe(route: Route, operation: dict[str, Any]) -> None:
    """Name the operation after its function, state who may call it, its errors and an example."""
    operation["operationId"] = route.name
    operation["tags"] = [route.path.split("/")[2]]
    operation["description"] = _handler_description(route)
    operation["security"] = SECURITY[route.auth]
    responses = operation["responses"]
    responses.pop(_POWERTOOLS_VALIDATION[0], None)
    success = responses[str(route.status)]
    success["description"] = route.summary
    if route.name in SUCCESS_MEDIA_TYPES:
        success["content"] = {SUCCESS_MEDIA_TYPES[route.name]: {"schema": {"type": "string"}}}
    if route.name in OTHER_SUCCESSES:
        status, description = OTHER_SUCCESSES[route.name]
        responses[status] = {**success, "description": description}
    responses.update(_error_responses(route))
    operation["responses"] = dict(sorted(responses.items()))
    if "requestBody" in operation:
        operation["requestBody"]["description"] = body_rules(route)
    _parameters(operation)
    _examples(route, operation)
    describe_conventions(route, operation)


def _components(document: dict[str, Any]) -> None:
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    referenced = json.dumps(document["paths"])
    for name in _POWERTOOLS_VALIDATION[1]:
        if f"#/components/schemas/{name}" not in referenced:
            schemas.pop(name, None)
    error_schema = Error.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    schemas.update(error_schema.pop("$defs", {}))
    schemas["Error"] = error_schema
    _catalog_ids(schemas["CreateAssessmentRequest"]["properties"]["issueId"])
    components["securitySchemes"] = SECURITY_SCHEMES


def _catalog_ids(issue_id: dict[str, Any]) -> None:
    """The catalog's ids as ``issueId``'s enum: the catalog ships with the code, so the list is the rule."""
    for branch in issue_id.get("anyOf", [issue_id]):
        if branch.get("type") == "string":
            branch["enum"] = [issue.id for issue in catalog.all_issues()]


# What a webhook endpoint receives, by event type: OpenAPI 3.1's ``webhooks``.
WEBHOOK_EVENTS: dict[str, type[BaseModel]] = {
    "session.started": SessionWebhookEvent,
    "session.completed": SessionWebhookEvent,
    "session.scored": SessionWebhookEvent,
    "session.extended": SessionWebhookEvent,
    "assessment.deleted": AssessmentWebhookEvent,
    "invitation.failed": InvitationWebhookEvent,
    "candidate.erased": ErasureWebhookEvent,
    "ping": PingWebhookEvent,
}
_WEBHOOK_HEADERS = [
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": True,
        "description": '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the webhook\'s '
        "secret>`. Verify it on the raw body, in constant time, and refuse a `t` more than 5 minutes old.",
        "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
    },
    {
        "name": EVENT_ID_HEADER,
        "in": "header",
        "required": True,
        "description": "The event's `id`: the same on every delivery of one event (delivery is at least once).",
        "schema": {"type": "string"},
    },
]


def _webhooks(document: dict[str, Any]) -> None:
    """The deliveries a registered endpoint receives, one POST per event type."""
    schemas = document["components"]["schemas"]
    webhooks: dict[str, Any] = {}
    for event_type, model in WEBHOOK_EVENTS.items():
        schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        schemas[model.__name__] = schema
        webhooks[event_type] = {
            "post": {
                "operationId": f"receive_{event_type.replace('.', '_')}",
                # No credential: the receiver proves the sender by the signature header.
                "security": [],
                "summary": f"A `{event_type}` event",
                "description": model.__doc__ or "",
                "parameters": _WEBHOOK_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
                },
                "responses": {
                    "2XX": {"description": "Received, within 5 seconds. Anything else is retried for about a day."},
                    "410": {"description": "The endpoint is gone: the webhook is disabled, nothing more is sent."},
                },
            }
        }
    document["webhooks"] = webhooks


@cache
def openapi_document() -> dict[str, Any]:
    """The whole API's OpenAPI document, one operation per route of the route table.

    Built once per process; callers must not modify it."""
    merge = OpenAPIMerge(
        title=TITLE,
        version=version("promptster-assessments"),
        description=DESCRIPTION,
        on_conflict="error",  # two functions claiming one method and path is a bug in the route table
    )
    for route in ROUTES:
        schema = _resolver(route).get_openapi_schema()
        merge.add_schema(schema.model_dump(mode="json", by_alias=True, exclude_none=True))
    document = merge.get_openapi_schema()
    for route in ROUTES:
        _describe(route, document["paths"][route.path][route.method.lower()])
    _components(document)
    _webhooks(document)
    return document


def render(document: dict[str, Any]) -> str:
    """The document as committed: indented, UTF-8, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.openapi", description="Write the API's OpenAPI document.")
    parser.add_argument(
        "--output", type=Path, help="write there only (default: openapi.json at the repo root and shared/openapi.json)"
    )
    output: Path | None = parser.parse_args(argv).output
    for path in [output] if output else [DOCUMENT_PATH, docs.DOCUMENT_PATH]:
        path.write_text(render(openapi_document()), encoding="utf-8")
        print(f"Wrote {path} ({len(openapi_document()['paths'])} paths)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
