"""Recording: events masked, then spooled, then a background flush started if none runs. Shared by the
hook path, the commands and the MCP server; standard library only."""

from __future__ import annotations

from collections.abc import Iterable

from promptster_cli.background import start_flush
from promptster_cli.events import Event
from promptster_cli.masking import mask_all
from promptster_cli.spool import Spool
from promptster_cli.workspace import Workspace


def record(workspace: Workspace, events: Iterable[Event], touched: Iterable[str] = (), *, flush: bool = True) -> None:
    """Spool ``events`` with every secret-looking value masked, and start sending them."""
    spool = Spool(workspace.spool_file)
    try:
        spool.append([mask_all(event) for event in events], touched)
    finally:
        spool.close()
    if flush:
        start_flush(workspace)
