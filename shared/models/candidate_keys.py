"""Candidate keys as the API accepts and returns them."""

from __future__ import annotations

import hashlib
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


class GenerateKeysRequest(RequestModel):
    """Body of ``POST /v1/assessments/{id}/keys``."""

    count: Annotated[int, Field(ge=1, le=MAX_KEYS_PER_REQUEST)]
    candidate_emails: Annotated[list[Email], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = None
    candidate_names: Annotated[list[Name], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = None
    org_name: Name | None = None  # kept with each key, for the invitation the organisation sends


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
    erased_at: str | None  # when the candidate's name and email were erased on request


class KeyList(ApiModel):
    keys: list[CandidateKey]


def email_digest(email: str) -> str:
    """The SHA-256 of an address as matched (case and surrounding space ignored): what the store files a
    candidate under and the logs name them by, so neither holds the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class EraseCandidateRequest(RequestModel):
    """Body of ``POST /v1/candidates/erase``."""

    email: Email


class Erasure(ApiModel):
    """How many of the organisation's keys named the candidate (0 when none, or already erased)."""

    erased: int
