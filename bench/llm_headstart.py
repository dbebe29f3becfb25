#!/usr/bin/env python3
"""What the head start saves: model calls and tokens, with and without it, on the shared scenarios.

    .venv/bin/python bench/llm_headstart.py [--real] [SCENARIOS_DIR]

Each scenario is investigated twice through the real bundled MCP servers by the model analyst:
once from scratch (LLM_HEAD_START=false), once given the deterministic analysis first.

By default the model is a scripted one on loopback (tests/llm/scripted_sre.py). Its turns are
fixed by its rules (three from scratch, two with the head start), so the saving in model calls
is by construction; what the run measures is what such conversations cost in characters and
tokens (the fake counts a token per four characters, as a rough tokenizer would). It says
nothing about how well a model reasons with or without the head start.

With --real, the model is the one configured in the environment (OLLAMA_MODEL / OPENAI_MODEL
and the rest, as for `rca`): then the model calls, tokens, fallbacks and scores are that
model's own, and worth comparing. A real model takes minutes per scenario.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
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


async def run_scenario(data: Path, real: LLMSettings | None) -> dict[str, dict[str, float]]:
    incident = (data / "incident.txt").read_text(encoding="utf-8").strip()
    out: dict[str, dict[str, float]] = {}
    async with Engine(apply_data_dir(bundled_servers(), data), HeuristicAnalyst()) as engine:
        for mode, flag in MODES.items():
            with contextlib.ExitStack() as stack:
                if real is not None:
                    settings = dataclasses.replace(real, head_start=flag == "true")
                else:
                    fake = stack.enter_context(FakeModel("scripted-sre"))
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
                    "fallbacks": int(report.analyst.endswith("+heuristic-fallback")),
                    "report": report.to_dict(),
                }
    return out


def main(argv: list[str]) -> int:
    real = None
    if "--real" in argv:
        argv = [a for a in argv if a != "--real"]
        real = LLMSettings.from_env(os.environ)
        if real is None:
            print("bench: --real needs a model: set OLLAMA_MODEL (and OLLAMA_HOST) or OPENAI_MODEL "
                  "(and OPENAI_BASE_URL, OPENAI_API_KEY), as for rca --analyst llm", file=sys.stderr)
            return 2
    root = Path(argv[0]) if argv else shared_dir() / "scenarios"
    dirs = scenario_dirs(root)
    rows = {d.name: asyncio.run(run_scenario(d, real)) for d in dirs}
    keys = ("model_calls", "tokens_sent", "tokens_received", "chars_sent", "tool_calls", "fallbacks")
    if real is None:
        who = ("scripted model, Ollama wire format: its turns are fixed by its rules, so the saving in "
               "model calls is by construction; use --real for a model's own figures")
    else:
        who = f"{real.label} at {real.base_url}"
    print(f"# head start on {len(dirs)} scenarios in {root} ({who})")
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
