"""Business rules for share links: a random token opens one session's report without a credential
until it expires or is revoked. Only the token's SHA-256 is stored; the token is shown once."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from shared import clock, ids
from shared.domain.audit import AuditContext
from shared.domain.paging import decode_cursor, encode_cursor
from shared.domain.ports import Sessions, Shares
from shared.domain.sessions import org_session
from shared.errors import NotFoundError
from shared.models.shares import (
    DEFAULT_EXPIRES_IN_DAYS,
    REPORTS_PATH,
    SHARE_TOKEN_BYTES,
    SHARE_TOKEN_PATTERN,
    CreatedShare,
    CreateShareRequest,
    Share,
)
from shared.store.dynamo import ConditionFailedError
from shared.store.shares import ShareRecord

_TOKEN = SHARE_TOKEN_PATTERN.removesuffix("$") + r"\Z"


def new_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(SHARE_TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_share_token(text: str) -> bool:
    """Whether ``text`` has a token's shape (anything else is refused without a lookup)."""
    return bool(re.match(_TOKEN, text))


def report_url(api_url: str, token: str) -> str:
    """Where the report a token opens is read: ``<API>/v1/reports/<token>``."""
    return f"{api_url.rstrip('/')}{REPORTS_PATH}{token}"


def share_view(share: ShareRecord) -> Share:
    """The link as the list shows it: never its token, nor its hash."""
    return Share.model_validate(share.model_dump(exclude={"token_hash", "org_id"}))


def new_share(
    org_id: str,
    session_id: str,
    api_url: str,
    *,
    days: int = DEFAULT_EXPIRES_IN_DAYS,
    webhook_id: str | None = None,
    now: datetime | None = None,
) -> tuple[ShareRecord, str]:
    """A new link to the session's report, not stored yet, with its URL (the one place the token is)."""
    made = now or clock.utc_now()
    token = new_token()
    share = ShareRecord(
        id=ids.new_id(),
        org_id=org_id,
        session_id=session_id,
        token_hash=token_digest(token),
        created_at=clock.to_timestamp(made),
        expires_at=clock.to_timestamp(made + timedelta(days=days)),
        webhook_id=webhook_id,
    )
    return share, report_url(api_url, token)


def make_share(
    shares: Shares,
    org_id: str,
    session_id: str,
    api_url: str,
    *,
    days: int = DEFAULT_EXPIRES_IN_DAYS,
    webhook_id: str | None = None,
    now: datetime | None = None,
    audit: AuditContext | None = None,
) -> tuple[ShareRecord, str]:
    """Store a new link to the session's report and return it with its URL (the one place the token is);
    ``audit`` names the reviewer who asked for it (a link made for a webhook's delivery has none)."""
    share, url = new_share(org_id, session_id, api_url, days=days, webhook_id=webhook_id, now=now)
    record = None
    if audit is not None:
        record = audit.record(org_id, "share.create", ("share", share.id), ["sessionId", "expiresAt"], share.created_at)
    shares.create(share, record)
    return share, url


def create_share(
    shares: Shares,
    sessions: Sessions,
    org_id: str,
    session_id: str,
    request: CreateShareRequest | None,
    *,
    api_url: str,
    audit: AuditContext,
) -> CreatedShare:
    """A new link to the report of one of the org's sessions; another org's session is not found."""
    session = org_session(sessions, org_id, session_id)
    days = request.expires_in_days if request is not None else DEFAULT_EXPIRES_IN_DAYS
    share, url = make_share(shares, org_id, session.id, api_url, days=days, audit=audit)
    return CreatedShare(id=share.id, url=url, expires_at=share.expires_at)


def list_shares(
    shares: Shares, sessions: Sessions, org_id: str, session_id: str, *, limit: int, cursor: str | None
) -> tuple[list[Share], str | None]:
    """One page of the live links of one of the org's sessions, oldest first (expired ones left out)."""
    session = org_session(sessions, org_id, session_id)
    page, resume_after = shares.list_page(session.id, limit, decode_cursor(cursor))
    now = clock.to_timestamp(clock.utc_now())
    live = [share_view(share) for share in page if share.expires_at > now]
    return live, encode_cursor(resume_after) if resume_after else None


def revoke_share(shares: Shares, org_id: str, session_id: str, share_id: str, *, audit: AuditContext) -> str:
    """Delete one of the session's live links: its token opens nothing from now on."""
    canonical_session, canonical_share = ids.canonical_uuid(session_id), ids.canonical_uuid(share_id)
    share = shares.get(canonical_session, canonical_share) if canonical_session and canonical_share else None
    if share is None or share.org_id != org_id or share.expires_at <= clock.to_timestamp(clock.utc_now()):
        raise _no_share()
    record = audit.record(org_id, "share.revoke", ("share", share.id), ["revoked"])
    try:
        shares.delete(share, record)
    except ConditionFailedError as failed:
        raise _no_share() from failed
    return share.id


def open_share(shares: Shares, token: str) -> ShareRecord:
    """The live link ``token`` opens. A token of the wrong shape costs no request, any other one GetItem;
    unknown, expired and revoked tokens are all simply not found."""
    share = shares.find(token_digest(token)) if is_share_token(token) else None
    if share is None or share.expires_at <= clock.to_timestamp(clock.utc_now()):
        raise NotFoundError("Report not found")
    return share


def _no_share() -> NotFoundError:
    return NotFoundError("Share link not found")
