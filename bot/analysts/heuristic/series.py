"""Robust change detection on per-minute series: when did it start, is it sustained, did it end.

A baseline is the median of what came before with a MAD-based spread (floored, so a flat series
does not make noise look enormous). A shift counts only when it is sustained: most of the next
few points stay beyond the threshold, so a single noisy minute is never an onset.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Shift:
    start_index: int
    end_index: int | None  # first index back at baseline; None = still shifted at the end
    baseline: float
    spread: float
    peak: float
    peak_index: int
    direction: str  # up | down
    cross_index: int | None = None  # first point beyond the threshold (start_index walks back to the foot)

    def ratio(self) -> float:
        """How many times the baseline the peak is (for 'up'); inverse for 'down'."""
        base = max(abs(self.baseline), 1e-9)
        return self.peak / base if self.direction == "up" else base / max(self.peak, 1e-9)


def robust_stats(values: list[float], *, rel_floor: float = 0.05, abs_floor: float = 1e-6) -> tuple[float, float]:
    """Median and a MAD-based standard deviation, floored relative to the median."""
    if not values:
        return 0.0, abs_floor
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values) * 1.4826
    return med, max(mad, abs(med) * rel_floor, abs_floor)


def find_shift(
    values: list[float],
    *,
    direction: str = "up",
    z: float = 5.0,
    min_run: int = 3,
    min_baseline: int = 10,
    rel_floor: float = 0.05,
    abs_floor: float = 1e-6,
    min_delta: float = 0.0,
    window: int | None = None,
    rel_delta: float = 0.0,
    start_at: int = 0,
) -> Shift | None:
    """The first sustained shift away from the baseline of the points before it.

    Scans left to right from `start_at`; the baseline for a candidate point is everything
    before it (at least `min_baseline` points), or only the last `window` points for a series
    that drifts through the day (traffic), so the day's curve is not mistaken for a drop and a
    real step is measured against where the series just was. A candidate is sustained when at
    least `min_run` of the next `min_run + 1` points are beyond `z` spreads (and `min_delta`,
    and `rel_delta` of the baseline, in absolute terms).
    """
    n = len(values)
    sign = 1 if direction == "up" else -1
    for i in range(max(min_baseline, start_at), n):
        base, spread = robust_stats(values[max(0, i - window) if window else 0 : i], rel_floor=rel_floor, abs_floor=abs_floor)
        limit = max(z * spread, min_delta, rel_delta * abs(base))

        def beyond(v: float, base: float = base, limit: float = limit) -> bool:
            return sign * (v - base) > limit

        if not beyond(values[i]):
            continue
        ahead = values[i : i + min_run + 1]
        hits = sum(1 for v in ahead if beyond(v))
        if hits < min(min_run, len(ahead)) or len(ahead) < min(min_run, n - i):
            continue
        # found: walk back while the previous point is already clearly off baseline (a ramp's foot)
        start = i
        while start - 1 >= max(min_baseline, start_at) and sign * (values[start - 1] - base) > max(
            2.5 * spread, max(min_delta, rel_delta * abs(base)) / 2
        ):
            start -= 1
        # end: first point after which the series stays near baseline for min_run points; near
        # is within half the threshold (hysteresis), so a shift that hovers at the threshold
        # (a steady 1% of 502s against a 1-point bar) does not 'end' every few minutes
        def back(v: float, base: float = base, limit: float = limit) -> bool:
            return sign * (v - base) <= limit / 2

        end = None
        j = i + 1
        while j < n:
            if all(back(v) for v in values[j : j + min_run]) and j + min_run <= n:
                end = j
                break
            j += 1
        segment = values[start : end if end is not None else n]
        peak = max(segment) if sign > 0 else min(segment)
        peak_index = start + segment.index(peak)
        return Shift(start, end, base, spread, peak, peak_index, direction, i)
    return None


def episodes(values: list[float], first: Shift, *, max_gap: int = 15, **kwargs) -> Shift:
    """One impact from episodes that come back within `max_gap` points of each other.

    Repeated OOM kills, a flapping dependency or a crash loop put the series back at baseline
    for a few minutes between bursts; an SRE calls that one incident that has not ended, not
    an incident that ended at the first lull. Returns `first` extended to the last episode.
    """
    merged = first
    while merged.end_index is not None:
        nxt = find_shift(values, direction=merged.direction, start_at=merged.end_index, **kwargs)
        if nxt is None or nxt.start_index - merged.end_index > max_gap:
            break
        sign = 1 if merged.direction == "up" else -1
        peak, peak_index = (
            (nxt.peak, nxt.peak_index) if sign * (nxt.peak - merged.peak) > 0 else (merged.peak, merged.peak_index)
        )
        merged = Shift(merged.start_index, nxt.end_index, merged.baseline, merged.spread, peak, peak_index,
                       merged.direction, merged.cross_index)
    return merged


def find_ramp(
    values: list[float],
    *,
    direction: str = "up",
    z: float = 6.0,
    baseline_points: int = 30,
    min_delta: float = 0.0,
    rel_floor: float = 0.03,
    abs_floor: float = 0.5,
    smooth: int = 5,
    hold: int = 10,
) -> Shift | None:
    """A slow climb that `find_shift` misses: measured against where the series *began*.

    A leak that takes memory from 35% to 90% over three hours never steps: against everything
    before each point, the climb drags the baseline and its spread up with it. Against the first
    `baseline_points` minutes it is plain. The smoothed series must leave that level by `z`
    spreads (and `min_delta`) and stay beyond it for `hold` minutes.
    """
    n = len(values)
    if n < baseline_points + hold + smooth:
        return None
    sign = 1 if direction == "up" else -1
    base, spread = robust_stats(values[:baseline_points], rel_floor=rel_floor, abs_floor=abs_floor)
    limit = max(z * spread, min_delta)
    smoothed = [statistics.median(values[max(0, i - smooth + 1) : i + 1]) for i in range(n)]
    for i in range(baseline_points, n - hold + 1):
        if all(sign * (v - base) > limit for v in smoothed[i : i + hold]):
            end = next((j for j in range(i + hold, n - 2) if all(sign * (v - base) <= limit / 2 for v in smoothed[j : j + 3])), None)
            segment = values[i : end if end is not None else n]
            peak = max(segment) if sign > 0 else min(segment)
            return Shift(i, end, base, spread, peak, i + segment.index(peak), direction, i)
    return None


def ramp_start(values: list[float], shift: Shift, *, min_baseline: int = 10) -> int:
    """For a gradual climb, the minute it began: the last point before the shift still at baseline.

    Walks back from the shift's start while the series keeps falling toward the baseline, so a
    slow leak that crossed the threshold at 09:10 is dated to where the climb left 08:30's level.
    """
    sign = 1 if shift.direction == "up" else -1
    i = shift.start_index
    tol = 1.5 * shift.spread
    while i - 1 >= 0 and sign * (values[i - 1] - shift.baseline) > tol and sign * (values[i - 1] - values[i]) <= tol:
        i -= 1
    # smoothed walk: keep going while a 5-point mean is still above baseline + tol
    while i - 1 >= 0:
        lo = max(0, i - 5)
        window = values[lo:i]
        if sign * (statistics.fmean(window) - shift.baseline) > tol:
            i -= 1
        else:
            break
    return max(i, 0)


def minute_series(pairs: list[tuple[datetime, float]], start: datetime, end: datetime) -> list[float]:
    """Per-minute counts as a dense list from start to end (inclusive), zeros where absent."""
    n = int((end - start).total_seconds() // 60) + 1
    out = [0.0] * max(n, 0)
    for t, v in pairs:
        k = int((t - start).total_seconds() // 60)
        if 0 <= k < n:
            out[k] += v
    return out


@dataclass(frozen=True)
class CountChange:
    """Where a count series (events per minute) stepped up, as two Poisson rates."""

    index: int  # first minute of the higher-rate segment (its first event)
    before: float  # events counted before it
    after: float  # events counted from it on
    rate_before: float  # events per minute
    rate_after: float
    llr: float  # log-likelihood ratio of 'two rates' over 'one rate': how sure the step is

    def significant(self, *, min_llr: float = 6.0, min_ratio: float = 3.0, min_after: float = 3) -> bool:
        """A real step up: unlikely under one rate, several events, and clearly more frequent."""
        return (
            self.llr >= min_llr
            and self.after >= min_after
            and self.rate_after >= min_ratio * self.rate_before + 0.02
        )


def _xlogx(count: float, length: int) -> float:
    return count * math.log(count / length) if count > 0 else 0.0


def count_change(counts: list[float]) -> CountChange | None:
    """The most likely single step up in a sparse count series, by maximum likelihood.

    A z-score over mostly-zero minutes calls any three noisy minutes a shift; comparing two
    Poisson rates (before and after a split) instead asks how surprising the later events are
    given the earlier rate, so a trickle seen all day is not 'new' and a burst that starts at
    14:02 is dated to 14:02.
    """
    n = len(counts)
    total = float(sum(counts))
    if n < 4 or total <= 0:
        return None
    whole = _xlogx(total, n)
    best: CountChange | None = None
    seen = 0.0
    for k in range(1, n):
        seen += counts[k - 1]
        after = total - seen
        if after <= 0:
            break
        if counts[k] <= 0:  # a step is dated to its first event
            continue
        r1, r2 = seen / k, after / (n - k)
        if r2 <= r1:
            continue
        llr = _xlogx(seen, k) + _xlogx(after, n - k) - whole
        if best is None or llr > best.llr:
            best = CountChange(k, seen, after, r1, r2, llr)
    return best
