#!/usr/bin/env python3
"""Logs at production size: a 1 GB, ~17-million-line log (and rotated .gz files beside it),
searched and read through the real logs server over stdio.

Prints the time of a windowed search near the end and in the middle, a latest-lines read, and a
full-file pattern search beside `grep -F -i -c` on the same file, and the server's peak memory
(its own, and its scan workers'). The log is generated once into bench/out/ (not committed).

    python bench/logs_at_size.py [--size-gb 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mcp
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out" / "big-logs"
DAY = datetime(2026, 3, 12, tzinfo=UTC)
RARE = "checksum mismatch on ledger"  # appears a handful of times in the whole file

COMPONENTS = ("api", "db", "cache", "worker", "auth")
PATHS = ("/p/", "/cart", "/orders/", "/search?q=", "/healthz", "/checkout")


def generate(path: Path, size: int) -> int:
    """Write about `size` bytes of time-ordered plain log lines over one day; returns the line count."""
    rng = random.Random(17)
    approx_lines = size // 61
    step = 86400 / approx_lines
    lines = 0
    written = 0
    t = DAY.timestamp()
    rare_every = approx_lines // 5
    with path.open("w", buffering=1 << 22) as f:
        buf = []
        while written < size:
            sec = int(t)
            stamp = datetime.fromtimestamp(sec, UTC).strftime("%Y-%m-%d %H:%M:%S")
            # a second's worth of lines share the timestamp text
            n = max(1, int(1 / step + rng.random()))
            for _ in range(n):
                r = rng.random()
                comp = COMPONENTS[int(r * 5)]
                if lines % rare_every == rare_every // 2:
                    msg = f"ERROR [ledger] {RARE} for batch {rng.randint(1, 99999)}"
                elif r < 0.002:
                    msg = f"ERROR [{comp}] timeout after {rng.randint(1000, 9000)}ms"
                elif r < 0.02:
                    msg = f"WARN [{comp}] slow call {rng.randint(200, 999)}ms"
                else:
                    msg = f"INFO [{comp}] GET {PATHS[int(r * 6)]}{rng.randint(1, 99999)} 200 {rng.randint(2, 99)}ms"
                buf.append(f"{stamp} {msg}\n")
                lines += 1
            t += n * step
            if len(buf) >= 20000:
                chunk = "".join(buf)
                f.write(chunk)
                written += len(chunk)
                buf = []
        if buf:
            f.write("".join(buf))
    return lines


def ensure_data(size: int) -> tuple[Path, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "app.log"
    marker = OUT / f".lines-{size}"
    if not (log.exists() and marker.exists()):
        print(f"generating a {size / 1e9:.1f} GB log in {OUT} (once) ...", flush=True)
        t0 = time.perf_counter()
        n = generate(log, size)
        for k in (1, 2):  # two rotated days before it, compressed
            day = DAY - timedelta(days=k)
            with gzip.open(OUT / f"app.log.{k}.gz", "wt", compresslevel=1) as g:
                for i in range(200_000):
                    g.write(f"{day + timedelta(seconds=i * 0.43):%Y-%m-%d %H:%M:%S} INFO [api] GET /p/{i} 200 5ms\n")
        for m in OUT.glob(".lines-*"):
            m.unlink()
        marker.write_text(str(n))
        print(f"  {n:,} lines, {log.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t0:.0f} s", flush=True)
    return log, int(marker.read_text())


def server_pids() -> list[int]:
    me, out = os.getpid(), []
    for e in Path("/proc").iterdir():
        if e.name.isdigit():
            try:
                ppid = int((e / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmd = (e / "cmdline").read_bytes()
            except (OSError, ValueError, IndexError):
                continue
            if ppid == me and b"logs-server/server.py" in cmd:
                out.append(int(e.name))
    return out


def descendants(pid: int) -> list[int]:
    kids = []
    for e in Path("/proc").iterdir():
        if e.name.isdigit():
            try:
                ppid = int((e / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                kids.append(int(e.name))
    return kids + [d for k in kids for d in descendants(k)]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size: each shared page split among the processes that share it."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def timed(client: mcp.Client, tool: str, args: dict, runs: int = 5) -> tuple[float, dict]:
    times, data = [], {}
    for _ in range(runs):
        t0 = time.perf_counter()
        r = await client.call_tool(tool, args)
        times.append(time.perf_counter() - t0)
        assert not r.is_error, r.content[0].text
        data = r.structured_content
    return statistics.median(times), data


def grep_time(log: Path, runs: int = 3) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(["grep", "-F", "-i", "-c", RARE, str(log)], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        count = int(p.stdout.strip() or 0)
    return statistics.median(times), count


async def main(size: int) -> None:
    log, nlines = ensure_data(size)
    params = StdioServerParameters(
        command=sys.executable,
        args=[str(REPO / "mcp-servers" / "logs-server" / "server.py")],
        env={"LOGS_DIR": str(OUT), "PATH": os.environ.get("PATH", "")},
    )
    print(f"\n== logs at size: {log.stat().st_size / 1e9:.2f} GB, {nlines:,} lines (+ 2 rotated .gz files)")
    async with mcp.Client(stdio_client(params)) as c:
        [pid] = server_pids()
        t0 = time.perf_counter()
        await c.call_tool("list_log_files", {})
        print(f"  list_log_files (first call: sniffs and dates every file)     {1000 * (time.perf_counter() - t0):8.1f} ms")
        end = DAY + timedelta(hours=23, minutes=59)
        mid = DAY + timedelta(hours=12)
        z = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
        rows = [
            ("windowed search near the end (5 min)", "search_logs",
             {"pattern": "timeout", "file": "app.log", "since": z(end - timedelta(minutes=5)), "until": z(end), "limit": 50}),
            ("windowed search in the middle (5 min)", "search_logs",
             {"pattern": "timeout", "file": "app.log", "since": z(mid), "until": z(mid + timedelta(minutes=5)), "limit": 50}),
            ("windowed search, relative (now-15m, level ERROR)", "search_logs",
             {"pattern": "ms", "file": "app.log", "since": "now-15m", "level": "ERROR", "limit": 50}),
            ("latest lines (read_logs tail, 100)", "read_logs", {"file": "app.log", "tail": True, "limit": 100}),
            ("read_logs one page in the middle (100)", "read_logs", {"file": "app.log", "since": z(mid), "limit": 100}),
        ]  # fmt: skip
        print(f"  {'':58s} {'time':>8s}     {'server peak memory so far'}")
        for label, tool, args in rows:
            dt, data = await timed(c, tool, args)
            n = len(data.get("matches", data.get("entries", [])))
            print(f"  {label:58s} {1000 * dt:8.1f} ms  {peak_rss_mb(pid):6.1f} MB  ({n} results)")
        await c.call_tool("search_logs", {"pattern": RARE, "file": "app.log", "limit": 50})  # start the scan workers
        dt, data = await timed(c, "search_logs", {"pattern": RARE, "file": "app.log", "limit": 50}, runs=3)
        g, count = grep_time(log)
        print(
            f"  {'full-file search (rare literal, whole file)':58s} {1000 * dt:8.1f} ms  {peak_rss_mb(pid):6.1f} MB"
            f"  ({data['count']} matches)"
        )
        print(f"  {'grep -F -i -c on the same file':58s} {1000 * g:8.1f} ms  ({count} lines)")
        print(f"  {'ratio to grep (target <= 2.0)':58s} {dt / g:8.2f}")
        dt, data = await timed(c, "summarize_errors", {"file": "*", "limit": 20}, runs=1)
        print(
            f"  {'summarize_errors over every file (whole day + rotated)':58s} {1000 * dt:8.1f} ms  "
            f"{peak_rss_mb(pid):6.1f} MB  ({data['total_lines']:,} lines)"
        )
        workers = descendants(pid)
        own = peak_rss_mb(pid)
        worker_peaks = [peak_rss_mb(w) for w in workers]
        print(f"  {'server peak memory (VmHWM, target < 150 MB)':58s} {own:8.1f} MB")
        if worker_peaks:
            print(f"  {'scan worker processes, peak memory each':58s} " + ", ".join(f"{w:.0f}" for w in worker_peaks) + " MB")
            pss = sum(pss_mb(p) for p in [pid, *workers])
            print(f"  {'server and its workers together: peak RSS summed / PSS now':58s} {own + sum(worker_peaks):8.1f} MB"
                  f" / {pss:.1f} MB (RSS counts shared pages once per process)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-gb", type=float, default=1.0)
    a = ap.parse_args()
    asyncio.run(main(int(a.size_gb * 1e9)))
