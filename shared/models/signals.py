"""What a session's events say about how the candidate worked, as the API returns it: the signals kept on
each session, and their spread over an assessment's cohort. Apart from the events themselves, which only
the routes that take or list events load."""

from pydantic import Field

from shared.models.common import ApiModel

Number = int | float


class Signals(ApiModel):
    """What the session's events say about how the candidate worked, kept exact as events arrive."""

    event_count: int
    prompt_count: int
    tool_call_count: int
    test_run_count: int
    test_pass_count: int
    decision_count: int
    first_event_at: str | None
    last_event_at: str | None
    ai_attribution_pct: Number | None  # share of file changes authored by AI; null without any


class Spread(ApiModel):
    """A signal's distribution over the cohort (null when no session has a value)."""

    min: Number | None
    p25: Number | None
    median: Number | None
    p75: Number | None
    max: Number | None


class AssessmentStats(ApiModel):
    """The signals' spread over the assessment's completed sessions, and each such session's
    percentile rank in it, by session id: the spread over all of them, the ranks a page at a time."""

    sessions: int = Field(description="How many sessions of the assessment are completed: the cohort.")
    signals: dict[str, Spread] = Field(description="Each numeric signal's spread over the whole cohort.")
    percentiles: dict[str, dict[str, Number | None]] = Field(
        description="Per completed session of this page (in start order), each numeric signal's percentile rank "
        "in the whole cohort."
    )
    next_cursor: str | None = Field(
        None, description="Pass it as `cursor` for the next page of ranks; null once every session's are in."
    )
