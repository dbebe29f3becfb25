"""The terminal renderer: progress lines as tools run, then the report."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from bot.engine.events import (
    Event,
    InvestigationStarted,
    Note,
    ReportReady,
    ToolCallFinished,
    ToolCallStarted,
)
from bot.engine.report import Report


def short_args(arguments: dict, width: int = 70) -> str:
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in arguments.items())
    return text if len(text) <= width else text[: width - 1] + "…"


class ProgressPrinter:
    """An EventSink that prints one line per finished tool call and every note.

    On a terminal it also says when each call starts, so a slow one (a summary over a
    gigabyte of logs) never looks like a hang; piped output gets only the finished lines.
    """

    def __init__(self, out: TextIO | None = None, *, starts: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.starts = starts if starts is not None else _is_tty(self.out)

    def __call__(self, event: Event) -> None:
        if isinstance(event, InvestigationStarted):
            self._print(f"Investigating: {event.incident}")
            self._print(f"  analyst {event.analyst} · servers {', '.join(event.servers)}")
        elif isinstance(event, ToolCallStarted):
            if self.starts:
                self._print(f"  … {event.server}.{event.tool}({short_args(event.arguments)})")
        elif isinstance(event, ToolCallFinished):
            mark = "✓" if event.ok else "✗"
            self._print(
                f"  {mark} {event.server}.{event.tool}({short_args(event.arguments)})"
                f"  {event.duration_ms:.0f} ms  → {event.summary}"
            )
        elif isinstance(event, Note):
            self._print(("  ! " if event.level == "warning" else "  · ") + event.text)
        elif isinstance(event, ReportReady):
            pass

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)


def render_text(report: Report) -> str:
    rc = report.root_cause
    lines: list[str] = ["", "=" * 72, "ROOT CAUSE ANALYSIS", "=" * 72, ""]
    lines += ["Summary", _indent(report.summary), ""]
    if report.incident_detected:
        trig = rc.trigger
        trig_text = f"{trig.type} {trig.ref}" if trig.ref else trig.type
        lines += [
            "Root cause",
            _indent(rc.description),
            f"  trigger: {trig_text}" + (f" · service: {rc.service}" if rc.service else ""),
            f"  confidence: {rc.confidence:.0%}",
            f"  onset: {report.onset or 'unknown'}",
            "",
        ]
    else:
        lines += ["Verdict", _indent(rc.description), f"  confidence: {rc.confidence:.0%}", ""]
    if report.timeline:
        lines.append("Timeline")
        lines += [f"  {t.time}  [{t.source}] {t.event}" for t in report.timeline]
        lines.append("")
    if report.evidence:
        lines.append("Evidence")
        lines += [f"  - [{e.source}{'/' + e.tool if e.tool else ''}] {e.finding}" for e in report.evidence]
        lines.append("")
    if report.recommendations:
        lines.append("Recommendations")
        lines += [f"  {i}. {r}" for i, r in enumerate(report.recommendations, 1)]
        lines.append("")
    if report.warnings:
        lines.append("Warnings")
        lines += [f"  ! {w}" for w in report.warnings]
        lines.append("")
    lines.append(footer(report))
    return "\n".join(lines)


def footer(report: Report) -> str:
    n = len(report.tool_calls)
    failed = sum(1 for c in report.tool_calls if not c.ok)
    parts = [f"analyst {report.analyst}", f"{n} tool calls" + (f" ({failed} failed)" if failed else "")]
    if report.duration_s is not None:
        parts.append(f"{report.duration_s:.2f} s")
    u = report.usage
    if u is not None:
        if u.tokens_sent is not None:
            parts.append(f"{u.model_calls} model calls, {u.tokens_sent} tokens sent / {u.tokens_received} received")
        else:
            parts.append(f"{u.model_calls} model calls, {u.chars_sent} chars sent / {u.chars_received} received")
    return "— " + " · ".join(parts)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in (text or "").splitlines() or [""])


def _is_tty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
