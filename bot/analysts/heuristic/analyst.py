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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysts.heuristic import narrative
from bot.analysts.heuristic.culprit import Candidate, Deploy, Failure, paths_in, rank, vocabulary
from bot.analysts.heuristic.hosts import external_hosts
from bot.analysts.heuristic.impact import Impact, NewSignature, assess
from bot.analysts.heuristic.mechanisms import BY_KEY, classify, is_symptom
from bot.analysts.heuristic.neighbours import MECHANISMS as DB_MECHANISMS
from bot.analysts.heuristic.neighbours import Neighbour, other_clients, roles_in
from bot.analysts.heuristic.observe import Observations, gather, iso_z, lines_of_every_level
from bot.analysts.heuristic.spread import Concentration, where_failing
from bot.engine.report import Report, Trigger
from bot.engine.session import ToolSession


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
    ruled_out_late: list[tuple[Deploy, str]] = field(default_factory=list)
    first_sign: datetime | None = None
    first_sign_what: str = "the impact"
    prior: str = "often"  # how often this mechanism is set off by a change of ours, here
    concentration: Concentration | None = None  # the failures all come from one node / host
    neighbour: Neighbour | None = None  # another client's heavy work on the database, begun just before


class HeuristicAnalyst:
    name = "heuristic"

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        obs = await gather(tools)
        for what, why in obs.missing.items():
            await tools.note(f"could not read {what}: {why}", "warning")
        impact = assess(obs)
        if not impact.detected:
            return narrative.no_incident(incident, obs, impact, self.name, _quiet_confidence(obs))
        concentration = await where_failing(tools, impact)
        verdict = decide(obs, impact, concentration)
        if verdict.mechanism is None and await _look_below_warnings(tools, obs, impact):
            impact = assess(obs)
            verdict = decide(obs, impact, concentration)
        await _look_for_neighbour(tools, obs, impact, verdict)
        examples = await _confirm(tools, obs, impact, verdict)
        return narrative.incident(incident, obs, impact, verdict, examples, self.name)


async def _look_below_warnings(tools: ToolSession, obs: Observations, impact: Impact) -> bool:
    """Nothing at WARN or worse explains it (users vanish, no error is logged): look at lines of
    every level around the onset for one that names a failure mode and surged with the impact,
    as an SRE reads the load balancer's ordinary lines. Adds them to the observations."""
    if impact.onset is None:
        return False
    onset = impact.onset
    until = min(impact.end or onset + timedelta(minutes=30), onset + timedelta(minutes=30))
    known = {s.text for s in obs.signatures}
    found = [
        s for s in await lines_of_every_level(tools, onset - timedelta(hours=1), until)
        if s.text not in known and _surged_at(s, onset)
        and classify(s.text, s.component, s.example) and not is_symptom(s.text, s.component, s.example)
    ]
    obs.signatures += found
    return bool(found)


def _surged_at(s, onset: datetime) -> bool:
    """Several times its usual rate from the onset on (a few scanners' handshake failures a minute
    before, hundreds after), not merely present: every line is 'new' in a window that starts late."""
    before = sum(n for t, n in s.per_minute if onset - timedelta(minutes=60) <= t < onset - timedelta(minutes=5))
    after = sum(n for t, n in s.per_minute if onset - timedelta(minutes=1) <= t < onset + timedelta(minutes=15))
    return after / 16 >= max(3.0, 5 * before / 55)


async def _look_for_neighbour(tools: ToolSession, obs: Observations, impact: Impact, v: Verdict) -> None:
    """The database slowed down and no change of ours explains it: what else was it doing?"""
    if v.culprit is not None or v.mechanism not in DB_MECHANISMS:
        return
    ours = set().union(*(roles_in(f"{n.sig.text} {n.sig.example}") for n in v.cause_signatures))
    v.neighbour = await other_clients(tools, impact, v.mechanism, ours)
    if v.neighbour is not None:
        v.trigger = Trigger("none", None)
        v.confidence = _confidence(obs, impact, v)


# mechanisms that only say a connection or a request failed: a fault on one node explains them
_NODE_EXPLAINS = (None, "backend_conn", "upstream", "timeout", "node")


def decide(obs: Observations, impact: Impact, concentration: Concentration | None = None) -> Verdict:
    surge = _traffic_surge(impact)
    scores = mechanism_scores(obs, impact, surge)
    mechanism = max(scores, key=scores.get) if scores and max(scores.values()) > 0.3 else None
    if concentration is not None and concentration.kind == "node" and mechanism in _NODE_EXPLAINS:
        # every failing line comes from one node while the service runs on several: that node
        mechanism = "node"
        scores["node"] = max(scores.values(), default=0.0) + 1.0
    cause = [n for n in impact.new_signatures if not n.symptom and n.mechanisms.get(mechanism, 0) >= 0.5]
    cause.sort(key=lambda n: -n.during * n.mechanisms.get(mechanism, 0))
    hosts = []
    for n in cause[:4]:
        hosts += [h for h in external_hosts(n.sig.text + " " + n.sig.example) if h not in hosts]
    prior = BY_KEY[mechanism].caused_by_change if mechanism else "often"
    if surge and mechanism in ("capacity", "cpu", "timeout"):
        prior = "rarely"  # the load came from outside; a change of ours must explain it to be named
    verdict = Verdict(mechanism, scores, cause, Trigger("unknown", None), None, [], surge, hosts, 0.0, prior=prior,
                      concentration=concentration)
    if impact.onset:
        verdict.first_sign, verdict.first_sign_what = _first_sign(impact, mechanism)
    changes = obs.changes()
    if changes and impact.onset:
        failure = _failure(obs, impact, mechanism, cause, verdict)
        verdict.candidates, verdict.ruled_out_late = rank(changes, failure)
        outside = bool(mechanism) and BY_KEY[mechanism].external
        verdict.culprit = _accept(verdict.candidates, prior, outside)
    if verdict.culprit is not None:
        d = verdict.culprit.deploy
        verdict.trigger = Trigger("commit", d.commits[0].hash) if d.kind == "commit" else Trigger("deploy", d.version)
    elif mechanism and (prior != "often" or surge):
        verdict.trigger = Trigger("none", None)  # a dependency, the load or the infrastructure, not a change
    verdict.confidence = _confidence(obs, impact, verdict)
    return verdict


# how much a deploy must explain before it is named, by how often the mechanism comes from a change
NAME_THRESHOLD = {"often": 0.6, "sometimes": 1.2, "rarely": 1.8}


def mechanism_scores(obs: Observations, impact: Impact, surge: float | None) -> dict[str, float]:
    """Weigh each mechanism by the new signatures that point to it and the resources that moved."""
    scores: Counter[str] = Counter()
    onset = impact.onset
    for n in impact.new_signatures:
        if n.symptom or not n.mechanisms:
            continue
        weight = math.log1p(n.during) * (1.0 if n.sig.level in ("ERROR", "FATAL") else 0.7)
        # causes tend to come first: a signature that began before or at the onset weighs more
        if n.began and onset and n.began <= onset + timedelta(minutes=2):
            weight *= 1.3
        for key, strength in n.mechanisms.items():
            scores[key] += strength * weight
    for m in impact.leading:
        if onset and m.start > onset + timedelta(minutes=10):
            continue  # moved well after users were hurt: a consequence
        if m.metric == "memory_usage":
            scores["memory"] += 3.0 if m.peak >= 80 else 1.5
        elif m.metric == "request_rate" and surge:
            scores["capacity"] += 2.0 + min(surge, 5.0)
        elif m.metric == "cpu_usage" and not surge:
            # a CPU climb with no more traffic: the work per request grew
            scores["cpu"] += 2.0 + min((m.peak - m.baseline) / 20.0, 3.0)
    _explained_away(scores, impact, surge)
    # latency with no error mechanism at all: call it what it is
    if not scores and any(m.metric == "response_time_ms" for m in impact.shifts):
        scores["timeout"] += 0.5
    return dict(scores)


def _explained_away(scores: Counter[str], impact: Impact, surge: float | None) -> None:
    """A specific failure mode that was there first explains the broad failures after it.

    Connections reset under a proxy right as its sidecar is OOM-killed, uploads failing once
    the process is out of file descriptors, timeouts behind a lock: the broad reading
    (a dependency, a connection, an exception) is the consequence, and volume alone must not
    let it outvote its cause. A specific signature that only began later explains nothing.
    """
    earliest: dict[str, datetime] = {}
    for n in impact.new_signatures:
        if n.symptom or n.began is None or n.during < 3:
            continue
        for key, strength in n.mechanisms.items():
            if strength >= 0.5 and (key not in earliest or n.began < earliest[key]):
                earliest[key] = n.began
    for m in impact.leading:
        key = {"memory_usage": "memory", "cpu_usage": None if surge else "cpu"}.get(m.metric)
        if key and (key not in earliest or m.start < earliest[key]):
            earliest[key] = m.start
    damped: set[str] = set()
    for key, began in earliest.items():
        mech = BY_KEY[key]
        if mech.tier != "specific":
            continue
        explained = {k for k in scores if BY_KEY[k].tier != "specific"} | set(mech.explains)
        for other in explained - {key}:
            if other not in scores or scores.get(key, 0.0) < 0.2 * scores[other]:
                continue  # three stray warnings do not explain a thousand failures
            if other not in earliest or began <= earliest[other] + timedelta(minutes=1):
                damped.add(other)
    for key in damped:
        scores[key] *= 0.25
    # 'requests time out' only says they were slow; a reading that says what they waited on (a
    # vendor's calls failing, a pool, a lock) and carries half its weight is the explanation
    named = max((v for k, v in scores.items() if BY_KEY[k].tier != "generic"), default=0.0)
    for key in [k for k in scores if BY_KEY[k].tier == "generic"]:
        if named >= 0.5 * scores[key]:
            scores[key] *= 0.5


def _traffic_surge(impact: Impact) -> float | None:
    for m in impact.leading:
        if m.metric == "request_rate" and impact.onset and abs((m.start - impact.onset).total_seconds()) <= 1200:
            ratio = m.shift.ratio()
            if ratio >= 1.8:
                return ratio
    return None


def _first_sign(impact: Impact, mechanism: str | None) -> tuple[datetime, str]:
    """The earliest sign of this failure: a precursor of the mechanism, else the impact itself.

    A heap climbing for two hours or disk warnings for forty minutes date the failure earlier
    than the first errors; a deploy after them cannot have started it.
    """
    assert impact.onset is not None
    if not mechanism:
        return impact.onset, "the impact"
    wants = {metric for metric, d in BY_KEY[mechanism].metrics.items() if d == "up"} - {"error_rate", "response_time_ms"}
    for cp in impact.change_points:
        if cp.time >= impact.onset:
            break
        if cp.time < impact.onset - timedelta(hours=6):
            continue
        if (cp.kind == "signature" and mechanism in cp.mechanisms) or (cp.kind == "metric" and cp.metric in wants):
            return cp.time, cp.what
    return impact.onset, "the impact"


def _failure(obs: Observations, impact: Impact, mechanism: str | None, cause: list[NewSignature], v: Verdict) -> Failure:
    relevant = cause or [n for n in impact.new_signatures if not n.symptom] or impact.new_signatures
    top = max((n.during for n in relevant), default=1) or 1
    # a mechanism read from the metrics alone (memory climbing, no OOM line yet): the lines that
    # fail meanwhile (slow tiles, timeouts) name what users asked for, not what changed, so the
    # kind of change the mechanism needs says more than sharing their words
    said = 1.0 if cause or not mechanism else 0.35
    failing = [(n.sig.text, n.sig.example, n.sig.component, said * (0.4 + 0.6 * n.during / top)) for n in relevant]
    # what began before the impact and carried on into it is part of the story even when no
    # mechanism names it ('slow message handling step=customer_segment_lookup' before the lag)
    onset = impact.onset
    precursors = [
        n for n in impact.new_signatures
        if n not in relevant and not n.symptom and n.began and onset and n.began <= onset and n.during >= 3
    ]
    failing += [(n.sig.text, n.sig.example, n.sig.component, 0.5) for n in precursors]
    new_texts = {n.sig.text for n in impact.new_signatures}
    background = [s.text for s in obs.signatures if s.text not in new_texts]
    paths: set[str] = set()
    for n in relevant:
        paths |= paths_in(n.sig.example) | paths_in(n.sig.text)
    subjects = " ".join(" ".join(x for x in (n.sig.component or "", n.sig.text, n.sig.example) if x)
                        for n in [*relevant, *precursors])
    return Failure(
        mechanism=mechanism or "",
        onset=impact.onset,
        word_weight=vocabulary(failing, background, obs.service),
        paths=paths,
        change_points=impact.change_points,
        impact_end=impact.end,
        first_sign=v.first_sign,
        first_sign_what=v.first_sign_what,
        subjects=subjects,
        by_metrics=said < 1.0,
        data_end=obs.end,
    )


def _accept(candidates: list[Candidate], prior: str, outside: bool = False) -> Candidate | None:
    """The best candidate, if the evidence is enough to name it.

    For a failure that usually comes from outside (a provider's quota, a certificate, a full
    disk), sharing words with the failing lines is not enough: the change must touch that kind
    of thing (the client's config, the certificate, the logging), or its timing alone convicts
    a template edit that happened to ship seven minutes before a provider started throttling.
    """
    if not candidates:
        return None
    best = candidates[0]
    if best.recovery >= 1.0 and best.relevance >= 0.2:
        return best  # rolled back and the impact ended with it
    if best.recovery < 0:
        return None  # rolled back and the failure went on: the rollback cleared it
    if outside and not best.touches and not (best.tie >= 0.85 and best.relevance >= 0.8):
        return None  # unless it talks about the failing thing and shipped right as it began
    evidence = min(best.relevance, 3.0) + best.tie_evidence
    if prior == "rarely":
        # a dependency, the network or the load: ours only if the change touches it and the
        # failure began as it shipped
        return best if best.relevance >= 0.8 and best.tie >= 0.3 and evidence >= NAME_THRESHOLD[prior] else None
    if prior == "sometimes" and best.relevance < 0.3:
        return None
    if best.tie < 0.3 and best.relevance < 0.8 and best.territory < 0.6:
        # nothing moved when it shipped, it barely talks about what fails, and it is not plainly
        # the kind of change that causes it (a memoized lookup before a slow heap climb is)
        return None
    return best if evidence >= NAME_THRESHOLD[prior] else None


def _confidence(obs: Observations, impact: Impact, v: Verdict) -> float:
    """How many independent pieces of evidence agree, not how loud any one of them is."""
    c = 0.35
    sources = {m.source for m in impact.shifts} | ({"logs"} if impact.log_errors or v.cause_signatures else set())
    if len(sources) >= 2:
        c += 0.1  # metrics and logs both show the impact
    if v.mechanism:
        ranked = sorted(v.mechanism_scores.values(), reverse=True)
        c += 0.12 if len(ranked) == 1 or ranked[0] >= 2 * ranked[1] else 0.03
        if not v.cause_signatures:
            c -= 0.05  # named from metrics alone
    else:
        c -= 0.1
    if v.culprit is not None:
        k = v.culprit
        c += min(0.15, 0.06 * k.relevance)
        c += 0.1 * k.tie
        c += 0.15 if k.recovery >= 1.0 else 0.0
        if len(v.candidates) > 1 and v.candidates[1].score > 0.7 * k.score:
            c -= 0.15  # another deploy is nearly as likely
    elif v.trigger.type == "none":
        c += 0.12 if (v.external_hosts or v.traffic_surge or v.neighbour or v.mechanism in ("tls", "dns")) else 0.05
        if v.concentration is not None and v.mechanism == "node":
            c += 0.15  # every failing line sampled came from one node: independent of the signatures
        if v.candidates and v.candidates[0].relevance >= 1.0:
            c -= 0.1  # a plausible change exists; we judged that it did not start this
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
    """The first lines of the dominant cause and of its earliest precursor, as an SRE would paste them."""
    sigs = v.cause_signatures or [n for n in impact.new_signatures if not n.symptom]
    if not sigs or not tools.has("search_logs"):
        return []
    picks = [sigs[0]]
    earliest = min(sigs[:5], key=lambda n: n.began or n.first_seen or impact.onset)
    if earliest is not sigs[0]:
        picks.insert(0, earliest)
    lines: list[str] = []
    for n in picks:
        pattern = _literal_pattern(n.sig.text)
        if not pattern:
            continue
        since = (n.began or impact.onset) - timedelta(minutes=2)
        args = {"pattern": pattern, "file": "*", "since": iso_z(since), "limit": 1}
        if n.sig.level in ("WARN", "ERROR", "FATAL"):
            args["level"] = n.sig.level  # the failing line, not a 200 that shares its words
        result = await tools.call("search_logs", args)
        if not result.ok or not isinstance(result.data, dict):
            continue
        for m in result.data.get("matches", [])[:1]:
            if isinstance(m, dict):
                lines.append(f"{m.get('time', '')} {m.get('level', '')} [{m.get('component') or '-'}] {m.get('message', '')}".strip())
    return lines


_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")


def _literal_pattern(signature: str) -> str:
    """A search that finds a folded signature's lines in their file, whatever its layout.

    The server matches the line as written, not the message it renders: a JSON line has no
    `name=mobile-bff` (its fields are rendered so), a PostgreSQL line has `ERROR:` between the
    role and the text. The longest run of plain words is in the line as written in any layout;
    white space may differ. Else the longest literal run between folded values.
    """
    runs: list[list[str]] = [[]]
    for token in signature.split():
        if _PLAIN_WORD.fullmatch(token):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    words = max(runs, key=lambda r: len(" ".join(r)))
    if len(words) >= 2 and len(" ".join(words)) >= 10:
        return r"\s+".join(re.escape(w) for w in words[:12])
    parts = re.split(r"<[a-z]+>", signature)
    best = max((p.strip(" :,.()'\"=-") for p in parts), key=len, default="")
    return re.escape(best[:80]) if len(best) >= 6 else ""


def _short(text: str, n: int = 60) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"
