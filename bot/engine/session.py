"""One investigation's view of the tools: every call recorded in order and announced as events.

Analysts (deterministic or model) call tools only through this, so the report's `tool_calls`
is complete and every renderer sees each call start and finish.
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.engine.events import EventSink, Note, ToolCallFinished, ToolCallStarted, emit
from bot.engine.report import ToolCallRecord
from bot.engine.router import Router, ToolResult, ToolSpec


class ToolSession:
    def __init__(self, router: Router, sink: EventSink | None = None, *, deadline: float | None = None) -> None:
        self.router = router
        self.sink = sink
        #: when the investigation's caller stops waiting (time.monotonic() seconds), or None
        self.deadline = deadline
        self.records: list[ToolCallRecord] = []
        self._ids = itertools.count(1)
        self.warnings: list[str] = []

    @property
    def tools(self) -> list[ToolSpec]:
        return self.router.tools

    def has(self, name: str) -> bool:
        return self.router.server_of(name) is not None

    async def note(self, text: str, level: str = "info") -> None:
        if level == "warning" and text not in self.warnings:
            self.warnings.append(text)
        await emit(self.sink, Note(text, level))

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        arguments = dict(arguments or {})
        call_id = next(self._ids)
        server = self.router.server_of(name) or "?"
        await emit(self.sink, ToolCallStarted(call_id, server, name, arguments))
        result = await self.router.call(name, arguments)
        self.records.append(
            ToolCallRecord(result.server, result.tool, arguments, result.ok, round(result.duration_ms, 2), result.error)
        )
        await emit(
            self.sink,
            ToolCallFinished(
                call_id, result.server, result.tool, arguments, result.ok, result.duration_ms, summarize(result)
            ),
        )
        if not result.ok and any(w in (result.text or "") for w in ("is down", "failed during")):
            await self.note(result.text, "warning")
        return result


def summarize(result: ToolResult) -> str:
    """One line on what came back: list sizes and flags, or the first line of an error."""
    if not result.ok:
        return "error: " + (result.text or "").strip().splitlines()[0][:200] if result.text else "error"
    data = result.data
    if not isinstance(data, dict):
        return (result.text or "").strip().splitlines()[0][:120] if result.text else "ok"
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and key not in ("files", "metrics", "volume"):
            parts.append(f"{len(value)} {key}")
    if data.get("truncated"):
        parts.append("truncated")
    if data.get("downsampled"):
        parts.append("downsampled")
    if not parts:
        scalars = [f"{k}={v}" for k, v in data.items() if isinstance(v, str | int | float) and not isinstance(v, bool)]
        parts = scalars[:3]
    return ", ".join(parts)[:200] or "ok"
