"""Credentials: reviewer API tokens, candidate key codes, integration keys (an ATS's HTTP Basic user
name), and the principal they prove.

API tokens and integration keys are stored only as SHA-256 hashes; no credential is ever logged."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import string
from collections.abc import Mapping
from typing import Literal, NamedTuple

from shared.errors import UnauthorizedError

API_TOKEN_PREFIX = "psk_live_"  # noqa: S105 - a prefix, not a secret
API_TOKEN_ALPHABET = string.ascii_letters + string.digits
API_TOKEN_LENGTH = 40  # characters after the prefix: about 238 bits
# Anything else is refused before a lookup, so junk never costs a DynamoDB read. Tokens are minted of
# letters and digits; - and _ stay accepted because v1's first tokens were URL-safe base64.
_API_TOKEN_PATTERN = rf"{API_TOKEN_PREFIX}[A-Za-z0-9_-]{{32,128}}"
API_TOKEN_SHAPE = f"{API_TOKEN_PREFIX} followed by 32 to 128 letters, digits, - or _"

# Crockford base32 without I, L, O and U: nothing a candidate can misread or mistype.
KEY_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_KEY_CODE_PATTERN = rf"PST-[{KEY_CODE_ALPHABET}]{{4}}-[{KEY_CODE_ALPHABET}]{{4}}"


def new_api_token() -> str:
    """A fresh reviewer token: ``psk_live_`` and 40 letters or digits from ``secrets``."""
    return API_TOKEN_PREFIX + "".join(secrets.choice(API_TOKEN_ALPHABET) for _ in range(API_TOKEN_LENGTH))


def hash_api_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_api_token(text: str) -> bool:
    """Whether ``text`` has a token's shape, ``API_TOKEN_SHAPE`` (checked before any lookup)."""
    return re.fullmatch(_API_TOKEN_PATTERN, text) is not None


# Integration keys: what an applicant tracking system sends as the HTTP Basic user name (with an empty
# password) on the /v1/ats/ routes. Greenhouse takes keys of fewer than 171 characters.
INTEGRATION_KEY_PREFIX = "psi_live_"
INTEGRATION_KEY_LENGTH = 40  # characters after the prefix, as for API tokens
_INTEGRATION_KEY_PATTERN = rf"{INTEGRATION_KEY_PREFIX}[A-Za-z0-9]{{{INTEGRATION_KEY_LENGTH}}}"
INTEGRATION_KEY_SHAPE = f"{INTEGRATION_KEY_PREFIX} followed by {INTEGRATION_KEY_LENGTH} letters or digits"
_BASIC = "basic "


def new_integration_key() -> str:
    """A fresh integration key: ``psi_live_`` and 40 letters or digits from ``secrets``."""
    return INTEGRATION_KEY_PREFIX + "".join(secrets.choice(API_TOKEN_ALPHABET) for _ in range(INTEGRATION_KEY_LENGTH))


def hash_integration_key(key: str) -> str:
    """The SHA-256 hex digest under which an integration key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def basic_user_name(authorization: str) -> str | None:
    """The integration key an ``Authorization: Basic base64(key:)`` header carries, or None for anything
    else: another scheme, bad base64, a password, or a user name of the wrong shape (so junk never
    costs a lookup)."""
    if authorization[: len(_BASIC)].lower() != _BASIC:
        return None
    encoded = authorization[len(_BASIC) :].strip()
    # base64 of "<prefix + 40 characters>:" is 68 characters: anything longer is not a key.
    if len(encoded) > 72:
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, separator, password = decoded.partition(":")
    if not separator or password or re.fullmatch(_INTEGRATION_KEY_PATTERN, user) is None:
        return None
    return user


def basic_authorization(user_name: str) -> str:
    """The ``Authorization`` header value of HTTP Basic with ``user_name`` and an empty password, as
    Greenhouse and Ashby both take an API key."""
    return "Basic " + base64.b64encode(f"{user_name}:".encode()).decode("ascii")


def new_key_code() -> str:
    """A fresh candidate key code, ``PST-XXXX-XXXX``."""
    chars = [secrets.choice(KEY_CODE_ALPHABET) for _ in range(8)]
    return f"PST-{''.join(chars[:4])}-{''.join(chars[4:])}"


def normalize_key_code(text: str) -> str | None:
    """The canonical form of a typed key (any case, spaces around), or None if it is not one."""
    candidate = text.strip().upper()
    return candidate if re.fullmatch(_KEY_CODE_PATTERN, candidate) else None


class Reviewer(NamedTuple):
    """A caller holding an organisation's API token (its id and name are what the audit log records)."""

    org_id: str
    token_name: str
    token_id: str


class Candidate(NamedTuple):
    """A caller holding one candidate key, which opens one assessment only."""

    org_id: str
    assessment_id: str
    key_id: str


AtsKind = Literal["greenhouse", "ashby"]
_ATS_KINDS: dict[object, AtsKind] = {"greenhouse": "greenhouse", "ashby": "ashby"}


def ats_kind(text: object) -> AtsKind | None:
    """The ATS ``text`` names, or None when it names none this API integrates with."""
    return _ATS_KINDS.get(text)


class Integration(NamedTuple):
    """An applicant tracking system calling with an organisation's integration key: it may use the
    /v1/ats/ routes of its own ``kind`` only."""

    org_id: str
    integration_id: str
    kind: AtsKind


Principal = Reviewer | Candidate | Integration


def principal_to_context(principal: Principal) -> dict[str, str]:
    """The authorizer context API Gateway hands to the function (string values only)."""
    if isinstance(principal, Reviewer):
        return {
            "principal": "reviewer",
            "orgId": principal.org_id,
            "tokenName": principal.token_name,
            "tokenId": principal.token_id,
        }
    if isinstance(principal, Integration):
        return {
            "principal": "integration",
            "orgId": principal.org_id,
            "integrationId": principal.integration_id,
            "integrationKind": principal.kind,
        }
    return {
        "principal": "candidate",
        "orgId": principal.org_id,
        "assessmentId": principal.assessment_id,
        "keyId": principal.key_id,
    }


def principal_from_context(context: Mapping[str, object]) -> Principal:
    """Rebuild the principal from the authorizer context; anything unexpected is a 401."""
    try:
        kind = context["principal"]
        if kind == "reviewer":
            return Reviewer(
                org_id=str(context["orgId"]),
                token_name=str(context["tokenName"]),
                # A verdict API Gateway cached before the authorizer named tokens by id (for minutes
                # after the deploy that added it) still admits its caller.
                token_id=str(context.get("tokenId", "unknown")),
            )
        ats = ats_kind(context.get("integrationKind"))
        if kind == "integration" and ats is not None:
            return Integration(org_id=str(context["orgId"]), integration_id=str(context["integrationId"]), kind=ats)
        if kind == "candidate":
            return Candidate(
                org_id=str(context["orgId"]),
                assessment_id=str(context["assessmentId"]),
                key_id=str(context["keyId"]),
            )
    except KeyError:
        pass
    raise UnauthorizedError("Missing or invalid credentials")
