"""Is anything actually wrong, since when, and what is new in the logs since then.

Impact is what users feel: errors up, latency up, traffic falling off. Resource metrics (memory,
CPU) and early warnings are leading indicators: they go on the timeline and point at the
mechanism, but the onset is when users started to hurt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysts.heuristic.mechanisms import SYMPTOM, classify, is_access_log
from bot.analysts.heuristic.observe import Observations, Signature
from bot.analysts.heuristic.series import Shift, find_shift, minute_series, ramp_start


@dataclass
class MetricShift:
    metric: str
    shift: Shift
    start: datetime
    end: datetime | None
    peak_time: datetime
    source: str = "metrics"

    @property
    def baseline(self) -> float:
        return self.shift.baseline

    @property
    def peak(self) -> float:
        return self.shift.peak


@dataclass
class NewSignature:
    sig: Signature
    before: int
    during: int
    mechanisms: dict[str, float]
    symptom: bool
    began: datetime | None  # its own change point: when it appeared or surged

    @property
    def first_seen(self) -> datetime | None:
        return self.sig.first_seen


@dataclass
class Impact:
    detected: bool
    onset: datetime | None
    end: datetime | None  # when it was over, if it ended inside the data
    shifts: list[MetricShift] = field(default_factory=list)  # impact shifts (users feel these)
    leading: list[MetricShift] = field(default_factory=list)  # resource shifts (memory, cpu, traffic)
    new_signatures: list[NewSignature] = field(default_factory=list)
    log_errors: MetricShift | None = None


# (metric, direction, z, relative noise floor, absolute noise floor, minimum absolute change)
IMPACT_METRICS = (
    ("error_rate", "up", 6.0, 0.5, 0.1, lambda base: max(1.0, 1.5 * base)),
    ("response_time_ms", "up", 6.0, 0.08, 5.0, lambda base: max(100.0, 0.6 * base)),
    ("request_rate", "down", 6.0, 0.05, 1.0, lambda base: 0.4 * base),
)
LEADING_METRICS = (
    ("memory_usage", "up", 6.0, 0.03, 0.5, lambda base: max(8.0, 0.15 * base)),
    ("cpu_usage", "up", 6.0, 0.08, 1.0, lambda base: max(15.0, 0.5 * base)),
    ("request_rate", "up", 6.0, 0.08, 1.0, lambda base: 0.5 * base),
)


def _shifts(obs: Observations, specs) -> list[MetricShift]:
    out = []
    times = obs.metric_times
    if len(times) < 15:
        return out
    for metric, direction, z, rel, absf, delta in specs:
        values = obs.series(metric)
        if any(math.isnan(v) for v in values):
            continue
        base_guess = sorted(values[: max(10, len(values) // 4)])[len(values[: max(10, len(values) // 4)]) // 2]
        s = find_shift(
            values, direction=direction, z=z, min_run=3, min_baseline=10, rel_floor=rel, abs_floor=absf,
            min_delta=delta(abs(base_guess)),
        )
        if s is None:
            continue
        start_i = s.start_index
        if metric in ("memory_usage", "cpu_usage"):
            start_i = ramp_start(values, s)
        end = times[s.end_index] if s.end_index is not None else None
        out.append(MetricShift(metric, s, times[start_i], end, times[s.peak_index]))
    return out


def _log_error_shift(obs: Observations) -> MetricShift | None:
    """Errors per minute in the logs, as a series: the logs' own view of when it began."""
    if len(obs.volume) < 15:
        return None
    start, end = obs.volume[0][0], obs.volume[-1][0]
    errors = minute_series([(t, e) for t, _, e, _ in obs.volume], start, end)
    s = find_shift(errors, direction="up", z=6.0, min_run=3, min_baseline=10, rel_floor=0.5, abs_floor=0.5, min_delta=3.0)
    if s is None:
        return None
    t = [start + timedelta(minutes=i) for i in range(len(errors))]
    return MetricShift(
        "log_errors_per_min", s, t[s.start_index], t[s.end_index] if s.end_index is not None else None,
        t[s.peak_index], source="logs",
    )


def assess(obs: Observations) -> Impact:
    shifts = _shifts(obs, IMPACT_METRICS)
    leading = _shifts(obs, LEADING_METRICS)
    log_shift = _log_error_shift(obs)
    candidates = sorted([*shifts, *([log_shift] if log_shift else [])], key=lambda m: m.start)
    if not candidates:
        return Impact(False, None, None, shifts, leading, [], log_shift)
    onset = _consensus_onset(candidates)
    ends = [m.end for m in candidates if m.start <= onset + timedelta(minutes=20)]
    end = max(ends) if ends and all(e is not None for e in ends) else None
    new = new_signatures(obs, onset, end)
    onset = _refine_with_logs(onset, new)
    return Impact(True, onset, end, shifts, leading, new, log_shift)


def _consensus_onset(shifts: list[MetricShift]) -> datetime:
    """The earliest impact start that another source confirms within 15 minutes; else the earliest."""
    for i, m in enumerate(shifts):
        others = [o for j, o in enumerate(shifts) if j != i and abs((o.start - m.start).total_seconds()) <= 900]
        if others:
            return m.start
    return shifts[0].start


def _refine_with_logs(onset: datetime, new: list[NewSignature]) -> datetime:
    """Logs have second resolution: if the new errors began a few minutes before the metric saw it, take that."""
    firsts = [
        ns.first_seen
        for ns in new
        if ns.first_seen and ns.sig.level in ("ERROR", "FATAL", "CRITICAL") and ns.during >= 5
        and timedelta(0) <= onset - ns.first_seen <= timedelta(minutes=6)
    ]
    if not firsts:
        return onset
    return min(firsts).replace(second=0, microsecond=0)


def new_signatures(obs: Observations, onset: datetime, end: datetime | None) -> list[NewSignature]:
    """Signatures that began (or surged) during the data: each gets its own change point.

    A steady trickle (a flaky retry seen all day) has none and is noise; a signature that appears
    25 minutes before the errors (memory warnings) is new and dated to when it appeared.
    """
    if not obs.signatures:
        return []
    data_start = obs.volume[0][0] if obs.volume else min((s.first_seen for s in obs.signatures if s.first_seen), default=onset)
    data_end = obs.volume[-1][0] if obs.volume else max((s.last_seen for s in obs.signatures if s.last_seen), default=onset)
    data_start = data_start.replace(second=0, microsecond=0)
    split = onset - timedelta(minutes=5)
    stop = (end + timedelta(minutes=2)) if end else data_end + timedelta(minutes=1)
    pre_min = max((split - data_start).total_seconds() / 60, 1.0)
    dur_min = max((stop - split).total_seconds() / 60, 1.0)
    out = []
    for s in obs.signatures:
        series = minute_series([(t, c) for t, c in s.per_minute], data_start, data_end)
        own = find_shift(series, direction="up", z=5.0, min_run=3, min_baseline=10, rel_floor=0.5, abs_floor=0.1, min_delta=0.5)
        began = data_start + timedelta(minutes=own.start_index) if own else None
        if began is not None and began > stop:
            began = None
        before = s.count_between(None, began or split)
        during = s.count_between(began or split, stop)
        if began is None:
            rate_before = (before + 0.5) / pre_min
            if during < 3 or during / dur_min < 5 * rate_before:
                continue
        elif during < 3:
            continue
        symptom = is_access_log(s.text) or (bool(SYMPTOM.search(s.text)) and not classify(s.text))
        out.append(NewSignature(s, before, during, classify(s.text, None), symptom, began or s.first_seen))
    out.sort(key=lambda n: -n.during)
    return out
