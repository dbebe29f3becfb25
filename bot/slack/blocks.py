"""Message builders: pure functions from reports and progress to Block Kit. No Slack calls here.

Every builder returns `{"text": ..., "blocks": [...]}`, ready to splat into chat.postMessage or
chat.update: `text` is the fallback Slack shows in notifications and to clients without blocks.
Slack rejects a message over its limits, and a rejected report is a silent failure for the
responder, so everything here is fitted by construction: at most 50 blocks, section text at most
3,000 characters, a header at most 150, and what does not fit is shortened with a note saying so.
Text that comes from users or from the data is escaped, so `<!channel>` in a log line pings nobody.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.engine.report import Report

if TYPE_CHECKING:
    from bot.slack.progress import InvestigationProgress

Message = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_HEADER = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_TEXT = 3000  # the fallback `text`; Slack takes 40,000, a notification needs far less
# Slack also caps a message's total size; keeping each list within a budget keeps a report
# readable in a thread and well below that cap.
LIST_BUDGET = {"timeline": 3500, "evidence": 3500, "recommendations": 2000}
MAX_LINE = 600
MAX_PROGRESS_LINES = 25
MAX_WARNINGS = 5  # on the report; a context block takes 10 elements

HELP_WORDS = frozenset({"help", "-h", "--help", "?", "usage"})


# -- small pieces -------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: &, < and > are control characters there."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int, note: str = "…") -> str:
    """At most `limit` characters; a cut is marked with `note` at the end."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(note))].rstrip() + note


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION, "… _(shortened)_"))}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text.strip() or " ", MAX_HEADER), "emoji": True}}


def context(*texts: str) -> dict[str, Any]:
    elements = [_mrkdwn(clip(t, MAX_FIELD)) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    return {"type": "context", "elements": elements or [_mrkdwn(" ")]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def message(text: str, blocks: list[dict[str, Any]]) -> Message:
    return {"text": clip(text, MAX_TEXT), "blocks": fit_blocks(blocks)}


def fit_blocks(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_BLOCKS; the last one left says how many were dropped."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    kept = blocks[: MAX_BLOCKS - 1]
    return [*kept, context(f"_{len(blocks) - len(kept)} more blocks not shown: Slack allows {MAX_BLOCKS} a message._")]


def line_sections(title: str, lines: list[str], budget: int, what: str) -> list[dict[str, Any]]:
    """A titled list as sections of at most MAX_SECTION characters, within `budget` in all.

    Lines that do not fit are counted in a closing note rather than dropped silently.
    """
    if not lines:
        return [section(f"{title}\n_none_")]  # an empty section says so rather than vanish
    lines = [clip(ln, MAX_LINE) for ln in lines]
    shown: list[str] = []
    used = len(title) + 1
    for ln in lines:
        if used + len(ln) + 1 > budget and shown:
            break
        shown.append(ln)
        used += len(ln) + 1
    hidden = len(lines) - len(shown)
    if hidden:
        shown.append(f"_…and {hidden} more {what} not shown here._")
    out: list[dict[str, Any]] = []
    chunk = [title]
    size = len(title)
    for ln in shown:
        if size + 1 + len(ln) > MAX_SECTION:
            out.append(section("\n".join(chunk)))
            chunk, size = [], -1
        chunk.append(ln)
        size += 1 + len(ln)
    out.append(section("\n".join(chunk)))
    return out


def duration(ms: float | None) -> str:
    if ms is None:
        return "–"
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def _count(n: int, what: str) -> str:
    """`1 tool call`, `3 tool calls`."""
    return f"{n} {what}{'' if n == 1 else 's'}"


def _who(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "someone"


# -- usage and refusals ---------------------------------------------------------------------------


def is_help(text: str) -> bool:
    text = (text or "").strip()
    return not text or text.lower() in HELP_WORDS


def usage_message(bot_user_id: str | None = None, command: str = "/rca") -> Message:
    mention = f"<@{bot_user_id}>" if bot_user_id else "@rca-bot"
    command = escape(command or "/rca")
    body = (
        "*Root-cause analysis of an incident.* Say what is wrong; I read the logs, deploys and "
        "metrics and answer in a thread.\n"
        f"• `{command} 500 errors on checkout`\n"
        f"• {mention} checkout is throwing 500s  _(in a channel I am in)_\n"
        "The thread shows each tool as it runs, then the report: root cause, trigger, confidence, "
        "timeline, evidence and recommendations."
    )
    return message(f"Usage: {command} <what is wrong>, e.g. {command} 500 errors on checkout", [section(body)])


def command_ack(ahead: int) -> str:
    """The private answer to a `/rca` that has to wait. One that starts at once is acked without a
    word: the message it posts in the channel is the answer, and if it cannot post there the user
    hears that instead, not a promise of a thread that never comes."""
    return (
        f"Queued, {ahead} ahead of you: investigations are running at the limit. "
        "It starts when a slot frees up; its progress shows in a thread in this channel."
    )


def queue_full(running: int, queued: int) -> str:
    return (
        f"Too many investigations already: {running} running and {queued} waiting (RCA_MAX_QUEUED). "
        "I did not start this one; ask again in a few minutes, or follow one of the threads already under way."
    )


def channel_refused(channels: frozenset[str]) -> str:
    where = ", ".join(f"<#{c}>" for c in sorted(channels))
    return f"I only run investigations in {where} (RCA_CHANNELS). Ask there, or ask whoever runs me to add this channel."


def user_refused() -> str:
    return (
        "You are not on the list of people who may start investigations here (RCA_ALLOWED_USERS). "
        "Ask whoever runs me to add you."
    )


def not_in_channel(channel: str, error: str) -> str:
    kind = "private channel or conversation" if error == "channel_not_found" else "channel"
    return (
        f"I cannot post in this {kind} (<#{channel}>): I am not a member of it. "
        "Invite me with `/invite @rca-bot`, then run `/rca` again."
    )


def shutting_down() -> str:
    return "I am shutting down and not taking new investigations. Try again in a minute."


# -- the parent message ---------------------------------------------------------------------------


def parent_message(incident: str, user_id: str | None, *, status: str = "investigating", detail: str = "") -> Message:
    """The message in the channel whose thread carries the work; updated once with the outcome.

    status: investigating | done (detail = the verdict) | failed | timed_out | stopped (detail = why)
    """
    inc = escape(incident)
    who = f"Asked by {_who(user_id)}"
    if status == "investigating":
        text = f"Investigating: {inc} (asked by {_who(user_id)})"
        body = f":mag: *Investigating:* {inc}"
        foot = f"{who} · progress and report in the thread"
    elif status == "done":
        text = f"{inc}: {escape(detail)}"
        body = f":white_check_mark: *{inc}*\n{escape(detail)}"
        foot = f"{who} · full report in the thread"
    else:
        icon, label = {
            "failed": (":warning:", "Investigation failed"),
            "timed_out": (":hourglass:", "Investigation ran out of time"),
            "stopped": (":double_vertical_bar:", "Investigation stopped"),
        }.get(status, (":grey_question:", status))
        text = f"{label}: {inc}" + (f" ({escape(detail)})" if detail else "")
        body = f"{icon} *{label}:* {inc}" + (f"\n{escape(detail)}" if detail else "")
        foot = f"{who} · details in the thread"
    return message(text, [section(body), context(foot)])


# -- progress --------------------------------------------------------------------------------------

_STATUS_ICON = {"running": ":hourglass_flowing_sand:", "ok": ":white_check_mark:", "failed": ":x:"}


def progress_message(p: InvestigationProgress) -> Message:
    """The one progress message: a status line, each tool call (server, tool, status, duration), notes."""
    calls = list(p.calls.values())
    inc = escape(p.incident)
    n_failed = sum(1 for c in calls if c.status == "failed")
    if p.phase == "queued":
        state = (
            f":hourglass: Queued, {p.ahead} ahead of you. "
            f"{p.running} investigation{'s' if p.running != 1 else ''} running at the limit; "
            "this one starts when a slot frees up."
        )
        text = f"Queued, {p.ahead} ahead of you: {inc}"
    elif p.phase == "starting":
        state, text = ":gear: Starting the investigation…", f"Starting: {inc}"
    elif p.phase == "running":
        state = f":gear: Working: {_count(len(calls), 'tool call')} so far"
        if p.analyst:
            state += f" · analyst {escape(p.analyst)}"
        text = f"Investigating: {inc} ({_count(len(calls), 'tool call')} so far)"
    elif p.phase == "done":
        took = f" in {p.duration_s:.1f} s" if p.duration_s is not None else ""
        state = f":white_check_mark: Done{took}: {_count(len(calls), 'tool call')}" + (f", {n_failed} failed" if n_failed else "")
        state += ". The report follows."
        text = f"Done: {inc}"
    else:
        label = {"failed": ":warning: Failed", "timed_out": ":hourglass: Ran out of time", "stopped": ":double_vertical_bar: Stopped"}[p.phase]
        state = label + (f": {escape(p.detail)}" if p.detail else "")
        text = f"{label.split(' ', 1)[1]}: {inc}"

    blocks = [section(state)]
    if calls:
        lines = [_call_line(c) for c in calls]
        hidden = max(0, len(lines) - MAX_PROGRESS_LINES)
        lines = lines[hidden:]
        if hidden:
            lines.insert(0, f"_…{hidden} earlier calls not shown_")
        body = "\n".join(lines)
        while len(body) > MAX_SECTION and len(lines) > 2:  # keep the newest calls when it is long
            lines.pop(1)
            hidden += 1
            lines[0] = f"_…{hidden} earlier calls not shown_"
            body = "\n".join(lines)
        blocks.append(section(body))
    notes = [f":warning: {escape(t)}" if lvl == "warning" else escape(t) for lvl, t in p.notes[-3:]]
    if notes:
        blocks.append(context(*notes))
    return message(text, blocks)


def _call_line(c: Any) -> str:
    line = f"{_STATUS_ICON.get(c.status, '•')} `{escape(c.server)}` · `{escape(c.tool)}`"
    if c.status == "running":
        return line + " · running"
    line += f" · {'ok' if c.status == 'ok' else 'failed'} · {duration(c.duration_ms)}"
    if c.summary:
        line += f" · {escape(clip(c.summary, 160))}"
    return line


# -- the report ------------------------------------------------------------------------------------


def _trigger(report: Report) -> str:
    t = report.root_cause.trigger
    if t.type in ("deploy", "commit", "config") and t.ref:
        return f"{t.type} `{escape(t.ref)}`"
    if t.type == "none":
        return "none (no change of ours)"
    return escape(t.type)


def report_message(report: Report) -> Message:
    """The final report: header, summary, root cause (trigger, confidence), timeline, evidence,
    recommendations, and a context line (analyst, tool calls, time taken)."""
    rc = report.root_cause
    blocks: list[dict[str, Any]] = [header(f"RCA: {report.incident}")]
    blocks.append(section(f"*Summary*\n{escape(report.summary) or '_no summary_'}"))

    fields = [
        _mrkdwn(clip(f"*Trigger*\n{_trigger(report)}", MAX_FIELD)),
        _mrkdwn(f"*Confidence*\n{rc.confidence:.0%}"),
    ]
    if rc.service:
        fields.append(_mrkdwn(clip(f"*Service*\n{escape(rc.service)}", MAX_FIELD)))
    if report.onset:
        fields.append(_mrkdwn(clip(f"*Onset*\n{escape(report.onset)}", MAX_FIELD)))
    title = "*Root cause*" if report.incident_detected else "*No incident found*"
    cause = section(f"{title}\n{escape(rc.description) or '_unknown_'}")
    cause["fields"] = fields
    blocks.append(cause)
    blocks.append(divider())

    blocks += line_sections(
        "*Timeline*",
        [f"`{escape(t.time)}` *{escape(t.source)}*: {escape(t.event)}" for t in report.timeline],
        LIST_BUDGET["timeline"],
        "timeline entries",
    )
    blocks += line_sections(
        "*Evidence*",
        [
            f"• *{escape(e.source)}*" + (f" (`{escape(e.tool)}`)" if e.tool else "") + f": {escape(e.finding)}"
            for e in report.evidence
        ],
        LIST_BUDGET["evidence"],
        "findings",
    )
    blocks += line_sections(
        "*Recommendations*",
        [f"{i}. {escape(r)}" for i, r in enumerate(report.recommendations, 1)],
        LIST_BUDGET["recommendations"],
        "recommendations",
    )
    if report.warnings:
        shown = [f":warning: {escape(clip(w, 300))}" for w in report.warnings[:MAX_WARNINGS]]
        if len(report.warnings) > MAX_WARNINGS:
            shown.append(f"_…and {_count(len(report.warnings) - MAX_WARNINGS, 'more warning')} not shown._")
        blocks.append(context(*shown))

    calls = report.tool_calls
    failed = sum(1 for c in calls if not c.ok)
    parts = [f"Analyst: {escape(report.analyst)}", _count(len(calls), "tool call")]
    if failed:
        parts[-1] += f" ({failed} failed)"
    if report.duration_s is not None:
        parts.append(f"took {report.duration_s:.1f} s")
    if report.usage and report.usage.model_calls:
        parts.append(_count(report.usage.model_calls, "model call"))
    blocks.append(context(" · ".join(parts)))

    # The context line must survive any shortening: fit the body, then append it.
    body, ctx = blocks[:-1], blocks[-1]
    if len(body) > MAX_BLOCKS - 1:
        body = fit_blocks(body)[: MAX_BLOCKS - 2] + [context("_Some of the report is not shown: Slack allows 50 blocks._")]
    return message(f"RCA: {escape(report.incident)}: {escape(report.verdict)}", [*body, ctx])


def report_text_only(report: Report) -> Message:
    """A last resort when Slack refuses the blocks anyway: the verdict and summary as plain text."""
    text = (
        f"RCA: {escape(report.incident)}\n{escape(report.verdict)}\n\n{escape(report.summary)}\n\n"
        "(The full report could not be shown here: Slack refused its formatting.)"
    )
    return {"text": clip(text, MAX_TEXT)}


# -- endings other than a report -------------------------------------------------------------------


def timed_out_message(timeout_s: float, finished_calls: int, *, slow_model: str | None = None) -> Message:
    """`slow_model`: the model analyst's name when the time went waiting on the model, not on a tool."""
    body = (
        f":hourglass: *The investigation ran out of time* after {timeout_s:g} s (RCA_TIMEOUT_S) and was stopped. "
        f"{finished_calls} tool call{'s' if finished_calls != 1 else ''} had finished; the progress above lists them. "
        "Nothing here is a conclusion. "
    )
    if slow_model:
        body += (
            f"The time went waiting on the model (`{escape(slow_model)}`), which was slow or overloaded. Ask "
            "whoever runs me to raise RCA_TIMEOUT_S, lower LLM_TIMEOUT_S or LLM_MAX_STEPS, or set "
            "RCA_ANALYST=heuristic; the deterministic analysis alone takes seconds."
        )
    else:
        body += "Ask a narrower question, or ask whoever runs me to raise RCA_TIMEOUT_S."
    return message(f"The investigation ran out of time after {timeout_s:g} s.", [section(body)])


def failed_message(reason: str) -> Message:
    body = (
        f":warning: *The investigation failed:* {escape(clip(reason, 1500))}\n"
        "Nothing here is a conclusion. Try again; if it keeps failing, the bot's log has the details."
    )
    return message(f"The investigation failed: {escape(clip(reason, 500))}", [section(body)])


def stopped_message() -> Message:
    body = (
        ":double_vertical_bar: *I am shutting down*, so this investigation was stopped before it finished. "
        "Ask again once I am back."
    )
    return message("The investigation was stopped: the bot is shutting down.", [section(body)])
