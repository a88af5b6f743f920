"""Outgoing email: the message the domain composes, and Amazon SES (v2) as the way it leaves.
The local server writes the same messages to files instead."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client

# SES refusals that sending again will not change: the address, the sender identity or the account is
# the problem. Everything else (throttling, quotas, service errors) is worth another attempt.
PERMANENT_REFUSALS = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",
        "SendingPausedException",
        "BadRequestException",
        "NotFoundException",
    }
)


class Message(NamedTuple):
    """One email to one recipient, as plain text and HTML."""

    sender: str
    recipient: str
    subject: str
    text: str
    html: str


class MailRefusedError(Exception):
    """The mail service refused the message for good; ``reason`` says why, in its own words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@cache
def client() -> SESV2Client:
    """Built on first use (tests start moto before it); standard mode retries throttles with backoff."""
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("sesv2", config=config)


class SesMailer:
    """Sends through SES v2 ``SendEmail``; a permanent refusal raises MailRefusedError, anything else
    is raised as it came, for the caller to retry."""

    def send(self, message: Message) -> None:
        try:
            client().send_email(
                FromEmailAddress=message.sender,
                Destination={"ToAddresses": [message.recipient]},
                Content={
                    "Simple": {
                        "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": message.text, "Charset": "UTF-8"},
                            "Html": {"Data": message.html, "Charset": "UTF-8"},
                        },
                    }
                },
            )
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "")
            if code in PERMANENT_REFUSALS:
                raise MailRefusedError(f"{code}: {details.get('Message', '')}".rstrip(": ")) from error
            raise
