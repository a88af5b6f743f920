"""Reviewer API tokens: issue (shown once), seed, list, revoke."""

from __future__ import annotations

from dataclasses import dataclass

from shared import clock, ids
from shared.auth import API_TOKEN_SHAPE, hash_api_token, is_api_token, new_api_token
from shared.domain.ports import Tokens
from shared.errors import NotFoundError
from shared.store.dynamo import ConditionFailedError
from shared.store.tokens import TokenRecord, TokenStore


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    stored: TokenRecord


def seed_token(token: str, org_id: str, name: str, store: Tokens | None = None) -> TokenRecord:
    """Store a token chosen by the operator (local runs and scripts); it must have a token's shape."""
    if not is_api_token(token):
        raise ValueError(f"a token is {API_TOKEN_SHAPE}")
    stored = TokenRecord(
        token_id=ids.new_id(),
        token_hash=hash_api_token(token),
        org_id=org_id,
        name=name,
        created_at=clock.to_timestamp(clock.utc_now()),
    )
    (store or TokenStore()).create(stored)
    return stored


def issue_token(org_id: str, name: str, store: Tokens | None = None) -> IssuedToken:
    """Mint a new token for the org; the caller must show it now, as only its hash is kept."""
    token = new_api_token()
    return IssuedToken(token=token, stored=seed_token(token, org_id, name, store))


def revoke_token(org_id: str, token_id: str, store: Tokens | None = None) -> TokenRecord:
    """Revoke one of the org's tokens; it fails authorization from now on."""
    tokens = store or TokenStore()
    token = tokens.get(org_id, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFoundError(f"No active token {token_id} for {org_id}")
    revoked_at = clock.to_timestamp(clock.utc_now())
    try:
        tokens.revoke(token, revoked_at)
    except ConditionFailedError as failed:
        raise NotFoundError(f"No active token {token_id} for {org_id}") from failed
    return token.model_copy(update={"revoked_at": revoked_at})
