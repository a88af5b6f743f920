"""Identifiers: time-ordered UUIDs (UUIDv7), and the canonical form of a UUID a caller sent."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid


class _Uuid7Generator:
    """UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then a counter seeded at random each
    millisecond, then random bits; ids made by one process are strictly increasing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._counter = 0

    def __call__(self) -> uuid.UUID:
        with self._lock:
            now_ms = time.time_ns() // 1_000_000
            if now_ms > self._last_ms:
                self._last_ms = now_ms
                self._counter = int.from_bytes(os.urandom(2)) & 0x7FF  # leave room to count up
            else:
                self._counter += 1
                if self._counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                    self._last_ms += 1
                    self._counter = 0
            value = (self._last_ms & 0xFFFF_FFFF_FFFF) << 80
            value |= 0x7 << 76 | self._counter << 64
            value |= 0b10 << 62 | int.from_bytes(os.urandom(8)) & 0x3FFF_FFFF_FFFF_FFFF
        return uuid.UUID(int=value)


new_uuid7 = _Uuid7Generator()


def new_id() -> str:
    """A new time-ordered id: sorting ids as strings sorts them by creation."""
    return str(new_uuid7())


def canonical_uuid(text: str) -> str | None:
    """The lower-case hyphenated form of a UUID, or None when ``text`` is not one."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def email_digest(email: str) -> str:
    """The SHA-256 of an address as matched (case and surrounding space ignored): what the store files a
    candidate under and the logs name them by, so neither holds the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()
