"""Candidate keys (``ASMT#{assessmentId}`` / ``KEY#{keyId}``), their code lookups (``CODE#{code}``),
and the assessment's state record (``ASMT#{assessmentId}`` / ``STATE``) every key write is checked against."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from shared.errors import ConflictError, ForbiddenError, NotFoundError
from shared.store import dynamo, keys

StoredStatus = Literal["pending", "redeemed", "completed", "revoked"]

# Key generation writes the state record plus two items a key: 49 keys fill one transaction.
KEYS_PER_TRANSACTION = (dynamo.MAX_TRANSACTION_ACTIONS - 1) // 2

_STATUS = {"#status": "status"}  # a DynamoDB reserved word


@dataclass(frozen=True)
class StoredKey:
    """A candidate key as stored: ``status`` is what was last written, not yet aged by the clock."""

    id: str
    code: str
    assessment_id: str
    org_id: str
    candidate_email: str | None
    candidate_name: str | None
    org_name: str | None
    status: StoredStatus
    session_id: str | None
    expires_at: str
    redeemed_at: str | None
    completed_at: str | None
    deadline: str | None
    created_at: str


@dataclass(frozen=True)
class AssessmentState:
    """The assessment's state record: who owns it, how many keys were issued, whether it is deleted."""

    org_id: str
    keys_issued: int
    deleted_at: str | None
    snapshot: dict[str, Any] | None  # the assessment as it was when deleted, kept for audit


@dataclass(frozen=True)
class CodeTarget:
    """Where a key code points."""

    org_id: str
    assessment_id: str
    key_id: str


class CodeTakenError(Exception):
    """Some codes of a new batch already exist; ``positions`` index the batch."""

    def __init__(self, positions: Sequence[int]) -> None:
        super().__init__(f"key codes already taken at {list(positions)}")
        self.positions = list(positions)


def _key_from_item(item: dict[str, Any]) -> StoredKey:
    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None else str(value)

    return StoredKey(
        id=str(item["id"]),
        code=str(item["code"]),
        assessment_id=str(item["assessmentId"]),
        org_id=str(item["orgId"]),
        candidate_email=text("candidateEmail"),
        candidate_name=text("candidateName"),
        org_name=text("orgName"),
        status=item["status"],
        session_id=text("sessionId"),
        expires_at=str(item["expiresAt"]),
        redeemed_at=text("redeemedAt"),
        completed_at=text("completedAt"),
        deadline=text("deadline"),
        created_at=str(item["createdAt"]),
    )


def _key_to_item(key: StoredKey) -> dict[str, Any]:
    return {
        **keys.key(keys.assessment_pk(key.assessment_id), keys.candidate_key_sk(key.id)),
        "id": key.id,
        "code": key.code,
        "assessmentId": key.assessment_id,
        "orgId": key.org_id,
        "candidateEmail": key.candidate_email,
        "candidateName": key.candidate_name,
        "orgName": key.org_name,
        "status": key.status,
        "sessionId": key.session_id,
        "expiresAt": key.expires_at,
        "redeemedAt": key.redeemed_at,
        "completedAt": key.completed_at,
        "deadline": key.deadline,
        "createdAt": key.created_at,
    }


def _state_from_item(item: dict[str, Any]) -> AssessmentState:
    return AssessmentState(
        org_id=str(item["orgId"]),
        keys_issued=int(item.get("keysIssued", 0)),
        deleted_at=str(item["deletedAt"]) if item.get("deletedAt") else None,
        snapshot=item.get("snapshot"),
    )


def state_key(assessment_id: str) -> dict[str, str]:
    return keys.key(keys.assessment_pk(assessment_id), keys.ASSESSMENT_STATE_SK)


def new_state_item(assessment_id: str, org_id: str) -> dict[str, Any]:
    """The state record written with a new assessment."""
    return {**state_key(assessment_id), "orgId": org_id, "keysIssued": 0}


def read_partition(assessment_id: str) -> tuple[AssessmentState | None, list[StoredKey]]:
    """The assessment's state record and all its keys in creation order: one Query per MB."""
    state: AssessmentState | None = None
    found: list[StoredKey] = []
    partition = Key("PK").eq(keys.assessment_pk(assessment_id))
    for item in dynamo.query_all(KeyConditionExpression=partition, ConsistentRead=True):
        if item["SK"] == keys.ASSESSMENT_STATE_SK:
            state = _state_from_item(item)
        else:
            found.append(_key_from_item(item))
    return state, found


def revoke_action(key: StoredKey, revoked_at: str) -> dict[str, Any]:
    """A transaction action revoking ``key`` if it is still pending (safe to repeat)."""
    return {
        "Update": {
            "Key": keys.key(keys.assessment_pk(key.assessment_id), keys.candidate_key_sk(key.id)),
            "UpdateExpression": "SET #status = :revoked, revokedAt = :at",
            "ConditionExpression": "#status = :pending",
            "ExpressionAttributeNames": _STATUS,
            "ExpressionAttributeValues": {":revoked": "revoked", ":pending": "pending", ":at": revoked_at},
        }
    }


class CandidateKeyStore:
    def insert(self, org_id: str, assessment_id: str, new_keys: Sequence[StoredKey]) -> None:
        """Store up to KEYS_PER_TRANSACTION keys and their codes in one transaction, which also
        counts them on the state record: it fails if the assessment was deleted meanwhile."""
        actions: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": state_key(assessment_id),
                    "UpdateExpression": "ADD keysIssued :n",
                    "ConditionExpression": "orgId = :org AND attribute_not_exists(deletedAt)",
                    "ExpressionAttributeValues": {":n": len(new_keys), ":org": org_id},
                }
            }
        ]
        for key in new_keys:
            target = {"orgId": key.org_id, "assessmentId": key.assessment_id, "keyId": key.id}
            actions.append({"Put": {"Item": _key_to_item(key), "ConditionExpression": "attribute_not_exists(PK)"}})
            actions.append(
                {
                    "Put": {
                        "Item": {**keys.key(keys.key_code_pk(key.code), keys.KEY_CODE_SK), **target},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        try:
            dynamo.transact_write(actions)
        except dynamo.TransactionCancelledError as cancelled:
            if cancelled.failed(0):
                raise NotFoundError("Assessment not found") from cancelled
            taken = [index for index in range(len(new_keys)) if cancelled.failed(2 + 2 * index)]
            if taken:
                raise CodeTakenError(taken) from cancelled
            raise ConflictError("The assessment changed while keys were being generated; retry") from cancelled

    def get(self, assessment_id: str, key_id: str) -> StoredKey | None:
        item = (
            dynamo.table()
            .get_item(
                Key=keys.key(keys.assessment_pk(assessment_id), keys.candidate_key_sk(key_id)),
                ConsistentRead=True,
            )
            .get("Item")
        )
        return _key_from_item(item) if item else None

    def find_code(self, code: str) -> CodeTarget | None:
        """Where a normalised key code points (the candidate authorizer's one request)."""
        item = dynamo.table().get_item(Key=keys.key(keys.key_code_pk(code), keys.KEY_CODE_SK)).get("Item")
        if not item:
            return None
        return CodeTarget(str(item["orgId"]), str(item["assessmentId"]), str(item["keyId"]))

    def list_live(self, org_id: str, assessment_id: str) -> list[StoredKey] | None:
        """Every non-revoked key of the org's active assessment, or None if there is no such assessment."""
        state, found = read_partition(assessment_id)
        if state is None or state.org_id != org_id or state.deleted_at is not None:
            return None
        return [key for key in found if key.status != "revoked"]

    def redeem(self, key: StoredKey, session_id: str, started_at: str, deadline: str | None) -> StoredKey:
        """Start the key's session: only a pending, unexpired key of an active assessment, only once."""
        try:
            dynamo.transact_write(
                [
                    {
                        "Update": {
                            "Key": keys.key(keys.assessment_pk(key.assessment_id), keys.candidate_key_sk(key.id)),
                            "UpdateExpression": "SET #status = :redeemed, sessionId = :session, "
                            "redeemedAt = :at, deadline = :deadline",
                            "ConditionExpression": "#status = :pending AND expiresAt > :at",
                            "ExpressionAttributeNames": _STATUS,
                            "ExpressionAttributeValues": {
                                ":redeemed": "redeemed",
                                ":pending": "pending",
                                ":session": session_id,
                                ":at": started_at,
                                ":deadline": deadline,
                            },
                        }
                    },
                    {
                        "ConditionCheck": {
                            "Key": state_key(key.assessment_id),
                            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(deletedAt)",
                        }
                    },
                ]
            )
        except dynamo.TransactionCancelledError as cancelled:
            if cancelled.failed(1):
                raise ForbiddenError("This assessment was deleted", code="assessment_deleted") from cancelled
            raise ConflictError("The key changed while the session was starting", code="key_changed") from cancelled
        return replace(key, status="redeemed", session_id=session_id, redeemed_at=started_at, deadline=deadline)

    def complete(self, key: StoredKey, completed_at: str) -> StoredKey:
        """End the key's session; only a session in progress can be completed, once."""
        try:
            dynamo.table().update_item(
                Key=keys.key(keys.assessment_pk(key.assessment_id), keys.candidate_key_sk(key.id)),
                UpdateExpression="SET #status = :completed, completedAt = :at",
                ConditionExpression="#status = :redeemed AND sessionId = :session",
                ExpressionAttributeNames=_STATUS,
                ExpressionAttributeValues={
                    ":completed": "completed",
                    ":redeemed": "redeemed",
                    ":session": key.session_id,
                    ":at": completed_at,
                },
            )
        except ClientError as error:
            if dynamo.is_condition_failure(error):
                raise ConflictError("This session is not in progress", code="session_not_in_progress") from error
            raise
        return replace(key, status="completed", completed_at=completed_at)

    def revoke(self, org_id: str, assessment_id: str, key_id: str, revoked_at: str) -> None:
        """Revoke one key of the org's active assessment; unknown or already revoked is NotFound."""
        try:
            dynamo.transact_write(
                [
                    {
                        "Update": {
                            "Key": keys.key(keys.assessment_pk(assessment_id), keys.candidate_key_sk(key_id)),
                            "UpdateExpression": "SET #status = :revoked, revokedAt = :at",
                            "ConditionExpression": "attribute_exists(PK) AND #status <> :revoked",
                            "ExpressionAttributeNames": _STATUS,
                            "ExpressionAttributeValues": {":revoked": "revoked", ":at": revoked_at},
                        }
                    },
                    {
                        "ConditionCheck": {
                            "Key": state_key(assessment_id),
                            "ConditionExpression": "orgId = :org AND attribute_not_exists(deletedAt)",
                            "ExpressionAttributeValues": {":org": org_id},
                        }
                    },
                ]
            )
        except dynamo.TransactionCancelledError as cancelled:
            if cancelled.conflicted:
                raise ConflictError("The key changed while it was being revoked; retry") from cancelled
            raise NotFoundError("Key not found") from cancelled
