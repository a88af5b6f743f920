"""The domain tier: business rules over in-memory stores, on a clock the test sets."""

from __future__ import annotations

import pytest

from tests.unit.domain.fakes import Stores, in_memory_stores
from tests.unit.domain.support import START, FrozenClock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """``shared.clock.utc_now`` stopped at START; tests move it on."""
    frozen = FrozenClock(START)
    monkeypatch.setattr("shared.clock.utc_now", frozen.now)
    return frozen


@pytest.fixture
def stores(clock: FrozenClock) -> Stores:
    return in_memory_stores()
