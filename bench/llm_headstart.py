#!/usr/bin/env python3
"""What the head start saves: model calls and tokens, with and without it, on the shared scenarios.

    .venv/bin/python bench/llm_headstart.py [SCENARIOS_DIR]

Each scenario is investigated twice through the real bundled MCP servers by the model analyst,
talking to a scripted model on loopback (tests/llm/scripted_sre.py): once from scratch
(LLM_HEAD_START=false), once given the deterministic analysis first. The figures are what the
conversation costs: requests, characters and tokens sent (the fake counts a token per four
characters, as a rough tokenizer would) and received. How well a real model reasons with or
without the head start is not measured here; the scores are printed for completeness, and the
scripted model's own from-scratch rules are crude on purpose.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "mcp-servers")]

from bot.analysts.heuristic import HeuristicAnalyst  # noqa: E402
from bot.analysts.llm import LLMSettings, build_llm_analyst  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.engine.servers import apply_data_dir, bundled_servers  # noqa: E402
from bot.scenarios import scenario_dirs, score, shared_dir  # noqa: E402
from tests.fakes.model_server import FakeModel  # noqa: E402
from tests.llm.scripted_sre import ScriptedSRE  # noqa: E402

MODES = {"from scratch": "false", "head start": "true"}


async def run_scenario(data: Path) -> dict[str, dict[str, float]]:
    incident = (data / "incident.txt").read_text(encoding="utf-8").strip()
    out: dict[str, dict[str, float]] = {}
    async with Engine(apply_data_dir(bundled_servers(), data), HeuristicAnalyst()) as engine:
        for mode, flag in MODES.items():
            with FakeModel("scripted-sre") as fake:
                fake.script(*[ScriptedSRE()] * 12)
                settings = LLMSettings.from_env(fake.env("ollama", LLM_HEAD_START=flag))
                assert settings is not None
                t0 = time.perf_counter()
                report = await engine.investigate(incident, analyst=build_llm_analyst(settings, HeuristicAnalyst()))
                elapsed = time.perf_counter() - t0
                usage = report.usage
                assert usage is not None
                out[mode] = {
                    "model_calls": usage.model_calls,
                    "chars_sent": usage.chars_sent,
                    "tokens_sent": usage.tokens_sent or 0,
                    "tokens_received": usage.tokens_received or 0,
                    "tool_calls": len(report.tool_calls),
                    "seconds": elapsed,
                    "report": report.to_dict(),
                }
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else shared_dir() / "scenarios"
    dirs = scenario_dirs(root)
    rows = {d.name: asyncio.run(run_scenario(d)) for d in dirs}
    keys = ("model_calls", "tokens_sent", "tokens_received", "chars_sent", "tool_calls")
    print(f"# head start on {len(dirs)} scenarios in {root} (scripted model, Ollama wire format)")
    print(f"{'scenario':32} " + "  ".join(f"{k:>22}" for k in keys))
    totals = {m: dict.fromkeys(keys, 0.0) for m in MODES}
    for name, by_mode in rows.items():
        cells = []
        for k in keys:
            a, b = by_mode["from scratch"][k], by_mode["head start"][k]
            totals["from scratch"][k] += a
            totals["head start"][k] += b
            cells.append(f"{int(a):>9} -> {int(b):<10}")
        print(f"{name:32} " + "  ".join(f"{c:>22}" for c in cells))
    print()
    for k in keys:
        a, b = totals["from scratch"][k], totals["head start"][k]
        change = (b - a) / a * 100 if a else 0.0
        print(f"total {k:16} from scratch {int(a):>8}   head start {int(b):>8}   change {change:+.0f}%")
    for mode in MODES:
        with tempfile.TemporaryDirectory() as tmp:
            for name, by_mode in rows.items():
                (Path(tmp) / f"{name}.json").write_text(json.dumps(by_mode[mode]["report"]))
            last = score(root, Path(tmp)).strip().splitlines()[-1]
        print(f"scored ({mode}): {last}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
