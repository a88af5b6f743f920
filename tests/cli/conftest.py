"""The candidate's CLI as its users run it: the installed ``promptster`` console script in a subprocess
(hooks fed the AI tools' recorded payloads), against the local server where the API matters."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from promptster_cli.flush import flush_lock
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace

from infra.local.embedded_dynamodb import local_dynamodb
from infra.local.gateway import LocalGateway
from infra.local.server import LocalServer
from tests.http.conftest import Api
from tests.support import SEED_BODY, new_token

PROMPTSTER = str(Path(sys.executable).with_name("promptster"))
PAYLOADS = Path(__file__).with_name("payloads")
# Copilot's payloads do not name their event: the installed hook command passes it.
COPILOT_EVENTS = {
    "user-prompt-submitted": "userPromptSubmitted",
    "pre-tool-use-edit": "preToolUse",
    "post-tool-use-edit": "postToolUse",
    "pre-tool-use-bash": "preToolUse",
    "post-tool-use-bash": "postToolUse",
    "session-end": "sessionEnd",
}


def payload(tool: str, name: str, root: Path) -> dict[str, Any]:
    """A recorded payload of ``tool``, its paths moved into the workspace ``root``."""
    text = (PAYLOADS / tool / f"{name}.json").read_text().replace("/WORKSPACE", str(root))
    return dict(json.loads(text))


def environment(home: Path) -> dict[str, str]:
    """The environment a hook or command runs in here: its own HOME, no lingering background flush."""
    return {**os.environ, "HOME": str(home), "PROMPTSTER_FLUSH_LINGER": "0", "PYTHONDONTWRITEBYTECODE": "1"}


def run_hook(tool: str, name: str, root: Path, body: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """``promptster hook TOOL`` fed a recorded payload (or ``body``), as the AI tool runs it."""
    args = [PROMPTSTER, "hook", tool]
    if tool == "copilot":
        args.append(COPILOT_EVENTS[name])
    data = body if body is not None else json.dumps(payload(tool, name, root)).encode()
    return subprocess.run(
        args, check=False, input=data, capture_output=True, cwd=root, env=environment(root.parent), timeout=30
    )


def promptster(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A ``promptster`` command, as the candidate runs it (``env`` over the usual environment)."""
    return subprocess.run(
        [PROMPTSTER, *args],
        check=False,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**environment(cwd.parent), **(env or {})},
        timeout=120,
    )


def settled(root: Path) -> Workspace:
    """The workspace once no background flush runs in it any more."""
    workspace = Workspace(str(root))
    with flush_lock(workspace, wait=60) as held:
        assert held, "a background flush did not finish"
    return workspace


def spooled(root: Path) -> list[dict[str, Any]]:
    """Every event in the workspace's spool, in capture order."""
    spool = Spool(Workspace(str(root)).spool_file)
    try:
        rows = spool.connection.execute("SELECT body FROM events ORDER BY seq").fetchall()
    finally:
        spool.close()
    return [json.loads(body) for (body,) in rows]


def a_workspace(root: Path, api_url: str = "http://127.0.0.1:9", **state: Any) -> Path:
    """A session's workspace without a server: a git repository with its ``.promptster/`` state."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    (root / ".git" / "info" / "exclude").write_text("/.promptster/\n")  # as start writes it
    Workspace(str(root)).write_state(
        {
            "version": 1,
            "apiUrl": api_url,
            "key": "PST-TEST-KEY1",
            "idempotencyKey": "i",
            "sessionId": "0195f3a5-2c3d-7e4f-8a5b-6c7d8e9f0a1b",
            "assessment": {"id": "a", "title": "T", "role": "R", "repoUrl": None},
            "startedAt": "2026-04-01T10:00:00Z",
            "deadline": None,
            "clockOffsetMs": 0,
            "submittedAt": None,
            **state,
        }
    )
    return root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class ServedApi:
    """The local server on a fixed port over one embedded table: it can stop and come back (the table
    stays), as a real API does when the network drops."""

    port: int
    server: LocalServer | None = None
    thread: threading.Thread | None = None
    token: str = ""
    orgs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> Api:
        return Api(self.url)

    def up(self) -> None:
        self.server = LocalServer(("127.0.0.1", self.port), LocalGateway(), access_log=False)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def key(self, **fields: Any) -> str:
        """A new key of a new assessment (``fields`` over the seed's body)."""
        assessment = self.api.request("POST", "/v1/assessments", self.token, {**SEED_BODY, **fields})
        assert assessment.status == 201, assessment.body
        keys = self.api.request(
            "POST", f"/v1/assessments/{assessment.body['assessment']['id']}/keys", self.token, {"count": 1}
        )
        return str(keys.body["keys"][0]["key"])

    def timeline(self, session_id: str) -> list[dict[str, Any]]:
        answer = self.api.request("GET", f"/v1/sessions/{session_id}/timeline?limit=2000", self.token)
        assert answer.status == 200, answer.body
        return list(answer.body["events"])

    def session(self, session_id: str) -> dict[str, Any]:
        answer = self.api.request("GET", f"/v1/sessions/{session_id}", self.token)
        assert answer.status == 200, answer.body
        return dict(answer.body["session"])


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApi]:
    """The local server for the module's tests, each test with its own assessments."""
    with local_dynamodb("promptster-cli"):
        api = ServedApi(free_port())
        api.up()
        api.token = new_token("org_cli")
        try:
            yield api
        finally:
            api.down()
