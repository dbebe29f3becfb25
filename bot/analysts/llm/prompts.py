"""What the model is told. No tool is named here: the tools are whatever the servers offer."""

from __future__ import annotations

from typing import Any

from bot.engine.report import Report

SYSTEM = """\
You are an incident analyst: a careful site reliability engineer finding the root cause of a \
production incident. You have read-only tools over the team's data (logs, source history and \
deployments, metrics, whatever the servers offer). Investigate like an SRE:

1. Establish whether something abnormal happened, and when: error rates, latency, anomalies.
   If nothing is abnormal, say so: incident_detected false, trigger type "none".
2. Find what is failing and how (the mechanism): error messages and their first occurrence,
   the component and the resource or dependency involved.
3. Find what changed before the onset (deployments, commits, config changes) and test whether
   the change explains the mechanism: what did it touch? A deploy just before the onset is not
   automatically the cause; a culprit can also have shipped an hour or more earlier. Traffic
   surges, upstream dependencies and infrastructure cause incidents too (trigger type "none").
4. Check the claim against the data before you submit it.

Rules:
- Use only what the tools returned. Quote commit hashes and deployment versions exactly as the
  tools gave them. Times are ISO 8601 in UTC (2026-02-17T14:45:00Z).
- Call several tools in one turn when they do not depend on each other.
- Keep queries narrow: a time window around the onset, a small limit, a specific pattern.
  Never repeat a call with the same arguments.
- Some values in the data are masked as [MASKED:<kind>]; they are secrets, not clues.
- When you are done, call submit_report once with your conclusion. If you cannot call
  functions, answer with only the JSON object of the report: {fields}.
"""

REPORT_FIELDS_HINT = (
    '{"incident_detected": bool, "summary": str, "root_cause": {"description": str, '
    '"service": str|null, "trigger": {"type": "deploy"|"commit"|"config"|"none"|"unknown", '
    '"ref": str|null}, "confidence": 0..1}, "onset": ISO time|null, '
    '"timeline": [{"time", "source", "event"}], "evidence": [{"source", "tool", "finding"}], '
    '"recommendations": [str]}'
)


def system_prompt() -> str:
    return SYSTEM.replace("{fields}", REPORT_FIELDS_HINT)


def incident_message(incident: str) -> str:
    return (
        f"Incident reported by the on-call responder: {incident!r}\n"
        "Find the root cause with the tools, then call submit_report."
    )


def head_start_message(report: Report, calls: list[str], *, max_items: int = 6) -> str:
    """The deterministic analysis' findings, as claims to confirm or refute, not as truth."""
    rc = report.root_cause
    lines = [
        "A deterministic analysis of the same data already ran. Treat its findings as a hypothesis:",
        f"- incident detected: {str(report.incident_detected).lower()}",
        f"- summary: {report.summary}",
        f"- root cause: {rc.description}",
        f"- trigger: {rc.trigger.type} {rc.trigger.ref or ''}".rstrip(),
        f"- service: {rc.service or 'unknown'}; confidence {rc.confidence:.2f}",
        f"- onset: {report.onset or 'none'}",
    ]
    if report.evidence:
        lines.append("- evidence:")
        lines += [f"  - [{e.source}] {e.finding}" for e in report.evidence[:max_items]]
    if report.timeline:
        lines.append("- timeline:")
        lines += [f"  - {t.time} [{t.source}] {t.event}" for t in report.timeline[:max_items]]
    if calls:
        lines.append("Tool calls it made (their results are available again if you repeat one): " + "; ".join(calls))
    lines.append(
        "Confirm or refute these with as few tool calls as you need: check the trigger, the onset "
        "and the mechanism against the data. Then call submit_report, keeping what holds, "
        "correcting what does not."
    )
    return "\n".join(lines)


def nudge_message() -> str:
    return (
        "That was not a report I can use. Call submit_report now with your conclusion "
        "(or, if you cannot call functions, answer with only the report as a JSON object: "
        f"{REPORT_FIELDS_HINT})."
    )


def rejected_message(problems: list[str]) -> str:
    return (
        "The report was rejected: " + "; ".join(problems) + ". Call submit_report again with the "
        "fields corrected."
    )


def final_message(reason: str) -> str:
    return (
        f"{reason} No more tools are available. Answer now with only the report as a JSON object, "
        f"nothing else: {REPORT_FIELDS_HINT}"
    )


def describe_call(name: str, arguments: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
    return f"{name}({args})"
