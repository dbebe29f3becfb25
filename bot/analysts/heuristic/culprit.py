"""Which change set it off: every deploy before the failure weighed as an SRE would weigh it.

Nearness alone convicts the wrong deploy (a CSS change five minutes before a provider outage),
so each candidate is scored on what ties it to this failure:

- relevance: do its commits' messages and paths talk about what is failing (the specific words of
  the new error signatures, not the service's everyday vocabulary; the files a traceback names;
  the kind of change that causes this mechanism, such as pool sizes or log verbosity)?
- tie: did something start moving within minutes after it landed (a metric change point, a new
  log signature, the impact itself)?
- recovery: was it rolled back, and did the impact end when it was?

A deploy that landed after the failure's first signs (warnings, a climbing resource) cannot have
started it, however close it is to the moment users noticed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.analysts.heuristic.impact import RAMPING, ChangePoint
from bot.analysts.heuristic.mechanisms import BY_KEY
from bot.analysts.heuristic.observe import Commit, Deploy

_WORD = re.compile(r"[a-z][a-z0-9_]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_KEY = re.compile(r"([A-Za-z_][\w.-]*)=")
_PATH = re.compile(r"(?:[\w.-]+/)+[\w.-]+\.\w+")
STOP = frozenset(
    """add adds added adding fix fixes fixed update updates updated bump bumps use uses using make makes
    the and for with from into onto via per not but all any our new old more less when then than this
    that into out set sets get gets put one two only also app apps src lib main test tests spec specs
    error errors failed failure fail failing request requests response handling handle while after before
    service services server api http https www com net org example www json yaml yml txt html tsx jsx
    css scss py js ts go rb java readme docs doc md file files line lines value values version
    returning returned return status code will would should could can may might has have had was were
    are is be been being its it's they them their there here what which who how why where instead
    due because since until unable cannot could during within without upon about against between
    id ids err msg message
    internal pkg cmd core common util utils helper helpers misc shared modules module include vendor
    dist build public resources assets""".split()
)
# a deployment's service, from its version: orders-worker@2.9.0, api-gateway:1.45.0, billing/v3.2
_SERVICE_VERSION = re.compile(r"^([a-z][a-z0-9]*(?:[-_.][a-z][a-z0-9]*)*)[@:/]v?\d", re.I)
_SERVICE_PATH = re.compile(r"^(?:services|apps|svc|cmd)/([a-z][\w-]*)/", re.I)


def words(text: str) -> set[str]:
    """Lowercase content words: camelCase and snake_case split, crude singulars added."""
    out = set()
    text = _CAMEL.sub("_", text or "").lower().replace("-", "_")
    for w in _WORD.findall(text):
        for part in {w, *w.split("_")}:
            if len(part) < 3 or part in STOP or part.isdigit():
                continue
            out.add(part)
            if part.endswith("ies") and len(part) > 5:
                out.add(part[:-3] + "y")  # bodies -> body, proxies -> proxy
            elif part.endswith("s") and len(part) > 4 and not part.endswith(("ss", "us", "is")):
                out.add(part[:-1])
    return out


def field_keys(text: str) -> set[str]:
    """Words that only name a field (`table=`, `err=`): structure, not what failed."""
    return set().union(*(words(k) for k in _KEY.findall(text or ""))) if "=" in (text or "") else set()


def paths_in(text: str) -> set[str]:
    return {p.lower().lstrip("./") for p in _PATH.findall(text or "")}


def service_of(deploy: Deploy) -> str | None:
    """Which of our services a deploy ships, when the version or the paths say so (a monorepo)."""
    m = _SERVICE_VERSION.match(deploy.version)
    if m:
        return m.group(1).lower()
    dirs = {m.group(1).lower() for c in deploy.commits for f in c.files if (m := _SERVICE_PATH.match(f))}
    return dirs.pop() if len(dirs) == 1 else None


def names_service(text: str, service: str) -> bool:
    """Does a line name this service (`pod/orders-worker-7d9f…`, `upstream=orders-worker.orders.svc`)?"""
    return re.search(rf"(?<![\w]){re.escape(service)}(?![a-z0-9])", text or "", re.I) is not None


@dataclass
class Failure:
    """What is failing, as the culprit search needs it."""

    mechanism: str
    onset: datetime
    word_weight: dict[str, float]  # content words of the new error signatures -> how specific they are
    paths: set[str]  # files named in tracebacks / messages
    change_points: list[ChangePoint]
    impact_end: datetime | None  # when the impact ended, if it did
    first_sign: datetime | None = None  # the earliest sign of this failure (precursors included)
    first_sign_what: str = "the impact"
    external_hosts: set[str] = field(default_factory=set)
    subjects: str = ""  # the failing lines' text, to see which of our services they name
    by_metrics: bool = False  # the mechanism was read from the metrics alone: no line shows it
    data_end: datetime | None = None  # the last minute of data: an impact with no end lasts at least this long

    @property
    def words(self) -> set[str]:
        return set(self.word_weight)


def vocabulary(
    failing: Iterable[tuple[str, str, str | None, float]], background: Iterable[str], service: str | None
) -> dict[str, float]:
    """How much each word of the failing lines says about *this* failure.

    `failing` holds (folded text, example, component, share) per new signature. Words that
    also appear in the lines the service writes every day, in the service's own name, or only
    as field names say little; the rest keep their signature's share.
    """
    common = set().union(*(words(t) | field_keys(t) for t in background))
    own = words(service or "")
    weight: dict[str, float] = {}
    for text, example, component, share in failing:
        keys = field_keys(text) | field_keys(example)
        values = (words(_KEY.sub(" ", text)) | words(_KEY.sub(" ", example)))
        for w in values | keys:
            f = share
            if w in keys and w not in values:
                f *= 0.3
            if w in common:
                f *= 0.25
            if w in own:
                f *= 0.2
            weight[w] = max(weight.get(w, 0.0), f)
        for w in words(component or ""):
            f = share * 0.5 * (0.25 if w in common else 1.0) * (0.2 if w in own else 1.0)
            weight[w] = max(weight.get(w, 0.0), f)
    return weight


@dataclass
class Candidate:
    deploy: Deploy
    relevance: float
    tie: float  # 0..1: something began moving right after it
    recovery: float
    score: float
    best_commit: Commit | None
    reasons: list[str]
    lag: timedelta  # how long before the impact it landed
    tie_what: str | None = None
    territory: float = 0.0  # the part of relevance that is the mechanism's kind of change
    tie_evidence: float = 0.0  # the tie as it counts toward naming this deploy
    touches: bool = False  # it changes the mechanism's territory or a file the errors name


def relevance(
    deploy: Deploy, failure: Failure, common_commit_words: set[str] = frozenset()
) -> tuple[float, float, Commit | None, list[str], bool]:
    """How much of what is failing this deploy's commits talk about or touch (0..~3).

    Returns (relevance, of which the mechanism's territory, best commit, reasons, whether it
    touches the mechanism's territory or a file the errors name).
    """
    mech = BY_KEY.get(failure.mechanism)
    mech_words = set()
    for w in mech.change_words if mech else ():
        mech_words |= words(w) or {w}
    mech_files = [re.compile(p, re.I) for p in (mech.change_files if mech else ())]
    service = service_of(deploy)
    ships_failing = bool(service and names_service(failure.subjects, service))
    best, best_territory, best_commit, best_reasons, best_touches = 0.0, 0.0, None, [], False
    toucher: tuple[float, float, Commit, list[str]] | None = None  # the best commit of the mechanism's kind
    for c in deploy.commits:
        cw = words(c.message).union(*(words(f) for f in c.files))
        shared = {w for w in cw & failure.words if w not in common_commit_words}
        score = min(2.5, sum(failure.word_weight[w] for w in shared))
        reasons = []
        strong = _distinct(sorted((w for w in shared if failure.word_weight[w] >= 0.35), key=lambda w: -failure.word_weight[w]))
        if strong:
            reasons.append("its commit mentions " + ", ".join(strong[:4]) + ", as the failing lines do")
        mshared = territory_words(cw, mech_words)
        mfiles = sorted(f for f in c.files if any(rx.search(f) for rx in mech_files))
        territory = 0.3 * min(len(mshared) + len(mfiles), 3)
        if mshared or mfiles:
            what = sorted(mshared)[:4] + mfiles[:2]
            reasons.append(f"it touches {_label(failure.mechanism)} territory ({', '.join(what[:4])})")
        files = {f.lower().lstrip("./") for f in c.files}
        hit_paths = {p for p in failure.paths if any(p.endswith(f) or f.endswith(p) for f in files)}
        if hit_paths:
            score += 1.5
            reasons.append("it changed " + ", ".join(sorted(hit_paths)[:3]) + ", which the errors name")
        score += territory
        if ships_failing:
            # a monorepo's deploy of the very service whose lines fail (its pods, its host name)
            score += 0.5
            reasons.append(f"it ships {service}, which the failing lines name")
        touches = territory > 0 or bool(hit_paths)
        if _only_inert_files(c.files):
            score *= 0.3
            territory *= 0.3
            touches = False
        if score > best:
            best, best_territory, best_commit, best_reasons, best_touches = score, territory, c, reasons, touches
        if touches and (toucher is None or score > toucher[0]):
            toucher = (score, territory, c, reasons)
    if toucher is not None and not best_touches and mech is not None and mech.external:
        # what sets off an outside-looking failure is the commit of its kind (the one that turned on
        # payload tracing), not a sibling that shares words with a side effect
        _, best_territory, best_commit, best_reasons = toucher
        best_touches = True
    return best, best_territory, best_commit, best_reasons, best_touches


# endings that keep a word's meaning: a change that memoizes, caches or serializes is of the kind
_INFLECTIONS = ("s", "es", "d", "ed", "ing", "e", "er", "ers", "ize", "ized", "izes", "izing", "ization",
                "ation", "ations", "ion", "ions")


def territory_words(commit_words: set[str], mech_words: set[str]) -> set[str]:
    """The mechanism's words a commit uses, in any inflection (memo: memoize; serializ: serialization)."""
    out = set()
    for w in commit_words:
        for m in mech_words:
            if w == m or (len(m) >= 4 and w.startswith(m) and w[len(m):] in _INFLECTIONS):
                out.add(w)
                break
    return out


def _distinct(ws: list[str]) -> list[str]:
    """One form per word for the reader: 'balances, reconcile', not also 'balance, reconcile_balances'."""
    out: list[str] = []
    for w in sorted(ws, key=lambda w: "_" in w):  # stable: single words first, each by weight
        parts = [p for p in w.split("_") if len(p) > 2] if "_" in w else []
        stems = {o.rstrip("s") for o in out}
        if w.rstrip("s") in stems or (parts and all(p.rstrip("s") in stems for p in parts)):
            continue
        out.append(w)
    return out


def _label(mechanism: str) -> str:
    return BY_KEY[mechanism].label.split(" (")[0]


def _only_inert_files(files: Iterable[str]) -> bool:
    """Docs, tests, dev tooling, translations and static assets cannot make a backend fail."""
    files = [f.lower() for f in files]
    if not files:
        return False
    inert = re.compile(
        r"(?:^|/)(?:readme|changelog|license|docs?/|tests?/|test_|.*_test\.|.*\.md$|requirements-dev|\.github/)"
        r"|(?:^|/)(?:i18n|l10n|locales?|translations?)/"  # the words users read, not what the server does
        r"|\.(?:css|scss|sass|less|svg|png|jpe?g|gif|ico|woff2?|po|mo)$"
    )
    return all(inert.search(f) for f in files)


def tie(deploy: Deploy, failure: Failure, services: set[str] = frozenset()) -> tuple[float, bool, str | None]:
    """1.0 when the failure's first movement began as the deploy rolled out, fading over ~20 min
    (over ~45 for a resource's slow climb, whose start is less sharp).

    Also says whether what began is the failure's own first sign (memory starting to climb for
    a leak, the first disk warnings), which ties a deploy more specifically than the impact.
    When several of our services ship (`services`), a new signature that names some of them
    ties only their deploys: another service's rollout at the same minute is a coincidence.
    """
    mech = BY_KEY.get(failure.mechanism)
    own = {m for m, d in mech.metrics.items() if d == "up"} - {"error_rate", "response_time_ms"} if mech else set()
    service = service_of(deploy) if len(services) >= 2 else None
    best, specific, near = 0.0, False, []
    for cp in failure.change_points:
        if service and cp.subject:
            named = {s for s in services if names_service(cp.subject, s)}
            if named and service not in named:
                continue
        gap = (cp.time - deploy.at).total_seconds() / 60
        # a slow climb's foot is dated to within tens of minutes, a step's to the minute
        reach, decay = (45, 30.0) if cp.kind == "metric" and cp.metric in RAMPING else (20, 12.0)
        if -1 <= gap <= reach:
            score = math.exp(-max(gap, 0.0) / decay)
            is_own = (failure.first_sign is not None and cp.time == failure.first_sign and cp.kind != "impact") or (
                cp.kind == "metric" and cp.metric in own) or (
                # a line of this failure never seen before, appearing as the new version took traffic
                cp.kind == "signature" and cp.fresh and failure.mechanism in cp.mechanisms and gap <= 2)
            if score > best or (score == best and is_own):
                best, specific = score, is_own
            if cp.what not in (w for w, _ in near):
                near.append((cp.what, cp.time))
    if not near:
        return 0.0, False, None
    first = min(t for _, t in near)
    gap = first - deploy.at
    when = "as it rolled out" if gap < timedelta(seconds=90) else f"{_human(gap)} after it"
    names = [w for w, _ in near][:3]
    return best, specific, f"{_and(names)} began {when}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def recovery(deploy: Deploy, rollback_at: datetime | None, failure: Failure) -> tuple[float, list[str]]:
    """Rolled back, and the impact ended when it was: the strongest evidence there is."""
    if not deploy.was_rolled_back:
        return 0.0, []
    if rollback_at and failure.impact_end:
        # the impact ends as the old version takes traffic again: within a few minutes after the
        # rollback, not ten minutes on (the rollback did not fix it) nor before it
        gap = (failure.impact_end - rollback_at).total_seconds() / 60
        if -1 <= gap <= 6:
            return 1.0, [f"it was rolled back at {rollback_at:%H:%M} and the impact ended {_human(failure.impact_end - rollback_at)} later"]
    if rollback_at and rollback_at >= failure.onset:
        # the rollback tested it: the failure going on well after the old version was back clears it
        last = failure.impact_end or failure.data_end
        if last is not None and last - rollback_at > timedelta(minutes=10):
            return -1.0, [f"it was rolled back at {rollback_at:%H:%M}, yet the failure went on for "
                          f"{_human(last - rollback_at)} after"]
    return 0.3, ["it was rolled back"]


TIE_WEIGHT = 0.9


def rank(deploys: list[Deploy], failure: Failure) -> tuple[list[Candidate], list[tuple[Deploy, str]]]:
    """Every deploy that could have caused the failure, best first; and the ones ruled out by time."""
    rollbacks = sorted((d for d in deploys if d.is_rollback_entry), key=lambda d: d.at)
    first = failure.first_sign or failure.onset
    commits = [c for d in deploys for c in d.commits]
    df = Counter(w for c in commits for w in words(c.message).union(*(words(f) for f in c.files)))
    # a word in most commits is the repository's everyday vocabulary, once there are enough commits
    # to tell: among four, three that talk about the feed are what the incident is about
    common = {w for w, n in df.items() if len(commits) >= 8 and n >= 0.6 * len(commits)}
    services = {s for d in deploys if (s := service_of(d))}
    out, late = [], []
    for d in deploys:
        if d.is_rollback_entry:
            continue
        if d.at > failure.onset + timedelta(minutes=1):
            continue
        if d.at > first + timedelta(minutes=5):
            late.append((d, f"landed after the first signs of the failure ({failure.first_sign_what} from {first:%H:%M})"))
            continue
        rel, territory, commit, rel_reasons, touches = relevance(d, failure, common)
        t, specific, t_what = tie(d, failure, services)
        lag = failure.onset - d.at
        prox = math.exp(-max((first - d.at).total_seconds(), 0) / 60 / 240)
        rb_at = next((r.at for r in rollbacks if r.at > d.at), None)
        rec, rec_reasons = recovery(d, rb_at, failure)
        reasons = rel_reasons + ([t_what] if t_what else []) + rec_reasons
        weight = TIE_WEIGHT
        if failure.mechanism and not specific:
            # the impact beginning after a change that has nothing to do with the mechanism is
            # weak: a stylesheet does not exhaust a database pool
            weight *= 0.5 + 0.5 * min(1.0, rel / 0.5)
        score = min(rel, 3.0) + weight * t + 1.5 * rec + 0.25 * prox
        if failure.by_metrics and not touches:
            score *= 0.5  # only words of lines that do not show the mechanism tie it
        out.append(Candidate(d, rel, t, rec, score, commit, reasons, lag, t_what, territory, weight * t, touches))
    _activations(out)
    return sorted(out, key=lambda c: -c.score), late


_TOKEN = re.compile(r"[A-Za-z][\w-]*[A-Za-z0-9]")


def identifiers(text: str) -> set[str]:
    """Names a program would use (home_feed_v2, newCheckoutFlow, search-v3-ranker): a flag's or a
    setting's. Hyphenated English (sign-in, read-only) is not one unless it carries a digit."""
    out = set()
    for token in _TOKEN.findall(text or ""):
        code = "_" in token or _CAMEL.search(token) is not None or ("-" in token and any(c.isdigit() for c in token))
        if code:
            name = _CAMEL.sub("_", token).lower().replace("-", "_")
            if len([p for p in name.split("_") if p]) >= 2:
                out.add(name)
    return out


def _activations(candidates: list[Candidate]) -> None:
    """A change that turns on what an earlier one shipped dark carries the earlier one's relevance.

    Code behind a feature flag ships at 16:00 and nothing moves; the flag goes to 100% at 10:24
    and the failure starts a minute later. The flag flip says nothing about the failing lines
    (it names the flag), the code change says everything but has no tie. The flip is the
    trigger when it names the same flag or setting as the code change and the failure began
    as it shipped, while nothing moved when the code shipped.
    """
    for late in candidates:
        if late.tie < 0.8:
            continue
        late_ids = set().union(*(identifiers(c.message) for c in late.deploy.commits))
        for early in candidates:
            if early is late or early.deploy.at >= late.deploy.at or early.tie >= 0.3 or early.relevance <= late.relevance:
                continue
            shared = late_ids & set().union(*(identifiers(c.message) for c in early.deploy.commits))
            if not shared:
                continue
            gain = 0.8 * early.relevance - late.relevance
            if gain <= 0:
                continue
            late.relevance += gain
            # its tie now counts in full: what began is the failure the earlier change talks about
            late.score += gain + TIE_WEIGHT * late.tie - late.tie_evidence
            late.tie_evidence = TIE_WEIGHT * late.tie
            late.touches = late.touches or early.touches
            late.reasons.insert(0, f"it turns on what {early.deploy.label} shipped ({', '.join(sorted(shared)[:2])}), "
                                   "which the failing lines talk about")
            early.score -= gain  # the earlier change is the setting, not the spark


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
