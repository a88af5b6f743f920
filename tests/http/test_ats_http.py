"""Applicant tracking systems through the local server as ``make dev`` runs it: a fake Greenhouse and a fake
Ashby on 127.0.0.1 drive the whole cycle (list, send or start, the invitation email, the candidate's session,
the call back with the right credentials, the status with the report link and the score), each checking
what it sends and receives against its documented format."""

from __future__ import annotations

import email
import re
import time
import urllib.request
from collections.abc import Iterator
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from shared import settings
from tests.ats_fakes import FakeAshby, FakeGreenhouse, listening
from tests.http.conftest import Api, local_api
from tests.support import SEED_BODY, new_token

RUBRIC = {"name": "Backend", "criteria": [{"name": "Correctness", "weight": 3}, {"name": "Tests", "weight": 1}]}
SCORES = {"criteria": [{"name": "Correctness", "score": 80}, {"name": "Tests", "score": 90}]}
ASHBY_API_KEY = "ashby-live-key-0123456789abcdef"  # what the customer's Ashby account issued


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def api(maildir: Path) -> Iterator[Api]:
    with local_api("promptster-http-ats", maildir) as served:
        yield served


def key_mailed_to(folder: Path, address: str) -> str:
    """The key code in the invitation sent to ``address``, once it has arrived."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for path in folder.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if message["To"] == address:
                text = message.get_body(preferencelist=("plain",))
                assert text is not None
                found = re.search(r"PST-[0-9A-Z]{4}-[0-9A-Z]{4}", text.get_content())
                assert found is not None
                return found.group()
        time.sleep(0.05)
    raise AssertionError(f"no invitation to {address} in {folder}")


def an_assessment_with_a_rubric(api: Api, token: str) -> dict[str, Any]:
    rubric = api.request("POST", "/v1/rubrics", token, RUBRIC).body["rubric"]
    created = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "rubricId": rubric["id"]})
    assert created.status == 201, created.body
    return dict(created.body["assessment"])


def take_the_test(api: Api, code: str) -> str:
    """The candidate starts and completes their session; its id."""
    candidate = {"X-API-Key": code}
    started = api.request("POST", "/v1/sessions", headers=candidate)
    assert started.status == 201, started.body
    session_id = str(started.body["session"]["id"])
    done = api.request("POST", f"/v1/sessions/{session_id}/complete", headers=candidate, body={})
    assert done.status == 200, done.body
    return session_id


def an_integration(api: Api, token: str, body: dict[str, Any]) -> dict[str, Any]:
    created = api.request("POST", "/v1/integrations", token, body)
    assert created.status == 201, created.body
    return dict(created.body)


def test_greenhouse_sends_a_test_hears_it_completed_and_reads_the_report_link_and_score(
    api: Api, maildir: Path
) -> None:
    token = new_token("org_greenhouse")
    assessment = an_assessment_with_a_rubric(api, token)
    integration = an_integration(api, token, {"type": "greenhouse"})
    with listening() as callbacks:
        greenhouse = FakeGreenhouse(api.base_url, integration["apiKey"], callbacks)
        listed = greenhouse.list_tests()
        assert {
            "partner_test_id": assessment["id"],
            "partner_test_name": "Backend API Challenge (Senior Backend Engineer)",
        } in (listed.body)
        sent = greenhouse.send_test(assessment["id"], "harry@example.com")
        assert sent.status == 200, sent.body
        interview_id = sent.body["partner_interview_id"]
        assert greenhouse.send_test(assessment["id"], "Harry@Example.com").body == sent.body  # the same interview
        pending = greenhouse.test_status(interview_id)
        assert (pending.status, pending.body["partner_status"]) == (200, "pending")

        session_id = take_the_test(api, key_mailed_to(maildir, "harry@example.com"))
        completed_call = callbacks.wait_for(1)[0]
        greenhouse.check_callback(completed_call)
        complete = greenhouse.test_status(interview_id).body
        assert (complete["partner_status"], complete["partner_score"]) == ("complete", None)
        assert complete["metadata"]["Status"] == "completed"
        with urllib.request.urlopen(complete["partner_profile_url"], timeout=10) as report:
            assert report.status == 200
            assert "text/html" in report.headers["Content-Type"]

        scored = api.request("PUT", f"/v1/sessions/{session_id}/score", token, SCORES)
        assert scored.status == 200, scored.body
        greenhouse.check_callback(callbacks.wait_for(2)[1])
        after_scoring = greenhouse.test_status(interview_id).body

    assert after_scoring["partner_score"] == scored.body["session"]["score"]["totalScore"] == 82.5
    assert after_scoring["partner_profile_url"] == complete["partner_profile_url"]  # made once, then reused
    log = api.request("GET", f"/v1/integrations/{integration['id']}/deliveries", token).body["deliveries"]
    assert [(entry["type"], entry["statusCode"], entry["attempt"]) for entry in log] == [
        ("session.scored", 200, 1),
        ("session.completed", 200, 1),
    ]


def test_ashby_starts_an_assessment_and_hears_it_started_completed_and_scored(
    api: Api, maildir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = new_token("org_ashby")
    assessment = an_assessment_with_a_rubric(api, token)
    integration = an_integration(api, token, {"type": "ashby", "ashbyApiKey": ASHBY_API_KEY})
    with listening() as ashby_api:
        monkeypatch.setenv(settings.ASHBY_API_URL_VARIABLE, ashby_api.url)
        ashby = FakeAshby(api.base_url, integration["apiKey"], ASHBY_API_KEY, ashby_api)
        listed = ashby.list_assessments().body["results"]
        assert [entry["assessment_type_id"] for entry in listed] == [assessment["id"]]
        started = ashby.start(assessment["id"], "alex@example.com")
        assert started.status == 200, started.body
        assessment_id = started.body["results"]["assessment_id"]
        assert ashby.start(assessment["id"], "alex@example.com").body == started.body  # a retried start
        elsewhere = ashby.start(assessment["id"], "alex@example.com", application_id="app-2")
        assert (elsewhere.status, elsewhere.body["code"]) == (409, "already_assessed")

        session_id = take_the_test(api, key_mailed_to(maildir, "alex@example.com"))
        api.request("PUT", f"/v1/sessions/{session_id}/score", token, SCORES)
        updates = [ashby.check_update(call) for call in ashby_api.wait_for(3)]

    assert {update["assessment_id"] for update in updates} == {assessment_id}
    by_status = {
        update["assessment_status"]["value"]: update for update in updates if "assessment_result" not in update
    }
    assert set(by_status) == {"Started"}
    finished = [update for update in updates if "assessment_result" in update]
    results = sorted((update["assessment_result"]["type"], update["assessment_result"]["value"]) for update in finished)
    assert results == [("numeric_score", 82.5), ("string", "Completed, awaiting review")]
    links = {update["assessment_profile_url"]["value"] for update in finished}
    assert len(links) == 1  # one report link, made once
    durations = [
        value for update in finished for value in update["metadata"] if value["type"] == "numeric_duration_minutes"
    ]
    assert durations
    assert all(isinstance(value["value"], int | float) for value in durations)


def test_ashby_cancels_an_assessment_and_the_key_no_longer_opens_it(api: Api, maildir: Path) -> None:
    token = new_token("org_ashby_cancel")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    integration = an_integration(api, token, {"type": "ashby", "ashbyApiKey": ASHBY_API_KEY})
    with listening() as ashby_api:
        ashby = FakeAshby(api.base_url, integration["apiKey"], ASHBY_API_KEY, ashby_api)
        started = ashby.start(assessment["id"], "casey@example.com")
        code = key_mailed_to(maildir, "casey@example.com")

        cancelled = ashby.cancel(started.body["results"]["assessment_id"])
        again = ashby.cancel(started.body["results"]["assessment_id"])

    assert cancelled.status == again.status == 200
    refused = api.request("POST", "/v1/sessions", headers={"X-API-Key": code})
    assert (refused.status, refused.body["code"]) == (403, "key_revoked")
    restarted = FakeAshby(api.base_url, integration["apiKey"], ASHBY_API_KEY, ashby_api).start(
        assessment["id"], "casey@example.com", application_id="app-9"
    )
    assert restarted.status == 200  # a cancelled assessment holds no place: a new key is issued
    assert restarted.body != started.body


def test_a_deleted_integrations_key_is_refused_at_once(api: Api) -> None:
    token = new_token("org_revoking")
    integration = an_integration(api, token, {"type": "greenhouse"})
    with listening() as callbacks:
        greenhouse = FakeGreenhouse(api.base_url, integration["apiKey"], callbacks)
        assert greenhouse.list_tests().status == 200

        deleted = api.request("DELETE", f"/v1/integrations/{integration['id']}", token)

        refused = greenhouse.list_tests()
    assert deleted.status == 200
    assert (refused.status, refused.body["code"]) == (401, "unauthorized")
