"""Who is calling: the authorizer's decision, as a plain function of the request headers."""

from __future__ import annotations

from collections.abc import Mapping

from shared.auth import (
    Candidate,
    Integration,
    Principal,
    Reviewer,
    ats_kind,
    basic_user_name,
    hash_api_token,
    hash_integration_key,
    is_api_token,
    normalize_key_code,
)
from shared.domain.ports import Credentials
from shared.errors import UnauthorizedError
from shared.routes import Auth

_BEARER = "bearer "


def authenticate(headers: Mapping[str, str], accepts: Auth, credentials: Credentials) -> Principal:
    """The principal the credential a route ``accepts`` proves, or UnauthorizedError.

    Only that credential is read (the one API Gateway caches the verdict under), so a header meant
    for another kind of route never decides. A key's status is checked by the handler, where it
    can be told apart: revoked, expired, completed."""
    lowered = {name.lower(): value for name, value in headers.items()}
    authorization = lowered.get("authorization", "").strip()
    if accepts is Auth.INTEGRATION:
        return _integration(authorization, credentials)
    has_bearer = authorization[: len(_BEARER)].lower() == _BEARER
    if accepts is Auth.REVIEWER or (accepts is Auth.REVIEWER_OR_CANDIDATE and has_bearer):
        if not has_bearer:
            raise UnauthorizedError("Missing or invalid credentials")
        return _reviewer(authorization[len(_BEARER) :].strip(), credentials)
    if "x-api-key" not in lowered:
        raise UnauthorizedError("Missing or invalid credentials")
    return _candidate(lowered["x-api-key"], credentials)


def _reviewer(token: str, credentials: Credentials) -> Reviewer:
    stored = credentials.find_token(hash_api_token(token)) if is_api_token(token) else None
    if stored is None or stored.revoked_at is not None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Reviewer(org_id=stored.org_id, token_name=stored.name, token_id=stored.token_id)


def _candidate(typed_code: str, credentials: Credentials) -> Candidate:
    code = normalize_key_code(typed_code)
    target = credentials.find_code(code) if code else None
    if target is None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Candidate(org_id=target.org_id, assessment_id=target.assessment_id, key_id=target.key_id)


def _integration(authorization: str, credentials: Credentials) -> Integration:
    """HTTP Basic with an integration key as the user name: the /v1/ats/ routes' credential, and theirs alone."""
    key = basic_user_name(authorization)
    stored = credentials.find_integration_key(hash_integration_key(key)) if key is not None else None
    kind = ats_kind(stored.kind) if stored is not None else None
    if stored is None or stored.revoked_at is not None or kind is None:
        raise UnauthorizedError("Missing or invalid credentials")
    return Integration(org_id=stored.org_id, integration_id=stored.integration_id, kind=kind)
