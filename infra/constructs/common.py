"""Settings that follow from the stage and are shared by several constructs."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

from infra.deployment import Deployment


def removal_policy(deployment: Deployment) -> RemovalPolicy:
    """Production data and logs outlive the stack; a dev stack cleans up after itself."""
    return RemovalPolicy.RETAIN if deployment.production else RemovalPolicy.DESTROY


def log_retention(deployment: Deployment) -> logs.RetentionDays:
    """How long function and access logs are kept: a year in production, two weeks in dev."""
    return logs.RetentionDays.ONE_YEAR if deployment.production else logs.RetentionDays.TWO_WEEKS
