"""Capture installs in the workspace only, merges with the candidate's own configuration, and installs
nothing twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from promptster_cli.capture import install, installed

PROMPTSTER = "/opt/tools/bin/promptster"


def test_every_tool_is_captured_in_the_workspace_running_promptster_by_its_absolute_path(tmp_path: Path) -> None:
    found = install(str(tmp_path), PROMPTSTER)

    assert [(item.tool, item.ok) for item in found] == [
        ("Claude Code", True),
        ("Cursor", True),
        ("GitHub Copilot", True),
        ("MCP (Claude Code)", True),
        ("MCP (Cursor)", True),
    ]
    claude = json.loads((tmp_path / ".claude" / "settings.local.json").read_text())
    assert claude["hooks"]["PreToolUse"] == [
        {"matcher": "*", "hooks": [{"type": "command", "command": f"{PROMPTSTER} hook claude-code", "timeout": 10}]}
    ]
    cursor = json.loads((tmp_path / ".cursor" / "hooks.json").read_text())
    assert sorted(cursor["hooks"]) == ["afterFileEdit", "afterShellExecution", "beforeSubmitPrompt", "stop"]
    copilot = json.loads((tmp_path / ".github" / "hooks" / "promptster.json").read_text())
    assert copilot["hooks"]["preToolUse"][0]["bash"] == f"{PROMPTSTER} hook copilot preToolUse"
    mcp = json.loads((tmp_path / ".mcp.json").read_text())
    assert mcp["mcpServers"]["promptster"] == {"command": PROMPTSTER, "args": ["mcp", "--workspace", str(tmp_path)]}


def test_the_candidates_own_settings_are_kept_and_a_second_install_changes_nothing(tmp_path: Path) -> None:
    own: dict[str, Any] = {
        "permissions": {"allow": ["Bash(npm test)"]},
        "hooks": {"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "prettier --write"}]}]},
    }
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.local.json").write_text(json.dumps(own))
    (tmp_path / ".mcp.json").write_text(json.dumps({"mcpServers": {"db": {"command": "db-mcp"}}}))

    install(str(tmp_path), PROMPTSTER)
    first = {path: path.read_text() for path in tmp_path.rglob("*.json")}
    install(str(tmp_path), PROMPTSTER)

    assert {path: path.read_text() for path in tmp_path.rglob("*.json")} == first
    claude = json.loads((tmp_path / ".claude" / "settings.local.json").read_text())
    assert claude["permissions"] == own["permissions"]
    assert claude["hooks"]["PostToolUse"][0] == own["hooks"]["PostToolUse"][0]
    assert len(claude["hooks"]["PostToolUse"]) == 2
    assert set(json.loads((tmp_path / ".mcp.json").read_text())["mcpServers"]) == {"db", "promptster"}


def test_a_moved_promptster_moves_its_hooks_without_adding_any(tmp_path: Path) -> None:
    install(str(tmp_path), PROMPTSTER)

    install(str(tmp_path), "/home/ada/.local/bin/promptster")

    claude = json.loads((tmp_path / ".claude" / "settings.local.json").read_text())
    assert [group["hooks"][0]["command"] for group in claude["hooks"]["Stop"]] == [
        "/home/ada/.local/bin/promptster hook claude-code"
    ]


def test_a_file_that_is_not_json_is_left_alone_and_reported(tmp_path: Path) -> None:
    (tmp_path / ".cursor").mkdir()
    (tmp_path / ".cursor" / "hooks.json").write_text("{ not json")

    found = {item.tool: item for item in install(str(tmp_path), PROMPTSTER)}

    assert not found["Cursor"].ok
    assert found["Cursor"].problem == ".cursor/hooks.json is not a JSON object; left as it is"
    assert (tmp_path / ".cursor" / "hooks.json").read_text() == "{ not json"
    assert [item.tool for item in installed(str(tmp_path)) if not item.ok] == ["Cursor"]
