"""When keys and sessions run out, as of a given moment: a key unused past its expiry reads ``expired``, and
a session past its deadline keeps a grace to finish in. Apart from the key and session rules so that a
route reading sessions loads no key rules, and one reading keys no session rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared import clock
from shared.models.sessions import GRACE_SECONDS

if TYPE_CHECKING:
    from shared.models.candidate_keys import KeyStatus
    from shared.store.candidate_keys import CandidateKeyRecord


def status_at(key: CandidateKeyRecord, now: datetime) -> KeyStatus:
    """The key's status as of ``now``: an unredeemed key past its expiry reads ``expired``."""
    if key.status == "pending" and clock.from_timestamp(key.expires_at) <= now:
        return "expired"
    return key.status


def running_cutoff(now: datetime) -> str:
    """The earliest deadline of a session still running at ``now``: past it, and the grace, it timed out."""
    return clock.to_timestamp(now - timedelta(seconds=GRACE_SECONDS))
