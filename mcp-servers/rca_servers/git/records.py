"""Commits and deployments as both backends answer them, and how a commit is tied to its deployment.

The two backends (a recorded file, a live repository) differ in where the data comes from;
what a commit looks like to the caller, and which deployment shipped it, must not differ.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rca_servers.common import ToolError, iso

# A huge commit (a vendored tree) must not swamp a reply; the caller is told how many there were.
FILES_CAP = 200
# A deployment of a long-lived branch can carry hundreds of commits; the newest are what matter.
DEPLOY_COMMITS_CAP = 50
# Long commit bodies are cut visibly, never silently.
MESSAGE_CAP = 2000
# Shorter hash prefixes than this match too much to be evidence of the same commit.
MIN_HASH_PREFIX = 4


@dataclass(frozen=True)
class Commit:
    hash: str
    author: str | None
    timestamp: datetime | None
    message: str | None
    files_changed: tuple[str, ...] = ()
    # When the record itself says it was deployed (the seed's files do); else derived.
    deployed_at: datetime | None = None

    def brief(self) -> dict[str, Any]:
        """The commit as listed inside a deployment: what it changed, not where it went."""
        message = self.message
        if message is not None and len(message) > MESSAGE_CAP:
            message = f"{message[:MESSAGE_CAP]}… [message cut at {MESSAGE_CAP} of {len(message)} characters]"
        out: dict[str, Any] = {
            "hash": self.hash,
            "author": self.author,
            "timestamp": iso(self.timestamp),
            "message": message,
            "files_changed": list(self.files_changed[:FILES_CAP]),
        }
        if len(self.files_changed) > FILES_CAP:
            out["files_changed_total"] = len(self.files_changed)
        return out

    def full(self, shipped_by: Deployment | None) -> dict[str, Any]:
        """The commit with the deployment that shipped it, if any."""
        out = self.brief()
        deployed_at = self.deployed_at or (shipped_by.deployed_at if shipped_by else None)
        out["deployed_at"] = iso(deployed_at)
        out["deployed_in"] = shipped_by.version if shipped_by else None
        return out


@dataclass(frozen=True)
class Deployment:
    version: str | None
    deployed_at: datetime | None
    status: str | None
    commits: tuple[str, ...]  # hashes as recorded: short or full


def same_commit(a: str, b: str) -> bool:
    """Short and full hashes of one commit are prefixes of each other."""
    a, b = a.lower(), b.lower()
    if min(len(a), len(b)) < MIN_HASH_PREFIX:
        return a == b
    return a.startswith(b) or b.startswith(a)


def hash_matches(stored: str, query: str) -> bool:
    """A hash query matches by prefix, either way: a caller may hold the full hash of a seed's short one."""
    return same_commit(stored, query)


class DeploymentIndex:
    """Which deployment shipped a commit, from the deployments' commit lists.

    A commit listed by several deployments (shipped, rolled back, shipped again) was first
    shipped by the earliest; a commit that records its own deployed_at belongs to the
    deployment at that moment.
    """

    def __init__(self, deployments: Iterable[Deployment]):
        self._deployments = list(deployments)
        self._by_prefix: dict[str, list[tuple[str, Deployment]]] = {}
        for d in self._deployments:
            for h in d.commits:
                self._by_prefix.setdefault(h[:MIN_HASH_PREFIX].lower(), []).append((h, d))

    def shipped_by(self, commit: Commit) -> Deployment | None:
        candidates = [
            d for h, d in self._by_prefix.get(commit.hash[:MIN_HASH_PREFIX].lower(), []) if same_commit(h, commit.hash)
        ]
        if commit.deployed_at is not None:
            at_that_time = [d for d in candidates if d.deployed_at == commit.deployed_at]
            if at_that_time:
                return at_that_time[0]
            if not candidates:
                # The record says when it shipped but no deployment lists it: name the one
                # deployment at that moment, if exactly one; never guess between several.
                same_moment = [d for d in self._deployments if d.deployed_at == commit.deployed_at]
                return same_moment[0] if len(same_moment) == 1 else None
        if not candidates:
            return None
        return min(candidates, key=lambda d: d.deployed_at or datetime.max.replace(tzinfo=UTC))


def deployment_view(
    d: Deployment, lookup: Callable[[str], Commit | None], cap: int = DEPLOY_COMMITS_CAP
) -> dict[str, Any]:
    """A deployment with its commit hashes expanded; a hash we do not know stays a bare hash."""
    known: list[Commit] = []
    unknown: list[dict[str, Any]] = []
    for h in d.commits[:cap]:
        c = lookup(h)
        if c is not None:
            known.append(c)
        else:
            unknown.append({"hash": h, "message": None})
    commits = [c.brief() for c in newest_first(known, lambda c: c.timestamp)] + unknown
    return {
        "version": d.version,
        "deployed_at": iso(d.deployed_at),
        "status": d.status,
        "commits": commits,
        "commits_truncated": len(d.commits) > cap,
    }


def path_problem(query: str) -> str | None:
    """Why `query` cannot be searched for as a path inside the repository, or None when it can."""
    if ".." in re.split(r"[\\/]", query):
        return "leaves the repository ('..')"
    if os.path.isabs(query) or query.startswith(("/", "\\", "~")):
        return "is absolute"
    if query.startswith("-"):
        return "looks like a command-line option"
    if query.startswith(":"):
        return "starts with ':', which git reads as pathspec magic"
    return None


def newest_first(items: list[Any], key: Callable[[Any], datetime | None]) -> list[Any]:
    """Newest first; records without a time go last, in their recorded order."""
    floor = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda x: key(x) or floor, reverse=True)


# --- reading the seed's JSON shape -------------------------------------------------------


def _time(value: Any, *, where: str, field: str, source: Path, required: bool) -> datetime | None:
    if value is None or value == "":
        if required:
            raise ToolError(f"{where} in {str(source)!r} has no {field}; every entry needs one (RFC 3339).")
        return None
    if not isinstance(value, str):
        raise ToolError(f"{where} in {str(source)!r} has {field}={value!r}, not a time; write RFC 3339.")
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ToolError(f"{where} in {str(source)!r} has {field}={value!r}, not a time; write RFC 3339.") from None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_commits(raw: Any, source: Path) -> list[Commit]:
    if not isinstance(raw, list):
        raise ToolError(f"'commits' in {str(source)!r} is not a list; write a list of commit objects.")
    out = []
    for i, c in enumerate(raw):
        where = f"commit #{i + 1}"
        if not isinstance(c, dict):
            raise ToolError(f"{where} in {str(source)!r} is not an object; write {{\"hash\": ..., \"timestamp\": ...}}.")
        h = c.get("hash")
        if not isinstance(h, str) or not h.strip():
            raise ToolError(f"{where} in {str(source)!r} has no hash; every commit needs one.")
        files = c.get("files_changed") or []
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list):
            raise ToolError(f"{where} in {str(source)!r}: files_changed is not a list of paths.")
        out.append(
            Commit(
                hash=h.strip(),
                author=_text(c.get("author")),
                timestamp=_time(c.get("timestamp"), where=where, field="timestamp", source=source, required=True),
                message=_text(c.get("message")),
                files_changed=tuple(str(f) for f in files),
                deployed_at=_time(c.get("deployed_at"), where=where, field="deployed_at", source=source, required=False),
            )
        )
    return out


def parse_deployments(raw: Any, source: Path) -> list[Deployment]:
    if not isinstance(raw, list):
        raise ToolError(f"'deployments' in {str(source)!r} is not a list; write a list of deployment objects.")
    out = []
    for i, d in enumerate(raw):
        where = f"deployment #{i + 1}"
        if not isinstance(d, dict):
            raise ToolError(f"{where} in {str(source)!r} is not an object; write {{\"version\": ..., \"deployed_at\": ...}}.")
        hashes = d.get("commits") or []
        if not isinstance(hashes, list):
            raise ToolError(f"{where} in {str(source)!r}: commits is not a list of hashes.")
        # A file may already hold expanded commits; take their hashes.
        hashes = [h.get("hash") if isinstance(h, dict) else h for h in hashes]
        out.append(
            Deployment(
                version=_text(d.get("version")),
                deployed_at=_time(d.get("deployed_at"), where=where, field="deployed_at", source=source, required=True),
                status=_text(d.get("status")),
                commits=tuple(str(h).strip() for h in hashes if h),
            )
        )
    return out


def deployments_from_document(doc: Any, source: Path) -> list[Deployment]:
    """A deployments file: the seed's whole document, {"deployments": [...]}, or a bare list."""
    if isinstance(doc, dict):
        if "deployments" not in doc:
            raise ToolError(f"{str(source)!r} has no 'deployments' list; write {{\"deployments\": [...]}}.")
        return parse_deployments(doc["deployments"], source)
    return parse_deployments(doc, source)
