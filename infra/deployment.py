"""Which customer and stage a stack is for, and the names that follow from it (no CDK import)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

Stage = Literal["dev", "prod"]
STAGES: tuple[Stage, ...] = ("dev", "prod")
DEFAULT_CUSTOMER = "demo"
DEFAULT_STAGE: Stage = "dev"

# Short and DNS-like: it ends up in stack, table, function and log group names, and
# Lambda caps function names at 64 characters.
_CUSTOMER = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DeploymentError(ValueError):
    """The context given to the CDK app does not describe a valid deployment."""


@dataclass(frozen=True)
class Deployment:
    """One customer's environment: ``cdk deploy -c customer=acme -c stage=prod``."""

    customer: str
    stage: Stage
    alarm_email: str | None = None

    def __post_init__(self) -> None:
        if not _CUSTOMER.match(self.customer):
            raise DeploymentError(
                f"customer {self.customer!r} must be 1-20 lowercase letters, digits or hyphens, starting with a letter"
            )
        if self.stage not in STAGES:
            raise DeploymentError(f"stage {self.stage!r} must be one of {', '.join(STAGES)}")
        if self.alarm_email is not None and not _EMAIL.match(self.alarm_email):
            raise DeploymentError(f"alarmEmail {self.alarm_email!r} is not an email address")

    @classmethod
    def from_context(cls, get: Callable[[str], object]) -> Deployment:
        """The deployment the CDK context (``-c customer=… -c stage=… [-c alarmEmail=…]``) asks for."""
        customer = get("customer") or DEFAULT_CUSTOMER
        stage = get("stage") or DEFAULT_STAGE
        email = get("alarmEmail") or None
        return cls(str(customer), cast(Stage, str(stage)), str(email) if email else None)

    @property
    def production(self) -> bool:
        """Production keeps its data: retained table, deletion protection, longer log retention."""
        return self.stage == "prod"

    @property
    def prefix(self) -> str:
        """What every physical name of this deployment starts with."""
        return f"promptster-{self.customer}-{self.stage}"

    @property
    def stack_name(self) -> str:
        return f"Promptster-{self.customer}-{self.stage}"

    def name(self, suffix: str) -> str:
        """A physical name for one of this deployment's resources."""
        return f"{self.prefix}-{suffix}"
