"""Placeholder until the real analysis lands."""

from __future__ import annotations

from bot.engine.report import Report, RootCause
from bot.engine.session import ToolSession


class HeuristicAnalyst:
    name = "heuristic"

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        for spec in tools.tools:
            if spec.tool == "list_log_files":
                await tools.call(spec.name, {})
        return Report(incident, False, "not yet", RootCause("not yet"), None)
