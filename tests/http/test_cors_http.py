"""The local server answers a browser's preflight as the stack's API Gateway does: itself, without credentials."""

from __future__ import annotations

import pytest

from shared import cors
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

APP, ADMIN = "https://app.acme.com", "https://admin.acme.com"


def preflight(api: Api, path: str, origin: str) -> tuple[int, dict[str, str]]:
    answer = api.request(
        "OPTIONS",
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x"},
    )
    return answer.status, answer.headers


def test_the_preflight_needs_no_credentials_and_names_the_allowed_origin(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cors.ORIGINS_VARIABLE, f"{APP},{ADMIN}")

    status, headers = preflight(api, "/v1/assessments", ADMIN)

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == ADMIN
    assert headers["Access-Control-Allow-Methods"] == "POST,GET,OPTIONS"
    assert headers["Access-Control-Max-Age"] == str(cors.MAX_AGE_SECONDS)
    allowed = {name.strip().lower() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "x-api-key", "idempotency-key", "content-type", "if-match"} <= allowed


def test_a_preflight_from_another_origin_names_one_the_browser_will_refuse(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cors.ORIGINS_VARIABLE, f"{APP},{ADMIN}")

    status, headers = preflight(api, "/v1/sessions/0190/complete", "https://evil.example")

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == APP
    assert headers["Access-Control-Allow-Methods"] == "POST,OPTIONS"


def test_without_origins_there_is_no_preflight(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cors.ORIGINS_VARIABLE, raising=False)

    status, _ = preflight(api, "/v1/assessments", APP)

    assert status == 405  # the path takes other methods, and OPTIONS is none of them


def test_a_preflight_on_no_path_of_the_api_is_not_found(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cors.ORIGINS_VARIABLE, APP)

    status, _ = preflight(api, "/v1/nothing", APP)

    assert status == 404


def test_the_actual_call_carries_the_origin(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cors.ORIGINS_VARIABLE, APP)
    token = new_token("org_cors")

    created = api.request("POST", "/v1/assessments", token, SEED_BODY, headers={"Origin": APP})

    assert created.status == 201
    assert created.headers["Access-Control-Allow-Origin"] == APP
