"""What the local server runs in place of Lambda's event source mappings: a thread that polls a source
and hands what it found to a function, at once while there is more, after a pause when there is none."""

from __future__ import annotations

import threading
import traceback
from abc import ABC, abstractmethod

# How long a poller rests after finding nothing.
POLL_SECONDS = 0.2


class Poller(ABC):
    """Runs ``poll`` in a daemon thread between ``start`` and ``stop``, resting ``rest_seconds`` after a
    pass that found nothing; a failing poll is printed and the thread goes on, as Lambda's polling does."""

    def __init__(self, name: str, rest_seconds: float = POLL_SECONDS) -> None:
        self._rest_seconds = rest_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @abstractmethod
    def poll(self) -> int:
        """One pass: hand on what is new, and return how much there was."""

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                found = self.poll()
            except Exception:
                traceback.print_exc()
                found = 0
            if not found:
                self._stop.wait(self._rest_seconds)
