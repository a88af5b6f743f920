"""The CLI is its own distribution: it never imports the server's packages (they ship to Lambda, it to
laptops), its hook path loads neither the HTTP client nor the MCP SDK nor pydantic, and it installs
from ``cli/`` alone into a fresh environment and runs there."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import a_workspace, payload, settled

CLI = Path(__file__).parents[2] / "cli"
UV = Path(__file__).parents[2] / ".uv" / "0.13.9" / "bin" / "uv"
SERVER_PACKAGES = {"shared", "functions", "infra", "tests"}
HEAVY = {"httpx2", "mcp", "pydantic", "anyio"}

LOADED = """
import json, sys
from promptster_cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def imported_packages(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def loaded_by(args: list[str], cwd: Path, stdin: bytes = b"") -> set[str]:
    """The top-level modules a ``promptster`` run loads (run from ``cwd``, away from the repository)."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED, *args], input=stdin, capture_output=True, cwd=cwd, check=True, timeout=60
    )
    return set(json.loads(result.stderr.decode().strip().splitlines()[-1]))


def test_no_cli_source_imports_the_servers_packages() -> None:
    sources = sorted(CLI.joinpath("src").rglob("*.py"))

    assert sources
    assert {str(source.relative_to(CLI)): imported_packages(source) & SERVER_PACKAGES for source in sources} == {
        str(source.relative_to(CLI)): set() for source in sources
    }


def test_help_loads_none_of_the_servers_packages(tmp_path: Path) -> None:
    assert loaded_by(["--help"], tmp_path) & SERVER_PACKAGES == set()


def test_the_hook_path_loads_no_http_client_mcp_or_pydantic(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")
    body = json.dumps(payload("claude-code", "user-prompt-submit", root)).encode()

    loaded = loaded_by(["hook", "claude-code"], root, body)

    assert "promptster_cli" in loaded
    assert loaded & (SERVER_PACKAGES | HEAVY) == set()
    settled(root)


@pytest.mark.skipif(not UV.exists(), reason="the pinned uv is bootstrapped by the Makefile")
def test_the_cli_installs_from_its_directory_alone_into_a_fresh_environment_and_runs(tmp_path: Path) -> None:
    environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": ""}
    subprocess.run(
        [str(UV), "venv", "--quiet", "--python", sys.executable, str(tmp_path / "venv")], check=True, env=environment
    )
    python = tmp_path / "venv" / "bin" / "python"
    # From a copy: building writes into the source tree, which other runs may be reading.
    source = shutil.copytree(CLI, tmp_path / "cli", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [str(UV), "pip", "install", "--quiet", "--python", str(python), str(source)],
        check=True,
        env=environment,
        timeout=300,
    )
    promptster = tmp_path / "venv" / "bin" / "promptster"
    root = a_workspace(tmp_path / "work")

    helped = subprocess.run([str(promptster), "--help"], capture_output=True, text=True, check=False, cwd=tmp_path)
    hooked = subprocess.run(
        [str(promptster), "hook", "claude-code"],
        input=json.dumps(payload("claude-code", "user-prompt-submit", root)).encode(),
        capture_output=True,
        check=False,
        cwd=root,
        env={**environment, "PROMPTSTER_FLUSH_LINGER": "0"},
    )
    sent = subprocess.run(
        [str(python), "-c", "import shared"], capture_output=True, text=True, check=False, cwd=tmp_path
    )

    assert (helped.returncode, hooked.returncode, hooked.stdout) == (0, 0, b"")
    assert "usage: promptster" in helped.stdout
    assert (root / ".promptster" / "spool.db").exists()
    settled(root)
    assert "No module named 'shared'" in sent.stderr  # the server's code did not come along
