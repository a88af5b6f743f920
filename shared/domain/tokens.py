"""Reviewer API tokens: issue (shown once), seed, list, revoke."""

from __future__ import annotations

from typing import NamedTuple

from shared import clock, ids
from shared.auth import API_TOKEN_SHAPE, hash_api_token, is_api_token, new_api_token
from shared.domain.audit import AuditContext
from shared.domain.ports import Tokens
from shared.errors import ConflictError, NotFoundError
from shared.store.dynamo import ConditionFailedError
from shared.store.tokens import TokenRecord


class IssuedToken(NamedTuple):
    token: str  # shown once, never stored
    stored: TokenRecord


def seed_token(store: Tokens, token: str, org_id: str, name: str, *, audit: AuditContext) -> TokenRecord:
    """Store a token chosen by the operator (local runs and scripts); it must have a token's shape. Seeding
    a token the org already holds changes nothing (a restart against a table that persists); one held
    by another organisation, or revoked, is a ConflictError saying so."""
    if not is_api_token(token):
        raise ValueError(f"a token is {API_TOKEN_SHAPE}")
    existing = store.find_by_hash(hash_api_token(token))
    if existing is None:
        return _store(store, token, org_id, name, audit)
    if existing.org_id != org_id:
        raise ConflictError(f"this token already belongs to another organisation, not {org_id}")
    if existing.revoked_at is not None:
        raise ConflictError(f"this token of {org_id} was revoked at {existing.revoked_at}")
    return existing


def issue_token(store: Tokens, org_id: str, name: str, *, audit: AuditContext) -> IssuedToken:
    """Mint a new token for the org; the caller must show it now, as only its hash is kept."""
    token = new_api_token()
    return IssuedToken(token=token, stored=_store(store, token, org_id, name, audit))


def _store(store: Tokens, token: str, org_id: str, name: str, audit: AuditContext) -> TokenRecord:
    stored = TokenRecord(
        token_id=ids.new_id(),
        token_hash=hash_api_token(token),
        org_id=org_id,
        name=name,
        created_at=clock.to_timestamp(clock.utc_now()),
    )
    # Never the token nor its hash: its id and that it has a name.
    store.create(stored, audit.record(org_id, "token.create", ("token", stored.token_id), ["name"], stored.created_at))
    return stored


def revoke_token(store: Tokens, org_id: str, token_id: str, *, audit: AuditContext) -> TokenRecord:
    """Revoke one of the org's tokens; it fails authorization from now on."""
    token = store.get(org_id, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFoundError(f"No active token {token_id} for {org_id}")
    revoked_at = clock.to_timestamp(clock.utc_now())
    record = audit.record(org_id, "token.revoke", ("token", token.token_id), ["revokedAt"], revoked_at)
    try:
        store.revoke(token, revoked_at, record)
    except ConditionFailedError as failed:
        raise NotFoundError(f"No active token {token_id} for {org_id}") from failed
    return token.model_copy(update={"revoked_at": revoked_at})
