"""Webhooks through the local server as ``make dev`` runs it: a receiver on 127.0.0.1 registers, a
candidate starts and completes, and signed deliveries arrive within seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.http.conftest import Api, local_api
from tests.receiver import receiver, signature_is_valid
from tests.support import SEED_BODY, new_token


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with local_api("promptster-http-webhooks", tmp_path_factory.mktemp("mail")) as served:
        yield served


def test_a_registered_receiver_sees_the_session_start_then_its_completion_signed(api: Api) -> None:
    token = new_token("org_hooks")
    with receiver() as endpoint:
        created = api.request("POST", "/v1/webhooks", token, {"url": endpoint.url})
        assert created.status == 201, created.body
        secret = created.body["secret"]
        assert secret.startswith("whsec_")
        assert created.body["webhook"]["events"] == [
            "session.started",
            "session.completed",
            "session.scored",
            "assessment.deleted",
        ]
        assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
        key = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, {"count": 1}).body["keys"][0]
        candidate = {"X-API-Key": key["key"]}
        started = api.request("POST", "/v1/sessions", headers=candidate)
        assert started.status == 201, started.body
        session_id = started.body["session"]["id"]
        completed = api.request("POST", f"/v1/sessions/{session_id}/complete", headers=candidate, body={})
        assert completed.status == 200, completed.body

        deliveries = endpoint.wait_for(2)

    payloads = [json.loads(delivery.body) for delivery in deliveries]
    assert [payload["type"] for payload in payloads] == ["session.started", "session.completed"]
    for delivery, payload in zip(deliveries, payloads, strict=True):
        assert delivery.path == "/hooks"
        assert delivery.headers["Content-Type"] == "application/json"
        assert delivery.headers["Promptster-Event-Id"] == payload["id"]
        assert payload["id"].startswith("evt_")
        assert payload["orgId"] == "org_hooks"
        assert payload["data"]["session"]["id"] == session_id
        signed = delivery.headers["Promptster-Signature"]
        assert signature_is_valid(secret, signed, delivery.body, time.time())
        assert not signature_is_valid("whsec_other", signed, delivery.body, time.time())
    assert payloads[1]["data"]["session"]["status"] == "completed"
    webhook_id = created.body["webhook"]["id"]
    log = api.request("GET", f"/v1/webhooks/{webhook_id}/deliveries", token).body["deliveries"]
    assert [(entry["type"], entry["statusCode"], entry["attempt"]) for entry in log] == [
        ("session.completed", 200, 1),
        ("session.started", 200, 1),
    ]


def test_a_ping_is_delivered_to_the_endpoint_it_names(api: Api) -> None:
    token = new_token("org_ping")
    with receiver() as endpoint:
        webhook = api.request("POST", "/v1/webhooks", token, {"url": endpoint.url}).body
        queued = api.request("POST", f"/v1/webhooks/{webhook['webhook']['id']}/test", token)
        assert queued.status == 202, queued.body
        (delivery,) = endpoint.wait_for(1)
    payload = json.loads(delivery.body)
    assert payload["type"] == "ping"
    assert payload["id"] == queued.body["eventId"]
    assert payload["data"]["webhook"]["id"] == webhook["webhook"]["id"]
    assert "secret" not in payload["data"]["webhook"]
    assert signature_is_valid(webhook["secret"], delivery.headers["Promptster-Signature"], delivery.body, time.time())
