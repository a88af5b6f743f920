"""A candidate's whole session through the installed ``promptster``, against the local server: start
with a key, the AI tools' hooks fed their recorded payloads, a failing and a passing test run, a
decision, a hand edit, submit; then the reviewer's timeline and signals."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

from tests.cli.conftest import ServedApi, promptster, run_hook, settled, spooled

HANDLER = "def handle(event):\n    store(event)\n"


def a_repository(root: Path) -> Path:
    """The candidate's starting point: a repository with the handler to change."""
    (root / "app").mkdir(parents=True)
    (root / "app" / "handler.py").write_text(HANDLER)
    (root / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    return root


def write(root: Path, name: str, text: str) -> None:
    """A file written as the assistant writes it: once no background flush is looking."""
    settled(root)
    (root / name).write_text(text)


def test_a_session_from_start_to_submit_shows_every_event_once_with_its_author(
    served: ServedApi, tmp_path: Path
) -> None:
    key = served.key(title="Webhook Deduplication")
    root = a_repository(tmp_path / "work")

    started = promptster("start", key, "--api", served.url, "--dir", str(root), cwd=tmp_path)
    again = promptster("start", key, "--dir", str(root), cwd=tmp_path)

    assert started.returncode == 0, started.stderr
    assert "Started: Webhook Deduplication (Senior Backend Engineer)" in started.stdout
    assert key not in started.stdout
    assert key[:8] + "••••" in started.stdout
    assert "file contents excepted" in started.stdout
    assert (again.returncode, again.stdout.splitlines()[0]) == (
        0,
        "Resumed: Webhook Deduplication (Senior Backend Engineer)",
    )
    state_file = root / ".promptster" / "state.json"
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((root / ".promptster").stat().st_mode) == 0o700
    assert "/.promptster/" in (root / ".git" / "info" / "exclude").read_text()
    claude = json.loads((root / ".claude" / "settings.local.json").read_text())
    assert {event: len(groups) for event, groups in claude["hooks"].items()} == {
        "SessionStart": 1,
        "UserPromptSubmit": 1,
        "PreToolUse": 1,
        "PostToolUse": 1,
        "Stop": 1,
        "SessionEnd": 1,
    }
    session_id = json.loads(state_file.read_text())["sessionId"]

    # Claude Code edits the handler, writes a module, runs the tests.
    for name in ("session-start", "user-prompt-submit", "pre-tool-use-edit"):
        assert run_hook("claude-code", name, root).returncode == 0
    (root / "app" / "handler.py").write_text(
        "def handle(event):\n    if seen(event.id):\n        return\n    store(event)\n"
    )
    run_hook("claude-code", "post-tool-use-edit", root)
    write(root, "app/dedup.py", "SEEN = set()\n\n\ndef seen(event_id):\n    return event_id in SEEN\n")
    for name in ("post-tool-use-write", "pre-tool-use-bash", "post-tool-use-bash", "stop"):
        run_hook("claude-code", name, root)
    # Cursor edits the retry module and runs a command.
    run_hook("cursor", "before-submit-prompt", root)
    write(root, "app/retry.py", "DELAY = 0.5\nMAX_DELAY = 30\n")
    for name in ("after-file-edit", "after-shell-execution", "stop"):
        run_hook("cursor", name, root)
    # Copilot writes the queue consumer.
    run_hook("copilot", "user-prompt-submitted", root)
    run_hook("copilot", "pre-tool-use-edit", root)
    (root / "app" / "queue.py").write_text("def consume():\n    for message in receive():\n        handle(message)\n")
    for name in ("post-tool-use-edit", "pre-tool-use-bash", "post-tool-use-bash", "session-end"):
        run_hook("copilot", name, root)
    # The candidate by hand: notes, two tests, run each, one decision.
    (root / "notes.md").write_text("Dedup is by event id.\n")
    (root / "test_fail.py").write_text("def test_fails():\n    assert 1 == 2\n")
    (root / "test_pass.py").write_text("def test_passes():\n    assert 1 == 1\n")
    pytest = [os.environ.get("PYTHON", "python3"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    failing = promptster("run", "--", *pytest, "test_fail.py", cwd=root)
    passing = promptster("run", "--", *pytest, "test_pass.py", cwd=root)
    decided = promptster(
        "decision", "Deduplicate by event id", "--why", "ids are the client's", "--impact", "4", cwd=root
    )
    status = promptster("status", "--json", cwd=root)
    submitted = promptster("submit", "--notes", "Done", "--url", "https://github.com/ada/webhooks/pull/1", cwd=root)

    assert (failing.returncode, passing.returncode, decided.returncode) == (1, 0, 0), failing.stderr
    assert "1 failed" in failing.stdout
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["api"]["reachable"] is True
    assert json.loads(status.stdout)["tools"]["installed"] == [
        "Claude Code",
        "Cursor",
        "GitHub Copilot",
        "MCP (Claude Code)",
        "MCP (Cursor)",
    ]
    assert submitted.returncode == 0, submitted.stderr
    assert submitted.stdout.startswith("Handed in at ")

    settled(root)
    captured = spooled(root)
    timeline = served.timeline(session_id)
    assert sorted(event["id"] for event in timeline) == sorted(event["id"] for event in captured)
    assert len({event["id"] for event in timeline}) == len(timeline)
    assert all(event["receivedAt"] for event in timeline)
    changes = [
        event["data"] for event in timeline if event["type"] == "file_change" and not event["data"].get("summary")
    ]
    assert {change["path"] for change in changes if change["author"] == "ai"} == {
        "app/handler.py",
        "app/dedup.py",
        "app/retry.py",
        "app/queue.py",
    }
    assert sorted(change["path"] for change in changes if change["author"] == "human") == [
        "notes.md",
        "test_fail.py",
        "test_pass.py",
    ]
    [summary] = [event["data"] for event in timeline if event["data"].get("summary")]
    assert (summary["files"], summary["author"]) == (7, "ai")
    tests = [event["data"] for event in timeline if event["type"] == "test_run"]
    assert [(test["passed"], test["runner"], test["counts"]) for test in tests] == [
        (False, "pytest", {"passed": 0, "failed": 1}),
        (True, "pytest", {"passed": 1, "failed": 0}),
    ]
    prompts = [event["data"]["text"] for event in timeline if event["type"] == "prompt"]
    assert len(prompts) == 3
    assert not any("sk-ant-" in text or "AKIA" in text or "eyJhbG" in text for text in prompts)
    reviewed = served.session(session_id)
    assert reviewed["status"] == "completed"
    assert reviewed["tools"] == ["claude-code", "cli", "copilot", "cursor"]
    assert reviewed["signals"]["eventCount"] == len(timeline)
    assert (reviewed["signals"]["testRunCount"], reviewed["signals"]["testPassCount"]) == (2, 1)
    assert reviewed["signals"]["decisionCount"] == 1
    assert reviewed["signals"]["promptCount"] == 3
    assert reviewed["signals"]["aiAttributionPct"] == 57.14  # 4 files by the assistants, 3 by hand


def test_a_revoked_key_is_one_line_naming_the_reason_and_the_key_is_never_shown_whole(
    served: ServedApi, tmp_path: Path
) -> None:
    key = served.key()
    assessment_id = served.api.request("GET", "/v1/assessments?limit=100", served.token).body["assessments"][-1]["id"]
    [listed] = [
        found
        for found in served.api.request("GET", f"/v1/assessments/{assessment_id}/keys", served.token).body["keys"]
        if found["key"] == key
    ]
    served.api.request("DELETE", f"/v1/assessments/{assessment_id}/keys/{listed['id']}", served.token)

    started = promptster(
        "start",
        "--dir",
        str(tmp_path / "work"),
        cwd=tmp_path,
        env={"PROMPTSTER_KEY": key, "PROMPTSTER_API_URL": served.url},
    )

    assert started.returncode == 1
    assert started.stderr.startswith("promptster: key_revoked: ")
    assert len(started.stderr.strip().splitlines()) == 1
    assert key not in started.stdout + started.stderr
    assert not (tmp_path / "work").exists()


def test_start_without_an_api_url_is_a_usage_error(tmp_path: Path) -> None:
    started = promptster("start", "PST-AB12-CD34", cwd=tmp_path, env={"PROMPTSTER_API_URL": ""})

    assert started.returncode == 2
    assert started.stderr.startswith("promptster: no API URL: pass --api URL")
