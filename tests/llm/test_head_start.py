"""The head start: the deterministic analysis runs first through the same tools and opens the
conversation as a hypothesis; a call it already made is handed back, not run again."""

from __future__ import annotations

import json

import pytest

from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import analyst_for, investigate
from tests.llm.test_investigation import REPORT

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_model_starts_from_the_deterministic_findings(engine, fake):
    fake.script(
        Reply("Checking the deployments it found.", [Call("get_deployments", {"limit": 50}),
                                                     Call("get_error_rates", {})]),
        Reply("", [Call("submit_report", REPORT)]),
    )
    report, rec = await investigate(engine, analyst_for(fake, LLM_HEAD_START="true"))

    first = fake.requests[0]
    head = first.messages[2]
    assert head["role"] == "user"
    assert head["content"].startswith("A deterministic analysis of the same data already ran")
    assert "get_deployments(limit=50)" in head["content"] and "get_recent_commits(limit=100)" in head["content"]
    assert "Confirm or refute" in head["content"]

    # the deterministic pass's calls come first; the model's repeat of one is served from them
    tools = [c.tool for c in report.tool_calls]
    assert tools.count("get_deployments") == 1
    assert tools.index("get_deployments") < tools.index("get_error_rates")
    handed = json.loads(fake.requests[1].tool_results()[0]["content"])
    assert [d["version"] for d in handed["deployments"]] == ["v1.1.0", "v1.0.9"]
    assert any("handed back the head start's result" in n for n in rec.notes())
    assert report.analyst == "llm:qwen-test"
    assert report.root_cause.trigger.ref == "v1.1.0"


async def test_head_start_is_the_default(engine, fake):
    from bot.analysts.llm import LLMSettings

    settings = LLMSettings.from_env(fake.env("ollama"))
    assert settings is not None and settings.head_start is True
