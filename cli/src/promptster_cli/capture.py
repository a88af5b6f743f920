"""Capture as ``start`` installs it, in the workspace only (never the candidate's global settings):
hooks for Claude Code, Cursor and GitHub Copilot, and the MCP server for Claude Code and Cursor. Files
that exist are merged, keeping the candidate's own content; installing again changes nothing; a file
that is not valid JSON is left alone and its tool reported as not captured. Each hook runs this very
``promptster`` by its absolute path, so it works whatever PATH the AI tool has."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CLAUDE_EVENTS = ("SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "SessionEnd")
CLAUDE_TOOL_EVENTS = ("PreToolUse", "PostToolUse")  # the ones that take a matcher: every tool
CURSOR_EVENTS = ("beforeSubmitPrompt", "afterFileEdit", "afterShellExecution", "stop")
COPILOT_EVENTS = ("userPromptSubmitted", "preToolUse", "postToolUse", "sessionEnd")
HOOK_TIMEOUT_SECONDS = 10
MCP_SERVER_NAME = "promptster"

# The files capture writes, which the workspace's git never sees (``.git/info/exclude``).
CAPTURE_FILES = (
    ".claude/settings.local.json",
    ".cursor/hooks.json",
    ".cursor/mcp.json",
    ".github/hooks/promptster.json",
    ".mcp.json",
)


@dataclass(frozen=True)
class Installed:
    """One tool's capture: its name, the file holding it, and whether it is in place."""

    tool: str
    file: str
    ok: bool
    problem: str | None = None


def install(root: str, executable: str) -> list[Installed]:
    """Install every tool's capture in the workspace ``root`` (again: nothing changes)."""
    command = shlex.quote(executable)
    return [
        _merge(root, ".claude/settings.local.json", "Claude Code", lambda config: _claude(config, command)),
        _merge(root, ".cursor/hooks.json", "Cursor", lambda config: _cursor(config, command)),
        _merge(root, ".github/hooks/promptster.json", "GitHub Copilot", lambda config: _copilot(config, command)),
        _merge(root, ".mcp.json", "MCP (Claude Code)", lambda config: _mcp(config, executable, root)),
        _merge(root, ".cursor/mcp.json", "MCP (Cursor)", lambda config: _mcp(config, executable, root)),
    ]


def installed(root: str) -> list[Installed]:
    """Which tools' capture is in place in the workspace ``root`` now."""
    checks: list[tuple[str, str, Callable[[dict[str, Any]], bool]]] = [
        ("Claude Code", ".claude/settings.local.json", lambda config: _has_hooks(config, "claude-code")),
        ("Cursor", ".cursor/hooks.json", lambda config: _has_hooks(config, "cursor")),
        ("GitHub Copilot", ".github/hooks/promptster.json", lambda config: _has_hooks(config, "copilot")),
        ("MCP (Claude Code)", ".mcp.json", lambda config: MCP_SERVER_NAME in config.get("mcpServers", {})),
        ("MCP (Cursor)", ".cursor/mcp.json", lambda config: MCP_SERVER_NAME in config.get("mcpServers", {})),
    ]
    found = []
    for tool, name, check in checks:
        config = _read(os.path.join(root, name))
        found.append(Installed(tool, name, isinstance(config, dict) and check(config)))
    return found


def _read(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None


def _merge(root: str, name: str, tool: str, change: Callable[[dict[str, Any]], None]) -> Installed:
    """Apply ``change`` to the JSON file ``name`` (created if missing), writing only if it changed."""
    path = os.path.join(root, name)
    config = _read(path)
    if not isinstance(config, dict):
        return Installed(tool, name, ok=False, problem=f"{name} is not a JSON object; left as it is")
    before = json.dumps(config, sort_keys=True)
    change(config)
    if json.dumps(config, sort_keys=True) != before:
        os.makedirs(os.path.dirname(path) or root, exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            json.dump(config, file, indent=2)
            file.write("\n")
    return Installed(tool, name, ok=True)


def _ours(command: Any, tool: str) -> bool:
    """Whether a hook command is promptster's for ``tool`` (whichever path it ran promptster by)."""
    return isinstance(command, str) and f"hook {tool}" in command and "promptster" in command


def _has_hooks(config: dict[str, Any], tool: str) -> bool:
    return any(_ours(json.dumps(entries), tool) for entries in (config.get("hooks") or {}).values())


def _claude(config: dict[str, Any], command: str) -> None:
    hooks = config.setdefault("hooks", {})
    for event in CLAUDE_EVENTS:
        groups = hooks.setdefault(event, [])
        ours = {"type": "command", "command": f"{command} hook claude-code", "timeout": HOOK_TIMEOUT_SECONDS}
        mine = [
            hook
            for group in groups
            if isinstance(group, dict)
            for hook in group.get("hooks", [])
            if isinstance(hook, dict) and _ours(hook.get("command"), "claude-code")
        ]
        if mine:
            mine[0].update(ours)  # promptster moved (a reinstall): the hook follows it
            continue
        group: dict[str, Any] = {"hooks": [ours]}
        if event in CLAUDE_TOOL_EVENTS:
            group = {"matcher": "*", **group}
        groups.append(group)


def _cursor(config: dict[str, Any], command: str) -> None:
    config.setdefault("version", 1)
    hooks = config.setdefault("hooks", {})
    for event in CURSOR_EVENTS:
        entries = hooks.setdefault(event, [])
        ours = {"command": f"{command} hook cursor"}
        mine = [entry for entry in entries if isinstance(entry, dict) and _ours(entry.get("command"), "cursor")]
        if mine:
            mine[0].update(ours)
        else:
            entries.append(ours)


def _copilot(config: dict[str, Any], command: str) -> None:
    config.setdefault("version", 1)
    hooks = config.setdefault("hooks", {})
    for event in COPILOT_EVENTS:
        # Copilot's payloads do not name their event: each command passes it.
        hooks[event] = [
            {"type": "command", "bash": f"{command} hook copilot {event}", "timeoutSec": HOOK_TIMEOUT_SECONDS}
        ]


def _mcp(config: dict[str, Any], executable: str, root: str) -> None:
    servers = config.setdefault("mcpServers", {})
    servers[MCP_SERVER_NAME] = {"command": executable, "args": ["mcp", "--workspace", root]}
