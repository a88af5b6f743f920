"""The operator CLI mints, lists and revokes tokens against the configured table."""

from __future__ import annotations

import pytest

from infra.tokens import main
from shared.auth import hash_api_token
from shared.store.tokens import TokenStore

pytestmark = pytest.mark.usefixtures("table")


def test_create_prints_the_token_once_and_stores_only_its_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["create", "--org", "org_acme", "--name", "ci"]) == 0
    token = capsys.readouterr().out.splitlines()[1]

    stored = TokenStore().find_by_hash(hash_api_token(token))
    assert stored is not None
    assert (stored.org_id, stored.name) == ("org_acme", "ci")
    assert token not in repr(stored)


def test_list_then_revoke(capsys: pytest.CaptureFixture[str]) -> None:
    main(["create", "--org", "org_acme", "--name", "ci"])
    token = capsys.readouterr().out.splitlines()[1]
    main(["list", "--org", "org_acme"])
    listing = capsys.readouterr().out
    token_id = listing.split()[0]
    assert "active" in listing
    assert token not in listing

    assert main(["revoke", "--org", "org_acme", "--token-id", token_id]) == 0
    assert main(["revoke", "--org", "org_acme", "--token-id", token_id]) == 1
    main(["list", "--org", "org_acme"])
    assert "revoked" in capsys.readouterr().out
    stored = TokenStore().find_by_hash(hash_api_token(token))
    assert stored is not None
    assert stored.revoked_at is not None
