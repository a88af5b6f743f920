"""The candidate CLI's figures for ``make bench``: the hook's time per invocation as an AI tool runs it
(the installed console script, a fresh process each time, its background flush sending meanwhile), and
the time to flush 1,000 spooled events to the local server."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from promptster_cli.events import new_event
from promptster_cli.flush import flush, flush_lock
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace

from infra.local.embedded_dynamodb import local_dynamodb
from tests.cli.conftest import PROMPTSTER, ServedApi, a_workspace, environment, free_port, payload, settled
from tests.support import new_token

CLI = Path(__file__).parents[1] / "cli"
UV = Path(__file__).parents[1] / ".uv" / "0.13.9" / "bin" / "uv"
HOOK_RUNS = 50
FLUSHED_EVENTS = 1000


def _session(served: ServedApi, root: Path) -> Workspace:
    key = served.key()
    session = served.api.request("POST", "/v1/sessions", headers={"X-API-Key": key}).body["session"]
    a_workspace(root, api_url=served.url, key=key, sessionId=session["id"], startedAt=session["startedAt"])
    return Workspace(str(root))


def fresh_install(folder: Path) -> str | None:
    """``promptster`` installed from cli/ alone into a new environment, as a candidate has it (None
    without the pinned uv): the development environment's editable installs slow every start."""
    if not UV.exists():
        return None
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": ""}
    venv = folder / "venv"
    subprocess.run([str(UV), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True, env=environment)
    # From a copy: building writes into the source tree.
    source = shutil.copytree(CLI, folder / "cli", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [str(UV), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(source)],
        check=True,
        env=environment,
    )
    return str(venv / "bin" / "promptster")


def hook_times(served: ServedApi, folder: Path, promptster: str, where: str) -> None:
    root = Path(_session(served, folder).root)
    body = json.dumps(payload("claude-code", "user-prompt-submit", root)).encode()
    env = {**environment(folder), "PROMPTSTER_FLUSH_LINGER": "3"}
    times = []
    for _ in range(HOOK_RUNS):
        began = time.perf_counter()
        subprocess.run([promptster, "hook", "claude-code"], input=body, check=True, cwd=root, env=env)
        times.append((time.perf_counter() - began) * 1000)
        time.sleep(0.05)  # prompts and tool calls come a moment apart
    settled(root)
    p95 = statistics.quantiles(times, n=20)[-1]
    median = statistics.median(times)
    print(
        f"CLI hook ({where}), {HOOK_RUNS} runs of `promptster hook claude-code`: p50 {median:.0f} ms, p95 {p95:.0f} ms"
    )


def flush_time(served: ServedApi, folder: Path) -> None:
    workspace = _session(served, folder / "flush")
    spool = Spool(workspace.spool_file)
    spool.append(
        new_event("note", {"text": f"note {index}"}, source="cli", tool="cli") for index in range(FLUSHED_EVENTS)
    )
    spool.close()
    with flush_lock(workspace, wait=30):
        began = time.perf_counter()
        report = flush(workspace)
        elapsed = time.perf_counter() - began
    assert report.accepted == FLUSHED_EVENTS, report
    print(
        f"CLI flush of {FLUSHED_EVENTS:,} events (10 requests of 100, local server, embedded DynamoDB): {elapsed:.1f} s"
    )


def run() -> None:
    """Print the CLI's figures, against a local server of its own."""
    with local_dynamodb("promptster-bench-cli"), tempfile.TemporaryDirectory() as folder:
        served = ServedApi(free_port())
        served.up()
        served.token = new_token("org_bench_cli")
        try:
            installed = fresh_install(Path(folder))
            if installed is not None:
                hook_times(served, Path(folder) / "fresh", installed, "fresh install")
            hook_times(served, Path(folder) / "dev", PROMPTSTER, "development environment")
            flush_time(served, Path(folder))
        finally:
            served.down()
