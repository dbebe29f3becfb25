"""The logs MCP server: list, read, search and summarize the log files of one directory.

Files are plain (`2026-02-17 14:45:02 ERROR [db] ...`), JSON lines or logfmt, whatever they are
called, rotated `.gz` files included. Every answer is bounded: lists have a limit with a hard
cap and say `truncated`; `read_logs` pages with a cursor; a scan that runs past its time budget
returns what it found and says so. Arguments are checked here with sentences a caller (often a
model) can act on.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import threading
import time
from collections import OrderedDict, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from rca_servers.common import READ_ONLY, ToolError, Window, clamp_limit, env_path, resolve_window
from rca_servers.isotime import iso
from rca_servers.logs import parallel, scan
from rca_servers.logs.files import Catalog, LogFile
from rca_servers.logs.formats import LEVEL_RANK, LEVELS, parse_level_arg

DEFAULT_LOGS_DIR = Path(__file__).resolve().parents[2] / "logs-server" / "data"
READ_CAP = 500
SEARCH_CAP = 500
SIGNATURES_CAP = 100
PATTERN_MAX = 500
SLACK = timedelta(minutes=2)  # lines a little out of order near a window's edge are still found
MAX_BUCKETS = 720
TIME_ARG = "RFC 3339 (2026-02-17T14:30:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or relative to the end of the logs ('now-1h')"
DEFAULT_SEARCH_FILE = "app.log"


def _budget_s() -> float:
    try:
        return max(1.0, float(os.environ.get("LOGS_SCAN_BUDGET_S", "20")))
    except ValueError:
        return 20.0


class _Summaries:
    """The last few error summaries, keyed by the files' identities: a second investigation
    over unchanged logs costs nothing; a file that grew is summarized afresh."""

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: Any) -> dict[str, Any] | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Any, value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def build_server(logs_dir: Path | None = None, *, default_logs_dir: Path | None = None) -> MCPServer:
    """The server over `logs_dir`; else LOGS_DIR; else `default_logs_dir` (the bundled demo logs)."""
    root = Path(logs_dir) if logs_dir is not None else env_path("LOGS_DIR", default_logs_dir or DEFAULT_LOGS_DIR)
    catalog = Catalog(root)
    summaries = _Summaries()

    app = MCPServer(
        "logs",
        instructions=(
            "Application logs of the service under investigation. Start with summarize_errors (error "
            "signatures counted per minute, and traffic volume) to see what is new and when; then "
            "search_logs for a signature's lines around its first appearance; read_logs pages through "
            "one file. Times may be relative to the end of the logs ('now-1h')."
        ),
    )

    def window(files: list[LogFile], since: str | None, until: str | None) -> Window:
        end = catalog.data_end(files)
        return resolve_window(since, until, end or datetime.now(UTC), now_is_data_end=end is not None)

    def byte_range(f: LogFile, w: Window, slack: timedelta = SLACK) -> tuple[int, int | None] | None:
        """The part of a file that can hold the window, found by bisection; None if none can.

        `slack` widens it so lines a little out of order are still seen (callers filter on
        time); the plain-file fast summary asks for the exact range instead.
        """
        earliest, latest = f.span
        if earliest is not None and w.until is not None and earliest > w.until + slack:
            return None
        if latest is not None and w.since is not None and latest < w.since - slack:
            return None
        if not f.seekable:
            return 0, None
        start, end = 0, f.size
        with scan.open_binary(f.path, False) as fh:
            if w.since is not None and f.first is not None and w.since - slack > f.first:
                start = scan.offset_of_time(fh, f.size, w.since - slack, f.format)
            if w.until is not None and f.last is not None and w.until + slack < f.last:
                end = scan.offset_of_time(fh, f.size, w.until + slack + timedelta(seconds=1), f.format)
        return start, end

    @app.tool(annotations=READ_ONLY)
    def list_log_files() -> dict[str, Any]:
        """The log files this server reads: name, size, format (plain, json, logfmt or unknown),
        whether compressed, and the first and last time in each."""
        files, cut = catalog.files()
        return {
            "directory": str(root),
            "files": [
                {
                    "name": f.name,
                    "size_bytes": f.size,
                    "format": f.format,
                    "compressed": f.compressed,
                    "first_time": iso(f.first),
                    "last_time": iso(f.last),
                    **({"note": f.note} if f.note else {}),
                }
                for f in files
            ],
            "truncated": cut,
        }

    @app.tool(annotations=READ_ONLY)
    def read_logs(
        file: Annotated[str, Field(description="One log file, by the name list_log_files gives (e.g. 'app.log').")],
        since: Annotated[str | None, Field(description=f"Only entries at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only entries at or before this time: {TIME_ARG}.")] = None,
        cursor: Annotated[
            str | None, Field(description="next_cursor from the previous read_logs answer, to read the next page.")
        ] = None,
        limit: Annotated[int, Field(description=f"Most entries to return (1-{READ_CAP}).")] = 100,
        tail: Annotated[
            bool, Field(description="true: the latest entries of the window (read backwards from its end).")
        ] = False,
    ) -> dict[str, Any]:
        """Entries of one file in time order, a page at a time; never the whole of a large file.

        Each entry is {time, level, component, message, file}; a traceback stays with its line.
        With tail=true the page is the window's last `limit` entries and next_cursor pages
        further back. A cursor carries its window: since/until are taken from it.
        """
        n = clamp_limit(limit, cap=READ_CAP)
        if isinstance(file, str) and set("*?[") & set(file):
            raise ToolError("read_logs reads one file; for several use search_logs or summarize_errors with file='*'.")
        f = catalog.get(file if isinstance(file, str) else "")
        if not f.readable:
            raise ToolError(f"{f.name!r} is not in a log format I can read (plain, JSON lines or logfmt).")
        direction = "back" if tail else "fwd"
        offset: int | None = None
        if cursor:
            offset, direction, since, until = _decode_cursor(cursor, f.name)
        w = window([f], since, until)
        rng = byte_range(f, w)
        entries: list[dict[str, Any]] = []
        next_cursor = None
        if rng is not None:
            start, end = rng
            if direction == "fwd":
                entries, next_off = _read_forward(f, offset if offset is not None else start, end, w, n)
            elif f.seekable:
                entries, next_off = _read_backward(f, offset if offset is not None else (end or f.size), w, n)
            else:
                entries, next_off = _read_backward_stream(f, offset, w, n)
            if next_off is not None:
                next_cursor = _encode_cursor(f.name, next_off, direction, w)
        return {
            "file": f.name,
            "format": f.format,
            "window": w.describe(),
            "entries": entries,
            "next_cursor": next_cursor,
            "truncated": next_cursor is not None,
        }

    @app.tool(annotations=READ_ONLY)
    def search_logs(
        pattern: Annotated[
            str,
            Field(description="Regular expression or plain words, case-insensitive, matched against each whole log line."),
        ],
        file: Annotated[
            str, Field(description="A file name, or a glob over the names: '*' for all files, '*.log', 'nginx/*'.")
        ] = DEFAULT_SEARCH_FILE,
        since: Annotated[str | None, Field(description=f"Only entries at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only entries at or before this time: {TIME_ARG}.")] = None,
        level: Annotated[
            str | None, Field(description=f"Minimum level: one of {', '.join(LEVELS)} (e.g. 'WARN' gives WARN and worse).")
        ] = None,
        limit: Annotated[int, Field(description=f"Most matches to return, earliest first (1-{SEARCH_CAP}).")] = 50,
    ) -> dict[str, Any]:
        """Log entries matching a pattern, earliest first, in a time window and at a minimum level.

        Narrow with since/until and level to find the first occurrences of an error; `truncated`
        says more matched than `limit`. A match inside a traceback returns the entry it belongs to.
        """
        rx_problem = _check_pattern(pattern)
        if rx_problem:
            raise ToolError(rx_problem)
        n = clamp_limit(limit, cap=SEARCH_CAP)
        min_rank = LEVEL_RANK[lv] if (lv := parse_level_arg(level)) else None
        note = None
        try:
            files = catalog.select(file)
        except ToolError:
            if file != DEFAULT_SEARCH_FILE:
                raise
            files = []
        if file == DEFAULT_SEARCH_FILE and not any(f.size for f in files if f.readable):
            # the seed's default name, in a directory that has no such file (or it was just rotated)
            files = catalog.files()[0]
            note = f"there is no {DEFAULT_SEARCH_FILE} with lines here, so every log file was searched"
        w = window(files, since, until)
        deadline = time.time() + _budget_s()
        hits: list[dict[str, Any]] = []
        searched, skipped, timed_out = [], [], False
        for f in files:
            if not f.readable:
                skipped.append(f"{f.name} ({f.note})" if f.note else f.name)
                continue
            rng = byte_range(f, w)
            searched.append(f.name)
            if rng is None:
                continue
            width = f.sniffed.ts_width if f.sniffed.simple_plain else 0
            q = scan.Query(pattern, f.format, w.since, w.until, min_rank, n + 1, deadline, width)
            parts = parallel.run(
                scan.search_range, f.path, f.compressed, f.name, rng[0], rng[1], q,
                enough=lambda rs: sum(len(r["hits"]) for r in rs) > n,
            )  # fmt: skip
            for r in parts:
                hits += r["hits"]
                timed_out = timed_out or r["timed_out"]
        hits.sort(key=lambda h: (h["time"], h["file"], h["offset"]))
        truncated = len(hits) > n or timed_out
        matches = [{k: v for k, v in h.items() if k != "offset"} for h in hits[:n]]
        out: dict[str, Any] = {
            "pattern": pattern,
            "files": searched,
            "window": w.describe(),
            "matches": matches,
            "count": len(matches),
            "truncated": truncated,
        }
        notes = [note] if note else []
        if timed_out:
            notes.append(f"the search stopped after {_budget_s():g} s; narrow the window (since/until) to see the rest")
        if skipped:
            notes.append(f"not searched: {', '.join(skipped)}")
        if notes:
            out["note"] = "; ".join(notes)
        return out

    @app.tool(annotations=READ_ONLY)
    def summarize_errors(
        file: Annotated[str, Field(description="A file name or a glob over the names; '*' (default) for all files.")] = "*",
        since: Annotated[str | None, Field(description=f"Start of the window: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"End of the window: {TIME_ARG}.")] = None,
        min_level: Annotated[
            str, Field(description=f"Lowest level folded into signatures: one of {', '.join(LEVELS)}.")
        ] = "WARN",
        limit: Annotated[int, Field(description=f"Most signatures to return, most frequent first (1-{SIGNATURES_CAP}).")] = 20,
    ) -> dict[str, Any]:
        """Error signatures (messages with numbers and ids folded) counted per minute, and the
        traffic volume per minute, so new or surging errors stand out without reading lines.

        volume is [[minute, lines, errors (ERROR and FATAL), warnings]], minutes with no lines
        left out. Each signature has count, first_seen, last_seen, per_minute [[minute, n]],
        an example line and the files it is in. Windows over 12 hours use wider buckets
        (bucket_seconds says which).
        """
        n = clamp_limit(limit, cap=SIGNATURES_CAP)
        rank = LEVEL_RANK[parse_level_arg(min_level, name="min_level") or "WARN"]
        chosen = catalog.select(file)
        files = [f for f in chosen if f.readable]
        unreadable = [f"{f.name} ({f.note})" if f.note else f.name for f in chosen if not f.readable]
        w = window(files, since, until)
        first = min((f.span[0] for f in files if f.span[0]), default=None)
        last = max((f.span[1] for f in files if f.span[1]), default=None)
        start = max(t for t in (w.since, first) if t) if (w.since or first) else None
        end = min(t for t in (w.until, last) if t) if (w.until or last) else None
        span = end - start if start and end and end > start else timedelta(0)
        bucket = _bucket_seconds(span)
        key = (tuple((f.name, f.size, f.mtime_ns) for f in files), iso(w.since), iso(w.until), rank, bucket, n)
        answer = summaries.get(key)
        if answer is None:
            deadline = time.time() + _budget_s()
            parts = []
            for f in files:
                windowed = w.since is not None or w.until is not None
                simple = f.sniffed.simple_plain and f.in_order and not (f.compressed and windowed)
                rng = byte_range(f, w, timedelta(0) if simple else SLACK)
                if rng is None:
                    continue
                width = f.sniffed.ts_width if simple else 0
                q = scan.SummaryQuery(f.format, w.since, w.until, rank, bucket, deadline, width)
                parts += parallel.run(scan.summarize_range, f.path, f.compressed, f.name, rng[0], rng[1], q)
            merged = scan.merge(parts)
            answer = _summary_answer(merged, files, w, bucket, n, unreadable)
            if not merged["timed_out"]:
                summaries.put(key, answer)  # the answer, not the whole tally: small whatever the logs
        return answer

    return app


# ---------------------------------------------------------------- helpers


def _check_pattern(pattern: Any) -> str | None:
    if not isinstance(pattern, str) or not pattern.strip():
        return "pattern is empty; send words or a regular expression to look for, e.g. 'pool exhausted' or 'timeout|refused'."
    if "\x00" in pattern:
        return "pattern contains a NUL byte; send plain text or a regular expression."
    if len(pattern) > PATTERN_MAX:
        return f"pattern is {len(pattern)} characters long; send at most {PATTERN_MAX}, the distinctive part."
    try:
        re.compile(pattern.encode("utf-8"), re.IGNORECASE | re.MULTILINE)
    except re.error as e:
        return (
            f"pattern {pattern!r} is not a valid regular expression ({e}); escape special characters "
            "with a backslash (e.g. '\\(' or '\\['), or send plain words."
        )
    return None


def _bucket_seconds(span: timedelta) -> int:
    for b in (60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400):
        if span.total_seconds() / b <= MAX_BUCKETS:
            return b
    return 86400


def _summary_answer(
    m: dict[str, Any], files: list[LogFile], w: Window, bucket: int, n: int, unreadable: list[str]
) -> dict[str, Any]:
    def t(epoch: float | None) -> str | None:
        return iso(datetime.fromtimestamp(epoch, UTC)) if epoch is not None else None

    sigs = sorted(m["sigs"].items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    out: dict[str, Any] = {
        "files": [f.name for f in files],
        "window": w.describe(),
        "bucket_seconds": bucket,
        "first_time": t(m["first"]),
        "last_time": t(m["last"]),
        "total_lines": m["lines"],
        "volume": [[t(k), *v] for k, v in sorted(m["volume"].items())],
        "signatures": [
            {
                "signature": sig,
                "level": level,
                "component": component,
                "count": s[0],
                "first_seen": t(s[1]),
                "last_seen": t(s[2]),
                "per_minute": [[t(k), c] for k, c in sorted(s[3].items())],
                "example": s[4],
                "files": sorted(s[5]),
            }
            for (sig, level, component), s in sigs[:n]
        ],
        "truncated": len(sigs) > n or m["timed_out"],
    }
    notes = []
    if m["dropped"][1]:
        out["rare_signatures_dropped"] = {"entries": m["dropped"][0], "signatures": m["dropped"][1]}
        notes.append(
            f"{m['dropped'][1]} rare signatures ({m['dropped'][0]} entries) were too many to keep and are not listed"
        )
    if m["timed_out"]:
        notes.append(f"the summary stopped after {_budget_s():g} s; narrow the window (since/until) for a complete one")
    if unreadable:
        out["unreadable"] = unreadable
        notes.append(f"not read, in no log format I know (plain, JSON lines, logfmt): {', '.join(unreadable)}")
    if notes:
        out["note"] = "; ".join(notes)
    return out


def _read_forward(f: LogFile, start: int, end: int | None, w: Window, n: int) -> tuple[list[dict[str, Any]], int | None]:
    out: list[dict[str, Any]] = []
    with scan.open_binary(f.path, f.compressed) as fh:
        for e in scan.iter_entries(fh, start, end, f.format, f.name):
            if not w.contains(e.time):
                if f.in_order and w.until is not None and e.time > w.until + SLACK:
                    break
                continue
            if len(out) == n:
                return out, e.offset
            out.append(e.to_dict())
    return out, None


def _read_backward(f: LogFile, end: int, w: Window, n: int) -> tuple[list[dict[str, Any]], int | None]:
    out: list[dict[str, Any]] = []
    prev_offset = end
    with scan.open_binary(f.path, False) as fh:
        for e in scan.latest_entries(fh, end, f.format, f.name):
            if not w.contains(e.time):
                if w.since is not None and e.time < w.since - SLACK:
                    break
                continue
            if len(out) == n:
                # the page ends here; the next one (further back) ends where the last kept entry starts
                return out[::-1], prev_offset
            out.append(e.to_dict())
            prev_offset = e.offset
    return out[::-1], None


def _read_backward_stream(f: LogFile, end: int | None, w: Window, n: int) -> tuple[list[dict[str, Any]], int | None]:
    """The latest entries of a compressed file: streamed forward, keeping the last n + 1."""
    last: deque[Any] = deque(maxlen=n + 1)
    with scan.open_binary(f.path, f.compressed) as fh:
        for e in scan.iter_entries(fh, 0, end, f.format, f.name):
            if w.contains(e.time):
                last.append(e)
    more = len(last) > n
    page = list(last)[1:] if more else list(last)
    return [e.to_dict() for e in page], (page[0].offset if more and page else None)


def _encode_cursor(name: str, offset: int, direction: str, w: Window) -> str:
    raw = json.dumps({"f": name, "o": offset, "d": direction, "s": iso(w.since), "u": iso(w.until)})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, name: str) -> tuple[int, str, str | None, str | None]:
    bad = ToolError("cursor is not one this server gave out; call read_logs again without a cursor.")
    if not isinstance(cursor, str) or len(cursor) > 1000:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if not isinstance(data, dict) or not isinstance(data.get("o"), int) or data.get("d") not in ("fwd", "back"):
        raise bad
    if data.get("o") < 0:
        raise bad
    if data.get("f") != name:
        raise ToolError(f"that cursor belongs to {data.get('f')!r}, not {name!r}; send it with file={data.get('f')!r}.")
    return data["o"], data["d"], data.get("s"), data.get("u")
