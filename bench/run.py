#!/usr/bin/env python3
"""`make bench`: every figure the project promises, one script after another.

    .venv/bin/python bench/run.py [engine] [slack] [metrics] [llm] [logs]

Each part runs in its own process (so memory figures are its own) and prints its figures;
a part that fails is reported and the others still run. Timings are wall-clock on this machine:
run it on an otherwise idle machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = {
    "engine": ["engine.py"],
    "slack": ["slack_ack.py"],
    "metrics": ["metrics.py"],
    "llm": ["llm_headstart.py"],
    "logs": ["logs_at_size.py"],
}


def main(argv: list[str]) -> int:
    chosen = argv or list(PARTS)
    unknown = [a for a in chosen if a not in PARTS]
    if unknown:
        print(f"bench: unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    failed = []
    for name in chosen:
        t0 = time.perf_counter()
        p = subprocess.run([sys.executable, str(HERE / PARTS[name][0]), *PARTS[name][1:]])
        if p.returncode:
            failed.append(name)
            print(f"!! {name} failed (exit {p.returncode})")
        print(f"   [{name}: {time.perf_counter() - t0:.0f} s]\n", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
