"""``promptster run``: test runners recognised from the command line, and the counts each one's
output gives. The outputs under outputs/ are real runs of each runner on three tests (one passing, one
failing, one skipped), Maven's and Gradle's in their documented closing format."""

from __future__ import annotations

from pathlib import Path

import pytest
from promptster_cli.runner import counts_of, runner_of

from tests.cli.conftest import a_workspace, promptster, settled, spooled

OUTPUTS = Path(__file__).with_name("outputs")


@pytest.mark.parametrize(
    ("argv", "runner"),
    [
        (["pytest", "-q"], "pytest"),
        (["/usr/bin/python3.12", "-m", "pytest", "tests"], "pytest"),
        (["python", "-m", "unittest", "discover"], "unittest"),
        (["npm", "test"], "npm"),
        (["yarn", "test"], "yarn"),
        (["pnpm", "run", "test"], "pnpm"),
        (["npx", "jest", "--ci"], "jest"),
        (["vitest", "run"], "vitest"),
        (["go", "test", "./..."], "go"),
        (["cargo", "test"], "cargo"),
        (["mvn", "-q", "test"], "maven"),
        (["./gradlew", ":app:test"], "gradle"),
        (["npm", "install"], None),
        (["make", "lint"], None),
        ([], None),
    ],
)
def test_a_test_runner_is_recognised_from_its_command(argv: list[str], runner: str | None) -> None:
    assert runner_of(argv) == runner


@pytest.mark.parametrize(
    ("sample", "counts"),
    [
        ("pytest.txt", {"passed": 2, "failed": 3, "skipped": 2}),
        ("pytest-quiet.txt", {"passed": 2, "failed": 3, "skipped": 2}),
        ("unittest.txt", {"passed": 1, "failed": 1, "errors": 1, "skipped": 1, "total": 4}),
        ("jest.txt", {"passed": 1, "failed": 1, "skipped": 1, "total": 3}),
        ("vitest.txt", {"passed": 1, "failed": 1, "skipped": 1, "total": 3}),
        ("node.txt", {"passed": 1, "failed": 1, "skipped": 1, "total": 3}),
        ("go-verbose.txt", {"passed": 1, "failed": 1, "skipped": 1}),
        ("go.txt", {"packagesPassed": 0, "packagesFailed": 1, "failed": 1}),
        ("cargo.txt", {"passed": 1, "failed": 1, "skipped": 1}),
        ("maven.txt", {"passed": 1, "failed": 1, "errors": 0, "skipped": 1, "total": 3}),
        ("gradle.txt", {"passed": 1, "failed": 1, "skipped": 1, "total": 3}),
    ],
)
def test_each_runners_summary_gives_its_counts(sample: str, counts: dict[str, int]) -> None:
    assert counts_of((OUTPUTS / sample).read_text()) == counts


def test_output_without_a_summary_gives_no_counts() -> None:
    assert counts_of("Compiling...\nDone.\n") == {}


def test_run_shows_the_output_exits_with_the_commands_status_and_records_it(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    ran = promptster("run", "--test", "--", "sh", "-c", "echo out; echo err >&2; exit 3", cwd=root)

    assert (ran.returncode, ran.stdout, ran.stderr) == (3, "out\n", "err\n")
    settled(root)
    command, test_run = spooled(root)
    assert command["type"] == "command"
    assert command["data"]["argv"] == ["sh", "-c", "echo out; echo err >&2; exit 3"]
    assert (command["data"]["exitCode"], command["data"]["author"]) == (3, "human")
    assert (test_run["type"], test_run["data"]["passed"], test_run["data"]["runner"]) == ("test_run", False, "other")


def test_run_outside_a_workspace_runs_and_says_it_was_not_recorded(tmp_path: Path) -> None:
    ran = promptster("run", "--", "true", cwd=tmp_path)

    assert ran.returncode == 0
    assert "not recorded" in ran.stderr


def test_run_of_a_missing_command_says_so(tmp_path: Path) -> None:
    ran = promptster("run", "--", "no-such-command-here", cwd=tmp_path)

    assert ran.returncode == 127
    assert ran.stderr.startswith("promptster: command_not_found: no-such-command-here")
