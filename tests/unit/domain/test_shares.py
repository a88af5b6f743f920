"""Share links over in-memory stores: a token of 256 random bits opens one session's report until it
expires or is revoked; only its hash is kept; another organisation's session is not found."""

from __future__ import annotations

import hashlib

import pytest

from shared.domain.shares import create_share, is_share_token, list_shares, open_share, revoke_share
from shared.errors import NotFoundError
from shared.models.shares import CreateShareRequest
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import AUDIT, ORG, OTHER_ORG, FrozenClock, a_started_session

API = "https://api.example.com/prod"


def a_link(stores: Stores, session_id: str, days: int | None = None) -> tuple[str, str]:
    """A new link to the session's report: its id and its token."""
    request = CreateShareRequest.model_validate({"expiresInDays": days}) if days is not None else None
    created = create_share(stores.shares, stores.sessions, ORG, session_id, request, api_url=API, audit=AUDIT)
    assert created.url is not None
    return created.id, created.url.removeprefix(f"{API}/v1/reports/")


def test_a_link_is_the_apis_report_url_with_a_token_of_256_random_bits(stores: Stores) -> None:
    _, session = a_started_session(stores)

    created = create_share(stores.shares, stores.sessions, ORG, session.id, None, api_url=API + "/", audit=AUDIT)

    assert created.url is not None
    assert created.url.startswith(f"{API}/v1/reports/")
    token = created.url.rsplit("/", 1)[1]
    assert is_share_token(token)
    assert len(token) == 43  # 32 bytes, URL-safe base64 without padding
    again = create_share(stores.shares, stores.sessions, ORG, session.id, None, api_url=API, audit=AUDIT)
    assert created.url != again.url


def test_only_the_tokens_hash_is_kept(stores: Stores) -> None:
    _, session = a_started_session(stores)
    _, token = a_link(stores, session.id)

    kept = stores.memory.shares
    assert list(kept) == [hashlib.sha256(token.encode()).hexdigest()]
    assert all(token not in share.model_dump_json() for share in kept.values())


def test_a_link_lasts_30_days_unless_asked_otherwise(stores: Stores, clock: FrozenClock) -> None:
    _, session = a_started_session(stores)

    default = create_share(stores.shares, stores.sessions, ORG, session.id, None, api_url=API, audit=AUDIT)
    week = create_share(
        stores.shares,
        stores.sessions,
        ORG,
        session.id,
        CreateShareRequest.model_validate({"expiresInDays": 7}),
        api_url=API,
        audit=AUDIT,
    )

    assert (default.expires_at, week.expires_at) == ("2026-05-01T10:00:00Z", "2026-04-08T10:00:00Z")


def test_a_token_opens_its_session_until_it_expires(stores: Stores, clock: FrozenClock) -> None:
    _, session = a_started_session(stores)
    _, token = a_link(stores, session.id, days=1)

    assert open_share(stores.shares, token).session_id == session.id
    clock.advance(days=1)
    with pytest.raises(NotFoundError):
        open_share(stores.shares, token)


@pytest.mark.parametrize(
    "token",
    ["", "short", "A" * 42 + "!", "A" * 44, "../../v1/assessments", "A" * 42 + "\n", "\u202e" + "A" * 42],
)
def test_a_token_of_another_shape_is_not_found_without_a_lookup(stores: Stores, token: str) -> None:
    lookups: list[str] = []
    stores.shares.find = lookups.append  # type: ignore[assignment, method-assign]

    with pytest.raises(NotFoundError):
        open_share(stores.shares, token)
    assert lookups == []


def test_a_well_formed_token_that_was_never_made_is_not_found(stores: Stores) -> None:
    _, session = a_started_session(stores)
    _, token = a_link(stores, session.id)
    forged = ("B" if token[0] == "A" else "A") + token[1:]

    with pytest.raises(NotFoundError):
        open_share(stores.shares, forged)


def test_the_list_shows_live_links_oldest_first_without_their_tokens(stores: Stores, clock: FrozenClock) -> None:
    _, session = a_started_session(stores)
    short, _ = a_link(stores, session.id, days=1)
    clock.advance(seconds=1)
    lasting, _ = a_link(stores, session.id)

    listed, _ = list_shares(stores.shares, stores.sessions, ORG, session.id, limit=10, cursor=None)
    clock.advance(days=1)
    later, _ = list_shares(stores.shares, stores.sessions, ORG, session.id, limit=10, cursor=None)

    assert [share.id for share in listed] == [short, lasting]
    assert [share.id for share in later] == [lasting]
    assert set(listed[0].model_dump()) == {"id", "session_id", "created_at", "expires_at", "webhook_id"}


def test_a_revoked_link_opens_nothing_and_cannot_be_revoked_again(stores: Stores) -> None:
    _, session = a_started_session(stores)
    share_id, token = a_link(stores, session.id)

    assert revoke_share(stores.shares, ORG, session.id, share_id, audit=AUDIT) == share_id
    with pytest.raises(NotFoundError):
        open_share(stores.shares, token)
    with pytest.raises(NotFoundError):
        revoke_share(stores.shares, ORG, session.id, share_id, audit=AUDIT)


def test_another_organisations_session_and_links_are_not_found(stores: Stores) -> None:
    _, session = a_started_session(stores)
    share_id, token = a_link(stores, session.id)

    with pytest.raises(NotFoundError):
        create_share(stores.shares, stores.sessions, OTHER_ORG, session.id, None, api_url=API, audit=AUDIT)
    with pytest.raises(NotFoundError):
        list_shares(stores.shares, stores.sessions, OTHER_ORG, session.id, limit=10, cursor=None)
    with pytest.raises(NotFoundError):
        revoke_share(stores.shares, OTHER_ORG, session.id, share_id, audit=AUDIT)
    assert open_share(stores.shares, token).session_id == session.id  # still the owner's
