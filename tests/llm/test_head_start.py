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


def _bare(trigger: dict) -> dict:
    """A report that names a cause and cites nothing."""
    return {"incident_detected": True, "summary": "Checkout fails: the database pool is exhausted.",
            "root_cause": {"description": "Database connection pool exhaustion.", "trigger": trigger,
                           "confidence": 0.8},
            "onset": None, "timeline": [], "evidence": [], "recommendations": ["Restore the pool size"]}


async def test_a_model_confirming_the_head_start_without_evidence_gets_the_head_starts(leaky_engine, fake):
    fake.script(Reply("", [Call("submit_report", _bare({"type": "deploy", "ref": "v2.4.0"}))]))
    report, _ = await investigate(leaky_engine, analyst_for(fake, LLM_HEAD_START="true"), "500 errors on checkout")

    assert report.analyst == "llm:qwen-test" and report.root_cause.trigger.ref == "v2.4.0"
    assert any(e.source == "logs" and "Connection pool exhausted" in e.finding for e in report.evidence)
    assert any(e.source == "git" and "v2.4.0" in e.finding for e in report.evidence)
    assert report.timeline
    assert any("gave no evidence" in w and "confirmed" in w for w in report.warnings)


async def test_a_model_disagreeing_without_evidence_is_shown_without_any(leaky_engine, fake):
    fake.script(Reply("", [Call("submit_report", _bare({"type": "unknown", "ref": None}))]))
    report, _ = await investigate(leaky_engine, analyst_for(fake, LLM_HEAD_START="true"), "500 errors on checkout")

    assert report.evidence == [] and report.timeline == []
    assert any("gives no evidence" in w for w in report.warnings)
    assert any("gives no timeline" in w for w in report.warnings)
