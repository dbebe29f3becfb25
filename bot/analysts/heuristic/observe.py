"""Gathering: what the deterministic analyst asks the tools, and the typed view of the answers.

It only talks to tools (through the investigation's ToolSession), never to files, so it works
the same over recorded files, a real Prometheus or a real git repository. A tool that fails or
is missing leaves its part empty; the analysis says what it could not see.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.engine.router import ToolResult
from bot.engine.session import ToolSession

METRICS = ("error_rate", "response_time_ms", "request_rate", "cpu_usage", "memory_usage")


def parse_ts(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def iso_z(t: datetime) -> str:
    """A time as the tools take it: RFC 3339 in UTC with a Z."""
    return t.isoformat().replace("+00:00", "Z")


@dataclass
class Commit:
    hash: str
    message: str
    files: list[str]
    author: str | None = None
    timestamp: datetime | None = None
    deployed_at: datetime | None = None


@dataclass
class Deploy:
    version: str
    at: datetime
    status: str
    commits: list[Commit]
    kind: str = "deploy"  # 'commit' when the history has no deployments and each commit is weighed alone

    @property
    def label(self) -> str:
        """'deploy v1.2.0' or 'commit 3f2a9c1', as a sentence names it."""
        return f"{self.kind} {self.version}"

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
class Signature:
    text: str
    level: str
    component: str | None
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    per_minute: list[tuple[datetime, int]]
    example: str

    def count_between(self, start: datetime | None, end: datetime | None) -> int:
        return sum(c for t, c in self.per_minute if (start is None or t >= start) and (end is None or t < end))


@dataclass
class Observations:
    service: str | None = None
    log_files: list[str] = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    volume: list[tuple[datetime, int, int, int]] = field(default_factory=list)  # minute, lines, errors, warnings
    metric_points: list[dict[str, Any]] = field(default_factory=list)
    metric_times: list[datetime] = field(default_factory=list)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    deploys: list[Deploy] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # what could not be seen, and why
    tools_used: dict[str, str] = field(default_factory=dict)  # finding kind -> tool name

    def series(self, metric: str) -> list[float]:
        """The metric per point; NaN where a point has no value (a missed scrape)."""
        return [
            float(p[metric]) if isinstance(p.get(metric), int | float) and not isinstance(p.get(metric), bool) else float("nan")
            for p in self.metric_points
        ]

    def filled(self, metric: str) -> list[float] | None:
        """The series with gaps carried over from the last value (the first from the next one).

        A missed scrape is not a drop to zero; a metric missing more often than not is not used.
        """
        values = self.series(metric)
        known = [v for v in values if v == v]
        if not values or len(known) < len(values) / 2:
            return None
        out, last = [], known[0]
        for v in values:
            last = v if v == v else last
            out.append(last)
        return out

    def changes(self) -> list[Deploy]:
        """What shipped: the deployments, or, when the history has none (a repository without
        release tags), every commit on its own at the time it was deployed or committed."""
        if self.deploys:
            return self.deploys
        out = []
        for c in self.commits:
            when = c.deployed_at or c.timestamp
            if when is not None:
                out.append(Deploy(c.hash[:7], when, "success", [c], kind="commit"))
        return sorted(out, key=lambda d: d.at)

    @property
    def start(self) -> datetime | None:
        times = [t for t in (self.metric_times[:1] + [v[0] for v in self.volume[:1]]) if t]
        return min(times) if times else None

    @property
    def end(self) -> datetime | None:
        times = [t for t in (self.metric_times[-1:] + [v[0] for v in self.volume[-1:]]) if t]
        return max(times) if times else None


async def _call(tools: ToolSession, name: str, args: dict[str, Any], obs: Observations, what: str) -> dict | None:
    if not tools.has(name):
        obs.missing[what] = f"no server offers {name}"
        return None
    result: ToolResult = await tools.call(name, args)
    if not result.ok or not isinstance(result.data, dict):
        obs.missing[what] = result.text.splitlines()[0][:200] if result.text else "no data"
        return None
    return result.data


async def gather(tools: ToolSession) -> Observations:
    """Phase 1, what is wrong: metrics, anomalies, log signatures. Phase 2, what changed: git."""
    obs = Observations()
    files, anomalies, metrics, summary = await asyncio.gather(
        _call(tools, "list_log_files", {}, obs, "log files"),
        _call(tools, "get_anomalies", {}, obs, "metric anomalies"),
        _call(tools, "get_metrics", {"metric_type": "all", "time_range": "all", "limit": 2000}, obs, "metrics"),
        _call(tools, "summarize_errors", {"file": "*", "limit": 100}, obs, "log signatures"),
    )
    if files:
        obs.log_files = [f.get("name", "?") for f in files.get("files", []) if isinstance(f, dict)]
    if anomalies:
        obs.anomalies = [a for a in anomalies.get("anomalies", []) if isinstance(a, dict)]
        obs.service = obs.service or anomalies.get("service")
    if metrics:
        obs.service = metrics.get("service") or obs.service
        points = [p for p in metrics.get("points", []) if isinstance(p, dict) and parse_ts(p.get("timestamp"))]
        points.sort(key=lambda p: parse_ts(p["timestamp"]))
        obs.metric_points = points
        obs.metric_times = [parse_ts(p["timestamp"]) for p in points]
    if summary:
        obs.signatures = merge_families([_signature(s) for s in summary.get("signatures", []) if isinstance(s, dict)])
        unreadable = [str(f) for f in summary.get("unreadable") or [] if isinstance(f, str)]
        if unreadable:
            obs.missing[f"log file{'s' if len(unreadable) > 1 else ''} {', '.join(unreadable)}"] = (
                "the logs server could not read them, so their lines are in none of the counts"
            )
        if summary.get("truncated") and "stopped" in str(summary.get("note", "")):
            # a scan that ran out of time: the counts cover only part of the logs
            await tools.note(f"the log summary is partial: {summary['note']}", "warning")
        obs.volume = sorted(
            (parse_ts(v[0]), int(v[1]), int(v[2]), int(v[3]) if len(v) > 3 else 0)
            for v in summary.get("volume", [])
            if isinstance(v, list | tuple) and len(v) >= 3 and parse_ts(v[0])
        )

    deploys, commits = await asyncio.gather(
        _call(tools, "get_deployments", {"limit": 50}, obs, "deployments"),
        _call(tools, "get_recent_commits", {"limit": 100}, obs, "commits"),
    )
    known: dict[str, Commit] = {}
    if commits:
        for c in commits.get("commits", []):
            if isinstance(c, dict) and c.get("hash"):
                known[c["hash"]] = _commit(c)
        obs.commits = list(known.values())
    if deploys:
        for d in deploys.get("deployments", []):
            at = parse_ts(d.get("deployed_at")) if isinstance(d, dict) else None
            if not at or not d.get("version"):
                continue
            cs = []
            for c in d.get("commits", []) or []:
                if isinstance(c, dict) and c.get("hash"):
                    cs.append(known.get(c["hash"]) if c.get("message") is None and c["hash"] in known else _commit(c))
                elif isinstance(c, str):
                    cs.append(known.get(c, Commit(c, "", [])))
            obs.deploys.append(Deploy(str(d["version"]), at, str(d.get("status") or "success"), [c for c in cs if c]))
        obs.deploys.sort(key=lambda d: d.at)
    return obs


# What still varies inside one message after the server's folding: a request line quoted in a
# proxy's error (`request: "GET /api/cart HTTP/1.1"`), a URL's path and query, a placeholder
# with the rest of an id glued to it (`<id>fbd`). Lines that differ only there are one message.
_QUOTED_REQUEST = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^"]*(?:"|…?$)')
_QUOTED_URL = re.compile(r'"https?://[^"]*(?:"|…?$)')
_URL_PATH = re.compile(r"(https?://[^/\s\"']+)/[^\s\"']*")
_GLUED = re.compile(r"(<[a-z]+>)[A-Za-z0-9]+|[A-Za-z0-9]+(<[a-z]+>)")


def family(text: str) -> str:
    """The message a signature belongs to, for counting one failure once."""
    text = _QUOTED_REQUEST.sub('"<request>"', text)
    text = _QUOTED_URL.sub("<str>", text)
    text = _URL_PATH.sub(r"\1/…", text)
    return _GLUED.sub(lambda m: m.group(1) or m.group(2), text)


def merge_families(signatures: list[Signature]) -> list[Signature]:
    """One signature per message: per-endpoint or per-id variants of one line merged.

    A proxy's error names the request it failed (`request: "GET /api/cart"`), so one failure
    arrives as five signatures; counted apart, each looks small, and five look like five causes.
    The merged signature keeps the largest member's text and example.
    """
    keys = {id(s): (s.level, s.component, family(s.text)) for s in signatures}
    # the server cuts long signatures at a fixed length: a cut one belongs with the whole one
    # that starts the same way
    whole = sorted({k for k in keys.values() if not k[2].endswith("…")}, key=lambda k: -len(k[2]))
    for sid, (level, component, text) in list(keys.items()):
        if text.endswith("…"):
            prefix = text[:-1].rstrip("<")
            match = next((k for k in whole if k[:2] == (level, component) and k[2].startswith(prefix)), None)
            if match is not None:
                keys[sid] = match
    groups: dict[tuple[str, str | None, str], list[Signature]] = defaultdict(list)
    for s in signatures:
        groups[keys[id(s)]].append(s)
    out = []
    for members in groups.values():
        if len(members) == 1:
            out.append(members[0])
            continue
        top = max(members, key=lambda m: m.count)
        per_minute: dict[datetime, int] = defaultdict(int)
        for m in members:
            for t, c in m.per_minute:
                per_minute[t] += c
        firsts = [m.first_seen for m in members if m.first_seen]
        lasts = [m.last_seen for m in members if m.last_seen]
        out.append(Signature(
            top.text, top.level, top.component, sum(m.count for m in members),
            min(firsts) if firsts else None, max(lasts) if lasts else None, sorted(per_minute.items()), top.example,
        ))
    return sorted(out, key=lambda s: -s.count)


async def lines_of_every_level(tools: ToolSession, since: datetime, until: datetime) -> list[Signature]:
    """Signatures of every level in a window: what a load balancer or a proxy logs as ordinary
    lines (`SSL handshake failure` at no level) when users stop getting through."""
    if not tools.has("summarize_errors"):
        return []
    result = await tools.call("summarize_errors", {
        "file": "*", "min_level": "INFO", "limit": 100,
        "since": iso_z(since), "until": iso_z(until),
    })
    if not result.ok or not isinstance(result.data, dict):
        return []
    return [_signature(s) for s in result.data.get("signatures", []) if isinstance(s, dict)]


def _signature(s: dict[str, Any]) -> Signature:
    per_minute = []
    for item in s.get("per_minute", []) or []:
        if isinstance(item, list | tuple) and len(item) >= 2 and parse_ts(item[0]):
            per_minute.append((parse_ts(item[0]), int(item[1])))
    return Signature(
        text=str(s.get("signature", "")),
        level=str(s.get("level", "")).upper(),
        component=s.get("component"),
        count=int(s.get("count", 0) or 0),
        first_seen=parse_ts(s.get("first_seen")),
        last_seen=parse_ts(s.get("last_seen")),
        per_minute=sorted(per_minute),
        example=str(s.get("example") or s.get("signature") or ""),
    )


def _commit(c: dict[str, Any]) -> Commit:
    return Commit(
        hash=str(c.get("hash")),
        message=str(c.get("message") or ""),
        files=[str(f) for f in c.get("files_changed") or [] if isinstance(f, str)],
        author=c.get("author"),
        timestamp=parse_ts(c.get("timestamp")),
        deployed_at=parse_ts(c.get("deployed_at")),
    )
