"""The documentation site builds in strict mode (MkDocs fails on a broken link, a page missing from the
nav, a bad reference), with the API reference rendered from the shipped document."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from infra.paths import REPO_ROOT
from shared import docs
from shared.routes import ROUTES


def test_the_site_builds_strictly_with_every_operation_in_its_reference(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    reference = (tmp_path / "reference" / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{route.name}"' in reference for route in ROUTES)
    shipped = json.loads((tmp_path / "reference" / "openapi.json").read_text(encoding="utf-8"))
    assert shipped == docs.openapi_document()
