"""Reviewer API tokens: issue (shown once), seed, list, revoke."""

from __future__ import annotations

from dataclasses import dataclass

from shared import clock
from shared.auth import API_TOKEN_PREFIX, hash_api_token, is_api_token, new_api_token
from shared.store.tokens import StoredToken, TokenStore


@dataclass(frozen=True)
class IssuedToken:
    token: str  # shown once, never stored
    stored: StoredToken


def seed_token(token: str, org_id: str, name: str, store: TokenStore | None = None) -> StoredToken:
    """Store a token chosen by the operator (local runs and scripts); it must have a token's shape."""
    if not is_api_token(token):
        raise ValueError(f"a token is {API_TOKEN_PREFIX} followed by 32 to 128 letters or digits")
    stored = StoredToken(
        token_id=clock.new_id(),
        token_hash=hash_api_token(token),
        org_id=org_id,
        name=name,
        created_at=clock.to_timestamp(clock.utc_now()),
        revoked_at=None,
    )
    (store or TokenStore()).create(stored)
    return stored


def issue_token(org_id: str, name: str, store: TokenStore | None = None) -> IssuedToken:
    """Mint a new token for the org; the caller must show it now, as only its hash is kept."""
    token = new_api_token()
    return IssuedToken(token=token, stored=seed_token(token, org_id, name, store))


def revoke_token(org_id: str, token_id: str, store: TokenStore | None = None) -> StoredToken:
    """Revoke one of the org's tokens; it fails authorization from now on."""
    return (store or TokenStore()).revoke(org_id, token_id, clock.to_timestamp(clock.utc_now()))
