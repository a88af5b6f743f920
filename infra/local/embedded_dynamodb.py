"""DynamoDB for local runs: an in-process moto, or any endpoint named by AWS_ENDPOINT_URL_DYNAMODB."""

from __future__ import annotations

import copy
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb import models as moto_dynamodb
from moto.dynamodb.models import dynamo_type as moto_types
from moto.dynamodb.models import table as moto_tables

from shared.store import dynamo
from shared.store.schema import ensure_table

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_DYNAMODB"
_EXTERNAL = ["dynamodb", "dynamodbstreams"]


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


class _PartitionBackups:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend, whose TransactWriteItems
    deep-copies every table it touches once per action, so a transaction costs time in proportion
    to the whole table. A transaction writes only the items its actions name, so the backup copies
    those and shares the rest with the live table (a session's events fill one partition): the same
    rollback, at the cost of the items involved."""

    def __init__(self) -> None:
        self.partitions: defaultdict[Any, set[Any]] = defaultdict(set)  # (table, partition key): sort keys named
        self.backups: dict[str, Any] = {}

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if not isinstance(value, moto_tables.Table):
            return copy.deepcopy(value, memo)
        if value.name not in self.backups:
            backup = copy.copy(value)
            backup.items = defaultdict(dict)
            for partition_key, partition in value.items.items():
                named = self.partitions.get((value.name, partition_key))
                if named is None:
                    backup.items[partition_key] = partition
                elif not isinstance(partition, dict):  # a table without a sort key: the item itself
                    backup.items[partition_key] = copy.deepcopy(partition)
                else:
                    backup.items[partition_key] = {
                        sort_key: copy.deepcopy(item) if sort_key in named else item
                        for sort_key, item in partition.items()
                    }
            self.backups[value.name] = backup
        return self.backups[value.name]


@contextmanager
def _cheap_transaction_backups() -> Iterator[None]:
    shim = _PartitionBackups()
    original: Callable[..., Any] = moto_dynamodb.DynamoDBBackend.transact_write_items

    @wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        # Requests are serialised by _atomic_moto_requests, so one shim serves every call.
        for action in transact_items:
            operation = next(iter(action.values()))
            table = self.tables.get(operation.get("TableName"))
            if table is not None:
                attributes = operation.get("Key") or operation.get("Item") or {}
                partition_key = moto_types.DynamoType(attributes.get(table.hash_key_attr, {"S": ""}))
                sort_key = moto_types.DynamoType(attributes.get(table.range_key_attr or "", {"S": ""}))
                shim.partitions[(table.name, partition_key)].add(sort_key)
        # The backups share each table's stream with the live table: a cancelled transaction must take
        # back the records its applied actions added, as DynamoDB never streams what it did not commit.
        streamed = {name: len(table.stream_shard.items) for name, table in self.tables.items() if table.stream_shard}
        try:
            return original(self, transact_items)
        except Exception:
            for name, length in streamed.items():
                shard = self.tables[name].stream_shard
                if shard is not None:
                    del shard.items[length:]
            raise
        finally:
            shim.partitions.clear()
            shim.backups.clear()

    setattr(moto_dynamodb, "copy", shim)  # noqa: B010 - replacing a module the backend imported
    moto_dynamodb.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        setattr(moto_dynamodb, "copy", copy)  # noqa: B010
        moto_dynamodb.DynamoDBBackend.transact_write_items = original  # type: ignore[method-assign]


@contextmanager
def local_dynamodb(table_name: str) -> Iterator[str]:
    """Point every boto3 client at a DynamoDB holding ``table_name`` (created if missing).

    Yields a description of where the data lives."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    os.environ["TABLE_NAME"] = table_name
    dynamo.reset()
    endpoint = os.environ.get(ENDPOINT_VARIABLE)
    if endpoint:
        # The rest (the webhook queues) lives in an embedded moto beside it, which lets DynamoDB's
        # requests through to the endpoint with the caller's own credentials.
        with mock_aws(config={"core": {"mock_credentials": False, "passthrough": {"services": _EXTERNAL}}}):
            ensure_table(boto3.client("dynamodb"), table_name)
            yield f"DynamoDB at {endpoint}, table {table_name}"
        return

    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ[variable] = "local"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    with mock_aws(), _atomic_moto_requests(), _cheap_transaction_backups():
        ensure_table(boto3.client("dynamodb"), table_name)
        try:
            yield f"embedded in-memory DynamoDB (moto), table {table_name}"
        finally:
            dynamo.reset()
