"""``make dev``'s entry point as a process: prints what it serves, seeds tokens, stops cleanly."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.receiver import receiver
from tests.support import SEED_BODY

ROOT = Path(__file__).resolve().parents[2]
TOKEN_A = "psk_live_" + "orgA" * 8
TOKEN_B = "psk_live_" + "orgB" * 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start(port: int, *, ignoring_ctrl_c: bool = False, **env: str) -> subprocess.Popen[str]:
    """``make dev``'s server; ``ignoring_ctrl_c`` starts it as a shell's background job is started, with
    SIGINT ignored (which a process inherits)."""
    environment = {**os.environ, "PORT": str(port), "PYTHONFAULTHANDLER": "1", **env}
    server = [sys.executable, "-m", "infra.local"]
    # `trap "" INT` ignores SIGINT in the shell, and exec keeps it ignored in the server.
    command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *server] if ignoring_ctrl_c else server
    return subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _read_until_serving(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Try: curl"):
            return lines
    raise AssertionError(f"the server did not start: {lines}")


@pytest.fixture
def seeded_server() -> Iterator[tuple[int, subprocess.Popen[str], list[str]]]:
    port = _free_port()
    process = _start(port, PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_a, {TOKEN_B}=org_b")
    try:
        yield port, process, _read_until_serving(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def _list(port: int, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/assessments")
    request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _invite(port: int, token: str, address: str) -> str:
    """Create an assessment and a key for ``address``; the key's code."""
    base = f"http://127.0.0.1:{port}"

    def post(path: str, body: object) -> dict[str, object]:
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            answer: dict[str, object] = json.loads(response.read())
            return answer

    assessment = post("/v1/assessments", SEED_BODY)["assessment"]
    assert isinstance(assessment, dict)
    keys = post(f"/v1/assessments/{assessment['id']}/keys", {"count": 1, "candidateEmails": [address]})["keys"]
    assert isinstance(keys, list)
    return str(keys[0]["key"])


def test_seeded_tokens_work_and_ctrl_c_stops_cleanly(
    seeded_server: tuple[int, subprocess.Popen[str], list[str]],
) -> None:
    port, process, lines = seeded_server

    assert any(f"http://127.0.0.1:{port}" in line for line in lines)
    assert lines[-1] == f"Try: curl -s http://127.0.0.1:{port}/v1/assessments -H 'Authorization: Bearer {TOKEN_A}'"
    assert _list(port, TOKEN_A) == (200, {"assessments": [], "nextCursor": None})
    assert _list(port, TOKEN_B)[0] == 200
    assert _list(port, "psk_live_" + "orgC" * 8)[0] == 401

    assert _stop(process) == 0


def test_ctrl_c_while_the_server_starts_stops_it_cleanly() -> None:
    process = _start(_free_port())
    assert process.stdout is not None
    while not process.stdout.readline().startswith("Serving the API on "):
        assert process.poll() is None, "the server exited before serving"

    assert _stop(process) == 0


def test_ctrl_c_stops_a_server_started_with_it_ignored_as_a_background_job_is() -> None:
    process = _start(_free_port(), ignoring_ctrl_c=True)
    _read_until_serving(process)

    assert _stop(process) == 0


def test_a_busy_port_is_a_one_line_error(seeded_server: tuple[int, subprocess.Popen[str], list[str]]) -> None:
    port, _, _ = seeded_server

    second = _start(port)
    _, stderr = second.communicate(timeout=60)

    assert second.returncode == 1
    assert stderr.strip().splitlines() == [f"error: 127.0.0.1:{port} is already in use; set PORT to serve elsewhere"]


def test_a_seeded_token_without_a_token_shape_is_a_one_line_error() -> None:
    process = _start(_free_port(), PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_a,tokB=org_b")
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 1
    assert stderr.strip().splitlines() == [
        "error: PROMPTSTER_LOCAL_TOKENS token for org_b is not psk_live_ followed by 32 to 128 letters, digits, - or _"
    ]


def test_default_run_prints_a_token_for_org_local_and_a_working_curl_line() -> None:
    port = _free_port()
    process = _start(port)
    try:
        lines = _read_until_serving(process)
        token = next(line.split(": ", 1)[1] for line in lines if line.startswith("Token for org_local: "))
        assert re.fullmatch(r"psk_live_[A-Za-z0-9]{40}", token)
        assert token in lines[-1]
        assert _list(port, token)[0] == 200
    finally:
        process.kill()
        process.communicate(timeout=10)


def test_default_run_prints_a_sample_report_that_opens_without_a_token_and_with_the_reviewers() -> None:
    port = _free_port()
    process = _start(port)
    try:
        lines = _read_until_serving(process)
        share_line = next(line for line in lines if line.startswith("Sample report"))
        share_url = share_line.rsplit(" ", 1)[1]
        assert share_url.startswith(f"http://127.0.0.1:{port}/v1/reports/")
        with urllib.request.urlopen(share_url, timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            page = response.read().decode()
        assert "Session report: Ada Lovelace" in page
        curl = shlex.split(next(line for line in lines if "as its reviewer reads it: curl" in line))
        reviewer = urllib.request.Request(curl[curl.index("-s") + 1])
        reviewer.add_header(*curl[curl.index("-H") + 1].split(": ", 1))
        with urllib.request.urlopen(reviewer, timeout=30) as response:
            assert "ada@example.com" in response.read().decode()  # the reviewer's page shows the email
        assert "ada@example.com" not in page
    finally:
        process.kill()
        process.communicate(timeout=10)


@pytest.fixture
def external_dynamodb() -> Iterator[str]:
    """A DynamoDB endpoint of its own (a moto server), as DynamoDB Local would be."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{server._port}"
    finally:
        server.stop()


def _post(port: int, token: str, path: str, body: object) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST")
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _stop(process: subprocess.Popen[str]) -> int:
    """Ctrl-C, then its exit status; a server still running 20 s later is a failure that shows where each of
    its threads was (the interpreter's fault handler prints them on SIGABRT)."""
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate(timeout=10)
        raise AssertionError(f"Ctrl-C did not stop the server within 20 s:\n{stderr[-12_000:]}") from None
    return process.returncode


def test_an_external_dynamodb_endpoint_is_used_its_table_created_and_its_stream_read(
    tmp_path: Path, external_dynamodb: str
) -> None:
    port = _free_port()
    process = _start(
        port,
        AWS_ENDPOINT_URL_DYNAMODB=external_dynamodb,
        PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_e",
        PROMPTSTER_LOCAL_MAILDIR=str(tmp_path),
    )
    try:
        lines = _read_until_serving(process)
        assert any(f"DynamoDB at {external_dynamodb}" in line for line in lines)
        assert f"Invitation emails are written to {tmp_path}, never sent" in lines
        assert _list(port, TOKEN_A)[0] == 200
        external = boto3.client("dynamodb", endpoint_url=external_dynamodb, region_name="eu-west-1")
        assert "promptster-local" in external.list_tables()["TableNames"]
        assert external.scan(TableName="promptster-local")["Count"] > 0  # the seeded token lives there
        code = _invite(port, TOKEN_A, "ada@example.com")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not list(tmp_path.glob("*.eml")):
            time.sleep(0.1)
        [written] = tmp_path.glob("*.eml")
        assert code in written.read_text()
    finally:
        process.kill()
        process.communicate(timeout=10)


def test_webhooks_are_delivered_beside_an_external_dynamodb(external_dynamodb: str) -> None:
    port = _free_port()
    process = _start(port, AWS_ENDPOINT_URL_DYNAMODB=external_dynamodb, PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_e")
    try:
        lines = _read_until_serving(process)
        assert any(line.startswith("Webhooks are delivered for real") for line in lines)
        with receiver() as endpoint:
            status, created = _post(port, TOKEN_A, "/v1/webhooks", {"url": endpoint.url})
            assert status == 201, created
            status, ping = _post(port, TOKEN_A, f"/v1/webhooks/{created['webhook']['id']}/test", {})
            assert status == 202, ping
            [delivered] = endpoint.wait_for(1)
        assert json.loads(delivered.body)["id"] == ping["eventId"]
    finally:
        process.kill()
        process.communicate(timeout=10)


def test_a_restart_against_a_table_that_kept_its_tokens_serves_them_again(external_dynamodb: str) -> None:
    for _ in range(2):
        port = _free_port()
        process = _start(port, AWS_ENDPOINT_URL_DYNAMODB=external_dynamodb, PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_e")
        try:
            assert "Seeded 1 token(s) from PROMPTSTER_LOCAL_TOKENS" in _read_until_serving(process)
            assert _list(port, TOKEN_A)[0] == 200
        finally:
            _stop(process)


def test_a_kept_token_seeded_for_another_organisation_is_a_one_line_error(external_dynamodb: str) -> None:
    first = _start(
        _free_port(), AWS_ENDPOINT_URL_DYNAMODB=external_dynamodb, PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_e"
    )
    _read_until_serving(first)
    _stop(first)

    second = _start(
        _free_port(), AWS_ENDPOINT_URL_DYNAMODB=external_dynamodb, PROMPTSTER_LOCAL_TOKENS=f"{TOKEN_A}=org_f"
    )
    _, stderr = second.communicate(timeout=60)

    assert second.returncode == 1
    assert stderr.strip().splitlines() == [
        "error: PROMPTSTER_LOCAL_TOKENS token for org_f: this token already belongs to another organisation, not org_f"
    ]
