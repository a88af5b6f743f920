"""Candidate keys as the API accepts and returns them."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.models.common import ApiModel, Name, RequestModel

MAX_KEYS_PER_REQUEST = 50

# Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is the mailer's business.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise PydanticCustomError("email", "must be an email address")
    return value


Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
KeyStatus = Literal["pending", "redeemed", "completed", "expired", "revoked"]
InviteStatus = Literal["queued", "sent", "failed", "not_requested"]


class GenerateKeysRequest(RequestModel):
    """Body of ``POST /v1/assessments/{id}/keys``."""

    count: Annotated[int, Field(ge=1, le=MAX_KEYS_PER_REQUEST)]
    candidate_emails: Annotated[list[Email], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = None
    candidate_names: Annotated[list[Name], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = None
    org_name: Name | None = None  # kept with each key, for the invitation the organisation sends
    send_invites: bool = True  # email each candidate their key; false leaves that to the reviewer


class Invite(ApiModel):
    """The invitation email of a key issued for a candidate's address."""

    status: InviteStatus
    sent_at: str | None
    error: str | None  # SES's reason for refusing it, or ``mail_not_configured``


class CandidateKey(ApiModel):
    """A one-time key, with its status as of the moment it is read."""

    id: str
    key: str
    assessment_id: str
    org_id: str
    candidate_email: str | None
    candidate_name: str | None
    status: KeyStatus
    session_id: str | None
    expires_at: str
    redeemed_at: str | None
    completed_at: str | None
    created_at: str
    invite: Invite | None  # keys issued with an email only


class KeyList(ApiModel):
    keys: list[CandidateKey]
