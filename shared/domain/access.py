"""Who is calling: the authorizer's decision, as a plain function of the request headers."""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth import Candidate, Principal, Reviewer, hash_api_token, is_api_token, normalize_key_code
from shared.errors import UnauthorizedError
from shared.store.candidate_keys import CandidateKeyStore
from shared.store.tokens import TokenStore

_BEARER = "bearer "


def authenticate(headers: Mapping[str, str], tokens: TokenStore, key_codes: CandidateKeyStore) -> Principal:
    """The principal the request's credentials prove, or UnauthorizedError.

    A bearer token is an organisation's reviewer, an ``X-API-Key`` key code a candidate; the
    route's handler decides what each may do (a key's status is checked there, where it can be
    told apart: revoked, expired, completed)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    authorization = lowered.get("authorization", "").strip()
    if authorization[: len(_BEARER)].lower() == _BEARER:
        return _reviewer(authorization[len(_BEARER) :].strip(), tokens)
    if "x-api-key" in lowered:
        return _candidate(lowered["x-api-key"], key_codes)
    raise UnauthorizedError("Missing or invalid credentials")


def _reviewer(token: str, tokens: TokenStore) -> Reviewer:
    stored = tokens.find_by_hash(hash_api_token(token)) if is_api_token(token) else None
    if stored is None or stored.revoked_at is not None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Reviewer(org_id=stored.org_id, token_name=stored.name)


def _candidate(typed_code: str, key_codes: CandidateKeyStore) -> Candidate:
    code = normalize_key_code(typed_code)
    target = key_codes.find_code(code) if code else None
    if target is None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Candidate(org_id=target.org_id, assessment_id=target.assessment_id, key_id=target.key_id)
