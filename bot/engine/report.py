"""The report one investigation produces: one model for the engine, every renderer reads it.

Its JSON form follows `rca-report.schema.json` (`Report.to_dict`); extra keys are allowed there
and carry what a responder also wants to know (duration, warnings, model usage).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TriggerType = Literal["deploy", "commit", "config", "none", "unknown"]


@dataclass
class Trigger:
    """The change that set it off: a deploy version, a commit hash, or none/unknown."""

    type: TriggerType = "unknown"
    ref: str | None = None


@dataclass
class RootCause:
    description: str
    trigger: Trigger = field(default_factory=Trigger)
    confidence: float = 0.0
    service: str | None = None


@dataclass
class TimelineEntry:
    time: str
    source: str
    event: str


@dataclass
class Evidence:
    source: str
    finding: str
    tool: str | None = None


@dataclass
class ToolCallRecord:
    """One MCP tool call as the report lists it (`tool_calls`, in order)."""

    server: str
    tool: str
    arguments: dict[str, Any]
    ok: bool
    duration_ms: float
    error: str | None = None


@dataclass
class Usage:
    """What a model analyst spent; absent for the deterministic analyst."""

    model_calls: int = 0
    chars_sent: int = 0
    chars_received: int = 0
    tokens_sent: int | None = None
    tokens_received: int | None = None


@dataclass
class Report:
    incident: str
    incident_detected: bool
    summary: str
    root_cause: RootCause
    onset: str | None
    timeline: list[TimelineEntry] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    recommendations: list[str] = field(default_factory=list)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    analyst: str = "heuristic"
    duration_s: float | None = None
    warnings: list[str] = field(default_factory=list)
    usage: Usage | None = None
    failed: bool = False  # the investigation could not reach a conclusion (nothing answered, or it broke)

    @property
    def verdict(self) -> str:
        """One line for a headline or a Slack parent message."""
        if not self.incident_detected:
            return "No incident found in the data: " + _first_sentence(self.summary)
        trig = self.root_cause.trigger
        cause = _first_sentence(self.root_cause.description)
        if trig.type in ("deploy", "commit", "config") and trig.ref:
            cause += f" (triggered by {trig.type} {trig.ref})"
        return f"{cause} · confidence {self.root_cause.confidence:.0%}"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tool_calls"] = [
            {k: v for k, v in c.items() if not (k == "error" and v is None)} for c in out["tool_calls"]
        ]
        out["evidence"] = [{k: v for k, v in e.items() if v is not None} for e in out["evidence"]]
        if self.usage is None:
            out.pop("usage")
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        rc = d.get("root_cause") or {}
        trig = rc.get("trigger") or {}
        usage = d.get("usage")
        return cls(
            incident=d.get("incident", ""),
            incident_detected=bool(d.get("incident_detected")),
            summary=d.get("summary", ""),
            root_cause=RootCause(
                description=rc.get("description", ""),
                trigger=Trigger(trig.get("type", "unknown"), trig.get("ref")),
                confidence=float(rc.get("confidence", 0.0)),
                service=rc.get("service"),
            ),
            onset=d.get("onset"),
            timeline=[TimelineEntry(**t) for t in d.get("timeline", [])],
            evidence=[Evidence(**e) for e in d.get("evidence", [])],
            recommendations=list(d.get("recommendations", [])),
            tool_calls=[ToolCallRecord(**c) for c in d.get("tool_calls", [])],
            analyst=d.get("analyst", "heuristic"),
            duration_s=d.get("duration_s"),
            warnings=list(d.get("warnings", [])),
            usage=Usage(**usage) if usage else None,
            failed=bool(d.get("failed", False)),
        )


def _first_sentence(text: str) -> str:
    text = (text or "").strip()
    for sep in (". ", "; "):
        if sep in text:
            return text.split(sep, 1)[0].rstrip(".") + "."
    return text
