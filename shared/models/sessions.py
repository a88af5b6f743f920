"""Candidate sessions and their results as the API accepts and returns them."""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from shared.models.assessments import CandidateAssessment
from shared.models.common import (
    NEXT_CURSOR_DESCRIPTION,
    NOT_BLANK,
    WHOLE_NUMBER,
    ApiModel,
    HttpUrl,
    RequestModel,
    not_blank,
)
from shared.models.rubrics import whole_as_int
from shared.models.signals import Signals

MAX_NOTES_CHARS = 10_000
GRACE_SECONDS = 60  # how long after its deadline a session may still be completed
MAX_EXTENSION_MINUTES = 1_440
MAX_REASON_CHARS = 500

SessionStatus = Literal["in_progress", "completed", "timed_out", "revoked"]
Notes = Annotated[str, StringConstraints(max_length=MAX_NOTES_CHARS)]


# At most two decimal places: what a reviewer means, and always storable as a DynamoDB number; float
# noise inside pydantic's tolerance (0.29 as 29 * 0.01) is kept as the 2 decimals it means.
Points = Annotated[
    float,
    Field(
        ge=0,
        le=100,
        multiple_of=0.01,
        description="The criterion's score: 0 to 100, with at most 2 decimal places.",
    ),
    AfterValidator(lambda points: round(points, 2)),
]


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


class Extension(ApiModel):
    """Time a reviewer added to the running session."""

    minutes: int = Field(description="How many minutes the deadline moved.")
    reason: str | None = Field(description="Why, as the reviewer wrote it; null once the candidate was erased.")
    at: str = Field(description="When (ISO 8601).")


class _SessionFields(ApiModel):
    id: str = Field(description="The session's UUID.")
    assessment_id: str = Field(description="The assessment the session is for.")
    key_id: str = Field(description="The key that started it.")
    org_id: str = Field(description="The organization ID.")
    candidate_email: str | None = Field(description="The candidate's email as the key was issued, or null.")
    candidate_name: str | None = Field(description="The candidate's name as the key was issued, or null.")
    status: SessionStatus = Field(
        description="As of this answer: `timed_out` once the deadline and 60 s of grace have passed."
    )
    started_at: str = Field(description="ISO 8601 timestamp of the start.")
    deadline: str | None = Field(description="When the time limit runs out, or null without one.")
    completed_at: str | None = Field(description="When the candidate completed, or null.")
    duration_seconds: int | None = Field(description="Seconds from start to completion, or null.")
    submission: Submission | None = Field(description="What the candidate handed in, or null.")
    erased_at: str | None = Field(
        description="When the candidate's name, email and notes were erased on request, or null."
    )
    extensions: list[Extension] = Field(
        description="Time added while the session ran, oldest first (each moved `deadline`); empty without any."
    )


class Session(_SessionFields):
    """A session as a reviewer reads it, with its score and the signals of its events."""

    score: Score | None
    signals: Signals
    tools: list[str] = Field(
        description='The tools that captured its events (their `tool`), sorted, e.g. `["claude-code", "cli"]`.'
    )


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


class ListedSession(Session):
    """A session as the assessment's list shows it: with its standing among the completed sessions."""

    percentiles: dict[str, int | float | None] | None = Field(
        description="Per numeric signal, the share of the assessment's completed sessions below this one (ties "
        "count half), 0 to 100; null unless this session is completed."
    )


class SessionPage(ApiModel):
    sessions: list[ListedSession]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)


class CompleteSessionRequest(RequestModel):
    """Optional body of `POST /v1/sessions/{id}/complete`: what the candidate hands in."""

    submission_url: HttpUrl | None = Field(
        None,
        description="Where the work is, e.g. a pull request: http or https, with a host name.",
        examples=["https://github.com/ada/webhooks/pull/1"],
    )
    notes: Notes | None = Field(None, description="Anything the candidate wants the reviewer to know.")


class CriterionScore(RequestModel):
    """The score of one criterion of the session's rubric."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(not_blank), NOT_BLANK] = Field(
        description="A criterion of the rubric, whatever the case."
    )
    score: Points


class ScoreSessionRequest(RequestModel):
    """Body of `PUT /v1/sessions/{id}/score`: every criterion of the rubric, scored once."""

    criteria: Annotated[list[CriterionScore], Field(min_length=1, max_length=20)] = Field(
        description="Each criterion of the session's rubric exactly once (names compared without regard to case); "
        "an unknown, repeated or missing criterion is a 400 `validation_error` naming it.",
        json_schema_extra={"uniqueItems": True},
    )
    comment: Notes | None = Field(None, description="The reviewer's comment.")


class ExtendSessionRequest(RequestModel):
    """Body of `POST /v1/sessions/{id}/extend`: how long to add to the deadline, and why."""

    minutes: Annotated[int, Field(ge=1, le=MAX_EXTENSION_MINUTES), WHOLE_NUMBER] = Field(
        description="Minutes to add to the deadline: 1 to 1,440."
    )
    reason: Annotated[
        str, StringConstraints(min_length=1, max_length=MAX_REASON_CHARS), AfterValidator(not_blank), NOT_BLANK
    ] = Field(
        description="Why (shown to reviewers and the candidate, gone when the candidate is erased), e.g. "
        '"accommodation agreed with the candidate" or "outage on the candidate\'s side". Keep health details '
        "out of it: the reason says that time was agreed, not what for.",
        examples=["Outage on the candidate's side"],
    )
