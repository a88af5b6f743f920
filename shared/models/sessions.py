"""Candidate sessions and their results as the API accepts and returns them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.models.assessments import CandidateAssessment
from shared.models.common import ApiModel, HttpUrl, RequestModel, not_blank
from shared.models.rubrics import whole_as_int

MAX_NOTES_CHARS = 10_000
GRACE_SECONDS = 60  # how long after its deadline a session may still be completed

SessionStatus = Literal["in_progress", "completed", "timed_out", "revoked"]
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES_CHARS)]


def _hundredths(value: float) -> float:
    """At most two decimal places: what a reviewer means, and always storable as a DynamoDB number."""
    if round(value, 2) != value:
        raise PydanticCustomError("decimal_places", "must have at most 2 decimal places")
    return value


Points = Annotated[float, Field(ge=0, le=100), AfterValidator(_hundredths)]


class Submission(ApiModel):
    """What the candidate handed in when completing."""

    url: str | None
    notes: str | None


class ScoredCriterion(ApiModel):
    name: str
    weight: Annotated[int | float, AfterValidator(whole_as_int)]
    score: Annotated[int | float, AfterValidator(whole_as_int)]


class Score(ApiModel):
    """A reviewer's score against the assessment's rubric: ``totalScore`` is the weighted average."""

    criteria: tuple[ScoredCriterion, ...]
    total_score: Annotated[int | float, AfterValidator(whole_as_int)]
    comment: str | None
    scored_at: str


class _SessionFields(ApiModel):
    id: str
    assessment_id: str
    key_id: str
    org_id: str
    candidate_email: str | None
    candidate_name: str | None
    status: SessionStatus
    started_at: str
    deadline: str | None
    completed_at: str | None
    duration_seconds: int | None
    submission: Submission | None
    erased_at: str | None  # when the candidate's name, email and notes were erased on request


class Session(_SessionFields):
    """A session as a reviewer reads it, with its score."""

    score: Score | None


class CandidateSession(_SessionFields):
    """A session as its candidate reads it: no score, and the time left (null without a deadline)."""

    remaining_seconds: int | None


class SessionEnvelope(ApiModel):
    session: Session


class CandidateSessionEnvelope(ApiModel):
    session: CandidateSession


class StartedSession(ApiModel):
    session: CandidateSession
    assessment: CandidateAssessment


class SessionPage(ApiModel):
    sessions: list[Session]
    next_cursor: str | None


class CompleteSessionRequest(RequestModel):
    """Optional body of ``POST /v1/sessions/{id}/complete``."""

    submission_url: HttpUrl | None = None
    notes: Notes | None = None


class CriterionScore(RequestModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(not_blank)]
    score: Points


class ScoreSessionRequest(RequestModel):
    """Body of ``PUT /v1/sessions/{id}/score``: every criterion of the rubric, scored once."""

    criteria: Annotated[list[CriterionScore], Field(min_length=1, max_length=20)]
    comment: Notes | None = None
