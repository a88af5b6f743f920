"""Lists read a page at a time, resumable after an item's id: the items of one kind in a partition, sorted
by ``{prefix}{id}`` (an org's assessments and rubrics, a session's share links, an endpoint's deliveries),
or an organisation's items that each live in a partition of their own (its webhooks, its integrations),
listed by the first index."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from shared.store import dynamo
from shared.store.dynamo import Item
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, SESSIONS_INDEX, SORT_KEY


def prefix_page(
    partition: str,
    prefix: str,
    keys: Callable[[str], Mapping[str, str]],
    limit: int,
    after_id: str | None,
    *,
    forward: bool = True,
) -> tuple[list[Item], str | None]:
    """One Query of the items of ``partition`` whose sort key is ``prefix`` and their id, in id order
    (newest first unless ``forward``), from after the item ``after_id`` (``keys`` gives an item's table
    keys), and the id to resume after."""
    items, last = dynamo.query(
        "PK = :pk AND begins_with(SK, :prefix)",
        {":pk": partition, ":prefix": prefix},
        limit=limit,
        start_after=keys(after_id) if after_id else None,
        forward=forward,
    )
    return items, str(last[SORT_KEY]).removeprefix(prefix) if last else None


def org_page(
    index_partition: str,
    prefix: str,
    keys: Callable[[str], Mapping[str, str]],
    limit: int,
    after_id: str | None,
) -> tuple[list[Item], str | None]:
    """One Query of the list ``index_partition`` (items still in it, in id order), from after the item
    ``after_id`` (``keys`` gives an item's table keys), and the id to resume after. The index is read
    eventually consistently: an item listed a moment ago may be a moment late."""
    start_after = None
    if after_id is not None:
        start_after = {**keys(after_id), INDEX_PARTITION_KEY: index_partition, INDEX_SORT_KEY: f"{prefix}{after_id}"}
    items, last = dynamo.query(
        f"{INDEX_PARTITION_KEY} = :pk",
        {":pk": index_partition},
        limit=limit,
        start_after=start_after,
        index=SESSIONS_INDEX,
    )
    return items, str(last[INDEX_SORT_KEY]).removeprefix(prefix) if last else None
