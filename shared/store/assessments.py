"""Assessment items: ``ORG#{orgId}`` / ``ASMT#{id}`` while active, ``DELETED#{id}`` once deleted."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from shared.errors import NotFoundError
from shared.models.assessments import AssessmentView
from shared.store import dynamo, keys

_ASSESSMENT_FIELDS = tuple(field.alias or name for name, field in AssessmentView.model_fields.items())


def _to_item(assessment: AssessmentView, sort_key: str) -> dict[str, Any]:
    return {
        **keys.key(keys.org_pk(assessment.org_id), sort_key),
        **assessment.model_dump(by_alias=True),
    }


def _from_item(item: dict[str, Any]) -> AssessmentView:
    return AssessmentView.model_validate({name: item.get(name) for name in _ASSESSMENT_FIELDS})


class AssessmentStore:
    """Reads and writes assessments of any organisation; callers pass the org they act for."""

    def create(self, assessment: AssessmentView) -> None:
        """Store a new assessment (one PutItem, refusing to overwrite an existing id)."""
        dynamo.table().put_item(
            Item=_to_item(assessment, keys.active_assessment_sk(assessment.id)),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def get(self, org_id: str, assessment_id: str) -> AssessmentView | None:
        """The active assessment, or None when unknown, deleted or another org's."""
        response = dynamo.table().get_item(
            Key=keys.key(keys.org_pk(org_id), keys.active_assessment_sk(assessment_id)),
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _from_item(item) if item else None

    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[AssessmentView], str | None]:
        """One Query of active assessments in creation order, and the id to resume after.

        Deleted assessments live under another sort-key prefix, so they cost nothing here.
        DynamoDB ends a page at 1 MB, which also keeps the response well inside Lambda's limit."""
        arguments: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(keys.org_pk(org_id))
            & Key("SK").begins_with(keys.ACTIVE_ASSESSMENT_PREFIX),
            "Limit": limit,
        }
        if after_id is not None:
            arguments["ExclusiveStartKey"] = keys.key(keys.org_pk(org_id), keys.active_assessment_sk(after_id))
        response = dynamo.table().query(**arguments)
        assessments = [_from_item(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        resume_after = str(last_key["SK"]).removeprefix(keys.ACTIVE_ASSESSMENT_PREFIX) if last_key else None
        return assessments, resume_after

    def delete(self, assessment: AssessmentView, deleted_at: str) -> None:
        """Move the assessment to its tombstone, in one transaction."""
        active_key = keys.key(keys.org_pk(assessment.org_id), keys.active_assessment_sk(assessment.id))
        tombstone = {
            **_to_item(assessment, keys.deleted_assessment_sk(assessment.id)),
            "deletedAt": deleted_at,
        }
        try:
            dynamo.transact_write(
                [
                    {"Delete": {"Key": active_key, "ConditionExpression": "attribute_exists(PK)"}},
                    {"Put": {"Item": tombstone}},
                ]
            )
        except dynamo.TransactionCancelledError as cancelled:
            if cancelled.failed(0):
                raise NotFoundError("Assessment not found") from cancelled
            raise
