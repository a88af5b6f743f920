"""cdk-nag (AWS Solutions, Serverless) leaves nothing unacknowledged, and every acknowledgement says why."""

from __future__ import annotations

import json

import cdk_nag
import pytest
from aws_cdk import Validations

from tests.infra.conftest import ProdSynthesis, Synthesized

pytestmark = pytest.mark.infra

# Each one is explained where it is made (infra/constructs); adding one means reviewing it here. The
# production stack has a WAF web ACL, so AwsSolutions-APIG3 (acknowledged where there is none) is not here.
ACKNOWLEDGED = {
    "AwsSolutions-L1",
    "Serverless-LambdaLatestVersion",
    "Serverless-LambdaDLQ",
    "AwsSolutions-IAM5[Resource::*]",
    "AwsSolutions-COG4",
    "AwsSolutions-APIG4",
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
    "Serverless-SNSRedrivePolicy",
    "AwsSolutions-SQS3",
    "Serverless-SQSRedrivePolicy",
    "Serverless-LambdaEventSourceMappingDestination",
    "Serverless-EventBusDLQ",
}


def test_synthesis_ran_the_checks_and_reported_no_violation(prod: Synthesized) -> None:
    # CDK writes this report only when validation plugins are registered; a violation fails synthesis.
    report = json.loads((prod.outdir / "validation-report.json").read_text())

    assert [violation for plugin in report["pluginReports"] for violation in plugin["violations"]] == []


@pytest.mark.parametrize("pack_name", ["AwsSolutionsChecks", "ServerlessChecks"])
def test_the_pack_finds_no_unacknowledged_error_or_warning(prod_synthesis: ProdSynthesis, pack_name: str) -> None:
    report = getattr(cdk_nag, pack_name)().validate_scope(prod_synthesis.app)

    findings = [
        f"{violation.severity} {violation.rule_name}: {violation.description} at "
        + ", ".join(resource.construct_path for resource in violation.violating_resources)
        for violation in report.violations
    ]
    assert findings == []


def test_every_acknowledgement_names_a_finding_and_gives_a_reason(prod_synthesis: ProdSynthesis) -> None:
    reasons: dict[str, set[str]] = {}
    for construct in prod_synthesis.app.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    reasons.setdefault(rule.removeprefix("Annotation::"), set()).add(reason)

    assert set(reasons) == ACKNOWLEDGED
    for rule, given in reasons.items():
        assert all(len(reason.split()) >= 8 for reason in given), f"{rule}: say why, in a sentence"
