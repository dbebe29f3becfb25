"""What an analyst is to the engine: something that turns an incident and tools into a report."""

from __future__ import annotations

from typing import Protocol

from bot.engine.report import Report
from bot.engine.session import ToolSession


class Analyst(Protocol):
    #: 'heuristic', or 'llm:<model>' (a fallback appends '+heuristic-fallback' in the report)
    name: str

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        """Investigate through `tools` only. The engine fills tool_calls, duration and warnings.
        `tools.deadline` (time.monotonic(), None in the CLI) is when the caller stops waiting: an
        analyst that can be slow (a model) wraps up with a report before it."""
        ...
