"""Business rules for an assessment's cohort: the spread of each numeric signal over its completed sessions,
and where each of them stands in it. From the signals kept on the sessions alone, never their events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from shared import clock, ids
from shared.domain.paging import decode_cursor, encode_cursor
from shared.domain.sessions import list_sessions, session_status, signals_view
from shared.errors import NotFoundError
from shared.models.rubrics import whole_as_int
from shared.models.sessions import ListedSession
from shared.models.signals import AssessmentStats, Number, Signals, Spread

if TYPE_CHECKING:
    from shared.domain.ports import Sessions

_COHORT_PAGE = 1000
# Ranks an answer of stats carries at most: about 170 bytes each, far inside a response's 6 MB.
MAX_STATS_PAGE = 1000
NUMERIC_SIGNALS = (
    "eventCount",
    "promptCount",
    "toolCallCount",
    "testRunCount",
    "testPassCount",
    "decisionCount",
    "aiAttributionPct",
)


def assessment_stats(
    sessions: Sessions, org_id: str, assessment_id: str, limit: int = MAX_STATS_PAGE, cursor: str | None = None
) -> AssessmentStats:
    """The spread of each numeric signal over the assessment's completed sessions, and where each of
    them stands in it (percentile rank, 0 to 100), ``limit`` sessions a page in start order. Every page
    reads the whole cohort (its counters only: one Query a 1,000 sessions, never an event), so each
    rank is exact against all of it, while an answer stays small however large the cohort."""
    cohort = _completed_signals(sessions, org_id, assessment_id)
    columns, ranks = _cohort(cohort)
    after = decode_cursor(cursor)
    following = [session_id for session_id in sorted(ranks) if after is None or session_id > after]
    page = following[:limit]
    next_cursor = encode_cursor(page[-1]) if len(following) > limit else None
    return _stats(len(cohort), columns, {session_id: ranks[session_id] for session_id in page}, next_cursor)


def session_standing(sessions: Sessions, org_id: str, assessment_id: str, session_id: str) -> AssessmentStats:
    """What :func:`assessment_stats` answers of one session: the cohort's spread, and that session's rank
    alone (none unless it is completed), however large the cohort."""
    cohort = _completed_signals(sessions, org_id, assessment_id)
    columns, ranks = _cohort(cohort)
    return _stats(len(cohort), columns, {session_id: ranks[session_id]} if session_id in ranks else {}, None)


def _stats(
    size: int,
    columns: Mapping[str, Sequence[float]],
    percentiles: dict[str, dict[str, Number | None]],
    next_cursor: str | None,
) -> AssessmentStats:
    return AssessmentStats(
        sessions=size,
        signals={name: _spread(column) for name, column in columns.items()},
        percentiles=percentiles,
        next_cursor=next_cursor,
    )


def list_ranked_sessions(
    sessions: Sessions, org_id: str, assessment_id: str, limit: int, cursor: str | None
) -> tuple[list[ListedSession], str | None]:
    """One page of the assessment's sessions, each completed one ranked against the completed cohort.
    The cohort costs nothing more when the page is the whole list, else one Query a 1,000 sessions."""
    page, next_cursor = list_sessions(sessions, org_id, assessment_id, limit, cursor)
    if cursor is None and next_cursor is None:
        _, ranks = _cohort({view.id: view.signals for view in page if view.status == "completed"})
    else:
        _, ranks = _cohort(_completed_signals(sessions, org_id, assessment_id))
    listed = [ListedSession.model_validate({**view.model_dump(), "percentiles": ranks.get(view.id)}) for view in page]
    return listed, next_cursor


def _cohort(
    signals_by_session: Mapping[str, Signals],
) -> tuple[dict[str, list[float]], dict[str, dict[str, Number | None]]]:
    """Each numeric signal's sorted values over the cohort, and each session's percentile rank in them."""
    values = {session_id: _numeric(signals) for session_id, signals in signals_by_session.items()}
    columns = {
        name: sorted(value for signals in values.values() if (value := signals[name]) is not None)
        for name in NUMERIC_SIGNALS
    }
    ranks = {
        session_id: {name: _rank(signals[name], columns[name]) for name in NUMERIC_SIGNALS}
        for session_id, signals in values.items()
    }
    return columns, ranks


def _completed_signals(sessions: Sessions, org_id: str, assessment_id: str) -> dict[str, Signals]:
    """The signals of every completed session of the org's assessment, by session id: the sessions
    index, page after page, each session's counters alone."""
    canonical_id = ids.canonical_uuid(assessment_id)
    if canonical_id is None:
        raise NotFoundError("Assessment not found")
    now = clock.utc_now()
    completed: dict[str, Signals] = {}
    after: str | None = None
    while True:
        found = sessions.list_signals(org_id, canonical_id, _COHORT_PAGE, after)
        if found is None:
            raise NotFoundError("Assessment not found")
        page, after = found
        completed |= {
            session.id: signals_view(session) for session in page if session_status(session, now) == "completed"
        }
        if after is None:
            return completed


def _numeric(signals: Signals) -> dict[str, float | None]:
    dumped = signals.model_dump(by_alias=True)
    return {name: dumped[name] for name in NUMERIC_SIGNALS}


def _spread(column: Sequence[float]) -> Spread:
    if not column:
        return Spread(min=None, p25=None, median=None, p75=None, max=None)
    return Spread(
        min=whole_as_int(column[0]),
        p25=_quantile(column, 0.25),
        median=_quantile(column, 0.5),
        p75=_quantile(column, 0.75),
        max=whole_as_int(column[-1]),
    )


def _quantile(column: Sequence[float], q: float) -> float:
    """Linear interpolation between the closest ranks of sorted ``column``, to the hundredth."""
    position = q * (len(column) - 1)
    lower = int(position)
    upper = min(lower + 1, len(column) - 1)
    return whole_as_int(round(column[lower] + (column[upper] - column[lower]) * (position - lower), 2))


def _rank(value: float | None, column: Sequence[float]) -> float | None:
    """The share of the cohort below ``value``, ties counted half, as a percentage to the tenth."""
    if value is None or not column:
        return None
    below = sum(1 for other in column if other < value)
    equal = sum(1 for other in column if other == value)
    return whole_as_int(round(100 * (below + equal / 2) / len(column), 1))
