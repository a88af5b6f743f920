"""``promptster mcp``: the assistant records a decision with ``capture_decision``, in-process and over
stdio as the AI tools start it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from promptster_cli.mcp_server import server
from promptster_cli.workspace import Workspace

from tests.cli.conftest import PROMPTSTER, a_workspace, environment, settled, spooled


def test_capture_decision_records_a_decision_event(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    async def decide() -> str:
        async with Client(server(Workspace(str(root)))) as client:
            tools = await client.list_tools()
            result = await client.call_tool(
                "capture_decision",
                {"title": "Queue webhooks in SQS", "rationale": "retries", "impact": 4, "alternatives": ["cron"]},
            )
            assert [tool.name for tool in tools.tools] == ["capture_decision"]
            return str(result.content[0].text)  # type: ignore[union-attr]

    said = asyncio.run(decide())

    settled(root)
    [event] = spooled(root)
    assert said == "Recorded the decision: Queue webhooks in SQS"
    assert (event["type"], event["source"], event["tool"]) == ("decision", "cli", "mcp")
    assert event["data"] == {
        "title": "Queue webhooks in SQS",
        "impact": 4,
        "rationale": "retries",
        "alternatives": ["cron"],
    }


def test_an_impact_outside_1_to_5_is_refused_and_nothing_recorded(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")

    async def decide() -> bool:
        async with Client(server(Workspace(str(root)))) as client:
            result = await client.call_tool("capture_decision", {"title": "x", "impact": 9})
            return bool(result.is_error)

    assert asyncio.run(decide())
    assert not (root / ".promptster" / "spool.db").exists()


def test_the_installed_server_answers_over_stdio(tmp_path: Path) -> None:
    root = a_workspace(tmp_path / "work")
    parameters = StdioServerParameters(
        command=PROMPTSTER, args=["mcp", "--workspace", str(root)], env=environment(tmp_path), cwd=str(root)
    )

    async def decide() -> None:
        async with Client(parameters) as client:
            await client.call_tool("capture_decision", {"title": "Use SQLite for the spool"})

    asyncio.run(decide())

    settled(root)
    assert [event["data"]["title"] for event in spooled(root)] == ["Use SQLite for the spool"]
