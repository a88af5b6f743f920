"""The audit log: one item per change a reviewer or operator made, ``AUDIT#{orgId}`` / ``ENTRY#{id}`` (a
UUIDv7: the sort key is the order of the changes), written by the store that makes the change, in the
same transaction (:func:`entry_action`). Each item is also filed under its resource in the GSI1 index
(``AUDIT#{orgId}#RESOURCE#{type}#{id}``) and under its action in the GSI2 index
(``AUDIT#{orgId}#ACTION#{action}``), so a filtered page is one Query of that filter's records alone.
DynamoDB's TTL removes an item 400 days after the change."""

from __future__ import annotations

from datetime import timedelta

from shared import clock
from shared.observability import traced
from shared.store import dynamo
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import (
    INDEX_PARTITION_KEY,
    INDEX_SORT_KEY,
    PARTITION_KEY,
    SECOND_INDEX,
    SECOND_INDEX_PARTITION_KEY,
    SECOND_INDEX_SORT_KEY,
    SESSIONS_INDEX,
    SORT_KEY,
    TTL_ATTRIBUTE,
)

RETENTION = timedelta(days=400)
PARTITION_PREFIX = "AUDIT#"
_ENTRY_PREFIX = "ENTRY#"


class AuditRecord(Record):
    """What changed, when, by whom and in which request: ids and field names, never personal data or secrets."""

    id: str
    org_id: str
    at: str
    action: str
    resource_type: str
    resource_id: str
    actor_type: str
    actor_id: str
    actor_name: str
    request_id: str
    changes: tuple[str, ...] = ()


def _partition(org_id: str) -> str:
    return f"{PARTITION_PREFIX}{org_id}"


def _keys(org_id: str, entry_id: str) -> dict[str, str]:
    return {PARTITION_KEY: _partition(org_id), SORT_KEY: f"{_ENTRY_PREFIX}{entry_id}"}


def _resource_partition(org_id: str, resource_type: str, resource_id: str) -> str:
    return f"{_partition(org_id)}#RESOURCE#{resource_type}#{resource_id}"


def _action_partition(org_id: str, action: str) -> str:
    return f"{_partition(org_id)}#ACTION#{action}"


def _index_keys(record: AuditRecord) -> dict[str, str]:
    entry = f"{_ENTRY_PREFIX}{record.id}"
    return {
        INDEX_PARTITION_KEY: _resource_partition(record.org_id, record.resource_type, record.resource_id),
        INDEX_SORT_KEY: entry,
        SECOND_INDEX_PARTITION_KEY: _action_partition(record.org_id, record.action),
        SECOND_INDEX_SORT_KEY: entry,
    }


def entry_action(record: AuditRecord) -> Action:
    """The transaction action writing ``record``: the store making the change adds it to its transaction,
    so the record exists exactly when the change does."""
    expires = clock.from_timestamp(record.at) + RETENTION
    item = {
        **item_of(_keys(record.org_id, record.id), record),
        **_index_keys(record),
        TTL_ATTRIBUTE: int(expires.timestamp()),
    }
    return Action("Put", "audit record", item=item, condition="attribute_not_exists(PK)")


def record_in(item: dynamo.Item) -> AuditRecord | None:
    """The audit record an item of the table holds (a stream image), or None for any other item."""
    is_record = str(item.get(PARTITION_KEY, "")).startswith(PARTITION_PREFIX) and str(
        item.get(SORT_KEY, "")
    ).startswith(_ENTRY_PREFIX)
    return AuditRecord.model_validate(item) if is_record else None


class AuditStore:
    @traced
    def record(self, record: AuditRecord) -> None:
        """Write a record alone, for a change outside the table (a ping queued for delivery)."""
        dynamo.transact_write([entry_action(record)])

    @traced
    def list_page(
        self,
        org_id: str,
        limit: int,
        after_id: str | None,
        *,
        resource: tuple[str, str] | None = None,
        action: str | None = None,
    ) -> tuple[list[AuditRecord], str | None]:
        """One Query of the org's records, newest first, and the id to resume after: all of them (read
        consistently), a resource's (the GSI1 index), or an action's (the GSI2 index). Both filters read
        the resource's records, keeping the action's: a resource has few, so the page stays cheap (it
        may then hold fewer than ``limit``)."""
        start_after = _keys(org_id, after_id) if after_id is not None else None
        values: dict[str, object]
        names: dict[str, str] | None = None
        index: str | None = None
        if resource is not None:
            index, partition_key, sort_key = SESSIONS_INDEX, INDEX_PARTITION_KEY, INDEX_SORT_KEY
            values = {":pk": _resource_partition(org_id, *resource)}
        elif action is not None:
            index, partition_key, sort_key = SECOND_INDEX, SECOND_INDEX_PARTITION_KEY, SECOND_INDEX_SORT_KEY
            values = {":pk": _action_partition(org_id, action)}
        else:
            partition_key, sort_key = PARTITION_KEY, SORT_KEY
            values = {":pk": _partition(org_id)}
        if start_after is not None and index is not None:
            start_after |= {partition_key: str(values[":pk"]), sort_key: start_after[SORT_KEY]}
        condition = f"{partition_key} = :pk"
        query_filter = None
        if resource is not None and action is not None:
            query_filter, names = "#action = :action", {"#action": "action"}
            values[":action"] = action
        items, last = dynamo.query(
            condition,
            values,
            limit=limit,
            start_after=start_after,
            index=index,
            forward=False,
            names=names,
            keep=query_filter,
        )
        resume_after = str(last[SORT_KEY]).removeprefix(_ENTRY_PREFIX) if last else None
        return [AuditRecord.model_validate(item) for item in items], resume_after
