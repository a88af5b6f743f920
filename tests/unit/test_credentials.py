"""Token and key-code rules, and the principal round trip through the authorizer context."""

from __future__ import annotations

import re
import string
from typing import cast

import pytest

from shared.auth import (
    KEY_CODE_ALPHABET,
    Candidate,
    Reviewer,
    hash_api_token,
    is_api_token,
    new_api_token,
    new_key_code,
    normalize_key_code,
    principal_from_context,
    principal_to_context,
)
from shared.domain.tokens import seed_token
from shared.errors import UnauthorizedError
from shared.store.tokens import TokenStore
from tests.support import OPERATOR


def test_api_tokens_are_prefixed_random_and_hashed_with_sha256() -> None:
    tokens = {new_api_token() for _ in range(100)}

    assert len(tokens) == 100
    assert all(re.fullmatch(r"psk_live_[A-Za-z0-9]{40}", token) for token in tokens)
    assert all(is_api_token(token) for token in tokens)
    assert set("".join(token[9:] for token in tokens)) == set(string.ascii_letters + string.digits)
    assert hash_api_token("psk_live_x") == "3ee706d6fdcd381a76039171e606164bc4c3e5ef5f93be7fbfb60aa50d8f49de"


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("psk_live_" + "a" * 32, True),
        ("psk_live_" + "Z9" * 64, True),
        ("psk_live_" + "a" * 31, False),
        ("psk_live_" + "a" * 129, False),
        ("psk_live_" + "a" * 39 + "_", True),  # v1's first tokens were URL-safe base64
        ("psk_live_" + "a" * 39 + "-", True),
        ("psk_live_" + "a" * 39 + "+", False),
        ("psk_live_" + "a" * 40 + "\n", False),
        ("psk_live_" + "é" * 40, False),
        ("psk_test_" + "a" * 40, False),
        ("PSK_LIVE_" + "a" * 40, False),
        ("a" * 49, False),
        ("", False),
    ],
)
def test_only_the_prefix_and_32_to_128_letters_or_digits_are_a_token(text: str, shaped: bool) -> None:
    assert is_api_token(text) is shaped


def test_an_operator_chosen_token_without_a_token_shape_is_never_stored() -> None:
    with pytest.raises(ValueError, match="psk_live_ followed by 32 to 128 letters, digits, - or _"):
        seed_token(cast(TokenStore, None), "tokA", "org_a", name="local", audit=OPERATOR)


def test_key_codes_use_only_the_unambiguous_alphabet() -> None:
    codes = [new_key_code() for _ in range(500)]

    assert all(re.fullmatch(r"PST-[0-9A-Z]{4}-[0-9A-Z]{4}", code) for code in codes)
    assert not set("".join(codes)) & set("ILOU")
    assert set("".join(code[4:8] + code[9:] for code in codes)) <= set(KEY_CODE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PST-AB12-CD34", "PST-AB12-CD34"),
        ("  pst-ab12-cd34 \n", "PST-AB12-CD34"),
        ("PST-AB12-CD3", None),
        ("PST-AB1I-CD34", None),  # I is not in the alphabet
        ("PSTAB12CD34", None),
        ("", None),
    ],
)
def test_typed_key_codes_are_normalised_or_refused(typed: str, expected: str | None) -> None:
    assert normalize_key_code(typed) == expected


@pytest.mark.parametrize(
    "principal",
    [
        Reviewer(org_id="org_a", token_name="ci", token_id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8e9f"),
        Candidate(org_id="org_a", assessment_id="a1", key_id="k1"),
    ],
)
def test_principal_survives_the_authorizer_context(principal: Reviewer | Candidate) -> None:
    context = principal_to_context(principal)

    assert all(isinstance(value, str) for value in context.values())
    assert principal_from_context(context) == principal


@pytest.mark.parametrize("context", [{}, {"principal": "admin", "orgId": "x"}, {"principal": "reviewer"}])
def test_an_unexpected_authorizer_context_is_unauthorized(context: dict[str, str]) -> None:
    with pytest.raises(UnauthorizedError):
        principal_from_context(context)
