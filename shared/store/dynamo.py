"""The DynamoDB boundary: a lazily built low-level client, the one number codec, and the outcomes
every store module reports (a condition failed, a transaction was cancelled at action N)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache, partial
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError

from shared import outages, settings
from shared.errors import UnavailableError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

MAX_TRANSACTION_ACTIONS = 100

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()

Item = dict[str, Any]
ResultT = TypeVar("ResultT")


@cache
def client() -> DynamoDBClient:
    """The client, built on first use so tests can start moto before it. Standard mode retries
    throttles with backoff; short timeouts fail fast inside a Lambda's time budget."""
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("dynamodb", config=config)


def reset() -> None:
    """Forget the cached client (tests and the local server point it at a new endpoint)."""
    client.cache_clear()


def table_name() -> str:
    return settings.table_name()


# The number codec: DynamoDB numbers are Decimals; the rest of the code sees int and float.


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {key: _to_dynamo(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo(inner) for inner in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(inner) for inner in value]
    return value


def serialize(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python attributes in DynamoDB's wire format."""
    return {name: _SERIALIZER.serialize(_to_dynamo(value)) for name, value in attributes.items()}


def deserialize(item: Mapping[str, Any]) -> Item:
    """An item in DynamoDB's wire format as plain Python values (numbers as int or float)."""
    return {name: _from_dynamo(_DESERIALIZER.deserialize(value)) for name, value in item.items()}


# Outcomes the store reports; the domain decides what each means to the caller.


class ConditionFailedError(Exception):
    """A conditional write found an item missing or not as expected; ``item`` names which one
    (``"assessment"``, ``"key"``, ``"session"``, ``"rubric"``…), so the domain can tell the caller why."""

    def __init__(self, item: str, positions: Sequence[int] = ()) -> None:
        super().__init__(f"the {item} was not as the write expected")
        self.item = item
        self.positions = list(positions)  # in a transaction: the index of every action that failed


class WriteConflictError(Exception):
    """Another request changed the same items at the same moment; reading again and retrying may work."""


# Requests. Each takes plain Python values and names the table itself.


def _values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"ExpressionAttributeValues": serialize(values)} if values else {}


def _names(names: Mapping[str, str] | None) -> dict[str, Any]:
    return {"ExpressionAttributeNames": dict(names)} if names else {}


def _request(call: Callable[[], ResultT]) -> ResultT:
    """One request, its client's retries included: UnavailableError when DynamoDB did not answer in time
    or kept throttling it (the caller may retry later), any other failure as it came."""
    return outages.unavailable("DynamoDB", call)


def get(keys: Mapping[str, str], *, consistent: bool = True) -> Item | None:
    """The item under ``keys``, or None."""
    response = _request(
        lambda: client().get_item(TableName=table_name(), Key=serialize(keys), ConsistentRead=consistent)
    )
    item = response.get("Item")
    return deserialize(item) if item else None


_BATCH_GET_LIMIT = 100


def get_many(keys: Sequence[Mapping[str, str]]) -> list[Item]:
    """The items under ``keys`` that exist (in no particular order): a BatchGetItem per 100 keys,
    asking again for what DynamoDB leaves unprocessed under load."""
    name = table_name()
    found: list[Item] = []
    for start in range(0, len(keys), _BATCH_GET_LIMIT):
        requests: Any = {name: {"Keys": [serialize(key) for key in keys[start : start + _BATCH_GET_LIMIT]]}}
        for attempt in range(_BATCH_ATTEMPTS):
            answer = _request(partial(client().batch_get_item, RequestItems=requests))
            found += [deserialize(item) for item in answer.get("Responses", {}).get(name, [])]
            requests = answer.get("UnprocessedKeys") or {}
            if not requests:
                break
            time.sleep(0.05 * 2**attempt)
        else:
            raise WriteConflictError("DynamoDB kept some reads unprocessed")
    return found


def put(item: Item, what: str, condition: str | None = None, values: Mapping[str, Any] | None = None) -> None:
    """Write ``item`` (a ``what``); a failed ``condition`` raises ConditionFailedError."""
    arguments: dict[str, Any] = {"TableName": table_name(), "Item": serialize(item), **_values(values)}
    if condition:
        arguments["ConditionExpression"] = condition
    _conditional(what, lambda: client().put_item(**arguments))


def update(
    keys: Mapping[str, str],
    what: str,
    expression: str,
    *,
    condition: str | None = None,
    values: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    return_new: bool = False,
) -> Item | None:
    """Apply an UpdateExpression to a ``what``; a failed ``condition`` raises ConditionFailedError.
    With ``return_new``, the item as the update left it."""
    arguments: dict[str, Any] = {
        "TableName": table_name(),
        "Key": serialize(keys),
        "UpdateExpression": expression,
        **_values(values),
        **_names(names),
    }
    if condition:
        arguments["ConditionExpression"] = condition
    if return_new:
        arguments["ReturnValues"] = "ALL_NEW"
    response = _conditional(what, lambda: client().update_item(**arguments))
    attributes = response.get("Attributes") if isinstance(response, dict) else None
    return deserialize(attributes) if attributes else None


def delete(keys: Mapping[str, str], what: str, condition: str | None = None) -> None:
    """Delete the ``what`` under ``keys``; a failed ``condition`` raises ConditionFailedError."""
    arguments: dict[str, Any] = {"TableName": table_name(), "Key": serialize(keys)}
    if condition:
        arguments["ConditionExpression"] = condition
    _conditional(what, lambda: client().delete_item(**arguments))


def _conditional(what: str, request: Callable[[], object]) -> object:
    try:
        return _request(request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConditionFailedError(what) from error
        raise


class Action(NamedTuple):
    """One action of a transaction on a ``what`` (the name a failed condition is reported under)."""

    kind: Literal["Put", "Update", "Delete", "ConditionCheck"]
    what: str
    keys: Mapping[str, str] | None = None
    item: Item | None = None
    expression: str | None = None
    condition: str | None = None
    values: Mapping[str, Any] | None = None
    names: Mapping[str, str] | None = None

    def wire(self, table: str) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": table, **_values(self.values), **_names(self.names)}
        if self.keys is not None:
            body["Key"] = serialize(self.keys)
        if self.item is not None:
            body["Item"] = serialize(self.item)
        if self.expression is not None:
            body["UpdateExpression"] = self.expression
        if self.condition is not None:
            body["ConditionExpression"] = self.condition
        return {self.kind: body}


# Cancellation reasons of a transaction that met load, not a conflict.
_THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})


def transact_write(actions: Sequence[Action]) -> None:
    """Run ``actions`` atomically. A cancelled transaction raises ConditionFailedError naming the
    first action whose condition failed, or WriteConflictError when only concurrency stopped it.

    Its client request token makes the client's retries of a timed-out request idempotent: DynamoDB
    applies the transaction once, however often it arrives within ten minutes."""
    name = table_name()
    items = [action.wire(name) for action in actions]
    token = str(uuid.uuid4())
    try:
        _request(lambda: client().transact_write_items(TransactItems=items, ClientRequestToken=token))  # type: ignore[arg-type]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
        failed = [index for index, reason in enumerate(reasons) if reason == "ConditionalCheckFailed"]
        if failed:
            raise ConditionFailedError(actions[failed[0]].what, failed) from error
        if _THROTTLED_REASONS & set(reasons):
            raise UnavailableError("DynamoDB is refusing requests for load; retry shortly") from error
        raise WriteConflictError(", ".join(reasons)) from error


_BATCH_WRITE_LIMIT = 25
_BATCH_ATTEMPTS = 5


def delete_all(keys: Sequence[Mapping[str, str]]) -> None:
    """Delete the items under ``keys``, 25 a BatchWriteItem (its limit), resending what DynamoDB leaves
    unprocessed under load, with a growing pause; unconditional, so only for items nothing else writes."""
    name = table_name()
    for start in range(0, len(keys), _BATCH_WRITE_LIMIT):
        requests: Any = {
            name: [{"DeleteRequest": {"Key": serialize(key)}} for key in keys[start : start + _BATCH_WRITE_LIMIT]]
        }
        for attempt in range(_BATCH_ATTEMPTS):
            answer = _request(partial(client().batch_write_item, RequestItems=requests))
            requests = answer.get("UnprocessedItems") or {}
            if not requests:
                break
            time.sleep(0.05 * 2**attempt)
        else:
            raise WriteConflictError("DynamoDB kept some deletions unprocessed")


def query(
    condition: str,
    values: Mapping[str, Any],
    *,
    limit: int | None = None,
    start_after: Mapping[str, str] | None = None,
    index: str | None = None,
    consistent: bool = True,
    names: Mapping[str, str] | None = None,
    forward: bool = True,
    attributes: Sequence[str] = (),
    keep: str | None = None,
) -> tuple[list[Item], Item | None]:
    """One Query request (in sort key order, or the reverse unless ``forward``): the items (only their
    ``attributes`` when named; only those the ``keep`` filter expression keeps, of the ``limit`` read) and the
    LastEvaluatedKey, if the query has more."""
    projected = {f"#p{index}": name for index, name in enumerate(attributes)}
    arguments: dict[str, Any] = {
        "TableName": table_name(),
        "KeyConditionExpression": condition,
        **_values(values),
        **_names({**(names or {}), **projected}),
    }
    if projected:
        arguments["ProjectionExpression"] = ", ".join(projected)
    if keep is not None:
        arguments["FilterExpression"] = keep
    if limit is not None:
        arguments["Limit"] = limit
    if not forward:
        arguments["ScanIndexForward"] = False
    if start_after is not None:
        arguments["ExclusiveStartKey"] = serialize(start_after)
    if index is not None:
        arguments["IndexName"] = index
    else:
        arguments["ConsistentRead"] = consistent
    response = _request(lambda: client().query(**arguments))
    last = response.get("LastEvaluatedKey")
    return [deserialize(item) for item in response.get("Items", [])], deserialize(last) if last else None


def query_all(condition: str, values: Mapping[str, Any]) -> Iterator[Item]:
    """Every item a Query matches, following its pages (one request per MB)."""
    start: Item | None = None
    while True:
        items, start = query(condition, values, start_after=start)
        yield from items
        if start is None:
            return
