"""Lazily built, cached DynamoDB handles and the transaction runner."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from shared import settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table

# Fail fast inside a Lambda's time budget; standard mode retries throttles with backoff.
_CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})

MAX_TRANSACTION_ACTIONS = 100


@cache
def table() -> Table:
    """The table resource, built on first use so tests can start moto before it."""
    return boto3.resource("dynamodb", config=_CLIENT_CONFIG).Table(settings.table_name())


def client() -> DynamoDBClient:
    """The resource's client: it accepts plain Python values, as the resource does."""
    return table().meta.client


def reset() -> None:
    """Forget cached handles (tests and the local server point them at a new table)."""
    table.cache_clear()


class TransactionCancelledError(Exception):
    """A TransactWriteItems was cancelled; ``reasons`` holds one code per action."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__(", ".join(reasons))
        self.reasons = list(reasons)

    def failed(self, index: int) -> bool:
        """Whether the action at ``index`` failed its condition."""
        return self.reasons[index] == "ConditionalCheckFailed"

    @property
    def conflicted(self) -> bool:
        """Whether another transaction touched the same items at the same time."""
        return "TransactionConflict" in self.reasons


def transact_write(actions: Sequence[dict[str, Any]]) -> None:
    """Run ``actions`` (each ``{"Put"|"Update"|"Delete"|"ConditionCheck": {...}}``) atomically.

    The table name is filled in here; a cancellation becomes :class:`TransactionCancelledError`."""
    name = table().name
    items = [{kind: {"TableName": name, **body} for kind, body in action.items()} for action in actions]
    try:
        client().transact_write_items(TransactItems=items)  # type: ignore[arg-type]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        reasons = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
        raise TransactionCancelledError(reasons) from error


def query_all(**arguments: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, following its pages (one request per MB)."""
    while True:
        response = table().query(**arguments)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def is_condition_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
