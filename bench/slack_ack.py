"""Ack latency of the Slack app: 50 concurrent `/rca` against the fake Slack on loopback.

The real app (slack_bolt over Socket Mode) on the real engine with the bundled servers; the fake
pushes 50 slash_commands envelopes at once and times each ack from send to receipt. Slack wants
an ack within 3 s; the figure that matters is p99.

    .venv/bin/python bench/slack_ack.py [--n 50] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.analysts.heuristic import HeuristicAnalyst  # noqa: E402
from bot.engine.investigation import Engine  # noqa: E402
from bot.engine.servers import bundled_servers  # noqa: E402
from bot.slack.app import SlackBot  # noqa: E402
from bot.slack.settings import Settings  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def bench(n: int) -> dict[str, float]:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(name, None)  # loopback only
    async with FakeSlack() as slack:
        settings = Settings(bot_token=slack.bot_token, app_token=slack.app_token, api_url=slack.api_url)
        engine = Engine(bundled_servers(), HeuristicAnalyst())
        await engine.start()
        bot = SlackBot(settings, engine)
        await bot.start()
        try:
            # one warm-up request: Bolt's first dispatch calls auth.test once and caches it
            warm = await slack.command("warm up", channel="C0WARMUP")
            await slack.wait_acked(warm, 10)
            t0 = time.monotonic()
            envs = await asyncio.gather(
                *(slack.command(f"500 errors on checkout #{i}", channel=f"C0BENCH{i:03d}") for i in range(n))
            )
            await slack.wait_until(lambda: all(e.acked_at is not None for e in envs), 30)
            latencies = [e.ack_latency * 1000 for e in envs]  # type: ignore[operator]
            await slack.wait_until(
                lambda: sum(1 for m in slack.messages.values() if m.blocks and m.blocks[0]["type"] == "header") >= n + 1,
                600,
            )
            answered = time.monotonic() - t0
        finally:
            await bot.aclose()
            await engine.aclose()
    return {
        "n": n,
        "ack_median_ms": round(statistics.median(latencies), 1),
        "ack_p99_ms": round(percentile(latencies, 0.99), 1),
        "ack_max_ms": round(max(latencies), 1),
        "all_answered_s": round(answered, 2),
        "max_concurrent": settings.max_concurrent,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=50, help="concurrent /rca (default 50)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = p.parse_args()
    logging.basicConfig(level=logging.ERROR)
    r = asyncio.run(bench(args.n))
    if args.json:
        print(json.dumps(r))
    else:
        print(f"slack ack latency, {r['n']} concurrent /rca (real app, fake Slack on loopback): "
              f"median {r['ack_median_ms']} ms, p99 {r['ack_p99_ms']} ms, max {r['ack_max_ms']} ms (Slack allows 3000)")
        print(f"slack all {r['n']} answered with a report in {r['all_answered_s']} s "
              f"({r['max_concurrent']} investigations at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
