"""An investigation over real sources: metrics from a real Prometheus, commits from a real git repository.

Each test builds both from one shared scenario, moved in time so the incident is happening now
(a live source's "all" is the last few hours of the clock): the metrics become exporter series
in a Prometheus started for this module, the commits become a repository with dated commits
and an annotated release tag per deployment, and the logs are the scenario's lines with the
same shift. The engine starts the three bundled servers with nothing but environment
overrides, and the deterministic analyst, which talks only to tools, must name the deploy that
the data built here shows before the onset, and that onset.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from bot.analysts.heuristic import HeuristicAnalyst
from bot.engine.investigation import Engine
from bot.engine.servers import bundled_servers
from tests.fakes.prometheus import RunningPrometheus, document, openmetrics, start_prometheus

SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
# A culprit deployed twenty minutes before the errors, and one deployed an hour before them.
CASES = ("pool-exhaustion-after-deploy", "memory-leak-after-deploy")
LINE_TIME = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)")


def parse(ts: str) -> datetime:
    t = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def load(name: str, part: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / name / part).read_text())


def shift_for(name: str) -> timedelta:
    """Whole minutes that move the scenario's last metric point to two minutes ago."""
    last = parse(load(name, "metrics/metrics.json")["metrics"][-1]["timestamp"])
    target = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=2)
    return target - last


def onset_in(points: list[dict[str, Any]], shift: timedelta) -> datetime:
    """When the errors began, read off the data: the first of four minutes at 10x the quiet rate."""
    errors = [p["error_rate"] for p in points]
    quiet = median(errors[:30])
    high = [v >= max(10 * quiet, quiet + 1) for v in errors]
    first = next(i for i in range(len(errors) - 3) if all(high[i : i + 4]))
    return parse(points[first]["timestamp"]) + shift


# --- building the sources -----------------------------------------------------------------------


def git(repo: Path, *args: str, when: datetime | None = None, email: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(repo.parent), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when.isoformat(), GIT_COMMITTER_DATE=when.isoformat())
    if email:
        name = email.split("@")[0]
        env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    return subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True).stdout.strip()


def build_repository(name: str, shift: timedelta, repo: Path) -> dict[str, dict[str, Any]]:
    """The scenario's commits, oldest first, each touching its files; a tag on each deployment's
    newest commit, dated when it was deployed. Returns version -> {deployed_at, hashes}."""
    recorded = load(name, "git/recent_commits.json")
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    real: dict[str, str] = {}  # the recording's hash -> the commit made here
    for c in sorted(recorded["commits"], key=lambda c: c["timestamp"]):
        for f in c["files_changed"]:
            path = repo / f
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{path.read_text() if path.exists() else ''}{c['message']}\n")
            git(repo, "add", "--", f)
        git(repo, "commit", "-q", "-m", c["message"], when=parse(c["timestamp"]) + shift, email=c["author"])
        real[c["hash"]] = git(repo, "rev-parse", "HEAD")
    deployments = {}
    by_time = {c["hash"]: c["timestamp"] for c in recorded["commits"]}
    for d in sorted(recorded["deployments"], key=lambda d: d["deployed_at"]):
        newest = max(d["commits"], key=lambda h: by_time[h])
        at = parse(d["deployed_at"]) + shift
        git(repo, "tag", "-a", d["version"], "-m", f"deploy {d['version']}", real[newest], when=at, email="deploy@example.test")
        deployments[d["version"]] = {"deployed_at": at, "hashes": {real[h] for h in d["commits"]}}
    return deployments


def shift_logs(name: str, shift: timedelta, into: Path) -> None:
    """The scenario's log files with every line's leading time moved by `shift`."""
    into.mkdir(parents=True)
    for source in sorted((SCENARIOS / name / "logs").iterdir()):
        lines = []
        for line in source.read_text().splitlines(keepends=True):
            m = LINE_TIME.match(line)
            if m:
                moved = parse(m.group(1).replace(" ", "T")) + shift
                line = moved.strftime("%Y-%m-%d %H:%M:%S") + line[m.end():]
            lines.append(line)
        (into / source.name).write_text("".join(lines))


@pytest.fixture(scope="module")
def shifts() -> dict[str, timedelta]:
    return {name: shift_for(name) for name in CASES}


@pytest.fixture(scope="module")
def prometheus(shifts: dict[str, timedelta], tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPrometheus]:
    services = []
    for name in CASES:
        recorded = load(name, "metrics/metrics.json")
        services.append(openmetrics(recorded["metrics"], {"job": recorded["service"], "scenario": name}, shift=shifts[name]))
    running = start_prometheus(document(services), tmp_path_factory.mktemp("prometheus-now"))
    yield running
    running.stop()


# --- the investigation ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
async def test_the_analyst_names_the_deploy_and_onset_from_prometheus_and_git(
    name: str, prometheus: RunningPrometheus, shifts: dict[str, timedelta], tmp_path: Path
):
    shift = shifts[name]
    deployments = build_repository(name, shift, tmp_path / "repo")
    shift_logs(name, shift, tmp_path / "logs")
    metrics = load(name, "metrics/metrics.json")
    onset = onset_in(metrics["metrics"], shift)
    version, shipped = max(
        ((v, d) for v, d in deployments.items() if d["deployed_at"] <= onset), key=lambda vd: vd[1]["deployed_at"]
    )
    overrides = {
        "logs": {"LOGS_DIR": str(tmp_path / "logs")},
        "git": {"GIT_REPO": str(tmp_path / "repo"), "GIT_DEPLOY_TAG_PATTERN": "v*"},
        "datadog": {"PROMETHEUS_URL": prometheus.url, "PROMETHEUS_SELECTOR": f'job="{metrics["service"]}",scenario="{name}"'},
    }
    servers = [s.with_env(overrides[s.name]) for s in bundled_servers()]
    incident = (SCENARIOS / name / "incident.txt").read_text().strip()

    async with Engine(servers, HeuristicAnalyst()) as engine:
        report = await engine.investigate(incident)

    calls = {(c.server, c.tool): c for c in report.tool_calls}
    for server, tool in [("datadog", "get_anomalies"), ("datadog", "get_metrics"), ("git", "get_deployments"), ("git", "get_recent_commits")]:
        assert calls[(server, tool)].ok, (server, tool, calls[(server, tool)].error)
    assert report.incident_detected is True
    trigger = report.root_cause.trigger
    assert (trigger.type, trigger.ref) == ("deploy", version) or (
        trigger.type == "commit" and any(h.startswith(str(trigger.ref)) for h in shipped["hashes"])
    ), (trigger, version, report.summary)
    assert report.onset is not None
    assert abs(parse(report.onset) - onset) <= timedelta(minutes=3), (report.onset, stamp(onset))
    assert report.root_cause.service == metrics["service"]  # named by Prometheus' job label
