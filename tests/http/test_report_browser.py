"""The report in a real browser: Debian's Chromium, headless, driven by Playwright, opens the page the local
server serves (to a reviewer, and through a share link) with no console error, no request but the page's
own, no script run by anything a candidate wrote, and prints on A4 and Letter. In CI a missing Chromium is
a failure (.ci/run installs it); elsewhere the test is skipped with how to install it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, sync_playwright

from tests.http.conftest import Api
from tests.support import SEED_BODY, instant, new_token

CHROMIUM = Path("/usr/bin/chromium")
# Nothing of the browser's own (updates, sync, metrics) may reach the network: the test counts requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)></style>\u202e'


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; .ci/run installs it before make test")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Visit:
    """What one page load did: the requests it made, what its console said, the dialogs it opened."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def visit(browser: Browser, url: str, headers: dict[str, str] | None = None) -> tuple[Page, Visit]:
    page = browser.new_page(viewport={"width": 1100, "height": 900}, extra_http_headers=headers or {})
    seen = Visit()
    page.on("request", lambda request: seen.requests.append(_url(request)))
    page.on("console", lambda message: _console(message, seen))
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("dialog", lambda dialog: _dialog(dialog, seen))
    response = page.goto(url, wait_until="load")
    assert response is not None
    assert response.status == 200
    return page, seen


def _url(request: Request) -> str:
    return request.url


def _console(message: ConsoleMessage, seen: Visit) -> None:
    if message.type in ("error", "warning"):
        seen.errors.append(f"{message.type}: {message.text}")


def _dialog(dialog: Dialog, seen: Visit) -> None:
    seen.dialogs.append(dialog.message)
    dialog.dismiss()


@pytest.fixture(scope="module")
def scored(api: Api) -> dict[str, Any]:
    """A reviewer's token, and a scored session of a candidate whose name and prompt are hostile."""
    token = new_token("org_browser")
    rubric = {"name": "R", "criteria": [{"name": "Correctness", "weight": 3}, {"name": "Tests", "weight": 1}]}
    rubric_id = api.request("POST", "/v1/rubrics", token, rubric).body["rubric"]["id"]
    assessment = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric_id}).body
    body = {"count": 1, "candidateEmails": ["ada@example.com"], "candidateNames": ["Ada " + HOSTILE]}
    [key] = api.request("POST", f"/v1/assessments/{assessment['assessment']['id']}/keys", token, body).body["keys"]
    candidate = {"X-API-Key": key["key"]}
    session_id = api.request("POST", "/v1/sessions", headers=candidate).body["session"]["id"]
    events = [
        {
            "id": str(uuid.uuid4()),
            "type": kind,
            "at": instant(second),
            "source": "hook",
            "data": data,
        }
        for second, kind, data in [  # seconds into a session started just now
            (1, "prompt", {"text": "Write the handler " + HOSTILE}),
            (5, "tool_call", {"tool": "Edit"}),
            (8, "test_run", {"passed": False, "command": "pytest -q"}),
            (12, "test_run", {"passed": True, "command": "pytest -q"}),
            (14, "decision", {"title": "Conditional put " + HOSTILE, "rationale": HOSTILE}),
        ]
    ]
    assert api.request("POST", f"/v1/sessions/{session_id}/events", body={"events": events}, headers=candidate).status
    done = api.request("POST", f"/v1/sessions/{session_id}/complete", body={"notes": HOSTILE}, headers=candidate).status
    assert done == 200
    score = {"criteria": [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 70}], "comment": HOSTILE}
    assert api.request("PUT", f"/v1/sessions/{session_id}/score", token, score).status == 200
    url = api.request("POST", f"/v1/sessions/{session_id}/share", token).body["url"]
    return {"token": token, "session_id": session_id, "share_url": url}


def test_the_reviewers_report_loads_with_no_console_error_and_no_request_but_its_own(
    browser: Browser, api: Api, scored: dict[str, Any], tmp_path: Path
) -> None:
    url = f"{api.base_url}/v1/sessions/{scored['session_id']}/report"

    page, seen = visit(browser, url, {"Authorization": f"Bearer {scored['token']}"})

    assert seen.requests == [url]
    assert seen.errors == []
    assert seen.dialogs == []
    assert page.locator("h1").count() == 1
    assert page.locator("script").count() == 0
    assert page.locator("img").count() == 0
    assert "ada@example.com" in page.inner_text("body")
    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    page.close()


def test_a_share_links_report_loads_alone_and_prints_on_a4_and_letter(
    browser: Browser, scored: dict[str, Any], tmp_path: Path
) -> None:
    page, seen = visit(browser, scored["share_url"])

    assert seen.requests == [scored["share_url"]]
    assert (seen.errors, seen.dialogs) == ([], [])
    text = page.inner_text("body")
    assert "<script>alert(1)</script>" in text  # what the candidate wrote, shown as text
    assert "ada@example.com" not in text
    page.emulate_media(media="print")
    page.screenshot(path=str(tmp_path / "shared-print.png"), full_page=True)
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        assert pdf.startswith(b"%PDF")
        assert b"/Count " in pdf
    assert seen.requests == [scored["share_url"]]  # printing fetched nothing either
    page.close()
