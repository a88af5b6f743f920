"""``promptster mcp``: an MCP server (stdio) the AI tools start, offering ``capture_decision`` so the
assistant can log the candidate's significant choices as they happen, as ``decision`` events."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from promptster_cli.events import bounded, new_event
from promptster_cli.record import record
from promptster_cli.workspace import Workspace

INSTRUCTIONS = (
    "This workspace is a Promptster assessment. When the candidate makes a significant technical decision "
    "(a design, a library, a trade-off), record it with capture_decision: a short title, why, how much it "
    "matters (1-5) and the alternatives considered."
)


def decision_event(
    workspace: Workspace, title: str, *, rationale: str, impact: int, alternatives: list[str], tool: str
) -> dict[str, object]:
    """A ``decision`` event as the API takes it."""
    state = workspace.read_state() or {}
    data: dict[str, object] = {"title": bounded(title, 500), "impact": impact}
    if rationale:
        data["rationale"] = bounded(rationale)
    if alternatives:
        data["alternatives"] = [bounded(alternative, 500) for alternative in alternatives[:20]]
    return new_event("decision", data, source="cli", tool=tool, clock_offset_ms=int(state.get("clockOffsetMs") or 0))


def server(workspace: Workspace) -> MCPServer:
    """The MCP server recording into ``workspace``."""
    mcp = MCPServer("promptster", instructions=INSTRUCTIONS)

    @mcp.tool(title="Record a decision")
    def capture_decision(
        title: Annotated[str, Field(min_length=1, max_length=500, description="The decision, in a few words.")],
        rationale: Annotated[str, Field(max_length=10_000, description="Why this choice.")] = "",
        impact: Annotated[
            int, Field(ge=1, le=5, description="How much it matters: 1 (minor) to 5 (shapes the solution).")
        ] = 3,
        alternatives: Annotated[list[str], Field(max_length=20, description="The alternatives considered.")] = [],  # noqa: B006 - pydantic copies defaults
    ) -> str:
        """Record one of the candidate's significant technical decisions in the assessment's timeline."""
        event = decision_event(
            workspace, title, rationale=rationale, impact=impact, alternatives=alternatives, tool="mcp"
        )
        record(workspace, [event])
        return f"Recorded the decision: {title}"

    return mcp


def serve(workspace: Workspace) -> int:
    """Serve over standard input and output until the AI tool closes them."""
    server(workspace).run("stdio")
    return 0
