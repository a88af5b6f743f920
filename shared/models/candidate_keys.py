"""Candidate keys as the API accepts and returns them."""

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints

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


def _positional(schema: dict[str, Any]) -> None:
    """The rule the domain enforces, as JSON Schema: ``candidateEmails`` lists exactly ``count`` addresses,
    and ``candidateNames`` comes only with them, name for address (one branch per count)."""
    schema["dependentRequired"] = {"candidateNames": ["candidateEmails"]}
    schema["anyOf"] = [
        {"properties": {"candidateEmails": {"type": "null"}, "candidateNames": {"type": "null"}}},
        *(
            {
                "required": ["candidateEmails"],
                "properties": {
                    "count": {"const": count},
                    "candidateEmails": {"type": "array", "minItems": count, "maxItems": count},
                    "candidateNames": {"anyOf": [{"type": "null"}, {"minItems": count, "maxItems": count}]},
                },
            }
            for count in range(1, MAX_KEYS_PER_REQUEST + 1)
        ),
    ]


class GenerateKeysRequest(RequestModel):
    """Body of `POST /v1/assessments/{id}/keys`: `count` keys, optionally addressed to candidates, the
    n-th key to the n-th email (and name)."""

    model_config = ConfigDict(json_schema_extra=_positional)

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


class Invite(ApiModel):
    """The invitation email of a key issued for a candidate's address."""

    status: InviteStatus = Field(description="`queued`, `sent`, `failed`, or `not_requested` (sendInvites false).")
    sent_at: str | None = Field(description="When the email was handed to the mail service, or null.")
    error: str | None = Field(description="Why it failed (the mail service's reason, or `mail_not_configured`).")


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


class KeyList(ApiModel):
    """The keys just issued."""

    keys: list[CandidateKey]


class KeyPage(ApiModel):
    """One page of an assessment's keys, newest first."""

    keys: list[CandidateKey]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)


class EraseCandidateRequest(RequestModel):
    """Body of ``POST /v1/candidates/erase``."""

    email: Email


class Erasure(ApiModel):
    """How many of the organisation's keys named the candidate (0 when none, or already erased)."""

    erased: int
