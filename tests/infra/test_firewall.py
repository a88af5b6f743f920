"""The optional WAF web ACL: on in production, off in dev unless asked for, with the limit asked for."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk.assertions import Template

from infra.constructs.firewall import Firewall
from infra.deployment import Deployment
from tests.infra.conftest import Synthesized

pytestmark = pytest.mark.infra


def _rules(web_acl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["Name"]: rule for rule in sorted(web_acl["Rules"], key=lambda rule: rule["Priority"])}


def test_production_guards_its_stage_with_a_rate_limit_and_the_managed_rule_sets(prod: Synthesized) -> None:
    (web_acl,) = prod.properties("AWS::WAFv2::WebACL").values()
    (association,) = prod.properties("AWS::WAFv2::WebACLAssociation").values()
    (stage_id,) = prod.resources("AWS::ApiGateway::Stage")
    rules = _rules(web_acl)

    assert (web_acl["Scope"], web_acl["DefaultAction"]) == ("REGIONAL", {"Allow": {}})
    assert list(rules) == [
        "RateLimitPerAddress",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
    ]
    rate = rules["RateLimitPerAddress"]
    assert rate["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP",
        "Limit": 1000,
        "EvaluationWindowSec": 300,
    }
    assert rate["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    for name in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        assert rules[name]["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
        assert rules[name]["OverrideAction"] == {"None": {}}
    assert association["WebACLArn"] == {"Fn::GetAtt": [next(iter(prod.resources("AWS::WAFv2::WebACL"))), "Arn"]}
    assert {"Ref": stage_id} in association["ResourceArn"]["Fn::Join"][1]


def test_the_common_rule_set_counts_bodies_over_8_kb_instead_of_blocking_them(prod: Synthesized) -> None:
    # The API takes bodies up to 64 KiB (413 beyond); long briefs and rubrics must get through.
    (web_acl,) = prod.properties("AWS::WAFv2::WebACL").values()
    common = _rules(web_acl)["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]

    assert common["RuleActionOverrides"] == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]


def test_a_dev_stack_has_no_web_acl_unless_asked(dev: Synthesized) -> None:
    assert dev.resources("AWS::WAFv2::WebACL") == {}
    assert dev.resources("AWS::WAFv2::WebACLAssociation") == {}


def test_the_rate_limit_is_the_one_the_context_asks_for() -> None:
    deployment = Deployment.from_context({"stage": "dev", "waf": "true", "wafRateLimit": "2500"}.get)
    stack = Stack(App())
    api = apigw.RestApi(stack, "Api")
    api.root.add_method("GET", apigw.MockIntegration())

    Firewall(stack, "Firewall", deployment=deployment, stage=api.deployment_stage)

    (web_acl,) = Template.from_stack(stack).find_resources("AWS::WAFv2::WebACL").values()
    rate = _rules(web_acl["Properties"])["RateLimitPerAddress"]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["EvaluationWindowSec"]) == (2500, 300)
