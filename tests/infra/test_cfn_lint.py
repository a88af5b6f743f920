"""cfn-lint finds nothing wrong in the synthesized templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

# W3005: a DependsOn already implied by a GetAtt. CDK adds it on purpose (a function waits for its
# role's policy), so it is noise here, not a finding.
IGNORED = ("W3005",)


def test_cfn_lint_reports_nothing_for_the_prod_dev_snap_start_and_customer_key_templates(
    prod: Synthesized, dev: Synthesized, snap_start: Synthesized, prod_kms: Synthesized, dev_kms: Synthesized
) -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    stacks = (prod, dev, snap_start, prod_kms, dev_kms)
    templates = [str(path) for stack in stacks for path in stack.template_files]

    result = subprocess.run(
        [str(cfn_lint), "--format", "json", "--ignore-checks", *IGNORED, "--", *templates],
        capture_output=True,
        text=True,
        check=False,
    )

    findings = json.loads(result.stdout or "[]")
    assert [finding for finding in findings if finding["Level"] == "Error"] == []
    assert findings == [], "warnings too: fix them or ignore them above with a reason"
    assert result.returncode == 0, result.stderr
