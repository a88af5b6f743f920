"""Reminders: one email to each candidate whose unused key expires within the next 48 hours, queued by a
scheduled job and sent by the event consumer as it sends invitations. A key waits for its reminder in
an index by expiry (a sparse entry written with the key); queuing the reminder takes it out, as do
using, revoking and erasing the key, so no run reminds a candidate twice and none reminds a key that
can no longer be used. Never within a day of the candidate's last email (the invitation, or one sent
again): a key issued for a day or two is reminded at most once, and never right after its invitation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from shared import clock
from shared.domain.ports import Reminders
from shared.store.candidate_keys import CandidateKeyRecord
from shared.store.dynamo import Item

WINDOW = timedelta(hours=48)
QUIET_PERIOD = timedelta(hours=24)


class ReminderRun(NamedTuple):
    """What one run did: the keys it found in the window, and the reminders it queued."""

    found: int
    queued: int


def queue_reminders(reminders: Reminders, now: datetime, quiet_period: timedelta = QUIET_PERIOD) -> ReminderRun:
    """Queue the reminder of every key in the index expiring between ``now`` and 48 hours later whose
    candidate has had no email for ``quiet_period``: a Query per UTC day the window touches (three)."""
    window = (clock.to_timestamp(now), clock.to_timestamp(now + WINDOW))
    quiet_since = clock.to_timestamp(now - quiet_period)
    found = queued = 0
    for day in _days(now, now + WINDOW):
        after: Item | None = None
        while True:
            page, after = reminders.expiring(day, window, after)
            found += len(page)
            for key in page:
                # The entry's copy of the key may be a moment old: it spares the writes that would fail,
                # the queuing's condition decides.
                if _due(key, window[0], quiet_since) and reminders.queue(key, window[0], quiet_since):
                    queued += 1
            if after is None:
                break
    return ReminderRun(found=found, queued=queued)


def _days(start: datetime, end: datetime) -> list[str]:
    """The UTC days from ``start`` to ``end``, as YYYY-MM-DD."""
    days, day = [], start.date()
    while day <= end.date():
        days.append(day.isoformat())
        day += timedelta(days=1)
    return days


def _due(key: CandidateKeyRecord, now: str, quiet_since: str) -> bool:
    last_sent = key.invite_last_sent_at or key.invite_sent_at
    return (
        key.status == "pending"
        and key.erased_at is None
        and key.expires_at > now
        and key.invite_status == "sent"
        and last_sent is not None
        and last_sent <= quiet_since
    )
