"""The reminder job in the local server: what EventBridge runs hourly, run every half minute (or every
PROMPTSTER_LOCAL_REMINDER_SECONDS) and without the day's quiet after the last email, so a key generated
with ``expiresInDays`` 1 or 2 has its reminder in the mail folder within a minute of its invitation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from infra.local.polling import Poller
from shared import clock
from shared.domain.reminders import queue_reminders
from shared.store.candidate_keys import ReminderStore

PERIOD_VARIABLE = "PROMPTSTER_LOCAL_REMINDER_SECONDS"
DEFAULT_PERIOD_SECONDS = 30.0


def reminder_period() -> float:
    """Seconds between two local runs of the job; ValueError when the variable holds no positive number."""
    text = os.environ.get(PERIOD_VARIABLE)
    if not text:
        return DEFAULT_PERIOD_SECONDS
    try:
        period = float(text)
    except ValueError:
        period = 0
    if not period > 0:
        raise ValueError(f"{text!r} is not a number of seconds above 0")
    return period


class ReminderPoller(Poller):
    """Runs the job, then rests for its period (a run that queued reminders is followed by one that finds none)."""

    def __init__(self, period_seconds: float) -> None:
        super().__init__("reminders", rest_seconds=period_seconds)

    def poll(self) -> int:
        return queue_reminders(ReminderStore(), clock.utc_now(), quiet_period=timedelta(0)).queued


@contextmanager
def local_reminders(period_seconds: float) -> Iterator[None]:
    """Run the reminder job every ``period_seconds`` while the block runs."""
    poller = ReminderPoller(period_seconds)
    poller.start()
    try:
        yield
    finally:
        poller.stop()
