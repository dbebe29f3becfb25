"""Peers the server tests share: a real Prometheus loaded with several shared scenarios' metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.prometheus import RunningPrometheus, document, openmetrics, start_prometheus

SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
# Distinct incidents: a step, a slow leak with a late step, one that ended, and a false alarm.
PROMETHEUS_SCENARIOS = ("pool-exhaustion-after-deploy", "memory-leak-after-deploy", "rollback-recovered", "false-alarm")


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPrometheus]:
    """One Prometheus for the session; each scenario's series carry job=<service>, scenario=<name>."""
    services = []
    for name in PROMETHEUS_SCENARIOS:
        recorded = json.loads((SCENARIOS / name / "metrics" / "metrics.json").read_text())
        services.append(openmetrics(recorded["metrics"], {"job": recorded["service"], "scenario": name}))
    running = start_prometheus(document(services), tmp_path_factory.mktemp("prometheus"))
    yield running
    running.stop()
