"""Claude Code's hooks (``.claude/settings.local.json``): every payload names its ``hook_event_name``
and carries ``session_id``, ``transcript_path`` and ``cwd``. UserPromptSubmit has the ``prompt``;
PreToolUse and PostToolUse the ``tool_name``, ``tool_input`` and ``tool_use_id`` (PostToolUse also the
``tool_response``); Stop ends a turn; SessionStart (``source``) and SessionEnd (``reason``) frame a
session. Nothing is printed back: for SessionStart and UserPromptSubmit, Claude Code would add it to
the conversation."""

from __future__ import annotations

from typing import Any

from promptster_cli.events import bounded, changed_lines, line_count
from promptster_cli.tools import (
    Capture,
    Context,
    UnknownPayloadError,
    edits_lines,
    file_change,
    input_summary,
    patch_lines,
    text_of,
    written_lines,
)

FILE_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit"})
SHELL_TOOLS = frozenset({"Bash"})


def answer(payload: dict[str, Any]) -> str | None:
    """Nothing: Claude Code needs no answer to go on."""
    return None


def capture(payload: dict[str, Any], context: Context) -> Capture:
    """The events one Claude Code hook payload comes to."""
    event_name = payload.get("hook_event_name")
    if event_name == "UserPromptSubmit":
        return Capture(events=[context.event("prompt", {"text": bounded(text_of(payload, "prompt"))})])
    if event_name == "PreToolUse":
        return _before_tool(payload, context)
    if event_name == "PostToolUse":
        return _after_tool(payload, context)
    if event_name == "Stop":
        # The end of the turn only: the assistant's answer itself is not recorded.
        return Capture(events=[context.event("response", {"endOfTurn": True})], settle=True)
    if event_name == "SessionStart":
        return Capture(
            events=[context.event("note", {"text": "Claude Code session started", "how": payload.get("source")})]
        )
    if event_name == "SessionEnd":
        note = {"text": "Claude Code session ended", "reason": payload.get("reason")}
        return Capture(events=[context.event("note", note)], settle=True)
    raise UnknownPayloadError(f"not a Claude Code hook event we capture: {event_name!r}")


def _tool(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = text_of(payload, "tool_name")
    tool_input = payload.get("tool_input")
    return name, tool_input if isinstance(tool_input, dict) else {}


def _edited_path(name: str, tool_input: dict[str, Any]) -> str | None:
    if name not in FILE_TOOLS:
        return None
    path = tool_input.get("notebook_path") if name == "NotebookEdit" else tool_input.get("file_path")
    return path if isinstance(path, str) else None


def _before_tool(payload: dict[str, Any], context: Context) -> Capture:
    """The call, held until its result comes; the file it is about to edit noted already, so a snapshot
    taken meanwhile does not count the edit as the candidate's."""
    name, tool_input = _tool(payload)
    path = _edited_path(name, tool_input)
    call = context.event("tool_call", {"name": name, "input": input_summary(tool_input, context)})
    key = payload.get("tool_use_id")
    return Capture(touched=[context.path(path)] if path else [], hold=(str(key), call) if key else None)


def _after_tool(payload: dict[str, Any], context: Context) -> Capture:
    name, tool_input = _tool(payload)
    response = payload.get("tool_response")
    succeeded = _succeeded(response)
    call = context.event("tool_call", {"name": name, "input": input_summary(tool_input, context), "success": succeeded})
    found = Capture()
    key = payload.get("tool_use_id")
    if key:
        found.finish = (str(key), call)
    else:
        found.events.append(call)
    path = _edited_path(name, tool_input)
    if path is not None and succeeded:
        found.events.append(file_change(context, path, _lines(name, tool_input, response)))
        found.touched.append(context.path(path))
    if name in SHELL_TOOLS and isinstance(tool_input.get("command"), str):
        command = {"command": bounded(tool_input["command"]), "author": "ai", "success": succeeded}
        found.events.append(context.event("command", command))
    return found


def _succeeded(response: Any) -> bool:
    if not isinstance(response, dict):
        return True
    return not (
        response.get("success") is False
        or response.get("is_error") is True
        or response.get("interrupted") is True
        or bool(response.get("error"))
    )


def _lines(name: str, tool_input: dict[str, Any], response: Any) -> tuple[int, int]:
    """Lines added and removed: from the patch Claude Code reports, else from the edit's own strings."""
    reported = patch_lines(response.get("structuredPatch")) if isinstance(response, dict) else None
    if reported is not None:
        return reported
    if name == "Edit":
        return changed_lines(str(tool_input.get("old_string") or ""), str(tool_input.get("new_string") or ""))
    if name == "MultiEdit":
        return edits_lines(tool_input.get("edits"))
    if name == "Write":
        original = response.get("originalFile") if isinstance(response, dict) else None
        return written_lines(str(tool_input.get("content") or ""), original)
    return line_count(str(tool_input.get("new_source") or "")), 0
