"""The red teams' held-out incidents, end to end: generated on the spot, investigated through the
real bundled MCP servers, judged by the shared scorer.

Each generator under scripts/ was written by a red team apart from the analyst (most without
reading it). Their incidents are not committed (tens of megabytes); the generators are
deterministic, so the same files are written every run. A case the analysis still gets partly
wrong is listed in KNOWN with what it misses and why it is left so; the rest must score full.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.scenarios import investigate_dir, scenario_dirs, shared_dir

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
TEAMS = ("gen_blind", "gen_redteam3", "gen_redteam4", "gen_redteam5", "gen_redteam6")
CONCURRENCY = 4
# what is still missed, and why it stays: the onset of a latency creep with no step lands 3 minutes
# outside the red team's 15-minute band (08:36 against 08:03-08:33); moving it would undo the rule
# that latency creeping over a bar is dated by the errors that follow (stays-index-migration)
KNOWN = {("gen_blind", "tiles-latency-creep"): {"onset"}}


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> dict[tuple[str, str], dict[str, str]]:
    root = tmp_path_factory.mktemp("red-teams")
    for team in TEAMS:
        subprocess.run([sys.executable, str(SCRIPTS / f"{team}.py"), "--out", str(root / team)],
                       check=True, capture_output=True)
    cases = [(team, d) for team in TEAMS for d in scenario_dirs(root / team)]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(d: Path) -> dict:
        async with gate:
            return (await investigate_dir(d)).to_dict()

    async def every() -> list[dict]:
        return await asyncio.gather(*(one(d) for _, d in cases))

    out: dict[tuple[str, str], dict[str, str]] = {}
    for (team, d), report in zip(cases, asyncio.run(every()), strict=True):
        (root / f"{team}-reports").mkdir(exist_ok=True)
        (root / f"{team}-reports" / f"{d.name}.json").write_text(json.dumps(report), encoding="utf-8")
    scorer = shared_dir() / "scenarios" / "score.py"
    for team in TEAMS:
        proc = subprocess.run([sys.executable, str(scorer), str(root / team), str(root / f"{team}-reports")],
                              capture_output=True, text=True, check=True)
        for line in proc.stdout.splitlines():
            if line.strip() and not line.startswith("score:"):
                name, *fields = line.split()
                out[(team, name)] = dict(f.split("=", 1) for f in fields)
    return out


def test_every_red_team_incident_is_judged(verdicts):
    assert {team for team, _ in verdicts} == set(TEAMS)
    assert len(verdicts) >= 57


def test_red_team_incidents_score_full_but_for_the_known_misses(verdicts):
    wrong = {}
    for case, fields in verdicts.items():
        missed = {k for k, v in fields.items() if k != "full" and v != "Y"}
        if missed != KNOWN.get(case, set()):
            wrong[case] = fields
    assert not wrong, wrong
