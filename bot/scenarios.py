"""Run the analysis over scenario directories and score it with the shared scorer.

A scenario directory is laid out like `../shared/scenarios/<name>/`: `incident.txt`, `logs/`,
`git/recent_commits.json`, `metrics/metrics.json` (and `truth.json`, which only the scorer reads).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from bot.analysts.choose import choose_analyst
from bot.engine.investigation import Engine
from bot.engine.report import Report
from bot.engine.servers import REPO_ROOT, apply_data_dir, bundled_servers


def shared_dir() -> Path:
    """`../shared` beside the repository (as CI lays it out), or RCA_SHARED_DIR."""
    return Path(os.environ.get("RCA_SHARED_DIR") or REPO_ROOT.parent / "shared").resolve()


def scenario_dirs(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if (p / "incident.txt").is_file())


async def investigate_dir(data: Path, analyst_mode: str = "heuristic") -> Report:
    incident = (data / "incident.txt").read_text(encoding="utf-8").strip()
    servers = apply_data_dir(bundled_servers(), data)
    async with Engine(servers, choose_analyst(analyst_mode)) as engine:
        return await engine.investigate(incident)


async def write_reports(dirs: list[Path], out: Path, analyst_mode: str = "heuristic") -> dict[str, Report]:
    out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for d in dirs:
        report = await investigate_dir(d, analyst_mode)
        (out / f"{d.name}.json").write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        reports[d.name] = report
    return reports


def score(scenarios_root: Path, reports: Path) -> str:
    """The shared scorer's output (one row per scenario and a last 'score:' line)."""
    scorer = shared_dir() / "scenarios" / "score.py"
    proc = subprocess.run(
        [sys.executable, str(scorer), str(scenarios_root), str(reports)], capture_output=True, text=True, check=True
    )
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    import tempfile

    roots = [Path(a) for a in (argv or sys.argv[1:])] or [shared_dir() / "scenarios", REPO_ROOT / "tests" / "scenarios"]
    status = 0
    for root in roots:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(write_reports(scenario_dirs(root), Path(tmp)))
            text = score(root, Path(tmp))
        print(f"# {root}")
        print(text)
        last = text.strip().splitlines()[-1]
        n_full, n = last.split()[1].split("/")
        status |= int(n_full != n)
    return status


if __name__ == "__main__":
    sys.exit(main())
