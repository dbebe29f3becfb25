#!/usr/bin/env python3
"""The engine's figures on the bundled demo incident: cold start of the three servers (in
parallel), a tool call's round trip on an open session, an investigation with warm servers, and
a second investigation in the same process, which must start no server.

    .venv/bin/python bench/engine.py [--calls 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "mcp-servers")]

from bot.analysts.heuristic import HeuristicAnalyst  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.engine.servers import bundled_servers  # noqa: E402

INCIDENT = "500 errors on checkout API"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


async def main(calls: int) -> None:
    engine = Engine(bundled_servers(), HeuristicAnalyst())
    t0 = time.perf_counter()
    down = await engine.start()
    cold = time.perf_counter() - t0
    assert not down, down
    each = ", ".join(f"{h.name} {h.start_ms:.0f}" for h in engine.pool.handles.values())
    print("== engine (bundled demo data, deterministic analyst)")
    print(f"  cold start of the three servers, in parallel            {1000 * cold:8.0f} ms   (each: {each} ms)")
    try:
        for tool, args in (("get_deployments", {"limit": 1}), ("search_logs", {"pattern": "pool", "limit": 5})):
            times = []
            for _ in range(calls):
                r = await engine.router.call(tool, args)
                assert r.ok, r.text
                times.append(r.duration_ms)
            print(
                f"  round trip {tool + '(' + ', '.join(f'{k}={v!r}' for k, v in args.items()) + ')':44s}"
                f"{statistics.median(times):8.2f} ms median, p99 {pct(times, 99):.2f} ms  ({calls} calls)"
            )
        generation = engine.pool.generation
        for label in ("investigation, warm servers", "second investigation, same process"):
            t0 = time.perf_counter()
            report = await engine.investigate(INCIDENT)
            dt = time.perf_counter() - t0
            started = engine.pool.generation - generation
            print(
                f"  {label:56s}{1000 * dt:8.0f} ms   ({len(report.tool_calls)} tool calls, "
                f"{started} servers started, verdict: {report.root_cause.trigger.type} {report.root_cause.trigger.ref})"
            )
    finally:
        await engine.aclose()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=300)
    asyncio.run(main(ap.parse_args().calls))
