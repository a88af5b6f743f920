"""Cursor's hooks (``.cursor/hooks.json``, version 1): every payload names its ``hook_event_name`` and
carries ``conversation_id``, ``generation_id`` and ``workspace_roots``. beforeSubmitPrompt has the
``prompt`` and must be answered ``{"continue": true}`` to go on; afterFileEdit the ``file_path`` and its
``edits`` (``old_string``/``new_string``); afterShellExecution the ``command``, its ``output`` and
``duration`` (ms); stop ends the agent loop (``status``, ``loop_count``).

beforeShellExecution is deliberately not captured: it must be answered with a permission, and
``allow`` would skip the approval the candidate's own settings ask for; afterShellExecution records the
same command once it ran."""

from __future__ import annotations

from typing import Any

from promptster_cli.events import bounded
from promptster_cli.tools import Capture, Context, UnknownPayloadError, edits_lines, file_change, text_of

# What Cursor needs on standard output to go on, by event; every other event needs nothing.
ANSWERS = {"beforeSubmitPrompt": '{"continue": true}'}


def answer(payload: dict[str, Any]) -> str | None:
    """The answer Cursor's protocol requires for this payload to go on unchanged, if any."""
    return ANSWERS.get(str(payload.get("hook_event_name")))


def capture(payload: dict[str, Any], context: Context) -> Capture:
    """The events one Cursor hook payload comes to."""
    event_name = payload.get("hook_event_name")
    if event_name == "beforeSubmitPrompt":
        return Capture(events=[context.event("prompt", {"text": bounded(text_of(payload, "prompt"))})])
    if event_name == "afterFileEdit":
        path = text_of(payload, "file_path")
        relative = context.path(path)
        call = context.event("tool_call", {"name": "Edit", "input": {"path": relative}, "success": True})
        change = file_change(context, path, edits_lines(payload.get("edits")))
        return Capture(events=[call, change], touched=[relative])
    if event_name == "afterShellExecution":
        command = bounded(text_of(payload, "command"))
        data: dict[str, Any] = {"command": command, "author": "ai"}
        if isinstance(payload.get("duration"), int | float):
            data["durationMs"] = payload["duration"]
        call = context.event("tool_call", {"name": "Shell", "input": {"command": command}})
        return Capture(events=[call, context.event("command", data)])
    if event_name == "stop":
        data = {"endOfTurn": True, "status": payload.get("status"), "loopCount": payload.get("loop_count")}
        return Capture(events=[context.event("response", data)])
    raise UnknownPayloadError(f"not a Cursor hook event we capture: {event_name!r}")
