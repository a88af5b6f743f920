"""Reviewer API tokens, stored by hash (the item ``shared.store.credentials`` reads for the authorizer) with
an index entry in the org partition."""

from __future__ import annotations

from shared.observability import traced
from shared.store import audit, dynamo
from shared.store.audit import AuditRecord
from shared.store.credentials import token_keys
from shared.store.dynamo import Action
from shared.store.records import Record, item_of
from shared.store.schema import PARTITION_KEY, SORT_KEY

_INDEX_PREFIX = "TOKEN#"


class TokenRecord(Record):
    """What is known about a token: never the token itself."""

    token_id: str
    token_hash: str
    org_id: str
    name: str
    created_at: str
    revoked_at: str | None = None


def _index_keys(org_id: str, token_id: str) -> dict[str, str]:
    """The org-partition entry that lets an operator list and revoke an org's tokens."""
    return {PARTITION_KEY: f"ORG#{org_id}", SORT_KEY: f"{_INDEX_PREFIX}{token_id}"}


class TokenStore:
    def create(self, token: TokenRecord, record: AuditRecord) -> None:
        """Store the hash item the authorizer reads and the org's index entry, together, with ``record``."""
        dynamo.transact_write(
            [
                *(
                    Action("Put", "token", item=item_of(keys, token), condition="attribute_not_exists(PK)")
                    for keys in (token_keys(token.token_hash), _index_keys(token.org_id, token.token_id))
                ),
                audit.entry_action(record),
            ]
        )

    @traced
    def find_by_hash(self, token_hash: str) -> TokenRecord | None:
        """The token with this hash, as a whole (the authorizer reads it through shared.store.credentials)."""
        item = dynamo.get(token_keys(token_hash), consistent=False)
        return TokenRecord.model_validate(item) if item else None

    def list_for_org(self, org_id: str) -> list[TokenRecord]:
        """The org's tokens, oldest first, revoked ones included."""
        items = dynamo.query_all(
            "PK = :pk AND begins_with(SK, :prefix)", {":pk": f"ORG#{org_id}", ":prefix": _INDEX_PREFIX}
        )
        return [TokenRecord.model_validate(item) for item in items]

    def get(self, org_id: str, token_id: str) -> TokenRecord | None:
        item = dynamo.get(_index_keys(org_id, token_id))
        return TokenRecord.model_validate(item) if item else None

    def revoke(self, token: TokenRecord, revoked_at: str, record: AuditRecord) -> None:
        """Mark the token revoked on both items, with ``record``; ConditionFailedError if it already was."""
        dynamo.transact_write(
            [
                *(
                    Action(
                        "Update",
                        "token",
                        keys=keys,
                        expression="SET revokedAt = :at",
                        condition="attribute_exists(PK) AND attribute_not_exists(revokedAt)",
                        values={":at": revoked_at},
                    )
                    for keys in (token_keys(token.token_hash), _index_keys(token.org_id, token.token_id))
                ),
                audit.entry_action(record),
            ]
        )
