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
from shared.auth import Principal
from shared.consumer import EventConsumer
from shared.delivery_worker import DeliveryWorker
from shared.errors import ConflictError
from shared.routes import ROUTES
from shared.store import dynamo
from shared.store.candidate_keys import CandidateKeyStore, InviteStore
from shared.store.schema import PARTITION_KEY
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
DOMAIN_CALLS = {"test_webhook": "queue_ping"}


def _fail_with_a_key(
    recorder: ActionRecorder, monkeypatch: pytest.MonkeyPatch, candidate: Principal, session_id: str, webhook_id: str
) -> None:
    """Call every idempotent route with a key while its domain function fails: the record kept for
    the key is deleted (each handler calls the domain function named like its route, or as DOMAIN_CALLS says)."""
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
    _fail_with_a_key(recorder, monkeypatch, candidate, session_id, webhook_id)
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


def test_the_delivery_function_touches_only_webhook_items_with_the_actions_it_is_granted(
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
        events = dynamo.client().meta.events
        events.register("before-parameter-build.dynamodb", record)
        try:
            assert poller.poll() == 3
        finally:
            events.unregister("before-parameter-build.dynamodb", record)
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
