"""The one event stream of an investigation. Terminal, JSON and Slack are renderers of it.

The engine emits; renderers subscribe with an `EventSink`. A sink may be sync or async; a sink
that raises is logged and ignored, so a broken renderer never breaks an investigation.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.engine.report import Report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvestigationStarted:
    incident: str
    analyst: str
    servers: tuple[str, ...]


@dataclass(frozen=True)
class ToolCallStarted:
    call_id: int
    server: str
    tool: str
    arguments: dict[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ToolCallFinished:
    call_id: int
    server: str
    tool: str
    arguments: dict[str, Any] = field(hash=False)
    ok: bool = True
    duration_ms: float = 0.0
    summary: str = ""  # one line: what came back, or the error


@dataclass(frozen=True)
class Note:
    """Progress that is not a tool call: 'thinking', a server that died, a fallback."""

    text: str
    level: str = "info"  # info | warning


@dataclass(frozen=True)
class ReportReady:
    report: Report


Event = InvestigationStarted | ToolCallStarted | ToolCallFinished | Note | ReportReady
EventSink = Callable[[Event], Awaitable[None] | None]


async def emit(sink: EventSink | None, event: Event) -> None:
    if sink is None:
        return
    try:
        result = sink(event)
        if inspect.isawaitable(result):
            await result
    except Exception:  # a renderer's bug must not end the investigation
        log.exception("event sink failed on %s", type(event).__name__)
