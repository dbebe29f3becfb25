"""A stdio MCP server for the Slack tests: `hold` takes a while and counts how many run at once.

The peak number of `hold` calls in flight at the same time is written to PROBE_FILE after each
change, so a test can check the app's concurrency limit from outside the app.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from mcp.server.mcpserver import MCPServer

server = MCPServer("probe")
_state = {"in_flight": 0, "peak": 0, "calls": 0}


def _record() -> None:
    path = os.environ.get("PROBE_FILE")
    if path:
        Path(path).write_text(f"{_state['peak']} {_state['calls']}\n")


@server.tool()
async def hold(seconds: float = 0.5) -> dict:
    """Wait `seconds`, then answer how many calls were in flight at most so far."""
    _state["in_flight"] += 1
    _state["calls"] += 1
    _state["peak"] = max(_state["peak"], _state["in_flight"])
    _record()
    try:
        await asyncio.sleep(seconds)
    finally:
        _state["in_flight"] -= 1
    return {"peak_in_flight": _state["peak"], "calls": _state["calls"]}


if __name__ == "__main__":
    server.run()
