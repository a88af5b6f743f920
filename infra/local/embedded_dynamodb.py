"""DynamoDB for local runs: an in-process moto, or any endpoint named by AWS_ENDPOINT_URL_DYNAMODB."""

from __future__ import annotations

import base64
import copy
import json
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import wraps
from typing import Any

import boto3
from moto import mock_aws
from moto.core import responses as moto_responses
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
def _partition_queries() -> Iterator[None]:
    """moto answers a Query by sorting every item of the table, keeping the partition's and stepping over
    those before the start key one typed comparison at a time: a session's 10,000 events then cost
    seconds a page, where DynamoDB reads the page alone. A Query names its partition, so moto is handed
    that partition's items only (of the table: in sort key order, from the start key on, compared as
    plain values), and does the rest (conditions, limits, the 1 MB page) as before."""
    original: Callable[..., Any] = moto_tables.Table.query

    @wraps(original)
    def query(self: moto_tables.Table, hash_key: Any, *arguments: Any, **keywords: Any) -> Any:
        index_name = arguments[6] if len(arguments) > 6 else keywords.get("index_name")
        if hash_key is None or not self.range_key_attr:
            return original(self, hash_key, *arguments, **keywords)
        if index_name is None:
            prefix = arguments[1][0] if arguments[0] == "BEGINS_WITH" else None
            partition = _table_partition(self, hash_key, prefix, start_key=arguments[3], forward=arguments[4])
        else:
            partition = _index_partition(self, index_name, hash_key)
        self.all_items = lambda: partition  # type: ignore[method-assign] # for this request alone (they are serialised)
        setattr(moto_tables, "copy", _SHALLOW_RESULTS)  # noqa: B010 - replacing a module the table imported
        try:
            return original(self, hash_key, *arguments, **keywords)
        finally:
            del self.all_items
            setattr(moto_tables, "copy", copy)  # noqa: B010

    moto_tables.Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        moto_tables.Table.query = original  # type: ignore[method-assign]


def _table_partition(
    table: moto_tables.Table, hash_key: Any, prefix: Any, *, start_key: Any, forward: bool
) -> list[Any]:
    """The partition's items in sort key order, those a ``begins_with`` sort key condition names, from the
    start key on (the start item itself included: moto steps over it as it would)."""
    items = sorted(table.items[hash_key].values(), key=_sort_key) if hash_key in table.items else []
    if prefix is not None and prefix.type == "S":
        items = [item for item in items if item.range_key.type == "S" and item.range_key.value.startswith(prefix.value)]
    if not start_key:
        return items
    start = _plain(moto_types.DynamoType(start_key[table.range_key_attr]))
    return [item for item in items if (_sort_key(item) >= start if forward else _sort_key(item) <= start)]


def _index_partition(table: moto_tables.Table, index_name: str, hash_key: Any) -> list[Any]:
    """The items of the index's partition, in no order (moto sorts them by the index's keys)."""
    index = table.get_index(index_name)
    name = next(key["AttributeName"] for key in index.schema if key["KeyType"] == "HASH")
    wanted = (hash_key.type, hash_key.value)
    return [
        item
        for partition in table.items.values()
        for item in partition.values()
        if (value := item.attrs.get(name)) is not None and (value.type, value.value) == wanted
    ]


class _ShallowResults:
    """Stands in for the ``copy`` module inside moto's Query, which deep-copies every item of a page
    before answering: the answer is written out as JSON within the same request and nothing changes
    the items meanwhile (projections make new ones), so the page is copied, not its items."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return list(value) if isinstance(value, list) else copy.deepcopy(value, memo)


_SHALLOW_RESULTS = _ShallowResults()


def _plain(key: Any) -> Any:
    """A typed moto key as a plain value that sorts as DynamoDB sorts it (numbers by value)."""
    return Decimal(key.value) if key.type == "N" else key.value


def _sort_key(item: Any) -> Any:
    return _plain(item.range_key)


def _binary_as_base64(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not part of a DynamoDB answer")


@contextmanager
def _plain_json_answers() -> Iterator[None]:
    """moto writes every answer through a serializer that walks the API's shape model value by value:
    a page of 2,000 events takes it about a second. A Query's or GetItem's answer is already DynamoDB's
    JSON (binary values aside, which are base64 on the wire), so it is written as JSON directly."""
    original: Callable[..., Any] = moto_responses.ActionResult.execute_result

    @wraps(original)
    def execute_result(self: moto_responses.ActionResult, context: Any) -> Any:
        fast = context.service_model.service_name == "dynamodb" and context.operation_model.name in _PLAIN_JSON
        if not fast or not isinstance(self.result, dict):
            return original(self, context)
        body = json.dumps(self.result, default=_binary_as_base64, separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    moto_responses.ActionResult.execute_result = execute_result  # type: ignore[method-assign]
    try:
        yield
    finally:
        moto_responses.ActionResult.execute_result = original  # type: ignore[method-assign]


_PLAIN_JSON = frozenset({"Query", "GetItem"})


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
    with mock_aws(), _atomic_moto_requests(), _cheap_transaction_backups(), _partition_queries(), _plain_json_answers():
        ensure_table(boto3.client("dynamodb"), table_name)
        try:
            yield f"embedded in-memory DynamoDB (moto), table {table_name}"
        finally:
            dynamo.reset()
