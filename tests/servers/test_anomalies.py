"""The metrics server's change-point detector on series whose answer is plain to see."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from rca_servers.metrics.anomalies import detect

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def minutes(n: int) -> list[datetime]:
    return [T0 + timedelta(minutes=i) for i in range(n)]


def noisy(n: int, level: float, sd: float, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [max(0.0, rng.gauss(level, sd)) for _ in range(n)]


def test_a_step_starts_where_it_jumps() -> None:
    values = noisy(60, 0.2, 0.05) + noisy(30, 25.0, 2.0, seed=2)
    [a] = detect("error_rate", minutes(90), values)
    assert (a.direction, a.kind, a.start, a.end) == ("up", "step", T0 + timedelta(minutes=60), None)


def test_a_blip_just_before_a_step_is_not_its_start() -> None:
    values = [0.0] * 60 + [0.3, 0.6, 0.0, 16.2, 40.4, 44.0] + [45.0] * 20
    [a] = detect("error_rate", minutes(len(values)), values)
    assert a.start == T0 + timedelta(minutes=63) and a.first_exceeded == a.start


def test_a_ramp_is_dated_to_where_the_climb_leaves_the_baseline() -> None:
    values = noisy(90, 45.0, 0.4) + [45.0 + 0.8 * k for k in range(1, 41)]
    [a] = detect("memory_usage", minutes(130), values)
    assert a.kind == "ramp"
    assert abs((a.start - (T0 + timedelta(minutes=90))).total_seconds()) <= 5 * 60
    assert a.start < a.first_exceeded


def test_a_shift_that_ends_has_an_end_and_noise_has_no_anomaly() -> None:
    values = noisy(60, 120.0, 6.0) + noisy(20, 900.0, 40.0, seed=3) + noisy(40, 120.0, 6.0, seed=4)
    [a] = detect("response_time_ms", minutes(120), values)
    assert a.start == T0 + timedelta(minutes=60) and a.end == T0 + timedelta(minutes=80)
    assert detect("response_time_ms", minutes(120), noisy(120, 120.0, 6.0, seed=5)) == []
