"""Events as the API takes them, made at capture: a UUID, the time (ISO 8601 UTC, to the millisecond),
the source and the tool. Standard library only, light enough for the hook path."""

from __future__ import annotations

import os
import time
from typing import Any

# The API's limit on one event's ``data`` is 32 KiB as JSON: text is cut to 12,000 bytes of UTF-8, which
# JSON's escapes (a newline is two bytes) cannot take past it.
MAX_TEXT_BYTES = 12_000
MAX_SUMMARY_BYTES = 300

Event = dict[str, Any]


def instant(epoch_seconds: float | None = None) -> str:
    """``epoch_seconds`` (now by default) as the API writes times: ``2026-04-01T10:00:00.250Z``."""
    moment = time.time() if epoch_seconds is None else epoch_seconds
    whole = int(moment)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{int((moment - whole) * 1000):03d}Z"


def new_event(
    event_type: str, data: dict[str, Any], *, source: str, tool: str, clock_offset_ms: int = 0, at: float | None = None
) -> Event:
    """An event of ``event_type`` captured now (or ``at``), its time moved by the laptop's known offset
    from the server's clock, so the API finds it within the session."""
    moment = (time.time() if at is None else at) + clock_offset_ms / 1000
    return {
        "id": uuid4(),
        "type": event_type,
        "at": instant(moment),
        "source": source,
        "tool": tool,
        "data": data,
    }


def uuid4() -> str:
    """A random UUID (version 4), made without the uuid module, which costs the hook path ~5 ms to import."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # the RFC 4122 variant
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def bounded(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """``text`` cut to ``limit`` bytes of UTF-8 (never inside a character), saying so when it was."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    kept = encoded[:limit].decode(errors="ignore")
    return kept + f"… [{len(text) - len(kept)} more characters]"


def line_count(text: str) -> int:
    """How many lines ``text`` holds (a last line without a newline counts)."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def changed_lines(old: str, new: str) -> tuple[int, int]:
    """Lines added and removed when ``old`` becomes ``new``: the lines between their common first and
    last lines (a diff's count for one contiguous change, as an edit is)."""
    before, after = old.splitlines(), new.splitlines()
    common = 0
    while common < min(len(before), len(after)) and before[common] == after[common]:
        common += 1
    tail = 0
    while (
        tail < min(len(before), len(after)) - common and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]
    ):
        tail += 1
    return len(after) - common - tail, len(before) - common - tail


def relative_path(path: str, root: str) -> str:
    """``path`` relative to the workspace ``root`` when inside it; else its last part only, so no
    directory outside the workspace (a home folder, a user name) is sent."""
    absolute = path if os.path.isabs(path) else os.path.join(root, path)
    absolute = os.path.normpath(absolute)
    root = os.path.normpath(root)
    if absolute == root or absolute.startswith(root + os.sep):
        return os.path.relpath(absolute, root)
    return os.path.join("…", os.path.basename(absolute))
