"""Assessments as the API accepts and returns them."""

from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from shared.models.common import (
    NEXT_CURSOR_DESCRIPTION,
    NOT_BLANK,
    NOT_BLANK_PATTERN,
    WHOLE_NUMBER,
    ApiModel,
    HttpUrl,
    Name,
    RequestModel,
    UuidString,
    not_blank,
)
from shared.models.issues import Issue

MAX_TASK_BRIEF_CHARS = 20_000
MAX_TIME_LIMIT_MINUTES = 525_600  # one year: beyond it a deadline means nothing

TaskBrief = Annotated[str, StringConstraints(max_length=MAX_TASK_BRIEF_CHARS)]
TimeLimitMinutes = Annotated[int, Field(gt=0, le=MAX_TIME_LIMIT_MINUTES), WHOLE_NUMBER]
ExpiresInDays = Annotated[int, Field(ge=1, le=365), WHOLE_NUMBER]
IssueId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


def _brief_unless_issue(schema: dict[str, Any]) -> None:
    """The rule the domain enforces, as a JSON Schema condition (not a union of variants, which client
    generators cannot read): without an ``issueId``, a ``taskBrief`` that is not blank."""
    schema["if"] = {"required": ["issueId"], "properties": {"issueId": {"type": "string"}}}
    schema["else"] = {
        "required": ["taskBrief"],
        "properties": {"taskBrief": {"type": "string", "pattern": NOT_BLANK_PATTERN}},
    }


SEED_EXAMPLE_REQUEST = {
    "title": "Backend API Challenge",
    "role": "Senior Backend Engineer",
    "taskBrief": "Build a webhook ingestion endpoint that validates, stores, and deduplicates incoming events.",
    "timeLimitMinutes": 120,
    "expiresInDays": 7,
}


class CreateAssessmentRequest(RequestModel):
    """Body of `POST /v1/assessments`. Rule: provide a `taskBrief` (not blank) or an `issueId`; with an
    `issueId` the task brief comes from the linked OSS issue and any `taskBrief` sent is ignored."""

    model_config = ConfigDict(json_schema_extra=_brief_unless_issue)

    title: Name = Field(description="Assessment name shown to candidates and in your dashboard.")
    role: Name = Field(description='The role being assessed, e.g. "Senior Backend Engineer".')
    task_brief: TaskBrief | None = Field(
        None,
        description="The task description candidates receive when they start their session. "
        "Required (and not blank) unless issueId is provided.",
    )
    repo_url: HttpUrl | None = Field(
        None,
        description="URL of the repository candidates will work in during the assessment: http or https, "
        "with a host name and no user:password@ part.",
        examples=["https://github.com/acme/webhooks"],
    )
    time_limit_minutes: TimeLimitMinutes | None = Field(
        None, description="Time limit in minutes. If omitted, no time limit is enforced."
    )
    expires_in_days: ExpiresInDays = Field(
        7, description="How many days from key generation before candidate keys expire. Defaults to 7."
    )
    issue_id: IssueId | None = Field(
        None,
        description="ID of a pre-configured OSS issue task (GET /v1/issues lists them). When provided, taskBrief "
        "is auto-populated from the issue and takes precedence over any taskBrief you supply.",
    )
    rubric_id: UuidString | None = Field(
        None,
        description="UUID of an active scoring rubric of your organisation to link to this assessment. Rubric "
        "criteria are used when scoring completed sessions; an unknown one is a 400 `rubric_not_found`.",
    )


def _left_out_means_unchanged(schema: dict[str, Any]) -> None:
    """A merge patch has no defaults: a field left out keeps its value (and null is refused where the
    field is required, as its type says)."""
    for field in schema.get("properties", {}).values():
        field.pop("default", None)


class UpdateAssessmentRequest(RequestModel):
    """Body of `PATCH /v1/assessments/{id}`: a JSON merge patch (RFC 7396). Each field sent replaces the
    assessment's; `null` clears an optional one (`repoUrl`, `timeLimitMinutes`, `issueId`, `rubricId`);
    a field left out keeps its value. The rules of creation hold: an `issueId` supplies the brief (over a
    `taskBrief` in the same patch; while an issue stays linked, clear `issueId` to write your own brief),
    a `rubricId` must name an active rubric of yours. Sessions keep the brief, repository and time limit
    they started with; a new `expiresInDays` applies to keys generated afterwards."""

    model_config = ConfigDict(json_schema_extra=_left_out_means_unchanged)

    # Required fields of an assessment: sent, they must hold a value (their type refuses null). Their
    # default only says that the field was not sent: it is never validated, nor read (model_fields_set).
    title: Name = Field(None, description="Assessment name shown to candidates and in your dashboard.")  # type: ignore[assignment]
    role: Name = Field(None, description="The role being assessed.")  # type: ignore[assignment]
    task_brief: Annotated[TaskBrief, AfterValidator(not_blank), NOT_BLANK] = Field(  # type: ignore[assignment]
        None, description="The task description candidates receive when they start (not blank)."
    )
    expires_in_days: ExpiresInDays = Field(  # type: ignore[assignment]
        None, description="Days from key generation before candidate keys expire (keys generated from now on)."
    )
    # Optional ones: null clears them.
    repo_url: HttpUrl | None = Field(
        None, description="URL of the repository candidates work in (http or https), or null to clear it."
    )
    time_limit_minutes: TimeLimitMinutes | None = Field(
        None, description="Time limit in minutes (for sessions started from now on), or null for none."
    )
    issue_id: IssueId | None = Field(
        None, description="A catalog issue whose brief becomes the task brief, or null to unlink it (the brief stays)."
    )
    rubric_id: UuidString | None = Field(
        None,
        description="An active rubric of your organisation (sessions started from now on are scored on it), or "
        "null to unlink it.",
    )


class Assessment(ApiModel):
    """An assessment's own fields: the seed's twelve."""

    id: str = Field(
        description="UUID that uniquely identifies the assessment. Use this when generating candidate keys or "
        "retrieving results."
    )
    org_id: str = Field(description="Your organization ID.")
    title: str = Field(description="Assessment name.")
    role: str = Field(description="The role being assessed.")
    task_brief: str = Field(description="Task description shown to candidates.")
    repo_url: str | None = Field(description="Repository URL, or null if not set.")
    time_limit_minutes: int | None = Field(description="Time limit in minutes, or null if no limit is set.")
    expires_in_days: int = Field(description="Days from key generation until candidate keys expire.")
    issue_id: str | None = Field(description="Linked OSS issue ID, or null if not set.")
    rubric_id: str | None = Field(description="Linked rubric UUID, or null if not set.")
    created_at: str = Field(description="ISO 8601 timestamp of when the assessment was created.")
    updated_at: str = Field(description="ISO 8601 timestamp of the last update.")


class AssessmentView(Assessment):
    """An assessment as every reviewer route returns it: with the snapshot of its OSS issue, or null."""

    issue: Issue | None = Field(description="The linked OSS issue's details, or null if no issue is linked.")


class CandidateAssessment(ApiModel):
    """What a candidate is shown of the assessment: the brief, repository and issue only once their
    session has started (null before), so the clock cannot be gamed; never the reviewer's fields."""

    id: str
    title: str
    role: str
    task_brief: str | None
    repo_url: str | None
    time_limit_minutes: int | None
    issue: Issue | None


class CandidateAssessmentEnvelope(ApiModel):
    assessment: CandidateAssessment


class AssessmentEnvelope(ApiModel):
    assessment: AssessmentView


class AssessmentPage(ApiModel):
    assessments: list[AssessmentView]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)
