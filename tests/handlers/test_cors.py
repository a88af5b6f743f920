"""Browser origins: the functions' answers carry ``Access-Control-Allow-Origin`` for an allowed origin only."""

from __future__ import annotations

import pytest

from shared import cors
from tests.support import ORG_A, SEED_BODY, candidate_for, create_assessment, generate_keys, invoke

pytestmark = pytest.mark.usefixtures("table")

APP = "https://app.acme.com"


@pytest.fixture(autouse=True)
def origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cors.ORIGINS_VARIABLE, f"{APP}, https://admin.acme.com")


def test_an_allowed_origin_is_named_in_the_answer_with_the_headers_its_script_may_read() -> None:
    answer = invoke("create_assessment", body=SEED_BODY, headers=[("Origin", APP)])

    assert answer.status == 201
    assert answer.headers["Access-Control-Allow-Origin"] == APP
    assert answer.headers["Access-Control-Expose-Headers"] == "Location,Idempotent-Replayed,ETag,Retry-After"
    assert answer.headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", ["https://evil.example", "https://app.acme.com.evil.example", "null"])
def test_any_other_origin_gets_no_cors_headers(origin: str) -> None:
    answer = invoke("list_assessments", headers=[("Origin", origin)])

    assert answer.status == 200
    assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_without_configured_origins_no_answer_carries_cors_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cors.ORIGINS_VARIABLE)

    answer = invoke("list_assessments", headers=[("Origin", APP)])

    assert "Access-Control-Allow-Origin" not in answer.headers


def test_errors_carry_them_too_so_a_browser_can_read_the_envelope() -> None:
    not_found = invoke("get_assessment", path={"assessment_id": "nope"}, headers=[("origin", APP)])
    wrong_caller = invoke("create_assessment", principal=None, body=SEED_BODY, headers=[("Origin", APP)])
    too_deep = invoke("create_assessment", raw_body="[" * 40, headers=[("Origin", APP)])

    assert (not_found.status, wrong_caller.status, too_deep.status) == (404, 401, 400)
    for answer in (not_found, wrong_caller, too_deep):
        assert answer.headers["Access-Control-Allow-Origin"] == APP


def test_a_candidate_route_answers_the_allowed_origin() -> None:
    [key] = generate_keys(create_assessment(ORG_A)["id"], 1)

    answer = invoke("start_session", candidate_for(key), headers=[("Origin", "https://admin.acme.com")])

    assert answer.headers["Access-Control-Allow-Origin"] == "https://admin.acme.com"
