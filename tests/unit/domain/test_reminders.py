"""Reminders: which keys the hourly job queues one for, read from the reminders index by expiry day."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import to_timestamp
from shared.domain.reminders import WINDOW, queue_reminders
from shared.models.candidate_keys import CandidateKey
from tests.unit.domain.fakes import Stores
from tests.unit.domain.support import START, FrozenClock, an_assessment, some_keys


def invited(stores: Stores, count: int = 1, days: int = 7) -> list[CandidateKey]:
    """Keys whose invitations went out at START, as the consumer leaves them once sent."""
    emails = [f"candidate{index}@example.com" for index in range(count)]
    keys = some_keys(stores, an_assessment(stores, expiresInDays=days), count, candidateEmails=emails)
    for key in keys:
        stored = stores.memory.keys[(key.assessment_id, key.id)]
        sent = to_timestamp(START)
        stores.memory.move_key(stored, invite_status="sent", invite_sent_at=sent, invite_last_sent_at=sent)
    return keys


def test_a_key_is_reminded_once_its_expiry_is_within_the_window_and_never_again(
    stores: Stores, clock: FrozenClock
) -> None:
    [key] = invited(stores)
    expiry = START + timedelta(days=7)

    clock.current = expiry - WINDOW - timedelta(seconds=1)
    early = queue_reminders(stores.reminders, clock.now())
    clock.current = expiry - WINDOW
    due = queue_reminders(stores.reminders, clock.now())
    again = queue_reminders(stores.reminders, clock.now())

    assert (early.queued, due.queued, again.queued) == (0, 1, 0)
    reminded = stores.memory.keys[(key.assessment_id, key.id)]
    assert (reminded.invite_status, reminded.invite_reason) == ("queued", "reminder")


def test_a_window_across_three_utc_days_finds_the_keys_of_each(stores: Stores, clock: FrozenClock) -> None:
    keys = invited(stores, 1, days=2) + invited(stores, 1, days=3) + invited(stores, 1, days=4)
    # START is 10:00 UTC: at 23:00 on day 2 the window runs to 23:00 on day 4, through three dates.
    clock.current = START + timedelta(days=2, hours=13)

    run = queue_reminders(stores.reminders, clock.now())

    assert (run.found, run.queued) == (2, 2)
    assert [stores.memory.keys[(key.assessment_id, key.id)].invite_reason for key in keys] == [
        None,  # expired at 10:00 on day 2
        "reminder",
        "reminder",
    ]


def test_the_quiet_period_after_the_last_email_is_the_callers(stores: Stores, clock: FrozenClock) -> None:
    invited(stores, 1, days=2)
    clock.current = START + timedelta(hours=1)

    assert queue_reminders(stores.reminders, clock.now()).queued == 0
    assert queue_reminders(stores.reminders, clock.now(), quiet_period=timedelta(0)).queued == 1
