"""Robust anomaly detection on one metric series: is anything wrong, and when did it begin.

The deterministic analyst leans on `start` to line impact up with deploys, so the detector is
built to be right on data it has never seen, not tuned to one incident:

- The baseline is the median of the recent *normal* points before the current one (points
  already judged anomalous never enter it), and the spread is the MAD scaled to a standard
  deviation, floored relative to the median (and by a small absolute floor per metric) so a
  flat series does not turn rounding noise into huge z-scores. A trailing baseline also
  absorbs slow daily drift, which is not an incident.
- A shift must be *sustained*: several points beyond the threshold before it counts. Shorter
  excursions are reported only when large, as `kind="spike"`, and never move the baseline.
- Once a shift is confirmed, its start is found by fitting two shapes to the points around the
  first exceedance: a step (flat, then a new level) and a hinge (flat, then a straight climb).
  The better fit names the kind and the minute it began, so a ramp's start is where the climb
  leaves the baseline, not where it finally crossed the threshold.
- It ends when the series has been back within the return band (half the threshold) for a
  few points; `end` is the first of those points. If the data ends first, `end` is None.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from rca_servers.common import iso

# MAD -> standard deviation for normally distributed noise.
MAD_TO_SIGMA = 1.4826

# Absolute floors on the spread, in each metric's own unit (percent points, ms...). They only
# matter for near-constant series: an error rate that sits at 0.0-0.2% must move by more than
# a few tenths of a percent before it is called a shift.
ABS_FLOOR = {
    "error_rate": 0.1,
    "cpu_usage": 0.5,
    "memory_usage": 0.5,
    "response_time_ms": 1.0,
    "request_rate": 0.1,
}


@dataclass(frozen=True)
class Settings:
    threshold: float = 4.0  # robust z a point must reach to count as beyond the baseline
    min_points: int = 3  # points beyond the threshold before a shift is sustained
    recover_points: int = 3  # points back within the return band before it has ended
    return_ratio: float = 0.5  # the return band is threshold * return_ratio
    baseline_points: int = 60  # trailing normal points the baseline is computed from
    warmup_points: int = 15  # points needed before anything is judged
    rel_floor: float = 0.02  # spread floor relative to |median|
    abs_floor: float = 0.0
    spike_factor: float = 2.0  # a short excursion is reported when its score >= threshold * this
    small_sample: float = 5.0  # spread *= 1 + small_sample / n: a baseline from few points is uncertain
    admit_ratio: float = 1.0  # a point joins the baseline when |z| < threshold * admit_ratio
    onset_lookback: int = 60  # points before the first exceedance searched for the onset
    fit_after: int = 10  # points after the first exceedance used to fit the shape

    @property
    def return_threshold(self) -> float:
        return max(1.0, self.threshold * self.return_ratio)


@dataclass(frozen=True)
class Anomaly:
    metric: str
    direction: str  # "up" | "down"
    start: datetime
    end: datetime | None  # first point back at baseline; None = still away at the end of the data
    baseline: float
    peak: float
    peak_time: datetime
    score: float  # robust z of the peak
    kind: str  # "step" | "ramp" | "spike"
    first_exceeded: datetime  # first point beyond the threshold (start <= first_exceeded)
    points_beyond: int
    sustained: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "direction": self.direction,
            "start": iso(self.start),
            "end": iso(self.end),
            "baseline": _round(self.baseline),
            "peak": _round(self.peak),
            "peak_time": iso(self.peak_time),
            "score": round(self.score, 2),
            "kind": self.kind,
            "sustained": self.sustained,
            "first_exceeded": iso(self.first_exceeded),
            "points_beyond": self.points_beyond,
        }


def _round(v: float) -> float:
    """Four significant decimals is plenty for a report and keeps byte counts in check."""
    if v == 0 or not math.isfinite(v):
        return v
    digits = max(0, 4 - int(math.floor(math.log10(abs(v)))) - 1)
    return round(v, digits)


def robust_stats(values: Sequence[float], settings: Settings) -> tuple[float, float]:
    """(median, spread): MAD as a standard deviation, never below the floors."""
    med = median(values)
    mad = median(abs(v - med) for v in values)
    spread = max(MAD_TO_SIGMA * mad, settings.rel_floor * abs(med), settings.abs_floor)
    spread *= 1 + settings.small_sample / len(values)
    return med, spread if spread > 0 else 1e-9


# Traffic, CPU and latency drift through the day, so their baseline trails the last hour.
# Memory does not, and a slow leak would drag a trailing baseline along with it, so its
# baseline is every normal point before.
BASELINE_POINTS = {"memory_usage": 100_000}


def settings_for(metric: str, threshold: float = 4.0, **overrides: Any) -> Settings:
    base: dict[str, Any] = {"abs_floor": ABS_FLOOR.get(metric, 0.0)}
    if metric in BASELINE_POINTS:
        base["baseline_points"] = BASELINE_POINTS[metric]
    return Settings(threshold=threshold, **{**base, **overrides})


def detect(
    metric: str,
    times: Sequence[datetime],
    values: Sequence[float | None],
    settings: Settings | None = None,
) -> list[Anomaly]:
    """All anomalies in one series, in time order. Points that are None or not finite are skipped."""
    s = settings or settings_for(metric)
    pts = [(t, float(v)) for t, v in zip(times, values, strict=True) if v is not None and math.isfinite(v)]
    n = len(pts)
    if n <= s.warmup_points:
        return []
    ts = [p[0] for p in pts]
    xs = [p[1] for p in pts]

    normal: list[int] = list(range(s.warmup_points))  # indices of points judged normal
    found: list[Anomaly] = []
    boundary = 0  # an onset may not reach back past the end of the previous anomaly
    i = s.warmup_points
    while i < n:
        med, spread = robust_stats([xs[k] for k in normal[-s.baseline_points :]], s)
        z = (xs[i] - med) / spread
        if abs(z) < s.threshold:
            if abs(z) < s.threshold * s.admit_ratio:
                normal.append(i)
            i += 1
            continue

        sign = 1.0 if z > 0 else -1.0
        last_away, beyond, back = _follow(xs, i, med, spread, sign, s)
        reached_end = last_away + back >= n - 1 and back < s.recover_points
        sustained = beyond >= s.min_points
        if sustained:
            i = _run_start(xs, i, last_away, med, spread, sign, s)
            onset, kind = _onset(xs, i, last_away, boundary, med, spread, sign, s)
        else:
            onset, kind = i, "spike"

        # The reported baseline comes from normal points before the onset, so a ramp's own
        # early points (judged normal while they were still small) do not pull it along.
        before = [xs[k] for k in normal if k < onset][-s.baseline_points :]
        if len(before) >= s.warmup_points // 2:
            med, spread = robust_stats(before, s)
        seg = range(onset, last_away + 1)
        peak_i = max(seg, key=lambda k: sign * (xs[k] - med))
        score = sign * (xs[peak_i] - med) / spread
        ended = not reached_end or back >= 2
        end = ts[last_away + 1] if ended and last_away + 1 < n else None
        if sustained or score >= s.threshold * s.spike_factor:
            found.append(
                Anomaly(
                    metric=metric,
                    direction="up" if sign > 0 else "down",
                    start=ts[onset],
                    end=end,
                    baseline=med,
                    peak=xs[peak_i],
                    peak_time=ts[peak_i],
                    score=max(score, 0.0),
                    kind=kind,
                    first_exceeded=ts[i],
                    points_beyond=beyond,
                    sustained=sustained,
                )
            )
        if sustained:
            normal = [k for k in normal if k < onset]
            boundary = last_away + 1
        i = last_away + 1
    return found


def _follow(
    xs: Sequence[float], i: int, med: float, spread: float, sign: float, s: Settings
) -> tuple[int, int, int]:
    """Follow an excursion from its first exceedance until it has been back for a while.

    Returns (last index still away from the baseline, points beyond the threshold, points
    back within the return band after the last one away).
    """
    last_away, beyond, back = i, 0, 0
    for j in range(i, len(xs)):
        zj = sign * (xs[j] - med) / spread
        if zj >= s.threshold:
            beyond += 1
        if zj >= s.return_threshold:
            last_away, back = j, 0
        else:
            back += 1
            if back >= s.recover_points:
                break
    return last_away, beyond, back


def _run_start(xs: Sequence[float], i: int, last_away: int, med: float, spread: float, sign: float, s: Settings) -> int:
    """The first exceedance that begins the sustained run.

    An excursion can open with a blip that falls straight back to the baseline (0.6% errors,
    then 0.0%, then the real step to 16%); the shift begins after the last point back at the
    baseline, not at the blip. Returns i itself when no point inside the run is back.
    """
    for j in range(i, last_away + 1):
        z = sign * (xs[j] - med) / spread
        if z < s.threshold:
            continue
        window = xs[j : j + s.min_points]
        if all(sign * (x - med) / spread >= s.return_threshold for x in window):
            return j
    return i


def _onset(
    xs: Sequence[float], i: int, last_away: int, boundary: int, base: float, spread: float, sign: float, s: Settings
) -> tuple[int, str]:
    """Where the shift began, and whether it was a step or a ramp.

    Fits, on the deviations y (in units of the spread) around the first exceedance i, a step
    model (0 before c, a constant level from c on) and a hinge model (0 before c, a straight
    line rising from c), each with the best c. The baseline is held fixed, so a long flat
    stretch before the change pins c down. The hinge only wins if it fits better *and* the
    points it claims were climbing before the first exceedance really sat above the baseline:
    a step followed by a further rise is still a step.
    """
    lo = max(boundary, i - s.onset_lookback, 0)
    hi = min(last_away, i + s.fit_after)
    y = [sign * (x - base) / spread for x in xs[lo : hi + 1]]
    first = i - lo
    pre = [0.0]  # prefix sums of y^2: "all zero before c" in O(1)
    for v in y:
        pre.append(pre[-1] + v * v)

    best_step = (math.inf, first)
    best_ramp = (math.inf, first, 0.0)
    for c in range(0, first + 1):
        tail = y[c:]
        k = len(tail)
        mean = sum(tail) / k
        sse_step = pre[c] + sum((v - mean) ** 2 for v in tail)
        if sse_step < best_step[0]:
            best_step = (sse_step, c)
        # hinge: y = slope * t for the t-th point from c on (c is the last point on the baseline)
        den = (k - 1) * k * (2 * k - 1) / 6
        slope = max(sum(v * t for t, v in enumerate(tail)) / den, 0.0) if den else 0.0
        sse_ramp = pre[c] + sum((v - slope * t) ** 2 for t, v in enumerate(tail))
        if sse_ramp < best_ramp[0]:
            best_ramp = (sse_ramp, c, slope)

    _, ramp_c, slope = best_ramp
    step_c = best_step[1]
    # A ramp has to be seen climbing before it crosses the threshold: at least two points
    # between its start and the first exceedance, which the line explains better than the
    # baseline does. Otherwise it is a step (perhaps followed by a further rise).
    climbing = [(t, v) for t, v in enumerate(y[ramp_c:first]) if t > 0]
    if (
        best_ramp[0] < best_step[0]
        and len(climbing) >= 2
        and sum((v - slope * t) ** 2 for t, v in climbing) < sum(v * v for _, v in climbing)
    ):
        return lo + ramp_c, "ramp"
    return lo + step_c, "step"
