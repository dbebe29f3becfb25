"""Which change set it off: every deploy before the impact weighed on what it touched and when.

Nearness alone convicts the wrong deploy (a CSS change five minutes before a provider outage),
so each candidate is scored on three things an SRE checks:

- relevance: do its commits' messages and paths share words with what is failing (the new error
  signatures, the files a traceback names, the mechanism's vocabulary)?
- timing: did something start moving right after it (a metric change point, a new log signature),
  and how long before the impact did it land?
- recovery: was it rolled back, and did the impact end when it was?
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysts.heuristic.mechanisms import BY_KEY

_WORD = re.compile(r"[a-z][a-z0-9_]+")
_PATH = re.compile(r"(?:[\w.-]+/)+[\w.-]+\.\w+")
STOP = frozenset(
    """add adds added adding fix fixes fixed update updates updated bump bumps use uses using make makes
    the and for with from into onto via per not but all any our new old more less when then than this
    that into out set sets get gets put one two only also app apps src lib main test tests spec specs
    error errors failed failure fail failing request requests response handling handle while after before
    service services server api http https www com net org example www json yaml yml txt html tsx jsx
    css scss py js ts go rb java readme docs doc md file files line lines value values version
    returning returned return status code will would should could can may might has have had was were
    are is be been being its it's they them their there here what which who how why where""".split()
)


def words(text: str) -> set[str]:
    """Lowercase content words, crude singular forms included ('connections' also gives 'connection')."""
    out = set()
    for w in _WORD.findall((text or "").lower().replace("-", "_")):
        for part in {w, *w.split("_")}:
            if len(part) < 3 or part in STOP or part.isdigit():
                continue
            out.add(part)
            if part.endswith("s") and len(part) > 4:
                out.add(part[:-1])
    return out


def paths_in(text: str) -> set[str]:
    return {p.lower().lstrip("./") for p in _PATH.findall(text or "")}


@dataclass
class Commit:
    hash: str
    message: str
    files: list[str]
    author: str | None = None
    timestamp: datetime | None = None


@dataclass
class Deploy:
    version: str
    at: datetime
    status: str
    commits: list[Commit]

    @property
    def is_rollback_entry(self) -> bool:
        """A deployment that only restores an older version (no new code of its own)."""
        return self.status.lower() in ("rollback", "revert", "reverted_to") or (
            not self.commits and "rollback" in self.status.lower()
        )

    @property
    def was_rolled_back(self) -> bool:
        return self.status.lower() in ("rolled_back", "rolledback", "reverted", "failed")


@dataclass
class Failure:
    """What is failing, as the culprit search needs it."""

    mechanism: str
    onset: datetime
    words: set[str]  # content words of the new error signatures, weighted below
    word_weight: dict[str, float]
    paths: set[str]  # files named in tracebacks / messages
    leading_changes: list[tuple[datetime, str]]  # change points: metric shifts, new signatures
    impact_end: datetime | None  # when the impact ended, if it did
    external_hosts: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    deploy: Deploy
    relevance: float
    timing: float
    recovery: float
    score: float
    best_commit: Commit | None
    reasons: list[str]
    lag: timedelta


def relevance(deploy: Deploy, failure: Failure) -> tuple[float, Commit | None, list[str]]:
    """How much of what is failing this deploy's commits talk about or touch (0..1+)."""
    mech = BY_KEY.get(failure.mechanism)
    mech_words = set()
    for w in mech.change_words if mech else ():
        mech_words |= words(w) or {w}
    best, best_commit, best_reasons = 0.0, None, []
    for c in deploy.commits:
        cw = words(c.message) | set().union(*(words(f) for f in c.files)) if c.files else words(c.message)
        shared = cw & failure.words
        score = sum(failure.word_weight.get(w, 0.0) for w in shared)
        reasons = []
        if shared:
            reasons.append("shares " + ", ".join(sorted(shared, key=lambda w: -failure.word_weight.get(w, 0))[:5]))
        mshared = cw & mech_words
        if mshared:
            score += 0.25 * min(len(mshared), 3)
            reasons.append(f"touches {BY_KEY[failure.mechanism].label.split(' (')[0]} territory: " + ", ".join(sorted(mshared)[:4]))
        files = {f.lower().lstrip("./") for f in c.files}
        hit_paths = {p for p in failure.paths if any(p.endswith(f) or f.endswith(p) for f in files)}
        if hit_paths:
            score += 1.5
            reasons.append("changed " + ", ".join(sorted(hit_paths)[:3]) + ", which the errors name")
        if _only_inert_files(c.files):
            score *= 0.3
        if score > best:
            best, best_commit, best_reasons = score, c, reasons
    return best, best_commit, best_reasons


def _only_inert_files(files: Iterable[str]) -> bool:
    """Docs, tests and dev tooling cannot change production behaviour."""
    files = [f.lower() for f in files]
    if not files:
        return False
    inert = re.compile(r"(?:^|/)(?:readme|changelog|license|docs?/|tests?/|test_|.*_test\.|.*\.md$|requirements-dev|\.github/)")
    return all(inert.search(f) for f in files)


def timing(deploy: Deploy, failure: Failure) -> tuple[float, list[str]]:
    """How well the deploy's time fits: something moved right after it, and not too long before."""
    lag = failure.onset - deploy.at
    reasons = []
    if lag < timedelta(minutes=-1):
        return 0.0, ["deployed after the impact began"]
    minutes = max(lag.total_seconds() / 60, 0.0)
    # impact soon after: strong; an hour or two: still plausible (load peaks, batch jobs); a day: weak
    score = math.exp(-minutes / 240.0)
    reasons.append(f"landed {_human(lag)} before the impact")
    # a change point (metric shift or a new error signature) shortly after the deploy ties it
    for t, what in failure.leading_changes:
        gap = (t - deploy.at).total_seconds() / 60
        if 0 <= gap <= 20:
            score += 0.6 * math.exp(-gap / 15.0)
            reasons.append(f"{what} began {_human(t - deploy.at)} after it")
            break
    return score, reasons


def recovery(deploy: Deploy, rollback_at: datetime | None, failure: Failure) -> tuple[float, list[str]]:
    """Rolled back, and the impact ended when it was: the strongest evidence there is."""
    if not deploy.was_rolled_back:
        return 0.0, []
    if rollback_at and failure.impact_end:
        gap = abs((failure.impact_end - rollback_at).total_seconds()) / 60
        if gap <= 10:
            return 1.0, [f"it was rolled back at {rollback_at:%H:%M} and the impact ended {_human(failure.impact_end - rollback_at)} later"]
    return 0.3, ["it was rolled back"]


def rank(deploys: list[Deploy], failure: Failure) -> list[Candidate]:
    """Score every deploy that could have caused the failure, best first."""
    rollbacks = sorted((d for d in deploys if d.is_rollback_entry), key=lambda d: d.at)
    out = []
    for d in deploys:
        if d.is_rollback_entry or d.at > failure.onset + timedelta(minutes=1):
            continue
        rel, commit, rel_reasons = relevance(d, failure)
        tim, tim_reasons = timing(d, failure)
        rb_at = next((r.at for r in rollbacks if r.at > d.at), None)
        rec, rec_reasons = recovery(d, rb_at, failure)
        # relevance decides; timing and recovery confirm. An irrelevant deploy stays weak however near.
        score = rel * (0.35 + tim) + rec + 0.15 * tim
        out.append(
            Candidate(d, rel, tim, rec, score, commit, rel_reasons + tim_reasons + rec_reasons, failure.onset - d.at)
        )
    return sorted(out, key=lambda c: -c.score)


def _human(delta: timedelta) -> str:
    s = abs(delta.total_seconds())
    if s < 90:
        return f"{int(s)} s"
    if s < 90 * 60:
        return f"{round(s / 60)} min"
    if s < 48 * 3600:
        h = s / 3600
        return f"{h:.1f} h".replace(".0 h", " h")
    return f"{round(s / 86400)} days"
