"""The metrics server's figures: a call's round trip over the recorded file and over a real Prometheus.

Over an open MCP session (in-process), each tool is called `--n` times; the median and p95 are
printed. The Prometheus is Debian's, started on loopback with a shared scenario loaded
(tests/fakes/prometheus.py), so the figure includes five PromQL range queries per call.

    .venv/bin/python bench/metrics.py [--n 30] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "mcp-servers")]

import mcp  # noqa: E402
from rca_servers.metrics import build_server  # noqa: E402
from rca_servers.metrics.prometheus_backend import PrometheusBackend  # noqa: E402

from tests.fakes.prometheus import document, openmetrics, start_prometheus  # noqa: E402

SCENARIO = REPO.parent / "shared" / "scenarios" / "pool-exhaustion-after-deploy" / "metrics" / "metrics.json"
CALLS = [
    ("get_anomalies", {}),
    ("get_metrics", {"metric_type": "all", "time_range": "all"}),
    ("get_error_rates", {}),
]


async def time_calls(server, window: dict[str, str], n: int) -> dict[str, dict[str, float]]:
    out = {}
    async with mcp.Client(server) as client:
        for tool, args in CALLS:
            times = []
            for _ in range(n):
                t0 = time.perf_counter()
                result = await client.call_tool(tool, {**args, **window})
                times.append((time.perf_counter() - t0) * 1000)
                assert not result.is_error, result.content
            times.sort()
            out[tool] = {"median_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * (n - 1))], 2)}
    return out


async def main(n: int) -> dict[str, dict[str, dict[str, float]]]:
    recorded = json.loads(SCENARIO.read_text())
    points = recorded["metrics"]
    window = {"since": points[0]["timestamp"], "until": points[-1]["timestamp"]}
    figures = {"file": await time_calls(build_server(metrics_file=SCENARIO), {}, n)}
    with tempfile.TemporaryDirectory() as tmp:
        prom = start_prometheus(document([openmetrics(points, {"job": recorded["service"]})]), Path(tmp))
        try:
            backend = PrometheusBackend(prom.url, selector=f'job="{recorded["service"]}"')
            figures["prometheus"] = await time_calls(build_server(backend=backend), window, n)
        finally:
            prom.stop()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(main(args.n))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        count = len(json.loads(SCENARIO.read_text())["metrics"])
        print(f"metrics server, {count} points a metric, {args.n} calls each over an open session")
        for source, tools in figures.items():
            for tool, f in tools.items():
                print(f"  {source:<10} {tool:<16} median {f['median_ms']:7.2f} ms   p95 {f['p95_ms']:7.2f} ms")
