"""The table's key schema, shared by the CDK stack, the local server and the tests so they cannot drift."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeDefinitionTypeDef, CreateGlobalSecondaryIndexActionTypeDef

PARTITION_KEY = "PK"
SORT_KEY = "SK"

# The first overloaded global index, lists by owner: an assessment's sessions in start order (behind its
# state record), an organisation's webhooks, a session's events by type, the audit records of a resource.
SESSIONS_INDEX = "GSI1"
INDEX_PARTITION_KEY = "GSI1PK"
INDEX_SORT_KEY = "GSI1SK"

# The second, sparse, lists by time or kind: pending keys awaiting their reminder by expiry, the audit
# records of one action. Only items carrying its attributes are in it.
SECOND_INDEX = "GSI2"
SECOND_INDEX_PARTITION_KEY = "GSI2PK"
SECOND_INDEX_SORT_KEY = "GSI2SK"
INDEXES = {
    SESSIONS_INDEX: (INDEX_PARTITION_KEY, INDEX_SORT_KEY),
    SECOND_INDEX: (SECOND_INDEX_PARTITION_KEY, SECOND_INDEX_SORT_KEY),
}

# Epoch seconds after which DynamoDB deletes the item (idempotency records, webhook delivery attempts,
# audit records).
TTL_ATTRIBUTE = "ttl"

# Every committed change, before and after, feeds the event consumer (invitations, webhooks).
STREAM_VIEW_TYPE = "NEW_AND_OLD_IMAGES"
STREAM: dict[str, Any] = {"StreamEnabled": True, "StreamViewType": STREAM_VIEW_TYPE}


def _attribute(name: str) -> AttributeDefinitionTypeDef:
    return {"AttributeName": name, "AttributeType": "S"}


def index_definition(index_name: str) -> CreateGlobalSecondaryIndexActionTypeDef:
    """One global index as ``CreateTable`` and ``UpdateTable`` name it: string keys, every attribute projected."""
    partition_key, sort_key = INDEXES[index_name]
    return {
        "IndexName": index_name,
        "KeySchema": [
            {"AttributeName": partition_key, "KeyType": "HASH"},
            {"AttributeName": sort_key, "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def table_definition(table_name: str) -> dict[str, Any]:
    """``CreateTable`` arguments for the single table (on-demand, string keys, two indexes)."""
    return {
        "TableName": table_name,
        "KeySchema": [
            {"AttributeName": PARTITION_KEY, "KeyType": "HASH"},
            {"AttributeName": SORT_KEY, "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            _attribute(name) for name in (PARTITION_KEY, SORT_KEY, *(key for keys in INDEXES.values() for key in keys))
        ],
        "GlobalSecondaryIndexes": [index_definition(name) for name in INDEXES],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": STREAM,
    }


def ensure_table(client: DynamoDBClient, table_name: str) -> bool:
    """Create the table unless it exists, and give an existing one its stream and any index it lacks (a
    table kept from before the index, behind AWS_ENDPOINT_URL_DYNAMODB); True when it was created."""
    try:
        described = client.describe_table(TableName=table_name)["Table"]
        if not described.get("StreamSpecification", {}).get("StreamEnabled"):
            client.update_table(TableName=table_name, StreamSpecification=STREAM)  # type: ignore[arg-type]
        present = {index["IndexName"] for index in described.get("GlobalSecondaryIndexes", [])}
        for name, index_keys in INDEXES.items():
            if name not in present:
                client.update_table(
                    TableName=table_name,
                    AttributeDefinitions=[_attribute(key) for key in index_keys],
                    GlobalSecondaryIndexUpdates=[{"Create": index_definition(name)}],
                )
    except client.exceptions.ResourceNotFoundException:
        client.create_table(**table_definition(table_name))
        client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE}
        )
        return True
    return False
