"""Rubrics: ``ORG#{orgId}`` / ``RUBRIC#{id}`` while active (with ``linkCount``, the number of active
assessments linking it), ``DELETED_RUBRIC#{id}`` once deleted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key

from shared.errors import ConflictError, NotFoundError
from shared.models.rubrics import Rubric
from shared.store import dynamo, keys


def rubric_key(org_id: str, rubric_id: str) -> dict[str, str]:
    return keys.key(keys.org_pk(org_id), keys.active_rubric_sk(rubric_id))


def link_action(org_id: str, rubric_id: str, change: int) -> dict[str, Any]:
    """A transaction action counting an assessment's link to the rubric in (+1) or out (-1);
    it fails when the org has no such active rubric."""
    return {
        "Update": {
            "Key": rubric_key(org_id, rubric_id),
            "UpdateExpression": "ADD linkCount :change",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": {":change": change},
        }
    }


def _to_item(rubric: Rubric, sort_key: str) -> dict[str, Any]:
    item = rubric.model_dump(by_alias=True)
    item["criteria"] = [{**criterion, "weight": Decimal(str(criterion["weight"]))} for criterion in item["criteria"]]
    return {**keys.key(keys.org_pk(rubric.org_id), sort_key), **item}


def _from_item(item: dict[str, Any]) -> Rubric:
    fields = {name: item.get(name) for name in ("id", "orgId", "name", "description", "createdAt", "updatedAt")}
    criteria = [{**criterion, "weight": float(criterion["weight"])} for criterion in item.get("criteria", [])]
    return Rubric.model_validate({**fields, "criteria": criteria})


class RubricStore:
    def create(self, rubric: Rubric) -> None:
        item = {**_to_item(rubric, keys.active_rubric_sk(rubric.id)), "linkCount": 0}
        dynamo.table().put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")

    def get(self, org_id: str, rubric_id: str) -> Rubric | None:
        item = dynamo.table().get_item(Key=rubric_key(org_id, rubric_id), ConsistentRead=True).get("Item")
        return _from_item(item) if item else None

    def list_active(self, org_id: str) -> list[Rubric]:
        """The org's active rubrics in creation order (deleted ones live under another prefix)."""
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(keys.ACTIVE_RUBRIC_PREFIX)
        return [_from_item(item) for item in dynamo.query_all(KeyConditionExpression=condition)]

    def delete(self, rubric: Rubric, deleted_at: str) -> None:
        """Move the rubric to its tombstone unless an active assessment links it."""
        tombstone = {**_to_item(rubric, keys.deleted_rubric_sk(rubric.id)), "deletedAt": deleted_at}
        try:
            dynamo.transact_write(
                [
                    {
                        "Delete": {
                            "Key": rubric_key(rubric.org_id, rubric.id),
                            "ConditionExpression": "attribute_exists(PK) AND linkCount = :zero",
                            "ExpressionAttributeValues": {":zero": 0},
                        }
                    },
                    {"Put": {"Item": tombstone}},
                ]
            )
        except dynamo.TransactionCancelledError as cancelled:
            if self.get(rubric.org_id, rubric.id) is None:
                raise NotFoundError("Rubric not found") from cancelled
            raise ConflictError(
                "An active assessment links this rubric; delete the assessment first", code="rubric_in_use"
            ) from cancelled
