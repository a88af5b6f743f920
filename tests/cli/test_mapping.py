"""Each AI tool's recorded hook payloads, in its documented format, come to the right events of the
API; a payload of another shape is refused by its mapper (the hook logs and ignores it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from promptster_cli.tools import Capture, Context, UnknownPayloadError, claude_code, copilot, cursor

from tests.cli.conftest import COPILOT_EVENTS, payload

ROOT = Path("/home/ada/webhooks")


def captured(module: Any, tool: str, name: str) -> Capture:
    found = payload(tool, name, ROOT)
    if tool == "copilot":
        found["hookEventName"] = COPILOT_EVENTS[name]
    mapped: Capture = module.capture(found, Context(root=str(ROOT), tool=tool))
    return mapped


def shapes(capture: Capture) -> list[tuple[str, dict[str, Any]]]:
    return [(event["type"], event["data"]) for event in capture.events]


def test_every_event_has_a_uuid_a_utc_time_to_the_millisecond_its_source_and_tool() -> None:
    [event] = captured(claude_code, "claude-code", "user-prompt-submit").events

    assert len(event["id"]) == 36
    assert event["id"][14] == "4"
    assert event["at"].endswith("Z")
    assert len(event["at"]) == len("2026-04-01T10:00:00.250Z")
    assert (event["source"], event["tool"]) == ("hook", "claude-code")


def test_a_claude_code_prompt_is_a_prompt_with_its_text() -> None:
    [(kind, data)] = shapes(captured(claude_code, "claude-code", "user-prompt-submit"))

    assert kind == "prompt"
    assert data["text"].startswith("Add deduplication by event id to the webhook handler")


def test_a_claude_code_tool_call_is_held_until_its_result_and_its_edit_noted_before() -> None:
    before = captured(claude_code, "claude-code", "pre-tool-use-edit")
    after = captured(claude_code, "claude-code", "post-tool-use-edit")

    assert before.events == []
    assert before.touched == ["app/handler.py"]
    assert before.hold is not None
    assert before.hold[0] == "toolu_01ABC"
    assert before.hold[1]["data"] == {"name": "Edit", "input": {"file_path": "app/handler.py"}}
    assert after.finish is not None
    assert after.finish[0] == "toolu_01ABC"
    assert after.finish[1]["data"]["success"] is True
    assert shapes(after) == [
        ("file_change", {"author": "ai", "path": "app/handler.py", "linesAdded": 2, "linesRemoved": 0})
    ]


def test_a_written_file_counts_its_lines_and_never_carries_its_content() -> None:
    after = captured(claude_code, "claude-code", "post-tool-use-write")

    assert shapes(after) == [
        ("file_change", {"author": "ai", "path": "app/dedup.py", "linesAdded": 5, "linesRemoved": 0})
    ]
    assert after.finish is not None
    assert "content" not in after.finish[1]["data"]["input"]


def test_a_claude_code_shell_command_is_a_tool_call_and_a_command() -> None:
    after = captured(claude_code, "claude-code", "post-tool-use-bash")

    assert after.finish is not None
    assert after.finish[1]["data"]["input"]["command"] == "python -m pytest -q tests/test_handler.py"
    assert shapes(after) == [
        ("command", {"command": "python -m pytest -q tests/test_handler.py", "author": "ai", "success": True})
    ]


def test_the_end_of_a_claude_code_turn_is_a_response_settling_the_calls_held() -> None:
    stop = captured(claude_code, "claude-code", "stop")

    assert shapes(stop) == [("response", {"endOfTurn": True})]
    assert stop.settle


def test_a_claude_code_session_start_and_end_are_notes() -> None:
    assert shapes(captured(claude_code, "claude-code", "session-start")) == [
        ("note", {"text": "Claude Code session started", "how": "startup"})
    ]
    assert shapes(captured(claude_code, "claude-code", "session-end")) == [
        ("note", {"text": "Claude Code session ended", "reason": "prompt_input_exit"})
    ]


def test_a_cursor_prompt_is_a_prompt_answered_continue() -> None:
    found = payload("cursor", "before-submit-prompt", ROOT)

    assert shapes(cursor.capture(found, Context(root=str(ROOT), tool="cursor")))[0][0] == "prompt"
    assert cursor.answer(found) == '{"continue": true}'


def test_a_cursor_file_edit_sums_its_edits_lines() -> None:
    assert shapes(captured(cursor, "cursor", "after-file-edit")) == [
        ("tool_call", {"name": "Edit", "input": {"path": "app/retry.py"}, "success": True}),
        ("file_change", {"author": "ai", "path": "app/retry.py", "linesAdded": 3, "linesRemoved": 2}),
    ]


def test_a_cursor_shell_command_keeps_its_duration_not_its_output() -> None:
    assert shapes(captured(cursor, "cursor", "after-shell-execution")) == [
        ("tool_call", {"name": "Shell", "input": {"command": "npm test -- retry"}}),
        ("command", {"command": "npm test -- retry", "author": "ai", "durationMs": 2150}),
    ]


def test_a_cursor_stop_is_a_response() -> None:
    assert shapes(captured(cursor, "cursor", "stop")) == [
        ("response", {"endOfTurn": True, "status": "completed", "loopCount": 0})
    ]
    assert cursor.answer(payload("cursor", "stop", ROOT)) is None


def test_copilot_events_map_their_json_text_arguments() -> None:
    prompt = captured(copilot, "copilot", "user-prompt-submitted")
    before = captured(copilot, "copilot", "pre-tool-use-edit")
    after = captured(copilot, "copilot", "post-tool-use-edit")
    failed = captured(copilot, "copilot", "post-tool-use-bash")
    ended = captured(copilot, "copilot", "session-end")

    assert shapes(prompt)[0][0] == "prompt"
    assert before.hold is not None
    assert after.finish is not None
    assert before.hold[0] == after.finish[0]
    assert before.touched == ["app/queue.py"]
    assert shapes(after) == [
        ("file_change", {"author": "ai", "path": "app/queue.py", "linesAdded": 2, "linesRemoved": 1})
    ]
    assert failed.finish is not None
    assert (failed.finish[1]["data"]["success"], failed.finish[1]["data"]["result"]) == (False, "failure")
    assert shapes(failed) == [
        ("command", {"command": "pytest -q tests/test_queue.py", "author": "ai", "success": False})
    ]
    assert shapes(ended) == [("response", {"endOfTurn": True, "reason": "complete"})]
    assert ended.settle


def test_a_path_outside_the_workspace_is_sent_as_its_last_part_only() -> None:
    found = payload("cursor", "after-file-edit", ROOT)
    found["file_path"] = "/home/ada/.ssh/config"

    change = cursor.capture(found, Context(root=str(ROOT), tool="cursor")).events[1]

    assert change["data"]["path"] == "…/config"


@pytest.mark.parametrize(
    ("module", "body"),
    [
        (claude_code, {"hook_event_name": "Notification", "message": "Claude needs your permission"}),
        (claude_code, {"hook_event_name": "UserPromptSubmit"}),
        (cursor, {"hook_event_name": "beforeReadFile", "file_path": "/x"}),
        (cursor, {"hook_event_name": "afterFileEdit", "file_path": 7}),
        (copilot, {"hookEventName": "errorOccurred", "error": {"message": "boom"}}),
        (copilot, {"hookEventName": "preToolUse"}),
    ],
)
def test_a_payload_the_tool_does_not_send_or_we_do_not_capture_is_refused(module: Any, body: dict[str, Any]) -> None:
    with pytest.raises(UnknownPayloadError):
        module.capture(body, Context(root=str(ROOT), tool="x"))


def test_a_laptop_clock_known_to_be_off_is_corrected_in_the_events_time() -> None:
    behind = Context(root=str(ROOT), tool="cursor", clock_offset_ms=-3_600_000).event("note", {})
    on_time = Context(root=str(ROOT), tool="cursor").event("note", {})

    shift = datetime.fromisoformat(on_time["at"]) - datetime.fromisoformat(behind["at"])
    assert 3599 < shift.total_seconds() < 3601
