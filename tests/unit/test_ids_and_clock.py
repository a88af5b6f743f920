"""Time-ordered ids and the API's timestamp format."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from shared.clock import from_timestamp, to_timestamp
from shared.ids import new_id


def test_ids_are_uuid7_and_sort_in_creation_order_even_within_a_millisecond() -> None:
    ids = [new_id() for _ in range(10_000)]

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(value).version for value in ids} == {7}


def test_id_prefix_carries_the_creation_millisecond() -> None:
    before = int(datetime.now(UTC).timestamp() * 1000)
    value = uuid.UUID(new_id())
    after = int(datetime.now(UTC).timestamp() * 1000)

    assert before <= value.int >> 80 <= after


def test_timestamps_are_utc_with_z_and_round_trip() -> None:
    moment = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)

    assert to_timestamp(moment) == "2026-04-01T10:00:00Z"
    assert from_timestamp("2026-04-01T10:00:00Z") == moment
