"""The table's key schema, shared by the CDK stack, the local server and the tests so they cannot drift."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PARTITION_KEY = "PK"
SORT_KEY = "SK"

# One overloaded global index: an assessment's sessions in start order, behind its state record.
SESSIONS_INDEX = "GSI1"
INDEX_PARTITION_KEY = "GSI1PK"
INDEX_SORT_KEY = "GSI1SK"

# Epoch seconds after which DynamoDB deletes the item (idempotency records, webhook delivery attempts).
TTL_ATTRIBUTE = "ttl"

# Every committed change, before and after, feeds the event consumer (invitations, webhooks).
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
STREAM: dict[str, Any] = {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE}


def table_definition(table_name: str) -> dict[str, Any]:
    """``CreateTable`` arguments for the single table (on-demand, string keys, one index)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in (PARTITION_KEY, SORT_KEY, INDEX_PARTITION_KEY, INDEX_SORT_KEY)
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": SESSIONS_INDEX,
                "KeySchema": [
                    {"AttributeName": INDEX_PARTITION_KEY, "KeyType": "HASH"},
                    {"AttributeName": INDEX_SORT_KEY, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": STREAM,
    }


def ensure_table(client: DynamoDBClient, table_name: str) -> bool:
    """Create the table unless it exists, and give an existing one its stream; True when it was created."""
    try:
        described = client.describe_table(TableName=table_name)["Table"]
        if not described.get("StreamSpecification", {}).get("StreamEnabled"):
            client.update_table(TableName=table_name, StreamSpecification=STREAM)  # type: ignore[arg-type]
    except client.exceptions.ResourceNotFoundException:
        client.create_table(**table_definition(table_name))
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        return True
    return False
