"""The metrics server over a real Prometheus (Debian's package) on loopback.

The session's Prometheus holds four shared scenarios' metrics as the series common exporters
publish (tests/fakes/prometheus.py); the server reads them with its default queries, so the
answers can be held against the file backend on the same recording.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mcp
import pytest
from mcp.client.stdio import StdioServerParameters
from rca_servers.metrics import build_server
from rca_servers.metrics.prometheus_backend import PrometheusBackend

from tests.fakes.prometheus import RunningPrometheus, free_port
from tests.servers.calls import call, error

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "mcp-servers" / "datadog-server" / "server.py"
SCENARIOS = REPO.parent / "shared" / "scenarios"
POOL = "pool-exhaustion-after-deploy"


def recorded(name: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / name / "metrics" / "metrics.json").read_text())


def span(name: str) -> dict[str, str]:
    points = recorded(name)["metrics"]
    return {"since": points[0]["timestamp"], "until": points[-1]["timestamp"]}


def over(prometheus: RunningPrometheus, name: str, **settings: Any) -> Any:
    return build_server(backend=PrometheusBackend(prometheus.url, selector=f'scenario="{name}"', **settings))


def minutes_apart(a: str, b: str) -> float:
    return abs((datetime.fromisoformat(a) - datetime.fromisoformat(b)).total_seconds()) / 60


async def test_the_tools_include_promql_and_all_are_read_only(prometheus: RunningPrometheus):
    async with mcp.Client(over(prometheus, POOL)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}

    assert set(tools) == {"get_metrics", "get_anomalies", "get_error_rates", "query_metrics"}
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True
        assert all(p.get("description") for p in tool.input_schema["properties"].values())
    assert tools["query_metrics"].input_schema["required"] == ["promql"]


# --- the same answers as the recording they were loaded from -----------------------------------


@pytest.mark.parametrize("name", ["pool-exhaustion-after-deploy", "memory-leak-after-deploy", "rollback-recovered"])
async def test_anomalies_match_the_file_backend_on_the_same_recording(prometheus: RunningPrometheus, name: str):
    live = await call(over(prometheus, name), "get_anomalies", **span(name))
    recording = await call(build_server(metrics_file=SCENARIOS / name / "metrics" / "metrics.json"), "get_anomalies")

    def impact(out: dict) -> dict[str, dict]:
        return {a["metric"]: a for a in out["anomalies"] if a["metric"] in ("error_rate", "response_time_ms", "memory_usage")}

    live_by, file_by = impact(live), impact(recording)
    assert set(live_by) == set(file_by) and file_by
    for metric, expected in file_by.items():
        got = live_by[metric]
        assert (got["direction"], got["kind"]) == (expected["direction"], expected["kind"]), metric
        assert minutes_apart(got["start"], expected["start"]) <= 1, (metric, got["start"], expected["start"])
        if expected["end"] is None:
            assert got["end"] is None
        else:
            assert got["end"] is not None and minutes_apart(got["end"], expected["end"]) <= 2
    assert live["service"] == recorded(name)["service"] or live["service"] is None


async def test_the_error_onset_is_the_minute_the_recording_shows(prometheus: RunningPrometheus):
    live = await call(over(prometheus, POOL), "get_error_rates", **span(POOL))
    recording = await call(build_server(metrics_file=SCENARIOS / POOL / "metrics" / "metrics.json"), "get_error_rates")

    assert live["onset"] == recording["onset"] is not None
    assert live["baseline"] < 0.5 and live["peak"] > 10
    assert len(live["points"]) == len(recording["points"])
    assert [p["timestamp"] for p in live["points"]] == [p["timestamp"] for p in recording["points"]]


async def test_metrics_come_one_per_minute_with_the_values_recorded(prometheus: RunningPrometheus):
    out = await call(over(prometheus, POOL), "get_metrics", **span(POOL))
    points = recorded(POOL)["metrics"]

    assert [p["timestamp"] for p in out["points"]] == [p["timestamp"] for p in points]
    assert out["metrics"] == ["cpu_usage", "memory_usage", "request_rate", "error_rate", "response_time_ms"]
    assert "missing" not in out
    for got, want in zip(out["points"], points, strict=True):
        assert got["memory_usage"] == pytest.approx(want["memory_usage"], abs=0.01)  # a gauge: as recorded
    # Counters are read as rates over two minutes: the mean of the minute and the one before.
    for i in range(5, len(points)):
        two = (points[i - 1]["request_rate"] + points[i]["request_rate"]) / 2
        assert out["points"][i]["request_rate"] == pytest.approx(two, rel=0.02), points[i]["timestamp"]


async def test_a_window_with_no_data_says_so(prometheus: RunningPrometheus):
    out = await call(over(prometheus, POOL), "get_metrics", time_range="1h")  # the last hour of the clock

    assert out["points"] == []
    assert set(out["missing"]) == {"cpu_usage", "memory_usage", "request_rate", "error_rate", "response_time_ms"}
    since = datetime.fromisoformat(out["window"]["since"])
    assert abs(since - (datetime.now(UTC) - timedelta(hours=1))) < timedelta(minutes=1)


async def test_the_selector_keeps_services_apart(prometheus: RunningPrometheus):
    leak = await call(over(prometheus, "memory-leak-after-deploy"), "get_anomalies", metric_type="memory", **span("memory-leak-after-deploy"))
    pool = await call(over(prometheus, POOL), "get_anomalies", metric_type="memory", **span(POOL))

    assert [(a["metric"], a["kind"]) for a in leak["anomalies"]] == [("memory_usage", "ramp")]
    assert pool["anomalies"] == []


async def test_the_service_name_comes_from_the_selector(prometheus: RunningPrometheus):
    backend = PrometheusBackend(prometheus.url, selector='job="checkout-api", scenario="false-alarm"')
    out = await call(build_server(backend=backend), "get_metrics", metric_type="errors", limit=3, **span("false-alarm"))
    assert out["service"] == "checkout-api" and len(out["points"]) == 3 and out["downsampled"] is True


# --- query_metrics --------------------------------------------------------------------------------


async def test_promql_ranges_come_back_per_series(prometheus: RunningPrometheus):
    window = span(POOL)
    out = await call(
        over(prometheus, POOL), "query_metrics",
        promql=f'sum by (status) (rate(http_requests_total{{scenario="{POOL}"}}[2m])) * 60',
        start=window["since"], end=window["until"], step="5m",
    )

    assert out["series_total"] == 2 and out["truncated"] is False and out["step_seconds"] == 300
    by_status = {s["labels"]["status"]: s["values"] for s in out["series"]}
    assert set(by_status) == {"200", "500"}
    assert len(by_status["500"]) == 31
    assert by_status["500"][0][0] == window["since"]
    assert by_status["500"][-1][1] > 10 > by_status["500"][0][1]  # errors per minute, before and after


async def test_promql_output_is_bounded(prometheus: RunningPrometheus):
    window = span(POOL)
    out = await call(
        over(prometheus, POOL), "query_metrics",
        # One series per distinct memory reading: far more than 20.
        promql=f'count_values("mb", round(node_memory_MemAvailable_bytes{{scenario="{POOL}"}} / 1e6))',
        start=window["since"], end=window["until"], step="1s",
    )

    assert out["series_total"] > 20 and len(out["series"]) == 20 and out["truncated"] is True
    assert out["step_raised"] is True
    assert max(len(s["values"]) for s in out["series"]) <= 500


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ({"promql": "sum(rate(http_requests_total[5m]"}, "Prometheus rejected the query (bad_data"),
        ({"promql": "   "}, "promql is empty"),
        ({"promql": "up", "step": "-1m"}, "send a positive duration"),
        ({"promql": "up", "step": "often"}, "is not a duration"),
        ({"promql": "up", "start": "now", "end": "now-1h"}, "swap them"),
    ],
)
async def test_bad_promql_gets_a_sentence(prometheus: RunningPrometheus, args: dict, says: str):
    assert says in await error(over(prometheus, POOL), "query_metrics", **args)


# --- the queries are configurable, failures are sentences ----------------------------------------


async def test_a_broken_configured_query_leaves_only_its_metric_missing(prometheus: RunningPrometheus):
    server = over(prometheus, POOL, queries={"cpu_usage": "100 * avg(rate(node_cpu_seconds_total{$selector}[$window]"})
    out = await call(server, "get_anomalies", **span(POOL))

    assert "PROMETHEUS_QUERY_CPU_USAGE" in out["missing"]["cpu_usage"]
    assert {a["metric"] for a in out["anomalies"]} == {"error_rate", "response_time_ms"}


async def test_a_configured_query_replaces_the_default(prometheus: RunningPrometheus):
    errors_only = 'sum(rate(http_requests_total{status="500",$selector}[$window])) * 60'
    default = await call(over(prometheus, POOL), "get_error_rates", **span(POOL))
    custom = await call(over(prometheus, POOL, queries={"request_rate": errors_only}), "get_error_rates", **span(POOL))

    for d, c in zip(default["points"][-10:], custom["points"][-10:], strict=True):
        # request_rate now counts only the failed requests: the errors per minute of the default queries.
        assert c["request_rate"] == pytest.approx(d["errors_per_min"], rel=1e-3)
        assert c["error_rate"] == d["error_rate"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


async def test_a_prometheus_that_is_down_is_named(monkeypatch: pytest.MonkeyPatch):
    url = f"http://127.0.0.1:{free_port()}"
    text = await error(build_server(backend=PrometheusBackend(url)), "get_anomalies")
    assert f"Prometheus at {url} is not reachable" in text and "PROMETHEUS_URL" in text


async def test_a_prometheus_that_hangs_times_out(silent_port: int):
    backend = PrometheusBackend(f"http://127.0.0.1:{silent_port}", timeout=0.5)
    text = await error(build_server(backend=backend), "get_error_rates")
    assert "did not answer within 0.5s" in text


async def test_a_url_that_is_not_the_api_base_is_named(prometheus: RunningPrometheus):
    text = await error(build_server(backend=PrometheusBackend(prometheus.url + "/grafana")), "get_metrics")
    assert "HTTP 404" in text and "base URL" in text


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"PROMETHEUS_URL": "prometheus:9090"}, "is not an http(s) URL"),
        ({"PROMETHEUS_URL": "http://127.0.0.1:9", "PROMETHEUS_RATE_WINDOW": "soon"}, "PROMETHEUS_RATE_WINDOW='soon'"),
        ({"PROMETHEUS_URL": "http://127.0.0.1:9", "PROMETHEUS_TIMEOUT": "-2"}, "PROMETHEUS_TIMEOUT='-2'"),
    ],
)
async def test_bad_settings_are_said_on_every_call_and_the_server_still_starts(
    monkeypatch: pytest.MonkeyPatch, env: dict, says: str
):
    monkeypatch.delenv("METRICS_FILE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    text = await error(build_server(), "get_anomalies")
    assert says in text


async def test_the_entry_point_reads_prometheus_from_the_environment(prometheus: RunningPrometheus):
    env = {"PROMETHEUS_URL": prometheus.url, "PROMETHEUS_SELECTOR": f'scenario="{POOL}"', "METRICS_SERVICE": "checkout"}
    params = StdioServerParameters(command=sys.executable, args=[str(ENTRY)], env=env, cwd=str(REPO))
    async with mcp.Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("get_anomalies", {**span(POOL), "metric_type": "errors"})

    expected = await call(build_server(metrics_file=SCENARIOS / POOL / "metrics" / "metrics.json"), "get_anomalies", metric_type="errors")
    assert "query_metrics" in names
    assert not result.is_error, result.content
    assert result.structured_content["service"] == "checkout"
    assert [a["start"] for a in result.structured_content["anomalies"]] == [a["start"] for a in expected["anomalies"]]
    assert len(expected["anomalies"]) == 1


async def test_a_proxy_in_the_environment_is_not_used_for_a_prometheus_on_this_machine(
    prometheus: RunningPrometheus, monkeypatch: pytest.MonkeyPatch
):
    dead = f"http://127.0.0.1:{free_port()}"
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, dead)
    out = await call(over(prometheus, POOL), "get_error_rates", **span(POOL))
    assert out["onset"] is not None
