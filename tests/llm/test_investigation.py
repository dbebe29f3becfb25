"""A model investigates through the real MCP servers: what it is offered, what it is handed back,
and the report it ends with, over both wire formats."""

from __future__ import annotations

import json

import jsonschema
import pytest

from bot.engine import ToolCallFinished, ToolCallStarted
from bot.render.text import render_text
from bot.scenarios import shared_dir
from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import analyst_for, investigate

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCHEMA = json.loads((shared_dir() / "rca-report.schema.json").read_text())

REPORT = {
    "incident_detected": True,
    "summary": "Checkout fails because the database pool was shrunk to 5 in v1.1.0.",
    "root_cause": {
        "description": "Connection pool exhaustion: the pool size cut in commit a1b2c3d4e5f6 leaves requests waiting.",
        "service": "checkout-api",
        "trigger": {"type": "deploy", "ref": "v1.1.0"},
        "confidence": 0.85,
    },
    "onset": "2030-01-01T10:20:00Z",
    "timeline": [
        {"time": "2030-01-01T10:15:00Z", "source": "git", "event": "v1.1.0 deployed"},
        {"time": "2030-01-01T10:20:00Z", "source": "metrics", "event": "error rate jumps to 12.5%"},
    ],
    "evidence": [
        {"source": "logs", "tool": "search_logs", "finding": "Connection pool exhausted: 5/5 in use"},
        {"source": "git", "tool": "get_deployments", "finding": "v1.1.0 shipped a1b2c3d4e5f6 (pool size 5)"},
    ],
    "recommendations": ["Roll back v1.1.0", "Restore the pool size"],
}

SECRETS = ["Sup3rS3cret", "abcdefghijklmnop0123456789XYZ", "hunter2horse", "AKIAIOSFODNN7EXAMPLE", "plain-in-a-field"]
LOOKALIKES = ["3f2a9c1b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "checkout-api-7d9f8b6c5-x2k4j", "a1b2c3d4e5f6", "5/5 in use"]


def good_script() -> list[Reply]:
    return [
        Reply("Looking at error rates and recent deployments first.",
              [Call("get_error_rates", {}), Call("get_deployments", {"limit": 5})]),
        Reply("", [Call("search_logs", {"pattern": "pool|connect", "limit": "20"})]),
        Reply("", [Call("submit_report", REPORT)]),
    ]


@pytest.mark.parametrize("provider", ["ollama", "openai"])
async def test_a_good_investigation_ends_in_the_submitted_report(engine, fake, provider):
    fake.script(*good_script())
    report, rec = await investigate(engine, analyst_for(fake, provider), "checkout errors since 10:20")

    assert report.analyst == "llm:qwen-test"
    assert report.root_cause.trigger.type == "deploy" and report.root_cause.trigger.ref == "v1.1.0"
    assert report.onset == "2030-01-01T10:20:00Z"
    calls = [(c.server, c.tool) for c in report.tool_calls]
    assert sorted(calls[:2]) == [("git", "get_deployments"), ("obs", "get_error_rates")]  # together, either order
    assert calls[2] == ("obs", "search_logs")
    assert report.tool_calls[2].arguments == {"pattern": "pool|connect", "limit": 20}  # "20" read as the integer
    assert report.usage is not None and report.usage.model_calls == 3
    first, second, third = fake.requests
    assert report.usage.tokens_sent == sum(_prompt_tokens(r) for r in fake.requests)
    assert report.usage.chars_sent == sum(len(r.raw) for r in fake.requests)
    footer = render_text(report).splitlines()[-1]
    assert f"3 model calls, {report.usage.tokens_sent} tokens sent / {report.usage.tokens_received} received" in footer
    jsonschema.validate(report.to_dict(), SCHEMA)

    # offered: every tool of every server, in the function format, plus submit_report
    assert sorted(first.tool_names) == sorted([
        "get_recent_commits", "get_deployments", "search_commits",
        "get_error_rates", "search_logs", "dump_logs", "get_queue_depth", "hold", "submit_report",
    ])
    assert first.tools["search_logs"]["parameters"]["required"] == ["pattern"]
    assert first.body["stream"] is False
    assert first.messages[0]["role"] == "system" and "incident analyst" in first.messages[0]["content"]
    assert "checkout errors since 10:20" in first.messages[1]["content"]

    # handed back: each call's routed result as a tool message tied to its call
    results = second.tool_results()
    assert len(results) == 2
    rates, deploys = (json.loads(m["content"]) for m in results)
    assert rates["points"][20] == {"timestamp": "2030-01-01T10:20:00Z", "error_rate": 12.5}
    assert [d["version"] for d in deploys["deployments"]] == ["v1.1.0", "v1.0.9"]
    if provider == "ollama":
        assert [m["tool_name"] for m in results] == ["get_error_rates", "get_deployments"]
        assert isinstance(second.messages[2]["tool_calls"][0]["function"]["arguments"], dict)
    else:
        asked = [c["id"] for c in second.messages[2]["tool_calls"]]
        assert [m["tool_call_id"] for m in results] == asked
        assert isinstance(second.messages[2]["tool_calls"][0]["function"]["arguments"], str)

    # masked before it left: the secrets in the log lines and in a secret-named field never reach the model
    logs = third.tool_results()[-1]["content"]
    for secret in SECRETS:
        assert secret not in third.raw
    assert "[MASKED:url-password]" in logs and "[MASKED:secret]" in logs
    for survivor in LOOKALIKES:
        assert survivor in logs

    # progress: both calls of the first turn started before either finished; the reasoning is a note
    kinds = [type(e) for e in rec.events if isinstance(e, ToolCallStarted | ToolCallFinished)]
    assert kinds[:4] == [ToolCallStarted, ToolCallStarted, ToolCallFinished, ToolCallFinished]
    assert any(n.startswith("thinking: Looking at error rates") for n in rec.notes())
    assert any("masked" in n and "secret" in n for n in rec.notes())


def _prompt_tokens(request) -> int:
    import math

    return max(1, math.ceil(len(request.raw) / 4))
