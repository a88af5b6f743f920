"""What each AI tool's hook payloads mean as events of the API: one module a tool (``claude_code``,
``cursor``, ``copilot``), each mapping its tool's documented payloads, and what they share."""

from __future__ import annotations

import json
from typing import Any

from promptster_cli.events import MAX_SUMMARY_BYTES, Event, bounded, changed_lines, line_count, new_event, relative_path

# The module of each tool name ``promptster hook TOOL`` takes.
TOOL_MODULES = {"claude-code": "claude_code", "cursor": "cursor", "copilot": "copilot"}

# Tool inputs that carry file contents: never sent (a file's path and line counts are).
CONTENT_FIELDS = frozenset(
    {"content", "contents", "file_text", "new_source", "new_str", "new_string", "old_str", "old_string", "edits"}
)
PATH_FIELDS = frozenset({"file_path", "filePath", "notebook_path", "path"})


class UnknownPayloadError(ValueError):
    """The payload is not one this tool's hooks are documented to send (or not one we capture)."""


# Plain classes, not dataclasses: importing dataclasses (and the inspect module it loads) costs the hook
# path ~10 ms.
class Context:
    """What a mapper needs besides the payload: the workspace root (paths are sent relative to it) and
    the laptop's offset from the server's clock."""

    __slots__ = ("clock_offset_ms", "root", "tool")

    def __init__(self, root: str, tool: str, clock_offset_ms: int = 0) -> None:
        self.root, self.tool, self.clock_offset_ms = root, tool, clock_offset_ms

    def event(self, event_type: str, data: dict[str, Any]) -> Event:
        return new_event(event_type, data, source="hook", tool=self.tool, clock_offset_ms=self.clock_offset_ms)

    def path(self, path: str) -> str:
        return relative_path(path, self.root)


class Capture:
    """What one hook payload comes to: events to spool, the paths the assistant touched, a tool call to
    hold until its result (``hold``: key and event) or the result of one held (``finish``: key and the
    event as the result tells it), and whether the turn ended (``settle``: held calls never finished
    are recorded as such)."""

    __slots__ = ("events", "finish", "hold", "settle", "touched")

    def __init__(
        self,
        events: list[Event] | None = None,
        touched: list[str] | None = None,
        hold: tuple[str, Event] | None = None,
        finish: tuple[str, Event] | None = None,
        settle: bool = False,
    ) -> None:
        self.events = events if events is not None else []
        self.touched = touched if touched is not None else []
        self.hold, self.finish, self.settle = hold, finish, settle


def text_of(payload: dict[str, Any], name: str) -> str:
    """A string field of the payload; UnknownPayloadError when it is missing or not a string."""
    value = payload.get(name)
    if not isinstance(value, str):
        raise UnknownPayloadError(f"no {name!r} string in the payload")
    return value


def arguments(value: Any) -> dict[str, Any]:
    """A tool's arguments, sent as an object or as JSON text of one."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {"input": value}
    return value if isinstance(value, dict) else {}


def input_summary(tool_input: dict[str, Any], context: Context) -> dict[str, Any]:
    """A bounded summary of a tool's input: every field but file contents, paths relative to the
    workspace, each value cut to a few hundred characters."""
    summary: dict[str, Any] = {}
    for name, value in tool_input.items():
        if name in CONTENT_FIELDS:
            continue
        if name in PATH_FIELDS and isinstance(value, str):
            summary[name] = context.path(value)
        elif isinstance(value, bool | int | float) or value is None:
            summary[name] = value
        elif isinstance(value, str):
            summary[name] = bounded(value, MAX_SUMMARY_BYTES)
        else:
            summary[name] = bounded(json.dumps(value, ensure_ascii=False), MAX_SUMMARY_BYTES)
    return summary


def patch_lines(hunks: Any) -> tuple[int, int] | None:
    """Lines added and removed by a structured patch (hunks whose ``lines`` start with + or -)."""
    if not isinstance(hunks, list) or not hunks:
        return None
    added = removed = 0
    for hunk in hunks:
        lines = hunk.get("lines") if isinstance(hunk, dict) else None
        if not isinstance(lines, list):
            return None
        added += sum(1 for line in lines if isinstance(line, str) and line.startswith("+"))
        removed += sum(1 for line in lines if isinstance(line, str) and line.startswith("-"))
    return added, removed


def edits_lines(edits: Any) -> tuple[int, int]:
    """Lines added and removed by a list of ``old_string``/``new_string`` edits."""
    added = removed = 0
    for edit in edits if isinstance(edits, list) else []:
        if isinstance(edit, dict):
            plus, minus = changed_lines(str(edit.get("old_string") or ""), str(edit.get("new_string") or ""))
            added, removed = added + plus, removed + minus
    return added, removed


def file_change(context: Context, path: str, lines: tuple[int, int]) -> Event:
    """An edit by the assistant: its path and line counts, never the contents."""
    added, removed = lines
    return context.event(
        "file_change", {"author": "ai", "path": context.path(path), "linesAdded": added, "linesRemoved": removed}
    )


def written_lines(content: str, original: Any) -> tuple[int, int]:
    """Lines added and removed by writing ``content`` over ``original`` (a new file when not text)."""
    if isinstance(original, str):
        return changed_lines(original, content)
    return line_count(content), 0
