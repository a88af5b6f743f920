"""The webhook endpoints: registering shows the secret once, nothing else ever does; URLs that reach no
public https host are refused; deleted webhooks leave the list but keep their delivery log; every
route reads another organisation's webhook as not found."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest

from infra.local.webhooks import Queues
from shared.domain import webhooks as domain
from shared.store import dynamo
from tests.support import ORG_A, ORG_B, call, invoke

pytestmark = pytest.mark.usefixtures("table", "delivery_queue")

URL = "https://hooks.example.com/promptster"


def register(url: str = URL, principal: Any = ORG_A, **fields: Any) -> dict[str, Any]:
    status, body = call("create_webhook", principal, body={"url": url, **fields})
    assert status == 201, body
    return dict(body)


def webhook_path(webhook_id: str) -> dict[str, str]:
    return {"webhook_id": webhook_id}


def test_registering_answers_the_webhook_and_its_secret_once() -> None:
    answer = invoke("create_webhook", body={"url": URL, "description": "ATS"})
    assert answer.status == 201
    webhook, secret = answer.body["webhook"], answer.body["secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert answer.headers["Location"] == f"/v1/webhooks/{webhook['id']}"
    assert webhook["url"] == URL
    # v1's four: the types added since reach only webhooks that name them.
    assert webhook["events"] == ["session.started", "session.completed", "session.scored", "assessment.deleted"]
    assert (webhook["status"], webhook["description"], webhook["orgId"]) == ("active", "ATS", "org_a")

    status, got = call("get_webhook", path=webhook_path(webhook["id"]))
    assert status == 200
    assert got["webhook"] == webhook
    _, listed = call("list_webhooks")
    assert listed["webhooks"] == [webhook]
    for shown in (got, listed):
        assert secret not in str(shown)
        assert "secret" not in str(shown)
    assert register()["secret"] != secret  # each webhook its own


def test_a_webhook_takes_the_event_types_it_names() -> None:
    webhook = register(events=["session.completed", "session.scored"])["webhook"]
    assert webhook["events"] == ["session.completed", "session.scored"]


@pytest.mark.parametrize(
    ("events", "code"),
    [
        ([], "too_short"),
        (["session.started", "session.started"], "unique"),
        (["key.created"], "literal_error"),
        (["ping"], "literal_error"),
        ("session.started", "list_type"),
    ],
)
def test_event_types_must_be_known_and_named_once(events: Any, code: str) -> None:
    status, body = call("create_webhook", body={"url": URL, "events": events})
    assert status == 400
    assert body["code"] == "validation_error"
    assert body["details"][0]["path"][0] == "events"
    assert body["details"][0]["code"] == code


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/promptster",
        "https://127.0.0.1/hooks",
        "https://2130706433/hooks",
        "https://[::1]/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://0177.0.0.1/hooks",
        "https://localhost/hooks",
        "https://hooks.example.com:0/",
        "https://user:secret@hooks.example.com/",
        "https://internal.example.com/",
        "https://metadata.example.com/latest/meta-data/",
        "https://split.example.com/",
        "not a url",
    ],
)
def test_urls_that_reach_no_public_https_host_are_refused_naming_the_field(url: str) -> None:
    status, body = call("create_webhook", body={"url": url})
    assert status == 400
    assert body["code"] == "url_not_allowed"
    assert body["details"] == [{"path": ["url"], "code": "url_not_allowed", "message": body["details"][0]["message"]}]
    assert body["error"].startswith("url: ")
    _, listed = call("list_webhooks")
    assert listed["webhooks"] == []


def test_a_host_that_does_not_resolve_yet_is_accepted_and_checked_at_each_delivery() -> None:
    # Its DNS may not be published yet; a delivery to it fails (and is retried) until it resolves.
    assert register("https://nowhere.example.net/hooks")["webhook"]["url"] == "https://nowhere.example.net/hooks"


def test_deleting_takes_the_webhook_out_of_the_list_but_keeps_its_delivery_log() -> None:
    kept = register()["webhook"]
    deleted = register()["webhook"]
    status, body = call("delete_webhook", path=webhook_path(deleted["id"]))
    assert (status, body) == (200, {"ok": True, "id": deleted["id"]})

    assert call("get_webhook", path=webhook_path(deleted["id"]))[0] == 404
    assert call("delete_webhook", path=webhook_path(deleted["id"]))[0] == 404
    assert call("test_webhook", path=webhook_path(deleted["id"]))[0] == 404
    assert [hook["id"] for hook in call("list_webhooks")[1]["webhooks"]] == [kept["id"]]
    status, log = call("list_webhook_deliveries", path=webhook_path(deleted["id"]))
    assert (status, log) == (200, {"deliveries": [], "nextCursor": None})


def test_another_organisations_webhook_is_not_found_by_any_route() -> None:
    theirs = register(principal=ORG_B)["webhook"]
    for route_name in ("get_webhook", "delete_webhook", "test_webhook", "list_webhook_deliveries"):
        status, body = call(route_name, ORG_A, path=webhook_path(theirs["id"]))
        assert (status, body["code"]) == (404, "not_found"), route_name
    assert call("list_webhooks", ORG_A)[1]["webhooks"] == []
    assert call("get_webhook", ORG_B, path=webhook_path(theirs["id"]))[0] == 200


def test_the_list_pages_in_creation_order() -> None:
    ids = [register()["webhook"]["id"] for _ in range(3)]
    _, first = call("list_webhooks", query="limit=2")
    _, second = call("list_webhooks", query=f"limit=2&cursor={first['nextCursor']}")
    assert [hook["id"] for hook in first["webhooks"] + second["webhooks"]] == ids
    assert second["nextCursor"] is None


def test_unknown_and_malformed_ids_are_not_found() -> None:
    for webhook_id in ("0195f3b1-4c2d-7e8f-9a0b-1c2d3e4f5a6b", "nope"):
        assert call("get_webhook", path=webhook_path(webhook_id))[0] == 404


def test_a_retried_registration_or_ping_with_its_idempotency_key_happens_once(delivery_queue: Queues) -> None:
    key = [("Idempotency-Key", "register-1")]
    first = invoke("create_webhook", body={"url": URL}, headers=key)
    retry = invoke("create_webhook", body={"url": URL}, headers=key)
    assert retry.body == first.body  # the same webhook and secret: the client may have lost the first answer
    assert len(call("list_webhooks")[1]["webhooks"]) == 1

    path = webhook_path(first.body["webhook"]["id"])
    pings = [invoke("test_webhook", path=path, headers=[("Idempotency-Key", "ping-1")]) for _ in range(2)]
    assert pings[0].status == pings[1].status == 202
    assert pings[0].body == pings[1].body
    queued = boto3.client("sqs").receive_message(QueueUrl=delivery_queue.url, MaxNumberOfMessages=10)
    assert len(queued.get("Messages", [])) == 1


def test_an_organisation_has_a_bounded_number_of_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "MAX_WEBHOOKS_PER_ORG", 2)
    first, _ = (register()["webhook"] for _ in range(2))
    status, body = call("create_webhook", body={"url": URL})
    assert (status, body["code"]) == (409, "too_many_webhooks")
    assert call("create_webhook", ORG_B, body={"url": URL})[0] == 201  # each organisation its own
    call("delete_webhook", path=webhook_path(first["id"]))
    assert call("create_webhook", body={"url": URL})[0] == 201


def test_concurrent_registrations_never_pass_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "MAX_WEBHOOKS_PER_ORG", 5)
    register()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: call("create_webhook", body={"url": URL})[0], range(8)))

    assert sorted(statuses) == [201] * 4 + [409] * 4
    assert len(call("list_webhooks")[1]["webhooks"]) == 5


def test_webhooks_registered_before_the_count_are_counted_once_from_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain, "MAX_WEBHOOKS_PER_ORG", 3)
    first, _ = (register()["webhook"] for _ in range(2))
    dynamo.client().delete_item(  # as a table written before the count existed holds them
        TableName=dynamo.table_name(), Key=dynamo.serialize({"PK": "ORG#org_a", "SK": "WEBHOOK_COUNT"})
    )
    call("delete_webhook", path=webhook_path(first["id"]))  # leaves no count behind

    assert [call("create_webhook", body={"url": URL})[0] for _ in range(3)] == [201, 201, 409]
