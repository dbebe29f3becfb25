"""The terminal renderer: progress as tools run, the report's words."""

from __future__ import annotations

import io

from bot.engine.events import Note, ToolCallFinished, ToolCallStarted
from bot.engine.report import Report, RootCause, Trigger
from bot.render.markdown import render_markdown
from bot.render.text import ProgressPrinter, render_text

START = ToolCallStarted(1, "logs", "summarize_errors", {"file": "*"})
DONE = ToolCallFinished(1, "logs", "summarize_errors", {"file": "*"}, True, 5012.0, "23 signatures")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_each_call_start_so_a_slow_one_is_not_a_hang() -> None:
    out = Terminal()
    printer = ProgressPrinter(out)
    printer(START)
    assert out.getvalue() == '  … logs.summarize_errors(file="*")\n'
    printer(DONE)
    assert out.getvalue().splitlines()[-1] == '  ✓ logs.summarize_errors(file="*")  5012 ms  → 23 signatures'


def test_piped_output_gets_only_finished_calls_and_notes() -> None:
    out = io.StringIO()
    printer = ProgressPrinter(out)
    printer(START)
    printer(DONE)
    printer(Note("server 'git' is unavailable", "warning"))
    assert out.getvalue().splitlines() == [
        '  ✓ logs.summarize_errors(file="*")  5012 ms  → 23 signatures',
        "  ! server 'git' is unavailable",
    ]


def test_a_report_that_could_not_conclude_says_so_in_every_format() -> None:
    report = Report(
        "500s", True, "The investigation could not finish (no data source answered). Nothing below is a conclusion.",
        RootCause("Unknown", Trigger("unknown", None), 0.0), None, failed=True,
    )  # fmt: skip
    for text in (render_text(report), render_markdown(report)):
        assert "could not finish" in text and "unknown" in text
