"""An investigation with a deadline (the Slack app's RCA_TIMEOUT_S) ends in a report before it,
however slow the model: the model is stopped in time and the deterministic analysis answers.
Without a deadline (the CLI) nothing changes: the model gets all its steps and retries."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.analysts.llm.analyst import model_deadline
from tests.fakes.model_server import Call, Hang, Reply
from tests.llm.conftest import Recorder, analyst_for
from tests.llm.test_misbehaving_model import FALLBACK

in_session_loop = pytest.mark.asyncio(loop_scope="session")


async def within(engine, analyst, *, deadline_in: float):
    """investigate() as the Slack runner calls it: with a deadline, cancelled once it has passed
    (the 2 s of grace are for a loaded machine; the report is due before the deadline itself)."""
    rec = Recorder()
    deadline = time.monotonic() + deadline_in
    report = await asyncio.wait_for(
        engine.investigate("checkout errors", rec, analyst=analyst, deadline=deadline), deadline_in + 2
    )
    return report, rec


@in_session_loop
async def test_a_hanging_model_gives_way_to_the_head_start_before_the_deadline(engine, fake):
    # One request may take 20 s and is retried three times: far past the 3 s this investigation has.
    fake.script(*[Hang(30)] * 4)
    analyst = analyst_for(fake, LLM_HEAD_START="true", LLM_TIMEOUT_S="20")
    report, rec = await within(engine, analyst, deadline_in=3)

    assert report.analyst == FALLBACK and not report.failed
    assert len(fake.requests) == 1  # it was asked, and given up on at the deadline
    tools = [c.tool for c in report.tool_calls]
    assert tools.count("get_deployments") == 1  # the head start's report, not a second analysis
    warnings = [w for w in report.warnings if "falling back" in w]
    assert warnings and "did not finish in time" in warnings[0] and "step 1 of 10" in warnings[0]


@in_session_loop
async def test_a_slow_model_that_keeps_investigating_is_stopped_and_the_deterministic_analysis_runs(engine, fake):
    # From scratch this time: each answer takes 0.5 s and asks for more; the reserve left for the
    # deterministic analysis (at least 5 s) is kept.
    def slow_step(request):
        n = len(fake.requests)
        return Hang(0.5, Reply("", [Call("get_error_rates", {"since": f"2030-01-01T10:{n:02d}:00Z"})]))

    fake.script(*[slow_step] * 40)
    report, rec = await within(engine, analyst_for(fake, LLM_TIMEOUT_S="20"), deadline_in=8)

    assert report.analyst == FALLBACK
    assert 2 <= len(fake.requests) < 10  # a few steps, not all ten
    assert {"get_deployments", "get_recent_commits"} <= {c.tool for c in report.tool_calls}
    assert any("did not finish in time" in w for w in report.warnings)


def test_the_reserve_after_the_model():
    assert model_deadline(None, 0.0, have_head_start=True) is None
    assert model_deadline(300.0, 0.0, have_head_start=True) == 290.0  # handing the head start over is quick
    assert model_deadline(10.0, 0.0, have_head_start=True) == 9.0
    assert model_deadline(300.0, 0.0, have_head_start=False) == 240.0  # the deterministic analysis still has to run
    assert model_deadline(10.0, 0.0, have_head_start=False) == 5.0
