"""The embedded DynamoDB keeps DynamoDB's transaction guarantees with its cheaper backups."""

from __future__ import annotations

import pytest

from shared.store import dynamo

pytestmark = pytest.mark.usefixtures("table")


def test_a_cancelled_transaction_changes_nothing_in_any_partition() -> None:
    table = dynamo.table()
    table.put_item(Item={"PK": "A", "SK": "1", "n": 1})
    table.put_item(Item={"PK": "C", "SK": "1", "n": 1})

    with pytest.raises(dynamo.TransactionCancelledError) as cancelled:
        dynamo.transact_write(
            [
                {"Put": {"Item": {"PK": "B", "SK": "1"}}},
                {
                    "Update": {
                        "Key": {"PK": "A", "SK": "1"},
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": 2},
                    }
                },
                {
                    "Delete": {
                        "Key": {"PK": "C", "SK": "1"},
                        "ConditionExpression": "n = :zero",
                        "ExpressionAttributeValues": {":zero": 0},
                    }
                },
            ]
        )

    assert cancelled.value.reasons == ["None", "None", "ConditionalCheckFailed"]
    assert "Item" not in table.get_item(Key={"PK": "B", "SK": "1"})
    assert table.get_item(Key={"PK": "A", "SK": "1"})["Item"]["n"] == 1
    assert table.get_item(Key={"PK": "C", "SK": "1"})["Item"]["n"] == 1


def test_a_committed_transaction_applies_every_action() -> None:
    table = dynamo.table()
    table.put_item(Item={"PK": "A", "SK": "1", "n": 1})

    dynamo.transact_write(
        [
            {"Put": {"Item": {"PK": "B", "SK": "1"}}},
            {
                "Update": {
                    "Key": {"PK": "A", "SK": "1"},
                    "UpdateExpression": "SET n = :two",
                    "ExpressionAttributeValues": {":two": 2},
                }
            },
        ]
    )

    assert "Item" in table.get_item(Key={"PK": "B", "SK": "1"})
    assert table.get_item(Key={"PK": "A", "SK": "1"})["Item"]["n"] == 2
