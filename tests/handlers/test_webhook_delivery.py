"""Webhook deliveries end to end inside one process: the table's stream (moto) read by the event
consumer, deliveries queued on the SQS queue (moto) and handed to the delivery worker as Lambda's SQS
event source would, POSTed to a receiver on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from infra.local.webhooks import QueuePoller, Queues
from shared import clock, docs, settings
from shared.consumer import EventConsumer
from shared.delivery_worker import DeliveryWorker
from shared.ids import email_digest
from shared.observability import logger
from shared.store import dynamo
from shared.store.schema import TTL_ATTRIBUTE
from shared.store.webhooks import WebhookStore
from shared.webhooks import queue, sender
from shared.webhooks.addresses import destination
from shared.webhooks.schedule import MAX_ATTEMPTS, RETRY_DELAYS_SECONDS
from tests.conftest import TEST_HOSTS
from tests.handlers.test_results import GOOD_SCORE, complete, scorable, started
from tests.receiver import Received, Receiver, receiver, signature_is_valid
from tests.support import (
    ORG_A,
    ORG_B,
    RecordingMailer,
    Stream,
    call,
    candidate_for,
    create_assessment,
    generate_keys,
    invoke,
)

pytestmark = pytest.mark.usefixtures("table")


class Pipeline:
    """The stream, the consumer and the delivery worker, each step run when the test says."""

    def __init__(self, queues: Queues) -> None:
        self.stream = Stream()
        self.consumer = EventConsumer(RecordingMailer())
        self.worker = DeliveryWorker(allow_loopback=True)
        self.poller = QueuePoller(self.worker, queues.url, queues.arn)
        self.queues = queues
        self.delays: list[int] = []  # the visibility each failed attempt asked for

    def queue_events(self) -> None:
        """Hand the stream's new records to the consumer, which queues their deliveries."""
        answer = self.consumer.handle({"Records": self.stream.new_records()})
        assert answer["batchItemFailures"] == []

    def deliver(self) -> int:
        """One receive from the delivery queue, delivered; how many messages it held."""
        return self.poller.poll()

    def run(self) -> None:
        self.queue_events()
        while self.deliver():
            pass

    def dead_letters(self) -> list[Any]:
        answer = queue.client().receive_message(QueueUrl=self.queues.dead_letter_url, MaxNumberOfMessages=10)
        return list(answer.get("Messages", []))


@pytest.fixture
def pipeline(delivery_queue: Queues, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    pipeline = Pipeline(delivery_queue)
    sqs = queue.client()
    change_visibility = sqs.change_message_visibility

    def record_delay(**arguments: Any) -> Any:
        # The delay asked for is recorded; the message comes back at once, so a test need not wait.
        pipeline.delays.append(arguments["VisibilityTimeout"])
        return change_visibility(**{**arguments, "VisibilityTimeout": 0})

    monkeypatch.setattr(sqs, "change_message_visibility", record_delay)
    return pipeline


def register(url: str, principal: Any = ORG_A, **fields: Any) -> dict[str, Any]:
    status, body = call("create_webhook", principal, body={"url": url, **fields})
    assert status == 201, body
    return dict(body)


def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registration as the local server allows it: a receiver on 127.0.0.1 over http."""
    monkeypatch.setenv(settings.LOCAL_LOOPBACK_VARIABLE, "1")


def deliveries_of(webhook_id: str) -> list[dict[str, Any]]:
    status, body = call("list_webhook_deliveries", path={"webhook_id": webhook_id})
    assert status == 200
    return list(body["deliveries"])


def payloads(endpoint: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in endpoint.received]


def assert_documented(request: Received) -> None:
    """The delivery is what the served OpenAPI document's ``webhooks`` say it is, headers included."""
    document = json.loads(docs.DOCUMENT_PATH.read_text(encoding="utf-8"))
    payload = json.loads(request.body)
    operation = document["webhooks"][payload["type"]]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": document["components"]}).validate(payload)
    for header in operation["parameters"]:
        assert re.search(header["schema"].get("pattern", ""), request.headers[header["name"]])


def test_each_event_reaches_the_subscribed_webhooks_of_its_organisation_signed(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    with receiver() as everything, receiver() as scores_only, receiver() as other_org:
        hook = register(everything.url)
        register(scores_only.url, events=["session.scored"])
        register(other_org.url, ORG_B)
        assessment, key, session = scorable()
        assert call("score_session", path={"session_id": session["id"]}, body=GOOD_SCORE)[0] == 200
        assert call("delete_assessment", path={"assessment_id": assessment["id"]})[0] == 200
        pipeline.run()

    assert [payload["type"] for payload in payloads(everything)] == [
        "session.started",
        "session.completed",
        "session.scored",
        "assessment.deleted",
    ]
    assert [payload["type"] for payload in payloads(scores_only)] == ["session.scored"]
    assert other_org.received == []
    started_event, completed, scored, deleted = payloads(everything)
    assert {payload["orgId"] for payload in payloads(everything)} == {"org_a"}
    # The objects the API returns: the reviewer's view of the session, the assessment as deleted.
    _, reviewer_view = call("get_session", path={"session_id": session["id"]})
    assert scored["data"]["session"] == reviewer_view["session"]
    assert completed["data"]["session"]["status"] == "completed"
    assert started_event["data"]["session"]["keyId"] == key["id"]
    assert deleted["data"]["assessment"]["id"] == assessment["id"]
    assert deleted["data"]["assessment"] == {**assessment, "issue": None}
    assert deleted["createdAt"] >= assessment["createdAt"]  # when it was deleted
    for request in everything.received + scores_only.received:
        assert_documented(request)
    for request in everything.received:
        assert signature_is_valid(hook["secret"], request.headers["Promptster-Signature"], request.body, time.time())
        assert request.headers["Promptster-Event-Id"] == json.loads(request.body)["id"]
    # Another webhook's secret does not verify them.
    scores_request = scores_only.received[0]
    assert not signature_is_valid(
        hook["secret"], scores_request.headers["Promptster-Signature"], scores_request.body, time.time()
    )


def test_an_event_the_stream_reports_twice_is_delivered_with_the_same_id(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    with receiver() as endpoint:
        register(endpoint.url, events=["session.started"])
        started()
        records = pipeline.stream.new_records()
        for _ in range(2):  # at least once: a batch retried after a failure elsewhere
            pipeline.consumer.handle({"Records": records})
        while pipeline.deliver():
            pass
    ids = [payload["id"] for payload in payloads(endpoint)]
    assert len(ids) == 2
    assert len(set(ids)) == 1


def test_a_failing_endpoint_is_retried_with_growing_delays_then_dead_lettered(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    with receiver(statuses=[500] * MAX_ATTEMPTS) as endpoint:
        hook = register(endpoint.url, events=["session.started"])["webhook"]
        started()
        pipeline.queue_events()
        for _ in range(MAX_ATTEMPTS):
            assert pipeline.deliver() == 1
        assert pipeline.deliver() == 0  # the receive after the last attempt moved it

    assert len(endpoint.received) == MAX_ATTEMPTS
    assert len({request.body for request in endpoint.received}) == 1  # the same event every time
    assert pipeline.delays == [*RETRY_DELAYS_SECONDS, 0]
    assert pipeline.delays[:-1] == sorted(pipeline.delays[:-1])
    assert sum(RETRY_DELAYS_SECONDS) >= 23 * 3600  # about a day
    [dead] = pipeline.dead_letters()
    assert json.loads(dead["Body"])["webhook_id"] == hook["id"]
    log = deliveries_of(hook["id"])
    assert [(entry["attempt"], entry["statusCode"]) for entry in log] == [
        (attempt, 500) for attempt in range(MAX_ATTEMPTS, 0, -1)
    ]


def test_an_endpoint_that_recovers_gets_the_event_once_more_and_no_more(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    with receiver(statuses=[503, 200]) as endpoint:
        hook = register(endpoint.url, events=["session.started"])["webhook"]
        started()
        pipeline.run()
    assert len(endpoint.received) == 2
    assert pipeline.delays == [RETRY_DELAYS_SECONDS[0]]
    assert pipeline.dead_letters() == []
    assert [(entry["attempt"], entry["statusCode"]) for entry in deliveries_of(hook["id"])] == [(2, 200), (1, 503)]


def test_410_gone_disables_the_webhook(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    loopback(monkeypatch)
    with receiver(statuses=[410]) as endpoint:
        hook = register(endpoint.url)["webhook"]
        _, [key], [session] = started()
        pipeline.run()
        assert len(endpoint.received) == 1
        _, shown = call("get_webhook", path={"webhook_id": hook["id"]})
        assert shown["webhook"]["status"] == "disabled"
        assert "410" in shown["webhook"]["disabledReason"]
        assert pipeline.delays == []  # not retried

        complete(key, session["id"])
        pipeline.run()
        status, body = call("test_webhook", path={"webhook_id": hook["id"]})
        assert (status, body["code"]) == (409, "webhook_disabled")
    assert len(endpoint.received) == 1
    assert pipeline.dead_letters() == []


def test_a_deleted_webhook_receives_nothing_not_even_what_was_queued(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    with receiver() as endpoint:
        hook = register(endpoint.url)["webhook"]
        _, [key], [session] = started()
        pipeline.queue_events()  # queued while it was active
        assert call("delete_webhook", path={"webhook_id": hook["id"]})[0] == 200
        complete(key, session["id"])
        pipeline.run()
    assert endpoint.received == []
    assert deliveries_of(hook["id"]) == []


def test_a_ping_is_signed_and_logged_like_any_delivery(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    loopback(monkeypatch)
    with receiver() as endpoint:
        created = register(endpoint.url)
        status, queued = call("test_webhook", path={"webhook_id": created["webhook"]["id"]})
        assert status == 202
        pipeline.run()
    [request] = endpoint.received
    assert_documented(request)
    assert json.loads(request.body)["id"] == queued["eventId"]
    assert signature_is_valid(created["secret"], request.headers["Promptster-Signature"], request.body, time.time())
    [entry] = deliveries_of(created["webhook"]["id"])
    assert (entry["eventId"], entry["type"], entry["statusCode"], entry["error"]) == (
        queued["eventId"],
        "ping",
        200,
        None,
    )
    # Kept 30 days: the table's TTL deletes the attempt then.
    [stored], _ = dynamo.query(
        "PK = :pk AND begins_with(SK, :attempts)",
        {":pk": f"WEBHOOK#{created['webhook']['id']}", ":attempts": "DELIVERY#"},
    )
    expires = clock.from_timestamp(entry["at"]) + timedelta(days=30)
    assert stored[TTL_ATTRIBUTE] == int(expires.timestamp())


def test_a_host_that_now_resolves_to_a_private_address_is_not_connected_to(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook = register("https://hooks.example.com/promptster", events=["session.started"])["webhook"]
    started()
    monkeypatch.setitem(TEST_HOSTS, "hooks.example.com", ["10.0.0.7"])  # the name was rebound

    def connect(*_: Any, **__: Any) -> None:
        raise AssertionError("a refused address was connected to")

    monkeypatch.setattr(socket, "create_connection", connect)
    pipeline.queue_events()
    assert pipeline.deliver() == 1
    [entry] = deliveries_of(hook["id"])
    assert entry["statusCode"] is None
    assert entry["error"].startswith("url_not_allowed: ")
    assert "10.0.0.7" in entry["error"]
    assert pipeline.delays == [RETRY_DELAYS_SECONDS[0]]  # DNS may change back: tried again later


def test_redirects_are_not_followed(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    loopback(monkeypatch)
    with receiver() as target, receiver(statuses=[307]) as redirecting:
        hook = register(redirecting.url, events=["session.started"])["webhook"]
        started()
        pipeline.queue_events()
        pipeline.deliver()
    assert target.received == []
    assert [entry["statusCode"] for entry in deliveries_of(hook["id"])] == [307]
    assert pipeline.delays == [RETRY_DELAYS_SECONDS[0]]


def test_an_endpoint_slower_than_the_timeout_fails_the_attempt() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()  # accepts the connection, never answers
        port = listening.getsockname()[1]
        where = destination(f"http://127.0.0.1:{port}/", allow_loopback=True)
        attempt = sender.send("POST", where, b"{}", {"Content-Type": "application/json"}, timeout=0.3)
    assert attempt.status_code is None
    assert attempt.error is not None
    assert attempt.error == "no answer within 0.3 s"
    assert not attempt.succeeded


def test_the_secret_never_reaches_the_logs(
    pipeline: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    loopback(monkeypatch)
    logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        with receiver(statuses=[500, 200]) as endpoint:
            created = register(endpoint.url)
            _, [key], [session] = started()
            complete(key, session["id"])
            call("test_webhook", path={"webhook_id": created["webhook"]["id"]})
            pipeline.run()
            call("get_webhook", path={"webhook_id": created["webhook"]["id"]})
            call("delete_webhook", path={"webhook_id": created["webhook"]["id"]})
    finally:
        logger.setLevel(logging.WARNING)
    secret = created["secret"]
    assert len(endpoint.received) >= 3
    output = capsys.readouterr().out + caplog.text
    assert "Webhook delivery failed" in output  # the worker did log, at several levels
    assert "Webhook delivery settled" in output
    assert secret not in output
    assert secret[len("whsec_") :] not in output
    stored = WebhookStore().get("org_a", created["webhook"]["id"])
    assert stored is not None
    assert secret not in repr(stored)
    assert secret not in str(stored)


def test_extensions_failed_invitations_and_erasures_reach_the_webhooks_that_take_them(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)  # and no sender configured: every invitation fails as mail_not_configured
    ada = "ada@example.com"
    with receiver() as endpoint:
        register(endpoint.url, events=["session.extended", "invitation.failed", "candidate.erased"])
        assessment = create_assessment(timeLimitMinutes=30)
        [key] = generate_keys(assessment["id"], 1, candidateEmails=[ada], candidateNames=["Ada"])
        pipeline.run()
        pipeline.run()  # the invitation's failure, written by the consumer as it ran
        session_id = call("start_session", candidate_for(key))[1]["session"]["id"]
        body = {"minutes": 15, "reason": "Outage"}
        assert call("extend_session", body=body, path={"session_id": session_id})[0] == 200
        pipeline.run()
        assert call("erase_candidate", body={"email": ada})[0] == 200
        pipeline.run()

    failed, extended, erased = payloads(endpoint)
    assert [failed["type"], extended["type"], erased["type"]] == [
        "invitation.failed",
        "session.extended",
        "candidate.erased",
    ]
    assert (failed["data"]["key"]["id"], failed["data"]["key"]["invite"]["error"]) == (key["id"], "mail_not_configured")
    assert extended["data"]["session"]["extensions"][0]["minutes"] == 15
    assert erased["data"] == {"candidate": {"emailSha256": email_digest(ada), "erasedAt": erased["createdAt"]}}
    assert ada not in json.dumps(erased)
    assert "Ada" not in json.dumps(erased)
    for request in endpoint.received:
        assert_documented(request)


def test_each_extension_is_its_own_event(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    loopback(monkeypatch)
    with receiver() as endpoint:
        register(endpoint.url, events=["session.extended"])
        _, [key], [session] = started()
        for minutes in (5, 10):  # within one second: told apart by their place in the list
            call("extend_session", body={"minutes": minutes, "reason": "x"}, path={"session_id": session["id"]})
        pipeline.run()

    extended = payloads(endpoint)
    assert [len(payload["data"]["session"]["extensions"]) for payload in extended] == [1, 2]
    assert len({payload["id"] for payload in extended}) == 2
    assert key["id"] == extended[0]["data"]["session"]["keyId"]


def test_a_webhook_that_asks_for_report_links_gets_one_made_for_each_completion_and_score(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    loopback(monkeypatch)
    monkeypatch.setenv(settings.API_URL_VARIABLE, "https://api.acme.example/prod")
    with receiver() as sharing, receiver() as plain:
        hook = register(sharing.url, shareReports=True)["webhook"]
        register(plain.url)
        _, _, session = scorable()
        assert call("score_session", path={"session_id": session["id"]}, body=GOOD_SCORE)[0] == 200
        pipeline.run()

    started_event, completed, scored = payloads(sharing)
    assert "reportUrl" not in started_event["data"]
    links = [completed["data"]["reportUrl"], scored["data"]["reportUrl"]]
    assert all(link.startswith("https://api.acme.example/prod/v1/reports/") for link in links)
    assert links[0] != links[1]  # one link per delivery
    for link in links:
        page = invoke("get_shared_report", None, path={"token": link.rsplit("/", 1)[1]})
        assert page.status == 200
        assert session["id"] in page.body
    assert all("reportUrl" not in payload["data"] for payload in payloads(plain))
    for request in sharing.received:
        assert_documented(request)
    shares = call("list_shares", path={"session_id": session["id"]})[1]["shares"]
    assert [(entry["webhookId"], entry["expiresAt"] > completed["createdAt"]) for entry in shares] == [
        (hook["id"], True),
        (hook["id"], True),
    ]
