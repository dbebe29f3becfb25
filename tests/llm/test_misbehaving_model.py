"""A model that does not play along: it never stops, calls tools that do not exist, sends broken
or ill-fitting arguments, repeats itself, answers in prose. Each is answered with something the
model can correct, and every investigation ends in a report."""

from __future__ import annotations

import json

import pytest

from bot.engine import Note
from tests.fakes.model_server import Call, Reply, Request
from tests.llm.conftest import analyst_for, investigate
from tests.llm.test_investigation import REPORT

pytestmark = pytest.mark.asyncio(loop_scope="session")

FALLBACK = "llm:qwen-test+heuristic-fallback"

# A conclusion that claims nothing the data must hold (no version, hash or onset).
PLAIN = {
    "incident_detected": True,
    "summary": "Checkout errors come from database connection pool exhaustion.",
    "root_cause": {"description": "Connection pool exhaustion in the database layer.",
                   "trigger": {"type": "unknown", "ref": None}, "confidence": 0.5},
    "onset": None,
    "recommendations": ["Raise the pool size"],
}


def submit() -> Reply:
    return Reply("", [Call("submit_report", PLAIN)])


async def test_a_model_that_never_stops_gets_no_tools_on_its_last_step(engine, fake):
    def busy(request: Request) -> Reply:
        if not request.tool_names:  # no tools offered: it has to answer
            return Reply("Here is my conclusion:\n```json\n" + json.dumps(REPORT) + "\n```")
        n = len(fake.requests)
        return Reply("", [Call("get_error_rates", {"since": f"2030-01-01T10:{n:02d}:00Z"})])

    fake.script(*[busy] * 4)
    report, _ = await investigate(engine, analyst_for(fake, LLM_MAX_STEPS="4"))

    assert len(fake.requests) == 4
    assert all(r.tool_names for r in fake.requests[:3])
    last = fake.requests[3]
    assert "tools" not in last.body
    assert "last of your 4 steps" in last.messages[-1]["content"]
    assert "JSON" in last.messages[-1]["content"]
    assert report.analyst == "llm:qwen-test"  # the JSON answer is the report
    assert report.onset == "2030-01-01T10:20:00Z"
    assert len(report.tool_calls) == 3
    # it never looked at git: the deploy it names cannot be checked, so it is not passed on
    assert report.root_cause.trigger.type == "unknown" and report.root_cause.trigger.ref is None
    assert any("v1.1.0" in w and "dropped" in w for w in report.warnings)


async def test_a_model_that_calls_tools_even_on_its_last_step_ends_in_the_fallback(engine, fake):
    fake.script(*[Reply("", [Call("get_deployments", {"limit": i + 1})]) for i in range(3)])
    report, rec = await investigate(engine, analyst_for(fake, LLM_MAX_STEPS="3"))

    assert len(fake.requests) == 3
    assert report.analyst == FALLBACK
    assert any("kept calling tools" in w and "falling back" in w for w in report.warnings)
    assert [n.level for n in rec.of(Note) if "falling back" in n.text] == ["warning"]


async def test_an_unknown_tool_is_answered_with_the_tools_there_are(engine, fake):
    fake.script(
        Reply("", [Call("get_kubernetes_pods", {}), Call("get_deployment", {"limit": 3})]),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake, "openai"))

    pods, deploy = (m["content"] for m in fake.requests[1].tool_results())
    assert "no tool named 'get_kubernetes_pods'" in pods and "get_deployments" in pods and "submit_report" in pods
    assert "Did you mean get_deployments" in deploy
    assert report.tool_calls == []  # nothing was run for a tool that does not exist
    assert report.analyst == "llm:qwen-test"


async def test_broken_json_arguments_are_quoted_back_and_the_corrected_call_runs(engine, fake):
    fake.script(
        Reply("", [Call("get_deployments", '{"limit": 5,', id="call_broken")]),
        Reply("", [Call("get_deployments", '{"limit": 5}')]),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake, "openai"))

    second = fake.requests[1]
    reply = second.tool_results()[0]
    assert reply["tool_call_id"] == "call_broken"
    assert "not valid JSON" in reply["content"] and '{"limit": 5,' in reply["content"]
    # replayed as valid JSON, so the server accepts the history
    assert second.messages[2]["tool_calls"][0]["function"]["arguments"] == "{}"
    assert [(c.tool, c.arguments) for c in report.tool_calls] == [("get_deployments", {"limit": 5})]


async def test_arguments_that_do_not_fit_the_schema_are_refused_before_any_call(engine, fake):
    fake.script(
        Reply("", [Call("get_deployments", {"limit": "five", "window": "1h"}), Call("search_logs", {})]),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake, "ollama"))

    deploys, logs = (m["content"] for m in fake.requests[1].tool_results())
    assert "limit='five' should be integer" in deploys
    assert "'window' is not an argument" in deploys
    assert "limit (integer, default 20)" in deploys  # what to send instead
    assert "'pattern' is required" in logs
    assert report.tool_calls == []


async def test_an_identical_repeated_call_is_not_run_again(engine, fake):
    fake.script(
        Reply("", [Call("get_deployments", {"limit": 5}), Call("get_deployments", {"limit": 5})]),
        Reply("", [Call("get_deployments", {"limit": "5"})]),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake))

    first_turn = [m["content"] for m in fake.requests[1].tool_results()]
    assert "v1.1.0" in first_turn[0] and first_turn[1].startswith("Not run twice")
    again = fake.requests[2].tool_results()[-1]["content"]
    assert again.startswith("Not run again") and "step 1" in again
    assert [c.tool for c in report.tool_calls] == ["get_deployments"]


async def test_a_prose_answer_is_nudged_and_a_json_answer_accepted(engine, fake):
    fake.script(
        Reply("I think the database is the problem, probably the pool."),
        Reply("Sure. " + json.dumps({**PLAIN, "root_cause": {**PLAIN["root_cause"], "confidence": "80%"}})),
    )
    report, _ = await investigate(engine, analyst_for(fake))

    nudge = fake.requests[1].messages[-1]
    assert nudge["role"] == "user" and "submit_report" in nudge["content"]
    assert fake.requests[1].messages[-2] == {"role": "assistant", "content": "I think the database is the problem, probably the pool."}
    assert report.analyst == "llm:qwen-test"
    assert report.root_cause.confidence == 0.8


async def test_a_model_that_only_ever_writes_prose_ends_in_the_fallback(engine, fake):
    fake.script(*[Reply("It is probably the database.")] * 3)
    report, _ = await investigate(engine, analyst_for(fake, LLM_MAX_STEPS="3"))

    assert len(fake.requests) == 3
    assert report.analyst == FALLBACK
    assert report.root_cause.description  # the deterministic analysis' own conclusion
    assert any("prose" in w for w in report.warnings)


async def test_a_call_written_as_text_by_a_model_without_tool_calling_is_run(engine, fake):
    fake.script(
        Reply(json.dumps({"name": "get_deployments", "arguments": {"limit": 2}})),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake))

    assert [(c.tool, c.arguments) for c in report.tool_calls] == [("get_deployments", {"limit": 2})]
    assert "v1.1.0" in fake.requests[1].tool_results()[0]["content"]


async def test_the_models_reasoning_is_shown_as_progress(engine, fake):
    fake.script(Reply("", [Call("get_deployments", {})], thinking="Errors began at 10:20; what shipped before?"), submit())
    _, rec = await investigate(engine, analyst_for(fake))

    assert "thinking: Errors began at 10:20; what shipped before?" in rec.notes()


async def test_a_call_that_failed_may_be_tried_again_and_then_it_runs(engine, fake):
    # get_queue_depth fails the first time it is asked about a queue: a passing failure
    fake.script(
        Reply("", [Call("get_queue_depth", {"queue": "orders-retry"})]),
        Reply("The broker hiccuped; trying again.", [Call("get_queue_depth", {"queue": "orders-retry"})]),
        submit(),
    )
    report, _ = await investigate(engine, analyst_for(fake))

    first_try, second_try = (r.tool_results()[-1]["content"] for r in fake.requests[1:3])
    assert first_try.startswith("Error from get_queue_depth")
    assert json.loads(second_try) == {"queue": "orders-retry", "depth": 42}
    assert [(c.tool, c.ok) for c in report.tool_calls] == [("get_queue_depth", False), ("get_queue_depth", True)]


async def test_at_most_four_calls_of_one_turn_run_at_once(engine, fake):
    fake.script(Reply("", [Call("hold", {"seconds": 0.3, "tag": str(i)}) for i in range(8)]), submit())
    report, _ = await investigate(engine, analyst_for(fake))

    results = [json.loads(m["content"]) for m in fake.requests[1].tool_results()]
    assert sorted(r["tag"] for r in results) == [str(i) for i in range(8)]  # all ran, each answered in order
    assert [r["tag"] for r in results] == [str(i) for i in range(8)]
    assert max(r["most_in_flight"] for r in results) == 4  # together, but never more than four
    assert len(report.tool_calls) == 8


async def test_a_failure_nothing_in_the_loop_expected_ends_in_the_fallback_not_a_failed_report(engine, fake):
    # A degenerate model: arguments nested deeper than any JSON reader goes (RecursionError, not a
    # JSON error). Whatever breaks inside the conversation, the responder gets the deterministic report.
    fake.script(Reply("", [Call("search_logs", "[" * 50_000)]))
    report, rec = await investigate(engine, analyst_for(fake, "openai"))

    assert report.analyst == FALLBACK and not report.failed
    assert {c.tool for c in report.tool_calls} >= {"get_deployments"}  # the deterministic analysis ran
    assert any("could not be used" in w and "RecursionError" in w and "falling back" in w for w in report.warnings)
