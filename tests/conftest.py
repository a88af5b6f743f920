"""Fixtures shared by every test: a fake AWS environment and a moto DynamoDB built from the real schema."""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterator

import botocore.loaders
import botocore.session
import pytest
from moto.kms import models as moto_kms

# Before anything builds a boto3 client: never reach a real AWS account from a test.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="eu-west-1",
    TABLE_NAME="promptster-test",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)
os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
os.environ.pop("AWS_PROFILE", None)

from infra.local.embedded_dynamodb import local_dynamodb
from infra.local.secrets import local_secrets_key
from infra.local.webhooks import Queues, create_queues
from shared import settings
from shared.store import dynamo
from shared.webhooks import addresses, queue
from shared.webhooks.schedule import MAX_ATTEMPTS

# moto starts each test on a new boto3 session, and a session's loader parses botocore's service models
# (DynamoDB's, its endpoint rules) again: one loader per process parses each file once, halving a
# table's set-up. What is read is the same; only the parsing is not repeated.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)
# moto's KMS makes an RSA key pair for every key, symmetric ones too, for a signing no test does: the
# tests' keys share one pair, a third of the rest of a table's set-up.
moto_kms.generate_private_key = functools.cache(moto_kms.generate_private_key)  # type: ignore[attr-defined]

# The host names tests resolve, and what to. Any other name fails as an unknown one does, so no test
# sends a DNS query (tests reach loopback only).
TEST_HOSTS: dict[str, list[str]] = {
    "hooks.example.com": ["93.184.215.14"],
    "ats.example.org": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "internal.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "split.example.com": ["93.184.215.14", "127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``make test``), tests sharing a costly set-up run on one worker: every test of
    the synthesized stacks (one synthesis a run), each HTTP or CLI module's tests (one server a module),
    and the import-time tests (each function imported once in a fresh interpreter, its result cached)."""
    for item in items:
        tier = item.path.parent.name
        if tier == "infra":
            item.add_marker(pytest.mark.xdist_group("infra"))
        elif tier in ("http", "cli") or item.path.stem == "test_import_time":
            item.add_marker(pytest.mark.xdist_group(f"{tier}:{item.path.stem}"))


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhook URLs resolve from TEST_HOSTS alone."""

    def resolve(host: str) -> list[str]:
        if host not in TEST_HOSTS:
            raise OSError(f"{host}: unknown host (tests resolve TEST_HOSTS only)")
        return TEST_HOSTS[host]

    monkeypatch.setattr(addresses, "resolve", resolve)


@pytest.fixture
def table() -> Iterator[None]:
    """A fresh, empty table in an in-process moto, as ``make dev`` uses, with a secrets key beside it."""
    with local_dynamodb("promptster-test"), local_secrets_key():
        yield


class RequestCounter:
    """Counts DynamoDB requests by operation name (``Query``, ``TransactWriteItems``, …)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: object, **_: object) -> None:
        self.calls[getattr(model, "name", "?")] += 1

    def reset(self) -> None:
        self.calls.clear()

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@pytest.fixture
def dynamodb_calls(table: None) -> Iterator[RequestCounter]:
    """Every DynamoDB request the code under test makes, counted."""
    counter = RequestCounter()
    events = dynamo.client().meta.events
    events.register("before-call.dynamodb", counter)
    yield counter
    events.unregister("before-call.dynamodb", counter)


@pytest.fixture
def delivery_queue(table: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Queues]:
    """The webhook delivery queue (and its dead-letter queue) in the table's moto, with the real
    attempt count; the functions that queue deliveries are told where it is."""
    queue.client.cache_clear()
    queues = create_queues(MAX_ATTEMPTS)
    monkeypatch.setenv(settings.WEBHOOK_QUEUE_VARIABLE, queues.url)
    yield queues
    queue.client.cache_clear()
