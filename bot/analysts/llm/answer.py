"""From the model's answer to a report: read it, repair it, check it against the data.

The answer arrives as `submit_report` arguments or, from a model that cannot call functions,
as JSON in its text (fenced, with prose around it, with trailing commas). What can be repaired
is: `"85%"` confidence, `"deployment"` for deploy, a trigger given as one string, evidence given
as strings, field names models commonly use instead (`timestamp`, `description`). What cannot
(no conclusion at all) is rejected with a sentence the model can act on.

Then every claim is held against what the tools returned (`Facts`): the trigger's version or
hash must be one the git data holds, the onset must fall inside the observed data, and a hash
or version named anywhere in the text must appear in some result. The first time claims fail,
the model is asked to correct them; after that they are dropped or marked, never passed on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.analysts.llm.facts import HEX_TOKEN, VERSION_TOKEN, Facts, iso, looks_like_hash, parse_time
from bot.analysts.llm.functions import TRIGGER_TYPES
from bot.engine.report import Evidence, Report, RootCause, TimelineEntry, Trigger

ONSET_SLACK = timedelta(minutes=2)  # data is often a point a minute: an onset just past the last is fine

_TRIGGER_ALIASES = {
    "deployment": "deploy", "release": "deploy", "rollout": "deploy", "deployed": "deploy", "version": "deploy",
    "code": "commit", "change": "commit", "code_change": "commit", "code change": "commit",
    "configuration": "config", "config_change": "config", "config change": "config", "feature_flag": "config",
    "external": "none", "upstream": "none", "traffic": "none", "infrastructure": "none", "dependency": "none",
    "no": "none", "n/a": "none", "null": "unknown", "": "unknown", "unclear": "unknown", "undetermined": "unknown",
}
_CONFIDENCE_WORDS = {"very high": 0.9, "high": 0.8, "medium": 0.55, "moderate": 0.55, "low": 0.3, "very low": 0.15}
UNVERIFIED = "[not in the data]"


# -- reading --------------------------------------------------------------------------------------

def extract_json(text: str) -> dict[str, Any] | None:
    """The JSON object in a model's text: the whole text, a ```json fence, or the outermost braces."""
    if not text or "{" not in text:
        return None
    candidates = []
    for m in re.finditer(r"```(?:json|JSON)?\s*(\{.*?\})\s*```", text, re.S):
        candidates.append(m.group(1))
    stripped = text.strip()
    candidates.append(stripped)
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end:
        candidates.append(stripped[start : end + 1])
    for c in candidates:
        for attempt in (c, _relax(c)):
            try:
                value = json.loads(attempt)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, dict):
                return value
    return None


def _relax(text: str) -> str:
    """Trailing commas and smart quotes: the two slips that break otherwise good JSON."""
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r",\s*([}\]])", r"\1", text)


def unwrap(fields: dict[str, Any]) -> dict[str, Any]:
    """`{"report": {...}}`, `{"name": "submit_report", "arguments": {...}}`: the report inside."""
    for _ in range(3):
        if "summary" in fields or "root_cause" in fields:
            return fields
        inner = None
        for key in ("report", "arguments", "parameters", "submit_report", "result"):
            value = fields.get(key)
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    value = None
            if isinstance(value, dict):
                inner = value
                break
        if inner is None:
            return fields
        fields = inner
    return fields


def looks_like_report(fields: dict[str, Any]) -> bool:
    f = unwrap(fields)
    return any(k in f for k in ("summary", "root_cause", "incident_detected"))


# -- repairing ------------------------------------------------------------------------------------

def to_report(fields: dict[str, Any], analyst: str) -> tuple[Report | None, list[str]]:
    """A report from the answer's fields, repaired; or None and why it cannot be one."""
    f = unwrap(fields)
    rc_raw = f.get("root_cause")
    if isinstance(rc_raw, str):
        rc_raw = {"description": rc_raw}
    rc_raw = rc_raw if isinstance(rc_raw, dict) else {}
    summary = _text(f.get("summary"))
    description = _text(rc_raw.get("description") or rc_raw.get("mechanism") or rc_raw.get("cause"))
    if not summary and not description:
        return None, [
            "the report has neither a summary nor a root_cause.description; say what failed and why "
            "(or that nothing is wrong, with incident_detected false)"
        ]
    detected = _bool(f.get("incident_detected"), default=True)
    trigger = _trigger(rc_raw.get("trigger", f.get("trigger")))
    if not detected:
        trigger = Trigger("none", None)
    report = Report(
        incident="",
        incident_detected=detected,
        summary=summary or description,
        root_cause=RootCause(
            description=description or summary,
            trigger=trigger,
            confidence=_confidence(rc_raw.get("confidence", f.get("confidence"))),
            service=_text(rc_raw.get("service") or f.get("service")) or None,
        ),
        onset=(_text(f.get("onset")) or None) if detected else None,
        timeline=_timeline(f.get("timeline")),
        evidence=_evidence(f.get("evidence")),
        recommendations=_strings(f.get("recommendations")),
        analyst=analyst,
    )
    return report, []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float | bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _bool(value: Any, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "1"):
            return True
        if low in ("false", "no", "0"):
            return False
    if isinstance(value, int | float):
        return bool(value)
    return default


def _confidence(value: Any) -> float:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _CONFIDENCE_WORDS:
            return _CONFIDENCE_WORDS[text]
        m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(%)?", text)
        if not m:
            return 0.4
        value = float(m.group(1)) / (100 if m.group(2) else 1)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.4  # none given: the model did not say how sure it is, so neither are we
    value = float(value)
    if 1 < value <= 100:
        value /= 100
    return round(min(1.0, max(0.0, value)), 2)


def _trigger(value: Any) -> Trigger:
    if isinstance(value, str):
        words = value.strip().split(None, 1)
        t = _trigger_type(words[0] if words else "")
        ref = words[1].strip() if len(words) > 1 else None
        if t == "unknown" and len(words) == 1 and words[0].lower() not in _TRIGGER_ALIASES and words[0].lower() != "unknown":
            # a bare "v2.4.0" or hash: guess from its shape; the check corrects it from the data
            ref = words[0]
            t = "commit" if HEX_TOKEN.fullmatch(ref) and looks_like_hash(ref) else "deploy"
        return Trigger(t, ref)
    if not isinstance(value, dict):
        return Trigger("unknown", None)
    t = _trigger_type(_text(value.get("type") or value.get("kind")))
    ref = _text(value.get("ref") or value.get("version") or value.get("hash") or value.get("commit")) or None
    if ref and ref.lower() in ("null", "none", "n/a", "unknown"):
        ref = None
    return Trigger(t, ref)


def _trigger_type(text: str) -> str:
    low = text.strip().lower()
    if low in TRIGGER_TYPES:
        return low
    return _TRIGGER_ALIASES.get(low, "unknown")


def _timeline(value: Any) -> list[TimelineEntry]:
    out = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        time = _text(item.get("time") or item.get("timestamp") or item.get("at"))
        event = _text(item.get("event") or item.get("description") or item.get("message") or item.get("what"))
        if time and event:
            out.append(TimelineEntry(time, _text(item.get("source")) or "analysis", event))
    return out


def _evidence(value: Any) -> list[Evidence]:
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str) and item.strip():
            out.append(Evidence("analysis", item.strip()))
        elif isinstance(item, dict):
            finding = _text(item.get("finding") or item.get("description") or item.get("detail") or item.get("text"))
            if finding:
                tool = _text(item.get("tool")) or None
                out.append(Evidence(_text(item.get("source")) or "analysis", finding, tool))
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict):
            item = item.get("action") or item.get("recommendation") or item.get("text") or item.get("description")
        text = _text(item)
        if text:
            out.append(text)
    return out


# -- checking against the data --------------------------------------------------------------------

@dataclass
class Claim:
    """A claim that failed the check, with what to do with it if the model does not correct it."""

    problem: str  # told to the model
    warning: str  # told to the responder when it is dropped


@dataclass
class Check:
    claims: list[Claim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.claims


def check(report: Report, facts: Facts) -> Check:
    """Hold the report's claims against the data. Also normalises what matches (hash spelling, onset)."""
    result = Check()
    _check_trigger(report, facts, result)
    _check_onset(report, facts, result)
    for token in sorted(_unknown_tokens(report, facts)):
        result.claims.append(
            Claim(
                f"{token!r} is not in any tool result; quote hashes and versions exactly as the tools gave them "
                f"(known: {facts.describe_changes()})",
                f"the model named {token}, which is not in the data; marked or dropped",
            )
        )
    return result


def _check_trigger(report: Report, facts: Facts, result: Check) -> None:
    trig = report.root_cause.trigger
    if trig.type in ("none", "unknown"):
        trig.ref = None
        return
    if not trig.ref:
        trig.type = "unknown"
        return
    commit, version = facts.commit(trig.ref), facts.version(trig.ref)
    if trig.type == "deploy" and version is None and commit is not None:
        trig.type = "commit"
    elif trig.type == "commit" and commit is None and version is not None:
        trig.type = "deploy"
    found = version if trig.type == "deploy" else commit if trig.type == "commit" else (version or commit)
    if found is not None:
        trig.ref = found
        return
    where = "the git data" if facts.git_seen else "any tool result (no git tool answered)"
    result.claims.append(
        Claim(
            f"root_cause.trigger.ref {trig.ref!r} is not a deployment version or commit hash in {where} "
            f"(known: {facts.describe_changes()}); use one of those, or trigger type 'unknown'/'none'",
            f"the model named {trig.type} {trig.ref} as the trigger, which is not in {where}; dropped",
        )
    )


def _check_onset(report: Report, facts: Facts, result: Check) -> None:
    if report.onset is None:
        return
    t = parse_time(report.onset)
    if t is None:
        result.claims.append(
            Claim(
                f"onset {report.onset!r} is not an ISO 8601 time; send e.g. 2026-02-17T14:30:00Z",
                f"the model's onset {report.onset!r} is not a time; dropped",
            )
        )
        return
    span = facts.span()
    if span is None:
        result.claims.append(
            Claim(
                "the onset cannot be checked: no tool returned timed observations (metrics or logs); "
                "look at the data before naming an onset",
                f"the model's onset {report.onset} could not be checked against any observed data; dropped",
            )
        )
        return
    start, end = span
    if not (start <= t <= end + ONSET_SLACK):
        result.claims.append(
            Claim(
                f"onset {iso(t)} is outside the observed data ({iso(start)} to {iso(end)})",
                f"the model's onset {iso(t)} is outside the observed data ({iso(start)} to {iso(end)}); dropped",
            )
        )
        return
    report.onset = iso(t)


def _texts(report: Report) -> list[str]:
    return (
        [report.summary, report.root_cause.description]
        + [t.event for t in report.timeline]
        + [e.finding for e in report.evidence]
        + report.recommendations
    )


def _unknown_tokens(report: Report, facts: Facts) -> set[str]:
    unknown: set[str] = set()
    for text in _texts(report):
        for tok in HEX_TOKEN.findall(text or ""):
            if looks_like_hash(tok) and not facts.known_token(tok):
                unknown.add(tok)
        for tok in VERSION_TOKEN.findall(text or ""):
            if not facts.known_token(tok):
                unknown.add(tok)
    return unknown


def finalize(report: Report, facts: Facts, failed: Check) -> list[str]:
    """Apply the check for good: failed claims dropped or marked, timeline times normalised and
    sorted, evidence citing tools that were not called un-cited. Returns the warnings to show."""
    warnings = [c.warning for c in failed.claims]
    trig = report.root_cause.trigger
    if trig.type in ("deploy", "commit", "config") and trig.ref and not (facts.commit(trig.ref) or facts.version(trig.ref)):
        report.root_cause.trigger = Trigger("unknown", None)
        report.root_cause.confidence = min(report.root_cause.confidence, 0.4)
    if report.onset is not None:
        t = parse_time(report.onset)
        span = facts.span()
        if t is None or span is None or not (span[0] <= t <= span[1] + ONSET_SLACK):
            report.onset = None
    unknown = _unknown_tokens(report, facts)
    if unknown:
        pattern = re.compile(r"\b(" + "|".join(re.escape(u) for u in sorted(unknown, key=len, reverse=True)) + r")\b")
        report.timeline = [t for t in report.timeline if not pattern.search(t.event)]
        report.evidence = [e for e in report.evidence if not pattern.search(e.finding)]
        report.summary = pattern.sub(lambda m: f"{m.group(1)} {UNVERIFIED}", report.summary)
        report.root_cause.description = pattern.sub(lambda m: f"{m.group(1)} {UNVERIFIED}", report.root_cause.description)
        report.recommendations = [pattern.sub(lambda m: f"{m.group(1)} {UNVERIFIED}", r) for r in report.recommendations]
    span = facts.full_span()
    kept = []
    for entry in report.timeline:
        t = parse_time(entry.time)
        if t is None:
            continue  # not a time: a timeline entry without one says nothing
        if span is not None and not (span[0] - ONSET_SLACK <= t <= span[1] + ONSET_SLACK):
            warnings.append(f"dropped a timeline entry at {entry.time}, outside the data")
            continue
        entry.time = iso(t)
        kept.append(entry)
    report.timeline = sorted(kept, key=lambda e: e.time)
    for e in report.evidence:
        if e.tool and e.tool not in facts.tools_called:
            e.tool = None  # a tool it did not call (or does not exist) shows nothing
    return warnings
