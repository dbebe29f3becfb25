"""A real Prometheus on a free loopback port, its history loaded from a scenario's metrics.json.

The recorded per-minute figures become the series common exporters publish, so the metrics
server's default queries read them back: `http_requests_total{status}` counters, an
`http_request_duration_seconds` summary, node_exporter's idle CPU seconds and memory gauges.
Samples are 15 s apart (a usual scrape interval); each minute's requests are spread over the
four scrapes that end at its timestamp, so a rate over the minute ending at T reads that point.
The blocks are written with `promtool tsdb create-blocks-from openmetrics`; the server runs with
a retention long enough to keep data from the past.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

SCRAPE = 15  # seconds between samples
MEMORY_TOTAL = 8 * 1024**3

INSTALL_HINT = "run `bash scripts/ensure-test-services.sh` (make test does) to install Debian's prometheus package"


def parse(ts: str) -> datetime:
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def openmetrics(points: list[dict[str, Any]], labels: dict[str, str], *, shift: timedelta = timedelta(0)) -> list[str]:
    """The families for one service, as OpenMetrics lines (no `# EOF`; see `document`)."""
    ok: list[tuple[float, float]] = []
    bad: list[tuple[float, float]] = []
    lat_sum: list[tuple[float, float]] = []
    lat_count: list[tuple[float, float]] = []
    idle: list[tuple[float, float]] = []
    mem: list[tuple[float, float]] = []
    c_ok = c_bad = c_sum = c_count = c_idle = 0.0
    per_minute = 60 // SCRAPE
    for p in points:
        t = (parse(p["timestamp"]) + shift).timestamp()
        req, err = float(p["request_rate"]), float(p["error_rate"])
        errors = req * err / 100
        for k in range(per_minute - 1, -1, -1):  # the scrapes at T-45s, T-30s, T-15s, T
            at = t - k * SCRAPE
            c_ok += (req - errors) / per_minute
            c_bad += errors / per_minute
            c_count += req / per_minute
            c_sum += req / per_minute * float(p["response_time_ms"]) / 1000
            c_idle += SCRAPE * (1 - float(p["cpu_usage"]) / 100)
            ok.append((at, c_ok))
            bad.append((at, c_bad))
            lat_count.append((at, c_count))
            lat_sum.append((at, c_sum))
            idle.append((at, c_idle))
            mem.append((at, MEMORY_TOTAL * (1 - float(p["memory_usage"]) / 100)))

    def samples(name: str, extra: dict[str, str], values: Iterable[tuple[float, float]]) -> list[str]:
        lab = _labels({**labels, **extra})
        return [f"{name}{lab} {v:.6f} {at:.3f}" for at, v in values]

    lines = ["# TYPE http_requests counter"]
    lines += samples("http_requests_total", {"status": "200"}, ok)
    lines += samples("http_requests_total", {"status": "500"}, bad)
    lines += ["# TYPE http_request_duration_seconds summary"]
    lines += samples("http_request_duration_seconds_sum", {}, lat_sum)
    lines += samples("http_request_duration_seconds_count", {}, lat_count)
    lines += ["# TYPE node_cpu_seconds counter"]
    lines += samples("node_cpu_seconds_total", {"cpu": "0", "mode": "idle"}, idle)
    lines += ["# TYPE node_memory_MemAvailable_bytes gauge"]
    lines += samples("node_memory_MemAvailable_bytes", {}, mem)
    lines += ["# TYPE node_memory_MemTotal_bytes gauge"]
    lines += samples("node_memory_MemTotal_bytes", {}, ((at, MEMORY_TOTAL) for at, _ in mem))
    return lines


def document(services: list[list[str]]) -> str:
    """Several services' lines in one file: OpenMetrics wants each family in one place."""
    families: dict[str, list[str]] = {}
    order: list[str] = []
    for lines in services:
        current = None
        for line in lines:
            if line.startswith("# TYPE "):
                current = line
                if current not in families:
                    families[current] = []
                    order.append(current)
            else:
                families[current].append(line)
    out = []
    for head in order:
        out.append(head)
        out.extend(families[head])
    return "\n".join(out) + "\n# EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningPrometheus:
    url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_prometheus(text: str, workdir: Path, *, ready_within: float = 60.0) -> RunningPrometheus:
    """Write the blocks, start Prometheus on them, and return once it says it is ready."""
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed; {INSTALL_HINT}")
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / "history.om"
    source.write_text(text)
    data = workdir / "tsdb"
    made = subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(source), str(data)],
        capture_output=True, text=True, timeout=120,
    )
    if made.returncode != 0:
        raise RuntimeError(f"promtool could not build blocks: {made.stderr.strip()[-2000:]}")
    config = workdir / "prometheus.yml"
    config.write_text("global:\n  scrape_interval: 1m\n")  # nothing to scrape: the history is all there is
    port = free_port()
    log = workdir / "prometheus.log"
    process = subprocess.Popen(
        [
            "prometheus",
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            "--storage.tsdb.retention.time=100y",  # the history is in the past
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=workdir,
    )
    running = RunningPrometheus(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{running.url}/-/ready", timeout=1.0).status_code == 200:
                return running
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    running.stop()
    raise RuntimeError(f"prometheus was not ready within {ready_within:g}s: {log.read_text()[-2000:]}")
