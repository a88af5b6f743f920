"""An organisation's list of one kind of item (its webhooks, its integrations): each item's own partition
holds it, and the first index lists them by the organisation, sorted by ``{prefix}{id}``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from shared.store import dynamo
from shared.store.dynamo import Item
from shared.store.schema import INDEX_PARTITION_KEY, INDEX_SORT_KEY, SESSIONS_INDEX


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
