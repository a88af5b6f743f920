"""Allowed origins are exact origins, as a browser sends them in ``Origin``."""

from __future__ import annotations

import pytest

from infra.deployment import Deployment, DeploymentError
from shared.cors import parse_origins


def test_origins_are_a_comma_separated_list_without_blanks_or_repeats() -> None:
    text = " https://app.acme.com, http://localhost:5173 ,,https://app.acme.com"

    assert parse_origins(text) == ("https://app.acme.com", "http://localhost:5173")
    assert parse_origins("") == ()


@pytest.mark.parametrize(
    "origin",
    ["*", "app.acme.com", "https://app.acme.com/", "https://App.acme.com", "ftp://acme.com", "https://*.acme.com"],
)
def test_anything_but_an_exact_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="is not an origin"):
        parse_origins(origin)


def test_the_stack_takes_them_from_the_context_none_by_default() -> None:
    listed = Deployment.from_context({"corsOrigins": ["https://a.example", "https://b.example"]}.get)

    assert Deployment.from_context(lambda _: None).cors_origins == ()
    assert Deployment.from_context({"corsOrigins": "https://a.example,https://b.example"}.get) == listed
    assert listed.cors_origins == ("https://a.example", "https://b.example")
    with pytest.raises(DeploymentError, match="corsOrigins"):
        Deployment.from_context({"corsOrigins": "*"}.get)
