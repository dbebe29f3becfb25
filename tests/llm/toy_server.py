"""A small observability MCP server for the loop tests (stdio): a few error-rate points, log lines
that carry secrets and look-alikes, one tool whose answer is far too large for a model, one that
fails the first time it is asked about a queue (a passing failure), and one that holds a while
and says how many calls ran alongside it.

Its data is fixed, so tests can say exactly what the model must be handed.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

# 2030-01-01 10:00..10:30, errors from 10:20
POINTS = [
    {"timestamp": f"2030-01-01T10:{m:02d}:00Z", "error_rate": 0.1 if m < 20 else 12.5} for m in range(0, 31)
]

SECRET_LINES = [
    "2030-01-01T10:20:01Z ERROR [db] connect failed: postgres://app:Sup3rS3cret@db.internal:5432/shop",
    "2030-01-01T10:20:02Z WARN [http] upstream call with Authorization: Bearer abcdefghijklmnop0123456789XYZ",
    "2030-01-01T10:20:03Z ERROR [config] reload failed password=hunter2horse for user svc",
    "2030-01-01T10:20:04Z INFO [aws] using key AKIAIOSFODNN7EXAMPLE",
]
LOOKALIKE_LINES = [
    "2030-01-01T10:20:05Z ERROR [db] Connection pool exhausted: 5/5 in use, request 3f2a9c1b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    "2030-01-01T10:20:06Z INFO [deploy] pod checkout-api-7d9f8b6c5-x2k4j running a1b2c3d4e5f6 (v1.1.0)",
]


def build() -> MCPServer:
    app = MCPServer("obs")

    @app.tool()
    def get_error_rates(
        since: Annotated[str | None, Field(description="start, RFC 3339")] = None,
        until: Annotated[str | None, Field(description="end, RFC 3339")] = None,
    ) -> dict[str, Any]:
        """Error rate per minute."""
        pts = [p for p in POINTS if (since is None or p["timestamp"] >= since) and (until is None or p["timestamp"] <= until)]
        return {"points": pts, "window": {"since": since, "until": until}}

    @app.tool()
    def search_logs(
        pattern: Annotated[str, Field(description="regex")],
        limit: Annotated[int, Field(description="most lines (1-500)")] = 50,
    ) -> dict[str, Any]:
        """Log lines matching a pattern."""
        lines = SECRET_LINES + LOOKALIKE_LINES
        return {"pattern": pattern, "matches": [{"line": ln} for ln in lines][:limit], "db_password": "plain-in-a-field"}

    @app.tool()
    def dump_logs(
        since: Annotated[str | None, Field(description="start, RFC 3339")] = None,
        limit: Annotated[int, Field(description="most lines")] = 5000,
        level: Annotated[str | None, Field(description="minimum level")] = None,
    ) -> dict[str, Any]:
        """Every log line (large)."""
        lines = [f"2030-01-01T10:{i % 60:02d}:00Z INFO [api] GET /api/v1/items/{i} 200 12ms" for i in range(limit)]
        return {"entries": lines, "token": "xoxb-123456789012-abcdefghijABCDEFGHIJ"}

    asked: set[str] = set()

    @app.tool()
    def get_queue_depth(queue: Annotated[str, Field(description="queue name")]) -> dict[str, Any]:
        """Messages waiting in a queue."""
        if queue not in asked:
            asked.add(queue)
            raise RuntimeError(f"broker connection reset while reading {queue}; try again")
        return {"queue": queue, "depth": 42}

    running: list[dict[str, int]] = []

    @app.tool()
    async def hold(seconds: Annotated[float, Field(description="how long")] = 0.2, tag: str = "") -> dict[str, Any]:
        """Wait, then say how many calls were in flight at most while this one ran."""
        me = {"alongside": 0}
        running.append(me)
        for r in running:
            r["alongside"] = max(r["alongside"], len(running))
        try:
            await asyncio.sleep(seconds)
        finally:
            running.remove(me)
        return {"tag": tag, "most_in_flight": me["alongside"]}

    return app


if __name__ == "__main__":
    build().run()
