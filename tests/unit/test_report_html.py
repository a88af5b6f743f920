"""The report page as HTML: valid HTML5, one h1, headings in order, tables with header cells, an SVG with a
title, and whatever a candidate or a reviewer wrote, however hostile, printed as inert text."""

from __future__ import annotations

import itertools
import re
import uuid
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta
from typing import Any

import html5lib
import pytest

from shared.domain.reports import Report
from shared.models.assessments import AssessmentView
from shared.models.rubrics import Criterion
from shared.models.sessions import Session
from shared.models.signals import AssessmentStats, Spread
from shared.models.telemetry import Event
from shared.reports.page import MAX_PROMPTS
from shared.reports.render import render_report

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
SESSION_ID = "0195f3a4-0b2c-7d1e-8f3a-5b6c7d8e9f01"
RTL_OVERRIDE = "\u202e"
HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "</style><script>alert(3)</script>",
    "javascript:alert(4)",
    f"{RTL_OVERRIDE}fdp.exe",
    "</title><svg onload=alert(5)>",
    "'><iframe src=javascript:alert(6)>",
)
EVIL = " ".join(HOSTILE)


def stamp(seconds: float) -> str:
    moment = START + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def an_event(seconds: float, event_type: str, **data: Any) -> Event:
    fields = {"id": str(uuid.uuid4()), "type": event_type, "at": stamp(seconds), "source": "hook", "data": data}
    return Event.model_validate({**fields, "tool": "claude-code", "received_at": stamp(seconds + 1)})


def a_session(**fields: Any) -> Session:
    values: dict[str, Any] = {
        "id": SESSION_ID,
        "assessment_id": "01234567-89ab-cdef-0123-456789abcdef",
        "key_id": "0195f3a2-c1e8-7c3a-9b5d-2f4e6a8c0b1d",
        "org_id": "org_a",
        "candidate_email": "ada@example.com",
        "candidate_name": "Ada Lovelace",
        "status": "completed",
        "started_at": "2026-04-01T10:00:00Z",
        "deadline": "2026-04-01T11:00:00Z",
        "completed_at": "2026-04-01T10:50:00Z",
        "duration_seconds": 3000,
        "submission": {"url": "https://github.com/ada/webhooks/pull/1", "notes": "Dedup by event id."},
        "erased_at": None,
        "score": {
            "criteria": [
                {"name": "Correctness", "weight": 3, "score": 80},
                {"name": "Tests", "weight": 1, "score": 90},
            ],
            "total_score": 82.5,
            "comment": "Solid.",
            "scored_at": "2026-04-01T12:00:00Z",
        },
        "signals": {
            "event_count": 5,
            "prompt_count": 1,
            "tool_call_count": 1,
            "test_run_count": 1,
            "test_pass_count": 0,
            "decision_count": 1,
            "first_event_at": stamp(60),
            "last_event_at": stamp(300),
            "ai_attribution_pct": None,
        },
        "tools": ["claude-code", "cli"],
        "extensions": [],
    }
    return Session.model_validate({**values, **fields})


def an_assessment(**fields: Any) -> AssessmentView:
    values: dict[str, Any] = {
        "id": "01234567-89ab-cdef-0123-456789abcdef",
        "org_id": "org_a",
        "title": "Backend API Challenge",
        "role": "Senior Backend Engineer",
        "task_brief": "Build it",
        "repo_url": None,
        "time_limit_minutes": 60,
        "expires_in_days": 7,
        "issue_id": None,
        "rubric_id": None,
        "created_at": "2026-04-01T09:00:00Z",
        "updated_at": "2026-04-01T09:00:00Z",
        "issue": None,
    }
    return AssessmentView.model_validate({**values, **fields})


def some_events() -> list[Event]:
    return [
        an_event(60, "prompt", text="Add a dedup table keyed by event id"),
        an_event(90, "tool_call", name="Edit"),
        an_event(120, "command", command="make lint", exitCode=0),
        an_event(180, "test_run", command="pytest -q", passed=False, failed=1),
        an_event(300, "decision", title="Conditional put", impact="exactly once", rationale="retries are safe"),
    ]


def a_report(
    session: Session | None = None, events: list[Event] | None = None, *, shared: bool = False, **fields: Any
) -> Report:
    spread = Spread(min=1, p25=2, median=3, p75=4, max=5)
    values: dict[str, Any] = {
        "session": session or a_session(),
        "rubric": (Criterion(name="Correctness", weight=3, description="It works"), Criterion(name="Tests", weight=1)),
        "assessment": an_assessment(),
        "assessment_deleted": False,
        "cohort": AssessmentStats(
            sessions=4, signals={"eventCount": spread}, percentiles={SESSION_ID: {"eventCount": 62.5}}
        ),
        "events": tuple(some_events() if events is None else events),
        "all_events": True,
        "made_at": "2026-04-02T08:00:00Z",
        "shared": shared,
    }
    return Report(**{**values, **fields})


def a_hostile_report() -> Report:
    """Every value a candidate or a reviewer wrote, made hostile."""
    session = a_session(
        candidate_name=EVIL,
        candidate_email=f"{EVIL}@example.com",
        submission={"url": "javascript:alert(7)//" + EVIL, "notes": EVIL},
        score={
            "criteria": [{"name": EVIL, "weight": 1, "score": 50}],
            "total_score": 50,
            "comment": EVIL,
            "scored_at": "2026-04-01T12:00:00Z",
        },
    )
    events = [
        an_event(60, "prompt", text=EVIL + "\nsecond line " + EVIL),
        an_event(70, "tool_call", name=EVIL),
        an_event(80, "file_change", author="ai", path=EVIL),
        an_event(90, "command", command=EVIL, exitCode=EVIL),
        an_event(100, "test_run", command=EVIL, passed=True),
        an_event(110, "decision", title=EVIL, impact=EVIL, rationale=EVIL),
        an_event(120, "note", text=EVIL),
    ]
    return a_report(
        session,
        events,
        rubric=(Criterion(name=EVIL, weight=1, description=EVIL),),
        assessment=an_assessment(title=EVIL, role=EVIL),
    )


def parse(page: str) -> ElementTree.Element:
    """The page as the HTML5 parsing algorithm builds it; any parse error fails the test."""
    parser = html5lib.HTMLParser(strict=True, tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    document: ElementTree.Element = parser.parse(page)
    return document


def text_of(element: ElementTree.Element) -> str:
    return "".join(element.itertext())


def local_name(element: ElementTree.Element) -> str:
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


@pytest.mark.parametrize(
    "report", [a_report(), a_hostile_report(), a_report(events=[])], ids=["plain", "hostile", "empty"]
)
def test_the_page_is_html5_without_a_parse_error_and_with_one_h1_and_headings_in_order(report: Report) -> None:
    document = parse(render_report(report))

    levels = [
        int(local_name(element)[1]) for element in document.iter() if re.fullmatch(r"h[1-6]", local_name(element))
    ]
    assert levels.count(1) == 1
    assert levels[0] == 1
    assert all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels))


def test_every_table_heads_its_columns_with_header_cells() -> None:
    document = parse(render_report(a_report()))

    tables = list(document.iter("table"))
    assert len(tables) >= 4  # score, signals, decisions, commands and test runs
    for table in tables:
        headers = table.findall("./thead/tr/th")
        assert headers, ElementTree.tostring(table)[:200]
        assert all(header.get("scope") == "col" for header in headers)
        widths = {len(row.findall("./td")) for row in table.iter("tr") if row.findall("./td")}
        assert widths <= {len(headers)}


def test_the_timeline_and_the_cohort_bars_are_svgs_with_a_title() -> None:
    document = parse(render_report(a_report()))

    figures = list(document.iter(f"{SVG}svg"))
    assert len(figures) >= 2
    for figure in figures:
        title = figure.find(f"{SVG}title")
        assert title is not None
        assert text_of(title).strip()
    assert text_of(figures[-1].find(f"{SVG}title")) == "Timeline of the session's events"  # type: ignore[arg-type]


def test_hostile_text_in_every_field_comes_out_as_text_and_never_as_markup() -> None:
    page = render_report(a_hostile_report())
    document = parse(page)

    names = {local_name(element) for element in document.iter()}
    assert not names & {"script", "img", "iframe", "object", "embed", "base", "form", "meta-refresh"}
    assert [local_name(element) for element in document.iter() if local_name(element) == "style"] == ["style"]
    for element in document.iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")], element.tag
        for name in ("href", "src", "{http://www.w3.org/1999/xlink}href", "action"):
            assert not element.get(name, "").strip().lower().startswith("javascript:"), element.tag
    (style,) = document.iter("style")
    assert "alert" not in text_of(style)
    body = text_of(document.find("body"))  # type: ignore[arg-type]
    assert body.count("<script>alert(1)</script>") >= 10  # every field printed, as text


def test_the_svg_keeps_hostile_text_in_its_titles_as_text() -> None:
    document = parse(render_report(a_hostile_report()))

    (timeline,) = [svg for svg in document.iter(f"{SVG}svg") if svg.find(f"{SVG}desc") is not None]
    titles = [text_of(title) for title in timeline.iter(f"{SVG}title")]
    assert any("<script>alert(1)</script>" in title for title in titles)
    assert {local_name(element) for element in timeline.iter()} <= {
        "svg", "title", "desc", "g", "rect", "text", "circle", "path", "polygon", "line",
    }  # fmt: skip


def test_text_that_would_reorder_the_page_is_shown_by_its_code_point() -> None:
    page = render_report(a_hostile_report())

    assert RTL_OVERRIDE not in page
    assert "[U+202E]fdp.exe" in page
    assert all(character not in page for character in "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069")


def test_a_submission_link_is_a_link_only_when_it_is_http_or_https() -> None:
    linked = parse(render_report(a_report()))
    hostile = parse(render_report(a_hostile_report()))

    assert [anchor.get("href") for anchor in linked.iter("a")] == ["https://github.com/ada/webhooks/pull/1"]
    (anchor,) = linked.iter("a")
    assert anchor.get("rel") == "noopener noreferrer nofollow"
    assert list(hostile.iter("a")) == []


def test_characters_html_forbids_are_replaced_rather_than_breaking_the_page() -> None:
    session = a_session(candidate_name="Ada\x00\x07\ud800\ufffeLovelace")

    page = render_report(a_report(session))

    parse(page)
    assert "Ada\ufffd\ufffd\ufffd\ufffdLovelace" in page
    page.encode()  # UTF-8 throughout: no lone surrogate left


def test_the_reviewers_page_shows_the_email_and_a_share_links_page_does_not() -> None:
    report = a_report()
    shared = a_report(a_session(candidate_email=None), shared=True)

    assert "ada@example.com" in render_report(report)
    page = render_report(shared)
    assert "ada@example.com" not in page
    assert "Ada Lovelace" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_an_erased_candidates_page_shows_no_name_and_says_why() -> None:
    erased = a_session(
        candidate_name=None,
        candidate_email=None,
        erased_at="2026-04-03T00:00:00Z",
        submission={"url": "https://github.com/ada/webhooks/pull/1", "notes": None},
    )

    document = parse(render_report(a_report(erased, events=[])))

    (heading,) = document.iter("h1")
    assert text_of(heading) == "Session report: erased candidate"
    assert "Erased on request" in text_of(document)
    assert "Ada" not in text_of(document)


def test_a_session_not_scored_yet_lists_its_rubric_without_points() -> None:
    document = parse(render_report(a_report(a_session(score=None))))

    text = text_of(document)
    assert "Not scored yet" in text
    rows = [[text_of(cell) for cell in row.findall("./td")] for row in next(document.iter("table")).iter("tr")]
    assert ["Correctness", "3", "not scored", "It works"] in rows


def test_a_session_of_10000_events_makes_a_bounded_page_that_points_to_the_api_for_the_rest() -> None:
    events = [an_event(index * 0.3, "prompt", text=f"Prompt {index} " + "x" * 200) for index in range(9_000)]
    events += [an_event(2_700 + index * 0.3, "test_run", passed=index % 3 > 0) for index in range(1_000)]

    session = a_session(signals={**a_session().signals.model_dump(), "event_count": 12_000})

    page = render_report(a_report(session, events, all_events=False))

    assert len(page.encode()) < 1_000_000
    document = parse(page)
    assert len(list(document.iter("details"))) == MAX_PROMPTS
    text = " ".join(text_of(document).split())
    assert f"The first {MAX_PROMPTS} of 9000 prompts" in text
    assert f"GET /v1/sessions/{SESSION_ID}/timeline?type=prompt" in text
    pointer = f"the rest are read with GET /v1/sessions/{SESSION_ID}/timeline"
    assert f"This page shows the first 10000 of the session's 12000 events; {pointer}" in text
    assert len(list(document.iter(f"{SVG}rect"))) < 1_000


def test_commands_and_test_runs_read_as_the_cli_records_them_and_the_tools_seen_are_named() -> None:
    events = [
        an_event(10, "command", command="make lint", exitCode=2, author="human"),
        an_event(20, "command", command="ls", success=False, author="ai"),
        an_event(30, "test_run", command="pytest -q", runner="pytest", passed=False, counts={"failed": 2}),
        an_event(40, "tool_call", name="Edit", input={"path": "app.py"}),
    ]

    document = parse(render_report(a_report(events=events)))

    rows = [[text_of(cell) for cell in row.findall("./td")] for row in list(document.iter("table"))[-1].iter("tr")]
    assert [row[1:] for row in rows if row] == [
        ["Command", "make lint", "exit 2"],
        ["Command (assistant)", "ls", "failed"],
        ["Test run", "pytest -q", "failed (2 failing)"],
    ]
    facts = dict(
        zip((text_of(term) for term in document.iter("dt")), (text_of(d) for d in document.iter("dd")), strict=False)
    )
    assert facts["Tools seen"] == "claude-code, cli"
    assert facts["Tools called"] == "Edit (1)"
