"""What the report page shows, worked out from the read model: the header's facts, the score against the
rubric, the signals against the cohort, the timeline's chart and the tables, each bounded so a session
of 10,000 events still makes a page a browser opens at once. Plain values only: the template draws them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from shared.domain.reports import Report
from shared.models.sessions import SessionStatus
from shared.models.signals import Spread
from shared.models.telemetry import Event
from shared.reports.chart import Chart, CohortBar, Point, cohort_bar, elapsed, timeline_chart

# What the tables and lists show at most; the timeline's API route reads the rest.
MAX_PROMPTS = 100
MAX_PROMPT_CHARS = 4_000
MAX_DECISIONS = 100
MAX_RUNS = 300
MAX_CELL_CHARS = 500
MAX_RATIONALE_CHARS = 2_000
MAX_SUMMARY_CHARS = 100
MAX_TOOLS = 12
ELLIPSIS = "…"
NO_VALUE = "none"

STATUS_LABELS: dict[SessionStatus, str] = {
    "in_progress": "In progress",
    "completed": "Completed",
    "timed_out": "Timed out",
    "revoked": "Revoked",
}
# The numeric signals, as the cohort statistics name them, and what the page calls them.
SIGNAL_LABELS = {
    "eventCount": "Events",
    "promptCount": "Prompts",
    "toolCallCount": "Tool calls",
    "testRunCount": "Test runs",
    "testPassCount": "Test runs passed",
    "decisionCount": "Decisions",
    "aiAttributionPct": "AI share of file changes (%)",
}


class Fact(NamedTuple):
    """One line of the header: a name and its value."""

    name: str
    value: str


class CriterionRow(NamedTuple):
    name: str
    weight: str
    points: str | None  # None until scored
    note: str | None


class SignalRow(NamedTuple):
    name: str
    value: str
    percentile: str
    bar: CohortBar | None


class DecisionRow(NamedTuple):
    at: str
    title: str
    impact: str | None
    rationale: str | None


class RunRow(NamedTuple):
    at: str
    kind: Literal["Command", "Command (assistant)", "Test run"]
    command: str
    result: str
    tone: Literal["", "pass", "fail"]


class PromptItem(NamedTuple):
    at: str
    summary: str
    text: str


RowT = TypeVar("RowT")


class Capped(NamedTuple, Generic[RowT]):
    """The first rows of a list, and how many there were in all."""

    rows: tuple[RowT, ...]
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.rows)


class ReportPage(NamedTuple):
    title: str
    candidate: str | None  # None once erased
    email: str | None  # never on a share link's page
    erased: bool
    assessment: str
    facts: tuple[Fact, ...]
    scored: bool
    total_score: str | None
    score_comment: str | None
    criteria: tuple[CriterionRow, ...]
    cohort_size: int
    signals: tuple[SignalRow, ...]
    chart: Chart | None
    events_read: int
    events_total: int
    more_events: bool  # the timeline holds more than the page read
    decisions: Capped[DecisionRow]
    runs: Capped[RunRow]
    prompts: Capped[PromptItem]
    submission_url: str | None
    submission_link: bool  # whether the URL may be a link (http or https only)
    submission_notes: str | None
    session_id: str
    made_at: str
    shared: bool
    timeline_path: str


def report_page(report: Report) -> ReportPage:
    """The page of ``report``."""
    session = report.session
    started = _moment(session.started_at)
    events = report.events
    score = session.score
    submission = session.submission
    url = submission.url if submission is not None else None
    return ReportPage(
        title=_title(report),
        candidate=session.candidate_name,
        email=session.candidate_email,
        erased=session.erased_at is not None,
        assessment=_assessment_line(report),
        facts=_facts(report, events),
        scored=score is not None,
        total_score=_number(score.total_score) if score is not None else None,
        score_comment=score.comment if score is not None else None,
        criteria=_criteria(report),
        cohort_size=report.cohort.sessions,
        signals=_signals(report),
        chart=timeline_chart(
            [_point(event) for event in events],
            started,
            deadline=_moment(session.deadline) if session.deadline else None,
            completed=_moment(session.completed_at) if session.completed_at else None,
        ),
        events_read=len(events),
        events_total=max(session.signals.event_count, len(events)),
        more_events=not report.all_events,
        decisions=_decisions(events, started),
        runs=_runs(events, started),
        prompts=_prompts(events, started),
        submission_url=url,
        submission_link=url is not None and url.lower().startswith(("https://", "http://")),
        submission_notes=submission.notes if submission is not None else None,
        session_id=session.id,
        made_at=_readable(report.made_at),
        shared=report.shared,
        timeline_path=f"/v1/sessions/{session.id}/timeline",
    )


# Header


def _title(report: Report) -> str:
    session = report.session
    if session.candidate_name:
        return f"Session report: {session.candidate_name}"
    return "Session report: erased candidate" if session.erased_at is not None else "Session report"


def _assessment_line(report: Report) -> str:
    assessment = report.assessment
    if assessment is None:
        return "Assessment not found"
    line = f"{assessment.title} · {assessment.role}"
    return f"{line} (deleted)" if report.assessment_deleted else line


def _facts(report: Report, events: Sequence[Event]) -> tuple[Fact, ...]:
    session = report.session
    facts = [Fact("Status", STATUS_LABELS[session.status]), Fact("Started", _readable(session.started_at))]
    if session.completed_at is not None:
        facts.append(Fact("Completed", _readable(session.completed_at)))
    if session.duration_seconds is not None:
        facts.append(Fact("Duration", elapsed(timedelta(seconds=session.duration_seconds))))
    facts.append(Fact("Deadline", _readable(session.deadline) if session.deadline else "none"))
    if report.assessment is not None and report.assessment.time_limit_minutes is not None:
        facts.append(Fact("Time limit", f"{report.assessment.time_limit_minutes} min"))
    facts.append(Fact("Tools seen", ", ".join(session.tools) if session.tools else "none named"))
    called = Counter(
        name for event in events if event.type == "tool_call" and (name := _field(event.data, "name", "tool"))
    )
    if called:
        facts.append(
            Fact("Tools called", ", ".join(f"{name} ({count})" for name, count in called.most_common(MAX_TOOLS)))
        )
    return tuple(facts)


# Score and signals


def _criteria(report: Report) -> tuple[CriterionRow, ...]:
    """The rubric's criteria, with their points once scored (the score keeps the rubric's order)."""
    score = report.session.score
    notes = {criterion.name: criterion.description for criterion in report.rubric}
    if score is not None:
        return tuple(
            CriterionRow(entry.name, _number(entry.weight), _number(entry.score), notes.get(entry.name))
            for entry in score.criteria
        )
    return tuple(
        CriterionRow(criterion.name, _number(criterion.weight), None, criterion.description)
        for criterion in report.rubric
    )


def _signals(report: Report) -> tuple[SignalRow, ...]:
    values = report.session.signals.model_dump(by_alias=True)
    ranks: Mapping[str, Any] = report.cohort.percentiles.get(report.session.id) or {}
    rows = []
    for name, label in SIGNAL_LABELS.items():
        value = values.get(name)
        rank = ranks.get(name)
        spread = report.cohort.signals.get(name)
        percentile = f"{_number(rank)}" if rank is not None else NO_VALUE
        bar = None
        if spread is not None and (quartiles := _quartiles(spread)) is not None:
            title = (
                f"{label}: {_number(value) if value is not None else 'none'}; the cohort's middle half "
                f"{_number(quartiles[1])} to {_number(quartiles[3])}, median {_number(quartiles[2])}, "
                f"over {report.cohort.sessions} completed sessions"
            )
            bar = cohort_bar(value, quartiles, title)
        rows.append(SignalRow(label, _number(value) if value is not None else NO_VALUE, percentile, bar))
    return tuple(rows)


def _quartiles(spread: Spread) -> tuple[float, float, float, float, float] | None:
    values = (spread.min, spread.p25, spread.median, spread.p75, spread.max)
    if any(value is None for value in values):
        return None
    low, p25, median, p75, high = (float(value) for value in values if value is not None)
    return low, p25, median, p75, high


# The timeline's tables


def _decisions(events: Sequence[Event], started: datetime) -> Capped[DecisionRow]:
    found = [event for event in events if event.type == "decision"]
    rows = tuple(
        DecisionRow(
            at=_since(event, started),
            title=_clip(_field(event.data, "title") or "", MAX_CELL_CHARS),
            impact=_clipped(_field(event.data, "impact"), MAX_CELL_CHARS),
            rationale=_clipped(_field(event.data, "rationale", "why", "reason"), MAX_RATIONALE_CHARS),
        )
        for event in found[:MAX_DECISIONS]
    )
    return Capped(rows, len(found))


def _runs(events: Sequence[Event], started: datetime) -> Capped[RunRow]:
    found = [event for event in events if event.type in ("command", "test_run")]
    return Capped(tuple(_run(event, started) for event in found[:MAX_RUNS]), len(found))


def _run(event: Event, started: datetime) -> RunRow:
    """A command or test run as the CLI records it (``exitCode``, or ``success`` for the assistant's)."""
    at, data = _since(event, started), event.data
    command = _clip(_field(data, "command", "cmd") or "", MAX_CELL_CHARS)
    if event.type == "test_run":
        passed = data.get("passed") is True
        counts = data.get("counts")
        failed = counts.get("failed") if isinstance(counts, dict) else data.get("failed")
        result = "passed" if passed else "failed"
        if not passed and isinstance(failed, int) and not isinstance(failed, bool):
            result += f" ({failed} failing)"
        return RunRow(at, "Test run", command, result, "pass" if passed else "fail")
    kind: Literal["Command", "Command (assistant)"] = "Command (assistant)" if data.get("author") == "ai" else "Command"
    code, success = data.get("exitCode", data.get("exit_code")), data.get("success")
    if isinstance(code, int) and not isinstance(code, bool):
        return RunRow(at, kind, command, f"exit {code}", "pass" if code == 0 else "fail")
    if isinstance(success, bool):
        return RunRow(at, kind, command, "succeeded" if success else "failed", "pass" if success else "fail")
    return RunRow(at, kind, command, "", "")


def _prompts(events: Sequence[Event], started: datetime) -> Capped[PromptItem]:
    found = [event for event in events if event.type == "prompt"]
    items = []
    for event in found[:MAX_PROMPTS]:
        text = _field(event.data, "text", "prompt", "content") or ""
        first_line = text.strip().split("\n", 1)[0]
        items.append(
            PromptItem(_since(event, started), _clip(first_line, MAX_SUMMARY_CHARS), _clip(text, MAX_PROMPT_CHARS))
        )
    return Capped(tuple(items), len(found))


def _point(event: Event) -> Point:
    passed = event.data.get("passed") if event.type == "test_run" else None
    label = _field(event.data, "title", "command", "name", "path") or ""
    return Point(event.type, _moment(event.at), passed if isinstance(passed, bool) else None, _clip(label, 80))


# Values


def _field(data: Mapping[str, Any], *names: str) -> str | None:
    """The first of ``names`` that ``data`` holds as text (a number is written out); None otherwise."""
    for name in names:
        value = data.get(name)
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value)
    return None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def _clipped(text: str | None, limit: int) -> str | None:
    return _clip(text, limit) if text is not None else None


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _moment(timestamp: str) -> datetime:
    """A timestamp of the API (to the second or the millisecond) as an aware datetime."""
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)


def _readable(timestamp: str) -> str:
    return _moment(timestamp).strftime("%Y-%m-%d %H:%M:%S UTC")


def _since(event: Event, started: datetime) -> str:
    return elapsed(_moment(event.at) - started)
