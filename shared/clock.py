"""Time: UTC timestamps in the API's format."""

from __future__ import annotations

from datetime import UTC, datetime

_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_now() -> datetime:
    """The current time in UTC, to the second (the API's precision)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix, e.g. ``2026-04-01T10:00:00Z``."""
    return moment.astimezone(UTC).strftime(_TIMESTAMP_FORMAT)


def from_timestamp(text: str) -> datetime:
    """Parse a timestamp written by :func:`to_timestamp`."""
    return datetime.strptime(text, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
