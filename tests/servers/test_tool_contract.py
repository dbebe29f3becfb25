"""What every bundled tool promises (docs/tools.md): read-only, described, typed, structured."""

from __future__ import annotations

from pathlib import Path

import mcp
import pytest
from rca_servers.git import build_server as git_server
from rca_servers.logs import build_server as logs_server
from rca_servers.metrics import build_server as metrics_server

SCENARIO = Path(__file__).resolve().parents[3] / "shared" / "scenarios" / "pool-exhaustion-after-deploy"
SEED_TOOLS = {
    "logs": {"read_logs", "search_logs"},
    "git": {"get_recent_commits", "get_deployments", "search_commits"},
    "metrics": {"get_metrics", "get_anomalies", "get_error_rates"},
}


def build(name: str):
    if name == "logs":
        return logs_server(SCENARIO / "logs")
    if name == "git":
        return git_server(commits_file=SCENARIO / "git" / "recent_commits.json")
    return metrics_server(metrics_file=SCENARIO / "metrics" / "metrics.json")


@pytest.mark.parametrize("name", ["logs", "git", "metrics"])
async def test_every_tool_is_read_only_described_typed_and_structured(name: str) -> None:
    async with mcp.Client(build(name)) as client:
        tools = (await client.list_tools()).tools
    assert SEED_TOOLS[name] <= {t.name for t in tools}
    for t in tools:
        assert t.annotations is not None and t.annotations.read_only_hint is True, t.name
        assert t.annotations.destructive_hint is False, t.name
        assert t.description and len(t.description) > 20, t.name
        assert t.output_schema is not None, f"{t.name} has no structured output"
        for arg, prop in t.input_schema.get("properties", {}).items():
            assert prop.get("description"), f"{t.name}.{arg} is not described"
            assert "type" in prop or "anyOf" in prop, f"{t.name}.{arg} is not typed"
