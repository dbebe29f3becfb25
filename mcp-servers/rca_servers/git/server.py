"""The git MCP server: what changed recently and what was deployed, for root-cause analysis.

Two backends answer the same three tools: a recorded JSON file (the seed's format) and a real
repository read with `git log`. Arguments are checked here, once, so both refuse the same
things with the same sentences; the backends only answer well-formed questions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Protocol

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from rca_servers.common import READ_ONLY, ToolError, Window, clamp_limit, env_path

from .file_backend import FileBackend
from .records import path_problem
from .repo_backend import RepoBackend

DEFAULT_COMMITS_FILE = Path(__file__).resolve().parents[2] / "git-server" / "data" / "recent_commits.json"
COMMITS_CAP = 200
DEPLOYMENTS_CAP = 100
QUERY_MAX = 200
FIELDS = ("any", "message", "author", "path", "hash")
TIME_ARG = "RFC 3339 (2026-02-17T14:30:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or relative ('now-2h')"


class GitBackend(Protocol):
    def describe(self) -> str: ...
    def window(self, since: str | None, until: str | None) -> Window: ...
    def commits(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]: ...
    def deployments(self, window: Window, limit: int) -> tuple[list[dict[str, Any]], bool]: ...
    def search(self, query: str, field: str, limit: int) -> tuple[list[dict[str, Any]], bool]: ...


def backend_from_env(default_commits_file: Path = DEFAULT_COMMITS_FILE) -> GitBackend:
    """GIT_REPO names a live repository; otherwise GIT_COMMITS_FILE (or the bundled demo file)."""
    repo = os.environ.get("GIT_REPO", "").strip()
    if repo:
        deployments_file = os.environ.get("GIT_DEPLOYMENTS_FILE", "").strip()
        return RepoBackend(
            Path(repo),
            tag_pattern=os.environ.get("GIT_DEPLOY_TAG_PATTERN", "").strip() or "v*",
            deployments_file=Path(deployments_file).expanduser() if deployments_file else None,
            ref=os.environ.get("GIT_REF", "").strip() or "HEAD",
        )
    return FileBackend(env_path("GIT_COMMITS_FILE", default_commits_file))


def check_query(query: str, field: str) -> tuple[str, str]:
    """Refuse what no backend should be asked, with a sentence saying what to send instead."""
    if not isinstance(field, str) or field.strip().lower() not in FIELDS:
        raise ToolError(f"field={field!r} is not one of {', '.join(FIELDS)}; send one of those (default 'any').")
    field = field.strip().lower()
    if not isinstance(query, str) or not query.strip():
        raise ToolError("query is empty; send words from a commit message, an author, a path or a hash.")
    query = query.strip()
    if "\x00" in query:
        raise ToolError("query contains a NUL byte; send plain text.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in query):
        raise ToolError("query contains control characters (a newline?); send one line of plain text.")
    if len(query) > QUERY_MAX:
        raise ToolError(f"query is {len(query)} characters long; send at most {QUERY_MAX}, the distinctive part.")
    if query.startswith("-"):
        raise ToolError(
            f"query {query!r} starts with '-' and looks like a command-line option; send the words without the leading dash."
        )
    if field == "path":
        problem = path_problem(query)
        if problem:
            raise ToolError(f"path {query!r} {problem}; send a path relative to the repository root, e.g. 'app/db/pool.py'.")
    if field == "hash" and not (4 <= len(query) <= 64 and all(ch in "0123456789abcdefABCDEF" for ch in query)):
        raise ToolError(f"hash {query!r} is not a commit hash; send at least 4 hex digits, e.g. 'b1dc3ae'.")
    return query, field


def build_server(
    backend: GitBackend | None = None,
    commits_file: Path | None = None,
    *,
    default_commits_file: Path | None = None,
) -> MCPServer:
    """The server over `backend`; else over `commits_file`; else as the environment says.

    An explicit `commits_file` wins over the environment (a test or a scenario run means that
    file); `default_commits_file` is only the fallback when neither GIT_REPO nor
    GIT_COMMITS_FILE is set (the entry point passes its bundled demo data).
    """
    if backend is None:
        if commits_file is not None:
            backend = FileBackend(Path(commits_file))
        else:
            backend = backend_from_env(default_commits_file or DEFAULT_COMMITS_FILE)
    source: GitBackend = backend

    app = MCPServer(
        "git",
        instructions=(
            "Recent commits and deployments of the service under investigation. Start with get_deployments "
            "around the incident's onset, then get_recent_commits or search_commits for what those deployments "
            f"changed. Reading from the {source.describe()}."
        ),
    )

    @app.tool(annotations=READ_ONLY)
    def get_recent_commits(
        limit: Annotated[int, Field(description=f"Most commits to return, newest first (1-{COMMITS_CAP}).")] = 20,
        since: Annotated[str | None, Field(description=f"Only commits at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only commits at or before this time: {TIME_ARG}.")] = None,
    ) -> dict[str, Any]:
        """Commits newest first, each with the files it changed and the deployment that shipped it.

        `deployed_in` is the version that first shipped the commit (null: not deployed yet).
        For recorded data, relative times count back from the end of the recording.
        """
        n = clamp_limit(limit, cap=COMMITS_CAP)
        window = source.window(since, until)
        commits, truncated = source.commits(window, n)
        return {"commits": commits, "window": window.describe(), "truncated": truncated}

    @app.tool(annotations=READ_ONLY)
    def get_deployments(
        limit: Annotated[int, Field(description=f"Most deployments to return, newest first (1-{DEPLOYMENTS_CAP}).")] = 20,
        since: Annotated[str | None, Field(description=f"Only deployments at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only deployments at or before this time: {TIME_ARG}.")] = None,
    ) -> dict[str, Any]:
        """Deployments newest first, with their status and the commits each shipped.

        status is passed through as recorded: success, rolled_back (this deployment was undone),
        rollback (this deployment undid an earlier one), failed, ... A commit hash the data does
        not know is kept as {"hash": ..., "message": null}.
        """
        n = clamp_limit(limit, cap=DEPLOYMENTS_CAP)
        window = source.window(since, until)
        deployments, truncated = source.deployments(window, n)
        return {"deployments": deployments, "window": window.describe(), "truncated": truncated}

    @app.tool(annotations=READ_ONLY)
    def search_commits(
        query: Annotated[
            str,
            Field(description="Text to find, case-insensitive: words of a message, an author, part of a path, or a hash prefix."),
        ],
        field: Annotated[
            str, Field(description="Where to look: 'any', 'message', 'author', 'path' or 'hash'.")
        ] = "any",
        limit: Annotated[int, Field(description=f"Most commits to return, newest first (1-{COMMITS_CAP}).")] = 20,
    ) -> dict[str, Any]:
        """Commits whose message, author, changed paths or hash match `query`, newest first.

        Paths match as a substring of a changed file's path ('pool' finds 'app/db/pool.py');
        hashes match by prefix, short or full.
        """
        q, f = check_query(query, field)
        n = clamp_limit(limit, cap=COMMITS_CAP)
        commits, truncated = source.search(q, f, n)
        return {"query": q, "field": f, "commits": commits, "truncated": truncated}

    return app
