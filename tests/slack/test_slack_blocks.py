"""Block Kit from reports and progress: always within Slack's limits, shortened with a note, escaped."""

from __future__ import annotations

import json

from bot.engine.events import InvestigationStarted, Note, ToolCallFinished, ToolCallStarted
from bot.engine.report import Evidence, Report, RootCause, TimelineEntry, ToolCallRecord, Trigger
from bot.slack import blocks
from bot.slack.progress import InvestigationProgress
from tests.slack.harness import assert_within_limits, block_texts


def huge_report() -> Report:
    return Report(
        incident="checkout " * 60,
        incident_detected=True,
        summary="Everything is on fire. " * 500,
        root_cause=RootCause("Pool exhaustion " * 300, Trigger("deploy", "v" + "9" * 3000), 0.9, "checkout-api" * 200),
        onset="2026-02-17T14:45:00Z",
        timeline=[TimelineEntry(f"2026-02-17T14:{i % 60:02d}:00Z", "logs", "x" * 1000) for i in range(300)],
        evidence=[Evidence("logs", "y" * 900, "search_logs") for _ in range(200)],
        recommendations=["Do the thing " * 50 for _ in range(60)],
        tool_calls=[ToolCallRecord("logs", "search_logs", {}, i % 3 != 0, 12.0) for i in range(300)],
        warnings=["server 'git' is down " * 40 for _ in range(20)],
    )


def test_a_huge_report_fits_and_says_what_it_left_out() -> None:
    msg = blocks.report_message(huge_report())
    assert_within_limits(msg)
    text = block_texts(msg["blocks"])
    assert "more timeline entries not shown" in text
    assert "more findings not shown" in text
    assert "more recommendations not shown" in text
    assert "(shortened)" in text
    assert msg["blocks"][-1]["type"] == "context" and "Analyst: heuristic" in text  # the context line survives
    assert "300 tool calls (100 failed)" in text
    assert len(json.dumps(msg)) < 40_000  # well under Slack's message size


def test_text_from_the_data_pings_nobody() -> None:
    report = huge_report()
    report.incident = "checkout <!channel>"
    report.summary = "See <!here> and <@U0BOSS> & friends"
    report.evidence = [Evidence("logs", "user wrote <!everyone>", "search_logs")]
    for msg in (blocks.report_message(report), blocks.parent_message(report.incident, "U0ALICE01"),
                blocks.report_text_only(report)):
        # mrkdwn and the fallback text are parsed for mentions; a header's plain_text is shown as is
        raw = json.dumps([msg["text"], *(b for b in msg.get("blocks", []) if b["type"] != "header")])
        assert "<!channel>" not in raw and "<!here>" not in raw and "<!everyone>" not in raw and "<@U0BOSS>" not in raw
    assert "&lt;!here&gt;" in block_texts(blocks.report_message(report)["blocks"])


def test_progress_of_a_long_investigation_keeps_the_newest_calls() -> None:
    p = InvestigationProgress("checkout")
    p.apply(InvestigationStarted("checkout", "heuristic", ("logs",)))
    for i in range(1, 121):
        p.apply(ToolCallStarted(i, "logs", "search_logs", {}))
        p.apply(ToolCallFinished(i, "logs", "search_logs", {}, ok=i % 7 != 0, duration_ms=1500.0, summary="z" * 500))
    p.apply(ToolCallStarted(121, "git", "get_deployments", {}))
    p.apply(Note("server 'metrics' is down", "warning"))
    msg = blocks.progress_message(p)
    assert_within_limits(msg)
    text = block_texts(msg["blocks"])
    assert "earlier calls not shown" in text
    assert "`get_deployments` · running" in text and "1.5 s" in text and ":warning:" in text

    p.finish("timed_out", duration_s=300.0, detail="stopped after 300 s")
    msg = blocks.progress_message(p)
    assert_within_limits(msg)
    assert "running" not in block_texts(msg["blocks"]) and "did not finish" in block_texts(msg["blocks"])


def test_queued_progress_says_how_many_are_ahead() -> None:
    p = InvestigationProgress("checkout", phase="queued", ahead=4, running=3)
    msg = blocks.progress_message(p)
    assert msg["text"].startswith("Queued, 4 ahead of you")
    assert_within_limits(msg)


def test_every_other_message_is_within_limits() -> None:
    long = "why " * 2000
    for msg in (
        blocks.parent_message(long, "U0ALICE01"),
        blocks.parent_message(long, None, status="done", detail=long),
        blocks.parent_message(long, "U0ALICE01", status="timed_out", detail=long),
        blocks.timed_out_message(300, 7),
        blocks.failed_message(long),
        blocks.stopped_message(),
        blocks.usage_message("U0RCABOT1", "/incident-rca"),
    ):
        assert_within_limits(msg)
    assert "/incident-rca 500 errors on checkout" in blocks.usage_message(None, "/incident-rca")["text"]


def small_report(**changes: object) -> Report:
    base = Report(
        incident="checkout 500s", incident_detected=True, summary="Pool exhaustion after v2.4.0.",
        root_cause=RootCause("Pool exhaustion.", Trigger("deploy", "v2.4.0"), 0.8), onset="2026-02-17T14:45:00Z",
        timeline=[TimelineEntry("2026-02-17T14:25:00Z", "git", "v2.4.0 deployed")],
        evidence=[Evidence("logs", "Connection pool exhausted ×122", "summarize_errors")],
        recommendations=["Restore the pool size"],
        tool_calls=[ToolCallRecord("logs", "search_logs", {}, True, 12.0)],
    )
    for k, v in changes.items():
        setattr(base, k, v)
    return base


def test_counts_read_right_in_the_singular() -> None:
    p = InvestigationProgress("checkout")
    p.apply(ToolCallStarted(1, "logs", "search_logs", {}))
    p.apply(ToolCallFinished(1, "logs", "search_logs", {}, True, 5.0, "3 matches"))
    p.finish("done", duration_s=1.2)
    assert "Done in 1.2 s: 1 tool call." in block_texts(blocks.progress_message(p)["blocks"])
    assert block_texts(blocks.report_message(small_report())["blocks"][-1:]).endswith("· 1 tool call")


def test_warnings_past_the_first_five_are_counted_not_dropped() -> None:
    msg = blocks.report_message(small_report(warnings=[f"warning number {i}" for i in range(8)]))
    text = block_texts(msg["blocks"])
    assert "warning number 4" in text and "warning number 5" not in text
    assert "…and 3 more warnings not shown" in text
    assert_within_limits(msg)


def test_an_empty_section_says_none_instead_of_vanishing() -> None:
    text = block_texts(blocks.report_message(small_report(evidence=[], timeline=[]))["blocks"])
    assert "*Evidence*\n_none_" in text and "*Timeline*\n_none_" in text


def test_out_of_time_waiting_on_the_model_says_what_to_change() -> None:
    waiting = block_texts(blocks.timed_out_message(300, 7, slow_model="llm:qwen3:8b")["blocks"])
    assert "waiting on the model (`llm:qwen3:8b`)" in waiting and "LLM_TIMEOUT_S" in waiting
    assert "RCA_ANALYST=heuristic" in waiting
    assert "model" not in block_texts(blocks.timed_out_message(300, 7)["blocks"])
