"""What the model may read: each result within its budget or replaced by how to narrow it, and the
conversation within its own, after which the model must answer."""

from __future__ import annotations

import json

import pytest

from bot.analysts.llm.budget import compact
from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import analyst_for, investigate
from tests.llm.test_misbehaving_model import PLAIN

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_an_oversized_result_is_replaced_by_how_to_narrow_it(engine, fake):
    fake.script(
        Reply("", [Call("dump_logs", {"limit": 400})]),
        Reply("", [Call("dump_logs", {"limit": 10, "level": "ERROR"})]),
        Reply("", [Call("submit_report", PLAIN)]),
    )
    report, rec = await investigate(engine, analyst_for(fake, LLM_TOOL_RESULT_MAX_CHARS="2000"))

    big = fake.requests[1].tool_results()[0]["content"]
    assert big.startswith("Result not shown: dump_logs returned ")
    assert "more than the 2,000 one result may use" in big and "Nothing of it was cut" in big
    assert "since" in big and "a smaller limit (you sent 400)" in big and "a higher level" in big
    assert "entries: 400 items" in big  # what it held, without holding it
    assert "GET /api/v1/items" not in fake.requests[1].raw
    assert "xoxb-" not in fake.requests[1].raw  # the shape line is masked too
    small = json.loads(fake.requests[2].tool_results()[1]["content"])
    assert len(small["entries"]) == 10  # a narrowed call comes back whole
    assert len(report.tool_calls) == 2


async def test_the_conversation_budget_ends_in_an_answer_without_tools(engine, fake):
    budget = 16_000

    def investigate_more(request):
        if not request.tool_names:
            return Reply(json.dumps(PLAIN))
        # eight results of ~1,800 characters each (under the 2,000 cap) in one turn: more than the
        # conversation has left, however large the system prompt and the tool list are
        return Reply("", [Call("get_error_rates", {"since": f"2030-01-01T09:{n:02d}:00Z"}) for n in range(8)])

    fake.script(*[investigate_more] * 10)
    report, _ = await investigate(
        engine, analyst_for(fake, LLM_CONVERSATION_MAX_CHARS=str(budget), LLM_TOOL_RESULT_MAX_CHARS="2000")
    )

    assert report.analyst == "llm:qwen-test"
    assert len(fake.requests) == 2
    last = fake.requests[-1]
    assert "tools" not in last.body
    assert "size budget" in last.messages[-1]["content"]
    handed = [m["content"] for m in last.tool_results()]
    assert json.loads(handed[0])["points"]  # the first results fit whole
    assert "Answer with what you have" in handed[-1]  # the ones that no longer fit were replaced
    for r in fake.requests:
        carried = sum(len(m.get("content") or "") for m in r.messages) + len(compact(r.body.get("tools") or []))
        assert carried <= budget


async def test_ollama_is_asked_for_a_context_the_budget_fits_in(engine, fake):
    fake.script(Reply("", [Call("submit_report", PLAIN)]))
    await investigate(engine, analyst_for(fake, LLM_CONVERSATION_MAX_CHARS="60000"))

    options = fake.requests[0].body["options"]
    assert options["num_ctx"] >= 60_000 // 3  # Ollama's default context would silently truncate
    assert options["temperature"] == 0.0
