"""The deterministic analyst: an SRE's routine, run through the same tools a model would use.

1. Is anything actually wrong? (impact metrics and log error volume against their own baselines)
2. Since when? (the earliest impact start another source confirms; logs refine it)
3. What is new? (signatures that appeared or surged, and metrics that moved first)
4. Which mechanism? (what the new signatures and the moving metrics say, causes over symptoms)
5. Which change? (every earlier deploy weighed on relevance, timing and recovery)
6. Confirm: example lines from the logs, related commits from git.
Confidence grows with the number of independent sources that agree.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analysts.heuristic import narrative
from bot.analysts.heuristic.culprit import Candidate, Failure, paths_in, rank, words
from bot.analysts.heuristic.impact import Impact, NewSignature, assess
from bot.analysts.heuristic.mechanisms import BY_KEY
from bot.analysts.heuristic.observe import Observations, gather
from bot.engine.report import Report, Trigger
from bot.engine.session import ToolSession

_HOST = re.compile(r"\b(?:https?://)?((?:[a-z0-9-]+\.)+(?:com|net|io|org|example|cloud|dev|co))\b", re.I)


@dataclass
class Verdict:
    mechanism: str | None
    mechanism_scores: dict[str, float]
    cause_signatures: list[NewSignature]
    trigger: Trigger
    culprit: Candidate | None
    candidates: list[Candidate]
    traffic_surge: float | None  # ratio, when traffic rose with the impact
    external_hosts: list[str]
    confidence: float


class HeuristicAnalyst:
    name = "heuristic"

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        obs = await gather(tools)
        for what, why in obs.missing.items():
            await tools.note(f"could not read {what}: {why}", "warning")
        impact = assess(obs)
        if not impact.detected:
            return narrative.no_incident(incident, obs, impact, self.name, _quiet_confidence(obs))
        verdict = decide(obs, impact)
        examples = await _confirm(tools, obs, impact, verdict)
        return narrative.incident(incident, obs, impact, verdict, examples, self.name)


def decide(obs: Observations, impact: Impact) -> Verdict:
    scores = mechanism_scores(obs, impact)
    mechanism = max(scores, key=scores.get) if scores and max(scores.values()) > 0.3 else None
    cause = [n for n in impact.new_signatures if not n.symptom and mechanism in n.mechanisms]
    surge = _traffic_surge(impact)
    hosts = sorted({h.lower() for n in impact.new_signatures for h in _HOST.findall(n.sig.text + " " + n.sig.example)})
    trigger, culprit, candidates = Trigger("unknown", None), None, []
    if obs.deploys and impact.onset:
        failure = _failure(obs, impact, mechanism, cause)
        candidates = rank(obs.deploys, failure)
        culprit = _accept(candidates, mechanism, surge)
    if culprit is not None:
        trigger = Trigger("deploy", culprit.deploy.version)
    elif mechanism and (BY_KEY[mechanism].external or surge):
        trigger = Trigger("none", None)
    elif obs.deploys or obs.commits:
        # we looked at our changes and none fits: say the data cannot tell, not that nothing changed
        trigger = Trigger("unknown", None)
    verdict = Verdict(mechanism, scores, cause, trigger, culprit, candidates, surge, hosts, 0.0)
    verdict.confidence = _confidence(obs, impact, verdict)
    return verdict


def mechanism_scores(obs: Observations, impact: Impact) -> dict[str, float]:
    """Weigh each mechanism by the new signatures that point to it and the metrics that moved."""
    scores: Counter[str] = Counter()
    onset = impact.onset
    for n in impact.new_signatures:
        if n.symptom:
            continue
        weight = math.log1p(n.during)
        # causes tend to come first: a signature that began before or at the onset weighs more
        if n.began and onset and n.began <= onset + timedelta(minutes=2):
            weight *= 1.3
        for key, strength in n.mechanisms.items():
            scores[key] += strength * weight
    moved = {m.metric: m for m in impact.leading}
    if "memory_usage" in moved:
        scores["memory"] += 3.0 if moved["memory_usage"].peak >= 80 else 1.5
    if "request_rate" in moved:
        ratio = moved["request_rate"].shift.ratio()
        if ratio >= 1.8:
            scores["capacity"] += 2.0 + min(ratio, 5.0)
    if "cpu_usage" in moved and "request_rate" not in moved:
        scores["cpu"] += 1.5
    # latency with no error mechanism at all: call it what it is
    if not scores and any(m.metric == "response_time_ms" for m in impact.shifts):
        scores["timeout"] += 0.5
    return dict(scores)


def _traffic_surge(impact: Impact) -> float | None:
    for m in impact.leading:
        if m.metric == "request_rate" and impact.onset and abs((m.start - impact.onset).total_seconds()) <= 1200:
            ratio = m.shift.ratio()
            if ratio >= 1.8:
                return ratio
    return None


def _failure(obs: Observations, impact: Impact, mechanism: str | None, cause: list[NewSignature]) -> Failure:
    relevant = cause or [n for n in impact.new_signatures if not n.symptom] or impact.new_signatures
    top = max((n.during for n in relevant), default=1) or 1
    weight: dict[str, float] = {}
    paths: set[str] = set()
    for n in relevant:
        share = 0.4 + 0.6 * (n.during / top)
        for w in words(n.sig.text) | words(n.sig.example):
            weight[w] = max(weight.get(w, 0.0), share)
        if n.sig.component:
            for w in words(n.sig.component):
                weight[w] = max(weight.get(w, 0.0), 0.5 * share)
        paths |= paths_in(n.sig.example) | paths_in(n.sig.text)
    leading: list[tuple[datetime, str]] = []
    for m in impact.leading + impact.shifts:
        leading.append((m.start, f"{m.metric.replace('_', ' ')} shift"))
    for n in impact.new_signatures:
        if n.began:
            leading.append((n.began, f"'{_short(n.sig.text)}'"))
    leading.sort()
    return Failure(
        mechanism=mechanism or "",
        onset=impact.onset,
        words=set(weight),
        word_weight=weight,
        paths=paths,
        leading_changes=leading,
        impact_end=impact.end,
    )


def _accept(candidates: list[Candidate], mechanism: str | None, surge: float | None) -> Candidate | None:
    """The best candidate, if the evidence is enough to name it."""
    if not candidates:
        return None
    best = candidates[0]
    external = bool(mechanism and BY_KEY[mechanism].external) or surge is not None
    if best.recovery >= 1.0 and best.relevance >= 0.3:
        return best
    if external:
        # a dependency outage or a traffic surge is not ours unless a change clearly fits and is near
        return best if best.relevance >= 1.0 and best.timing >= 0.7 else None
    if best.relevance >= 0.6 and best.score >= 0.6:
        return best
    if best.relevance >= 0.3 and best.timing >= 1.0:  # a change point right after it, and some fit
        return best
    return None


def _confidence(obs: Observations, impact: Impact, v: Verdict) -> float:
    c = 0.4
    sources = {m.source for m in impact.shifts} | ({"logs"} if impact.log_errors else set())
    if len(sources) >= 2:
        c += 0.1
    if v.mechanism:
        ranked = sorted(v.mechanism_scores.values(), reverse=True)
        c += 0.1 if len(ranked) == 1 or ranked[0] >= 2 * ranked[1] else 0.03
    if v.culprit is not None:
        c += min(0.2, 0.08 * v.culprit.relevance)
        c += 0.1 if v.culprit.timing >= 1.0 else 0.0
        c += 0.1 if v.culprit.recovery >= 1.0 else 0.0
        if len(v.candidates) > 1 and v.candidates[1].score > 0.7 * v.culprit.score:
            c -= 0.15
    elif v.trigger.type == "none":
        c += 0.15 if (v.external_hosts or v.traffic_surge) else 0.05
        if v.candidates and v.candidates[0].relevance >= 1.0:
            c -= 0.1  # a plausible change exists; we judged it too far from the onset
    else:
        c -= 0.1
    c -= 0.12 * len(obs.missing)
    return round(min(0.95, max(0.1, c)), 2)


def _quiet_confidence(obs: Observations) -> float:
    """How sure we are that nothing is wrong: less so with every source we could not see."""
    c = 0.85
    if not obs.metric_points:
        c -= 0.3
    if not obs.volume:
        c -= 0.2
    return round(max(0.2, c - 0.05 * len(obs.missing)), 2)


async def _confirm(tools: ToolSession, obs: Observations, impact: Impact, v: Verdict) -> list[str]:
    """Pull the first lines of the leading cause signature, as an SRE would paste them."""
    sigs = v.cause_signatures or [n for n in impact.new_signatures if not n.symptom]
    if not sigs or not tools.has("search_logs"):
        return []
    first = min(sigs[:3], key=lambda n: n.began or n.first_seen or impact.onset)
    pattern = _literal_pattern(first.sig.text)
    if not pattern:
        return []
    since = (first.began or impact.onset) - timedelta(minutes=2)
    result = await tools.call(
        "search_logs",
        {"pattern": pattern, "file": "*", "since": since.isoformat().replace("+00:00", "Z"), "limit": 3},
    )
    if not result.ok or not isinstance(result.data, dict):
        return []
    lines = []
    for m in result.data.get("matches", [])[:3]:
        if isinstance(m, dict):
            lines.append(f"{m.get('time', '')} {m.get('level', '')} [{m.get('component') or '-'}] {m.get('message', '')}".strip())
    return lines


def _literal_pattern(signature: str) -> str:
    """The longest literal run of a folded signature, escaped: a search that finds its lines."""
    parts = re.split(r"<[a-z]+>", signature)
    best = max((p.strip(" :,.()'\"=-") for p in parts), key=len, default="")
    return re.escape(best[:80]) if len(best) >= 6 else ""


def _short(text: str, n: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"
