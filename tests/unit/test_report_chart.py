"""The report's chart geometry: one lane per kind of event, time across on round ticks, test runs and
decisions marked, the deadline drawn, and the same bounded ink for 10 events or 10,000."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.reports.chart import (
    BUCKETS,
    DENSE_AFTER,
    LABEL_WIDTH,
    MAX_TICKS,
    RIGHT_MARGIN,
    WIDTH,
    Point,
    cohort_bar,
    elapsed,
    timeline_chart,
)

START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
PLOT_LEFT, PLOT_RIGHT = LABEL_WIDTH, WIDTH - RIGHT_MARGIN


def at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_no_events_draw_no_chart() -> None:
    assert timeline_chart([], START) is None


def test_each_kind_of_event_has_its_lane_in_a_fixed_order_with_its_count() -> None:
    points = [Point("decision", at(5)), Point("prompt", at(1)), Point("prompt", at(2)), Point("test_run", at(3), True)]

    chart = timeline_chart(sorted(points, key=lambda point: point.at), START)

    assert chart is not None
    assert [(lane.type, lane.event_count) for lane in chart.lanes] == [("prompt", 2), ("test_run", 1), ("decision", 1)]
    assert [lane.y for lane in chart.lanes] == sorted(lane.y for lane in chart.lanes)


def test_time_runs_from_the_start_to_the_last_of_the_events_the_deadline_and_the_completion() -> None:
    points = [Point("prompt", at(600))]

    chart = timeline_chart(points, START, deadline=at(3600), completed=at(1800))

    assert chart is not None
    deadline, completed = chart.rules
    assert (deadline.kind, deadline.x) == ("deadline", PLOT_RIGHT)
    assert completed.kind == "completed"
    assert completed.x == pytest.approx(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) / 2)
    (mark,) = chart.lanes[0].marks
    assert mark.x + 1 == pytest.approx(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) / 6)


@pytest.mark.parametrize(
    ("span_seconds", "step_label"),
    [(45, "0:10"), (600, "2:00"), (2 * 3600, "15:00"), (30 * 3600, "6:00:00"), (20 * 86400, "168:00:00")],
)
def test_ticks_are_at_round_steps_from_zero_and_never_more_than_the_axis_holds(
    span_seconds: int, step_label: str
) -> None:
    chart = timeline_chart([Point("prompt", at(span_seconds))], START)

    assert chart is not None
    labels = [tick.label for tick in chart.ticks]
    assert labels[:2] == ["0:00", step_label]
    assert 2 <= len(chart.ticks) <= MAX_TICKS + 1
    assert [tick.x for tick in chart.ticks] == sorted(tick.x for tick in chart.ticks)
    assert chart.ticks[0].x == PLOT_LEFT
    assert chart.ticks[-1].x <= PLOT_RIGHT + 0.001


def test_a_sparse_lane_marks_each_event_test_runs_passed_or_failed_and_decisions() -> None:
    points = [
        Point("test_run", at(1), True, "pytest -q"),
        Point("test_run", at(2), False, "pytest -q"),
        Point("decision", at(3), label="Queue the webhooks"),
        Point("command", at(4), label="make lint"),
    ]

    chart = timeline_chart(points, START)

    assert chart is not None
    shapes = {lane.type: [(mark.shape, mark.tone) for mark in lane.marks] for lane in chart.lanes}
    assert shapes == {
        "command": [("tick", "")],
        "test_run": [("pass", "pass"), ("fail", "fail")],
        "decision": [("decision", "")],
    }
    decision = chart.lanes[2].marks[0]
    assert decision.title == "decision at 0:03: Queue the webhooks"
    assert chart.lanes[1].marks[1].title == "test run at 0:02, failed: pytest -q"


@pytest.mark.parametrize("count", [10, DENSE_AFTER, DENSE_AFTER + 1, 10_000])
def test_a_lane_draws_at_most_as_many_marks_as_there_are_buckets_beyond_its_threshold(count: int) -> None:
    points = [Point("prompt", at(index * 0.5)) for index in range(count)]

    chart = timeline_chart(points, START)

    assert chart is not None
    (lane,) = chart.lanes
    assert lane.bucketed == (count > DENSE_AFTER)
    assert len(lane.marks) == (count if count <= DENSE_AFTER else min(count, BUCKETS))
    assert all(PLOT_LEFT <= mark.x + mark.width / 2 <= PLOT_RIGHT for mark in lane.marks)


def test_buckets_are_as_tall_as_their_share_of_the_fullest_and_say_how_many_they_hold() -> None:
    points = [Point("prompt", at(1)) for _ in range(DENSE_AFTER)] + [Point("prompt", at(600))] * 30

    chart = timeline_chart(points, START)

    assert chart is not None
    crowded, quiet = chart.lanes[0].marks
    assert quiet.height == pytest.approx(crowded.height * 30 / DENSE_AFTER)
    assert crowded.y + crowded.height == pytest.approx(quiet.y + quiet.height)  # bars stand on one line
    assert crowded.title.startswith(f"{DENSE_AFTER} prompts from 0:00 to ")


def test_a_dense_test_run_lane_splits_each_bucket_into_passes_and_failures() -> None:
    points = [Point("test_run", at(index), index % 4 != 0) for index in range(200)]

    chart = timeline_chart(points, START)

    assert chart is not None
    marks = chart.lanes[0].marks
    assert {mark.tone for mark in marks} == {"pass", "fail"}
    failures = [mark for mark in marks if mark.tone == "fail"]
    assert all("passed" in mark.title and "failed)" in mark.title for mark in failures)


def test_a_duration_reads_as_minutes_and_seconds_then_hours() -> None:
    assert [elapsed(timedelta(seconds=seconds)) for seconds in (0, 75, 3599, 3600, 90061)] == [
        "0:00",
        "1:15",
        "59:59",
        "1:00:00",
        "25:01:01",
    ]
    assert elapsed(timedelta(seconds=-5)) == "0:00"  # an event before the start reads as the start


def test_a_cohort_bar_places_the_middle_half_the_median_and_the_value_on_the_cohorts_range() -> None:
    bar = cohort_bar(75, (0, 25, 50, 75, 100), "title")

    assert bar.band_x < bar.median_x < bar.band_x + bar.band_width
    assert bar.value_x == pytest.approx(bar.band_x + bar.band_width)
    assert cohort_bar(500, (0, 25, 50, 75, 100), "t").value_x == cohort_bar(100, (0, 25, 50, 75, 100), "t").value_x


def test_a_cohort_of_one_value_is_drawn_in_the_middle() -> None:
    bar = cohort_bar(None, (7, 7, 7, 7, 7), "title")

    assert bar.median_x == 100
    assert bar.value_x is None


@pytest.mark.parametrize("completed_seconds", [3600, 3590, 3000, 600])
def test_the_deadline_and_completion_labels_stay_inside_the_chart_and_apart(completed_seconds: int) -> None:
    chart = timeline_chart([Point("prompt", at(60))], START, deadline=at(3600), completed=at(completed_seconds))

    assert chart is not None
    spans = [rule.label_span for rule in chart.rules]
    assert all(left >= 0 and right <= WIDTH for left, right in spans)
    (first, second) = chart.rules
    overlapping = spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]
    assert not (overlapping and first.label_y == second.label_y)
    assert all(0 < rule.label_y < chart.plot_top for rule in chart.rules)
