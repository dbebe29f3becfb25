"""The metrics server over a recorded file: the shared scenarios (read-only), files of our own, bad input.

Every test talks to the real server through a real MCP session, in-process, and once over stdio
through the entry point any MCP client would start.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import mcp
import pytest
from mcp.client.stdio import StdioServerParameters
from rca_servers.metrics import build_server

from tests.servers.calls import call, error

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "mcp-servers" / "datadog-server" / "server.py"
SCENARIOS = REPO.parent / "shared" / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS.glob("*/metrics/metrics.json"))
METRICS = ["cpu_usage", "memory_usage", "request_rate", "error_rate", "response_time_ms"]
ANOMALY_KEYS = {"metric", "direction", "start", "end", "baseline", "peak", "peak_time", "score", "kind"}

T0 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def synthetic(minutes: int = 120, *, errors_from: int | None = 70, leak_from: int | None = None) -> dict[str, Any]:
    """Two quiet hours of a made-up service; errors step up at `errors_from`, memory climbs from `leak_from`."""
    points = []
    for i in range(minutes):
        wobble = (i * 7919) % 11 / 10  # deterministic noise, 0.0-1.0
        err = 0.1 + wobble / 10
        lat = 180 + 10 * wobble
        if errors_from is not None and i >= errors_from:
            err, lat = 12 + wobble, 2400 + 100 * wobble
        mem = 50 + wobble
        if leak_from is not None and i > leak_from:
            mem += 0.8 * (i - leak_from)
        points.append({
            "timestamp": stamp(T0 + timedelta(minutes=i)),
            "cpu_usage": 30 + 2 * wobble, "memory_usage": round(mem, 2), "request_rate": 300 + 10 * wobble,
            "error_rate": round(err, 3), "response_time_ms": round(lat, 1),
        })
    return {"service": "made-up-api", "metrics": points}


@pytest.fixture
def incident_file(tmp_path: Path) -> Path:
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(synthetic()))
    return path


def onset_seen_in(points: list[dict[str, Any]], metric: str) -> str | None:
    """The onset as an engineer reads it off the data: the first minute 10x above the first
    half hour's median (and at least 1 above it), with the next three minutes as high too."""
    values = [p[metric] for p in points]
    quiet = median(values[:30])
    high = [v >= max(10 * quiet, quiet + 1) for v in values]
    for i in range(len(values) - 3):
        if all(high[i : i + 4]):
            return points[i]["timestamp"]
    return None


# --- the tool list -----------------------------------------------------------------------------


async def test_every_tool_is_read_only_typed_described_and_structured(incident_file: Path):
    async with mcp.Client(build_server(metrics_file=incident_file)) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}

    assert set(tools) == {"get_metrics", "get_anomalies", "get_error_rates"}  # no PromQL over a file
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.annotations.destructive_hint is False
        assert tool.description and tool.output_schema is not None
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"
            assert "default" in prop, f"{tool.name}.{name} has no default"
    assert tools["get_anomalies"].input_schema["properties"]["threshold"]["default"] == 4.0


# --- get_metrics ---------------------------------------------------------------------------------


async def test_all_metrics_come_in_time_order_with_a_summary(incident_file: Path):
    out = await call(build_server(metrics_file=incident_file), "get_metrics")

    assert out["service"] == "made-up-api"
    assert out["metrics"] == METRICS
    assert len(out["points"]) == 120 and out["total_points"] == 120
    assert set(out["points"][0]) == {"timestamp", *METRICS}
    assert out["points"][0]["timestamp"] == "2030-01-01T10:00:00Z"
    assert out["points"][-1]["timestamp"] == "2030-01-01T11:59:00Z"
    errors = [p["error_rate"] for p in out["points"]]
    assert out["summary"]["error_rate"] == {
        "min": min(errors), "max": max(errors), "mean": pytest.approx(sum(errors) / 120, rel=1e-3),
        "first": errors[0], "last": errors[-1],
    }
    assert (out["truncated"], out["downsampled"]) == (False, False)
    assert out["window"] == {"since": None, "until": None, "now": "2030-01-01T11:59:00Z (end of the recorded data)"}


@pytest.mark.parametrize(
    ("metric_type", "expected"),
    [
        ("error_rate", ["error_rate"]),
        ("latency", ["response_time_ms"]),
        ("CPU", ["cpu_usage"]),
        ("errors, rps,errors", ["error_rate", "request_rate"]),
        ("mem,all", METRICS),
    ],
)
async def test_metric_types_and_aliases(incident_file: Path, metric_type: str, expected: list[str]):
    out = await call(build_server(metrics_file=incident_file), "get_metrics", metric_type=metric_type, limit=5)
    assert out["metrics"] == expected
    assert set(out["points"][0]) == {"timestamp", *expected}
    assert set(out["summary"]) == set(expected)


@pytest.mark.parametrize(
    ("args", "first", "last", "count"),
    [
        ({"time_range": "30m"}, "2030-01-01T11:29:00Z", "2030-01-01T11:59:00Z", 31),
        ({"time_range": "2030-01-01T10:10:00Z/2030-01-01 10:19:00"}, "2030-01-01T10:10:00Z", "2030-01-01T10:19:00Z", 10),
        ({"time_range": "now-1h/now-50m"}, "2030-01-01T10:59:00Z", "2030-01-01T11:09:00Z", 11),
        ({"since": "2030-01-01T11:50:00Z"}, "2030-01-01T11:50:00Z", "2030-01-01T11:59:00Z", 10),
        ({"since": "now-5m", "until": "now-1m"}, "2030-01-01T11:54:00Z", "2030-01-01T11:58:00Z", 5),
    ],
)
async def test_windows_count_back_from_the_end_of_the_recording(
    incident_file: Path, args: dict, first: str, last: str, count: int
):
    out = await call(build_server(metrics_file=incident_file), "get_metrics", **args)
    stamps = [p["timestamp"] for p in out["points"]]
    assert (stamps[0], stamps[-1], len(stamps)) == (first, last, count)


async def test_more_points_than_the_limit_are_downsampled_evenly(incident_file: Path):
    out = await call(build_server(metrics_file=incident_file), "get_metrics", metric_type="errors", limit=12)

    stamps = [p["timestamp"] for p in out["points"]]
    assert len(stamps) == 12 and out["downsampled"] is True and out["total_points"] == 120
    assert (stamps[0], stamps[-1]) == ("2030-01-01T10:00:00Z", "2030-01-01T11:59:00Z")
    gaps = {(datetime.fromisoformat(b) - datetime.fromisoformat(a)).seconds // 60 for a, b in zip(stamps, stamps[1:], strict=False)}
    assert gaps <= {10, 11}
    # The summary is over every point, not the sample.
    assert out["summary"]["error_rate"]["max"] >= 12


async def test_a_huge_limit_is_quietly_the_cap(incident_file: Path):
    out = await call(build_server(metrics_file=incident_file), "get_metrics", limit=1_000_000)
    assert len(out["points"]) == 120 and out["downsampled"] is False


# --- get_anomalies and get_error_rates on files of our own ------------------------------------


async def test_a_step_in_errors_is_found_with_the_minute_it_began(incident_file: Path):
    out = await call(build_server(metrics_file=incident_file), "get_anomalies")

    assert out["service"] == "made-up-api" and out["threshold"] == 4.0
    by_metric = {a["metric"]: a for a in out["anomalies"]}
    assert set(by_metric) == {"error_rate", "response_time_ms"}
    errors = by_metric["error_rate"]
    assert ANOMALY_KEYS <= set(errors)
    assert (errors["direction"], errors["kind"], errors["start"], errors["end"]) == ("up", "step", "2030-01-01T11:10:00Z", None)
    assert errors["baseline"] < 0.3 and errors["peak"] >= 12 and errors["score"] > 4


async def test_a_slow_leak_is_a_ramp_that_starts_where_the_climb_leaves_the_baseline(tmp_path: Path):
    path = tmp_path / "leak.json"
    path.write_text(json.dumps(synthetic(errors_from=None, leak_from=60)))
    out = await call(build_server(metrics_file=path), "get_anomalies", metric_type="memory")

    [leak] = out["anomalies"]
    assert (leak["metric"], leak["direction"], leak["kind"]) == ("memory_usage", "up", "ramp")
    began = datetime.fromisoformat(leak["start"])
    assert abs(began - (T0 + timedelta(minutes=60))) <= timedelta(minutes=2), leak["start"]


async def test_a_quiet_service_has_no_anomalies(tmp_path: Path):
    path = tmp_path / "quiet.json"
    path.write_text(json.dumps(synthetic(errors_from=None)))
    out = await call(build_server(metrics_file=path), "get_anomalies")
    assert out["anomalies"] == []


async def test_a_window_keeps_the_baseline_from_before_it(incident_file: Path):
    server = build_server(metrics_file=incident_file)

    during = await call(server, "get_anomalies", since="2030-01-01T11:20:00Z")
    before = await call(server, "get_anomalies", until="2030-01-01T11:05:00Z")

    # The shift began before the window, is still going on inside it, and keeps its true start.
    assert {a["metric"]: a["start"] for a in during["anomalies"]}["error_rate"] == "2030-01-01T11:10:00Z"
    assert before["anomalies"] == []
    assert during["window"]["since"] == "2030-01-01T11:20:00Z"


async def test_a_lower_threshold_finds_at_least_as_much(incident_file: Path):
    server = build_server(metrics_file=incident_file)
    strict = await call(server, "get_anomalies", threshold=8)
    loose = await call(server, "get_anomalies", threshold=3)
    assert len(loose["anomalies"]) >= len(strict["anomalies"]) >= 1


async def test_error_rates_give_baseline_peak_current_and_errors_per_minute(incident_file: Path):
    out = await call(build_server(metrics_file=incident_file), "get_error_rates")

    points = out["points"]
    assert len(points) == 120
    assert set(points[0]) == {"timestamp", "error_rate", "request_rate", "errors_per_min"}
    for p in points:
        assert p["errors_per_min"] == pytest.approx(p["error_rate"] * p["request_rate"] / 100, rel=1e-3)
    peak = max(points, key=lambda p: p["error_rate"])
    assert (out["peak"], out["peak_time"]) == (peak["error_rate"], peak["timestamp"])
    assert out["current"] == points[-1]["error_rate"]
    assert out["baseline"] == pytest.approx(median(p["error_rate"] for p in points[:70]), abs=0.05)
    assert out["onset"] == "2030-01-01T11:10:00Z"


# --- the shared scenarios (read-only) -----------------------------------------------------------


def test_the_shared_scenarios_are_there():
    assert len(SCENARIO_FILES) >= 8


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.parents[1].name)
async def test_every_scenario_answers_all_three_tools_and_dates_its_onset(path: Path):
    recorded = json.loads(path.read_text())
    points = recorded["metrics"]
    server = build_server(metrics_file=path)

    metrics = await call(server, "get_metrics")
    anomalies = await call(server, "get_anomalies")
    rates = await call(server, "get_error_rates")

    assert metrics["service"] == anomalies["service"] == rates["service"] == recorded["service"]
    assert [p["timestamp"] for p in metrics["points"]] == [p["timestamp"] for p in points]
    assert [p["error_rate"] for p in rates["points"]] == [p["error_rate"] for p in points]
    assert rates["peak"] == max(p["error_rate"] for p in points)

    seen = onset_seen_in(points, "error_rate")
    rises = [a for a in anomalies["anomalies"] if a["metric"] == "error_rate" and a["direction"] == "up"]
    if seen is None:  # nothing an engineer would call an incident
        assert rises == [] and rates["onset"] is None
    else:
        assert rises, anomalies["anomalies"]
        assert rises[0]["start"] == seen == rates["onset"]
        assert rises[0]["baseline"] < 1 and rises[0]["peak"] > 5


async def test_a_scenario_with_a_leak_finds_memory_climbing_long_before_the_errors():
    path = SCENARIOS / "memory-leak-after-deploy" / "metrics" / "metrics.json"
    points = json.loads(path.read_text())["metrics"]
    out = await call(build_server(metrics_file=path), "get_anomalies")

    [memory] = [a for a in out["anomalies"] if a["metric"] == "memory_usage"]
    [errors] = [a for a in out["anomalies"] if a["metric"] == "error_rate"]
    assert (memory["direction"], memory["kind"]) == ("up", "ramp")
    assert datetime.fromisoformat(memory["start"]) < datetime.fromisoformat(errors["start"]) - timedelta(minutes=30)
    # Before the ramp's start memory sat within a point of its first half hour; an hour later it has clearly left.
    quiet = median(p["memory_usage"] for p in points[:30])
    before = [p["memory_usage"] for p in points if p["timestamp"] < memory["start"]]
    assert max(before) - quiet < 2.5
    later = stamp(datetime.fromisoformat(memory["start"]) + timedelta(hours=1))
    assert next(p["memory_usage"] for p in points if p["timestamp"] == later) > quiet + 10


# --- bad arguments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "args", "says"),
    [
        ("get_metrics", {"metric_type": "disk_usage"}, "'disk_usage' is not a metric I know"),
        ("get_metrics", {"metric_type": "../../etc/passwd"}, "is not a metric I know"),
        ("get_anomalies", {"metric_type": "errors,bogus"}, "'bogus' is not a metric I know"),
        ("get_metrics", {"limit": -1}, "limit=-1 is not allowed"),
        ("get_metrics", {"limit": 0}, "between 1 and 2000"),
        ("get_metrics", {"since": "last tuesday"}, "not a time I can read"),
        ("get_error_rates", {"until": "2030-13-45"}, "not a time I can read"),
        ("get_anomalies", {"since": "now", "until": "now-1h"}, "swap them"),
        ("get_metrics", {"time_range": "2030-01-01T12:00:00Z/2030-01-01T11:00:00Z"}, "swap them"),
        ("get_metrics", {"time_range": "yesterday"}, "is not 'all', a duration like"),
        ("get_metrics", {"time_range": "-1h"}, "is not 'all', a duration like"),
        ("get_metrics", {"time_range": "1h", "since": "now-2h"}, "send one of them"),
        ("get_anomalies", {"threshold": 0}, "threshold=0 is not allowed"),
        ("get_anomalies", {"threshold": -3}, "send a robust z-score above 0"),
        ("get_anomalies", {"threshold": 1000}, "send a robust z-score such as 4"),
    ],
)
async def test_bad_arguments_get_a_sentence_saying_what_to_send(incident_file: Path, tool: str, args: dict, says: str):
    text = await error(build_server(metrics_file=incident_file), tool, **args)
    assert says in text


async def test_a_missing_file_is_an_error_on_call_not_at_start(tmp_path: Path):
    path = tmp_path / "absent.json"
    server = build_server(metrics_file=path)  # must not raise

    for tool in ("get_metrics", "get_anomalies", "get_error_rates"):
        text = await error(server, tool)
        assert "does not exist" in text and "METRICS_FILE" in text

    path.write_text(json.dumps(synthetic()))  # fixed without a restart
    assert len((await call(server, "get_metrics"))["points"]) == 120


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ('{"service": "x"}', "has no 'metrics' list"),
        ('"metrics"', "is not a metrics document"),
        ('{"metrics": [42]}', "point #1"),
        ('{"metrics": [{"cpu_usage": 1}]}', "has no timestamp"),
        ('{"metrics": [{"timestamp": "noon"}]}', "timestamp='noon', not a time"),
        ('{"metrics": [{"timestamp": "2030-01-01T00:00:00Z", "error_rate": "high"}]}', "error_rate='high', not a number"),
    ],
)
async def test_a_malformed_file_is_named_with_what_is_wrong(tmp_path: Path, content: str, says: str):
    path = tmp_path / "metrics.json"
    path.write_text(content)
    text = await error(build_server(metrics_file=path), "get_anomalies")
    assert says in text and str(path) in text


async def test_a_bare_list_and_missing_fields_are_read(tmp_path: Path):
    path = tmp_path / "metrics.json"
    rows = [{"timestamp": stamp(T0 + timedelta(minutes=i)), "error_rate": 0.1} for i in range(5)]
    path.write_text(json.dumps(rows))

    out = await call(build_server(metrics_file=path), "get_metrics", metric_type="errors,cpu")

    assert out["service"] is None
    assert [p["error_rate"] for p in out["points"]] == [0.1] * 5
    assert all(p["cpu_usage"] is None for p in out["points"])
    assert "cpu_usage" in out["missing"]


async def test_the_environment_names_the_file(incident_file: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("METRICS_FILE", str(incident_file))
    monkeypatch.setenv("PROMETHEUS_URL", "http://127.0.0.1:9")  # an explicit file wins over a live source
    out = await call(build_server(default_metrics_file=incident_file.parent / "not-this.json"), "get_metrics", limit=1)
    assert out["service"] == "made-up-api"


async def test_an_unknown_backend_choice_is_said_on_every_call(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("METRICS_BACKEND", "graphite")
    text = await error(build_server(), "get_anomalies")
    assert "METRICS_BACKEND='graphite' is not one of file, prometheus, datadog" in text


# --- over stdio, as any MCP client starts it ---------------------------------------------------


async def test_the_entry_point_serves_over_stdio(incident_file: Path):
    params = StdioServerParameters(
        command=sys.executable, args=[str(ENTRY)], env={"METRICS_FILE": str(incident_file)}, cwd=str(REPO)
    )
    async with mcp.Client(params) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        result = await client.call_tool("get_anomalies", {"metric_type": "errors"})
        bad = await client.call_tool("get_metrics", {"limit": -1})

    assert names == {"get_metrics", "get_anomalies", "get_error_rates"}
    assert not result.is_error
    assert [a["start"] for a in result.structured_content["anomalies"]] == ["2030-01-01T11:10:00Z"]
    assert bad.is_error and "limit=-1 is not allowed" in bad.content[0].text


async def test_the_entry_point_serves_its_bundled_data_with_no_configuration():
    params = StdioServerParameters(command=sys.executable, args=[str(ENTRY)], env={}, cwd=str(REPO))
    async with mcp.Client(params) as client:
        result = await client.call_tool("get_error_rates", {})
    assert not result.is_error
    bundled = json.loads((ENTRY.parent / "data" / "metrics.json").read_text())
    assert result.structured_content["service"] == bundled["service"]
    assert len(result.structured_content["points"]) == len(bundled["metrics"])
