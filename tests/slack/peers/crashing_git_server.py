"""A stdio MCP server that offers the git server's tools and dies (exit 3) when one is called.

Standing in for the bundled git server, it makes "a server crashes mid-investigation" happen
at a known moment, under the real analyst, with the other servers still answering.
"""

from __future__ import annotations

import os
import sys

from mcp.server.mcpserver import MCPServer

server = MCPServer("git")


def _die() -> None:
    sys.stderr.write("crashing on purpose in the middle of a call\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
def get_recent_commits(limit: int = 20, since: str | None = None, until: str | None = None) -> dict:
    """Recent commits (this one crashes instead)."""
    _die()
    return {}


@server.tool()
def get_deployments(limit: int = 20, since: str | None = None, until: str | None = None) -> dict:
    """Deployments (this one crashes instead)."""
    _die()
    return {}


@server.tool()
def search_commits(query: str, field: str = "any", limit: int = 20) -> dict:
    """Search commits (this one crashes instead)."""
    _die()
    return {}


if __name__ == "__main__":
    server.run()
