"""The item an integration key is checked against (``INTKEY#{sha256}`` / ``INTKEY``: whose it is, and
whether it was revoked), read as a named tuple, not a pydantic record: the authorizer reads it and nothing else of the
integration. The integration store writes it, beside the integration, through ``integration_key_item``
and ``integration_key_keys``; the key itself is never stored."""

from __future__ import annotations

from typing import NamedTuple

from shared.observability import traced
from shared.store import dynamo
from shared.store.schema import PARTITION_KEY, SORT_KEY

INTEGRATION_KEY_PREFIX = "INTKEY#"


class IntegrationKeyTarget(NamedTuple):
    """What authorizing needs of an integration key: whose it is, for which ATS, and whether it was revoked."""

    org_id: str
    integration_id: str
    kind: str
    revoked_at: str | None = None


def integration_key_keys(key_hash: str) -> dict[str, str]:
    """The keys of the item holding the integration key with this hash."""
    return {PARTITION_KEY: f"{INTEGRATION_KEY_PREFIX}{key_hash}", SORT_KEY: "INTKEY"}


def integration_key_item(key_hash: str, target: IntegrationKeyTarget) -> dynamo.Item:
    """The item pointing an integration key's hash at its integration (not yet revoked)."""
    attributes = {"orgId": target.org_id, "integrationId": target.integration_id, "kind": target.kind}
    return {**integration_key_keys(key_hash), **attributes}


class CredentialStore:
    @traced
    def find_integration_key(self, key_hash: str) -> IntegrationKeyTarget | None:
        """The integration key with this hash (one consistent GetItem, so a revocation holds at once)."""
        item = dynamo.get(integration_key_keys(key_hash))
        if item is None:
            return None
        return IntegrationKeyTarget(
            org_id=item["orgId"],
            integration_id=item["integrationId"],
            kind=item["kind"],
            revoked_at=item.get("revokedAt"),
        )
