"""The committed OpenAPI document is current and describes every route of the table (no CDK here)."""

from __future__ import annotations

import json
from unittest.mock import ANY

from infra.openapi import DOCUMENT_PATH, SECURITY, SUCCESS_MEDIA_TYPES, error_codes, openapi_document
from shared import docs
from shared.models.assessments import SEED_EXAMPLE_REQUEST
from shared.models.candidate_keys import EMAIL_PATTERN
from shared.models.common import HTTP_URL_PATTERN
from shared.routes import ROUTES, Auth


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


def test_every_operation_documents_its_errors_with_the_envelope_and_their_codes() -> None:
    document = openapi_document()

    for route in ROUTES:
        responses = document["paths"][route.path][route.method.lower()]["responses"]
        # Validation errors are 400s with the envelope; a 422 only ever means a reused Idempotency-Key.
        assert ("422" in responses) == route.idempotent
        assert {"400", "413", "429", "500"} <= set(responses)
        assert ("401" in responses) == (route.auth is not Auth.PUBLIC)
        for status, codes in error_codes(route).items():
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema["allOf"][0] == {"$ref": "#/components/schemas/Error"}
            assert schema["allOf"][1]["properties"]["code"]["enum"] == list(codes)
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


def test_conflicts_are_documented_only_where_a_route_changes_the_table() -> None:
    for route in ROUTES:
        if "409" in error_codes(route):
            assert route.writes, route.name


def test_create_assessment_carries_the_seeds_example_and_states_the_brief_or_issue_rule() -> None:
    document = openapi_document()
    operation = document["paths"]["/v1/assessments"]["post"]

    assert operation["requestBody"]["content"]["application/json"]["example"] == SEED_EXAMPLE_REQUEST
    created = operation["responses"]["201"]["content"]["application/json"]["example"]["assessment"]
    assert created["id"] == "01234567-89ab-cdef-0123-456789abcdef"
    request = document["components"]["schemas"]["CreateAssessmentRequest"]
    assert (request["if"]["required"], request["else"]["required"]) == (["issueId"], ["taskBrief"])
    assert "Rule: provide a `taskBrief` (not blank) or an `issueId`" in request["description"]
    assert request["properties"]["taskBrief"]["title"] == "Task brief"


def test_every_route_has_an_example_response_that_its_models_produced() -> None:
    document = openapi_document()

    for route in ROUTES:
        if route.auth is Auth.PUBLIC:
            continue  # the document and its page describe the API itself
        success = document["paths"][route.path][route.method.lower()]["responses"][str(route.status)]
        assert success["content"][SUCCESS_MEDIA_TYPES.get(route.name, "application/json")]["example"], route.name


def test_the_report_pages_are_documented_as_html_and_the_shared_one_needs_no_credential() -> None:
    paths = openapi_document()["paths"]

    for path in ("/v1/sessions/{session_id}/report", "/v1/reports/{token}"):
        operation = paths[path]["get"]
        assert operation["responses"]["200"]["content"] == {
            "text/html": {"schema": {"type": "string"}, **({"example": ANY} if "session_id" in path else {})}
        }
        assert set(operation["responses"]["404"]["content"]) == {"application/json"}
    assert paths["/v1/reports/{token}"]["get"]["security"] == []
    assert paths["/v1/sessions/{session_id}/report"]["get"]["security"] == [{"apiToken": []}]


def test_request_bodies_are_single_objects_that_client_generators_read() -> None:
    schemas = openapi_document()["components"]["schemas"]

    for name in [name for name in schemas if name.endswith("Request")]:
        assert schemas[name]["type"] == "object", name
        assert not {"anyOf", "oneOf"} & set(schemas[name]), name
        for field, schema in schemas[name]["properties"].items():
            assert schema.get("description"), f"{name}.{field}"


def test_the_keys_rules_are_stated_in_words() -> None:
    request = openapi_document()["components"]["schemas"]["GenerateKeysRequest"]

    assert "lists exactly `count`" in request["description"]
    assert request["dependentRequired"] == {"candidateNames": ["candidateEmails"]}


def test_rules_the_validators_enforce_are_in_the_document() -> None:
    schemas = openapi_document()["components"]["schemas"]

    repo_url = schemas["CreateAssessmentRequest"]["properties"]["repoUrl"]["anyOf"][0]
    assert (repo_url["format"], repo_url["pattern"]) == ("uri", HTTP_URL_PATTERN)
    rubric_id = schemas["CreateAssessmentRequest"]["properties"]["rubricId"]["anyOf"][0]
    assert rubric_id["format"] == "uuid"
    weight = schemas["CriterionRequest"]["properties"]["weight"]
    assert (weight["minimum"], weight["maximum"], weight["multipleOf"]) == (0.01, 100, 0.01)
    score = schemas["CriterionScore"]["properties"]["score"]
    assert (score["minimum"], score["maximum"], score["multipleOf"]) == (0, 100, 0.01)
    emails = schemas["GenerateKeysRequest"]["properties"]["candidateEmails"]["anyOf"][0]["items"]
    assert emails["pattern"] == EMAIL_PATTERN
    assert "unique" in schemas["CreateRubricRequest"]["properties"]["criteria"]["description"]
