"""The CDK context is checked before anything is built: names must be safe to put in every resource name."""

from __future__ import annotations

import pytest

from infra.deployment import Deployment, DeploymentError


def test_an_empty_context_means_the_demo_customer_in_dev() -> None:
    deployment = Deployment.from_context(lambda _: None)

    assert (deployment.customer, deployment.stage, deployment.alarm_email) == ("demo", "dev", None)
    assert not deployment.production
    assert not deployment.snap_start


def test_snap_start_is_turned_on_by_the_context() -> None:
    assert Deployment.from_context({"snapStart": "true"}.get).snap_start
    assert not Deployment.from_context({"snapStart": "false"}.get).snap_start


def test_the_invitation_sender_comes_from_the_context_with_its_domain() -> None:
    deployment = Deployment.from_context({"mailFrom": "hiring@acme.com"}.get)

    assert (deployment.mail_from, deployment.mail_domain) == ("hiring@acme.com", "acme.com")
    assert Deployment.from_context(lambda _: None).mail_from is None


def test_names_carry_the_customer_and_stage() -> None:
    deployment = Deployment.from_context({"customer": "acme", "stage": "prod"}.get)

    assert deployment.production
    assert deployment.stack_name == "Promptster-acme-prod"
    assert deployment.name("alarms") == "promptster-acme-prod-alarms"


@pytest.mark.parametrize(
    "context",
    [
        {"customer": "Acme"},
        {"customer": "acme_corp"},
        {"customer": "a" * 21},
        {"customer": "1acme"},
        {"stage": "staging"},
        {"alarmEmail": "not-an-email"},
        {"waf": "yes"},
        {"wafRateLimit": "many"},
        {"wafRateLimit": "50"},
        {"wafRateLimit": True},
        {"snapStart": "on"},
        {"mailFrom": "hiring"},
        {"mailFrom": "hiring@acme.com\nBcc: all@example.com"},
        {"kmsKeyArn": "alias/aws/dynamodb"},
        {"kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:alias/mine"},
        {"kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/abcd", "customerManagedKey": "true"},
        {"customerManagedKey": "yes"},
        {"reservedConcurrency": "-1"},
        {"reservedConcurrency": "ten"},
        {"cliPackage": "promptster-cli; rm -rf ~"},
        {"cliPackage": "x" * 501},
    ],
)
def test_an_invalid_context_is_refused(context: dict[str, str]) -> None:
    with pytest.raises(DeploymentError):
        Deployment.from_context(context.get)


@pytest.mark.parametrize(
    ("context", "enabled", "limit"),
    [
        ({"stage": "prod"}, True, 1000),
        ({"stage": "dev"}, False, 1000),
        ({"stage": "prod", "waf": "false"}, False, 1000),
        ({"stage": "dev", "waf": "true", "wafRateLimit": "300"}, True, 300),
        ({"stage": "dev", "waf": True, "wafRateLimit": 5000}, True, 5000),
    ],
)
def test_the_web_acl_is_on_in_production_unless_turned_off_and_anywhere_asked(
    context: dict[str, object], enabled: bool, limit: int
) -> None:
    deployment = Deployment.from_context(context.get)

    assert (deployment.waf_enabled, deployment.waf_rate_limit) == (enabled, limit)


def test_without_a_key_option_nothing_is_under_a_customer_key() -> None:
    deployment = Deployment.from_context(lambda _: None)

    assert (deployment.customer_key, deployment.kms_key_arn, deployment.customer_managed_key) == (False, None, False)


@pytest.mark.parametrize(
    "context",
    [{"customerManagedKey": "true"}, {"kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab"}],
)
def test_either_key_option_puts_the_stack_under_a_customer_key(context: dict[str, str]) -> None:
    assert Deployment.from_context(context.get).customer_key


@pytest.mark.parametrize(("value", "reserved"), [(None, 10), ("25", 25), (0, 0)])
def test_reserved_concurrency_defaults_to_ten_a_function_and_zero_reserves_none(value: object, reserved: int) -> None:
    assert Deployment.from_context({"reservedConcurrency": value}.get).reserved_concurrency == reserved
