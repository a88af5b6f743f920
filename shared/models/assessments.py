"""Assessments as the API accepts and returns them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from shared.models.common import ApiModel, HttpUrl, Name, RequestModel, UuidString
from shared.models.issues import Issue

MAX_TASK_BRIEF_CHARS = 20_000
MAX_TIME_LIMIT_MINUTES = 525_600  # one year: beyond it a deadline means nothing


class CreateAssessmentRequest(RequestModel):
    """Body of ``POST /v1/assessments``."""

    title: Name
    role: Name
    task_brief: Annotated[str, StringConstraints(max_length=MAX_TASK_BRIEF_CHARS)] | None = None
    repo_url: HttpUrl | None = None
    time_limit_minutes: Annotated[int, Field(gt=0, le=MAX_TIME_LIMIT_MINUTES)] | None = None
    expires_in_days: Annotated[int, Field(ge=1, le=365)] = 7
    issue_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    rubric_id: UuidString | None = None


class Assessment(ApiModel):
    """An assessment's own fields: the seed's twelve."""

    id: str
    org_id: str
    title: str
    role: str
    task_brief: str
    repo_url: str | None
    time_limit_minutes: int | None
    expires_in_days: int
    issue_id: str | None
    rubric_id: str | None
    created_at: str
    updated_at: str


class AssessmentView(Assessment):
    """An assessment as every reviewer route returns it: with the snapshot of its OSS issue, or null."""

    issue: Issue | None


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
    next_cursor: str | None
