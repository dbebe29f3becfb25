"""Is anything actually wrong, since when, and what is new in the logs since then.

Impact is what users feel: errors up, latency up, traffic falling off. Resource metrics (memory,
CPU) and early warnings are leading indicators: they go on the timeline and point at the
mechanism, but the onset is when users started to hurt.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysts.heuristic.mechanisms import classify, is_symptom
from bot.analysts.heuristic.observe import Observations, Signature, parse_ts
from bot.analysts.heuristic.series import (
    Shift,
    count_change,
    episodes,
    find_ramp,
    find_shift,
    minute_series,
    ramp_start,
)


@dataclass
class MetricShift:
    metric: str
    shift: Shift
    start: datetime
    end: datetime | None
    peak_time: datetime
    source: str = "metrics"
    crossed: datetime | None = None  # when it crossed the bar for user impact (start may be a ramp's foot)

    @property
    def impact_start(self) -> datetime:
        return self.crossed or self.start

    @property
    def baseline(self) -> float:
        return self.shift.baseline

    @property
    def peak(self) -> float:
        return self.shift.peak


@dataclass
class NewSignature:
    sig: Signature
    before: int  # events before its own change point
    during: int  # events from its change point to the end of the impact
    mechanisms: dict[str, float]
    symptom: bool
    began: datetime | None  # its own change point: when it appeared or surged
    rate_before: float = 0.0  # events a minute before it began
    rate_after: float = 0.0

    @property
    def first_seen(self) -> datetime | None:
        return self.sig.first_seen


@dataclass(frozen=True)
class ChangePoint:
    """Something that started to move and kept moving into the incident: what a deploy is tied to."""

    time: datetime
    what: str  # words for the evidence: 'memory shift', "'disk usage on ...'"
    kind: str  # impact | metric | signature | volume
    metric: str | None = None  # for metric change points
    mechanisms: tuple[str, ...] = ()  # what a new signature points to
    subject: str = ""  # a new signature's full text: which service, host or pod it is about
    fresh: bool = False  # a signature never seen before it began


@dataclass
class Impact:
    detected: bool
    onset: datetime | None
    end: datetime | None  # when it was over, if it ended inside the data
    shifts: list[MetricShift] = field(default_factory=list)  # impact shifts (users feel these)
    leading: list[MetricShift] = field(default_factory=list)  # resource shifts (memory, cpu, traffic)
    new_signatures: list[NewSignature] = field(default_factory=list)
    log_errors: MetricShift | None = None
    volume: MetricShift | None = None  # the logs' own line count stepping up before the impact
    change_points: list[ChangePoint] = field(default_factory=list)


@dataclass(frozen=True)
class Spec:
    """How a metric is judged: which way hurts, how far beyond its noise, against which baseline."""

    metric: str
    direction: str
    z: float
    rel_floor: float  # noise floor relative to the baseline
    abs_floor: float  # noise floor in the metric's unit
    min_delta: Callable[[float], float]  # minimum absolute change, from the early baseline
    window: int | None = None  # a trailing baseline, for series that follow the day's curve
    rel_delta: float = 0.0  # minimum change relative to the (trailing) baseline


IMPACT_METRICS = (
    Spec("error_rate", "up", 6.0, 0.5, 0.1, lambda base: max(1.0, 1.5 * base)),
    Spec("response_time_ms", "up", 6.0, 0.08, 5.0, lambda base: max(100.0, 0.6 * base)),
    # traffic follows the day: a drop is judged against the last hour, not the morning
    Spec("request_rate", "down", 6.0, 0.05, 1.0, lambda base: 0.0, window=60, rel_delta=0.35),
)
LEADING_METRICS = (
    Spec("memory_usage", "up", 6.0, 0.03, 0.5, lambda base: max(8.0, 0.15 * base)),
    Spec("cpu_usage", "up", 6.0, 0.08, 1.0, lambda base: max(15.0, 0.5 * base)),
    Spec("request_rate", "up", 6.0, 0.08, 1.0, lambda base: 0.5 * base),
)
# an error rate that never means more failed requests a minute than this is noise, not an outage
MIN_FAILED_PER_MIN = 2.0
# resources that leak: a slow climb over hours is a shift too, measured from where they began
RAMPING = ("memory_usage",)
# episodes of one impact that come back within this many minutes are one incident
EPISODE_GAP = 15


def _shifts(obs: Observations, specs: tuple[Spec, ...], *, merge: bool = False) -> list[MetricShift]:
    out = []
    times = obs.metric_times
    if len(times) < 15:
        return out
    for spec in specs:
        values = obs.filled(spec.metric)
        if values is None:
            continue
        early = values[: max(10, len(values) // 4)]
        base_guess = sorted(early)[len(early) // 2]
        kwargs = dict(
            direction=spec.direction, z=spec.z, min_run=3, min_baseline=10, rel_floor=spec.rel_floor,
            abs_floor=spec.abs_floor, min_delta=spec.min_delta(abs(base_guess)), window=spec.window,
            rel_delta=spec.rel_delta,
        )
        s = find_shift(values, **kwargs)
        if s is None and spec.metric in RAMPING:
            s = find_ramp(values, direction=spec.direction, z=spec.z, min_delta=kwargs["min_delta"],
                          rel_floor=spec.rel_floor, abs_floor=spec.abs_floor)
        if s is None or (spec.window and _returns_to_known_level(values, s.start_index, s.direction)):
            continue
        if merge:
            s = episodes(values, s, max_gap=EPISODE_GAP, **{k: v for k, v in kwargs.items() if k != "direction"})
        start_i = s.start_index
        if spec.metric in ("memory_usage", "cpu_usage"):
            start_i = ramp_start(values, s)
        end = times[s.end_index] if s.end_index is not None else None
        crossed = times[s.cross_index] if s.cross_index is not None else None
        out.append(MetricShift(spec.metric, s, times[start_i], end, times[s.peak_index], crossed=crossed))
    return out


def _returns_to_known_level(values: list[float], start: int, direction: str) -> bool:
    """A shift against a trailing baseline that only brings the series back to where it used
    to be: traffic falling back to its usual level after a surge is not an outage."""
    after = values[start : start + 10]
    earlier = sorted(values[:start])
    if len(earlier) < 20 or not after:
        return False
    level = statistics.median(after)
    low, high = earlier[len(earlier) // 10], earlier[-(len(earlier) // 10) - 1]
    return level >= low if direction == "down" else level <= high


def _confirmed_by_server(obs: Observations, ours: list[MetricShift]) -> list[MetricShift]:
    """Traffic steps down that the metrics server saw and our detector did not.

    Its baseline trails the last hour and its step fit is made for this; a sustained step of
    traffic down by a third or more is users who can no longer reach us, even with no errors
    (a TLS handshake they reject, a DNS record gone, a route withdrawn). Only a sustained step
    counts: a lone spike or a slow ramp is the day's curve or noise.
    """
    if any(m.metric == "request_rate" for m in ours):
        return []
    out = []
    for a in obs.anomalies:
        if a.get("metric") != "request_rate" or a.get("direction") != "down" or a.get("kind") != "step":
            continue
        if a.get("sustained") is False:
            continue
        start, stop, peak_t = parse_ts(a.get("start")), parse_ts(a.get("end")), parse_ts(a.get("peak_time"))
        base, peak = a.get("baseline"), a.get("peak")
        if start is None or not isinstance(base, int | float) or not isinstance(peak, int | float) or base <= 0:
            continue
        if peak > 0.65 * base or (stop is not None and stop - start < timedelta(minutes=10)):
            continue
        values = obs.filled("request_rate")
        at = next((i for i, t in enumerate(obs.metric_times) if t >= start), None)
        if values is None or at is None or _returns_to_known_level(values, at, "down"):
            continue
        shift = Shift(0, None, float(base), 0.0, float(peak), 0, "down")
        out.append(MetricShift("request_rate", shift, start, stop, peak_t or start, source="metrics"))
        break
    return out


def _log_error_shift(obs: Observations) -> MetricShift | None:
    """Errors per minute in the logs, as a series: the logs' own view of when it began."""
    if len(obs.volume) < 15:
        return None
    start, end = obs.volume[0][0], obs.volume[-1][0]
    errors = minute_series([(t, e) for t, _, e, _ in obs.volume], start, end)
    kwargs = dict(z=6.0, min_run=3, min_baseline=10, rel_floor=0.5, abs_floor=0.5, min_delta=3.0)
    s = find_shift(errors, direction="up", **kwargs)
    if s is None:
        return None
    s = episodes(errors, s, max_gap=EPISODE_GAP, **kwargs)
    t = [start + timedelta(minutes=i) for i in range(len(errors))]
    return MetricShift(
        "log_errors_per_min", s, t[s.start_index], t[s.end_index] if s.end_index is not None else None,
        t[s.peak_index], source="logs", crossed=t[s.cross_index] if s.cross_index is not None else None,
    )


def _a_request_a_minute(m: MetricShift, obs: Observations) -> bool:
    """An error rate 'shift' that is one failed request a minute at night's traffic (1% of 95)."""
    if m.metric != "error_rate":
        return False
    rates, traffic = obs.filled("error_rate"), obs.filled("request_rate")
    if rates is None or traffic is None:
        return False
    start = m.shift.start_index
    stop = m.shift.end_index if m.shift.end_index is not None else len(rates)
    excess = [(rates[i] - m.baseline) * traffic[i] / 100 for i in range(start, stop)]
    return bool(excess) and max(excess) < MIN_FAILED_PER_MIN


def assess(obs: Observations) -> Impact:
    shifts = [m for m in _shifts(obs, IMPACT_METRICS, merge=True) if not _a_request_a_minute(m, obs)]
    shifts += _confirmed_by_server(obs, shifts)
    leading = [_dated_by_server(m, obs) for m in _shifts(obs, LEADING_METRICS)]
    leading = [m for m in leading if not (m.metric == "cpu_usage" and follows_traffic(obs, m.start))]
    log_shift = _log_error_shift(obs)
    candidates = sorted([*shifts, *([log_shift] if log_shift else [])], key=lambda m: m.impact_start)
    if not candidates:
        return Impact(False, None, None, shifts, leading, [], log_shift)
    onset = _consensus_onset(candidates)
    ends = [m.end for m in candidates if m.impact_start <= onset + timedelta(minutes=20)]
    end = max(ends) if ends and all(e is not None for e in ends) else None
    new = new_signatures(obs, onset, end)
    if not shifts and obs.metric_points and not _requests_failing(new, log_shift):
        # errors in the logs while error rate, latency and traffic hold: a background job, not users
        return Impact(False, None, None, shifts, leading, new, log_shift)
    onset = _refine_with_logs(onset, new)
    impact = Impact(True, onset, end, shifts, leading, new, log_shift, _volume_shift(obs, onset, leading))
    impact.change_points = change_points(obs, impact)
    return impact


def _requests_failing(new: list[NewSignature], log_shift: MetricShift | None) -> bool:
    """Do the logs themselves show requests failing (access lines with errors surging with the burst)?"""
    if log_shift is None:
        return False
    near = log_shift.start - timedelta(minutes=5), log_shift.start + timedelta(minutes=15)
    return sum(n.during for n in new if n.symptom and n.began and near[0] <= n.began <= near[1]) >= 20


def _dated_by_server(m: MetricShift, obs: Observations) -> MetricShift:
    """A resource shift's start as the metrics server dates it, when it saw the same shift.

    Its detector fits a step and a hinge to the points around the crossing, which tells a step
    from a ramp and dates both better than our walk back from the threshold, which a series
    drifting with the day's traffic can drag far too early.
    """
    for a in obs.anomalies:
        start = parse_ts(a.get("start"))
        if a.get("metric") != m.metric or a.get("direction") != m.shift.direction or start is None:
            continue
        if m.start - timedelta(minutes=45) <= start <= m.start + timedelta(minutes=15):
            return MetricShift(m.metric, m.shift, start, m.end, m.peak_time, m.source)
    return m


def _volume_shift(obs: Observations, onset: datetime, leading: list[MetricShift]) -> MetricShift | None:
    """The logs' ordinary lines (not errors or warnings) stepping up before the impact.

    A service that suddenly writes three times as much without more traffic changed how it
    logs: a verbosity change is how disks fill. Traffic rising with it explains it away.
    """
    if len(obs.volume) < 30:
        return None
    start, end = obs.volume[0][0], obs.volume[-1][0]
    quiet = minute_series([(t, max(0, lines - errors - warns)) for t, lines, errors, warns in obs.volume], start, end)
    s = find_shift(quiet, direction="up", z=6.0, min_run=5, min_baseline=20, rel_floor=0.15, abs_floor=1.0,
                   min_delta=max(5.0, 0.6 * statistics.median(quiet[:20] or [0.0])))
    if s is None:
        return None
    began = start + timedelta(minutes=s.start_index)
    if began > onset - timedelta(minutes=5) or (s.end_index is not None and start + timedelta(minutes=s.end_index) < onset):
        return None
    for m in leading:
        if m.metric == "request_rate" and abs((m.start - began).total_seconds()) <= 900:
            return None
    t_end = start + timedelta(minutes=s.end_index) if s.end_index is not None else None
    return MetricShift("log_lines_per_min", s, began, t_end, start + timedelta(minutes=s.peak_index), source="logs")


LEADING_NAMES = ("cpu_usage", "memory_usage", "request_rate")


def change_points(obs: Observations, impact: Impact) -> list[ChangePoint]:
    """Everything that began moving and was still moving as the impact began, earliest first."""
    onset = impact.onset
    assert onset is not None
    lasting = onset - timedelta(minutes=5)
    out = [ChangePoint(onset, "the impact", "impact")]
    for m in impact.leading:
        if m.start <= onset + timedelta(minutes=5) and (m.end is None or m.end >= lasting):
            out.append(ChangePoint(m.start, f"{m.metric.replace('_', ' ')} shift", "metric", m.metric))
    # the metrics server's detector sees smaller sustained steps than ours (a CPU step of 8 points)
    for a in obs.anomalies:
        metric, start = a.get("metric"), parse_ts(a.get("start"))
        if metric not in LEADING_NAMES or start is None or a.get("kind") == "spike" or a.get("direction") != "up":
            continue
        if metric == "request_rate" and not _is_surge(a):
            continue  # the day's traffic climbing is not a change
        if metric == "cpu_usage" and follows_traffic(obs, start):
            continue  # CPU following the day's traffic: the work per request did not change
        stop = parse_ts(a.get("end"))
        if start <= onset + timedelta(minutes=5) and (stop is None or stop >= lasting):
            out.append(ChangePoint(start, f"{metric.replace('_', ' ')} shift", "metric", metric))
    for n in impact.new_signatures:
        if n.began and not n.symptom and n.during >= 3:
            mechanisms = tuple(k for k, v in n.mechanisms.items() if v >= 0.5)
            subject = " ".join(x for x in (n.sig.component or "", n.sig.text, n.sig.example) if x)
            out.append(ChangePoint(n.began, f"'{_short(n.sig.example)}'", "signature", None, mechanisms, subject,
                                   n.before == 0))
    if impact.volume is not None:
        out.append(ChangePoint(impact.volume.start, "log volume step", "volume"))
    return sorted(out, key=lambda c: c.time)


def follows_traffic(obs: Observations, start: datetime, *, tolerance: float = 1.15) -> bool:
    """Does CPU per request stay where it was when CPU climbs?

    CPU that rises with the lunchtime traffic is the day, not a change: no deploy made it and
    it is no first sign of anything. CPU per request that rises is work per request growing (a
    regression, debug logging, a slower code path), which is a change point worth tying.
    """
    cpu, rate = obs.filled("cpu_usage"), obs.filled("request_rate")
    if cpu is None or rate is None or not obs.metric_times:
        return False
    i = next((k for k, t in enumerate(obs.metric_times) if t >= start), None)
    if i is None or i < 10:
        return False
    per_request = [c / r if r > 0 else float("nan") for c, r in zip(cpu, rate, strict=True)]
    before = [v for v in per_request[max(0, i - 60) : i] if v == v]
    after = [v for v in per_request[i : i + 30] if v == v]
    if len(before) < 10 or len(after) < 5:
        return False
    return statistics.median(after) <= tolerance * statistics.median(before)


def _is_surge(anomaly: dict) -> bool:
    base, peak = anomaly.get("baseline"), anomaly.get("peak")
    if not isinstance(base, int | float) or not isinstance(peak, int | float) or base <= 0:
        return False
    return anomaly.get("kind") == "step" and peak / base >= 1.5


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


CONFIRM_S = 360  # two sources that see the same start


def _consensus_onset(shifts: list[MetricShift]) -> datetime:
    """The earliest impact start that another source confirms within a few minutes; else the
    error rate's (or the logged errors'); else the earliest.

    An impact starts when a metric crosses the bar for user impact, not at the foot of the
    slow climb before it (latency creeping up 60 ms while a queue fills is a first sign, and
    the timeline shows it); the logs can still move it a few minutes earlier. Confirmation is
    two sources seeing the same start: latency that crept over the bar thirteen minutes before
    the errors stepped up is not confirmed by them, the errors and the logged failures are.
    """
    for i, m in enumerate(shifts):
        others = [o for j, o in enumerate(shifts)
                  if j != i and abs((o.impact_start - m.impact_start).total_seconds()) <= CONFIRM_S]
        if others:
            return m.impact_start
    # no two sources agree: failing requests are the plainer impact than latency that crept over a bar
    errors = [m for m in shifts if m.metric in ("error_rate", "log_errors_per_min")]
    return (errors or shifts)[0].impact_start


def _refine_with_logs(onset: datetime, new: list[NewSignature]) -> datetime:
    """Logs have second resolution: if new errors began a few minutes before the metrics saw it, take that.

    Judged on all the new failing lines together, minute by minute: the first minute, at most
    six before the metrics' onset, from which they run at a good part of the rate they settle
    at. A signature's own change point is not enough: one stray failed request four minutes
    early would date the whole incident before the deploy that caused it.
    """
    failing = [ns for ns in new if ns.began and ns.sig.level in ("ERROR", "FATAL") and ns.during >= 5]
    if not failing:
        return onset
    first = onset.replace(second=0, microsecond=0) - timedelta(minutes=6)
    counts = [0.0] * 17  # six minutes before the onset, the onset, ten after
    for ns in failing:
        for t, c in ns.sig.per_minute:
            k = int((t - first).total_seconds() // 60)
            if 0 <= k < len(counts) and t >= ns.began:
                counts[k] += c
    settled = statistics.median(counts[6:])
    bar = max(3.0, 0.25 * settled)
    for k in range(6):
        if counts[k] >= bar and counts[k + 1] >= bar:
            return first + timedelta(minutes=k)
    return onset


def _first_at(s: Signature, onset: datetime, data_start: datetime) -> bool:
    """An error first seen within minutes of the onset, after at least half an hour without it."""
    return (s.level in ("ERROR", "FATAL") and s.count >= 2 and s.first_seen is not None
            and s.first_seen - data_start >= timedelta(minutes=30)
            and abs(s.first_seen - onset) <= timedelta(minutes=5))


def new_signatures(obs: Observations, onset: datetime, end: datetime | None) -> list[NewSignature]:
    """Signatures that appeared or surged in the data, each dated by its own change point.

    A trickle seen all day (a flaky retry) has no step and is noise; warnings that appear 40
    minutes before the errors (a disk filling, a heap under GC pressure) are new and dated to
    when they appeared. Everything after the impact ended is left out.
    """
    if not obs.signatures:
        return []
    data_start = obs.volume[0][0] if obs.volume else min((s.first_seen for s in obs.signatures if s.first_seen), default=onset)
    data_end = obs.volume[-1][0] if obs.volume else max((s.last_seen for s in obs.signatures if s.last_seen), default=onset)
    data_start = data_start.replace(second=0, microsecond=0)
    stop = min(end + timedelta(minutes=2), data_end) if end else data_end
    out = []
    for s in obs.signatures:
        series = minute_series([(t, c) for t, c in s.per_minute], data_start, stop)
        step = count_change(series)
        if step is None or not step.significant():
            if _first_at(s, onset, data_start):
                # too few to be a step, but an error never seen in the hours before that appears as
                # the impact begins (an hourly job's three tracebacks) is part of the story
                began = s.first_seen.replace(second=0, microsecond=0)
                during = int(sum(c for t, c in s.per_minute if t <= stop))
                out.append(NewSignature(s, 0, during, classify(s.text, s.component, s.example),
                                        is_symptom(s.text, s.component, s.example), began))
            continue
        began = data_start + timedelta(minutes=step.index)
        during = int(step.after)
        mechanisms = classify(s.text, s.component, s.example)
        symptom = is_symptom(s.text, s.component, s.example)
        out.append(NewSignature(s, int(step.before), during, mechanisms, symptom, began, step.rate_before, step.rate_after))
    out.sort(key=lambda n: -n.during)
    return out
