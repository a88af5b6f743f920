"""The embedded DynamoDB keeps DynamoDB's transaction guarantees with its cheaper backups and its paging
with its partition-only queries, and the store boundary reports each failed action by what it was."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.stream import streams_client
from shared.store import dynamo
from shared.store.dynamo import Action
from shared.store.schema import SESSIONS_INDEX

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


def _pages(condition: str, values: dict[str, Any], forward: bool, index: str | None = None) -> list[list[Any]]:
    """Every page of a Query of 3 items, each page's (PK, SK) in order."""
    pages, start = [], None
    while True:
        items, start = dynamo.query(condition, values, limit=3, start_after=start, forward=forward, index=index)
        pages.append([(item["PK"], item["SK"]) for item in items])
        if start is None:
            return pages


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
def test_a_query_pages_through_its_partition_in_sort_key_order_from_each_start_key(forward: bool) -> None:
    # A second partition, a numeric-looking sort key and sort keys outside the prefix, all of which a
    # Query handed its own partition alone must still leave out or order as DynamoDB does.
    for sort_key in ("EVT#3", "EVT#10", "EVT#2", "ID#1", "EVT#1", "A", "EVT#4", "EVT#20"):
        dynamo.put({"PK": "S", "SK": sort_key, "GSI1PK": "I", "GSI1SK": sort_key}, "item")
    dynamo.put({"PK": "T", "SK": "EVT#0"}, "item")
    ordered = sorted(["EVT#1", "EVT#10", "EVT#2", "EVT#20", "EVT#3", "EVT#4"], reverse=not forward)

    pages = _pages("PK = :pk AND begins_with(SK, :prefix)", {":pk": "S", ":prefix": "EVT#"}, forward)
    index_pages = _pages("GSI1PK = :pk", {":pk": "I"}, forward, index=SESSIONS_INDEX)

    assert [sort_key for page in pages for _, sort_key in page] == ordered
    assert [len(page) for page in pages] in ([3, 3], [3, 3, 0])
    assert [sort_key for page in index_pages for _, sort_key in page] == sorted(
        ["EVT#3", "EVT#10", "EVT#2", "ID#1", "EVT#1", "A", "EVT#4", "EVT#20"], reverse=not forward
    )
