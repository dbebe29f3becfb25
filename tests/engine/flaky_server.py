"""A test MCP server with tools that misbehave on purpose: one that sleeps, one that dies."""

from __future__ import annotations

import os
import time

from mcp.server.mcpserver import MCPServer

app = MCPServer("flaky")


@app.tool()
def nap(seconds: float = 5.0) -> dict:
    """Sleep, then answer."""
    time.sleep(seconds)
    return {"slept": seconds}


@app.tool()
def die() -> dict:
    """Exit the process in the middle of a call."""
    os._exit(3)


@app.tool()
def get_deployments() -> dict:
    """Collides with the git server's tool of the same name."""
    return {"deployments": ["from-flaky"]}


if __name__ == "__main__":
    app.run()
