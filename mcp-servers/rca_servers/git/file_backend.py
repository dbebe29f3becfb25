"""Commits and deployments recorded in a JSON file (the seed's `recent_commits.json`).

Recorded data has its own clock: `now` is the end of the data (the latest commit or
deployment), so `now-2h` means the two hours before the recording ends, whenever it is read.
The file is read when a tool is called, not when the server starts, so a missing or broken
file is an error a caller can read, and an edited file is picked up without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rca_servers.common import ParsedFile, ToolError, Window, read_json, resolve_window

from .records import (
    Commit,
    Deployment,
    DeploymentIndex,
    deployment_view,
    hash_matches,
    newest_first,
    parse_commits,
    parse_deployments,
)

ENV_VAR = "GIT_COMMITS_FILE"


@dataclass(frozen=True)
class _Data:
    commits: list[Commit]
    deployments: list[Deployment]
    index: DeploymentIndex
    end: datetime | None

    def lookup(self, h: str) -> Commit | None:
        for c in self.commits:
            if hash_matches(c.hash, h):
                return c
        return None


class FileBackend:
    """The seed's format: {"commits": [...], "deployments": [...]}; a bare list is commits only."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = ParsedFile(self.path, _parse)

    def describe(self) -> str:
        return f"commits file {self.path}"

    def _load(self) -> _Data:
        return self._file.load()

    def window(self, since: str | None, until: str | None) -> Window:
        data = self._load()
        if data.end is None:  # an empty recording has no end of its own
            return resolve_window(since, until, datetime.now(UTC))
        return resolve_window(since, until, data.end, now_is_data_end=True)

    def commits(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]:
        data = self._load()
        hits = [c for c in data.commits if c.timestamp is not None and window.contains(c.timestamp)]
        return [c.full(data.index.shipped_by(c)) for c in hits[:limit]], len(hits) > limit

    def deployments(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]:
        data = self._load()
        hits = [d for d in data.deployments if d.deployed_at is not None and window.contains(d.deployed_at)]
        return [deployment_view(d, data.lookup) for d in hits[:limit]], len(hits) > limit

    def search(self, query: str, field: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
        data = self._load()
        q = query.lower()

        def match(c: Commit) -> bool:
            checks = {
                "message": lambda: q in (c.message or "").lower(),
                "author": lambda: q in (c.author or "").lower(),
                "path": lambda: any(q in f.lower() for f in c.files_changed),
                "hash": lambda: hash_matches(c.hash, q),
            }
            if field == "any":
                return any(check() for check in checks.values())
            return checks[field]()

        hits = [c for c in data.commits if match(c)]
        return [c.full(data.index.shipped_by(c)) for c in hits[:limit]], len(hits) > limit


def _parse(path: Path) -> _Data:
    doc = read_json(path, what="git commits", env_var=ENV_VAR)
    if isinstance(doc, list):
        doc = {"commits": doc}
    if not isinstance(doc, dict) or "commits" not in doc:
        raise ToolError(f"{str(path)!r} has no 'commits' list; write {{\"commits\": [...], \"deployments\": [...]}}.")
    commits = newest_first(parse_commits(doc["commits"], path), lambda c: c.timestamp)
    deployments = newest_first(parse_deployments(doc.get("deployments") or [], path), lambda d: d.deployed_at)
    times = [c.timestamp for c in commits] + [c.deployed_at for c in commits] + [d.deployed_at for d in deployments]
    known = [t for t in times if t is not None]
    return _Data(commits, deployments, DeploymentIndex(deployments), max(known) if known else None)
