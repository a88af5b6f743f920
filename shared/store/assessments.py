"""Assessments: the full item under ``ORG#{orgId}`` / ``ASMT#{id}`` while active, plus the state record
in the assessment's own partition, which becomes the tombstone (with a snapshot) once it is deleted."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from shared.errors import ConflictError, InvalidInputError, NotFoundError
from shared.models.assessments import AssessmentView
from shared.store import dynamo, keys
from shared.store.candidate_keys import StoredKey, new_state_item, read_partition, revoke_action, state_key
from shared.store.rubrics import link_action

_ASSESSMENT_FIELDS = tuple(field.alias or name for name, field in AssessmentView.model_fields.items())

# Deleting re-reads and retries when keys are issued or redeemed while it runs.
_DELETE_ATTEMPTS = 5


def _from_item(item: dict[str, Any]) -> AssessmentView:
    return AssessmentView.model_validate({name: item.get(name) for name in _ASSESSMENT_FIELDS})


def _active_key(org_id: str, assessment_id: str) -> dict[str, str]:
    return keys.key(keys.org_pk(org_id), keys.active_assessment_sk(assessment_id))


class AssessmentStore:
    """Reads and writes assessments of any organisation; callers pass the org they act for."""

    def create(self, assessment: AssessmentView) -> None:
        """Store a new assessment and its state record, and link its rubric: one TransactWriteItems,
        so a rubric cannot be deleted between the check and the link."""
        item = {**_active_key(assessment.org_id, assessment.id), **assessment.model_dump(by_alias=True)}
        actions: list[dict[str, Any]] = [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Put": {
                    "Item": new_state_item(assessment.id, assessment.org_id),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
        ]
        if assessment.rubric_id is not None:
            actions.append(link_action(assessment.org_id, assessment.rubric_id, +1))
        try:
            dynamo.transact_write(actions)
        except dynamo.TransactionCancelledError as cancelled:
            if assessment.rubric_id is not None and cancelled.failed(2):
                raise InvalidInputError.for_field(
                    ("rubricId",),
                    "rubric_not_found",
                    "no active rubric of this organisation has this id",
                    "rubric_not_found",
                ) from cancelled
            raise ConflictError("The assessment could not be stored; retry") from cancelled

    def get(self, org_id: str, assessment_id: str) -> AssessmentView | None:
        """The active assessment, or None when unknown, deleted or another org's."""
        item = dynamo.table().get_item(Key=_active_key(org_id, assessment_id), ConsistentRead=True).get("Item")
        return _from_item(item) if item else None

    def get_deleted(self, org_id: str, assessment_id: str) -> AssessmentView | None:
        """The snapshot of the org's deleted assessment (sessions in progress still need it)."""
        item = dynamo.table().get_item(Key=state_key(assessment_id), ConsistentRead=True).get("Item")
        snapshot = item.get("snapshot") if item and item.get("orgId") == org_id else None
        return _from_item(snapshot) if isinstance(snapshot, dict) else None

    def list_page(self, org_id: str, limit: int, after_id: str | None) -> tuple[list[AssessmentView], str | None]:
        """One Query of active assessments in creation order, and the id to resume after.

        Deleted assessments leave the org partition, so they cost nothing here."""
        arguments: dict[str, Any] = {
            "KeyConditionExpression": Key("PK").eq(keys.org_pk(org_id))
            & Key("SK").begins_with(keys.ACTIVE_ASSESSMENT_PREFIX),
            "Limit": limit,
        }
        if after_id is not None:
            arguments["ExclusiveStartKey"] = _active_key(org_id, after_id)
        response = dynamo.table().query(**arguments)
        assessments = [_from_item(item) for item in response.get("Items", [])]
        last_key = response.get("LastEvaluatedKey")
        resume_after = str(last_key["SK"]).removeprefix(keys.ACTIVE_ASSESSMENT_PREFIX) if last_key else None
        return assessments, resume_after

    def delete(self, assessment: AssessmentView, deleted_at: str) -> int:
        """Soft-delete the assessment, release its rubric and revoke its pending keys; returns how
        many keys were revoked.

        The first transaction removes the assessment, turns its state record into the tombstone
        (conditioned on the number of keys issued, so a key born meanwhile forces a re-read) and
        revokes as many pending keys as fit. Keys beyond that follow in further transactions; until
        they land they cannot start a session, as redemption checks the tombstone."""
        for _ in range(_DELETE_ATTEMPTS):
            state, candidate_keys = read_partition(assessment.id)
            if state is None or state.org_id != assessment.org_id or state.deleted_at is not None:
                raise NotFoundError("Assessment not found")
            pending = [key for key in candidate_keys if key.status == "pending"]
            tombstone: list[dict[str, Any]] = [
                {
                    "Delete": {
                        "Key": _active_key(assessment.org_id, assessment.id),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "Key": state_key(assessment.id),
                        "UpdateExpression": "SET deletedAt = :at, #snapshot = :snapshot",
                        "ConditionExpression": "keysIssued = :issued AND attribute_not_exists(deletedAt)",
                        "ExpressionAttributeNames": {"#snapshot": "snapshot"},  # a reserved word
                        "ExpressionAttributeValues": {
                            ":at": deleted_at,
                            ":snapshot": assessment.model_dump(by_alias=True),
                            ":issued": state.keys_issued,
                        },
                    }
                },
            ]
            if assessment.rubric_id is not None:
                tombstone.append(link_action(assessment.org_id, assessment.rubric_id, -1))
            room = dynamo.MAX_TRANSACTION_ACTIONS - len(tombstone)
            try:
                dynamo.transact_write(tombstone + [revoke_action(key, deleted_at) for key in pending[:room]])
            except dynamo.TransactionCancelledError as cancelled:
                if cancelled.failed(0):
                    raise NotFoundError("Assessment not found") from cancelled
                continue  # keys were issued, redeemed or revoked meanwhile: read again
            _revoke_remaining(pending[room:], deleted_at)
            return len(pending)
        raise ConflictError("The assessment kept changing while it was being deleted; retry")


def _revoke_remaining(pending: list[StoredKey], revoked_at: str) -> None:
    """Revoke what did not fit in the first transaction, a transaction at a time. A key whose
    condition fails is no longer pending (revoked by a reviewer), so it is dropped, not retried."""
    for start in range(0, len(pending), dynamo.MAX_TRANSACTION_ACTIONS):
        chunk = pending[start : start + dynamo.MAX_TRANSACTION_ACTIONS]
        for _ in range(_DELETE_ATTEMPTS):
            try:
                dynamo.transact_write([revoke_action(key, revoked_at) for key in chunk])
                break
            except dynamo.TransactionCancelledError as cancelled:
                chunk = [key for index, key in enumerate(chunk) if not cancelled.failed(index)]
                if not chunk:
                    break
