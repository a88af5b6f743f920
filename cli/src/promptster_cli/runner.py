"""``promptster run -- CMD …``: the command runs with its output shown live (each stream passed through
as it comes, the last part kept), then it is recorded as a ``command`` (argv, exit status, duration)
and, for a test runner (or with ``--test``), as a ``test_run`` with ``passed`` and the counts the
runner printed."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Finished:
    """A command that ran: its exit status (128 + N for a signal N), how long, and its output's tail."""

    exit_status: int
    duration_ms: int
    tail: str


def run_live(argv: Sequence[str]) -> Finished:
    """Run ``argv``, its standard output and error passed through live; its output's tail kept."""
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603 - the candidate's own command
    assert process.stdout is not None
    assert process.stderr is not None
    tail = bytearray()
    sinks: dict[int, IO[bytes]] = {
        process.stdout.fileno(): sys.stdout.buffer,
        process.stderr.fileno(): sys.stderr.buffer,
    }
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        selector.register(process.stderr, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                sink = sinks[key.fd]
                sink.write(chunk)
                sink.flush()
                tail += chunk
                del tail[:-TAIL_BYTES]
    try:
        status = process.wait()
    except KeyboardInterrupt:
        status = process.wait()
    duration = int((time.monotonic() - started) * 1000)
    return Finished(128 - status if status < 0 else status, duration, tail.decode(errors="replace"))


# Test runners: recognised from the command line.


# Runners named by their command (``python -m NAME`` included), and the test subcommand some need.
_RUNNERS = {"pytest": "pytest", "py.test": "pytest", "unittest": "unittest", "jest": "jest", "vitest": "vitest"}
_SUBCOMMAND_RUNNERS = {
    "go": "go",
    "cargo": "cargo",
    "mvn": "maven",
    "mvnw": "maven",
    "gradle": "gradle",
    "gradlew": "gradle",
}
_PACKAGE_MANAGERS = frozenset({"npm", "yarn", "pnpm"})


def runner_of(argv: Sequence[str]) -> str | None:
    """The test runner ``argv`` runs, if it is one this recognises."""
    words = [os.path.basename(word) for word in argv]
    if words[:1] and words[0].startswith("python") and words[1:2] == ["-m"]:
        words = words[2:]
    if words[:1] == ["npx"]:
        words = words[1:]
    if not words:
        return None
    first, rest = words[0], words[1:]
    if first in _RUNNERS:
        return _RUNNERS[first]
    if first in _PACKAGE_MANAGERS and (rest[:1] == ["test"] or rest[:2] == ["run", "test"]):
        return first
    if first in _SUBCOMMAND_RUNNERS and any(word in ("test", "nextest") or word.endswith(":test") for word in rest):
        return _SUBCOMMAND_RUNNERS[first]
    return None


# Counts: each runner's summary lines, read from the end of its output.

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _count(pattern: str, text: str) -> int | None:
    """The last number ``pattern`` captures in ``text`` (``^`` at each line's start)."""
    found = re.findall(pattern, text, re.M)
    return int(found[-1]) if found else None


def counts_of(output: str) -> dict[str, int]:
    """The counts a test runner's summary gives (passed, failed, skipped, errors, total), whichever
    it prints; empty when none is recognised."""
    text = _ANSI.sub("", output)
    for parse in (_pytest, _jest, _vitest, _cargo, _maven, _unittest, _node, _go, _gradle, _mocha):
        counts = parse(text)
        if counts:
            return counts
    return {}


def _known(**counts: int | None) -> dict[str, int]:
    return {name: value for name, value in counts.items() if value is not None}


def _pytest(text: str) -> dict[str, int]:
    # The closing line, framed by = signs, or bare under -q: "1 failed, 2 passed in 0.12s".
    lines = re.findall(r"^=* ?(\d+ (?:passed|failed|errors?|skipped|deselected)\b.*) in [\d.]+s", text, re.M)
    if not lines:
        return {}
    line = lines[-1]
    return _known(
        passed=_count(r"(\d+) passed", line) or 0,
        failed=_count(r"(\d+) failed", line) or 0,
        skipped=_count(r"(\d+) skipped", line),
        errors=_count(r"(\d+) errors?\b", line),
    )


def _jest(text: str) -> dict[str, int]:
    return _summary_counts(text, r"^Tests:\s+(.*\d+ total)", total=r"(\d+) total")


def _vitest(text: str) -> dict[str, int]:
    return _summary_counts(text, r"^\s*Tests\s+(.*\(\d+\))", total=r"\((\d+)\)")


def _summary_counts(text: str, summary: str, *, total: str) -> dict[str, int]:
    """The counts of the last line ``summary`` finds, read as "N passed, N failed, N skipped" and ``total``."""
    lines = re.findall(summary, text, re.M)
    if not lines:
        return {}
    return _known(
        passed=_count(r"(\d+) passed", lines[-1]) or 0,
        failed=_count(r"(\d+) failed", lines[-1]) or 0,
        skipped=_count(r"(\d+) skipped", lines[-1]),
        total=_count(total, lines[-1]),
    )


def _cargo(text: str) -> dict[str, int]:
    results = re.findall(r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", text, re.M)
    if not results:
        return {}
    return {
        "passed": sum(int(passed) for passed, _, _ in results),
        "failed": sum(int(failed) for _, failed, _ in results),
        "skipped": sum(int(ignored) for _, _, ignored in results),
    }


def _maven(text: str) -> dict[str, int]:
    totals = re.findall(r"Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)\s*$", text, re.M)
    if not totals:
        return {}
    run, failures, errors, skipped = (int(value) for value in totals[-1])  # the last line is the total
    return {
        "passed": run - failures - errors - skipped,
        "failed": failures,
        "errors": errors,
        "skipped": skipped,
        "total": run,
    }


def _unittest(text: str) -> dict[str, int]:
    ran = _count(r"^Ran (\d+) tests? in", text)
    if ran is None:
        return {}
    verdict = re.findall(r"^(OK|FAILED)\b(.*)$", text, re.M)
    details = verdict[-1][1] if verdict else ""
    failed = _count(r"failures=(\d+)", details) or 0
    errors = _count(r"errors=(\d+)", details) or 0
    skipped = _count(r"skipped=(\d+)", details)
    return _known(
        passed=ran - failed - errors - (skipped or 0), failed=failed, errors=errors, skipped=skipped, total=ran
    )


def _go(text: str) -> dict[str, int]:
    """``go test``: each test's line under -v; else each package's, and the failed tests it always names."""
    passed = len(re.findall(r"^\s*--- PASS: ", text, re.M))
    failed = len(re.findall(r"^\s*--- FAIL: ", text, re.M))
    skipped = len(re.findall(r"^\s*--- SKIP: ", text, re.M))
    if passed or skipped:
        return {"passed": passed, "failed": failed, "skipped": skipped}
    packages_ok = len(re.findall(r"^ok\s+\S+\s+(?:[\d.]+s|\(cached\))", text, re.M))
    packages_failed = len(re.findall(r"^FAIL\s+\S+\s+[\d.]+s", text, re.M))
    if not (packages_ok or packages_failed):
        return {}
    return {"packagesPassed": packages_ok, "packagesFailed": packages_failed, "failed": failed}


def _gradle(text: str) -> dict[str, int]:
    found = re.findall(r"^(\d+) tests? completed, (\d+) failed(?:, (\d+) skipped)?", text, re.M)
    if not found:
        return {}
    total, failed, skipped = found[-1]
    return _known(
        passed=int(total) - int(failed) - int(skipped or 0),
        failed=int(failed),
        skipped=int(skipped) if skipped else None,
        total=int(total),
    )


def _node(text: str) -> dict[str, int]:
    """Node's own test runner (``node --test``): its closing TAP comments."""
    passed, failed = _count(r"^# pass (\d+)$", text), _count(r"^# fail (\d+)$", text)
    if passed is None or failed is None:
        return {}
    return _known(
        passed=passed, failed=failed, skipped=_count(r"^# skipped (\d+)$", text), total=_count(r"^# tests (\d+)$", text)
    )


def _mocha(text: str) -> dict[str, int]:
    passing = _count(r"^\s*(\d+) passing", text)
    if passing is None:
        return {}
    return _known(
        passed=passing, failed=_count(r"^\s*(\d+) failing", text) or 0, skipped=_count(r"^\s*(\d+) pending", text)
    )
