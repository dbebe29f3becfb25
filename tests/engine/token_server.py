"""A test MCP server over streamable HTTP that answers only requests with the right bearer token.

    python tests/engine/token_server.py PORT TOKEN
"""

from __future__ import annotations

import sys

import uvicorn
from mcp.server.mcpserver import MCPServer
from starlette.responses import PlainTextResponse

app = MCPServer("guarded")


@app.tool()
def whoami() -> dict:
    """Say that the token was accepted."""
    return {"accepted": True}


def guarded(inner, token: str):  # noqa: ANN001, ANN202 - an ASGI app
    async def asgi(scope, receive, send):  # noqa: ANN001, ANN202
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            if headers.get(b"authorization") != f"Bearer {token}".encode():
                await PlainTextResponse("no token", status_code=401)(scope, receive, send)
                return
        await inner(scope, receive, send)

    return asgi


if __name__ == "__main__":
    port, token = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(guarded(app.streamable_http_app(), token), host="127.0.0.1", port=port, log_level="warning")
