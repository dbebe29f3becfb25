"""What the tools actually returned, kept to check the model's claims against.

A model quotes hashes and versions from memory and can misremember them, or invent a plausible
`v2.4.1`. Every result the investigation sees (the head start's and the model's own) is read
here by shape, not by server name, so any server that returns commits (`hash`) or deployments
(`version` with `deployed_at`/`commits`) counts: a claim is kept only when the data holds it.

Times are split in two: change records (commits, deployments) and observations (metric points,
log lines, anomalies). An onset is checked against the observations' span: the impact began
when something was seen, not when a commit was written the day before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.engine.router import ToolResult

_ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b")
HEX_TOKEN = re.compile(r"\b[0-9a-f]{7,40}\b", re.I)
VERSION_TOKEN = re.compile(r"\bv\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z.]+)?\b")

_CHANGE_KEYS = ("hash", "version")  # a dict holding one of these is a change record


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _ISO.fullmatch(text):
        return None
    text = text.replace(" ", "T", 1).replace("z", "Z").replace("Z", "+00:00")
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def looks_like_hash(token: str) -> bool:
    """Hex with both digits and letters: `3b0bb08` is a hash, `20260217` and `deadbeef` are not."""
    return bool(re.search(r"\d", token)) and bool(re.search(r"[a-f]", token, re.I))


@dataclass
class Facts:
    commits: dict[str, str] = field(default_factory=dict)  # lowercase hash -> as the tool gave it
    versions: dict[str, str] = field(default_factory=dict)  # normalised -> as the tool gave it
    observed: list[datetime] = field(default_factory=list)
    change_times: list[datetime] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)  # hex and version tokens anywhere in a result
    git_seen: bool = False  # some result listed commits or deployments (even none)
    tools_called: set[str] = field(default_factory=set)

    def observe(self, name: str, result: ToolResult) -> None:
        if not result.ok:
            return
        self.tools_called.add(name)
        self.tools_called.add(result.tool)
        if isinstance(result.data, dict):
            if any(isinstance(result.data.get(k), list) for k in ("commits", "deployments")):
                self.git_seen = True
            self._walk(result.data, change=False)
        else:
            for m in _ISO.finditer(result.text or ""):
                t = parse_time(m.group(0))
                if t:
                    self.observed.append(t)
        text = result.text or ""
        self.tokens |= {t.lower() for t in HEX_TOKEN.findall(text)}
        self.tokens |= {t.lower() for t in VERSION_TOKEN.findall(text)}

    def _walk(self, value: Any, *, change: bool, key: str | None = None) -> None:
        if isinstance(value, dict):
            is_change = change or any(isinstance(value.get(k), str) for k in _CHANGE_KEYS)
            h = value.get("hash")
            if isinstance(h, str) and h.strip():
                self.commits.setdefault(h.strip().lower(), h.strip())
            v = value.get("version")
            if isinstance(v, str) and v.strip() and ("deployed_at" in value or "commits" in value):
                self.versions.setdefault(_norm_version(v), v.strip())
            d = value.get("deployed_in")
            if isinstance(d, str) and d.strip():
                self.versions.setdefault(_norm_version(d), d.strip())
            for k, v2 in value.items():
                if k == "window":  # the caller's own request echoed back, not data
                    continue
                self._walk(v2, change=is_change, key=k)
        elif isinstance(value, list):
            for item in value:
                self._walk(item, change=change, key=key)
        elif isinstance(value, str):
            t = parse_time(value)
            if t is not None:
                (self.change_times if change else self.observed).append(t)

    # -- lookups --------------------------------------------------------------------------------

    def commit(self, ref: str) -> str | None:
        """The commit as the data names it: exact, or one a prefix of the other (7+ characters)."""
        r = ref.strip().lower()
        if r in self.commits:
            return self.commits[r]
        if len(r) < 7:
            return None
        hits = {full for h, full in self.commits.items() if h.startswith(r) or r.startswith(h) and len(h) >= 7}
        return hits.pop() if len(hits) == 1 else None

    def version(self, ref: str) -> str | None:
        return self.versions.get(_norm_version(ref))

    def known_token(self, token: str) -> bool:
        t = token.lower()
        return t in self.tokens or self.commit(t) is not None or self.version(t) is not None

    def span(self) -> tuple[datetime, datetime] | None:
        """When the data observed anything; None when no tool returned timed observations."""
        if not self.observed:
            return None
        return min(self.observed), max(self.observed)

    def full_span(self) -> tuple[datetime, datetime] | None:
        times = self.observed + self.change_times
        return (min(times), max(times)) if times else None

    def describe_changes(self, limit: int = 8) -> str:
        versions = list(self.versions.values())[:limit]
        commits = list(self.commits.values())[:limit]
        parts = []
        if versions:
            parts.append("versions " + ", ".join(versions))
        if commits:
            parts.append("commits " + ", ".join(commits))
        return "; ".join(parts) or "none (no tool returned commits or deployments)"


def _norm_version(v: str) -> str:
    v = v.strip().lower()
    return v[1:] if v.startswith("v") and len(v) > 1 and v[1].isdigit() else v
