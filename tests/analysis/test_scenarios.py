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
    ("ours", "pricing-fx-provider-outage"),
    ("ours", "otp-sms-provider-throttling"),
    ("ours", "media-thumbnail-pool-misc-fixes"),
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
    ("ours", "tracking-consumer-lag"),
    ("ours", "exports-fd-leak"),
]


@pytest.mark.parametrize(("kind", "name"), EARLY, ids=[n for _, n in EARLY])
def test_a_culprit_deployed_an_hour_before_the_impact_is_found(reports, scores, kind, name):
    report = reports[(kind, name)]
    trigger = report["root_cause"]["trigger"]
    assert trigger["type"] == "deploy"
    named = next(d for d in _deploys(kind, name) if d[0] == trigger["ref"])
    assert _time(report["onset"]) - named[1] >= timedelta(hours=1)
    assert scores[(kind, name)]["culprit"] == "Y"


FALSE_ALARMS = [
    ("ours", "inventory-deploy-false-alarm"),
    ("shared", "false-alarm"),
    ("ours", "reports-deploy-false-alarm"),
    ("ours", "identity-false-alarm-urgent"),
]


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
    ("ours", "pricing-fx-provider-outage"),
    ("ours", "otp-sms-provider-throttling"),
    ("ours", "cart-node-network-no-deploy"),
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


def _metric(name: str, metric: str) -> list[float]:
    data = json.loads((OURS / name / "metrics" / "metrics.json").read_text())
    return [p[metric] for p in data["metrics"] if isinstance(p.get(metric), int | float)]


def test_clients_who_can_no_longer_connect_are_an_incident_without_errors(reports):
    report = reports[("ours", "partner-api-cert-chain")]
    assert max(_metric("partner-api-cert-chain", "error_rate")) < 1.0, "the scenario's error rate stays flat"
    assert report["incident_detected"] is True
    assert "request rate fell" in report["summary"]
    onset = _time(report["onset"])
    shipped = [d for d in _deploys("ours", "partner-api-cert-chain") if abs(d[1] - onset) <= timedelta(minutes=3)]
    assert [report["root_cause"]["trigger"]["ref"]] == [d[0] for d in shipped]


def test_failures_from_one_node_are_that_node_not_a_provider(reports):
    report = reports[("ours", "cart-node-network-no-deploy")]
    logs = (OURS / "cart-node-network-no-deploy" / "logs").iterdir()
    kernel = {w.split("=", 1)[1] for f in logs if f.suffix == ".log" for line in f.read_text().splitlines()
              if "kernel" in line for w in line.split() if w.startswith("node=")}
    assert len(kernel) == 1, "the scenario's NIC warnings come from one node"
    recs = " ".join(report["recommendations"])
    assert kernel.pop() in report["summary"] and "Cordon" in recs and "Confirm with the provider" not in recs


OUR_BACKENDS = [
    ("ours", "orders-sidecar-oom"),
    ("ours", "storefront-keepalive-502s"),
    ("ours", "cart-node-network-no-deploy"),
]


@pytest.mark.parametrize(("kind", "name"), OUR_BACKENDS, ids=[n for _, n in OUR_BACKENDS])
def test_connections_failing_inside_our_network_are_not_sent_to_a_provider(reports, kind, name):
    report = reports[(kind, name)]
    assert "confirm with the provider" not in " ".join(report["recommendations"]).lower()
    assert "external dependency" not in report["root_cause"]["description"]


def test_a_monorepo_deploy_of_another_service_is_not_blamed_for_this_ones_failures(reports):
    report = reports[("ours", "orders-sidecar-oom")]
    ref = report["root_cause"]["trigger"]["ref"]
    service = ref.split("@")[0]
    onset = _time(report["onset"])
    others = [v for v, at, _ in _deploys("ours", "orders-sidecar-oom") if not v.startswith(service + "@") and at <= onset]
    assert others and service in report["root_cause"]["description"]
    assert all(f"Ruled out deploy {v}" in json.dumps(report["evidence"]) for v in others[-1:])


def test_a_providers_429s_that_begin_as_our_client_config_ships_are_ours(reports):
    report = reports[("ours", "checkout-geocoder-429-config")]
    data = json.loads((OURS / "checkout-geocoder-429-config" / "git" / "recent_commits.json").read_text())
    ref = report["root_cause"]["trigger"]["ref"]
    deployed = next(d for d in data["deployments"] if d["version"] == ref)
    files = [f for c in data["commits"] if c["hash"] in deployed["commits"] for f in c["files_changed"]]
    assert any("client" in f for f in files), "named for touching how we call the provider"
    assert _time(report["onset"]) - _time(deployed["deployed_at"]) <= timedelta(minutes=2)
