"""The investigation core: servers, routing, the event stream and the report. Never imports Slack."""

from bot.engine.events import (
    Event,
    EventSink,
    InvestigationStarted,
    Note,
    ReportReady,
    ToolCallFinished,
    ToolCallStarted,
)
from bot.engine.investigation import Engine
from bot.engine.report import Evidence, Report, RootCause, TimelineEntry, ToolCallRecord, Trigger

__all__ = [
    "Engine",
    "Event",
    "EventSink",
    "Evidence",
    "InvestigationStarted",
    "Note",
    "Report",
    "ReportReady",
    "RootCause",
    "TimelineEntry",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "Trigger",
]
