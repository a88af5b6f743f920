"""Reviewer API tokens, stored by hash (``TOKEN#{sha256}``) with an index entry in the org partition."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from boto3.dynamodb.conditions import Key

from shared.errors import NotFoundError
from shared.store import dynamo, keys


@dataclass(frozen=True)
class StoredToken:
    """What is known about a token: never the token itself."""

    token_id: str
    token_hash: str
    org_id: str
    name: str
    created_at: str
    revoked_at: str | None


def _from_item(item: dict[str, Any]) -> StoredToken:
    return StoredToken(
        token_id=str(item["tokenId"]),
        token_hash=str(item["tokenHash"]),
        org_id=str(item["orgId"]),
        name=str(item["name"]),
        created_at=str(item["createdAt"]),
        revoked_at=str(item["revokedAt"]) if item.get("revokedAt") else None,
    )


class TokenStore:
    def create(self, token: StoredToken) -> None:
        """Store the hash item the authorizer reads and the org's index entry, together."""
        attributes = {
            "tokenId": token.token_id,
            "tokenHash": token.token_hash,
            "orgId": token.org_id,
            "name": token.name,
            "createdAt": token.created_at,
        }
        dynamo.transact_write(
            [
                {
                    "Put": {
                        "Item": {**keys.key(keys.token_pk(token.token_hash), keys.TOKEN_SK), **attributes},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Put": {
                        "Item": {
                            **keys.key(keys.org_pk(token.org_id), keys.token_index_sk(token.token_id)),
                            **attributes,
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )

    def find_by_hash(self, token_hash: str) -> StoredToken | None:
        """The token with this hash (one GetItem: the authorizer's only request)."""
        item = dynamo.table().get_item(Key=keys.key(keys.token_pk(token_hash), keys.TOKEN_SK)).get("Item")
        return _from_item(item) if item else None

    def list_for_org(self, org_id: str) -> list[StoredToken]:
        """The org's tokens, oldest first, revoked ones included."""
        condition = Key("PK").eq(keys.org_pk(org_id)) & Key("SK").begins_with(keys.TOKEN_INDEX_PREFIX)
        return [_from_item(item) for item in dynamo.query_all(KeyConditionExpression=condition)]

    def revoke(self, org_id: str, token_id: str, revoked_at: str) -> StoredToken:
        """Mark the token revoked on both items; unknown or already revoked is NotFound."""
        index_key = keys.key(keys.org_pk(org_id), keys.token_index_sk(token_id))
        item = dynamo.table().get_item(Key=index_key, ConsistentRead=True).get("Item")
        if not item or item.get("revokedAt"):
            raise NotFoundError(f"No active token {token_id} for {org_id}")
        token = _from_item(item)
        revoke = {
            "UpdateExpression": "SET revokedAt = :at",
            "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(revokedAt)",
            "ExpressionAttributeValues": {":at": revoked_at},
        }
        try:
            dynamo.transact_write(
                [
                    {"Update": {"Key": keys.key(keys.token_pk(token.token_hash), keys.TOKEN_SK), **revoke}},
                    {"Update": {"Key": index_key, **revoke}},
                ]
            )
        except dynamo.TransactionCancelledError as cancelled:
            raise NotFoundError(f"No active token {token_id} for {org_id}") from cancelled
        return replace(token, revoked_at=revoked_at)
