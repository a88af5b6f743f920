"""The ``promptster`` entry point. The hook path is told apart before anything else is imported: an AI
tool runs it on every prompt and tool call, so it loads the standard library's json and sqlite3 only."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run ``promptster`` with ``argv`` (the process's arguments by default); the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["hook"]:
        from promptster_cli.hook import run_hook  # noqa: PLC0415 - the hot path loads only what it needs

        return run_hook(args[1:])
    from promptster_cli.commands import run  # noqa: PLC0415

    return run(args)
