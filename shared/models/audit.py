"""The audit log as the API returns it: who changed what, when, in which request."""

from typing import Literal, get_args

from pydantic import Field

from shared.models.common import NEXT_CURSOR_DESCRIPTION, UUID_PATTERN, ApiModel

AuditAction = Literal[
    "assessment.create",
    "assessment.update",
    "assessment.delete",
    "keys.generate",
    "key.revoke",
    "key.resend",
    "session.extend",
    "session.score",
    "candidate.erase",
    "rubric.create",
    "rubric.delete",
    "webhook.create",
    "webhook.delete",
    "webhook.test",
    "token.create",
    "token.revoke",
    "share.create",
    "share.revoke",
    "integration.create",
    "integration.delete",
]
AUDIT_ACTIONS: tuple[str, ...] = get_args(AuditAction)
ResourceType = Literal[
    "assessment", "key", "session", "candidate", "rubric", "webhook", "token", "share", "integration"
]
RESOURCE_TYPES: tuple[str, ...] = get_args(ResourceType)
ActorType = Literal["token", "operator", "integration"]

# resource=<type>:<id>, the id as the API shows it: a UUID (a token's id is one), or an email's SHA-256.
_UUID = UUID_PATTERN.removeprefix("^").removesuffix("$")
_BY_UUID = "|".join(kind for kind in RESOURCE_TYPES if kind != "candidate")
RESOURCE_FILTER_PATTERN = rf"^(?:(?:{_BY_UUID}):{_UUID}|candidate:[0-9a-fA-F]{{64}})$"


class AuditResource(ApiModel):
    type: ResourceType = Field(
        description="What was changed. `candidate` is an erasure, its id the SHA-256 of the email (lower-cased, "
        "trimmed): the log says that a candidate was erased, never who."
    )
    id: str = Field(description="Its id: a UUID, a token's id, or for `candidate` the email's SHA-256.")


class AuditActor(ApiModel):
    type: ActorType = Field(
        description="`token`: a reviewer's API token; `operator`: someone running `python -m infra.tokens`; "
        "`integration`: an applicant tracking system calling with an integration's key."
    )
    id: str = Field(description="The token's id, `cli:<operator>`, or the integration's id.")
    name: str = Field(description="The token's name, the operator's, or the ATS's (`greenhouse integration`).")


class AuditLogRecord(ApiModel):
    """One change, recorded in the same transaction as the change itself: a failed change leaves none."""

    id: str = Field(description="The record's UUID (time-ordered).")
    at: str = Field(description="When the change was made (ISO 8601).")
    action: AuditAction
    resource: AuditResource
    actor: AuditActor
    request_id: str = Field(description="The request's id, as its answer and the logs carry it.")
    changes: list[str] = Field(
        description="The names of the fields the action set or changed (no values: never personal data or secrets)."
    )


class AuditPage(ApiModel):
    """One page of the organisation's audit records, newest first."""

    records: list[AuditLogRecord]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)
