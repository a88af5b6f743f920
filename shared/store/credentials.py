"""The items a credential is checked against: a reviewer token's hash item (``TOKEN#{sha256}`` / ``TOKEN``),
a candidate key's code item (``CODE#{code}`` / ``CODE``) and an integration key's hash item
(``INTKEY#{sha256}`` / ``INTKEY``: whose it is, and whether it was revoked). Their keys are written here
alone, the token, key and integration stores writing the items through ``token_keys``, ``code_item`` and
``integration_key_item``; they are read as named tuples, not pydantic records, so the authorizer, which
reads nothing else, loads no pydantic. No credential itself is ever stored."""

from __future__ import annotations

from typing import NamedTuple

from shared.observability import traced
from shared.store import dynamo
from shared.store.schema import PARTITION_KEY, SORT_KEY


class StoredToken(NamedTuple):
    """What authorizing needs of a stored token: whose it is, which and its name (the audit log records
    both), and whether it was revoked."""

    org_id: str
    token_id: str
    name: str
    revoked_at: str | None


class CodeTarget(NamedTuple):
    """Where a key code points."""

    org_id: str
    assessment_id: str
    key_id: str


def token_keys(token_hash: str) -> dict[str, str]:
    """The keys of the item holding the token with this hash (the token store writes the whole record there)."""
    return {PARTITION_KEY: f"TOKEN#{token_hash}", SORT_KEY: "TOKEN"}


def _code_keys(code: str) -> dict[str, str]:
    return {PARTITION_KEY: f"CODE#{code}", SORT_KEY: "CODE"}


def code_item(code: str, target: CodeTarget) -> dynamo.Item:
    """The item pointing a normalised key ``code`` at its key."""
    attributes = {"orgId": target.org_id, "assessmentId": target.assessment_id, "keyId": target.key_id}
    return {**_code_keys(code), **attributes}


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
    def find_token(self, token_hash: str) -> StoredToken | None:
        """The token with this hash (one GetItem: a reviewer's authorization)."""
        item = dynamo.get(token_keys(token_hash), consistent=False)
        if item is None:
            return None
        return StoredToken(
            org_id=item["orgId"], token_id=item["tokenId"], name=item["name"], revoked_at=item.get("revokedAt")
        )

    @traced
    def find_code(self, code: str) -> CodeTarget | None:
        """Where a normalised key code points (one GetItem: a candidate's authorization)."""
        item = dynamo.get(_code_keys(code), consistent=False)
        if item is None:
            return None
        return CodeTarget(org_id=item["orgId"], assessment_id=item["assessmentId"], key_id=item["keyId"])

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
