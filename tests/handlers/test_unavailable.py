"""A dependency that does not answer in time, or keeps throttling, after the client's own retries: the
caller gets 503 ``unavailable`` with ``Retry-After``, never a 500; and a transaction the client retried
carries one request token, so DynamoDB applies it once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders
from botocore.exceptions import ReadTimeoutError

from shared.store import dynamo
from tests.support import call, create_assessment, generate_keys, invoke

pytestmark = pytest.mark.usefixtures("table")


@pytest.fixture
def on_send() -> Iterator[Callable[[str, Callable[..., Any]], None]]:
    """Register a handler of DynamoDB's ``before-send`` for one operation: it sees every attempt,
    retries included, and may answer in DynamoDB's place."""
    registered: list[tuple[str, Callable[..., Any]]] = []

    def register(operation: str, handler: Callable[..., Any]) -> None:
        event = f"before-send.dynamodb.{operation}"
        dynamo.client().meta.events.register(event, handler)
        registered.append((event, handler))

    yield register
    for event, handler in registered:
        dynamo.client().meta.events.unregister(event, handler)


def timing_out(request: AWSPreparedRequest, **_: Any) -> None:
    raise ReadTimeoutError(endpoint_url=request.url)


def test_a_read_that_times_out_after_every_retry_is_a_503_to_retry(on_send: Any) -> None:
    assessment = create_assessment()
    on_send("GetItem", timing_out)

    answer = invoke("get_assessment", path={"assessment_id": assessment["id"]})

    assert answer.status == 503
    assert answer.body["code"] == "unavailable"
    assert "DynamoDB did not answer in time" in answer.body["error"]
    assert answer.headers["Retry-After"] == "1"


class _Body:
    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.content


def throttled(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
    """DynamoDB's answer to a request over the table's capacity (which the client retries, then raises)."""
    body = json.dumps({"__type": "ProvisionedThroughputExceededException", "message": "slow down"})
    return AWSResponse(request.url, 400, HTTPHeaders(), _Body(body.encode()))


def test_a_throttled_query_is_a_503_not_a_500(on_send: Any) -> None:
    on_send("Query", throttled)

    status, body = call("list_assessments")

    assert (status, body["code"]) == (503, "unavailable")


def test_a_retried_transaction_carries_the_same_request_token(on_send: Any) -> None:
    [key] = generate_keys(create_assessment()["id"], 1)
    tokens: list[str] = []

    def first_attempt_times_out(request: AWSPreparedRequest, **_: Any) -> None:
        body = request.body
        assert isinstance(body, bytes | str)
        tokens.append(json.loads(body)["ClientRequestToken"])
        if len(tokens) == 1:
            raise ReadTimeoutError(endpoint_url=request.url)

    on_send("TransactWriteItems", first_attempt_times_out)

    status, _ = call("revoke_key", path={"assessment_id": key["assessmentId"], "key_id": key["id"]})

    assert status == 200
    assert len(tokens) == 2
    assert tokens[0] == tokens[1]


def test_a_ping_where_no_delivery_queue_is_configured_is_a_503_naming_why() -> None:
    status, webhook = call("create_webhook", body={"url": "https://hooks.example.com/promptster"})
    assert status == 201

    status, body = call("test_webhook", path={"webhook_id": webhook["webhook"]["id"]})

    assert (status, body["code"]) == (503, "unavailable")
    assert "Webhook deliveries are not configured here" in body["error"]
