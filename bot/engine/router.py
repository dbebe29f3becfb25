"""Tool routing: every tool of every server under one name, every call sent to its server.

When two servers offer the same tool name, the server listed first keeps the plain name and the
others are reachable as `<server>__<tool>`; every tool is also reachable by its qualified name.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from bot.engine.pool import ServerDown, ServerPool

DEFAULT_CALL_TIMEOUT_S = 30.0
QUALIFIER = "__"


@dataclass(frozen=True)
class ToolSpec:
    name: str  # what callers use
    server: str
    tool: str  # the server's own name
    description: str
    input_schema: dict[str, Any]
    read_only: bool | None = None


@dataclass
class ToolResult:
    server: str
    tool: str
    ok: bool
    data: dict[str, Any] | None  # the structured result, when there is one
    text: str  # the text content (or the error)
    duration_ms: float

    @property
    def error(self) -> str | None:
        return None if self.ok else self.text


class UnknownTool(LookupError):
    pass


class Router:
    def __init__(self, pool: ServerPool, *, call_timeout_s: float = DEFAULT_CALL_TIMEOUT_S) -> None:
        self.pool = pool
        self.call_timeout_s = call_timeout_s
        self._table: dict[str, ToolSpec] = {}
        self._generation = -1

    def _refresh(self) -> None:
        if self._generation == self.pool.generation and self._table:
            return
        table: dict[str, ToolSpec] = {}
        qualified: dict[str, ToolSpec] = {}
        for h in self.pool.handles.values():
            for t in h.tools:
                ann = getattr(t, "annotations", None)
                spec = ToolSpec(
                    name=t.name,
                    server=h.name,
                    tool=t.name,
                    description=(t.description or "").strip(),
                    input_schema=dict(t.input_schema or {"type": "object", "properties": {}}),
                    read_only=getattr(ann, "read_only_hint", None) if ann else None,
                )
                q = f"{h.name}{QUALIFIER}{t.name}"
                qualified[q] = ToolSpec(q, spec.server, spec.tool, spec.description, spec.input_schema, spec.read_only)
                if t.name not in table:
                    table[t.name] = spec
                else:
                    table[q] = qualified[q]
        self._table = table
        self._qualified = qualified
        self._generation = self.pool.generation

    @property
    def tools(self) -> list[ToolSpec]:
        """The tools callers are offered (plain names, prefixed only where they collide)."""
        self._refresh()
        return list(self._table.values())

    def resolve(self, name: str) -> ToolSpec:
        self._refresh()
        spec = self._table.get(name) or self._qualified.get(name)
        if spec is None:
            raise UnknownTool(name)
        return spec

    def server_of(self, name: str) -> str | None:
        try:
            return self.resolve(name).server
        except UnknownTool:
            return None

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        """Call a tool on its server. Never raises for tool-level trouble: it comes back as ok=False."""
        arguments = arguments or {}
        t0 = time.perf_counter()
        try:
            spec = self.resolve(name)
        except UnknownTool:
            known = ", ".join(sorted(self._table)) or "none (no server is running)"
            return ToolResult("?", name, False, None, f"unknown tool {name!r}; available tools: {known}", 0.0)

        def done(ok: bool, data: dict[str, Any] | None, text: str) -> ToolResult:
            return ToolResult(spec.server, spec.tool, ok, data, text, (time.perf_counter() - t0) * 1000)

        try:
            client = self.pool.client(spec.server)
        except ServerDown as e:
            return done(False, None, str(e))
        try:
            result = await asyncio.wait_for(client.call_tool(spec.tool, arguments), self.call_timeout_s)
        except TimeoutError:
            return done(False, None, f"{spec.server}.{spec.tool} did not answer within {self.call_timeout_s:g} s")
        except Exception as e:  # noqa: BLE001 - a closed connection means the server died
            reason = f"server {spec.server!r} failed during {spec.tool}: {str(e) or type(e).__name__}"
            if _looks_dead(e) or not self.pool.handles[spec.server].up:
                self.pool.mark_down(spec.server, reason)
            return done(False, None, reason)
        text = "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "type", "") == "text")
        if result.is_error:
            return done(False, None, text or f"{spec.tool} failed without a message")
        data = result.structured_content
        if data is None and text:
            try:
                parsed = json.loads(text)
                data = parsed if isinstance(parsed, dict) else {"result": parsed}
            except ValueError:
                data = None
        return done(True, data, text)


def _looks_dead(e: BaseException) -> bool:
    text = f"{type(e).__name__} {e}".lower()
    return any(w in text for w in ("closed", "broken", "eof", "connection", "terminated", "resource"))
