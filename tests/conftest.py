"""Fixtures shared by every test: a fake AWS environment and a moto DynamoDB built from the real schema."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import pytest

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
from shared.store import dynamo


@pytest.fixture
def table() -> Iterator[None]:
    """A fresh, empty table in an in-process moto, as ``make dev`` uses."""
    with local_dynamodb("promptster-test"):
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
