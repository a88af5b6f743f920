"""``promptster hook TOOL [EVENT]``: an AI tool's hook. It reads the tool's payload (JSON on standard
input), turns it into events, spools them and returns at once, always with exit status 0: a hook must
never block or change the candidate's tool. Standard output carries only what the tool's protocol
requires to go on unchanged (Cursor's ``{"continue": true}``), whatever happens; failures go to
``.promptster/errors.log``. Sending happens in a background flush."""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from typing import Any

from promptster_cli.tools import TOOL_MODULES, Capture, Context, UnknownPayloadError
from promptster_cli.workspace import Workspace, find_workspace

MAX_PAYLOAD_BYTES = 8 * 1024 * 1024


def run_hook(args: list[str]) -> int:
    """Handle one hook call: ``args`` are the tool's name and, for tools whose payloads do not name
    their event, the event's. Always 0."""
    tool = args[0] if args else ""
    workspace: Workspace | None = None
    try:
        raw = sys.stdin.buffer.read(MAX_PAYLOAD_BYTES)
        payload = _payload(raw, args[1] if len(args) > 1 else None)
        module = importlib.import_module(f"promptster_cli.tools.{TOOL_MODULES[tool]}") if tool in TOOL_MODULES else None
        if module is not None and payload is not None:
            answer = module.answer(payload)
            if answer is not None:
                sys.stdout.write(answer + "\n")
                sys.stdout.flush()
        workspace = find_workspace(_starts(payload))
        if workspace is None:
            return 0  # not in a session's workspace: nothing to record, nowhere to say so
        if module is None:
            workspace.log_error(f"hook: unknown tool {tool!r}; the tools are {', '.join(TOOL_MODULES)}")
            return 0
        if payload is None:
            workspace.log_error(f"hook {tool}: the payload is not a JSON object: {raw[:200]!r}")
            return 0
        state = workspace.read_state()
        if state is None or state.get("submittedAt"):
            return 0  # handed in: nothing more is recorded
        context = Context(root=workspace.root, tool=tool, clock_offset_ms=int(state.get("clockOffsetMs") or 0))
        _spool(workspace, module.capture(payload, context))
    except UnknownPayloadError as unknown:
        if workspace is not None:
            workspace.log_error(f"hook {tool}: ignored: {unknown}")
    except Exception as error:
        if workspace is not None:
            workspace.log_error(f"hook {tool}: {type(error).__name__}: {error}")
    return 0


def _payload(raw: bytes, event_name: str | None) -> dict[str, Any] | None:
    """The payload as an object (None when it is not one); an event name given as an argument fills
    in for a payload that names none."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    if event_name and "hook_event_name" not in payload:
        payload.setdefault("hookEventName", event_name)
    return payload


def _starts(payload: dict[str, Any] | None) -> list[str]:
    """Where to look for the workspace: the directories the payload names, then the process's own."""
    starts: list[str] = []
    if payload is not None:
        roots = payload.get("workspace_roots")
        if isinstance(roots, list):
            starts += [root for root in roots if isinstance(root, str)]
        if isinstance(payload.get("cwd"), str):
            starts.append(payload["cwd"])
    starts.append(os.environ.get("CLAUDE_PROJECT_DIR", ""))
    starts.append(os.getcwd())
    return starts


def _spool(workspace: Workspace, capture: Capture) -> None:
    """Spool what one payload came to: a held call's result takes its time and id from the call."""
    from promptster_cli.record import record  # noqa: PLC0415 - only once a payload is worth recording
    from promptster_cli.spool import Spool  # noqa: PLC0415

    events = list(capture.events)
    if capture.hold is not None or capture.finish is not None or capture.settle:
        spool = Spool(workspace.spool_file)
        try:
            if capture.hold is not None:
                spool.hold(*capture.hold)
            if capture.finish is not None:
                key, finished = capture.finish
                held = spool.release(key)
                if held is not None:
                    call, held_at = held
                    data = {**finished["data"], "durationMs": int((time.time() - held_at) * 1000)}
                    finished = {**finished, "id": call["id"], "at": call["at"], "data": data}
                events.insert(0, finished)
            if capture.settle:
                unfinished = spool.release_all()
                events[:0] = [
                    {**call, "data": {**call["data"], "success": False, "result": "no result reported"}}
                    for call in unfinished
                ]
        finally:
            spool.close()
    if events or capture.touched:
        record(workspace, events, capture.touched)
