"""Who is calling: the authorizer's decision, as a plain function of the request headers."""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth import Principal, Reviewer, hash_api_token, is_api_token
from shared.errors import UnauthorizedError
from shared.store.tokens import TokenStore

_BEARER = "bearer "


def authenticate(headers: Mapping[str, str], tokens: TokenStore) -> Principal:
    """The principal the request's credentials prove, or UnauthorizedError.

    A bearer token is an organisation's reviewer; the route's handler decides what each may do."""
    lowered = {name.lower(): value for name, value in headers.items()}
    authorization = lowered.get("authorization", "").strip()
    if authorization[: len(_BEARER)].lower() == _BEARER:
        return _reviewer(authorization[len(_BEARER) :].strip(), tokens)
    raise UnauthorizedError("Missing or invalid credentials")


def _reviewer(token: str, tokens: TokenStore) -> Reviewer:
    stored = tokens.find_by_hash(hash_api_token(token)) if is_api_token(token) else None
    if stored is None or stored.revoked_at is not None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Reviewer(org_id=stored.org_id, token_name=stored.name)
