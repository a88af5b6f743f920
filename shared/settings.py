"""Configuration from the environment, read when first needed (never at import time)."""

from __future__ import annotations

import os

DEFAULT_TABLE_NAME = "promptster-local"


def table_name() -> str:
    """The DynamoDB table every function reads and writes."""
    return os.environ.get("TABLE_NAME", DEFAULT_TABLE_NAME)
