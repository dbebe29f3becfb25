"""The metrics server over Datadog's v1 timeseries API, against a fake Datadog on loopback.

The fake (tests/fakes/datadog.py) checks the keys and answers each exact query string with a
shared scenario's recorded values, so these tests pin both the queries the server sends by
default and what it makes of the documented response shape.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import mcp
import pytest
from mcp.client.stdio import StdioServerParameters
from rca_servers.metrics import build_server
from rca_servers.metrics.datadog_backend import DatadogBackend

from tests.fakes.datadog import FakeDatadog
from tests.fakes.prometheus import free_port
from tests.servers.calls import call, error

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "mcp-servers" / "datadog-server" / "server.py"
SCENARIO = REPO.parent / "shared" / "scenarios" / "pool-exhaustion-after-deploy" / "metrics" / "metrics.json"
API_KEY, APP_KEY = "test-api-key-0123", "test-app-key-4567"

# The default queries, as docs/metrics-server.md documents them, for METRICS_SERVICE=checkout-api.
TAGS = "service:checkout-api"
DEFAULT_QUERIES = {
    "request_rate": f"sum:trace.http.request.hits{{{TAGS}}}.as_rate().rollup(avg, 60) * 60",
    "error_rate": (
        f"100 * sum:trace.http.request.errors{{{TAGS}}}.as_count().rollup(sum, 60).fill(zero)"
        f" / sum:trace.http.request.hits{{{TAGS}}}.as_count().rollup(sum, 60)"
    ),
    "response_time_ms": f"1000 * p95:trace.http.request{{{TAGS}}}.rollup(avg, 60)",
    "cpu_usage": f"avg:system.cpu.user{{{TAGS}}}.rollup(avg, 60) + avg:system.cpu.system{{{TAGS}}}.rollup(avg, 60)",
    "memory_usage": f"100 - 100 * avg:system.mem.pct_usable{{{TAGS}}}.rollup(avg, 60)",
}


def recorded() -> dict[str, Any]:
    return json.loads(SCENARIO.read_text())


def span() -> dict[str, str]:
    points = recorded()["metrics"]
    return {"since": points[0]["timestamp"], "until": points[-1]["timestamp"]}


def ms(ts: str) -> float:
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() * 1000


@pytest.fixture
def datadog() -> Iterator[FakeDatadog]:
    points = recorded()["metrics"]
    answers = {q: [[(ms(p["timestamp"]), p[m]) for p in points]] for m, q in DEFAULT_QUERIES.items()}
    fake = FakeDatadog(API_KEY, APP_KEY, answers).start()
    yield fake
    fake.stop()


def backend(fake: FakeDatadog, **kw: Any) -> DatadogBackend:
    return DatadogBackend(kw.pop("api_key", API_KEY), APP_KEY, api_url=fake.url, service="checkout-api", **kw)


async def test_metrics_are_the_recorded_values_at_the_recorded_minutes(datadog: FakeDatadog):
    out = await call(build_server(backend=backend(datadog)), "get_metrics", **span())

    points = recorded()["metrics"]
    assert out["service"] == "checkout-api" and "missing" not in out
    assert out["points"] == [{"timestamp": p["timestamp"], **{m: p[m] for m in out["metrics"]}} for p in points]


async def test_each_request_carries_the_keys_and_the_documented_parameters(datadog: FakeDatadog):
    await call(build_server(backend=backend(datadog)), "get_error_rates", **span())

    assert {r["params"]["query"] for r in datadog.requests} == {DEFAULT_QUERIES["error_rate"], DEFAULT_QUERIES["request_rate"]}
    for r in datadog.requests:
        assert r["path"] == "/api/v1/query" and r["authorized"] is True
        assert int(r["params"]["from"]) * 1000 == ms(span()["since"])
        assert int(r["params"]["to"]) * 1000 == ms(span()["until"])


async def test_anomalies_are_the_file_backends_on_the_same_recording(datadog: FakeDatadog):
    live = await call(build_server(backend=backend(datadog)), "get_anomalies", **span())
    recording = await call(build_server(metrics_file=SCENARIO), "get_anomalies")

    assert live["anomalies"] == recording["anomalies"] != []
    # The baseline came from before the window: two hours more were asked for.
    assert min(int(r["params"]["from"]) for r in datadog.requests) * 1000 == ms(span()["since"]) - 2 * 3600 * 1000


async def test_error_rates_and_onset_match_the_recording(datadog: FakeDatadog):
    live = await call(build_server(backend=backend(datadog)), "get_error_rates", **span())
    recording = await call(build_server(metrics_file=SCENARIO), "get_error_rates")
    for key in ("points", "baseline", "peak", "peak_time", "current", "onset"):
        assert live[key] == recording[key], key


async def test_wrong_keys_are_named(datadog: FakeDatadog):
    text = await error(build_server(backend=backend(datadog, api_key="wrong")), "get_anomalies")
    assert "Datadog refused the keys (HTTP 403: Forbidden)" in text and "DD_API_KEY" in text
    assert "wrong" not in text  # a key never goes into an answer


async def test_rate_limiting_says_when_to_retry(datadog: FakeDatadog):
    datadog.rate_limited = True
    text = await error(build_server(backend=backend(datadog)), "get_metrics")
    assert "rate limiting" in text and "retry in 17 s" in text


async def test_a_broken_configured_query_leaves_only_its_metric_missing(datadog: FakeDatadog):
    server = build_server(backend=backend(datadog, queries={"cpu_usage": "avg:system.cpu.user{$tags"}))
    out = await call(server, "get_metrics", **span())

    assert "Error parsing query" in out["missing"]["cpu_usage"] and "DD_QUERY_CPU_USAGE" in out["missing"]["cpu_usage"]
    assert all(p["cpu_usage"] is None for p in out["points"])
    assert all(p["error_rate"] is not None for p in out["points"])


async def test_a_query_without_data_is_reported_missing(datadog: FakeDatadog):
    out = await call(build_server(backend=backend(datadog, span="rack.request")), "get_metrics", **span())
    assert set(out["missing"]) == {"request_rate", "error_rate", "response_time_ms"}
    assert "no data" in out["missing"]["error_rate"]


async def test_several_series_are_noted_and_the_first_used(datadog: FakeDatadog):
    points = recorded()["metrics"]
    datadog.answers["avg:system.cpu.user{*} by {host}"] = [
        [(ms(p["timestamp"]), 10.0) for p in points], [(ms(p["timestamp"]), 90.0) for p in points],
    ]
    server = build_server(backend=backend(datadog, queries={"cpu_usage": "avg:system.cpu.user{*} by {host}"}))
    out = await call(server, "get_metrics", metric_type="cpu", **span())

    assert "returned 2 series" in out["notes"]["cpu_usage"]
    assert {p["cpu_usage"] for p in out["points"]} == {10}


async def test_a_datadog_that_is_down_is_named():
    url = f"http://127.0.0.1:{free_port()}"
    server = build_server(backend=DatadogBackend(API_KEY, APP_KEY, api_url=url))
    text = await error(server, "get_error_rates")
    assert f"Datadog at {url} is not reachable" in text and "DD_SITE" in text


def test_the_site_names_the_api_host():
    assert DatadogBackend("a", "b", site="datadoghq.eu").url == "https://api.datadoghq.eu"
    assert DatadogBackend("a", "b", site="us5.datadoghq.com").url == "https://api.us5.datadoghq.com"
    assert DatadogBackend("a", "b").url == "https://api.datadoghq.com"
    assert DatadogBackend("a", "b", site="app.datadoghq.eu").url == "https://api.datadoghq.eu"


async def test_the_environment_configures_it(datadog: FakeDatadog, monkeypatch: pytest.MonkeyPatch):
    for var in ("METRICS_FILE", "METRICS_BACKEND", "PROMETHEUS_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    monkeypatch.setenv("DD_APP_KEY", APP_KEY)
    monkeypatch.setenv("DD_API_URL", datadog.url)
    monkeypatch.setenv("METRICS_SERVICE", "checkout-api")

    out = await call(build_server(), "get_anomalies", metric_type="errors", **span())
    assert out["service"] == "checkout-api" and [a["metric"] for a in out["anomalies"]] == ["error_rate"]


async def test_an_api_key_without_an_application_key_is_said(monkeypatch: pytest.MonkeyPatch):
    for var in ("METRICS_FILE", "METRICS_BACKEND", "PROMETHEUS_URL", "DD_APP_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DD_API_KEY", API_KEY)
    text = await error(build_server(), "get_metrics")
    assert "needs both DD_API_KEY and DD_APP_KEY" in text


async def test_the_entry_point_reads_datadog_from_the_environment(datadog: FakeDatadog):
    env = {"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY, "DD_API_URL": datadog.url, "METRICS_SERVICE": "checkout-api"}
    params = StdioServerParameters(command=sys.executable, args=[str(ENTRY)], env=env, cwd=str(REPO))
    async with mcp.Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("get_error_rates", span())

    assert names == {"get_metrics", "get_anomalies", "get_error_rates"}
    assert not result.is_error, result.content
    assert result.structured_content["onset"] is not None
    assert all(r["authorized"] for r in datadog.requests)
