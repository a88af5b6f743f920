"""Candidate keys as the API accepts and returns them."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from shared.models.common import (
    NEXT_CURSOR_DESCRIPTION,
    WHITE_SPACE,
    WHOLE_NUMBER,
    ApiModel,
    Name,
    RequestModel,
    matches,
)

MAX_KEYS_PER_REQUEST = 50
MAX_EXTRA_MINUTES = 1_440  # a day: extra time on a key, or added at once to a running session

# Deliberately plain: one @, no white space, a dot in the domain. Deliverability is the mailer's business.
# (Not JSON Schema's "email" format, which is RFC 5321's far longer rule; the pattern is the rule.)
EMAIL_PATTERN = rf"^[^@{WHITE_SPACE}]+@[^@{WHITE_SPACE}]+\.[^@{WHITE_SPACE}]+$"

Email = Annotated[
    str,
    StringConstraints(max_length=254),
    matches(EMAIL_PATTERN, "email", "must be an email address"),
    Field(json_schema_extra={"pattern": EMAIL_PATTERN}),
]
KeyStatus = Literal["pending", "redeemed", "completed", "expired", "revoked"]
InviteStatus = Literal["queued", "sent", "failed", "not_requested"]


def _minutes(value: object) -> int | None:
    """``value`` as a whole number of extra minutes (7.0 is 7, as JSON Schema reads it), or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_EXTRA_MINUTES:
        return value
    return None


def _extra_minutes(value: object) -> int | list[int]:
    """One number of extra minutes for every key, or a list of them, one per key. One error names the
    field (and the list's first wrong entry), not each shape it could have had."""
    one = _minutes(value)
    if one is not None:
        return one
    if isinstance(value, list) and len(value) <= MAX_KEYS_PER_REQUEST:
        each = [_minutes(entry) for entry in value]
        wrong = next((index for index, minutes in enumerate(each) if minutes is None), None)
        if wrong is None:
            return [minutes for minutes in each if minutes is not None]
        raise PydanticCustomError(
            "extra_minutes", f"entry {wrong} is not a whole number of minutes from 0 to {MAX_EXTRA_MINUTES}"
        )
    raise PydanticCustomError(
        "extra_minutes",
        f"must be a whole number of minutes from 0 to {MAX_EXTRA_MINUTES}, or a list of up to "
        f"{MAX_KEYS_PER_REQUEST} of them",
    )


_MINUTES_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_EXTRA_MINUTES}
ExtraMinutes = Annotated[
    int | list[int],
    PlainValidator(_extra_minutes),
    WithJsonSchema(
        {"anyOf": [_MINUTES_SCHEMA, {"type": "array", "items": _MINUTES_SCHEMA, "maxItems": MAX_KEYS_PER_REQUEST}]}
    ),
]


def _names_need_emails(schema: dict[str, Any]) -> None:
    """The part of the positional rule JSON Schema states without a branch per count: no names without
    addresses. That the lengths match ``count`` is stated in words (the domain enforces it)."""
    schema["dependentRequired"] = {"candidateNames": ["candidateEmails"]}


class GenerateKeysRequest(RequestModel):
    """Body of `POST /v1/assessments/{id}/keys`: `count` keys, optionally addressed to candidates, the
    n-th key to the n-th email (and name). Rules: `candidateEmails`, when sent, lists exactly `count`
    addresses; `candidateNames`, when sent, needs `candidateEmails` and lists as many names (a 400
    `validation_error` whose detail `length_mismatch` names the field otherwise)."""

    model_config = ConfigDict(json_schema_extra=_names_need_emails)

    count: Annotated[int, Field(ge=1, le=MAX_KEYS_PER_REQUEST), WHOLE_NUMBER] = Field(
        description="How many keys to issue."
    )
    candidate_emails: Annotated[list[Email], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = Field(
        None,
        description="One address per key, in key order: exactly `count` of them (one @, no white space, a dot "
        "in the domain).",
        examples=[["ada@example.com"]],
    )
    candidate_names: Annotated[list[Name], Field(max_length=MAX_KEYS_PER_REQUEST)] | None = Field(
        None, description="One name per address of `candidateEmails` (which it requires), in the same order."
    )
    org_name: Name | None = Field(
        None, description="Your organisation's name as candidates should see it, kept with each key."
    )
    send_invites: bool = Field(
        True, description="Email each candidate their key (the default); false leaves that to you."
    )
    extra_minutes: ExtraMinutes = Field(
        0,
        description="Extra time on top of the assessment's time limit, in minutes (0 to 1,440), added to the "
        "deadline when the session starts: one number for every key, or one per key in key order (exactly "
        "`count` of them, as `candidateEmails`). Without a time limit there is no deadline to move.",
        examples=[30, [0, 45]],
    )


class Invite(ApiModel):
    """The emails of a key issued for a candidate's address: the invitation, any sent again, the reminder."""

    status: InviteStatus = Field(
        description="Of the latest email: `queued`, `sent`, `failed`, or `not_requested` (sendInvites false)."
    )
    sent_at: str | None = Field(description="When the invitation was first handed to the mail service, or null.")
    error: str | None = Field(description="Why it failed (the mail service's reason, or `mail_not_configured`).")
    sent_count: int = Field(description="How many emails were sent for this key: the invitation, resends, reminder.")
    last_sent_at: str | None = Field(description="When the latest of them was sent, or null.")
    reminded_at: str | None = Field(
        description="When the one reminder was sent (before the key expires, if it is still unused), or null."
    )


class CandidateKey(ApiModel):
    """A one-time key, with its status as of the moment it is read."""

    id: str = Field(description="The key's UUID (revoke it by this id).")
    key: str = Field(description="The code the candidate types: PST-XXXX-XXXX.")
    assessment_id: str = Field(description="The assessment the key opens.")
    org_id: str = Field(description="Your organization ID.")
    candidate_email: str | None = Field(description="Who the key was issued to, or null.")
    candidate_name: str | None = Field(description="The candidate's name, or null.")
    status: KeyStatus = Field(description="As of this answer: an unused key past `expiresAt` reads `expired`.")
    session_id: str | None = Field(description="The session the key started, or null while unused.")
    expires_at: str = Field(description="ISO 8601 timestamp after which an unused key can no longer start.")
    redeemed_at: str | None = Field(description="When the candidate started, or null.")
    completed_at: str | None = Field(description="When the candidate completed, or null.")
    created_at: str = Field(description="ISO 8601 timestamp of when the key was issued.")
    invite: Invite | None = Field(description="The invitation email of a key issued for an address, else null.")
    erased_at: str | None = Field(description="When the candidate's name and email were erased on request, or null.")
    extra_minutes: int = Field(description="Extra minutes added to the session's deadline when it starts (0: none).")


class KeyList(ApiModel):
    """The keys just issued."""

    keys: list[CandidateKey]


class KeyEnvelope(ApiModel):
    key: CandidateKey


class KeyPage(ApiModel):
    """One page of an assessment's keys, in creation order unless `order=desc` asked for newest first."""

    keys: list[CandidateKey]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)


class EraseCandidateRequest(RequestModel):
    """Body of ``POST /v1/candidates/erase``."""

    email: Email = Field(description="The candidate's address, as their keys were issued to (case and space ignored).")


class Erasure(ApiModel):
    """How many of the organisation's keys named the candidate (0 when none, or already erased)."""

    erased: int
