"""Calling a server's tool in-process, as every server test does: an answer, or a refusal."""

from __future__ import annotations

import json
from typing import Any

import mcp


async def call(server: Any, tool: str, **args: Any) -> dict[str, Any]:
    """The structured answer of a call that must succeed (its text content is the same JSON)."""
    async with mcp.Client(server) as client:
        result = await client.call_tool(tool, args)
    assert not result.is_error, result.content[0].text if result.content else result
    assert result.structured_content is not None
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def error(server: Any, tool: str, **args: Any) -> str:
    """The message of a call that must be refused: a sentence, never a traceback."""
    async with mcp.Client(server) as client:
        result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool}({args}) should have been refused, got {result.structured_content}"
    text = result.content[0].text
    assert "Traceback" not in text
    return text
