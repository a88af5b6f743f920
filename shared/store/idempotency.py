"""Idempotency records: Powertools' persistence layer, keyed into the single table.

Each record is its own item, ``IDEMPOTENCY#{hash}`` / ``IDEMPOTENCY``, where the hash covers the
caller, the route and the client's key; DynamoDB's TTL removes it once ``ttl`` has passed."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from shared.store import dynamo
from shared.store.schema import PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

KEY_PREFIX = "IDEMPOTENCY"
_SORT_KEY_VALUE = "IDEMPOTENCY"


class IdempotencyStore(DynamoDBPersistenceLayer):
    """Records under a partition of their own each (``KEY_PREFIX#hash``), so one busy caller's
    records never crowd one partition, and the table's TTL attribute as their expiry."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        super().__init__(
            table_name=table_name,
            key_attr=PARTITION_KEY,
            expiry_attr=TTL_ATTRIBUTE,
            in_progress_expiry_attr="inProgressExpiry",
            status_attr="status",
            data_attr="response",
            validation_key_attr="requestHash",
            boto3_client=client,
        )

    def _get_key(self, idempotency_key: str) -> dict[str, Any]:
        return {PARTITION_KEY: {"S": idempotency_key}, SORT_KEY: {"S": _SORT_KEY_VALUE}}


def idempotency_store() -> IdempotencyStore:
    """The store over the current client and table (one per client, so a reset client gets a new one)."""
    return _store(dynamo.client(), dynamo.table_name())


@cache
def _store(client: DynamoDBClient, table_name: str) -> IdempotencyStore:
    return IdempotencyStore(table_name, client)
