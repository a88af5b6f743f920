"""GitHub Copilot's hooks (``.github/hooks/*.json``, version 1; Copilot CLI and the coding agent):
payloads carry a ``timestamp`` (ms) and the ``cwd``, but not the event's name, which each hook command
passes as its argument (``promptster hook copilot preToolUse``). userPromptSubmitted has the
``prompt``; preToolUse the ``toolName`` and ``toolArgs`` (JSON text); postToolUse also the
``toolResult`` (``resultType``: success, failure or denied); sessionEnd the ``reason``. Output is
optional for every one of them: nothing is printed."""

from __future__ import annotations

import zlib
from typing import Any

from promptster_cli.events import bounded, changed_lines
from promptster_cli.tools import (
    Capture,
    Context,
    UnknownPayloadError,
    arguments,
    file_change,
    input_summary,
    text_of,
    written_lines,
)

EDIT_TOOLS = frozenset({"edit", "str_replace", "str_replace_editor"})
CREATE_TOOLS = frozenset({"create", "write"})
SHELL_TOOLS = frozenset({"bash", "shell", "powershell"})


def answer(payload: dict[str, Any]) -> str | None:
    """Nothing: Copilot's hooks need no answer to go on."""
    return None


def capture(payload: dict[str, Any], context: Context) -> Capture:
    """The events one Copilot hook payload comes to (its event named by ``hookEventName``)."""
    event_name = payload.get("hookEventName")
    if event_name == "userPromptSubmitted":
        return Capture(events=[context.event("prompt", {"text": bounded(text_of(payload, "prompt"))})])
    if event_name == "preToolUse":
        name, tool_args, key = _tool(payload)
        path = _edited_path(name, tool_args)
        call = context.event("tool_call", {"name": name, "input": input_summary(tool_args, context)})
        return Capture(touched=[context.path(path)] if path else [], hold=(key, call))
    if event_name == "postToolUse":
        return _after_tool(payload, context)
    if event_name == "sessionEnd":
        return Capture(
            events=[context.event("response", {"endOfTurn": True, "reason": payload.get("reason")})], settle=True
        )
    raise UnknownPayloadError(f"not a Copilot hook event we capture: {event_name!r}")


def _tool(payload: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """The tool's name, its arguments, and the key pairing its call with its result (Copilot's payloads
    carry no call id: the same tool with the same arguments)."""
    name = text_of(payload, "toolName")
    raw = payload.get("toolArgs")
    text = raw if isinstance(raw, str) else repr(raw)
    return name, arguments(raw), f"{name}:{zlib.crc32(text.encode())}:{len(text)}"


def _edited_path(name: str, tool_args: dict[str, Any]) -> str | None:
    if name not in EDIT_TOOLS | CREATE_TOOLS:
        return None
    path = tool_args.get("path") or tool_args.get("file_path")
    return path if isinstance(path, str) else None


def _after_tool(payload: dict[str, Any], context: Context) -> Capture:
    name, tool_args, key = _tool(payload)
    result = payload.get("toolResult")
    result_type = result.get("resultType") if isinstance(result, dict) else None
    succeeded = result_type in (None, "success")
    data = {"name": name, "input": input_summary(tool_args, context), "success": succeeded}
    if result_type is not None:
        data["result"] = result_type
    found = Capture(finish=(key, context.event("tool_call", data)))
    path = _edited_path(name, tool_args)
    if path is not None and succeeded:
        if name in CREATE_TOOLS:
            lines = written_lines(str(tool_args.get("file_text") or tool_args.get("content") or ""), None)
        else:
            lines = changed_lines(
                str(tool_args.get("old_str") or tool_args.get("old_string") or ""),
                str(tool_args.get("new_str") or tool_args.get("new_string") or ""),
            )
        found.events.append(file_change(context, path, lines))
        found.touched.append(context.path(path))
    if name in SHELL_TOOLS and isinstance(tool_args.get("command"), str):
        command = {"command": bounded(tool_args["command"]), "author": "ai", "success": succeeded}
        found.events.append(context.event("command", command))
    return found
