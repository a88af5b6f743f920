"""Where the repository is, for the modules that read or write files in it (no CDK here, so the
local server and the OpenAPI build can import it cheaply)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
