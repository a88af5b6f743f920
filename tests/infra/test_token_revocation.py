"""The revocation window the token CLI states is the cache the stack gives Bearer verdicts."""

from __future__ import annotations

import pytest

from infra.constructs.api import AUTHORIZERS
from infra.tokens import BEARER_CACHE_SECONDS
from shared.routes import Auth

pytestmark = pytest.mark.infra


def test_the_stated_window_is_the_bearer_verdict_cache() -> None:
    assert AUTHORIZERS[Auth.REVIEWER].cache_seconds == BEARER_CACHE_SECONDS
