"""The report pages over real HTTP on the local server: a reviewer's page, a share link made there that
points back at the server it was made on and opens without a credential, and an access log that never
keeps a token."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from infra.local.gateway import LocalGateway
from infra.local.server import LocalServer
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict[str, str]
    text: str


def fetch(url: str, token: str | None = None) -> Fetched:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Fetched(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read().decode())


@pytest.fixture(scope="module")
def session(api: Api) -> tuple[str, str]:
    """A reviewer's token and a session of Ada's, started."""
    token = new_token("org_reports_http")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    body = {"count": 1, "candidateEmails": ["ada@example.com"], "candidateNames": ["Ada Lovelace"]}
    [key] = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, body).body["keys"]
    started = api.request("POST", "/v1/sessions", headers={"X-API-Key": key["key"]})
    return token, started.body["session"]["id"]


def test_a_reviewer_gets_the_page_with_its_headers_over_http(api: Api, session: tuple[str, str]) -> None:
    token, session_id = session

    page = fetch(f"{api.base_url}/v1/sessions/{session_id}/report", token)

    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    assert "Session report: Ada Lovelace" in page.text
    assert fetch(f"{api.base_url}/v1/sessions/{session_id}/report").status == 401


def test_a_share_link_points_at_the_server_it_was_made_on_and_opens_without_a_credential(
    api: Api, session: tuple[str, str]
) -> None:
    token, session_id = session

    created = api.request("POST", f"/v1/sessions/{session_id}/share", token)
    page = fetch(created.body["url"])

    assert created.status == 201
    assert created.body["url"].startswith(f"{api.base_url}/v1/reports/")
    assert page.status == 200
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert "Ada Lovelace" in page.text
    assert "ada@example.com" not in page.text


def test_an_unknown_token_is_a_404_in_the_error_envelope(api: Api) -> None:
    answer = fetch(f"{api.base_url}/v1/reports/{'A' * 43}")

    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.text)["code"] == "not_found"


@pytest.fixture
def logging_server() -> Iterator[str]:
    """A second local server on the same table, writing its access log."""
    server = LocalServer(("127.0.0.1", 0), LocalGateway(), access_log=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_access_log_keeps_the_route_of_a_share_link_but_never_its_token(
    api: Api, session: tuple[str, str], logging_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    token, session_id = session
    url = api.request("POST", f"/v1/sessions/{session_id}/share", token).body["url"]
    link_token = url.rsplit("/", 1)[1]

    assert fetch(f"{logging_server}/v1/reports/{link_token}").status == 200
    assert fetch(f"{logging_server}/v1/reports/{link_token}?again=1").status == 400

    logged = capsys.readouterr().err
    assert 'GET /v1/reports/… HTTP/1.1" 200' in logged
    assert 'GET /v1/reports/…?again=1 HTTP/1.1" 400' in logged
    assert link_token not in logged
