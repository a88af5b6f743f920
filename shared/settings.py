"""Configuration from the environment, read when first needed (never at import time)."""

from __future__ import annotations

import os

DEFAULT_TABLE_NAME = "promptster-local"


def table_name() -> str:
    """The DynamoDB table every function reads and writes."""
    return os.environ.get("TABLE_NAME", DEFAULT_TABLE_NAME)


# The verified SES identity invitations are sent from, and the API's base URL they tell candidates to
# call; the stack sets both on the event consumer.
MAIL_FROM_VARIABLE = "PROMPTSTER_MAIL_FROM"
API_URL_VARIABLE = "PROMPTSTER_API_URL"


def mail_from() -> str | None:
    """The sender of invitations, or None when the deployment has none (invitations then fail)."""
    return os.environ.get(MAIL_FROM_VARIABLE) or None


def api_url() -> str:
    """The API's base URL, without a trailing slash."""
    return os.environ.get(API_URL_VARIABLE, "").rstrip("/")


# What invitations tell candidates to install the CLI from (``pipx install …``): the distribution's name
# on the package index by default; a deployment may name another source (a wheel's URL, a git URL).
CLI_PACKAGE_VARIABLE = "PROMPTSTER_CLI_PACKAGE"
DEFAULT_CLI_PACKAGE = "promptster-cli"


def cli_package() -> str:
    """The CLI's install source, as ``pipx install`` and ``uv tool install`` take it."""
    return os.environ.get(CLI_PACKAGE_VARIABLE) or DEFAULT_CLI_PACKAGE


# The SQS queue webhook deliveries wait in; the stack tells the functions that queue them.
WEBHOOK_QUEUE_VARIABLE = "PROMPTSTER_WEBHOOK_QUEUE_URL"


def webhook_queue_url() -> str | None:
    """The delivery queue's URL, or None where there is none."""
    return os.environ.get(WEBHOOK_QUEUE_VARIABLE) or None


# Set by the local server alone: plain http to this machine, for a receiver beside `make dev`. Inside
# Lambda it is ignored, whoever sets it.
LOCAL_LOOPBACK_VARIABLE = "PROMPTSTER_LOCAL_WEBHOOKS"


def loopback_receivers_allowed() -> bool:
    """Whether plain http to this machine is allowed: only when the local server says so, never in Lambda."""
    return bool(os.environ.get(LOCAL_LOOPBACK_VARIABLE)) and "AWS_LAMBDA_FUNCTION_NAME" not in os.environ
