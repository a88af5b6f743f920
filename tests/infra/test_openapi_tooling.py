"""The committed document as the npm tools read it (pinned in package.json; `make test` installs them):
Redocly's recommended rules pass clean, and openapi-typescript types every operation."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from infra.openapi import DOCUMENT_PATH
from infra.paths import REPO_ROOT
from shared.routes import ROUTES

NODE_BIN = REPO_ROOT / "node_modules" / ".bin"
# No telemetry or update check: tests reach loopback only.
QUIET = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def _tool(name: str) -> str:
    path = NODE_BIN / name
    if not path.exists():
        pytest.fail(f"{path} is missing: `make node_modules/.installed` (make test does it) installs the npm tools")
    return str(path)


def test_redocly_recommended_rules_find_no_error_and_no_warning() -> None:
    result = subprocess.run(
        [_tool("redocly"), "lint", str(DOCUMENT_PATH), "--config", str(REPO_ROOT / "redocly.yaml")],
        capture_output=True,
        text=True,
        check=False,
        env=QUIET,
        cwd=REPO_ROOT,
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "Your API description is valid" in output, output
    assert not re.search(r"You have \d+ warnings?", output), output


def test_openapi_typescript_types_every_operation(tmp_path: Path) -> None:
    types = tmp_path / "api.d.ts"

    result = subprocess.run(
        [_tool("openapi-typescript"), str(DOCUMENT_PATH), "--output", str(types)],
        capture_output=True,
        text=True,
        check=False,
        env=QUIET,
        cwd=REPO_ROOT,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    declared = types.read_text(encoding="utf-8")
    operations = declared[declared.index("export interface operations") :]
    for route in ROUTES:
        assert f"\n    {route.name}: {{" in operations, route.name
    assert re.search(r"CreateAssessmentRequest: \{\s*/\*\*[^}]*?\*/\s*title: string;", declared)
