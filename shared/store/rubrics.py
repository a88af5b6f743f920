"""Rubrics: ``ORG#{orgId}`` / ``RUBRIC#{id}`` while active (with ``linkCount``, the number of active
assessments linking it), ``DELETED_RUBRIC#{id}`` once deleted."""

from __future__ import annotations

from shared.models.rubrics import Criterion
from shared.observability import traced
from shared.store import audit, dynamo, listing
from shared.store.audit import AuditRecord
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import PARTITION_KEY, SORT_KEY

ACTIVE_PREFIX = "RUBRIC#"


class RubricRecord(Record):
    id: str
    org_id: str
    name: str
    description: str | None = None
    criteria: tuple[Criterion, ...]
    created_at: str
    updated_at: str


def _keys(org_id: str, sort_key: str) -> dict[str, str]:
    return {PARTITION_KEY: f"ORG#{org_id}", SORT_KEY: sort_key}


def _active_keys(org_id: str, rubric_id: str) -> dict[str, str]:
    return _keys(org_id, f"{ACTIVE_PREFIX}{rubric_id}")


def link_action(org_id: str, rubric_id: str, change: int) -> Action:
    """A transaction action counting an assessment's link to the rubric in (+1) or out (-1);
    it fails (as ``rubric``) when the org has no such active rubric."""
    return Action(
        "Update",
        "rubric",
        keys=_active_keys(org_id, rubric_id),
        expression="ADD linkCount :change",
        condition="attribute_exists(PK)",
        values={":change": change},
    )


class RubricStore:
    @traced
    def create(self, rubric: RubricRecord, record: AuditRecord) -> None:
        item = {**item_of(_active_keys(rubric.org_id, rubric.id), rubric), "linkCount": 0}
        dynamo.transact_write(
            [Action("Put", "rubric", item=item, condition="attribute_not_exists(PK)"), audit.entry_action(record)]
        )

    @traced
    def get(self, org_id: str, rubric_id: str) -> RubricRecord | None:
        item = dynamo.get(_active_keys(org_id, rubric_id))
        return RubricRecord.model_validate(item) if item else None

    @traced
    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[RubricRecord], str | None]:
        """One Query of the org's active rubrics in creation order (deleted ones live under another
        prefix), and the id to resume after."""
        items, resume_after = listing.prefix_page(
            f"ORG#{org_id}", ACTIVE_PREFIX, lambda after: _active_keys(org_id, after), limit, after_id
        )
        return [RubricRecord.model_validate(item) for item in items], resume_after

    @traced
    def delete(self, rubric: RubricRecord, deleted_at: str, record: AuditRecord) -> None:
        """Move the rubric to its tombstone unless an active assessment links it (ConditionFailedError
        names ``rubric`` when it is gone, ``rubric link`` when it is still linked)."""
        tombstone = {
            **item_of(_keys(rubric.org_id, f"DELETED_RUBRIC#{rubric.id}"), rubric),
            "deletedAt": deleted_at,
        }
        try:
            dynamo.transact_write(
                [
                    Action(
                        "Delete",
                        "rubric link",
                        keys=_active_keys(rubric.org_id, rubric.id),
                        condition="attribute_exists(PK) AND linkCount = :zero",
                        values={":zero": 0},
                    ),
                    Action("Put", "rubric", item=tombstone),
                    audit.entry_action(record),
                ]
            )
        except dynamo.ConditionFailedError:
            if self.get(rubric.org_id, rubric.id) is None:
                raise dynamo.ConditionFailedError("rubric") from None
            raise
