"""The report as Markdown: for a postmortem doc, a ticket or a PR comment."""

from __future__ import annotations

from bot.engine.report import Report
from bot.render.text import footer, short_args


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    rc = report.root_cause
    out = [f"# RCA: {report.incident}", "", f"**Summary.** {report.summary}", ""]
    out += ["## Root cause", "", rc.description, ""]
    if report.incident_detected:
        trig = f"`{rc.trigger.type}` `{rc.trigger.ref}`" if rc.trigger.ref else f"`{rc.trigger.type}`"
        out += [
            f"- **Trigger:** {trig}",
            f"- **Confidence:** {rc.confidence:.0%}",
            f"- **Onset:** {report.onset or 'unknown'}",
        ]
        if rc.service:
            out.append(f"- **Service:** {rc.service}")
        out.append("")
    if report.timeline:
        out += ["## Timeline", "", "| time | source | event |", "| --- | --- | --- |"]
        out += [f"| {_cell(t.time)} | {_cell(t.source)} | {_cell(t.event)} |" for t in report.timeline]
        out.append("")
    if report.evidence:
        out += ["## Evidence", ""]
        out += [f"- **{e.source}**{f' (`{e.tool}`)' if e.tool else ''}: {e.finding}" for e in report.evidence]
        out.append("")
    if report.recommendations:
        out += ["## Recommendations", ""]
        out += [f"{i}. {r}" for i, r in enumerate(report.recommendations, 1)]
        out.append("")
    if report.warnings:
        out += ["## Warnings", ""] + [f"- {w}" for w in report.warnings] + [""]
    if report.tool_calls:
        out += ["<details><summary>Tool calls</summary>", "", "| # | server | tool | arguments | ok | ms |", "| --- | --- | --- | --- | --- | --- |"]
        for i, c in enumerate(report.tool_calls, 1):
            out.append(
                f"| {i} | {c.server} | {c.tool} | {_cell(short_args(c.arguments, 60))} | {'yes' if c.ok else 'no'} | {c.duration_ms:.0f} |"
            )
        out += ["", "</details>", ""]
    out.append(f"_{footer(report).lstrip('— ')}_")
    return "\n".join(out) + "\n"
