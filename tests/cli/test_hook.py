"""``promptster hook TOOL`` as the AI tools run it: it always exits 0, prints nothing but what the
tool's protocol requires, spools what the payload means, and logs what it cannot record."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import a_workspace, run_hook, settled, spooled


def errors(root: Path) -> str:
    log = root / ".promptster" / "errors.log"
    return log.read_text() if log.exists() else ""


def test_a_prompt_is_spooled_while_the_api_is_down_and_nothing_is_printed(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")  # its API: a closed port

    result = run_hook("claude-code", "user-prompt-submit", root)

    assert (result.returncode, result.stdout) == (0, b"")
    settled(root)
    [event] = spooled(root)
    assert (event["type"], event["tool"], event["source"]) == ("prompt", "claude-code", "hook")
    assert "sk-ant-" not in event["data"]["text"]


def test_cursor_is_answered_continue_and_nothing_else(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    prompt = run_hook("cursor", "before-submit-prompt", root)
    edit = run_hook("cursor", "after-file-edit", root)

    assert (prompt.returncode, prompt.stdout) == (0, b'{"continue": true}\n')
    assert (edit.returncode, edit.stdout) == (0, b"")
    settled(root)


def test_a_garbage_payload_exits_0_prints_nothing_and_is_logged(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    result = run_hook("claude-code", "", root, body=b"\x00not json{")

    assert (result.returncode, result.stdout) == (0, b"")
    assert "not a JSON object" in errors(root)
    assert not (root / ".promptster" / "spool.db").exists()


def test_an_unknown_event_or_tool_is_ignored_and_logged(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")
    body = json.dumps({"hook_event_name": "Notification", "cwd": str(root), "message": "hi"}).encode()

    unknown_event = run_hook("claude-code", "", root, body=body)
    unknown_tool = run_hook("windsurf", "", root, body=body)

    assert (unknown_event.returncode, unknown_event.stdout) == (0, b"")
    assert (unknown_tool.returncode, unknown_tool.stdout) == (0, b"")
    assert "ignored: not a Claude Code hook event we capture: 'Notification'" in errors(root)
    assert "unknown tool 'windsurf'" in errors(root)


def test_an_unwritable_spool_exits_0_prints_only_the_answer_and_is_logged(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")
    (root / ".promptster" / "spool.db").mkdir()  # unwritable for anyone, root included

    claude = run_hook("claude-code", "user-prompt-submit", root)
    cursor = run_hook("cursor", "before-submit-prompt", root)

    assert (claude.returncode, claude.stdout) == (0, b"")
    assert (cursor.returncode, cursor.stdout) == (0, b'{"continue": true}\n')
    assert errors(root).count("OperationalError") == 2


def test_outside_a_workspace_the_hook_does_nothing(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()

    result = run_hook("claude-code", "user-prompt-submit", tmp_path / "elsewhere")

    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert not (tmp_path / "elsewhere" / ".promptster").exists()


def test_after_submission_nothing_more_is_recorded(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work", submittedAt="2026-04-01T11:00:00Z")

    run_hook("claude-code", "user-prompt-submit", root)

    assert not (root / ".promptster" / "spool.db").exists()


def test_a_tool_call_takes_the_time_of_its_start_and_a_turn_settles_calls_without_a_result(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    for name in ("pre-tool-use-bash", "pre-tool-use-read", "post-tool-use-bash", "stop"):
        assert run_hook("claude-code", name, root).returncode == 0

    settled(root)
    calls = [event for event in spooled(root) if event["type"] == "tool_call"]
    assert [(call["data"]["name"], call["data"]["success"]) for call in calls] == [("Bash", True), ("Read", False)]
    assert calls[0]["data"]["durationMs"] >= 0
    assert calls[1]["data"]["result"] == "no result reported"
    assert [event["type"] for event in spooled(root)] == ["tool_call", "command", "tool_call", "response"]
