"""The table's key schema, shared by the CDK stack, the local server and the tests so they cannot drift."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PARTITION_KEY = "PK"
SORT_KEY = "SK"


def table_definition(table_name: str) -> dict[str, Any]:
    """``CreateTable`` arguments for the single table (on-demand, string PK and SK)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": PARTITION_KEY, "AttributeType": "S"},
            {"AttributeName": SORT_KEY, "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }


def ensure_table(client: DynamoDBClient, table_name: str) -> bool:
    """Create the table unless it exists; True when it was created."""
    try:
        client.describe_table(TableName=table_name)
    except client.exceptions.ResourceNotFoundException:
        client.create_table(**table_definition(table_name))
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
        return True
    return False
