"""The OpenAPI document of the whole API, merged from the schemas the handlers' resolvers generate.

``python -m infra.openapi`` (``make openapi``) writes it to ``openapi.json`` at the repository root
and to ``shared/openapi.json``, the copy the functions ship with and serve at ``GET /v1/openapi.json``
(rendered for people at ``GET /v1/docs``). No CDK here."""

from __future__ import annotations

import argparse
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
from infra.paths import REPO_ROOT
from shared import docs
from shared.http import MAX_BODY_BYTES
from shared.routes import ROUTES, Auth, Route

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
        "description": "An organisation's API token (psk_live_…), minted by an operator with python -m infra.tokens",
    },
    "candidateKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A candidate's one-time key (PST-XXXX-XXXX)",
    },
}
# Alternatives in an OpenAPI security list are OR-ed.
SECURITY: dict[Auth, list[dict[str, list[str]]]] = {
    Auth.REVIEWER: [{"apiToken": []}],
    Auth.CANDIDATE: [{"candidateKey": []}],
    Auth.REVIEWER_OR_CANDIDATE: [{"apiToken": []}, {"candidateKey": []}],
    Auth.PUBLIC: [],
}

# Status -> (name in components/responses, description); which ones an operation lists is decided below.
ERROR_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "Invalid request: `validation_error`, with `details` naming each offending field"),
    "401": ("Unauthorized", "Missing or invalid credentials, or the wrong kind for this route"),
    "403": ("Forbidden", "Valid credentials that may not use this route"),
    "404": ("NotFound", "No such resource (also another organisation's, or a deleted one)"),
    "409": ("Conflict", "The request conflicts with the resource's current state"),
    "413": ("PayloadTooLarge", f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB"),
    "429": ("TooManyRequests", "Throttled; retry with backoff"),
    "500": ("InternalError", "Internal server error (no details are disclosed)"),
}
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


def _error_responses(route: Route, operation: dict[str, Any]) -> dict[str, dict[str, str]]:
    statuses = [status for status in ERROR_RESPONSES if status not in ("409", "413")]
    if route.writes:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("413")
    return {status: {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"} for status in sorted(statuses)}


def _describe(route: Route, operation: dict[str, Any]) -> None:
    """Name the operation after its function, state who may call it, and list the errors it answers."""
    operation["operationId"] = route.name
    operation["tags"] = [route.path.split("/")[2]]
    operation["security"] = SECURITY[route.auth]
    responses = operation["responses"]
    responses.pop(_POWERTOOLS_VALIDATION[0], None)
    responses.update(_error_responses(route, operation))
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
    components["responses"] = {
        name: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for name, description in ERROR_RESPONSES.values()
    }
    components["securitySchemes"] = SECURITY_SCHEMES


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
