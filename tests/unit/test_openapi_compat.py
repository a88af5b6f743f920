"""The compatibility gate's comparer on small documents: what breaks a client of the older one, and what does not."""

from __future__ import annotations

import copy
from typing import Any

from infra.openapi_compat import breaking_changes, compare

BASELINE: dict[str, Any] = {
    "openapi": "3.1.0",
    "paths": {
        "/v1/things": {
            "post": {
                "parameters": [{"name": "dryRun", "in": "query", "required": False, "schema": {"type": "boolean"}}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewThing"}}},
                },
                "responses": {
                    "201": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "400": {
                        "content": {
                            "application/json": {
                                "schema": {"properties": {"code": {"type": "string", "enum": ["validation_error"]}}}
                            }
                        }
                    },
                },
            }
        }
    },
    "components": {
        "schemas": {
            "NewThing": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 100},
                    "size": {"anyOf": [{"type": "integer", "maximum": 10}, {"type": "null"}]},
                },
            },
            "Thing": {
                "type": "object",
                "required": ["id", "name", "colour"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "colour": {"type": "string", "enum": ["red", "blue"]},
                },
            },
        }
    },
}


def _changed(edit: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASELINE)
    edit(document)
    return document


def _schemas(document: dict[str, Any]) -> dict[str, Any]:
    schemas: dict[str, Any] = document["components"]["schemas"]
    return schemas


def _operation(document: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"]["/v1/things"]["post"]
    return operation


def test_the_same_document_has_no_change() -> None:
    assert compare(BASELINE, copy.deepcopy(BASELINE)) == []


def test_a_removed_response_field_breaks() -> None:
    current = _changed(lambda document: _schemas(document)["Thing"]["properties"].pop("colour"))

    assert [str(change) for change in breaking_changes(BASELINE, current)] == [
        "POST /v1/things response 201 body.colour: field removed"
    ]


def test_a_changed_status_breaks() -> None:
    def answer_200(document: dict[str, Any]) -> None:
        responses = _operation(document)["responses"]
        responses["200"] = responses.pop("201")

    assert [str(change) for change in breaking_changes(BASELINE, _changed(answer_200))] == [
        "POST /v1/things response 201: status removed"
    ]


def test_a_new_required_request_field_breaks() -> None:
    def require_owner(document: dict[str, Any]) -> None:
        _schemas(document)["NewThing"]["properties"]["owner"] = {"type": "string"}
        _schemas(document)["NewThing"]["required"].append("owner")

    assert [str(change) for change in breaking_changes(BASELINE, _changed(require_owner))] == [
        "POST /v1/things request body.owner: required field added"
    ]


def test_an_added_optional_request_field_passes_and_is_listed_as_an_addition() -> None:
    current = _changed(lambda document: _schemas(document)["NewThing"]["properties"].update(note={"type": "string"}))

    changes = compare(BASELINE, current)

    assert [(str(change), change.breaking) for change in changes] == [
        ("POST /v1/things request body.note: field added", False)
    ]


def test_a_removed_parameter_an_optional_field_made_required_and_a_removed_enum_value_break() -> None:
    def narrow(document: dict[str, Any]) -> None:
        _operation(document)["parameters"] = []
        _schemas(document)["NewThing"]["required"].append("size")
        _schemas(document)["Thing"]["properties"]["colour"]["enum"] = ["red"]

    assert sorted(str(change) for change in breaking_changes(BASELINE, _changed(narrow))) == [
        "POST /v1/things query parameter dryRun: removed",
        "POST /v1/things request body.size: now required",
        'POST /v1/things response 201 body.colour: enum value removed: "blue"',
    ]


def test_a_narrowed_request_type_or_bound_breaks_and_a_widened_one_does_not() -> None:
    def narrow(document: dict[str, Any]) -> None:
        _schemas(document)["NewThing"]["properties"]["name"]["maxLength"] = 50
        _schemas(document)["NewThing"]["properties"]["size"] = {"type": "integer", "maximum": 20}

    def widen(document: dict[str, Any]) -> None:
        _schemas(document)["NewThing"]["properties"]["name"]["maxLength"] = 200
        _schemas(document)["NewThing"]["properties"]["size"]["anyOf"][0] = {"type": "number"}

    assert sorted(str(change) for change in breaking_changes(BASELINE, _changed(narrow))) == [
        "POST /v1/things request body.name: maxLength lowered to 50",
        "POST /v1/things request body.size: no longer accepts null",
    ]
    assert breaking_changes(BASELINE, _changed(widen)) == []


def test_a_response_that_may_now_be_null_or_absent_breaks() -> None:
    def loosen(document: dict[str, Any]) -> None:
        _schemas(document)["Thing"]["properties"]["name"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
        _schemas(document)["Thing"]["required"].remove("id")

    assert sorted(str(change) for change in breaking_changes(BASELINE, _changed(loosen))) == [
        "POST /v1/things response 201 body.id: may now be absent",
        "POST /v1/things response 201 body.name: may now be null",
    ]


def test_a_removed_operation_breaks_and_an_added_one_does_not() -> None:
    def move(document: dict[str, Any]) -> None:
        document["paths"]["/v1/items"] = document["paths"].pop("/v1/things")

    assert [(str(change), change.breaking) for change in compare(BASELINE, _changed(move))] == [
        ("POST /v1/things: operation removed", True),
        ("POST /v1/items: operation added", False),
    ]
