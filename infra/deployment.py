"""Which customer and stage a stack is for, and the names that follow from it (no CDK import)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from shared.cors import parse_origins

Stage = Literal["dev", "prod"]
STAGES: tuple[Stage, ...] = ("dev", "prod")
DEFAULT_CUSTOMER = "demo"
DEFAULT_STAGE: Stage = "dev"
# Requests one client address may make in five minutes before the web ACL blocks it; AWS WAF
# accepts 10 to 2e9, and below 100 a page of polling would already trip it.
DEFAULT_WAF_RATE_LIMIT = 1000
WAF_RATE_LIMITS = range(100, 2_000_000_001)
# The stack's outputs naming its REST API and stage, read back with CloudFormation's DescribeStacks
# on ``Deployment.stack_name`` (the token CLI flushes that stage's authorizer cache).
# Concurrent executions reserved for each function: 33 functions reserve 330 of an account's default
# 1000 (Lambda keeps at least 100 unreserved). 0 reserves none, for accounts with a low limit.
DEFAULT_RESERVED_CONCURRENCY = 10
API_ID_OUTPUT = "ApiId"
API_STAGE_OUTPUT = "ApiStageName"

# Short and DNS-like: it ends up in stack, table, function and log group names, and
# Lambda caps function names at 64 characters.
_CUSTOMER = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CLI_PACKAGE = re.compile(r"^[!-~]{1,500}$")  # one shell word of printable ASCII: it is pasted into a terminal
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")


class DeploymentError(ValueError):
    """The context given to the CDK app does not describe a valid deployment."""


@dataclass(frozen=True)
class Deployment:
    """One customer's environment: ``cdk deploy -c customer=acme -c stage=prod``."""

    customer: str
    stage: Stage
    alarm_email: str | None = None
    waf: bool | None = None  # None: on in production only
    waf_rate_limit: int = DEFAULT_WAF_RATE_LIMIT
    snap_start: bool = False  # Lambda SnapStart: API Gateway calls each function's ``live`` alias
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API; none by default
    mail_from: str | None = None  # the SES identity invitations come from; none: they fail, saying so
    kms_key_arn: str | None = None  # the customer's existing KMS key, to encrypt data and logs under
    customer_managed_key: bool = False  # create such a key (with rotation) in the stack
    reserved_concurrency: int = DEFAULT_RESERVED_CONCURRENCY  # per function; 0: none reserved
    cli_package: str | None = None  # what invitations tell candidates to `pipx install`; none: promptster-cli

    def __post_init__(self) -> None:
        if not _CUSTOMER.match(self.customer):
            raise DeploymentError(
                f"customer {self.customer!r} must be 1-20 lowercase letters, digits or hyphens, starting with a letter"
            )
        if self.stage not in STAGES:
            raise DeploymentError(f"stage {self.stage!r} must be one of {', '.join(STAGES)}")
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise DeploymentError(f"alarmEmail {self.alarm_email!r} is not an email address")
        if self.mail_from is not None and not _EMAIL.match(self.mail_from):
            raise DeploymentError(f"mailFrom {self.mail_from!r} is not an email address")
        if self.waf_rate_limit not in WAF_RATE_LIMITS:
            raise DeploymentError(
                f"wafRateLimit {self.waf_rate_limit} must be from {WAF_RATE_LIMITS.start} to {WAF_RATE_LIMITS[-1]}"
            )

        if self.cli_package is not None and not _CLI_PACKAGE.match(self.cli_package):
            raise DeploymentError(
                f"cliPackage {self.cli_package!r} must be what pipx installs (a name or a URL): "
                "1-500 characters, no spaces"
            )
        if self.kms_key_arn is not None and not _KMS_KEY_ARN.match(self.kms_key_arn):
            raise DeploymentError(f"kmsKeyArn {self.kms_key_arn!r} is not a KMS key ARN")
        if self.kms_key_arn is not None and self.customer_managed_key:
            raise DeploymentError("give kmsKeyArn or customerManagedKey=true, not both")

    @classmethod
    def from_context(cls, get: Callable[[str], object]) -> Deployment:
        """The deployment the CDK context asks for: ``-c customer=… -c stage=…`` and optionally
        ``-c alarmEmail=… -c waf=true|false -c wafRateLimit=… -c snapStart=true|false``
        ``-c corsOrigins=https://app.example.com,https://admin.example.com`` ``-c mailFrom=hiring@acme.com``
        ``-c kmsKeyArn=arn:aws:kms:…`` or ``-c customerManagedKey=true``, ``-c reservedConcurrency=…``,
        ``-c cliPackage=…`` (what invitations tell candidates to install the CLI from)."""
        customer = get("customer") or DEFAULT_CUSTOMER
        stage = get("stage") or DEFAULT_STAGE
        email = get("alarmEmail") or None
        return cls(
            str(customer),
            cast(Stage, str(stage)),
            str(email) if email else None,
            waf=_flag("waf", get("waf")),
            waf_rate_limit=_count("wafRateLimit", get("wafRateLimit"), DEFAULT_WAF_RATE_LIMIT),
            snap_start=bool(_flag("snapStart", get("snapStart"))),
            cors_origins=_origins(get("corsOrigins")),
            mail_from=str(get("mailFrom")) if get("mailFrom") else None,
            kms_key_arn=str(get("kmsKeyArn")) if get("kmsKeyArn") else None,
            customer_managed_key=bool(_flag("customerManagedKey", get("customerManagedKey"))),
            reserved_concurrency=_count(
                "reservedConcurrency", get("reservedConcurrency"), DEFAULT_RESERVED_CONCURRENCY
            ),
            cli_package=str(get("cliPackage")) if get("cliPackage") else None,
        )

    @property
    def production(self) -> bool:
        """Production keeps its data: retained table, deletion protection, longer log retention."""
        return self.stage == "prod"

    @property
    def waf_enabled(self) -> bool:
        """Whether a web ACL guards the stage: asked for with ``waf``, or else production's default."""
        return self.production if self.waf is None else self.waf

    @property
    def customer_key(self) -> bool:
        """Whether data, logs and the alarm topic are encrypted under a customer managed KMS key."""
        return self.customer_managed_key or self.kms_key_arn is not None

    @property
    def prefix(self) -> str:
        """What every physical name of this deployment starts with."""
        return f"promptster-{self.customer}-{self.stage}"

    @property
    def stack_name(self) -> str:
        return f"Promptster-{self.customer}-{self.stage}"

    @property
    def mail_domain(self) -> str | None:
        """The domain of ``mail_from``: SES authorizes a send against the address or its domain, whichever
        identity the customer verified."""
        return self.mail_from.rpartition("@")[2] if self.mail_from else None

    def name(self, suffix: str) -> str:
        """A physical name for one of this deployment's resources."""
        return f"{self.prefix}-{suffix}"


def _flag(name: str, value: object) -> bool | None:
    """A boolean context value: JSON ``true``/``false`` from cdk.json, or the same words from ``-c``."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise DeploymentError(f"{name} {value!r} must be true or false")
    return text == "true"


def _origins(value: object) -> tuple[str, ...]:
    """Origins from ``-c`` (comma-separated) or cdk.json (a list or the same string)."""
    if value is None:
        return ()
    text = ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
    try:
        return parse_origins(text)
    except ValueError as error:
        raise DeploymentError(f"corsOrigins: {error}") from None


def _count(name: str, value: object, default: int) -> int:
    """A whole-number context value, from cdk.json or ``-c``."""
    if value is None:
        return default
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise DeploymentError(f"{name} {value!r} must be a whole number")
    return int(str(value))
