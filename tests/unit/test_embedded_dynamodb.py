"""The embedded DynamoDB keeps DynamoDB's transaction guarantees with its cheaper backups, and the store
boundary reports each failed action by what it was."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.stream import streams_client
from shared.store import dynamo
from shared.store.dynamo import Action

pytestmark = pytest.mark.usefixtures("table")


def _streamed_keys() -> list[dict[str, Any]]:
    """The keys of every record in the table's stream, oldest first."""
    arn = dynamo.client().describe_table(TableName=dynamo.table_name())["Table"]["LatestStreamArn"]
    streams = streams_client()
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return [
        dict(record["dynamodb"]["Keys"])
        for record in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    ]


def _n(pk: str) -> object:
    item = dynamo.get({"PK": pk, "SK": "1"})
    return item["n"] if item else None


def test_a_cancelled_transaction_changes_nothing_in_any_partition() -> None:
    dynamo.put({"PK": "A", "SK": "1", "n": 1}, "a")
    dynamo.put({"PK": "C", "SK": "1", "n": 1}, "c")

    with pytest.raises(dynamo.ConditionFailedError) as failed:
        dynamo.transact_write(
            [
                Action("Put", "b", item={"PK": "B", "SK": "1"}),
                Action("Update", "a", keys={"PK": "A", "SK": "1"}, expression="SET n = :two", values={":two": 2}),
                Action("Delete", "c", keys={"PK": "C", "SK": "1"}, condition="n = :zero", values={":zero": 0}),
            ]
        )

    assert (failed.value.item, failed.value.positions) == ("c", [2])
    assert dynamo.get({"PK": "B", "SK": "1"}) is None
    assert (_n("A"), _n("C")) == (1, 1)


def test_a_cancelled_transaction_leaves_nothing_in_the_stream() -> None:
    dynamo.put({"PK": "A", "SK": "1", "n": 1}, "a")

    with pytest.raises(dynamo.ConditionFailedError):
        dynamo.transact_write(
            [
                Action("Put", "b", item={"PK": "B", "SK": "1"}),
                Action(
                    "Update",
                    "a",
                    keys={"PK": "A", "SK": "1"},
                    expression="SET n = :two",
                    condition="n = :zero",
                    values={":two": 2, ":zero": 0},
                ),
                Action("Put", "c", item={"PK": "C", "SK": "1"}),
            ]
        )
    dynamo.put({"PK": "D", "SK": "1"}, "d")

    assert [keys["PK"]["S"] for keys in _streamed_keys()] == ["A", "D"]


def test_a_committed_transaction_applies_every_action() -> None:
    dynamo.put({"PK": "A", "SK": "1", "n": 1}, "a")

    dynamo.transact_write(
        [
            Action("Put", "b", item={"PK": "B", "SK": "1"}),
            Action("Update", "a", keys={"PK": "A", "SK": "1"}, expression="SET n = :two", values={":two": 2}),
        ]
    )

    assert dynamo.get({"PK": "B", "SK": "1"}) is not None
    assert _n("A") == 2


def test_numbers_come_back_as_int_or_float_and_none_is_not_stored() -> None:
    dynamo.put({"PK": "A", "SK": "1", "whole": 50, "part": 12.5, "nested": [{"w": 0.01}], "none": None}, "a")

    assert dynamo.get({"PK": "A", "SK": "1"}) == {
        "PK": "A",
        "SK": "1",
        "whole": 50,
        "part": 12.5,
        "nested": [{"w": 0.01}],
        "none": None,
    }
