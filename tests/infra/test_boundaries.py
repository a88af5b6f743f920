"""The runtime and local-server side of ``infra`` never imports the CDK (it is a dev dependency only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NO_CDK_MODULES = (
    "infra",
    "infra.openapi",
    "infra.gateway_responses",
    "infra.deployment",
    "infra.tokens",
    "infra.local",
)


def test_modules_used_outside_synthesis_do_not_import_aws_cdk() -> None:
    imports = "; ".join(f"import {module}" for module in NO_CDK_MODULES)
    check = f"{imports}; import sys; sys.exit('aws_cdk' in sys.modules)"

    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr or "aws_cdk was imported"
