"""What every bundled MCP server needs: time windows, confinement to its data, bounded results.

Errors are raised as `ToolError` with a sentence the caller (often a model) can act on:
what was wrong and what to send instead. The MCP SDK turns them into `is_error` results.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations

from rca_servers.isotime import iso

__all__ = [
    "READ_ONLY",
    "ToolError",
    "Window",
    "clamp_limit",
    "confined_path",
    "iso",
    "parse_time",
    "resolve_window",
]

# Every bundled tool only reads; none reaches beyond the data it is configured with.
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)

_RELATIVE = re.compile(r"^\s*now\s*(?:(?P<sign>[-+])\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d|w))?\s*$", re.I)
_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s|m|h|d|w)\s*$", re.I)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

TIME_HELP = "Send RFC 3339 (2026-02-17T14:30:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC), or relative ('now-1h', 'now-30m')."


# Times outside these are clamped: a caller asking for "everything since year 1" means everything,
# and datetime arithmetic must never overflow into a traceback.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)
LONGEST = timedelta(days=365 * 100)


def parse_duration(text: str) -> timedelta | None:
    """'90m', '1h', '2d' -> timedelta; None when it is not a duration. Over a century is refused."""
    m = _DURATION.match(text or "")
    if not m:
        return None
    seconds = float(m["n"]) * _UNITS[m["unit"].lower()]
    if seconds > LONGEST.total_seconds():
        raise ToolError(f"{text.strip()!r} is longer than a century; send a duration such as '30m', '6h' or '7d'.")
    return timedelta(seconds=seconds)


def _clamp(t: datetime) -> datetime:
    return min(max(t, EARLIEST), LATEST)


def parse_time(value: str | None, now: datetime, *, name: str = "time") -> datetime | None:
    """Parse an absolute or relative time; naive times are UTC.

    `now` is passed in, not read from the clock: for recorded data the servers resolve
    `now` to the end of the data, and say so in the window they echo back.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ToolError(f"{name} must be a string. {TIME_HELP}")
    text = value.strip()
    m = _RELATIVE.match(text)
    if m:
        if not m["sign"]:
            return now
        seconds = min(float(m["n"]) * _UNITS[m["unit"].lower()], (LATEST - EARLIEST).total_seconds())
        delta = timedelta(seconds=seconds)
        try:
            return _clamp(now - delta if m["sign"] == "-" else now + delta)
        except OverflowError:
            return EARLIEST if m["sign"] == "-" else LATEST
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ToolError(f"{name}={value!r} is not a time I can read. {TIME_HELP}") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    try:
        return _clamp(t.astimezone(UTC))
    except OverflowError:  # 0001-01-01 with a positive offset, 9999-12-31 with a negative one
        return EARLIEST if t.year < 1970 else LATEST


@dataclass(frozen=True)
class Window:
    """A resolved time window; either end may be open."""

    since: datetime | None
    until: datetime | None
    now: datetime
    now_is_data_end: bool = False

    def contains(self, t: datetime) -> bool:
        return (self.since is None or t >= self.since) and (self.until is None or t <= self.until)

    def describe(self) -> dict[str, Any]:
        """The window as echoed back to the caller, so it knows what was actually searched."""
        out: dict[str, Any] = {"since": iso(self.since), "until": iso(self.until)}
        if self.now_is_data_end:
            out["now"] = f"{iso(self.now)} (end of the recorded data)"
        return out


def resolve_window(
    since: str | None, until: str | None, now: datetime, *, now_is_data_end: bool = False
) -> Window:
    """Resolve since/until against `now`; reject an inverted window with a usable message."""
    s = parse_time(since, now, name="since")
    u = parse_time(until, now, name="until")
    if s and u and s > u:
        raise ToolError(f"since ({iso(s)}) is after until ({iso(u)}); swap them or widen the window.")
    return Window(s, u, now, now_is_data_end)


def clamp_limit(limit: int, *, cap: int, name: str = "limit") -> int:
    """Reject nonsense, cap the rest: a negative limit is an error, a huge one is quietly the cap."""
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise ToolError(f"{name} must be an integer between 1 and {cap}.")
    if limit < 1:
        raise ToolError(f"{name}={limit} is not allowed; send a number between 1 and {cap}.")
    return min(limit, cap)


def confined_path(root: Path, name: str, *, what: str = "file") -> Path:
    """Resolve `name` inside `root` or refuse.

    Refuses absolute paths, parent traversal, NUL bytes, option-looking names and symlinks
    that lead out of `root`. The message says what to send instead.
    """
    if not isinstance(name, str) or not name.strip():
        raise ToolError(f"{what} name is empty; send a name relative to the data directory.")
    if "\x00" in name:
        raise ToolError(f"{what} name contains a NUL byte; send a plain relative name.")
    if name.startswith("-"):
        raise ToolError(f"{what} name {name!r} looks like a command-line option; send a plain relative name.")
    if os.path.isabs(name) or name.startswith("~"):
        raise ToolError(f"{what} name {name!r} is absolute; send a name relative to the data directory.")
    parts = Path(name).parts
    if ".." in parts:
        raise ToolError(f"{what} name {name!r} leaves the data directory; send a name inside it.")
    root_real = root.resolve()
    candidate = (root / name).resolve()
    if candidate != root_real and root_real not in candidate.parents:
        raise ToolError(f"{what} {name!r} resolves outside the data directory (a symlink?); it is not served.")
    return candidate


def env_path(var: str, default: Path) -> Path:
    """A directory or file named by an environment variable, else the server's own default."""
    value = os.environ.get(var, "").strip()
    return Path(value).expanduser() if value else default


def read_json(path: Path, *, what: str, env_var: str) -> Any:
    """Read a JSON data file or say, in one sentence, what is wrong with it and how to fix it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ToolError(f"the {what} file {str(path)!r} does not exist; set {env_var} to an existing file.") from None
    except IsADirectoryError:
        raise ToolError(f"{env_var}={str(path)!r} is a directory; point it at the JSON file itself.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolError(f"the {what} file {str(path)!r} cannot be read ({exc.__class__.__name__}); check it.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(
            f"the {what} file {str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            f"fix the file or point {env_var} at another."
        ) from None


T = TypeVar("T")


class ParsedFile(Generic[T]):
    """A data file read when a tool needs it and parsed again only when it changed on disk.

    Reading at call time (not at start) makes a missing or broken file an error the caller
    can read, and picks up an edited file without a restart; the stamp (mtime, size) keeps
    repeated calls from parsing it again.
    """

    def __init__(self, path: Path, parse: Callable[[Path], T]) -> None:
        self.path = Path(path)
        self._parse = parse
        self._lock = threading.Lock()
        self._cached: tuple[tuple[int, int], T] | None = None

    def load(self) -> T:
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp is not None and self._cached is not None and self._cached[0] == stamp:
                return self._cached[1]
        data = self._parse(self.path)
        if stamp is not None:
            with self._lock:
                self._cached = (stamp, data)
        return data
