"""The items a credential is checked against: a reviewer token's hash item (``TOKEN#{sha256}`` / ``TOKEN``)
and a candidate key's code item (``CODE#{code}`` / ``CODE``). Their keys are written here alone, the token
and key stores writing the items through ``token_keys`` and ``code_item``; they are read as named tuples,
not pydantic records, so the authorizer, which reads nothing else, loads no pydantic."""

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
