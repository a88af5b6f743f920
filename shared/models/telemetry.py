"""Session telemetry as the API accepts and returns it: the events the candidate's tools capture (the
signals derived from them are in shared.models.signals)."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from shared.models.common import ApiModel, RequestModel, UuidString, matches

MAX_EVENTS_PER_REQUEST = 100
# What one session may record: hours of heavy work capture a few thousand events.
MAX_EVENTS_PER_SESSION = 50_000
MAX_DATA_BYTES = 32 * 1024  # of one event's ``data``, as compact JSON
MAX_TIMELINE_PAGE = 2000

EventType = Literal["prompt", "response", "tool_call", "file_change", "command", "test_run", "decision", "note"]
EventSource = Literal["hook", "proxy", "cli"]
# How far an event's ``at`` may lie outside its session (before the start, after the server's now):
# the clock skew between a laptop and the server that is forgiven.
EVENT_CLOCK_SKEW_SECONDS = 60
TOOL_PATTERN = r"^[a-z][a-z0-9-]{0,31}$"
ToolName = Annotated[
    str,
    matches(TOOL_PATTERN, "tool_name", "must be 1 to 32 lowercase letters, digits or hyphens, e.g. claude-code"),
    Field(
        json_schema_extra={"pattern": TOOL_PATTERN},
        description="The tool that captured the event, e.g. `claude-code`, `cursor`, `copilot`, `cli`, `mcp`.",
        examples=["claude-code"],
    ),
]


def utc_instant(value: str) -> str:
    """An ISO 8601 instant in UTC, written back to the millisecond in one fixed width, so that
    timestamps sort as text in time order."""
    try:
        moment = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        moment = None
    offset = moment.utcoffset() if moment is not None else None
    if moment is None or offset is None or offset.total_seconds() != 0:
        raise PydanticCustomError("utc_timestamp", "must be an ISO 8601 UTC timestamp, e.g. 2026-04-01T10:00:00.250Z")
    return moment.replace(tzinfo=UTC).isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


# What the document promises an instant looks like (checked first; then it must be a real date). The
# years run from 0001, as Python's dates and RFC 3339's full dates a client's parser accepts do.
UTC_INSTANT_PATTERN = (
    r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,6})?(?:Z|[+-]00:00)$"
)
UtcInstant = Annotated[
    str,
    matches(UTC_INSTANT_PATTERN, "utc_timestamp", "must be an ISO 8601 UTC timestamp, e.g. 2026-04-01T10:00:00.250Z"),
    AfterValidator(utc_instant),
    Field(json_schema_extra={"format": "date-time", "pattern": UTC_INSTANT_PATTERN}),
]


class _EventData(RequestModel):
    """``data`` of an event whose fields drive a signal: those fields checked, the rest kept as sent."""

    model_config = ConfigDict(extra="allow")


class TestRunData(_EventData):
    __test__ = False  # not a pytest class
    passed: bool


class FileChangeData(_EventData):
    author: Literal["ai", "human"]
    summary: bool = Field(
        False,
        description="A summary of the whole workspace against its starting point (sent once, at submission): "
        "it restates changes already recorded, so it is not counted in the signals.",
    )


class DecisionData(_EventData):
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class _EventFields(RequestModel):
    id: UuidString
    at: UtcInstant = Field(
        description="When the event happened: from 60 s before the session's start to 60 s after the server's "
        "now, else the request is a 400 `event_out_of_range` naming the event."
    )
    source: EventSource
    tool: ToolName | None = None


class TestRunEvent(_EventFields):
    __test__ = False
    type: Literal["test_run"]
    data: TestRunData


class FileChangeEvent(_EventFields):
    type: Literal["file_change"]
    data: FileChangeData


class DecisionEvent(_EventFields):
    type: Literal["decision"]
    data: DecisionData


class OtherEvent(_EventFields):
    type: Literal["prompt", "response", "tool_call", "command", "note"]
    data: dict[str, Any]


EventIn = Annotated[TestRunEvent | FileChangeEvent | DecisionEvent | OtherEvent, Field(discriminator="type")]


class IngestRequest(RequestModel):
    """Body of ``POST /v1/sessions/{id}/events``: 1 to 100 events, each ``data`` at most 32 KiB as JSON,
    kept as sent: its numbers are those a double holds as written (at most 17 significant digits, within
    ±1.7e308; send others as strings) and its strings Unicode text."""

    events: Annotated[list[EventIn], Field(min_length=1, max_length=MAX_EVENTS_PER_REQUEST)] = Field(
        description="What the candidate's tools captured, each with its own `id` (a repeated id is stored once)."
    )


class RefusedEvent(ApiModel):
    """An event of the request that was not stored, and why (the code a request refused whole answers)."""

    id: str
    code: str = Field(description="`session_finished` or `event_limit_reached`.")
    message: str


class IngestResult(ApiModel):
    """How many events were stored now, how many were already stored (or repeated in the request), and
    which were refused: a request stores its events a batch at a time, so when the session finishes
    (or fills) part-way, the events stored before stand and the rest are listed here."""

    accepted: int
    duplicates: int
    refused: list[RefusedEvent] = Field(
        default_factory=list, description="Events not stored, in request order; empty when all were taken."
    )


class Event(ApiModel):
    """One event of a session's timeline, ``at`` to the millisecond."""

    id: str
    type: EventType
    at: str
    source: EventSource
    tool: str | None = Field(description="The tool that captured it, or null when the sender named none.")
    data: dict[str, Any]
    received_at: str | None = Field(
        description="When the API stored it (server time, to the millisecond); null for events stored before "
        "the field existed."
    )


class TimelinePage(ApiModel):
    events: list[Event]
    next_cursor: str | None
