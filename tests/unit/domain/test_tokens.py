"""Reviewer tokens and who a request's credentials say is calling."""

from __future__ import annotations

import pytest

from shared.auth import Candidate, Principal, Reviewer, hash_api_token, is_api_token
from shared.domain.access import authenticate
from shared.domain.tokens import issue_token, revoke_token, seed_token
from shared.errors import NotFoundError, UnauthorizedError
from shared.routes import Auth
from tests.support import OPERATOR
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import ORG, OTHER_ORG, an_assessment, some_keys

SEEDED = "psk_live_" + "a" * 40


def _reviewer(stores: Stores, token: str) -> Principal:
    return authenticate({"Authorization": f"Bearer {token}"}, Auth.REVIEWER, stores.credentials)


def test_an_issued_token_is_kept_only_as_its_hash_and_proves_its_org(stores: Stores) -> None:
    issued = issue_token(stores.tokens, ORG, "ci", audit=OPERATOR)

    assert is_api_token(issued.token)
    assert issued.stored.token_hash == hash_api_token(issued.token)
    assert issued.token not in issued.stored.model_dump_json()
    assert _reviewer(stores, issued.token) == Reviewer(org_id=ORG, token_name="ci", token_id=issued.stored.token_id)


def test_a_revoked_token_no_longer_authenticates(stores: Stores) -> None:
    issued = issue_token(stores.tokens, ORG, "ci", audit=OPERATOR)

    revoked = revoke_token(stores.tokens, ORG, issued.stored.token_id, audit=OPERATOR)

    assert revoked.revoked_at is not None
    with pytest.raises(UnauthorizedError):
        _reviewer(stores, issued.token)


def test_revoking_twice_or_another_orgs_token_is_not_found(stores: Stores) -> None:
    issued = issue_token(stores.tokens, ORG, "ci", audit=OPERATOR)

    with pytest.raises(NotFoundError):
        revoke_token(stores.tokens, OTHER_ORG, issued.stored.token_id, audit=OPERATOR)
    revoke_token(stores.tokens, ORG, issued.stored.token_id, audit=OPERATOR)
    with pytest.raises(NotFoundError):
        revoke_token(stores.tokens, ORG, issued.stored.token_id, audit=OPERATOR)


def test_tokens_are_listed_per_org_oldest_first(stores: Stores) -> None:
    first = issue_token(stores.tokens, ORG, "first", audit=OPERATOR).stored
    issue_token(stores.tokens, OTHER_ORG, "theirs", audit=OPERATOR)
    second = issue_token(stores.tokens, ORG, "second", audit=OPERATOR).stored

    assert [token.name for token in stores.tokens.list_for_org(ORG)] == [first.name, second.name]


def test_a_seeded_token_authenticates_as_chosen(stores: Stores) -> None:
    seeded = seed_token(stores.tokens, SEEDED, ORG, "local", audit=OPERATOR)

    assert _reviewer(stores, SEEDED) == Reviewer(org_id=ORG, token_name="local", token_id=seeded.token_id)


def test_a_seeded_token_must_have_a_tokens_shape(stores: Stores) -> None:
    with pytest.raises(ValueError, match="psk_live_"):
        seed_token(stores.tokens, "psk_live_short", ORG, "local", audit=OPERATOR)

    assert stores.memory.tokens == {}


@pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer psk_live_unknown"}, {"Authorization": "Basic x"}])
def test_a_reviewer_route_refuses_missing_unknown_or_other_credentials(stores: Stores, header: dict[str, str]) -> None:
    with pytest.raises(UnauthorizedError):
        authenticate(header, Auth.REVIEWER, stores.credentials)


def test_a_key_code_typed_in_any_case_names_its_candidate(stores: Stores) -> None:
    [key] = some_keys(stores, an_assessment(stores))

    principal = authenticate({"X-Api-Key": f"  {key.key.lower()} "}, Auth.CANDIDATE, stores.credentials)

    assert principal == Candidate(org_id=ORG, assessment_id=key.assessment_id, key_id=key.id)
