"""Values that look like secrets are masked before anything is spooled."""

from __future__ import annotations

import pytest
from promptster_cli.masking import mask, mask_all

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "kept", "label"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "key ", "[masked AWS access key]"),
        ("temporary ASIAY34FZKBOKMUTVV7A", "temporary ", "[masked AWS access key]"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = ",
            "[masked AWS secret key]",
        ),
        ("OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234567890", "OPENAI_API_KEY=", "[masked API key]"),
        ("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", "", "[masked API key]"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token ", "[masked GitHub token]"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "", "[masked GitHub token]"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "Authorization: Bearer ", "[masked token]"),
        ("psk_live_abcdefghij0123456789ABCDEFGHIJ012345", "", "[masked Promptster token]"),
        ("my key PST-AB12-CD34", "my key ", "[masked Promptster key]"),
        (f"here:\n{PRIVATE_KEY}\nend", "here:\n", "[masked private key]"),
    ],
)
def test_a_secret_is_masked_keeping_what_kind_it_was(text: str, kept: str, label: str) -> None:
    masked = mask(text)

    assert masked.startswith(kept + label)


def test_text_without_secrets_is_left_as_it_is() -> None:
    text = "Run pytest -q and fix the skipped test in sk-module; ask Bob about the ghp_ prefix."

    assert mask(text) == text


def test_every_string_in_an_event_is_masked_whatever_its_depth() -> None:
    event = {
        "data": {
            "input": {"command": "curl -H 'Authorization: Bearer abcdefgh12345'"},
            "argv": ["AKIAIOSFODNN7EXAMPLE"],
        }
    }

    assert mask_all(event) == {
        "data": {
            "input": {"command": "curl -H 'Authorization: Bearer [masked token]'"},
            "argv": ["[masked AWS access key]"],
        }
    }
