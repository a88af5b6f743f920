"""DynamoDB for local runs: an in-process moto, or any endpoint named by AWS_ENDPOINT_URL_DYNAMODB."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from shared.store import dynamo
from shared.store.schema import ensure_table

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"


@contextmanager
def _atomic_moto_requests() -> Iterator[None]:
    """Make each moto request atomic, as each DynamoDB request is, while threads interleave
    between requests: races between requests are then real, races inside one are not."""
    original: Callable[..., Any] = BotocoreStubber.process_request
    lock = threading.RLock()

    @wraps(original)
    def process_request(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return original(self, request)

    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.process_request = original  # type: ignore[method-assign]


@contextmanager
def local_dynamodb(table_name: str) -> Iterator[str]:
    """Point every boto3 client at a DynamoDB holding ``table_name`` (created if missing).

    Yields a description of where the data lives."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    os.environ["TABLE_NAME"] = table_name
    dynamo.reset()
    endpoint = os.environ.get(ENDPOINT_VARIABLE)
    if endpoint:
        ensure_table(boto3.client("dynamodb"), table_name)
        yield f"DynamoDB at {endpoint}, table {table_name}"
        return

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[variable] = "local"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    with mock_aws(), _atomic_moto_requests():
        ensure_table(boto3.client("dynamodb"), table_name)
        try:
            yield f"embedded in-memory DynamoDB (moto), table {table_name}"
        finally:
            dynamo.reset()
