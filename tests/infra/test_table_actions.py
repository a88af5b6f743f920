"""Each route's declared DynamoDB actions are exactly what its function issues: the role granted from the
declaration can never refuse the function (a 500 in production only) nor allow it more than it uses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from infra.constructs.events import CONSUMER_TABLE_ACTIONS
from infra.constructs.webhooks import DELIVERY_PARTITION_PREFIXES, DELIVERY_TABLE_ACTIONS
from infra.local.webhooks import QueuePoller, Queues
from shared import catalog, settings
from shared.auth import Candidate, Integration, Principal
from shared.consumer import EventConsumer
from shared.delivery_worker import DeliveryWorker
from shared.errors import ConflictError
from shared.routes import ROUTES
from shared.store import dynamo
from shared.store.candidate_keys import CandidateKeyStore, InviteStore
from shared.store.schema import PARTITION_KEY
from shared.webhooks.queue import Delivery, DeliveryQueue
from tests.receiver import receiver
from tests.support import (
    ORG_A,
    SEED_BODY,
    RecordingMailer,
    Stream,
    candidate_for,
    create_assessment,
    generate_keys,
    instant,
    invoke,
)

IDEMPOTENCY_KEY = [("Idempotency-Key", "retry-1")]
GREENHOUSE_CALLBACK = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1"


def send_test(assessment_id: str) -> dict[str, Any]:
    """Greenhouse's send_test body for Ada on the assessment."""
    candidate = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada.ats@example.com"}
    return {"partner_test_id": assessment_id, "candidate": candidate, "url": GREENHOUSE_CALLBACK}


def start_assessment(assessment_id: str) -> dict[str, Any]:
    """Ashby's assessment.start body for Alan on the assessment."""
    return {
        "assessment_type_id": assessment_id,
        "candidate": {"first_name": "Alan", "email": "alan.ats@example.com"},
        "application": {"ashby_id": "app-1"},
        "job": {"ashby_id": "job-1"},
    }


def events() -> dict[str, Any]:
    """A body of one event, dated now: within a session just started."""
    return {
        "events": [
            {
                "id": "0b0c3c1e-8a56-4c50-9d1c-2f1f0f7d5a01",
                "type": "decision",
                "at": instant(),
                "source": "cli",
                "data": {"title": "Queue the webhooks"},
            },
        ]
    }


# A TransactWriteItems is authorised per item, by the action its kind stands for.
TRANSACTION_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


class ActionRecorder:
    """The IAM actions of every DynamoDB request, filed under the route being called."""

    def __init__(self) -> None:
        self.route = ""
        self.actions: defaultdict[str, set[str]] = defaultdict(set)

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name == "TransactWriteItems":
            kinds = {kind for item in params["TransactItems"] for kind in item}
            self.actions[self.route] |= {f"dynamodb:{TRANSACTION_ITEM_ACTIONS[kind]}" for kind in kinds}
        else:
            self.actions[self.route].add(f"dynamodb:{model.name}")

    def call(self, route_name: str, *arguments: Any, **keywords: Any) -> tuple[int, Any]:
        self.route = route_name
        answer = invoke(route_name, *arguments, **keywords)
        assert answer.status < 300, answer.body
        return answer.status, answer.body


@pytest.fixture
def recorder(delivery_queue: object) -> Iterator[ActionRecorder]:
    recorder = ActionRecorder()
    events = dynamo.client().meta.events
    events.register("before-parameter-build.dynamodb", recorder)
    yield recorder
    events.unregister("before-parameter-build.dynamodb", recorder)


def _refuse(*_: Any, **__: Any) -> None:
    raise ConflictError("refused by the test")


# Handlers whose domain function is not named like their route.
DOMAIN_CALLS = {
    "test_webhook": "queue_ping",
    "greenhouse_send_test": "send_test",
    "greenhouse_response_error": "response_error",
    "ashby_list_assessments": "list_assessments",
    "ashby_start_assessment": "start_assessment",
    "ashby_cancel_assessment": "cancel_assessment",
}


def _fail_with_a_key(
    recorder: ActionRecorder,
    monkeypatch: pytest.MonkeyPatch,
    candidate: Principal,
    session_id: str,
    webhook_id: str,
    ats: tuple[Integration, Integration],
) -> None:
    """Call every idempotent route with a key while its domain function fails: the record kept for
    the key is deleted (each handler calls the domain function named like its route, or as DOMAIN_CALLS says)."""
    greenhouse, ashby = ats
    requests: dict[str, dict[str, Any]] = {
        "create_assessment": {"principal": ORG_A, "body": SEED_BODY},
        "generate_keys": {"principal": ORG_A, "body": {"count": 1}, "path": {"assessment_id": "a"}},
        "create_rubric": {"principal": ORG_A, "body": {"name": "R", "criteria": [{"name": "C", "weight": 1}]}},
        "start_session": {"principal": candidate},
        "complete_session": {"principal": candidate, "path": {"session_id": session_id}},
        "ingest_events": {"principal": candidate, "path": {"session_id": session_id}, "body": events()},
        "erase_candidate": {"principal": ORG_A, "body": {"email": "ada@example.com"}},
        "create_webhook": {"principal": ORG_A, "body": {"url": "https://hooks.example.com/"}},
        "test_webhook": {"principal": ORG_A, "path": {"webhook_id": webhook_id}},
        "extend_session": {
            "principal": ORG_A,
            "path": {"session_id": session_id},
            "body": {"minutes": 5, "reason": "Outage"},
        },
        "resend_invitation": {"principal": ORG_A, "path": {"assessment_id": "a", "key_id": "k"}},
        "create_share": {"principal": ORG_A, "path": {"session_id": session_id}},
        "create_integration": {"principal": ORG_A, "body": {"type": "greenhouse"}},
        "greenhouse_send_test": {"principal": greenhouse, "body": send_test("a")},
        "greenhouse_response_error": {"principal": greenhouse, "body": {"api_call": "list_tests", "errors": []}},
        "ashby_list_assessments": {"principal": ashby, "body": {}},
        "ashby_start_assessment": {"principal": ashby, "body": start_assessment("a")},
        "ashby_cancel_assessment": {"principal": ashby, "body": {"assessment_id": "a"}},
    }
    assert set(requests) == {route.name for route in ROUTES if route.idempotent}
    for name, request in requests.items():
        with monkeypatch.context() as patch:
            patch.setattr(f"functions.{name}.handler.{DOMAIN_CALLS.get(name, name)}", _refuse)
            recorder.route = name
            assert invoke(name, **request, headers=[("Idempotency-Key", "fails")]).status == 409


def test_every_route_issues_exactly_the_table_actions_it_declares(
    recorder: ActionRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, hook = recorder.call("create_webhook", body={"url": "https://hooks.example.com/"}, headers=IDEMPOTENCY_KEY)
    webhook_id = hook["webhook"]["id"]
    recorder.call("get_webhook", path={"webhook_id": webhook_id})
    recorder.call("list_webhooks")
    recorder.call("test_webhook", path={"webhook_id": webhook_id}, headers=IDEMPOTENCY_KEY)
    recorder.call("list_webhook_deliveries", path={"webhook_id": webhook_id})
    _, created = recorder.call(
        "create_rubric",
        body={"name": "Backend", "criteria": [{"name": "Design", "weight": 1}]},
        headers=IDEMPOTENCY_KEY,  # a key is kept (PutItem, then UpdateItem)
    )
    rubric_id = created["rubric"]["id"]
    recorder.call("get_rubric", path={"rubric_id": rubric_id})
    recorder.call("list_rubrics")
    recorder.route = "create_assessment"
    assessment = create_assessment(rubricId=rubric_id)
    recorder.call("get_assessment", path={"assessment_id": assessment["id"]})
    for rubric_change in (None, rubric_id):  # a rubric's link moves in the edit's transaction
        recorder.call("update_assessment", path={"assessment_id": assessment["id"]}, body={"rubricId": rubric_change})
    recorder.call("list_assessments")
    recorder.route = "generate_keys"
    revoked, started, pending = generate_keys(assessment["id"], 3, candidateEmails=["ada@example.com"] * 3)
    replayed = {"path": {"assessment_id": assessment["id"]}, "body": {"count": 1}, "headers": IDEMPOTENCY_KEY}
    recorder.call("generate_keys", **replayed)
    recorder.call("generate_keys", **replayed)  # a replay reads the keys it names as they are now
    recorder.call("list_keys", path={"assessment_id": assessment["id"]})
    recorder.call("revoke_key", path={"assessment_id": assessment["id"], "key_id": revoked["id"]})
    resent = {"path": {"assessment_id": assessment["id"], "key_id": pending["id"]}, "headers": IDEMPOTENCY_KEY}
    # No consumer runs here: the invitation is settled as one would, so that it may be sent again.
    queued = CandidateKeyStore().get(assessment["id"], pending["id"])
    assert queued is not None
    InviteStore().settle(queued, ("queued", "failed"), error="x")
    recorder.call("resend_invitation", **resent)
    recorder.call("resend_invitation", **resent)  # a replay reads the key as it is now
    candidate = candidate_for(started)
    recorder.call("get_assessment", candidate, path={"assessment_id": assessment["id"]})
    _, session = recorder.call("start_session", candidate)
    recorder.call("start_session", candidate)  # already started: the session is read back
    session_id = session["session"]["id"]
    recorder.call("get_session", candidate, path={"session_id": session_id})
    extended = {"path": {"session_id": session_id}, "body": {"minutes": 5, "reason": "x"}, "headers": IDEMPOTENCY_KEY}
    recorder.call("extend_session", **extended)
    recorder.call("extend_session", **extended)  # a replay reads the session as it is now
    recorder.call("ingest_events", candidate, path={"session_id": session_id}, body=events())
    recorder.call("get_timeline", path={"session_id": session_id})
    recorder.call("get_timeline", path={"session_id": session_id}, query="type=decision")
    recorder.call("complete_session", candidate, path={"session_id": session_id})
    ats = _call_the_ats_routes(recorder, assessment["id"])
    _fail_with_a_key(recorder, monkeypatch, candidate, session_id, webhook_id, ats)
    recorder.call("list_sessions", path={"assessment_id": assessment["id"]})
    recorder.call("get_assessment_stats", path={"assessment_id": assessment["id"]})
    recorder.call("get_report", path={"session_id": session_id})
    _, shared = recorder.call("create_share", path={"session_id": session_id}, headers=IDEMPOTENCY_KEY)
    recorder.call("get_shared_report", None, path={"token": shared["url"].rsplit("/", 1)[1]})
    recorder.call("list_shares", path={"session_id": session_id})
    recorder.call("revoke_share", path={"session_id": session_id, "share_id": shared["id"]})
    recorder.call(
        "score_session", path={"session_id": session_id}, body={"criteria": [{"name": "Design", "score": 80}]}
    )
    recorder.call("delete_assessment", path={"assessment_id": assessment["id"]})  # revokes ``pending``
    recorder.call("erase_candidate", body={"email": "ada@example.com"}, headers=IDEMPOTENCY_KEY)
    recorder.call("delete_rubric", path={"rubric_id": rubric_id})
    recorder.call("delete_webhook", path={"webhook_id": webhook_id})
    recorder.call("list_audit")
    recorder.call("list_audit", query="action=assessment.update")
    recorder.call("list_issues")
    recorder.call("get_issue", path={"issue_id": catalog.all_issues()[0].id})

    assert pending["status"] == "pending"
    declared = {r.name: set(r.table_actions) for r in ROUTES}
    # A route missing from the calls above reads as issuing nothing: call it there too.
    assert {name: recorder.actions.get(name, set()) for name in declared} == declared


def _call_the_ats_routes(recorder: ActionRecorder, assessment_id: str) -> tuple[Integration, Integration]:
    """Connect a Greenhouse and an Ashby integration and make each of their calls, Greenhouse's candidate
    finishing their session so its status makes (then reuses) the report link; the two callers."""
    _, made = recorder.call("create_integration", body={"type": "greenhouse"}, headers=IDEMPOTENCY_KEY)
    greenhouse = Integration(org_id=ORG_A.org_id, integration_id=made["id"], kind="greenhouse")
    _, made = recorder.call("create_integration", body={"type": "ashby", "ashbyApiKey": "ashby-key-123456"})
    ashby = Integration(org_id=ORG_A.org_id, integration_id=made["id"], kind="ashby")
    recorder.call("list_integrations")
    recorder.call("greenhouse_list_tests", greenhouse)
    _, sent = recorder.call("greenhouse_send_test", greenhouse, body=send_test(assessment_id), headers=IDEMPOTENCY_KEY)
    interview = sent["partner_interview_id"]
    recorder.call("greenhouse_send_test", greenhouse, body=send_test(assessment_id))  # the same one: read back
    candidate = Candidate(org_id=ORG_A.org_id, assessment_id=assessment_id, key_id=interview)
    _, started = recorder.call("start_session", candidate)
    recorder.call("complete_session", candidate, path={"session_id": started["session"]["id"]})
    status = {"query": f"partner_interview_id={interview}"}
    recorder.call("greenhouse_test_status", greenhouse, **status)  # makes the report link
    recorder.call("greenhouse_test_status", greenhouse, **status)  # reads it back
    errors = {"api_call": "test_status", "errors": ["bad"], "partner_interview_id": interview}
    recorder.call("greenhouse_response_error", greenhouse, body=errors, headers=IDEMPOTENCY_KEY)
    recorder.call("ashby_list_assessments", ashby, body={}, headers=IDEMPOTENCY_KEY)
    _, started = recorder.call("ashby_start_assessment", ashby, body=start_assessment(assessment_id))
    cancel = {"assessment_id": started["results"]["assessment_id"]}
    recorder.call("ashby_cancel_assessment", ashby, body=cancel, headers=IDEMPOTENCY_KEY)
    recorder.call("list_integration_deliveries", path={"integration_id": greenhouse.integration_id})
    recorder.call("delete_integration", path={"integration_id": ashby.integration_id})
    return greenhouse, ashby


def test_the_delivery_function_touches_only_webhook_and_integration_items_with_the_actions_it_is_granted(
    delivery_queue: Queues, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.LOCAL_LOOPBACK_VARIABLE, "1")
    touched: list[tuple[str, str]] = []  # (action, partition key) of each request the worker makes

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        keys = params.get("Key") or params.get("Item") or {}
        touched.append((f"dynamodb:{model.name}", keys[PARTITION_KEY]["S"]))

    worker = DeliveryWorker(allow_loopback=True)
    poller = QueuePoller(worker, delivery_queue.url, delivery_queue.arn)
    with receiver(statuses=[500]) as failing, receiver(statuses=[410]) as gone, receiver() as fine:
        for endpoint in (failing, gone, fine):
            hook = invoke("create_webhook", body={"url": endpoint.url}).body["webhook"]
            assert invoke("test_webhook", path={"webhook_id": hook["id"]}).status == 202
        # And a call back to an ATS: Ashby's assessment.update, with the customer's key it decrypts.
        ashby = invoke("create_integration", body={"type": "ashby", "ashbyApiKey": "ashby-key-123456"}).body
        monkeypatch.setenv(settings.ASHBY_API_URL_VARIABLE, fine.url)
        update = Delivery(ORG_A.org_id, "evt_ats", "session.started", "{}", integration_id=ashby["id"])
        DeliveryQueue().send([update])
        events = dynamo.client().meta.events
        events.register("before-parameter-build.dynamodb", record)
        try:
            assert poller.poll() == 4
        finally:
            events.unregister("before-parameter-build.dynamodb", record)
        assert "/hooks/assessment.update" in {received.path for received in fine.wait_for(2)}
    assert {action for action, _ in touched} == set(DELIVERY_TABLE_ACTIONS)  # a 410 included: UpdateItem
    assert all(partition.startswith(tuple(DELIVERY_PARTITION_PREFIXES)) for _, partition in touched)


def test_a_function_held_to_partition_prefixes_touches_only_those(
    recorder: ActionRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched: list[str] = []  # the partition key of each request the shared report makes

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name in ("GetItem", "Query"):
            keys = params.get("Key") or params["ExpressionAttributeValues"]
            touched.append(keys.get(PARTITION_KEY, keys.get(":pk", {})).get("S", ""))

    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    session = invoke("start_session", candidate_for(key)).body["session"]
    invoke("ingest_events", candidate_for(key), body=events(), path={"session_id": session["id"]})
    url = invoke("create_share", path={"session_id": session["id"]}).body["url"]
    hooks = dynamo.client().meta.events
    hooks.register("before-parameter-build.dynamodb", record)
    try:
        assert invoke("get_shared_report", None, path={"token": url.rsplit("/", 1)[1]}).status == 200
    finally:
        hooks.unregister("before-parameter-build.dynamodb", record)

    (shared_report,) = [route for route in ROUTES if route.table_partition_prefixes]
    assert shared_report.name == "get_shared_report"
    assert len(touched) == 5  # the link, the session, the assessment, the cohort, the timeline
    assert all(partition.startswith(shared_report.table_partition_prefixes) for partition in touched), touched


def test_the_consumer_issues_exactly_the_table_actions_it_is_granted(
    recorder: ActionRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(settings.API_URL_VARIABLE, "https://api.example.com")
    stream = Stream()
    invoke("create_webhook", body={"url": "https://hooks.example.com/", "shareReports": True})
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=["ada@example.com"])  # an invitation to send
    session = invoke("start_session", candidate_for(key)).body["session"]
    invoke("ingest_events", candidate_for(key), body=events(), path={"session_id": session["id"]})
    invoke("complete_session", candidate_for(key), path={"session_id": session["id"]})  # a report link to make
    invoke("delete_assessment", path={"assessment_id": assessment["id"]})  # the deleted assessment to read
    invoke("erase_candidate", body={"email": "ada@example.com"})  # a timeline to delete, then its lookup
    records = stream.new_records()
    recorder.route = "stream_consumer"

    answer = EventConsumer(RecordingMailer()).handle({"Records": records})

    assert answer["batchItemFailures"] == []
    assert recorder.actions["stream_consumer"] == set(CONSUMER_TABLE_ACTIONS)
