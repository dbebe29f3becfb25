"""Words for the findings: summary, root cause, timeline, evidence and recommendations.

Everything said here is read off the findings; nothing is asserted that a tool did not show.
Uncertainty is stated, not hidden: a weak culprit is called 'most likely', an unknown is unknown.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.analysts.heuristic.culprit import _human, service_of
from bot.analysts.heuristic.impact import Impact, MetricShift
from bot.analysts.heuristic.mechanisms import BY_KEY
from bot.analysts.heuristic.observe import Observations, Signature
from bot.analysts.heuristic.series import count_change, minute_series
from bot.engine.report import Evidence, Report, RootCause, TimelineEntry, Trigger

if TYPE_CHECKING:
    from bot.analysts.heuristic.analyst import Verdict

UNITS = {"error_rate": "%", "response_time_ms": " ms", "request_rate": "/min", "cpu_usage": "%", "memory_usage": "%"}
NAMES = {
    "error_rate": "error rate",
    "response_time_ms": "response time",
    "request_rate": "request rate",
    "cpu_usage": "CPU",
    "memory_usage": "memory",
    "log_errors_per_min": "logged errors",
}


def iso(t: datetime | None) -> str | None:
    return t.replace(microsecond=0).isoformat().replace("+00:00", "Z") if t else None


def hm(t: datetime | None) -> str:
    return f"{t:%H:%M}" if t else "?"


def fmt(metric: str, v: float) -> str:
    unit = UNITS.get(metric, "/min")
    if metric == "response_time_ms" or abs(v) >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.1f}{unit}" if abs(v) >= 1 else f"{v:.2f}{unit}"


def describe_shift(m: MetricShift) -> str:
    name = NAMES.get(m.metric, m.metric)
    text = f"{name} {'rose' if m.shift.direction == 'up' else 'fell'} from {fmt(m.metric, m.baseline)} to {fmt(m.metric, m.peak)}"
    return text


# ---------------------------------------------------------------------------------------------


def no_incident(incident: str, obs: Observations, impact: Impact, analyst: str, confidence: float) -> Report:
    checked = []
    if obs.metric_points:
        stats = []
        for metric in ("error_rate", "response_time_ms", "request_rate"):
            vals = [v for v in obs.series(metric) if v == v]
            if vals:
                stats.append(f"{NAMES[metric]} {fmt(metric, min(vals))}–{fmt(metric, max(vals))}")
        blips = _blips(obs)
        if blips:
            checked.append(
                f"metrics {hm(obs.metric_times[0])}–{hm(obs.metric_times[-1])} UTC show no sustained change "
                f"({', '.join(stats)}), only brief spikes that recovered by themselves ({', '.join(blips)})"
            )
        else:
            checked.append(f"metrics {hm(obs.metric_times[0])}–{hm(obs.metric_times[-1])} UTC stay within their normal range ({', '.join(stats)})")
    burst = [n for n in impact.new_signatures if not n.symptom and n.sig.level in ("ERROR", "FATAL")]
    if obs.volume and impact.log_errors is not None and burst:
        n = burst[0]
        checked.append(
            f"the logs show a burst of errors from {hm(impact.log_errors.start)} UTC ('{_short(n.sig.example, 90)}' ×{n.during}"
            + (f" in {n.sig.component}" if n.sig.component else "")
            + "), but requests did not fail more: a background problem to look at, not a user-facing incident"
        )
    elif obs.volume:
        errors = sum(v[2] for v in obs.volume)
        lines = sum(v[1] for v in obs.volume)
        checked.append(f"the logs show no new or surging error signature ({errors} errors in {lines} lines, spread evenly)")
    if not checked:
        checked.append("no metrics or logs could be read, so nothing could be checked")
    deploys = [d for d in obs.changes() if obs.start and d.at >= obs.start - timedelta(hours=1)][-5:]
    evidence = [Evidence("metrics", checked[0][0].upper() + checked[0][1:], "get_metrics")] if obs.metric_points else []
    if obs.volume:
        evidence.append(Evidence("logs", checked[-1][0].upper() + checked[-1][1:], "summarize_errors"))
    for d in deploys:
        evidence.append(Evidence("git", f"{d.label[0].upper()}{d.label[1:]} at {hm(d.at)} was followed by no change in errors, latency or traffic.", "get_deployments"))
    noise = [s for s in obs.signatures if s.level in ("ERROR", "WARN", "WARNING")][:2]
    for s in noise:
        began = _stepped(obs, s)
        if began is None:
            evidence.append(Evidence("logs", f"Background noise at a steady rate: '{_short(s.example)}' ×{s.count}", "summarize_errors"))
        else:
            evidence.append(Evidence(
                "logs", f"'{_short(s.example)}' ×{s.count} became more frequent from {hm(began)} UTC, with no effect on "
                "errors, latency or traffic: worth a look, not an outage", "summarize_errors"))
    for what, why in obs.missing.items():
        evidence.append(Evidence("engine", f"Could not read {what}: {why}."))
    seen = "; ".join(checked)
    unseen = f" Not checked: {_and(list(obs.missing))} could not be read, so a problem there would not show here." if obs.missing else ""
    summary = (
        f"No incident found: {seen}.{unseen} "
        + ("If users still report a problem, it is outside what these sources show (a single client, a region, the front end)."
           if obs.metric_points or obs.volume else "Check that the servers are configured and reachable.")
    )
    timeline = [TimelineEntry(iso(d.at), "git", f"{d.label} ({d.status})") for d in deploys]
    return Report(
        incident=incident,
        incident_detected=False,
        summary=summary,
        root_cause=RootCause(
            description="No abnormal behaviour in the data: error rate, latency and traffic are at their baseline and no new errors appear.",
            trigger=Trigger("none", None),
            confidence=confidence,
            service=obs.service,
        ),
        onset=None,
        timeline=timeline,
        evidence=evidence,
        recommendations=[
            "No action needed on the service; reply to the reporter with what was checked.",
            "If the report persists, get a specific example (time, user, request id) and search the logs for it.",
        ],
        analyst=analyst,
    )


# how far above its median an impact metric must go to be worth naming as a spike
_SPIKE = {"error_rate": lambda med: max(1.0, 1.5 * med), "response_time_ms": lambda med: max(100.0, 0.6 * med)}


def _blips(obs: Observations, most: int = 2) -> list[str]:
    """Short excursions the incident check saw and dismissed, said plainly: a 7% error minute
    at 02:47 next to 'within the normal range' would read as a contradiction."""
    out = []
    for metric, bar in _SPIKE.items():
        values = obs.filled(metric)
        if not values:
            continue
        med = sorted(values)[len(values) // 2]
        runs: list[tuple[int, int]] = []
        for i, v in enumerate(values):
            if v - med > bar(med):
                if runs and i - runs[-1][1] <= 2:
                    runs[-1] = (runs[-1][0], i)
                else:
                    runs.append((i, i))
        for a, b in sorted(runs, key=lambda r: -max(values[r[0] : r[1] + 1]))[:most]:
            peak = max(values[a : b + 1])
            minutes = b - a + 1
            out.append(f"{NAMES[metric]} {fmt(metric, peak)} at {hm(obs.metric_times[a])} for {minutes} min")
    return out


def _stepped(obs: Observations, s: Signature) -> datetime | None:
    """When a signature clearly became more frequent inside the data, if it did: 'steady' is a claim to check."""
    if not obs.volume or not s.per_minute:
        return None
    start, end = obs.volume[0][0], obs.volume[-1][0]
    step = count_change(minute_series(list(s.per_minute), start.replace(second=0, microsecond=0), end))
    if step is None or not step.significant():
        return None
    return start.replace(second=0, microsecond=0) + timedelta(minutes=step.index)


def _service(obs: Observations, v: Verdict) -> str | None:
    """The service, as the metrics name it, else as the deploys do; never a log component."""
    if obs.service:
        return obs.service
    if v.culprit is not None and (s := service_of(v.culprit.deploy)):
        return s
    named = Counter(s for d in obs.deploys if (s := service_of(d)))
    return named.most_common(1)[0][0] if len(named) == 1 else None


# ---------------------------------------------------------------------------------------------


def incident(incident: str, obs: Observations, impact: Impact, v: Verdict, examples: list[str], analyst: str) -> Report:
    mech = BY_KEY.get(v.mechanism) if v.mechanism else None
    service = _service(obs, v)
    headline = _impact_headline(impact)
    description = _description(mech, v, impact, obs)
    summary = _summary(service, mech, v, impact, headline)
    return Report(
        incident=incident,
        incident_detected=True,
        summary=summary,
        root_cause=RootCause(description=description, trigger=v.trigger, confidence=v.confidence, service=service),
        onset=iso(impact.onset),
        timeline=_timeline(obs, impact, v),
        evidence=_evidence(obs, impact, v, examples),
        recommendations=_recommendations(mech, v, impact),
        analyst=analyst,
    )


def _impact_headline(impact: Impact) -> str:
    parts = [describe_shift(m) for m in impact.shifts]
    if not parts and impact.log_errors:
        m = impact.log_errors
        parts.append(f"logged errors rose from {m.baseline:.0f} to {m.peak:.0f} a minute")
    return ", ".join(parts)


def _description(mech, v: Verdict, impact: Impact, obs: Observations) -> str:
    if mech is None:
        errors = [n for n in impact.new_signatures if not n.symptom]
        if errors:
            n = errors[0]
            return (
                f"Mechanism not recognised: {_impact_headline(impact) or 'errors rose'} from {hm(impact.onset)} UTC; "
                f"the dominant new error is '{_short(n.sig.example, 140)}' ({n.during} times"
                + (f" in {n.sig.component}" if n.sig.component else "") + "). Read its first occurrences."
            )
        return (
            f"Unknown mechanism: {_impact_headline(impact) or 'errors rose'} from {hm(impact.onset)} UTC, "
            "but no new error signature or resource metric explains it."
        )
    label = _label(mech, v)
    text = label[0].upper() + label[1:]
    if v.cause_signatures:
        text += f": {mech.explain}" if mech.explain else ""
        ex = v.cause_signatures[0].sig
        text += f" ('{_quote(ex.example, mech)}'"
        text += f", {v.cause_signatures[0].during} times" + (f" in {ex.component}" if ex.component else "") + ")"
    elif mech.explain and label == mech.label:
        text += f": {mech.explain}; seen in the metrics only, no log line names it yet"
    else:
        text += ": seen in the metrics only, no log line names it yet"
    hint = _hint(mech, v)
    if hint:
        text += f"; {hint[0]}"
    k = v.concentration
    if k is not None and mech.key == "node":
        text += (f"; {k.share:.0%} of the {k.failing} failing lines sampled come from {k.field} {k.value}, "
                 f"while lines from {k.usual} {k.field}s were logged before the impact")
    if v.traffic_surge and mech.key in ("capacity", "cpu", "timeout"):
        text += f"; traffic rose to {v.traffic_surge:.1f}× its normal rate"
    if v.external_hosts and mech.key in ("upstream", "tls", "dns"):
        text += f"; calls to {_and(v.external_hosts[:3])} are affected"
    text += "."
    c = v.culprit
    if c is not None:
        commit = c.best_commit
        text += f" Triggered by {c.deploy.label}"
        if commit is not None:
            text += f"{'' if c.deploy.kind == 'commit' else ', commit ' + commit.hash[:7]} \"{_short(commit.message, 90)}\""
            if commit.files:
                text += f" ({', '.join(commit.files[:3])})"
        text += "."
    elif v.trigger.type == "none":
        text += " " + _not_ours(mech, v, impact, obs)
    else:
        text += " No recent change clearly explains it."
    return text


def _label(mech, v: Verdict) -> str:
    """The mechanism's name, without the consequence no line showed ('leading to out-of-memory kills')."""
    if v.cause_signatures or " leading to " not in mech.label:
        return mech.label
    return mech.label.split(" leading to ")[0]


def _hint(mech, v: Verdict) -> tuple[str, str] | None:
    """What the dominant failing lines say beyond the mechanism (a keep-alive race, a sidecar)."""
    return next((h for n in v.cause_signatures[:3] if (h := mech.hint(f"{n.sig.text} {n.sig.example}"))), None)


def _quote(example: str, mech, n: int = 110) -> str:
    """The example line, cut so the words that name the failure stay in: a 200-character line
    whose `error="tls: expired certificate"` comes last is quoted around that part, and a
    traceback by its first line and the exception it ends with."""
    lines = [ln.strip() for ln in example.splitlines() if ln.strip()]
    if len(lines) > 2:
        head, last = _short(lines[0], 50), lines[-1]
        return f"{head} … {_short(last, max(40, n - len(head) - 3))}"
    text = " ".join(example.split())
    if len(text) <= n:
        return text
    m = mech.matcher().search(text)
    if m is None or m.end() <= n - 1:
        return _short(text, n)
    head = text[:45].rsplit(" ", 1)[0]
    start = text.rfind(" ", len(head), max(len(head), m.start() - 25)) + 1 or m.start()
    return f"{head} … {_short(text[start:], max(40, n - len(head) - 3))}"


def _not_ours(mech, v: Verdict, impact: Impact, obs: Observations) -> str:
    """Why no change of ours is to blame, in the mechanism's own terms."""
    if v.traffic_surge and mech.key in ("capacity", "cpu", "timeout"):
        out = "No change of ours triggered it: the load did."
    elif mech.key == "tls":
        out = "No change of ours fits: a certificate expired or became invalid; renewing it is the fix, not a rollback."
    elif mech.key == "dns":
        out = "No change of ours fits: name resolution failed (the resolver or the records), not our code."
    elif mech.key == "upstream":
        who = _and(v.external_hosts[:2]) if v.external_hosts else "the dependency"
        out = f"No change of ours fits: {who} failed on its side."
    elif mech.key == "disk":
        out = "No change of ours fits: the volume filled up (infrastructure, data growth or retention)."
    elif mech.key == "node":
        where = f"node {v.concentration.value}" if v.concentration else "one node"
        out = f"No change of ours fits: {where} is faulty (its network or hardware), not our code."
    elif v.neighbour is not None:
        nb = v.neighbour
        out = (f"No change of ours fits: another client of the database, {nb.role}, began a long-running query "
               f"at {hm(nb.began)} UTC, {_human(impact.onset - nb.began)} before the impact "
               f"('{_short(nb.example, 110)}'), and our statements waited behind it.")
    elif mech.key == "rate_limited":
        who = _and(v.external_hosts[:2]) if v.external_hosts else "the provider"
        steady = not any(m.metric == "request_rate" for m in impact.leading) and not v.traffic_surge
        out = (f"No change of ours fits: {who} is throttling our calls"
               + (" while our own traffic held steady, so its quota or its capacity changed, not our code." if steady else "."))
    else:
        out = "No change of ours fits the timing and the failure."
    if impact.end and not any(impact.onset <= d.at <= impact.end for d in obs.changes()):
        out += f" It recovered at {hm(impact.end)} UTC with no deploy or rollback of ours in between."
    return out


def _summary(service, mech, v: Verdict, impact: Impact, headline: str) -> str:
    who = service or "The service"
    what = _label(mech, v) if mech else "an unexplained failure"
    s = f"{who}: {what} since {hm(impact.onset)} UTC" + (f" ({headline})." if headline else ".")
    c = v.culprit
    if c is not None:
        when = "right as the impact began" if c.lag < timedelta(seconds=90) else f"{_human(c.lag)} before the impact"
        s += f" Most likely triggered by {c.deploy.label} at {hm(c.deploy.at)} UTC, {when}"
        if c.best_commit is not None:
            named = "" if c.deploy.kind == "commit" else f"commit {c.best_commit.hash[:7]}: "
            s += f" ({named}\"{_short(c.best_commit.message, 70)}\")"
        s += "."
        if v.first_sign and impact.onset and v.first_sign < impact.onset - timedelta(minutes=5):
            s += f" First signs from {hm(v.first_sign)} UTC: {v.first_sign_what}."
    elif v.trigger.type == "none":
        if v.traffic_surge and mech is not None and mech.key in ("capacity", "cpu", "timeout"):
            s += f" Cause: a traffic surge ({v.traffic_surge:.1f}× normal), not a change of ours."
        elif mech is not None and mech.key == "node" and v.concentration is not None:
            s += f" Not a change of ours: the failures all come from node {v.concentration.value}."
        elif v.neighbour is not None:
            s += (f" Not a change of ours: another client's long-running query ({v.neighbour.role}, "
                  f"from {hm(v.neighbour.began)} UTC) loaded the shared database.")
        elif mech is not None and mech.key in _not_ours_short:
            s += f" Not a change of ours: {_not_ours_short[mech.key]}."
        elif v.external_hosts:
            s += f" Cause outside our code: {_and(v.external_hosts[:2])} {'is' if len(v.external_hosts) == 1 else 'are'} failing; no deploy of ours fits."
        else:
            s += " No deploy of ours fits the timing and the failure."
    else:
        s += " No deploy or commit in the data clearly explains it; treat the cause as unconfirmed."
    if impact.end:
        s += f" Impact ended at {hm(impact.end)} UTC."
    else:
        s += " Still ongoing at the end of the data."
    return s


_not_ours_short = {
    "tls": "a certificate expired or became invalid",
    "dns": "name resolution failed",
    "disk": "the volume filled up",
    "node": "one node is faulty",
}


def _and(items: list[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _timeline(obs: Observations, impact: Impact, v: Verdict) -> list[TimelineEntry]:
    items: list[tuple[datetime, str, str]] = []
    start = obs.start
    changes = obs.changes()
    if changes and changes[0].kind == "commit":  # no deployments: only the commits that were weighed
        changes = [c.deploy for c in v.candidates[:4]] + [d for d, _ in v.ruled_out_late[:2]]
    for d in changes:
        if start and d.at < start - timedelta(hours=12) and (v.culprit is None or d is not v.culprit.deploy):
            continue
        msgs = "; ".join(_short(c.message, 50) for c in d.commits[:3])
        label = "rollback to" if d.is_rollback_entry else d.kind
        status = f" [{d.status}]" if d.status not in ("success", "succeeded", "ok") else ""
        items.append((d.at, "git", f"{label} {d.version}{status}" + (f": {msgs}" if msgs else "")))
    for m in impact.leading:
        items.append((m.start, "metrics", f"{describe_shift(m)} (leading indicator, peak at {hm(m.peak_time)})"))
    led = {m.metric for m in impact.leading}
    for cp in impact.change_points:
        if cp.kind == "metric" and cp.metric not in led:
            led.add(cp.metric)
            items.append((cp.time, "metrics", f"{NAMES.get(cp.metric, cp.metric)} stepped up (the metrics server's anomaly detector)"))
    if v.neighbour is not None:
        nb = v.neighbour
        items.append((nb.began, "logs", f"{nb.role} starts heavy work on the database: '{_short(nb.example, 90)}'"))
    if impact.volume is not None:
        m = impact.volume
        items.append((m.start, "logs", f"log volume rose from {m.baseline:.0f} to {m.peak:.0f} ordinary lines a minute"))
    causes = [n for n in impact.new_signatures if not n.symptom][:6]
    for n in sorted(causes, key=lambda n: n.began or n.first_seen or impact.onset):
        t = n.began or n.first_seen
        if t:
            items.append((t, "logs", f"new {n.sig.level} '{_short(n.sig.example, 90)}'" + (f" in {n.sig.component}" if n.sig.component else "") + f" ({n.during}× from here)"))
    symptoms = [n for n in impact.new_signatures if n.symptom and (n.began or n.first_seen)]
    if symptoms:
        first = min(symptoms, key=lambda n: n.began or n.first_seen)
        total = sum(n.during for n in symptoms)
        kinds = f"{len(symptoms)} kinds of request" if len(symptoms) > 1 else "one kind of request"
        items.append((first.began or first.first_seen, "logs", f"requests start failing ({total} failures logged, {kinds}; first: '{_short(first.sig.example, 70)}')"))
    items.append((impact.onset, "metrics" if impact.shifts else "logs", "impact begins: " + (_impact_headline(impact) or "errors rise")))
    for m in impact.shifts:
        if m.peak_time and m.peak_time != impact.onset:
            extreme = "peaks at" if m.shift.direction == "up" else "at its lowest,"
            items.append((m.peak_time, m.source, f"{NAMES.get(m.metric, m.metric)} {extreme} {fmt(m.metric, m.peak)}"))
    if impact.end:
        items.append((impact.end, "metrics", "back to baseline: impact over"))
    elif obs.end:
        items.append((obs.end, "metrics", "still degraded at the end of the data"))
    items.sort(key=lambda x: x[0])
    out, seen = [], set()
    for t, src, ev in items:
        key = (iso(t), ev)
        if key not in seen:
            seen.add(key)
            out.append(TimelineEntry(iso(t), src, ev))
    return out[:25]


def _evidence(obs: Observations, impact: Impact, v: Verdict, examples: list[str]) -> list[Evidence]:
    ev: list[Evidence] = []
    for m in impact.shifts:
        ev.append(Evidence("metrics", f"{describe_shift(m)[0].upper()}{describe_shift(m)[1:]} starting {hm(m.start)} UTC, {_until(m, impact)}.", "get_metrics"))
    for m in impact.leading:
        ev.append(Evidence("metrics", f"{describe_shift(m)[0].upper()}{describe_shift(m)[1:]}, starting {hm(m.start)} UTC (peak {hm(m.peak_time)}).", "get_metrics"))
    agree = [a for a in obs.anomalies if isinstance(a.get("metric"), str) and a.get("start")]
    if agree:
        names = ", ".join(sorted({f"{a['metric']} ({a.get('direction', '?')})" for a in agree}))
        ev.append(Evidence("metrics", f"The metrics server's anomaly detector agrees: {names}.", "get_anomalies"))
    shown = list(v.cause_signatures[:3])
    shown += [n for n in impact.new_signatures if not n.symptom and n not in shown][: max(0, 4 - len(shown))]
    for n in shown:
        when = f"from {hm(n.began or n.first_seen)}"
        before = "never before" if n.before == 0 else f"{n.before}× before"
        ev.append(Evidence("logs", f"'{_short(n.sig.example, 140)}' ×{n.during} {when} ({before}){f' in {n.sig.component}' if n.sig.component else ''}.", "summarize_errors"))
    symptoms = [n for n in impact.new_signatures if n.symptom]
    if symptoms:
        total = sum(n.during for n in symptoms)
        kinds = f"{len(symptoms)} request kinds" if len(symptoms) > 1 else "one request kind"
        ev.append(Evidence("logs", f"{total} failed requests logged across {kinds} during the impact (the symptom, not the cause).", "summarize_errors"))
    if v.neighbour is not None:
        nb = v.neighbour
        ev.append(Evidence("logs", f"{nb.role}, a database client that logged no heavy work in the hours before, began at "
                                   f"{hm(nb.began)} UTC ({nb.lines} such lines by {hm(impact.onset + timedelta(minutes=5))}): "
                                   f"'{_short(nb.example, 160)}'.", "search_logs"))
    if impact.volume is not None:
        m = impact.volume
        ev.append(Evidence("logs", f"The logs' ordinary lines rose from {m.baseline:.0f} to {m.peak:.0f} a minute from {hm(m.start)} UTC with no more traffic: something started logging more.", "summarize_errors"))
    for line in examples[:2]:
        ev.append(Evidence("logs", f"First occurrence: {_short(line, 200)}", "search_logs"))
    c = v.culprit
    if c is not None:
        why = "; ".join(c.reasons[:4]) or "the nearest change before the impact"
        ev.append(Evidence("git", f"{c.deploy.label[0].upper()}{c.deploy.label[1:]} ({hm(c.deploy.at)} UTC, {_human(c.lag)} before the impact, {c.deploy.status}): {why}.", "get_deployments" if c.deploy.kind == "deploy" else "get_recent_commits"))
        if c.best_commit is not None:
            files = ", ".join(c.best_commit.files[:4]) or "no files listed"
            ev.append(Evidence("git", f"Commit {c.best_commit.hash[:7]} by {c.best_commit.author or 'unknown'}: \"{_short(c.best_commit.message, 120)}\" ({files}).", "get_recent_commits"))
    for d, why in v.ruled_out_late[:2]:
        ev.append(Evidence("git", f"Ruled out {d.label} ({hm(d.at)} UTC): it {why}.", "get_deployments"))
    others = [x for x in v.candidates if c is None or x is not c][: max(0, 3 - len(v.ruled_out_late[:2]))]
    for x in others:
        ev.append(Evidence("git", f"Ruled out {x.deploy.label} ({hm(x.deploy.at)} UTC, {_human(x.lag)} before the impact): {_why_not(x, v)}.", "get_deployments"))
    if v.trigger.type == "none" and v.traffic_surge:
        ev.append(Evidence("metrics", f"Traffic rose to {v.traffic_surge:.1f}× its baseline as the impact began.", "get_metrics"))
    for what, why in obs.missing.items():
        ev.append(Evidence("engine", f"Could not read {what}: {why}. Conclusions lean on the other sources."))
    return ev[:15]


def _until(m: MetricShift, impact: Impact) -> str:
    """How this metric's shift ended, in words that agree with the summary's 'ended' / 'ongoing'."""
    still = "still elevated" if m.shift.direction == "up" else "still low"
    if m.end is None:
        return f"{still} at the end of the data"
    if impact.end is None:
        return f"back near its baseline from {hm(m.end)} while the impact went on"
    return f"until {hm(m.end)}"


def _why_not(x, v: Verdict) -> str:
    """Why a deploy is not the trigger, in the terms an SRE would check."""
    what = _changed(x)
    mechanism = BY_KEY[v.mechanism] if v.mechanism else None
    mech = mechanism.label.split(" (")[0] if mechanism else "the failure"
    if x.recovery < 0:  # the rollback tested it
        return f"its changes ({what}) are related, but {x.reasons[-1]}"
    if (mechanism is not None and mechanism.external and mechanism.territory and not x.touches
            and x.relevance >= 0.3 and x.tie >= 0.3):
        return f"its changes ({what}) share words with the failing lines, but change nothing about {mechanism.territory}"
    if x.relevance < 0.3 and x.tie >= 0.3:
        return f"it landed just before, but its changes ({what}) have nothing to do with {mech}"
    if x.relevance < 0.3:
        return f"its changes ({what}) have nothing to do with {mech}"
    if x.tie < 0.3 and v.prior == "rarely":
        return f"it touches related code ({what}), but nothing changed when it shipped; the failure began {_human(x.lag)} later"
    if v.culprit is not None:
        return f"related in part ({what}), but {v.culprit.deploy.label} explains the failure better"
    return f"related in part ({what}), but not enough to name it"


def _changed(x) -> str:
    files = [f for c in x.deploy.commits for f in c.files]
    if files:
        return ", ".join(files[:2]) + (f" and {len(files) - 2} more" if len(files) > 2 else "")
    msgs = [c.message for c in x.deploy.commits]
    return _short("; ".join(msgs), 60) if msgs else "no commits listed"


def _recommendations(mech, v: Verdict, impact: Impact) -> list[str]:
    recs: list[str] = []
    c = v.culprit
    if mech is None:
        recs.append("Look at the first errors around the onset and at what changed just before it (deploys, config, infrastructure).")
    elif c is not None:
        ref = c.deploy.version if c.deploy.kind == "deploy" else f"the release that contains {c.deploy.version}"
        commit = c.best_commit.hash[:7] if c.best_commit else c.deploy.version
        if c.deploy.was_rolled_back:
            recs.append(f"{ref} was already rolled back; keep it out until the cause is fixed and tested.")
            recs += [r.format(ref=ref, commit=commit) for r in mech.fixes_if_change[1:]]
        else:
            recs += [r.format(ref=ref, commit=commit) for r in mech.fixes_if_change]
    elif v.neighbour is not None:
        role = v.neighbour.role
        recs += [
            f"Stop or throttle {role}'s query now (pg_stat_activity / SHOW PROCESSLIST, then cancel it) and confirm "
            "our statement times fall.",
            f"Move {role}'s work off the database users depend on: a replica or warehouse of its own, or a quiet hour "
            "with a statement timeout and a connection limit for its role.",
        ]
    else:
        node = f" ({v.concentration.value})" if v.concentration is not None else ""
        recs += [r.replace("{node}", node) for r in mech.fixes]
    hint = _hint(mech, v) if mech is not None else None
    if hint and hint[1]:
        recs.insert(min(len(recs), 1), hint[1])
    if mech is not None and c is not None:
        recs += [r.replace("{node}", "") for r in mech.fixes[:1]]
    if impact.end is None:
        recs.append("Watch the error rate and latency after acting; post an update in this thread.")
    recs.append("Add an alert on the leading signal seen here so it pages before users notice.")
    return list(dict.fromkeys(recs))[:6]


def _short(text: str, n: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"
