"""The geometry of the report's SVG figures, computed here so the template only draws: the timeline
(time across, one lane per event type, dense lanes drawn as buckets) and the cohort bars."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

WIDTH = 960
LABEL_WIDTH = 120  # the lane names, left of the plot
RIGHT_MARGIN = 24
TOP_MARGIN = 34  # room for the deadline's and completion's labels, on two rows when they are close
LABEL_ROWS = (TOP_MARGIN - 10, TOP_MARGIN - 22)
CHARACTER_WIDTH = 6.5  # of the chart's 11 px labels, about: enough to keep two labels apart
LANE_HEIGHT = 30
LANE_PADDING = 5
AXIS_HEIGHT = 44
# A lane with more events than this is drawn as BUCKETS bars of counts: 10 or 10,000 events, the same ink.
DENSE_AFTER = 120
BUCKETS = 120
MAX_TICKS = 8
MIN_SPAN = timedelta(minutes=1)
_TICK_STEPS = (
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200,
    86400, 172800, 604800,
)  # fmt: skip

LANES: dict[str, tuple[str, str]] = {  # event type -> (lane name, one event's name)
    "prompt": ("Prompts", "prompt"),
    "response": ("Responses", "response"),
    "tool_call": ("Tool calls", "tool call"),
    "file_change": ("File changes", "file change"),
    "command": ("Commands", "command"),
    "test_run": ("Test runs", "test run"),
    "decision": ("Decisions", "decision"),
    "note": ("Notes", "note"),
}

Shape = Literal["tick", "bar", "pass", "fail", "decision"]
RuleKind = Literal["deadline", "completed"]


class Point(NamedTuple):
    """One event as the chart needs it: its type, when, a test run's outcome and a few words about it."""

    type: str
    at: datetime
    passed: bool | None = None
    label: str = ""


class Mark(NamedTuple):
    """One thing drawn in a lane: a tick, a bucket's bar (``x``, ``y`` its top left corner), or a
    symbol (``x``, ``y`` its centre) for a test run that passed or failed, or a decision."""

    shape: Shape
    x: float
    y: float
    width: float
    height: float
    title: str
    tone: Literal["", "pass", "fail"] = ""

    @property
    def diamond(self) -> str:
        """The ``points`` of a decision's diamond."""
        half = self.width / 2
        return _points(
            (self.x, self.y - half), (self.x + half, self.y), (self.x, self.y + half), (self.x - half, self.y)
        )

    @property
    def cross(self) -> str:
        """The path ``d`` of a failed test run's cross."""
        half = self.width / 2
        left, right, top, bottom = self.x - half, self.x + half, self.y - half, self.y + half
        return f"M{left:.1f} {top:.1f}L{right:.1f} {bottom:.1f}M{left:.1f} {bottom:.1f}L{right:.1f} {top:.1f}"


class Lane(NamedTuple):
    type: str
    label: str
    y: float  # top
    height: float
    event_count: int
    bucketed: bool
    marks: tuple[Mark, ...]


class Tick(NamedTuple):
    x: float
    label: str


class Rule(NamedTuple):
    """A vertical line across the lanes, the deadline or the completion, labelled above the lanes on the
    side of the line that keeps the label inside the chart (``anchor``: where the text ends or starts)."""

    kind: RuleKind
    x: float
    label_y: float
    anchor: Literal["start", "end"]

    @property
    def label_span(self) -> tuple[float, float]:
        width = len(self.kind) * CHARACTER_WIDTH
        return (self.x, self.x + width) if self.anchor == "start" else (self.x - width, self.x)


class Chart(NamedTuple):
    width: int
    height: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    rules: tuple[Rule, ...]
    description: str


class _TimeAxis(NamedTuple):
    """The plot's time scale: ``first`` at the left edge, ``first + span`` at the right."""

    first: datetime
    span: timedelta
    left: float = float(LABEL_WIDTH)
    right: float = float(WIDTH - RIGHT_MARGIN)

    def x(self, moment: datetime) -> float:
        return self.left + (self.right - self.left) * ((moment - self.first) / self.span)

    def since_start(self, moment: datetime) -> str:
        return elapsed(moment - self.first)


def timeline_chart(
    points: Sequence[Point], start: datetime, *, deadline: datetime | None = None, completed: datetime | None = None
) -> Chart | None:
    """The timeline of ``points`` (in time order) from ``start`` to the last of them, the deadline and
    the completion; None without any point."""
    if not points:
        return None
    first = min(start, points[0].at)
    last = max(moment for moment in (points[-1].at, deadline, completed) if moment is not None)
    axis = _TimeAxis(first, max(last - first, MIN_SPAN))
    by_type: dict[str, list[Point]] = {}
    for point in points:
        by_type.setdefault(point.type if point.type in LANES else "note", []).append(point)
    lanes = [
        _lane(lane_type, by_type[lane_type], TOP_MARGIN + index * LANE_HEIGHT, axis)
        for index, lane_type in enumerate(lane_type for lane_type in LANES if lane_type in by_type)
    ]
    plot_bottom = TOP_MARGIN + len(lanes) * LANE_HEIGHT
    rules = _rules(axis, deadline, completed)
    return Chart(
        width=WIDTH,
        height=plot_bottom + AXIS_HEIGHT,
        plot_left=axis.left,
        plot_right=axis.right,
        plot_top=float(TOP_MARGIN),
        plot_bottom=float(plot_bottom),
        lanes=tuple(lanes),
        ticks=_ticks(axis),
        rules=tuple(rules),
        description=_describe(points, lanes, first, last),
    )


def _rules(axis: _TimeAxis, deadline: datetime | None, completed: datetime | None) -> list[Rule]:
    """The deadline's and the completion's lines, the second label a row higher where the two would meet."""
    rules: list[Rule] = []
    moments: tuple[tuple[RuleKind, datetime | None], ...] = (("deadline", deadline), ("completed", completed))
    for kind, moment in moments:
        if moment is None:
            continue
        x = axis.x(moment)
        anchor: Literal["start", "end"] = "end" if x + len(kind) * CHARACTER_WIDTH > WIDTH else "start"
        rule = Rule(kind, x, LABEL_ROWS[0], anchor)
        if rules and _overlap(rules[0].label_span, rule.label_span):
            rule = Rule(kind, x, LABEL_ROWS[1], anchor)
        rules.append(rule)
    return rules


def _overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    return first[0] < second[1] + 4 and second[0] < first[1] + 4


def _lane(lane_type: str, points: list[Point], top: float, axis: _TimeAxis) -> Lane:
    label, _ = LANES[lane_type]
    inner = (top + LANE_PADDING, float(LANE_HEIGHT - 2 * LANE_PADDING))  # top and height inside the padding
    bucketed = len(points) > DENSE_AFTER
    if bucketed:
        marks = _buckets(lane_type, points, inner, axis)
    else:
        marks = tuple(_symbol(lane_type, point, inner, axis) for point in points)
    return Lane(lane_type, label, top, float(LANE_HEIGHT), len(points), bucketed, marks)


def _symbol(lane_type: str, point: Point, inner: tuple[float, float], axis: _TimeAxis) -> Mark:
    (inner_top, inner_height), (_, name) = inner, LANES[lane_type]
    x, middle = axis.x(point.at), inner_top + inner_height / 2
    title = f"{name} at {axis.since_start(point.at)}"
    if lane_type == "test_run" and point.passed is not None:
        title = f"{title}, {'passed' if point.passed else 'failed'}" + (f": {point.label}" if point.label else "")
        if point.passed:
            return Mark("pass", x, middle, 9.0, 9.0, title, "pass")
        return Mark("fail", x, middle, 9.0, 9.0, title, "fail")
    title += f": {point.label}" if point.label else ""
    if lane_type == "decision":
        return Mark("decision", x, middle, 11.0, 11.0, title)
    return Mark("tick", x - 1, inner_top, 2.0, inner_height, title)


def _buckets(lane_type: str, points: list[Point], inner: tuple[float, float], axis: _TimeAxis) -> tuple[Mark, ...]:
    """The lane as BUCKETS bars, each as tall as its share of the fullest bucket (a test run lane's
    bars split into their passes and failures)."""
    counts = [[0, 0] for _ in range(BUCKETS)]  # per bucket: [passed or other, failed]
    for point in points:
        bucket = min(BUCKETS - 1, int(BUCKETS * ((point.at - axis.first) / axis.span)))
        counts[bucket][1 if point.passed is False else 0] += 1
    fullest = max(sum(pair) for pair in counts)
    (inner_top, inner_height), (_, name) = inner, LANES[lane_type]
    step = axis.span / BUCKETS
    width = (axis.x(axis.first + step) - axis.left) * 0.8
    bottom = inner_top + inner_height
    marks = []
    for bucket, (other, failed) in enumerate(counts):
        if not other + failed:
            continue
        since = axis.first + step * bucket
        title = f"{other + failed} {name}s from {axis.since_start(since)} to {axis.since_start(since + step)}"
        if lane_type == "test_run":
            title += f" ({other} passed, {failed} failed)"
        height = max(1.5, inner_height * (other + failed) / fullest)
        failed_height = height * failed / (other + failed)
        x = axis.x(since)
        if other:
            tone: Literal["", "pass"] = "pass" if lane_type == "test_run" else ""
            marks.append(Mark("bar", x, bottom - height + failed_height, width, height - failed_height, title, tone))
        if failed:
            marks.append(Mark("bar", x, bottom - height, width, failed_height, title, "fail"))
    return tuple(marks)


def _ticks(axis: _TimeAxis) -> tuple[Tick, ...]:
    """Time-axis ticks at a round step, at most MAX_TICKS + 1 of them."""
    seconds = axis.span.total_seconds()
    whole_days = math.ceil(seconds / MAX_TICKS / 86400) * 86400  # beyond a week a step, whole days
    step = next((step for step in _TICK_STEPS if seconds / step <= MAX_TICKS), whole_days)
    moments = [axis.first + timedelta(seconds=step * index) for index in range(int(seconds // step) + 1)]
    return tuple(Tick(axis.x(moment), axis.since_start(moment)) for moment in moments)


def _describe(points: Sequence[Point], lanes: Sequence[Lane], first: datetime, last: datetime) -> str:
    counts = ", ".join(f"{lane.event_count} {lane.label.lower()}" for lane in lanes)
    return f"{len(points)} events over {elapsed(last - first)} from the start: {counts}."


def elapsed(duration: timedelta) -> str:
    """A duration as h:mm:ss (m:ss under an hour)."""
    total = max(0, int(duration.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


def _points(*corners: tuple[float, float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)


# Cohort bars ------------------------------------------------------------------------------------

BAR_WIDTH = 200
BAR_HEIGHT = 16


class CohortBar(NamedTuple):
    """One signal against the cohort: the range from min to max across the bar, the middle half
    (p25 to p75) as a band, the median as a line and this session's value as a dot (None: no value)."""

    band_x: float
    band_width: float
    median_x: float
    value_x: float | None
    title: str


Quartiles = tuple[float, float, float, float, float]  # min, p25, median, p75, max


def cohort_bar(value: float | None, quartiles: Quartiles, title: str) -> CohortBar:
    """The bar of one signal whose cohort spreads as ``quartiles``."""
    low, p25, median, p75, high = quartiles
    spread = high - low

    def x_of(number: float) -> float:
        clamped = min(max(number, low), high)
        return 4 + (BAR_WIDTH - 8) * ((clamped - low) / spread if spread else 0.5)

    return CohortBar(
        band_x=x_of(p25),
        band_width=max(2.0, x_of(p75) - x_of(p25)),
        median_x=x_of(median),
        value_x=x_of(value) if value is not None else None,
        title=title,
    )
