"""The deterministic analyst, end to end through the real bundled MCP servers, on every scenario.

Each scenario (the eight shared ones and ours in tests/scenarios/) gets its own engine, since
the servers read the scenario's files; the investigations run a few at a time so the servers'
start-up overlaps. The shared scorer judges every report; the focused tests below pin the hard
cases by what the data shows (which deploy came last before the onset, which came an hour
earlier), never by reading the answers.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from bot.scenarios import investigate_dir, scenario_dirs, shared_dir

OURS = Path(__file__).resolve().parents[1] / "scenarios"
SHARED = shared_dir() / "scenarios"
ROOTS = {"shared": SHARED, "ours": OURS}
CASES = [(kind, d.name) for kind, root in ROOTS.items() for d in scenario_dirs(root)]
CONCURRENCY = 4


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


async def _investigate_all(dirs: list[Path]) -> list[dict]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(d: Path) -> dict:
        async with gate:
            return (await investigate_dir(d)).to_dict()

    return await asyncio.gather(*(one(d) for d in dirs))


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    """Every scenario's report, written where the scorer reads them: <dir>/<shared|ours>/<name>.json."""
    out = tmp_path_factory.mktemp("reports")
    results = asyncio.run(_investigate_all([ROOTS[kind] / name for kind, name in CASES]))
    for (kind, name), report in zip(CASES, results, strict=True):
        (out / kind).mkdir(exist_ok=True)
        (out / kind / f"{name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def reports(report_dir) -> dict[tuple[str, str], dict]:
    return {(kind, name): json.loads((report_dir / kind / f"{name}.json").read_text()) for kind, name in CASES}


@pytest.fixture(scope="module")
def scores(report_dir) -> dict[tuple[str, str], dict[str, str]]:
    """The shared scorer's verdict per scenario: {'detect': 'Y', 'culprit': 'n', ..., 'full': 'Y'}."""
    scorer = shared_dir() / "scenarios" / "score.py"
    rows = {}
    for kind, root in ROOTS.items():
        proc = subprocess.run(
            [sys.executable, str(scorer), str(root), str(report_dir / kind)],
            capture_output=True, text=True, check=True,
        )
        for line in proc.stdout.splitlines():
            if line.startswith("score:") or not line.strip():
                continue
            name, *fields = line.split()
            rows[(kind, name)] = dict(f.split("=", 1) for f in fields)
    return rows


def _deploys(kind: str, name: str) -> list[tuple[str, datetime, str]]:
    data = json.loads((ROOTS[kind] / name / "git" / "recent_commits.json").read_text())
    return sorted(((d["version"], _time(d["deployed_at"]), d["status"]) for d in data["deployments"]), key=lambda d: d[1])


@pytest.mark.parametrize(("kind", "name"), CASES, ids=[f"{k}/{n}" for k, n in CASES])
def test_scores_full(scores, kind, name):
    assert scores[(kind, name)].get("full") == "Y", f"{kind}/{name}: {scores[(kind, name)]}"


def test_ours_cover_the_required_cases():
    names = {d.name for d in scenario_dirs(OURS)}
    assert len(names) >= 8
    formats = set()
    for d in scenario_dirs(OURS):
        for f in (d / "logs").iterdir():
            formats.add("gz" if f.suffix == ".gz" else "named-app.log" if f.name == "app.log" else "other-name")
    assert {"gz", "other-name"} <= formats


def test_reports_follow_the_schema(reports):
    schema = json.loads((shared_dir() / "rca-report.schema.json").read_text())
    for case in CASES:
        jsonschema.validate(reports[case], schema)


def test_every_tool_call_is_in_the_report(reports):
    for case in CASES:
        tools = [c["tool"] for c in reports[case]["tool_calls"]]
        assert {"summarize_errors", "get_metrics", "get_deployments"} <= set(tools), case
        assert all(c["ok"] for c in reports[case]["tool_calls"]), case


# A deploy a few minutes before the onset that had nothing to do with it.
RED_HERRINGS = [
    ("ours", "ingest-disk-full"),
    ("ours", "ledger-lock-contention"),
    ("ours", "webhooks-tls-cert-expired"),
    ("ours", "shipping-carrier-outage"),
    ("ours", "storefront-traffic-surge"),
    ("ours", "recommendations-pool-at-peak"),
]


@pytest.mark.parametrize(("kind", "name"), RED_HERRINGS, ids=[n for _, n in RED_HERRINGS])
def test_a_deploy_just_before_the_onset_is_not_blamed_for_it(reports, scores, kind, name):
    report = reports[(kind, name)]
    onset = _time(report["onset"])
    last = [d for d in _deploys(kind, name) if d[1] <= onset and d[2] != "rollback"][-1]
    assert onset - last[1] <= timedelta(minutes=10), "the scenario must have a deploy just before the onset"
    assert report["root_cause"]["trigger"]["ref"] != last[0]
    assert last[0] in json.dumps(report["evidence"]), "the report says why that deploy was ruled out"
    assert scores[(kind, name)]["culprit"] == "Y"


# The change that caused it landed an hour or more before users were hurt.
EARLY = [
    ("ours", "ingest-disk-full"),
    ("ours", "ledger-lock-contention"),
    ("ours", "gateway-heap-leak"),
    ("ours", "recommendations-pool-at-peak"),
]


@pytest.mark.parametrize(("kind", "name"), EARLY, ids=[n for _, n in EARLY])
def test_a_culprit_deployed_an_hour_before_the_impact_is_found(reports, scores, kind, name):
    report = reports[(kind, name)]
    trigger = report["root_cause"]["trigger"]
    assert trigger["type"] == "deploy"
    named = next(d for d in _deploys(kind, name) if d[0] == trigger["ref"])
    assert _time(report["onset"]) - named[1] >= timedelta(hours=1)
    assert scores[(kind, name)]["culprit"] == "Y"


FALSE_ALARMS = [("ours", "inventory-deploy-false-alarm"), ("shared", "false-alarm")]


@pytest.mark.parametrize(("kind", "name"), FALSE_ALARMS, ids=[n for _, n in FALSE_ALARMS])
def test_a_false_alarm_says_no_incident(reports, kind, name):
    report = reports[(kind, name)]
    assert report["incident_detected"] is False
    assert report["root_cause"]["trigger"] == {"type": "none", "ref": None}
    assert report["onset"] is None
    assert "No incident" in report["summary"]


def test_a_deploy_followed_by_nothing_wrong_is_named_as_checked(reports):
    report = reports[("ours", "inventory-deploy-false-alarm")]
    metrics = json.loads((OURS / "inventory-deploy-false-alarm" / "metrics" / "metrics.json").read_text())
    start = _time(metrics["metrics"][0]["timestamp"])
    inside = [v for v, at, _ in _deploys("ours", "inventory-deploy-false-alarm") if at >= start]
    assert inside, "the scenario deploys inside its window"
    assert all(v in json.dumps(report["evidence"]) for v in inside)


# Nothing of ours changed: a dependency, the network, a certificate, the load.
NOT_OURS = [
    ("ours", "notifications-dns-failure"),
    ("ours", "webhooks-tls-cert-expired"),
    ("ours", "shipping-carrier-outage"),
    ("ours", "storefront-traffic-surge"),
    ("shared", "upstream-payment-outage"),
    ("shared", "traffic-surge"),
]


@pytest.mark.parametrize(("kind", "name"), NOT_OURS, ids=[n for _, n in NOT_OURS])
def test_an_outage_outside_our_changes_says_none(reports, kind, name):
    report = reports[(kind, name)]
    assert report["incident_detected"] is True
    assert report["root_cause"]["trigger"] == {"type": "none", "ref": None}
    assert "of ours" in report["summary"] or "outside our code" in report["summary"]


def test_confidence_is_higher_when_a_rollback_confirms_the_culprit(reports):
    confirmed = reports[("ours", "billing-credentials-deploy")]["root_cause"]["confidence"]
    unconfirmed = reports[("ours", "gateway-heap-leak")]["root_cause"]["confidence"]
    assert confirmed > unconfirmed
