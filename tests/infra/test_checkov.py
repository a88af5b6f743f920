"""checkov, an independent IaC scanner, fails no check on the synthesized templates: both stages, with and
without the customer's key. A check that does not apply is skipped in its resource's metadata, with why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import checkov
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra

SKIPPABLE = dict(checkov.SKIPPED_CHECKS)


def scan(stacks: dict[str, Synthesized]) -> dict[str, dict[str, Any]]:
    """checkov's JSON report on each stack's template, the scans run side by side."""
    binary = Path(sys.executable).with_name("checkov")
    running = {
        name: subprocess.Popen(
            [
                str(binary),
                "--output",
                "json",
                "--framework",
                "cloudformation",
                *(argument for path in stack.template_files for argument in ("--file", str(path))),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, stack in stacks.items()
    }
    reports = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=600)
        assert out, err
        reports[name] = json.loads(out)
    return reports


@pytest.fixture(scope="module")
def reports(
    prod: Synthesized, dev: Synthesized, prod_kms: Synthesized, dev_kms: Synthesized
) -> dict[str, dict[str, Any]]:
    return scan({"prod": prod, "dev": dev, "prod with a created key": prod_kms, "dev with a given key": dev_kms})


def test_no_check_fails_on_either_stage_with_or_without_the_customer_key(reports: dict[str, dict[str, Any]]) -> None:
    failed = {
        name: sorted({(check["check_id"], check["resource"]) for check in report["results"]["failed_checks"]})
        for name, report in reports.items()
    }

    assert failed == {name: [] for name in reports}
    assert all(report["summary"]["passed"] > 400 for report in reports.values())  # it did scan


def test_every_skip_is_a_listed_check_with_its_reason(reports: dict[str, dict[str, Any]]) -> None:
    skipped = {
        (check["check_id"], check["check_result"].get("suppress_comment"))
        for report in reports.values()
        for check in report["results"]["skipped_checks"]
    }

    assert skipped
    assert skipped <= set(SKIPPABLE.items())


def test_the_key_checks_are_skipped_only_without_the_customer_key(reports: dict[str, dict[str, Any]]) -> None:
    key_checks = {
        checkov.LOG_GROUP_KEY[0],
        checkov.TABLE_KEY[0],
        checkov.TOPIC_KEY[0],
        checkov.QUEUE_KEY[0],
        checkov.LAMBDA_ENVIRONMENT_KEY[0],
    }

    skipped = {
        name: {check["check_id"] for check in report["results"]["skipped_checks"]} & key_checks
        for name, report in reports.items()
    }

    assert skipped == {
        "prod": key_checks,
        "dev": key_checks,
        "prod with a created key": set(),
        "dev with a given key": set(),
    }
