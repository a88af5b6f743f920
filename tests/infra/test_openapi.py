"""The committed OpenAPI document is current and describes every route of the table (no CDK here)."""

from __future__ import annotations

import json

from infra.openapi import DOCUMENT_PATH, SECURITY, openapi_document
from shared import docs
from shared.routes import ROUTES


def test_the_committed_document_matches_a_fresh_build() -> None:
    committed = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))

    assert committed == openapi_document(), "openapi.json is stale: run `make openapi` and commit it"


def test_the_functions_ship_the_same_document() -> None:
    assert docs.DOCUMENT_PATH.read_bytes() == DOCUMENT_PATH.read_bytes(), "run `make openapi` and commit both"


def test_every_route_is_an_operation_named_after_its_function_with_its_security() -> None:
    paths = openapi_document()["paths"]

    operations = {(path, method.upper()) for path, item in paths.items() for method in item}
    assert operations == {(route.path, route.method) for route in ROUTES}
    for route in ROUTES:
        operation = paths[route.path][route.method.lower()]
        assert operation["operationId"] == route.name
        assert operation["summary"] == route.summary
        assert operation["security"] == SECURITY[route.auth]


def test_every_operation_documents_its_errors_with_the_envelope() -> None:
    document = openapi_document()

    for route in ROUTES:
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        assert "422" not in responses  # validation errors are 400s with the envelope
        assert {"400", "401", "429", "500"} <= set(responses)
        assert ("409" in responses) == route.writes
    error = document["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "code", "requestId"}
    assert document["components"]["securitySchemes"]["candidateKey"]["name"] == "X-API-Key"


def test_every_post_documents_its_idempotency_key_and_the_headers_of_its_answer() -> None:
    paths = openapi_document()["paths"]

    for route in ROUTES:
        operation = paths[route.path][route.method.lower()]
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        success = operation["responses"][str(route.status)].get("headers", {})
        assert ("Idempotency-Key" in headers) == route.idempotent
        assert ("Idempotent-Replayed" in success) == route.idempotent
        assert ("Location" in success) == (route.status == 201)
