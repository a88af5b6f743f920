"""Webhook secrets and signatures: ``Promptster-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` of
``"<t>.<raw body>"`` keyed with the endpoint's secret, so a receiver can tell a delivery is ours,
unaltered and recent (the timestamp is signed too: a replayed old delivery fails its age check)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix every secret starts with, not a secret
SIGNATURE_HEADER = "Promptster-Signature"
EVENT_ID_HEADER = "Promptster-Event-Id"


def new_secret() -> str:
    """A signing secret: 256 random bits, drawn when called (never at import, so never in a snapshot)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (the whole secret is the key)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
