"""The engine over real MCP servers: parallel start, routing, config-only servers, dead servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.analysts.heuristic import HeuristicAnalyst
from bot.engine import Engine, Note
from bot.engine.report import Report, RootCause
from bot.engine.servers import ConfigError, ServerConfig, bundled_servers, load_config, parse_config
from bot.engine.session import ToolSession
from tests.engine.conftest import child_pids, kill_server

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "docs" / "examples"
FLAKY = ServerConfig("flaky", sys.executable, (str(Path(__file__).with_name("flaky_server.py")),), {}, str(REPO))
SEED_TOOLS = {
    "read_logs": "logs",
    "search_logs": "logs",
    "get_recent_commits": "git",
    "get_deployments": "git",
    "search_commits": "git",
    "get_metrics": "datadog",
    "get_anomalies": "datadog",
    "get_error_rates": "datadog",
}


class Calls:
    """A test analyst: makes the calls it is given, in order, and reports what came back."""

    name = "scripted"

    def __init__(self, *calls: tuple[str, dict]) -> None:
        self.calls = calls
        self.results: list = []

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        for name, args in self.calls:
            self.results.append(await tools.call(name, args))
        return Report(incident, True, "scripted", RootCause("scripted"), None, analyst=self.name)


async def test_bundled_servers_offer_the_seed_tools_and_route_each_call() -> None:
    probe = Calls(
        ("read_logs", {"file": "app.log", "limit": 1}),
        ("search_logs", {"pattern": "pool", "limit": 1}),
        ("get_recent_commits", {"limit": 1}),
        ("get_deployments", {"limit": 1}),
        ("search_commits", {"query": "pool"}),
        ("get_metrics", {"metric_type": "error_rate"}),
        ("get_anomalies", {}),
        ("get_error_rates", {}),
    )
    async with Engine(bundled_servers(), probe) as engine:
        offered = {t.name: t.server for t in engine.router.tools}
        report = await engine.investigate("500 errors on checkout API")
    assert {k: offered[k] for k in SEED_TOOLS} == SEED_TOOLS
    assert [(c.tool, c.server, c.ok) for c in report.tool_calls] == [(t, s, True) for t, s in SEED_TOOLS.items()]
    assert all(r.data for r in probe.results)


async def test_servers_start_in_parallel_once_per_process() -> None:
    async with Engine(bundled_servers(), Calls(("get_deployments", {}))) as engine:
        starts = {h.name: h.start_ms for h in engine.pool.handles.values()}
        # in parallel: every server began starting before any of them was ready
        began = [h.started_at - h.start_ms / 1000 for h in engine.pool.handles.values()]
        ready = [h.started_at for h in engine.pool.handles.values()]
        assert max(began) < min(ready)
        pids = sorted(child_pids("-server/server.py"))
        generation = engine.pool.generation
        for _ in range(3):
            await engine.investigate("again")
        assert sorted(child_pids("-server/server.py")) == pids  # nothing was started again
        assert engine.pool.generation == generation
    assert len(pids) == 3 and all(v is not None for v in starts.values())


async def test_a_fourth_server_through_the_config_file_only() -> None:
    servers = load_config(EXAMPLES / "servers.with-kubernetes.json")
    probe = Calls(("get_pods", {}), ("kubernetes__get_deployments", {}), ("get_deployments", {"limit": 1}))
    async with Engine(servers, probe) as engine:
        names = {t.name for t in engine.router.tools}
        report = await engine.investigate("pods restarting")
    assert {"get_pods", "kubernetes__get_deployments", "get_deployments", "read_logs"} <= names
    assert [(c.server, c.tool, c.ok) for c in report.tool_calls] == [
        ("kubernetes", "get_pods", True),
        ("kubernetes", "get_deployments", True),
        ("git", "get_deployments", True),
    ]
    pods, k8s, git = probe.results
    assert any(p["last_termination"] == "OOMKilled" for p in pods.data["pods"])
    assert k8s.data["deployments"][0]["name"] == "checkout-api"
    assert "version" in git.data["deployments"][0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def http_server(script: Path, *args: str) -> Iterator[int]:
    """Run an MCP server over streamable HTTP on a free loopback port until the block ends."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(script), *[a.replace("{port}", str(port)) for a in args]],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


async def test_a_server_over_streamable_http(tmp_path: Path) -> None:
    with http_server(EXAMPLES / "kubernetes-server" / "server.py", "--http", "127.0.0.1:{port}") as port:
        config = tmp_path / "servers.json"
        config.write_text(f'{{"mcpServers": {{"k8s": {{"url": "http://127.0.0.1:{port}/mcp"}}}}}}')
        probe = Calls(("get_pods", {"namespace": "shop"}))
        async with Engine(load_config(config), probe) as engine:
            report = await engine.investigate("pods")
    assert report.tool_calls[0].ok and report.tool_calls[0].server == "k8s"
    assert len(probe.results[0].data["pods"]) == 3


async def test_an_http_server_behind_a_token_gets_the_headers_from_the_config(tmp_path: Path, monkeypatch) -> None:
    with http_server(Path(__file__).with_name("token_server.py"), "{port}", "s3cret") as port:
        monkeypatch.setenv("RCA_TEST_MCP_TOKEN", "s3cret")
        url = f"http://127.0.0.1:{port}/mcp"
        config = tmp_path / "servers.json"
        config.write_text(
            f'{{"mcpServers": {{"guarded": {{"url": "{url}", "headers": {{"Authorization": "Bearer ${{RCA_TEST_MCP_TOKEN}}"}}}},'
            f' "bare": {{"url": "{url}"}}}}}}'
        )
        probe = Calls(("whoami", {}))
        async with Engine(load_config(config), probe) as engine:
            down = engine.pool.down()
            report = await engine.investigate("x")
    assert set(down) == {"bare"}  # no token, no server; the other one works
    assert report.tool_calls[0].ok and probe.results[0].data == {"accepted": True}


async def test_colliding_tool_names_get_a_server_prefix() -> None:
    probe = Calls(("get_deployments", {"limit": 1}), ("flaky__get_deployments", {}), ("git__get_deployments", {}))
    async with Engine([*bundled_servers(), FLAKY], probe) as engine:
        report = await engine.investigate("x")
    assert [(c.server, c.ok) for c in report.tool_calls] == [("git", True), ("flaky", True), ("git", True)]
    assert probe.results[1].data == {"deployments": ["from-flaky"]}


async def test_every_call_has_a_timeout() -> None:
    probe = Calls(("nap", {"seconds": 5}), ("get_deployments", {"limit": 1}))
    async with Engine([bundled_servers()[1], FLAKY], probe, call_timeout_s=0.5) as engine:
        t0 = time.perf_counter()
        report = await engine.investigate("x")
    assert time.perf_counter() - t0 < 4
    nap, deploys = report.tool_calls
    assert not nap.ok and "did not answer within 0.5 s" in nap.error
    assert deploys.ok


async def test_a_server_killed_mid_investigation_is_reported_and_restarted() -> None:
    class KillsLogsMidway(Calls):
        async def analyze(self, incident: str, tools: ToolSession) -> Report:
            self.results.append(await tools.call("search_logs", {"pattern": "pool", "limit": 1}))
            kill_server("logs-server/server.py")
            await asyncio.sleep(0.2)
            for name, args in self.calls:
                self.results.append(await tools.call(name, args))
            return Report(incident, True, "scripted", RootCause("scripted"), None, analyst=self.name)

    events: list = []
    analyst = KillsLogsMidway(("search_logs", {"pattern": "pool"}), ("get_deployments", {"limit": 1}), ("get_metrics", {}))
    async with Engine(bundled_servers(), analyst) as engine:
        killed = child_pids("logs-server/server.py")
        report = await engine.investigate("500 errors on checkout API", events.append)
        assert [(c.server, c.ok) for c in report.tool_calls] == [
            ("logs", True), ("logs", False), ("git", True), ("datadog", True),
        ]  # fmt: skip
        assert any("logs" in w for w in report.warnings)
        assert any(isinstance(e, Note) and e.level == "warning" and "logs" in e.text for e in events)
        # the next investigation, here the real deterministic one, finds the server running again
        again = await engine.investigate("500 errors on checkout API", analyst=HeuristicAnalyst())
        restarted = child_pids("logs-server/server.py")
    assert restarted and restarted != killed
    assert again.tool_calls and all(c.ok for c in again.tool_calls)


async def test_a_server_that_dies_during_a_call() -> None:
    probe = Calls(("die", {}), ("get_deployments", {"limit": 1}), ("nap", {"seconds": 0}))
    async with Engine([bundled_servers()[1], FLAKY], probe, call_timeout_s=10) as engine:
        t0 = time.perf_counter()
        report = await engine.investigate("x")
        assert time.perf_counter() - t0 < 8
        die, deploys, nap = report.tool_calls
        assert not die.ok and deploys.ok
        assert not nap.ok and "down" in nap.error
        again = await engine.investigate("x", analyst=Calls(("nap", {"seconds": 0})))
    assert again.tool_calls[0].ok  # restarted for the next investigation


async def test_a_server_that_cannot_start_leaves_the_others_working(tmp_path: Path) -> None:
    broken = ServerConfig("metrics", sys.executable, ("-c", "import sys; print('no such backend', file=sys.stderr); sys.exit(3)"))
    async with Engine([*bundled_servers()[:2], broken], HeuristicAnalyst()) as engine:
        down = engine.pool.down()
        report = await engine.investigate("500 errors on checkout API")
    assert set(down) == {"metrics"}
    assert any("metrics" in w and "unavailable" in w for w in report.warnings)
    assert report.tool_calls and {c.server for c in report.tool_calls} <= {"logs", "git"}


@pytest.mark.parametrize(
    "text, words",
    [
        ("{not json", "not valid JSON"),
        ('{"servers": {}}', '"mcpServers"'),
        ('{"mcpServers": {}}', "empty"),
        ('{"mcpServers": {"a b": {"command": "x"}}}', "server name"),
        ('{"mcpServers": {"x": {"args": []}}}', "needs a command"),
        ('{"mcpServers": {"x": {"url": "ftp://h/mcp"}}}', "http://"),
        ('{"mcpServers": {"x": {"command": "x", "env": {"K": "${RCA_TEST_UNSET_VAR}"}}}}', "RCA_TEST_UNSET_VAR"),
    ],
)
def test_a_broken_config_says_what_to_fix(tmp_path: Path, text: str, words: str) -> None:
    p = tmp_path / "servers.json"
    p.write_text(text)
    with pytest.raises(ConfigError, match=words.replace("$", r"\$").replace("{", r"\{")):
        load_config(p)


def test_config_expands_environment_variables(monkeypatch) -> None:
    monkeypatch.setenv("RCA_TEST_TOKEN", "s3cret")
    [cfg] = parse_config({"mcpServers": {"x": {"command": "python", "env": {"TOKEN": "${RCA_TEST_TOKEN}"}}}}, base=REPO)
    assert cfg.env == {"TOKEN": "s3cret"} and cfg.command == sys.executable


async def test_concurrent_investigations_share_the_servers() -> None:
    async with Engine(bundled_servers(), HeuristicAnalyst()) as engine:
        reports = await asyncio.gather(*(engine.investigate("500 errors on checkout API") for _ in range(4)))
    verdicts = {r.root_cause.trigger.ref for r in reports}
    assert len(verdicts) == 1 and all(all(c.ok for c in r.tool_calls) for r in reports)
