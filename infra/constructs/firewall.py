"""The optional AWS WAF web ACL in front of the stage: a rate limit per client address and AWS's
managed rule sets for common exploits and known bad inputs."""

from __future__ import annotations

import json

from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.deployment import Deployment

# Five minutes: the window the rate limit counts over (``-c wafRateLimit`` requests per window).
RATE_WINDOW_SECONDS = 300
RATE_LIMITED_BODY = "rate-limited"
# WAF answers on its own, before any integration, and cannot insert API Gateway's request id.
RATE_LIMITED_ENVELOPE = {
    "error": "Too many requests from this address; retry later",
    "code": "throttled",
    "requestId": "",
}
# The AWS managed groups, in evaluation order after the rate limit, with the rules overridden to
# count only. SizeRestrictions_BODY blocks bodies over 8 KB, and the API accepts up to 64 KiB
# (answering 413 beyond): it would refuse long task briefs and rubrics.
MANAGED_RULE_GROUPS: dict[str, tuple[str, ...]] = {
    "AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",),
    "AWSManagedRulesKnownBadInputsRuleSet": (),
}


class Firewall(Construct):
    """A regional web ACL associated with the API's stage."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment, stage: apigw.Stage) -> None:
        super().__init__(scope, construct_id)
        self._deployment = deployment
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=deployment.name("waf"),
            description=f"Promptster {deployment.customer} {deployment.stage}: rate limit, AWS managed rules",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=self._visibility("waf"),
            custom_response_bodies={
                RATE_LIMITED_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content=json.dumps(RATE_LIMITED_ENVELOPE, separators=(",", ":"))
                )
            },
            rules=[self._rate_limit_rule(priority=0), *self._managed_rules(first_priority=1)],
        )
        wafv2.CfnWebACLAssociation(self, "Association", resource_arn=stage.stage_arn, web_acl_arn=self.web_acl.attr_arn)

    def _rate_limit_rule(self, priority: int) -> wafv2.CfnWebACL.RuleProperty:
        return wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerAddress",
            priority=priority,
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP",
                    limit=self._deployment.waf_rate_limit,
                    evaluation_window_sec=RATE_WINDOW_SECONDS,
                )
            ),
            action=wafv2.CfnWebACL.RuleActionProperty(
                block=wafv2.CfnWebACL.BlockActionProperty(
                    custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                        response_code=429, custom_response_body_key=RATE_LIMITED_BODY
                    )
                )
            ),
            visibility_config=self._visibility("rate-limit"),
        )

    def _managed_rules(self, first_priority: int) -> list[wafv2.CfnWebACL.RuleProperty]:
        return [
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS",
                        name=group,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                            )
                            for rule in counted
                        ]
                        or None,
                    )
                ),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=self._visibility(group),
            )
            for priority, (group, counted) in enumerate(MANAGED_RULE_GROUPS.items(), start=first_priority)
        ]

    def _visibility(self, name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
        return wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True,
            metric_name=self._deployment.name(name),
            sampled_requests_enabled=True,
        )
