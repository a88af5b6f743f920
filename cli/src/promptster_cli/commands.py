"""The ``promptster`` commands other than ``hook``: start, status, run, decision, submit, mcp. Each
prints little, says what to do next on an error (one line, the API's ``code`` first), and exits 0 on
success, 1 on an error, 2 on a usage error. Every one of them also sends what is waiting: in the
background, or before it answers where it needs to (status, submit)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn

from promptster_cli import __version__, capture, human_edits
from promptster_cli.api import Api, ApiError
from promptster_cli.background import start_flush
from promptster_cli.events import bounded, new_event
from promptster_cli.flush import BLOCKED, FlushReport, flush, flush_lock
from promptster_cli.record import record
from promptster_cli.runner import counts_of, run_live, runner_of
from promptster_cli.spool import Spool
from promptster_cli.workspace import STATE_DIR, State, Workspace, find_workspace

API_VARIABLE = "PROMPTSTER_API_URL"
KEY_VARIABLE = "PROMPTSTER_KEY"
KEY_PATTERN = re.compile(r"^PST-[A-Z0-9]{4}-[A-Z0-9]{4}$")
OK, ERROR, USAGE = 0, 1, 2
# Below this, the laptop's clock is taken as the server's: the start time the API reports is to the second.
CLOCK_OFFSET_THRESHOLD_MS = 2000
FINISHED_CODES = frozenset({"session_finished", "session_completed", "deadline_passed", "key_revoked"})

# What to do next, by the API's code.
NEXT_STEP = {
    "invalid_key": "check the key in your invitation (PST-XXXX-XXXX)",
    "key_revoked": "this key was revoked: ask the company that invited you for a new one",
    "key_expired": "this key has expired: ask the company that invited you for a new one",
    "session_completed": "this session is already handed in: nothing more to do",
    "session_finished": "this session is over: nothing more can be recorded",
    "deadline_passed": "the time limit has passed: contact the company that invited you",
    "assessment_deleted": "this assessment was withdrawn: contact the company that invited you",
    "not_found": "the session was not found: check --api is the URL from your invitation",
    "unreachable": "check your connection and the API URL, then run the command again",
}

PRIVACY = """\
What is recorded while you work here:
  - your prompts to Claude Code, Cursor and GitHub Copilot, and your assistant's tool calls with their
    inputs, as sent (file contents excepted);
  - the files changed, by your assistant or by you: their paths and line counts, never their contents;
  - commands you run with `promptster run` (and test results), and the decisions you record.
Values that look like secrets (API keys, tokens, private keys) are masked before anything is stored."""


class CommandError(Exception):
    """A failure to report on one line, and the exit status it means."""

    def __init__(self, message: str, status: int = ERROR) -> None:
        super().__init__(message)
        self.status = status


def fail(error: ApiError) -> NoReturn:
    """Raise the one line saying what the API answered and what to do next."""
    step = NEXT_STEP.get(error.code)
    raise CommandError(f"{error.code}: {error.message}" + (f" — {step}" if step else ""))


def masked_key(key: str) -> str:
    """The key as it may be shown: its first group only (``PST-AB12-••••``)."""
    return key[:8] + "••••" if len(key) > 8 else "••••"


def slug(title: str) -> str:
    """A directory name from a title: ``Backend API Challenge`` -> ``backend-api-challenge``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "assessment"


def left(seconds: int | None) -> str:
    """Time left, as a person says it."""
    if seconds is None:
        return "no time limit"
    hours, minutes = divmod(max(seconds, 0) // 60, 60)
    return f"{hours} h {minutes:02d} min left" if hours else f"{minutes} min left"


def executable() -> str:
    """The absolute path of the running ``promptster``, for the hooks to run."""
    found = shutil.which(sys.argv[0]) if os.sep not in sys.argv[0] else sys.argv[0]
    return os.path.abspath(found or sys.argv[0])


def current_workspace(args: argparse.Namespace) -> tuple[Workspace, State]:
    """The workspace ``--dir`` names (else the one holding the current directory) and its state."""
    workspace = find_workspace([args.dir] if args.dir else [os.getcwd()])
    state = workspace.read_state() if workspace is not None else None
    if workspace is None or state is None:
        where = args.dir or "here"
        raise CommandError(
            f"no_session: no Promptster session {where} — run `promptster start KEY` first, or pass --dir"
        )
    return workspace, state


def api_for(state: State, args: argparse.Namespace) -> Api:
    return Api(getattr(args, "api", None) or state["apiUrl"], state["key"])


# start


def start(args: argparse.Namespace) -> int:
    api_url = args.api or os.environ.get(API_VARIABLE)
    target = os.path.abspath(args.dir) if args.dir else None
    earlier = Workspace(target).read_state() if target else None
    api_url = api_url or (earlier or {}).get("apiUrl")
    if not api_url:
        raise CommandError(f"no API URL: pass --api URL (the one in your invitation) or set {API_VARIABLE}", USAGE)
    key = (args.key or os.environ.get(KEY_VARIABLE) or _ask_key()).strip().upper()
    if not KEY_PATTERN.match(key):
        raise CommandError(f"not a key: {masked_key(key)} — keys look like PST-XXXX-XXXX", USAGE)
    resuming = earlier if earlier and earlier.get("key") == key else None
    idempotency_key = resuming["idempotencyKey"] if resuming else str(uuid.uuid4())
    api = Api(api_url, key)
    try:
        asked = time.time()
        started, is_new = api.start(idempotency_key)
        answered = time.time()
    except ApiError as error:
        fail(error)
    finally:
        api.close()
    session, assessment = started["session"], started["assessment"]
    root = target or os.path.abspath(slug(assessment["title"]))
    workspace = Workspace(root)
    state = workspace.read_state()
    # A replayed first answer (the same Idempotency-Key) says 201 again: the workspace knows better.
    resumed = not is_new or (state is not None and state.get("sessionId") == session["id"])
    if state is None or state.get("sessionId") != session["id"]:
        origin = _prepare(root, _repository(assessment))
        offset = 0
        if is_new:
            measured = int((_epoch(session["startedAt"]) - (asked + answered) / 2) * 1000)
            offset = measured if abs(measured) >= CLOCK_OFFSET_THRESHOLD_MS else 0
        state = {
            "version": 1,
            "apiUrl": api_url.rstrip("/"),
            "key": key,
            "idempotencyKey": idempotency_key,
            "sessionId": session["id"],
            "assessment": {name: assessment.get(name) for name in ("id", "title", "role", "repoUrl")},
            "startedAt": session["startedAt"],
            "deadline": session.get("deadline"),
            "clockOffsetMs": offset,
            "origin": origin,
            "submittedAt": None,
        }
    state["apiUrl"] = api_url.rstrip("/")
    workspace.write_state(state)
    _exclude_from_git(root)
    installed = capture.install(root, executable())
    _baseline(workspace, state)
    start_flush(workspace)
    _print_start(
        workspace, state, session=session, assessment=assessment, key=key, installed=installed, resumed=resumed
    )
    return OK


def _ask_key() -> str:
    if not sys.stdin.isatty():
        raise CommandError(f"no key: pass it, set {KEY_VARIABLE}, or run in a terminal to be asked", USAGE)
    return getpass.getpass("Your key (PST-XXXX-XXXX, not shown): ")


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


def _repository(assessment: dict[str, Any]) -> str | None:
    """The repository to work in: the assessment's, else its catalog issue's."""
    issue = assessment.get("issue") or {}
    return assessment.get("repoUrl") or issue.get("repoUrl")


def _prepare(root: str, repository: str | None) -> str:
    """The workspace directory: the repository cloned into it, or an empty git repository; how."""
    if os.path.isdir(os.path.join(root, ".git")):
        return "existing git repository"
    if os.path.isdir(root) and os.listdir(root):
        raise CommandError(f"directory_not_empty: {root} exists and is not a git repository — pass --dir PATH")
    if shutil.which("git") is None:
        raise CommandError("git_missing: the workspace needs git — install git, then run the same command again")
    if repository:
        cloned = subprocess.run(  # noqa: S603 - git clone of the assessment's repository
            ["git", "clone", "--quiet", repository, root],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if cloned.returncode != 0:
            last = (cloned.stderr.strip().splitlines() or ["git clone failed"])[-1]
            raise CommandError(f"clone_failed: {repository}: {last} — fix that, then run the same command again")
        return f"cloned from {repository}"
    os.makedirs(root, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", root], check=True)  # noqa: S603, S607
    return "new git repository"


def _exclude_from_git(root: str) -> None:
    """Keep ``.promptster/`` and the capture files out of the candidate's commits (and snapshots)."""
    exclude = os.path.join(root, ".git", "info", "exclude")
    os.makedirs(os.path.dirname(exclude), exist_ok=True)
    present: list[str] = []
    if os.path.exists(exclude):
        with open(exclude, encoding="utf-8") as file:
            present = file.read().splitlines()
    wanted = [f"/{STATE_DIR}/", *(f"/{name}" for name in capture.CAPTURE_FILES)]
    missing = [line for line in wanted if line not in present]
    if missing:
        with open(exclude, "a", encoding="utf-8") as file:
            file.write("".join(f"{line}\n" for line in ["# promptster", *missing]))


def _baseline(workspace: Workspace, state: State) -> None:
    """The workspace as it starts: what human edits are compared with, and the submission's summary."""
    spool = Spool(workspace.spool_file)
    try:
        if spool.get(human_edits.SNAPSHOT) is None:
            human_edits.record_human_edits(workspace, spool, state)
        if not state.get("startTree"):
            state["startTree"] = spool.get(human_edits.SNAPSHOT) or human_edits.EMPTY_TREE
            workspace.write_state(state)
    finally:
        spool.close()


def _print_start(
    workspace: Workspace,
    state: State,
    *,
    session: dict[str, Any],
    assessment: dict[str, Any],
    key: str,
    installed: list[capture.Installed],
    resumed: bool,
) -> None:
    deadline = session.get("deadline")
    print(f"{'Resumed' if resumed else 'Started'}: {assessment['title']} ({assessment['role']})")
    print(f"Deadline: {deadline or 'none'} ({left(session.get('remainingSeconds'))})")
    print(f"Key: {masked_key(key)}")
    print(f"Workspace: {workspace.root} ({state.get('origin')})")
    brief = assessment.get("taskBrief") or ""
    if brief:
        print("\nThe brief:\n" + "\n".join(f"  {line}" for line in brief.splitlines()))
    setup = (assessment.get("issue") or {}).get("setupInstructions")
    if setup:
        print("\nSetup:\n" + "\n".join(f"  {line}" for line in setup.splitlines()))
    print(f"\n{PRIVACY}")
    captured = ", ".join(item.tool for item in installed if item.ok)
    print(f"\nCapture installed in the workspace for: {captured}.")
    for item in installed:
        if not item.ok:
            print(f"Not captured: {item.tool}: {item.problem}")
    print(f"\nNext: cd {shlex.quote(workspace.root)} and work with your AI tools; `promptster status` shows what is")
    print("recorded; `promptster submit` hands the work in.")


# status


def status(args: argparse.Namespace) -> int:
    workspace, state = current_workspace(args)
    report = _flush_now(workspace, attempts=1)
    api = api_for(state, args)
    session: dict[str, Any] | None = None
    problem: ApiError | None = None
    try:
        session = api.session(state["sessionId"])
    except ApiError as error:
        problem = error
    finally:
        api.close()
    spool = Spool(workspace.spool_file)
    try:
        counts, seen, blocked = spool.counts(), spool.tools_seen(), spool.get(BLOCKED)
        rejected = [(event["id"], reason) for event, reason in spool.rejected()]
    finally:
        spool.close()
    found = {
        "assessment": state["assessment"],
        "session": {
            "id": state["sessionId"],
            "status": session["status"] if session else None,
            "deadline": state.get("deadline"),
            "remainingSeconds": session.get("remainingSeconds") if session else None,
            "submittedAt": state.get("submittedAt"),
        },
        "events": {"captured": sum(counts.values()), **counts, "rejectedEvents": dict(rejected)},
        "tools": {"installed": [item.tool for item in capture.installed(workspace.root) if item.ok], "seen": seen},
        "api": {
            "url": state["apiUrl"],
            "reachable": problem is None or problem.status != 0,
            "problem": str(problem) if problem else None,
        },
        "sending": {"stoppedBecause": blocked or (str(report.stopped) if report and report.stopped else None)},
    }
    if args.json:
        print(json.dumps(found, indent=2))
        return OK
    print(f"Assessment: {state['assessment']['title']} ({state['assessment']['role']})")
    if session:
        remaining = left(session.get("remainingSeconds"))
        print(f"Session: {session['status']}, deadline {state.get('deadline') or 'none'} ({remaining})")
    print(
        f"Events: {found['events']['captured']} captured, {counts['sent']} sent, {counts['waiting']} waiting, "
        f"{counts['rejected']} rejected"
    )
    for event_id, reason in rejected:
        print(f"  rejected {event_id}: {reason}")
    print(f"Capturing: {', '.join(found['tools']['installed']) or 'nothing'}")
    if seen:
        print("Seen so far: " + ", ".join(f"{tool} ({count})" for tool, count in seen.items()))
    print(f"API: {state['apiUrl']} " + ("reachable" if found["api"]["reachable"] else f"not reachable ({problem})"))
    if found["sending"]["stoppedBecause"]:
        stopped = found["sending"]["stoppedBecause"]
        print(
            f"Sending stopped: {stopped['code'] + ': ' + stopped['message'] if isinstance(stopped, dict) else stopped}"
        )
    return OK


def _flush_now(workspace: Workspace, attempts: int, wait: float = 0.0) -> FlushReport | None:
    """Send what is waiting before answering, unless a flush is already doing it (None then)."""
    with flush_lock(workspace, wait=wait) as held:
        if not held:
            return None
        return flush(workspace, attempts=attempts)


# run, decision


def run_command(args: argparse.Namespace) -> int:
    argv = list(args.command)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        raise CommandError("nothing to run: promptster run -- COMMAND [ARGS…]", USAGE)
    workspace = find_workspace([args.dir] if args.dir else [os.getcwd()])
    try:
        finished = run_live(argv)
    except FileNotFoundError:
        raise CommandError(f"command_not_found: {argv[0]} — check its name and your PATH", 127) from None
    if workspace is None or workspace.read_state() is None:
        print("promptster: not in a session's workspace: this run was not recorded", file=sys.stderr)
        return finished.exit_status
    state = workspace.read_state() or {}
    offset = int(state.get("clockOffsetMs") or 0)
    line = bounded(shlex.join(argv), 2000)
    ran_at = time.time() - finished.duration_ms / 1000
    events = [
        new_event(
            "command",
            {
                "argv": [bounded(word, 500) for word in argv[:100]],
                "command": line,
                "exitCode": finished.exit_status,
                "durationMs": finished.duration_ms,
                "author": "human",
            },
            source="cli",
            tool="cli",
            clock_offset_ms=offset,
            at=ran_at,
        )
    ]
    runner = runner_of(argv) or ("other" if args.test else None)
    if runner is not None:
        data: dict[str, Any] = {
            "passed": finished.exit_status == 0,
            "runner": runner,
            "command": line,
            "durationMs": finished.duration_ms,
        }
        counts = counts_of(finished.tail)
        if counts:
            data["counts"] = counts
        events.append(new_event("test_run", data, source="cli", tool="cli", clock_offset_ms=offset, at=ran_at))
    if not state.get("submittedAt"):
        record(workspace, events)
    return finished.exit_status


def decision(args: argparse.Namespace) -> int:
    from promptster_cli.mcp_server import decision_event  # noqa: PLC0415 - shared with the MCP server

    workspace, state = current_workspace(args)
    if state.get("submittedAt"):
        raise CommandError("session_completed: this session is already handed in — nothing more is recorded")
    event = decision_event(
        workspace, args.title, rationale=args.why or "", impact=args.impact, alternatives=args.alternative, tool="cli"
    )
    record(workspace, [event])
    print(f"Recorded the decision: {args.title}")
    return OK


# submit


def submit(args: argparse.Namespace) -> int:
    workspace, state = current_workspace(args)
    if state.get("submittedAt"):
        print(f"Already handed in at {state['submittedAt']}.")
        return OK
    spool = Spool(workspace.spool_file)
    try:
        with flush_lock(workspace, wait=60) as held:
            if not held:
                raise CommandError("busy: events are still being sent — run `promptster submit` again in a minute")
            report = flush(workspace, settle=True)  # human edits first, then everything waiting
            stopped = report.stopped
            finished = stopped is not None and stopped.code in FINISHED_CODES
            waiting = spool.counts()["waiting"]
            if waiting and not args.force and not finished:
                why = str(stopped) if stopped else "they are still waiting"
                raise CommandError(
                    f"not_sent: {waiting} events could not be sent ({why}) — run `promptster submit` again once "
                    "the API is reachable, or `promptster submit --force` to hand in without them"
                )
            if not finished:
                _record_summary(workspace, spool, state)
                flush(workspace)
            waiting = spool.counts()["waiting"]
    finally:
        spool.close()
    submission = {name: value for name, value in (("submissionUrl", args.url), ("notes", args.notes)) if value}
    api = api_for(state, args)
    try:
        completed = api.complete(state["sessionId"], submission)
    except ApiError as error:
        fail(error)
    finally:
        api.close()
    state["submittedAt"] = completed.get("completedAt") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    workspace.write_state(state)
    print(f"Handed in at {state['submittedAt']}.")
    if waiting:
        print(f"{waiting} events were not sent (handed in with --force).")
    return OK


def _record_summary(workspace: Workspace, spool: Spool, state: State) -> None:
    """The workspace against its starting point, once: the files changed and their lines; its author the
    one whose files hold most of the changed lines (it is not counted in the signals)."""
    if spool.get("summary_recorded"):
        return
    tree = human_edits.snapshot(workspace)
    if tree is None:
        return
    changed = human_edits.changes(workspace, state.get("startTree") or human_edits.EMPTY_TREE, tree)
    assistants = spool.all_touched()
    ai_lines = sum(added + removed for path, added, removed in changed if path in assistants)
    all_lines = sum(added + removed for _, added, removed in changed)
    data = {
        "author": "ai" if ai_lines * 2 > all_lines else "human",
        "summary": True,
        "files": len(changed),
        "linesAdded": sum(added for _, added, _ in changed),
        "linesRemoved": sum(removed for _, _, removed in changed),
        "filesTouchedByAi": sum(1 for path, _, _ in changed if path in assistants),
        "paths": [path for path, _, _ in changed[:200]],
    }
    event = new_event(
        "file_change", data, source="cli", tool="cli", clock_offset_ms=int(state.get("clockOffsetMs") or 0)
    )
    record(workspace, [event], flush=False)
    spool.put("summary_recorded", True)


# mcp


def mcp(args: argparse.Namespace) -> int:
    from promptster_cli.mcp_server import serve  # noqa: PLC0415 - the MCP SDK loads only for this command

    workspace = find_workspace([args.workspace or os.getcwd()])
    if workspace is None:
        raise CommandError("no_session: no Promptster session for this MCP server — pass --workspace DIR")
    return serve(workspace)


# The command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promptster",
        description="Start a Promptster assessment, record how you work with your AI tools, hand the work in.",
        epilog="Exit status: 0 done, 1 an error (the line says what to do next), 2 a usage error.\n"
        "Example: promptster start PST-AB12-CD34 --api https://api.example.com/v1-stage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"promptster {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str, summary: str, example: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary,
            epilog=f"Example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=handler)
        if name != "mcp":
            sub.add_argument("--dir", metavar="PATH", help="the workspace (default: the one you are in)")
        return sub

    sub = command(
        "start",
        "start (or resume) the session of your key and prepare its workspace",
        "promptster start PST-AB12-CD34 --api https://api.example.com/v1  (or leave the key out to be asked)",
        start,
    )
    sub.add_argument("key", nargs="?", help=f"your key, PST-XXXX-XXXX (else ${KEY_VARIABLE}, else you are asked)")
    sub.add_argument("--api", metavar="URL", help=f"the API's URL from your invitation (else ${API_VARIABLE})")
    sub.set_defaults(dir=None)

    sub = command("status", "what is recorded, what is waiting, and the time left", "promptster status --json", status)
    sub.add_argument("--json", action="store_true", help="print the status as JSON")
    sub.add_argument("--api", metavar="URL", help="the API's URL (default: the one start used)")

    sub = command(
        "run", "run a command, recording it (and its test results)", "promptster run -- pytest -q", run_command
    )
    sub.add_argument("--test", action="store_true", help="record it as a test run even if its runner is not recognised")
    sub.add_argument("command", nargs=argparse.REMAINDER, help="the command and its arguments, after --")

    sub = command(
        "decision",
        "record a significant decision",
        'promptster decision "Queue webhooks in SQS" --why "retries without blocking" --impact 4',
        decision,
    )
    sub.add_argument("title", help="the decision, in a few words")
    sub.add_argument("--why", metavar="TEXT", help="why this choice")
    sub.add_argument(
        "--impact", type=int, choices=range(1, 6), default=3, metavar="1-5", help="how much it matters (default 3)"
    )
    sub.add_argument(
        "--alternative", action="append", default=[], metavar="TEXT", help="an alternative considered (repeatable)"
    )

    sub = command(
        "submit",
        "send everything recorded and hand the work in",
        'promptster submit --url https://github.com/you/repo/pull/1 --notes "Retries are in queue.py"',
        submit,
    )
    sub.add_argument("--url", metavar="URL", help="where your work is, e.g. a pull request")
    sub.add_argument("--notes", metavar="TEXT", help="anything the reviewer should know")
    sub.add_argument("--force", action="store_true", help="hand in even if some events could not be sent")
    sub.add_argument("--api", metavar="URL", help="the API's URL (default: the one start used)")

    sub = command(
        "mcp",
        "serve the MCP tools to your AI assistant (stdio; start installs it)",
        "promptster mcp --workspace .",
        mcp,
    )
    sub.add_argument("--workspace", metavar="PATH", help="the session's workspace (default: the one you are in)")
    return parser


def run(args: Sequence[str]) -> int:
    """Parse ``args`` and run the command: its exit status."""
    parsed = _parser().parse_args(list(args))
    try:
        status: int = parsed.handler(parsed)
    except CommandError as error:
        print(f"promptster: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        return 130
    return status
