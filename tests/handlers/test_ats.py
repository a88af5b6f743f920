"""The routes an ATS calls, against moto: one key per candidate and assessment (under retries and concurrent
calls), each organisation's integrations reaching its own data only, Greenhouse's and Ashby's errors, what
each call costs in DynamoDB requests, the logs; and the calls back to the ATS, through the stream, the queue
and the delivery worker."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from infra.local.webhooks import QueuePoller, Queues
from shared import settings
from shared.auth import Candidate, Integration, basic_authorization
from shared.consumer import EventConsumer
from shared.delivery_worker import DeliveryWorker
from shared.ids import email_digest
from shared.observability import logger
from shared.store.dynamo import table_name
from shared.store.integrations import IntegrationStore
from shared.webhooks.schedule import RETRY_DELAYS_SECONDS
from tests.ats_fakes import Listener, check_assessment_update, check_test_status, listening
from tests.conftest import TEST_HOSTS, RequestCounter
from tests.support import ORG_A, ORG_B, SEED_BODY, RecordingMailer, Stream, call, create_assessment, invoke

pytestmark = pytest.mark.usefixtures("table", "delivery_queue")

ASHBY_KEY = "ashby-secret-key-7f3a9c1e5b"
CALLBACK = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345"
RUBRIC = {"name": "Backend", "criteria": [{"name": "Correctness", "weight": 1}]}


def connect(kind: str, principal: Any = ORG_A) -> Integration:
    body = {"type": kind, **({"ashbyApiKey": ASHBY_KEY} if kind == "ashby" else {})}
    status, created = call("create_integration", principal, body=body)
    assert status == 201, created
    return Integration(org_id=principal.org_id, integration_id=created["id"], kind=kind)  # type: ignore[arg-type]


def send_test(
    caller: Integration, test_id: str, email: str = "harry@example.com", url: str = CALLBACK
) -> tuple[int, Any]:
    body = {
        "partner_test_id": test_id,
        "candidate": {"first_name": "Harry", "last_name": "Potter", "email": email, "phone_number": "1"},
        "url": url,
    }
    answer = invoke("greenhouse_send_test", caller, body=body)
    return answer.status, answer.body


def start(caller: Integration, assessment_id: str, email: str = "alex@example.com", application: str = "app-1") -> Any:
    body = {
        "assessment_type_id": assessment_id,
        "candidate": {"first_name": "Alex", "last_name": "Chen", "email": email},
        "application": {"ashby_id": application},
        "job": {"ashby_id": "job-1", "name": "Backend"},
    }
    return invoke("ashby_start_assessment", caller, body=body)


def test_status(caller: Integration, interview_id: str) -> tuple[int, Any]:
    answer = invoke("greenhouse_test_status", caller, query=f"partner_interview_id={interview_id}")
    return answer.status, answer.body


test_status.__test__ = False  # type: ignore[attr-defined] # a helper named as Greenhouse names the call


def keys_of(assessment_id: str) -> list[dict[str, Any]]:
    status, body = call("list_keys", path={"assessment_id": assessment_id})
    assert status == 200, body
    return list(body["keys"])


def a_finished_session(assessment_id: str, key_id: str) -> str:
    """The candidate of the key starts and completes their session; its id."""
    candidate = Candidate(org_id=ORG_A.org_id, assessment_id=assessment_id, key_id=key_id)
    session = invoke("start_session", candidate).body["session"]
    assert invoke("complete_session", candidate, path={"session_id": session["id"]}).status == 200
    return str(session["id"])


def test_send_test_issues_the_candidate_a_key_of_their_own_with_an_invitation() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()

    status, sent = send_test(greenhouse, assessment["id"])

    assert status == 200
    [key] = keys_of(assessment["id"])
    assert sent == {"partner_interview_id": key["id"]}
    assert (key["candidateEmail"], key["candidateName"]) == ("harry@example.com", "Harry Potter")
    assert key["invite"]["status"] == "queued"  # the stream's consumer sends it, as for any key


def test_the_same_email_and_test_is_the_same_interview_and_another_email_another() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()

    first = send_test(greenhouse, assessment["id"])
    again = send_test(greenhouse, assessment["id"], email="HARRY@Example.com")
    other = send_test(greenhouse, assessment["id"], email="hermione@example.com")

    assert first == again
    assert other[1]["partner_interview_id"] != first[1]["partner_interview_id"]
    assert len(keys_of(assessment["id"])) == 2


@pytest.mark.parametrize("kind", ["greenhouse", "ashby"])
def test_concurrent_requests_for_one_candidate_issue_one_key(kind: str) -> None:
    caller = connect(kind)
    assessment = create_assessment()

    def ask(_: int) -> Any:
        if kind == "greenhouse":
            return send_test(caller, assessment["id"])[1]["partner_interview_id"]
        return start(caller, assessment["id"]).body["results"]["assessment_id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = set(pool.map(ask, range(8)))

    [key] = keys_of(assessment["id"])
    assert answered == {key["id"]}


def test_a_revoked_keys_place_goes_to_a_new_key() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    first = send_test(greenhouse, assessment["id"])[1]["partner_interview_id"]
    assert call("revoke_key", path={"assessment_id": assessment["id"], "key_id": first})[0] == 200

    second = send_test(greenhouse, assessment["id"])[1]["partner_interview_id"]

    assert second != first
    assert [key["id"] for key in keys_of(assessment["id"])] == [second]  # the list leaves revoked keys out


def test_erasing_the_candidate_takes_their_claim_with_them() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    first = send_test(greenhouse, assessment["id"])[1]["partner_interview_id"]

    assert call("erase_candidate", body={"email": "harry@example.com"})[0] == 200

    # (the erasure's audit record names the email's digest too: only the claim holds it with the assessment)
    items = boto3.client("dynamodb").scan(TableName=table_name())["Items"]
    digest = email_digest("harry@example.com")
    assert not [item for item in items if item["PK"]["S"].startswith("ATSCLAIM#") and digest in item["PK"]["S"]]
    assert send_test(greenhouse, assessment["id"])[1]["partner_interview_id"] != first


def test_greenhouse_is_told_an_unknown_test_is_404_and_a_deleted_one_410() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200

    unknown = send_test(greenhouse, "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a")
    malformed = send_test(greenhouse, "12345")
    deleted = send_test(greenhouse, assessment["id"])

    assert (unknown[0], malformed[0], deleted[0]) == (404, 404, 410)
    assert deleted[1]["code"] == "assessment_gone"
    assert deleted[1]["message"] == deleted[1]["error"]


@pytest.mark.parametrize(
    "url", ["http://app.greenhouse.io/callback", "https://10.0.0.7/callback", "https://metadata.example.com/"]
)
def test_a_callback_url_that_is_not_https_to_a_public_host_is_refused(url: str) -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()

    status, body = send_test(greenhouse, assessment["id"], url=url)

    assert (status, body["code"], body["details"][0]["path"]) == (400, "url_not_allowed", ["url"])
    assert keys_of(assessment["id"]) == []


def test_ashby_is_told_what_to_show_for_an_unknown_or_deleted_assessment() -> None:
    ashby = connect("ashby")
    assessment = create_assessment()
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    for assessment_id in (assessment["id"], "not-an-id"):
        refused = start(ashby, assessment_id)
        assert (refused.status, refused.body["code"]) == (422, "assessment_unavailable")
        assert "choose another" in refused.body["message"]


def test_the_status_before_the_start_is_the_keys_and_an_unknown_interview_is_404() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    interview = send_test(greenhouse, assessment["id"])[1]["partner_interview_id"]

    status, pending = test_status(greenhouse, interview)

    assert status == 200
    check_test_status(pending)
    assert pending == {"partner_status": "pending", "partner_profile_url": None, "partner_score": None, "metadata": {}}
    assert test_status(greenhouse, "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a")[0] == 404


def test_one_organisations_integration_reaches_none_of_anothers_tests_interviews_or_assessments() -> None:
    ours, theirs = connect("greenhouse"), connect("greenhouse", ORG_B)
    ashby_ours, ashby_theirs = connect("ashby"), connect("ashby", ORG_B)
    assessment = create_assessment()
    interview = send_test(ours, assessment["id"])[1]["partner_interview_id"]
    started = start(ashby_ours, assessment["id"]).body["results"]["assessment_id"]

    listed = invoke("greenhouse_list_tests", theirs).body
    sent = send_test(theirs, assessment["id"], email="other@example.com")
    status = test_status(theirs, interview)
    error = invoke(
        "greenhouse_response_error", theirs, body={"api_call": "x", "errors": [], "partner_interview_id": interview}
    )
    offered = invoke("ashby_list_assessments", ashby_theirs, body={}).body["results"]
    cancelled = invoke("ashby_cancel_assessment", ashby_theirs, body={"assessment_id": started})

    assert (listed, offered) == ([], [])
    assert [sent[0], status[0], error.status, cancelled.status] == [404, 404, 404, 404]
    assert [key["status"] for key in keys_of(assessment["id"])] == ["pending", "pending"]


def test_ashby_cancel_revokes_the_key_again_and_again_but_not_once_the_session_finished() -> None:
    ashby = connect("ashby")
    assessment = create_assessment()
    key_id = start(ashby, assessment["id"]).body["results"]["assessment_id"]

    first = invoke("ashby_cancel_assessment", ashby, body={"assessment_id": key_id})
    again = invoke("ashby_cancel_assessment", ashby, body={"assessment_id": key_id})
    finished_id = start(ashby, assessment["id"], email="done@example.com").body["results"]["assessment_id"]
    a_finished_session(assessment["id"], finished_id)
    finished = invoke("ashby_cancel_assessment", ashby, body={"assessment_id": finished_id})

    assert first.status == again.status == 200
    assert first.body == {"success": True, "results": {"assessment_id": key_id}}
    assert (finished.status, finished.body["code"]) == (422, "assessment_unavailable")
    assert "results are kept" in finished.body["message"]


def test_the_audit_log_names_the_integration_for_its_keys_and_the_token_for_the_integration() -> None:
    ashby = connect("ashby")
    assessment = create_assessment()
    key_id = start(ashby, assessment["id"]).body["results"]["assessment_id"]
    start(ashby, assessment["id"])  # a retry: the same key, nothing changed
    invoke("ashby_cancel_assessment", ashby, body={"assessment_id": key_id})
    assert call("delete_integration", path={"integration_id": ashby.integration_id})[0] == 200

    status, listed = call("list_audit", query="limit=100")

    assert status == 200, listed
    trail = [
        (record["action"], record["resource"]["type"], record["actor"]["type"], record["actor"]["id"])
        for record in reversed(listed["records"])
        if record["action"] != "assessment.create"
    ]
    token_id = trail[0][3]
    assert trail == [
        ("integration.create", "integration", "token", token_id),
        ("keys.generate", "assessment", "integration", ashby.integration_id),
        ("key.revoke", "key", "integration", ashby.integration_id),
        ("integration.delete", "integration", "token", token_id),
    ]
    assert ASHBY_KEY not in json.dumps(listed)
    assert "alex@example.com" not in json.dumps(listed)


def test_greenhouse_errors_are_recorded_on_the_interview_without_links_or_addresses() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    interview = send_test(greenhouse, assessment["id"])[1]["partner_interview_id"]
    body = {
        "api_call": "test_status",
        "errors": ["partner_profile_url https://api.example.com/v1/reports/abc is invalid for harry@example.com"],
        "partner_interview_id": interview,
        "candidate_email": "harry@example.com",
    }

    recorded = invoke("greenhouse_response_error", greenhouse, body=body)
    unattached = invoke("greenhouse_response_error", greenhouse, body={"api_call": "list_tests", "errors": ["bad"]})

    assert recorded.status == unattached.status == 200
    assert recorded.body == {"status": 200}
    stored = IntegrationStore().get_interview(interview)
    assert stored is not None
    assert stored.last_error is not None
    assert stored.last_error.errors == ("partner_profile_url <url> is invalid for <email>",)
    assert stored.error_count == 1


@contextmanager
def json_log_lines() -> Iterator[list[dict[str, Any]]]:
    """The function's log lines as it writes them (JSON, with its request's correlation id), at DEBUG."""
    lines: list[dict[str, Any]] = []
    written = io.StringIO()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(written)
    logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        logger.setLevel(logging.WARNING)
        handler.setStream(previous)
        lines += [json.loads(line) for line in written.getvalue().splitlines()]


def test_every_ats_call_is_logged_with_its_integration_and_request_never_the_candidate() -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()

    with json_log_lines() as lines:
        send_test(greenhouse, assessment["id"])
        send_test(greenhouse, "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a")

    calls = [line for line in lines if line["message"] == "ATS call"]
    assert [(line["route"], line["status"]) for line in calls] == [
        ("greenhouse_send_test", 200),
        ("greenhouse_send_test", 404),
    ]
    assert {line["integration_id"] for line in calls} == {greenhouse.integration_id}
    assert {line["correlation_id"] for line in calls} == {"test-request"}  # the request's id
    assert "harry@example.com" not in str(lines)
    assert "Potter" not in str(lines)


def test_what_each_ats_call_costs_in_dynamodb_requests(dynamodb_calls: RequestCounter) -> None:
    greenhouse, ashby = connect("greenhouse"), connect("ashby")
    assessment = create_assessment()
    costs: dict[str, int] = {}

    def cost(name: str, route_name: str, caller: Integration, **request: Any) -> Any:
        dynamodb_calls.reset()
        answer = invoke(route_name, caller, **request)
        assert answer.status == 200, answer.body
        costs[name] = dynamodb_calls.total
        return answer.body

    cost("list_tests", "greenhouse_list_tests", greenhouse)
    sent = {"body": {"partner_test_id": assessment["id"], "candidate": {"email": "a@example.com"}, "url": CALLBACK}}
    interview = cost("send_test", "greenhouse_send_test", greenhouse, **sent)["partner_interview_id"]
    cost("send_test again", "greenhouse_send_test", greenhouse, **sent)
    cost("test_status", "greenhouse_test_status", greenhouse, query=f"partner_interview_id={interview}")
    error = {"api_call": "test_status", "errors": ["x"], "partner_interview_id": interview}
    cost("response_error", "greenhouse_response_error", greenhouse, body=error)
    cost("assessment.list", "ashby_list_assessments", ashby, body={})
    started = {
        "body": {
            "assessment_type_id": assessment["id"],
            "candidate": {"email": "b@example.com"},
            "application": {"ashby_id": "app-1"},
        }
    }
    key_id = cost("assessment.start", "ashby_start_assessment", ashby, **started)["results"]["assessment_id"]
    cost("assessment.start again", "ashby_start_assessment", ashby, **started)
    cost("assessment.cancel", "ashby_cancel_assessment", ashby, body={"assessment_id": key_id})
    a_finished_session(assessment["id"], interview)
    cost("test_status complete", "greenhouse_test_status", greenhouse, query=f"partner_interview_id={interview}")
    cost("test_status again", "greenhouse_test_status", greenhouse, query=f"partner_interview_id={interview}")

    assert costs == {
        "list_tests": 1,  # one Query of the org's assessments
        "send_test": 3,  # the claim, the assessment, one transaction (key, code, email lookup, claim, interview)
        "send_test again": 2,  # the claim, and its key
        "test_status": 2,  # the interview and its key
        "response_error": 2,  # the interview, and the error noted on it
        "assessment.list": 1,
        "assessment.start": 3,
        "assessment.start again": 2,
        "assessment.cancel": 4,  # the interview, its key, and the revocation (the key read again, one transaction)
        "test_status complete": 4,  # the interview, its key, its session, and the report link made and remembered
        "test_status again": 4,  # the interview, its key, its session, and the link (still live?)
    }


# Calls back to the ATS: the stream, the consumer, the queue and the delivery worker.


class Pipeline:
    def __init__(self, queues: Queues) -> None:
        self.stream = Stream()
        self.consumer = EventConsumer(RecordingMailer())
        worker = DeliveryWorker(delays=(0,) * len(RETRY_DELAYS_SECONDS), allow_loopback=True)  # retries come at once
        self.poller = QueuePoller(worker, queues.url, queues.arn)

    def run(self) -> None:
        """Queue what the table's new records call for, and deliver all of it (failed attempts come back at once)."""
        assert self.consumer.handle({"Records": self.stream.new_records()})["batchItemFailures"] == []
        while self.poller.poll():
            pass


@pytest.fixture
def pipeline(delivery_queue: Queues, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    monkeypatch.setenv(settings.LOCAL_LOOPBACK_VARIABLE, "1")
    monkeypatch.setenv(settings.API_URL_VARIABLE, "https://api.acme.example/prod")
    return Pipeline(delivery_queue)


@pytest.fixture
def greenhouse_listener() -> Iterator[Listener]:
    with listening() as listener:
        yield listener


def test_greenhouse_hears_of_the_completion_and_the_score_with_its_key_and_nothing_else(
    pipeline: Pipeline, greenhouse_listener: Listener
) -> None:
    created = call("create_integration", body={"type": "greenhouse"})[1]
    greenhouse = Integration(org_id=ORG_A.org_id, integration_id=created["id"], kind="greenhouse")
    rubric = call("create_rubric", body=RUBRIC)[1]["rubric"]
    assessment = create_assessment(rubricId=rubric["id"])
    callback = f"{greenhouse_listener.url}/integrations/testing_partners/take_home_tests/12345"
    interview = send_test(greenhouse, assessment["id"], url=callback)[1]["partner_interview_id"]
    other = create_assessment()
    call("generate_keys", body={"count": 1}, path={"assessment_id": other["id"]})  # a key no ATS asked for
    session_id = a_finished_session(assessment["id"], interview)
    pipeline.run()
    call("score_session", path={"session_id": session_id}, body={"criteria": [{"name": "Correctness", "score": 70}]})
    pipeline.run()

    calls = greenhouse_listener.wait_for(2)
    assert len(greenhouse_listener.calls) == 2  # completed and scored; not the start, nor the other key
    for received in calls:
        assert received.method == "PATCH"
        assert received.path == "/integrations/testing_partners/take_home_tests/12345"
        assert received.body == b""
        assert received.headers["Authorization"] == basic_authorization(created["apiKey"])
    status = test_status(greenhouse, interview)[1]
    assert (status["partner_status"], status["partner_score"]) == ("complete", 70.0)
    log = call("list_integration_deliveries", path={"integration_id": greenhouse.integration_id})[1]["deliveries"]
    assert [(entry["type"], entry["statusCode"]) for entry in log] == [
        ("session.scored", 200),
        ("session.completed", 200),
    ]


def test_a_refusal_from_the_ats_is_not_retried_and_an_outage_is(
    pipeline: Pipeline, greenhouse_listener: Listener
) -> None:
    greenhouse_listener.statuses = [503, 200, 422]
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    callback = f"{greenhouse_listener.url}/integrations/testing_partners/take_home_tests/1"
    first = send_test(greenhouse, assessment["id"], url=callback)[1]["partner_interview_id"]
    a_finished_session(assessment["id"], first)
    pipeline.run()
    second = send_test(greenhouse, assessment["id"], email="ron@example.com", url=callback)[1]["partner_interview_id"]
    a_finished_session(assessment["id"], second)
    pipeline.run()

    log = call("list_integration_deliveries", path={"integration_id": greenhouse.integration_id})[1]["deliveries"]
    assert [(entry["statusCode"], entry["attempt"]) for entry in reversed(log)] == [(503, 1), (200, 2), (422, 1)]


def test_a_deleted_integration_is_called_back_no_more(pipeline: Pipeline, greenhouse_listener: Listener) -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    callback = f"{greenhouse_listener.url}/integrations/testing_partners/take_home_tests/1"
    interview = send_test(greenhouse, assessment["id"], url=callback)[1]["partner_interview_id"]
    call("delete_integration", path={"integration_id": greenhouse.integration_id})

    a_finished_session(assessment["id"], interview)
    pipeline.run()

    assert greenhouse_listener.calls == []


def test_ashby_is_updated_with_the_customers_key_which_no_log_line_or_item_holds_in_clear(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    ashby = connect("ashby")
    assessment = create_assessment()
    with json_log_lines() as lines, listening() as ashby_api:
        monkeypatch.setenv(settings.ASHBY_API_URL_VARIABLE, ashby_api.url)
        key_id = start(ashby, assessment["id"]).body["results"]["assessment_id"]
        a_finished_session(assessment["id"], key_id)
        pipeline.run()
        updates = ashby_api.wait_for(2)

    for update in updates:
        assert update.headers["Authorization"] == basic_authorization(ASHBY_KEY)
        assert update.headers["Accept"] == "application/json; version=1"
        check_assessment_update(json.loads(update.body))
    statuses = [json.loads(update.body)["assessment_status"]["value"] for update in updates]
    assert statuses == ["Started", "Completed"]
    output = json.dumps(lines)
    assert "Webhook delivery settled" in output  # the worker logged each call
    items = str(boto3.client("dynamodb").scan(TableName=table_name())["Items"])
    for text in (output, items):
        assert ASHBY_KEY not in text
        assert basic_authorization(ASHBY_KEY) not in text
    assert str(SEED_BODY["title"]) in items  # the scan did read the table


def test_greenhouses_callback_url_is_checked_again_at_each_call(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    greenhouse = connect("greenhouse")
    assessment = create_assessment()
    # Not published when Greenhouse sent the test; by the time it is called back, it names a private address.
    callback = "https://callbacks.example.net/take_home_tests/1"
    interview = send_test(greenhouse, assessment["id"], url=callback)[1]["partner_interview_id"]
    monkeypatch.setitem(TEST_HOSTS, "callbacks.example.net", ["10.0.0.9"])

    a_finished_session(assessment["id"], interview)
    pipeline.run()

    log = call("list_integration_deliveries", path={"integration_id": greenhouse.integration_id})[1]["deliveries"]
    assert log
    assert all(entry["statusCode"] is None for entry in log)
    assert all(entry["error"].startswith("url_not_allowed: must point to a public address") for entry in log)
