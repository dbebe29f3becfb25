"""Commits and deployments read from a real repository through `git log`.

Deployments come from release tags (`GIT_DEPLOY_TAG_PATTERN`, default `v*`) or, where tags
are not how a team ships, from a deployments file in the seed's shape (`GIT_DEPLOYMENTS_FILE`).

Safety, because tool arguments come from a model and the repository path from configuration:
git runs with a timeout, no pager, no terminal prompts and no optional locks; nothing a caller
sends is ever placed where git would read an option (values are attached to their option
as `--grep=<q>`, paths go after `--`, revisions are hex ids we resolved ourselves); repository
discovery cannot climb above the configured path. A bad path is an error when a tool is called,
so the server still starts and says what to fix.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rca_servers.common import ToolError, Window, read_json, resolve_window

from .records import (
    DEPLOY_COMMITS_CAP,
    Commit,
    Deployment,
    DeploymentIndex,
    deployment_view,
    deployments_from_document,
    newest_first,
    path_problem,
)

GIT_TIMEOUT_S = 10.0
# Commits counted into one tag's deployment; beyond this the deployment says commits_truncated.
RANGE_CAP = 1000
# Tags examined to find which one shipped the listed commits, per call.
TAG_SCAN_CAP = 200
# Commits scanned for a hash prefix.
HASH_SCAN_CAP = 200_000
# Tags dated a little before a commit may still contain it (clock skew between machines).
CLOCK_SKEW = timedelta(days=1)
DETAILS_CACHE = 10_000

# One record per commit: a separator git never writes in our fields, then NUL-separated fields;
# with -z and --name-only the changed paths follow, NUL-separated.
_FORMAT = "--format=%x1e%H%x00%an%x00%ae%x00%cI%x00%B%x00"
_RECORD = re.compile(rb"\x1e(?=[0-9a-f]{40,64}\x00)")
_HEX = re.compile(r"^[0-9a-fA-F]{4,64}$")
_REF = re.compile(r"^[A-Za-z0-9._/@{}~^+][A-Za-z0-9._/@{}~^+-]*$")
_TAG_PATTERN = re.compile(r"^[A-Za-z0-9._*?\[\]/+@][A-Za-z0-9._*?\[\]/+@-]*$")
_GLOB_CHARS = re.compile(r"([*?\[\]\\])")


@dataclass(frozen=True)
class _Tag:
    name: str
    deployed_at: datetime
    commit: str  # the commit the tag points at (peeled for annotated tags)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).astimezone(UTC)


def parse_log(out: bytes) -> list[Commit]:
    """Parse `git log -z --name-only` output written with `_FORMAT`."""
    commits = []
    for chunk in _RECORD.split(out):
        if not chunk.strip(b"\x00\n"):
            continue
        parts = chunk.decode("utf-8", errors="replace").split("\x00")
        if len(parts) < 5:
            continue
        h, name, email, when, body = parts[:5]
        files = tuple(p.strip("\n") for p in parts[5:] if p.strip("\n"))
        commits.append(
            Commit(
                hash=h,
                author=email or name or None,
                timestamp=_when(when),
                message=body.strip(),
                files_changed=files,
            )
        )
    return commits


def path_pathspec(query: str) -> str:
    """A case-insensitive substring of a changed path, as a pathspec that cannot widen itself."""
    return ":(icase)*" + _GLOB_CHARS.sub(r"\\\1", query) + "*"


class RepoBackend:
    def __init__(
        self,
        repo: Path,
        *,
        tag_pattern: str = "v*",
        deployments_file: Path | None = None,
        ref: str = "HEAD",
        timeout: float = GIT_TIMEOUT_S,
    ):
        self.repo = Path(repo).expanduser()
        self.tag_pattern = tag_pattern
        self.deployments_file = Path(deployments_file) if deployments_file else None
        self.ref = ref
        self.timeout = timeout
        self._lock = threading.Lock()
        self._ranges: dict[tuple[str | None, str], tuple[str, ...]] = {}
        self._details: OrderedDict[str, Commit] = OrderedDict()
        self._file_cache: tuple[tuple[int, int], list[Deployment]] | None = None

    def describe(self) -> str:
        source = f"deployments file {self.deployments_file}" if self.deployments_file else f"tags {self.tag_pattern}"
        return f"repository {self.repo} ({self.ref}; deployments from {source})"

    # --- running git ---------------------------------------------------------------------

    def _env(self, root: Path) -> dict[str, str]:
        # Inherited GIT_DIR, GIT_WORK_TREE and the like would point git somewhere else.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            GIT_TERMINAL_PROMPT="0",
            GIT_OPTIONAL_LOCKS="0",
            GIT_PAGER="cat",
            PAGER="cat",
            LC_ALL="C",
            GIT_CEILING_DIRECTORIES=str(root.parent),
        )
        return env

    def _git(self, *args: str, stdin: bytes | None = None, empty_on_exit: int | None = None) -> bytes:
        if not self.repo.is_dir():
            raise ToolError(
                f"GIT_REPO={str(self.repo)!r} is not a directory; set GIT_REPO to the path of a git repository on this machine."
            )
        root = self.repo.resolve()
        cmd = [
            "git",
            "--no-pager",
            "-C",
            str(root),
            "-c",
            "core.fsmonitor=false",
            "-c",
            "log.showSignature=false",
            "-c",
            "log.showRoot=true",
            "-c",
            "core.quotePath=false",
            *args,
        ]
        try:
            proc = subprocess.run(
                cmd,
                input=stdin if stdin is not None else b"",
                capture_output=True,
                timeout=self.timeout,
                env=self._env(root),
                check=False,
            )
        except FileNotFoundError:
            raise ToolError("git is not installed on the server's machine; install git or use GIT_COMMITS_FILE.") from None
        except subprocess.TimeoutExpired:
            raise ToolError(
                f"git took longer than {self.timeout:g} s reading {str(root)!r}; narrow the window or lower the limit."
            ) from None
        if proc.returncode != 0 and proc.returncode == empty_on_exit:
            return b""
        if proc.returncode != 0:
            raise self._failure(proc.stderr.decode("utf-8", errors="replace"))
        return proc.stdout

    def _failure(self, stderr: str) -> ToolError:
        text = stderr.strip()
        low = text.lower()
        if "not a git repository" in low:
            return ToolError(f"GIT_REPO={str(self.repo)!r} is not a git repository; point GIT_REPO at a clone's top directory.")
        if "dubious ownership" in low:
            return ToolError(
                f"git refuses to read {str(self.repo)!r}: it belongs to another user; add it to git's safe.directory "
                "for the user running the server."
            )
        first = text.splitlines()[0] if text else "no message"
        return ToolError(f"git failed reading {str(self.repo)!r}: {first[:300]}")

    def _head(self) -> str:
        if not _REF.match(self.ref) or ".." in self.ref:
            raise ToolError(f"GIT_REF={self.ref!r} is not a branch, tag or commit name; set it to e.g. 'main' or 'HEAD'.")
        # --verify --quiet exits 1, silently, when the name resolves to nothing.
        out = self._git("rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}", empty_on_exit=1)
        head = out.decode().strip()
        if not head:
            raise ToolError(
                f"{self.ref!r} names no commit in {str(self.repo)!r} (an empty repository?); "
                "commit first, or set GIT_REF to an existing branch."
            )
        return head

    def _log(self, *args: str, stdin: bytes | None = None) -> list[Commit]:
        return parse_log(self._git("log", _FORMAT, "-z", "--name-only", *args, stdin=stdin))

    def _commits_by_id(self, ids: list[str]) -> dict[str, Commit]:
        """Full commit records for resolved ids, cached: a commit never changes."""
        with self._lock:
            have = {i: self._details[i] for i in ids if i in self._details}
        missing = [i for i in dict.fromkeys(ids) if i not in have]
        if missing:
            fetched = self._log("--no-walk=unsorted", "--stdin", stdin="\n".join(missing).encode() + b"\n")
            with self._lock:
                for c in fetched:
                    have[c.hash] = c
                    self._details[c.hash] = c
                while len(self._details) > DETAILS_CACHE:
                    self._details.popitem(last=False)
        return have

    def _resolve(self, hashes: list[str]) -> dict[str, str]:
        """Recorded (often short) hashes -> full commit ids; unknown or ambiguous ones are left out."""
        wanted = [h for h in dict.fromkeys(hashes) if _HEX.match(h)]
        if not wanted:
            return {}
        out = self._git(
            "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="".join(f"{h}\n" for h in wanted).encode()
        )
        resolved = {}
        for h, line in zip(wanted, out.decode().splitlines(), strict=False):
            parts = line.split()
            if len(parts) == 2 and parts[1] == "commit":
                resolved[h] = parts[0]
        return resolved

    # --- the tools' questions ------------------------------------------------------------

    def window(self, since: str | None, until: str | None) -> Window:
        # A repository is live: relative times are against the clock.
        return resolve_window(since, until, datetime.now(UTC))

    def commits(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]:
        args = [f"--max-count={limit + 1}"]
        if window.since is not None:
            args.append(f"--since=@{math.ceil(window.since.timestamp())}")
        if window.until is not None:
            args.append(f"--until=@{math.floor(window.until.timestamp())}")
        found = [c for c in self._log(*args, self._head(), "--") if c.timestamp and window.contains(c.timestamp)]
        return self._with_deployments(found[:limit]), len(found) > limit

    def search(self, query: str, field: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
        head = self._head()
        n = f"--max-count={limit + 1}"
        found: dict[str, Commit] = {}
        if field in ("message", "any"):
            found.update((c.hash, c) for c in self._log("-i", "-F", f"--grep={query}", n, head, "--"))
        if field in ("author", "any"):
            found.update((c.hash, c) for c in self._log("-i", "-F", f"--author={query}", n, head, "--"))
        if field == "path" or (field == "any" and path_problem(query) is None):
            found.update((c.hash, c) for c in self._log("--full-diff", n, head, "--", path_pathspec(query)))
        if field == "hash" or (field == "any" and _HEX.match(query)):
            ids = self._git("rev-list", f"--max-count={HASH_SCAN_CAP}", head, "--").decode().split()
            q = query.lower()
            hits = [i for i in ids if i.startswith(q)][: limit + 1]
            found.update(self._commits_by_id(hits))
        ordered = newest_first(list(found.values()), lambda c: c.timestamp)
        return self._with_deployments(ordered[:limit]), len(ordered) > limit

    def deployments(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]:
        if self.deployments_file is not None:
            recorded = self._recorded_deployments()
            hits = [d for d in recorded if d.deployed_at and window.contains(d.deployed_at)]
            shown = hits[:limit]
            wanted = [h for d in shown for h in d.commits[:DEPLOY_COMMITS_CAP]]
            resolved = self._resolve(wanted)
            details = self._commits_by_id(list(resolved.values()))

            def lookup(h: str) -> Commit | None:
                return details.get(resolved.get(h, ""))
            return [deployment_view(d, lookup) for d in shown], len(hits) > limit

        tags = self._tags()
        previous = {t.name: (tags[i - 1].commit if i else None) for i, t in enumerate(tags)}
        hits = [t for t in reversed(tags) if window.contains(t.deployed_at)]
        shown = [self._tag_deployment(t, previous[t.name]) for t in hits[:limit]]
        details = self._commits_by_id([h for d in shown for h in d.commits[:DEPLOY_COMMITS_CAP]])
        return [deployment_view(d, details.get) for d in shown], len(hits) > limit

    # --- deployments -------------------------------------------------------------------------

    def _recorded_deployments(self) -> list[Deployment]:
        assert self.deployments_file is not None
        path = self.deployments_file
        try:
            st = path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp is not None and self._file_cache is not None and self._file_cache[0] == stamp:
                return self._file_cache[1]
        doc = read_json(path, what="deployments", env_var="GIT_DEPLOYMENTS_FILE")
        deployments = newest_first(deployments_from_document(doc, path), lambda d: d.deployed_at)
        if stamp is not None:
            with self._lock:
                self._file_cache = (stamp, deployments)
        return deployments

    def _tags(self) -> list[_Tag]:
        """Matching tags, oldest first; a tag's date is its tagger date, or its commit's date if lightweight."""
        pattern = self.tag_pattern
        if not _TAG_PATTERN.match(pattern) or ".." in pattern:
            raise ToolError(
                f"GIT_DEPLOY_TAG_PATTERN={pattern!r} is not a tag pattern; use a glob such as 'v*' or 'release-*'."
            )
        out = self._git(
            "for-each-ref",
            "--sort=version:refname",
            "--sort=creatordate",
            "--format=%(refname:strip=2)%00%(creatordate:iso-strict)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)",
            f"refs/tags/{pattern}",
        )
        tags = []
        for line in out.decode("utf-8", errors="replace").splitlines():
            fields = line.split("\x00")
            if len(fields) != 6 or not fields[1]:
                continue
            name, when, kind, obj, peeled_kind, peeled = fields
            if kind == "commit":
                commit = obj
            elif kind == "tag" and peeled_kind == "commit":
                commit = peeled
            else:  # a tag on a tree or blob, or on another tag: not a release of code
                continue
            tags.append(_Tag(name, _when(when), commit))
        return tags

    def _range(self, prev: str | None, cur: str) -> tuple[str, ...]:
        """Commits in cur and not in prev, newest first; cached, since ids never change meaning."""
        key = (prev, cur)
        with self._lock:
            if key in self._ranges:
                return self._ranges[key]
        args = ["rev-list", f"--max-count={RANGE_CAP + 1}", cur]
        if prev is not None:
            args.append(f"^{prev}")
        ids = tuple(self._git(*args, "--").decode().split())
        with self._lock:
            self._ranges[key] = ids
        return ids

    def _tag_deployment(self, tag: _Tag, prev: str | None) -> Deployment:
        return Deployment(tag.name, tag.deployed_at, "success", self._range(prev, tag.commit))

    def _with_deployments(self, commits: list[Commit]) -> list[dict[str, Any]]:
        """Each commit with the deployment that first shipped it."""
        if not commits:
            return []
        if self.deployments_file is not None:
            index = DeploymentIndex(self._recorded_deployments())
            return [c.full(index.shipped_by(c)) for c in commits]
        shipped: dict[str, Deployment] = {}
        pending = {c.hash for c in commits}
        oldest = min(c.timestamp for c in commits if c.timestamp) - CLOCK_SKEW
        tags = self._tags()
        scanned = 0
        for i, tag in enumerate(tags):
            if tag.deployed_at < oldest:
                continue
            deployment = self._tag_deployment(tag, tags[i - 1].commit if i else None)
            for h in pending.intersection(deployment.commits):
                shipped[h] = deployment
            pending.difference_update(deployment.commits)
            scanned += 1
            if not pending or scanned >= TAG_SCAN_CAP:
                break
        return [c.full(shipped.get(c.hash)) for c in commits]

