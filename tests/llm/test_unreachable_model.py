"""A model server that is slow, overloaded, down or talking nonsense: bounded retries with backoff
(honouring Retry-After), then the deterministic analysis, said so in progress and in the report."""

from __future__ import annotations

import socket

import jsonschema
import pytest

from bot.analysts.heuristic import HeuristicAnalyst
from bot.analysts.llm import LLMSettings, build_llm_analyst
from bot.engine import Note
from tests.fakes.model_server import Call, Fail, Garbage, Hang, Reply
from tests.llm.conftest import QUICK, analyst_for, investigate
from tests.llm.test_investigation import SCHEMA
from tests.llm.test_misbehaving_model import FALLBACK, PLAIN

pytestmark = pytest.mark.asyncio(loop_scope="session")


def submit() -> Reply:
    return Reply("", [Call("submit_report", PLAIN)])


async def test_a_429_with_retry_after_is_waited_out_then_the_answer_used(engine, fake):
    fake.script(Fail(429, "slow down", {"Retry-After": "1"}), submit())
    report, rec = await investigate(engine, analyst_for(fake, "openai"))

    assert report.analyst == "llm:qwen-test"
    first, second = fake.requests
    assert second.at - first.at >= 0.9  # LLM_BACKOFF_S is 0.01: only Retry-After explains the wait
    assert first.raw == second.raw  # the same request, sent again
    assert any("HTTP 429" in n and "retry 1 of 3 in 1.0 s" in n for n in rec.notes())
    assert report.usage.model_calls == 1


async def test_a_retry_after_longer_than_allowed_is_not_waited_for(engine, fake):
    fake.script(Fail(429, "quota exhausted", {"Retry-After": "3600"}))
    report, _ = await investigate(engine, analyst_for(fake, "openai", LLM_RETRY_AFTER_MAX_S="30"))

    assert len(fake.requests) == 1
    assert report.analyst == FALLBACK
    assert any("3600" in w and "LLM_RETRY_AFTER_MAX_S" in w for w in report.warnings)


async def test_a_model_that_times_out_is_retried_then_given_up_on(engine, fake):
    fake.script(Hang(2.0), Hang(2.0))
    report, rec = await investigate(engine, analyst_for(fake, LLM_TIMEOUT_S="0.3", LLM_MAX_RETRIES="1"))

    assert len(fake.requests) == 2
    assert report.analyst == FALLBACK
    assert report.usage is not None and report.usage.model_calls == 0
    warnings = [n.text for n in rec.of(Note) if n.level == "warning"]
    assert any("could not be reached" in w and "no answer within 0.3 s" in w and "after 2 tries" in w for w in warnings)
    assert warnings[-1] in report.warnings
    # the deterministic analysis ran through the same tools: its calls are in the report
    assert {c.tool for c in report.tool_calls} >= {"get_deployments", "get_recent_commits"}
    jsonschema.validate(report.to_dict(), SCHEMA)


async def test_a_slow_answer_then_a_good_one(engine, fake):
    fake.script(Hang(2.0), submit())
    report, _ = await investigate(engine, analyst_for(fake, LLM_TIMEOUT_S="0.3"))

    assert report.analyst == "llm:qwen-test"
    assert len(fake.requests) == 2


@pytest.mark.parametrize("provider", ["ollama", "openai"])
async def test_server_errors_until_the_retries_run_out_end_in_the_fallback(engine, fake, provider):
    fake.script(*[Fail(503, "loading model")] * 4)
    report, rec = await investigate(engine, analyst_for(fake, provider))

    assert len(fake.requests) == 4  # one try and LLM_MAX_RETRIES=3 more
    assert report.analyst == FALLBACK
    assert any("HTTP 503" in w and "falling back" in w for w in report.warnings)
    assert sum("retry" in n for n in rec.notes()) == 3


async def test_a_malformed_body_is_retried(engine, fake):
    fake.script(Garbage("<html>502 Bad Gateway</html>", "text/html"), Garbage('{"choices": []}'), submit())
    report, rec = await investigate(engine, analyst_for(fake, "openai"))

    assert report.analyst == "llm:qwen-test"
    assert sum("malformed response body" in n for n in rec.notes()) == 2


async def test_a_client_error_is_not_retried(engine, fake):
    fake.script(Fail(400, "registry.ollama.ai/library/gemma:2b does not support tools"))
    report, _ = await investigate(engine, analyst_for(fake))

    assert len(fake.requests) == 1
    assert report.analyst == FALLBACK
    assert any("does not support tools" in w for w in report.warnings)


async def test_a_refused_connection_ends_in_the_fallback(engine):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = LLMSettings.from_env({"OLLAMA_HOST": f"127.0.0.1:{port}", "OLLAMA_MODEL": "m", **QUICK,
                                     "LLM_MAX_RETRIES": "1"})
    report, _ = await investigate(engine, build_llm_analyst(settings, fallback=HeuristicAnalyst()))

    assert report.analyst == "llm:m+heuristic-fallback"
    assert any("cannot reach the server" in w for w in report.warnings)


async def test_with_the_head_start_the_fallback_reuses_it_instead_of_running_again(engine, fake):
    fake.script(*[Fail(500, "boom")] * 2)
    report, _ = await investigate(engine, analyst_for(fake, LLM_HEAD_START="true", LLM_MAX_RETRIES="1"))

    assert report.analyst == FALLBACK
    tools = [c.tool for c in report.tool_calls]
    assert tools.count("get_deployments") == 1 and tools.count("get_recent_commits") == 1


async def test_the_api_key_goes_in_the_authorization_header_only(engine, fake):
    fake.script(submit())
    await investigate(engine, analyst_for(fake, OLLAMA_API_KEY="olk-test-key-123"))

    (request,) = fake.requests
    assert request.headers["authorization"] == "Bearer olk-test-key-123"
    assert "olk-test-key-123" not in request.raw
