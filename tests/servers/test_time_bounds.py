"""Times at the edges of what datetime can hold: clamped to the data, or refused with a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from rca_servers.git import build_server as git_server
from rca_servers.logs import build_server as logs_server
from rca_servers.metrics import build_server as metrics_server

from tests.servers.calls import call, error

SCENARIO = Path(__file__).resolve().parents[3] / "shared" / "scenarios" / "pool-exhaustion-after-deploy"


def servers() -> dict[str, object]:
    return {
        "logs": logs_server(SCENARIO / "logs"),
        "metrics": metrics_server(metrics_file=SCENARIO / "metrics" / "metrics.json"),
        "git": git_server(commits_file=SCENARIO / "git" / "recent_commits.json"),
    }


@pytest.mark.parametrize(
    "server, tool, args, key",
    [
        ("logs", "search_logs", {"pattern": "pool", "since": "0001-01-01T00:00:00", "until": "9999-12-31T23:59:59Z"}, "matches"),
        ("logs", "read_logs", {"file": "app.log", "since": "now-99999999w"}, "entries"),
        ("logs", "summarize_errors", {"since": "0001-01-01T00:00:00+05:00"}, "signatures"),
        ("metrics", "get_anomalies", {"since": "0001-01-01T00:00:00"}, "anomalies"),
        ("metrics", "get_metrics", {"since": "0001-01-01T00:00:00", "until": "9999-12-31T23:59:59Z"}, "points"),
        ("git", "get_recent_commits", {"since": "0001-01-01T00:00:00"}, "commits"),
        ("git", "get_deployments", {"until": "9999-12-31T23:59:59-05:00"}, "deployments"),
    ],
)  # fmt: skip
async def test_the_widest_windows_mean_everything(server: str, tool: str, args: dict, key: str) -> None:
    out = await call(servers()[server], tool, **args)
    assert out[key], f"{tool} found nothing in a window that holds all the data"
    assert out["window"]["since"] in (None, "1970-01-01T00:00:00Z")


@pytest.mark.parametrize(
    "server, tool, args",
    [
        ("metrics", "get_metrics", {"time_range": "99999999w"}),
        ("metrics", "get_metrics", {"time_range": "1e400h"}),
    ],
)
async def test_durations_past_a_century_are_refused(server: str, tool: str, args: dict) -> None:
    text = await error(servers()[server], tool, **args)
    assert "duration" in text or "century" in text
