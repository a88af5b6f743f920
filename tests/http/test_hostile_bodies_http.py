"""Bodies built to break the parser or the store get a 400 in the envelope over HTTP, never a 5xx."""

from __future__ import annotations

import json

import pytest

from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token


@pytest.fixture(scope="module")
def token(api: Api) -> str:
    return new_token("org_hostile")


def rubric_with_weight(weight: str) -> bytes:
    """A rubric body with ``weight`` written as is, so the JSON number is exactly the one sent."""
    return b'{"name": "R", "criteria": [{"name": "A", "weight": %s}]}' % weight.encode()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/assessments", b"\xff\xfe"),
        ("/v1/rubrics", b'{"name": "\xff\xfe"}'),
        ("/v1/assessments/%C3%A2%C3%A2/keys", b"\xff\xfe{}"),
    ],
)
def test_a_body_that_is_not_utf8_is_a_400(api: Api, token: str, path: str, body: bytes) -> None:
    result = api.request("POST", path, token, body)

    assert result.status == 400
    assert result.body["code"] == "invalid_encoding"
    assert result.body["details"] == [{"path": [], "code": "invalid_encoding", "message": "the body is not UTF-8 text"}]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/assessments", b"[" * 1000 + b"]" * 1000),
        ("/v1/rubrics", b'{"a":' * 1000 + b"1" + b"}" * 1000),
        ("/v1/rubrics", b"[" * 33 + b"]" * 33),
        ("/v1/assessments", b"[" * 60_000),
    ],
)
def test_json_nested_deeper_than_32_levels_is_a_400(api: Api, token: str, path: str, body: bytes) -> None:
    result = api.request("POST", path, token, body)

    assert result.status == 400
    assert result.body["code"] == "too_deep"


def test_32_levels_are_parsed_and_brackets_inside_strings_never_count(api: Api, token: str) -> None:
    at_the_limit = api.request("POST", "/v1/rubrics", token, b"[" * 32 + b"]" * 32)
    brief = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "taskBrief": '["{\\"' * 500})

    assert (at_the_limit.status, at_the_limit.body["code"]) == (400, "validation_error")
    assert brief.status == 201
    assert brief.body["assessment"]["taskBrief"] == '["{\\"' * 500


@pytest.mark.parametrize(
    "body",
    [
        b'{"title": "' + b'\\"' * 20_000,  # a string that never ends
        b'{"title": "x", "taskBrief": "' + b"[" * 40,
        b"{" + b'"' * 30_000,
    ],
)
def test_unterminated_strings_are_invalid_json(api: Api, token: str, body: bytes) -> None:
    result = api.request("POST", "/v1/assessments", token, body)

    assert result.status == 400
    assert result.body["code"] in ("validation_error", "too_deep")


def test_an_integer_too_long_to_convert_is_a_400(api: Api, token: str) -> None:
    seed = json.dumps({**SEED_BODY, "timeLimitMinutes": 0})
    with_minutes = [
        seed.replace('"timeLimitMinutes": 0', f'"timeLimitMinutes": {"9" * n}').encode() for n in (5_000, 1_000)
    ]
    too_long = api.request("POST", "/v1/assessments", token, with_minutes[0])
    long = api.request("POST", "/v1/assessments", token, with_minutes[1])
    quoted = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "taskBrief": "9" * 5_000})

    assert (too_long.status, too_long.body["code"]) == (400, "number_too_long")
    assert (long.status, long.body["details"][0]["path"]) == (400, ["timeLimitMinutes"])
    assert quoted.status == 201


@pytest.mark.parametrize(
    ("weight", "problem"),
    [
        ("1e-200", "greater_than_equal"),
        ("5e-324", "greater_than_equal"),
        ("0", "greater_than_equal"),
        ("-5", "greater_than_equal"),
        ("0.015", "multiple_of"),
        ("33.333", "multiple_of"),
        ("100.01", "less_than_equal"),
        ("1e400", "less_than_equal"),
    ],
)
def test_a_weight_outside_0_01_to_100_in_hundredths_is_a_400_naming_the_field(
    api: Api, token: str, weight: str, problem: str
) -> None:
    result = api.request("POST", "/v1/rubrics", token, rubric_with_weight(weight))

    assert result.status == 400
    assert result.body["details"][0]["path"] == ["criteria", 0, "weight"]
    assert result.body["details"][0]["code"] == problem


@pytest.mark.parametrize(
    ("weight", "stored"),
    [("0.01", 0.01), ("0.07", 0.07), ("0.07000000000000001", 0.07), ("99.99", 99.99), ("100", 100)],
)
def test_weights_in_hundredths_are_kept_as_sent(api: Api, token: str, weight: str, stored: float) -> None:
    created = api.request("POST", "/v1/rubrics", token, rubric_with_weight(weight))
    rubric_id = created.body["rubric"]["id"]

    assert created.status == 201
    assert api.request("GET", f"/v1/rubrics/{rubric_id}", token).body["rubric"]["criteria"][0]["weight"] == stored
    assert json.dumps(stored) in json.dumps(created.body)
