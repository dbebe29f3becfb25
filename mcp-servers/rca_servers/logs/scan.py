"""Reading one log file by byte ranges, at any size, in memory that does not grow with the file.

Lines are in time order, so a time is found by bisection on byte offsets (a few dozen small
reads, whatever the file's size), the latest lines are read backwards from the end, and a
pattern search streams the range in blocks and stops at its limit. Rotated `.gz` files cannot
be seeked cheaply; they are streamed.

Everything here takes plain, picklable arguments and imports nothing heavy, because large scans
run in worker processes (`parallel.py`).
"""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import IO, Any

from rca_servers.logs.formats import LEVEL_RANK, Entry, parser_for, time_reader
from rca_servers.logs.signatures import fold, headline

BLOCK = 1 << 20  # bytes read at a time when streaming
PROBE = 16 << 10  # bytes read at each bisection probe
MAX_CONTINUATION = 60  # lines of a traceback kept with the entry they belong to
MAX_LINE = 1 << 20  # a "line" longer than this (no newline at all) is cut into pieces


def open_binary(path: str, compressed: bool) -> IO[bytes]:
    return gzip.open(path, "rb") if compressed else open(path, "rb", buffering=0)  # noqa: SIM115


# ---------------------------------------------------------------- streaming forwards


def iter_blocks(f: IO[bytes], start: int, end: int | None, *, block: int = BLOCK) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) holding every whole line that starts in [start, end), a block at a time.

    `start` need not be a line start: a line already under way there belongs to the range
    before it and is skipped, so adjacent ranges split a file without losing or doubling lines.
    """
    if start > 0:
        f.seek(start - 1)
        if f.read(1) != b"\n":  # inside a line: skip to the next one
            while True:
                data = f.read(PROBE)
                if not data:
                    return
                nl = data.find(b"\n")
                if nl >= 0:
                    start += nl + 1
                    f.seek(start)
                    break
                start += len(data)
    else:
        f.seek(0)
    buf_off, buf = start, b""
    while end is None or buf_off < end:
        data = f.read(block)
        if not data:
            if buf:
                yield buf_off, buf
            return
        buf = buf + data if buf else data
        cut = buf.rfind(b"\n") + 1
        if cut == 0:
            if len(buf) >= MAX_LINE:
                yield buf_off, buf
                buf_off, buf = buf_off + len(buf), b""
            continue
        whole, buf = buf[:cut], buf[cut:]
        if end is not None and buf_off + cut > end:
            nl = whole.find(b"\n", end - buf_off - 1)  # end of the line holding the byte before `end`
            yield buf_off, whole[: nl + 1]
            return
        yield buf_off, whole
        buf_off += cut


def iter_lines(f: IO[bytes], start: int, end: int | None) -> Iterator[tuple[int, bytes]]:
    """(offset, line without its newline) for every line starting in [start, end)."""
    for off, data in iter_blocks(f, start, end):
        pos = off
        for raw in data.split(b"\n"):
            if raw:
                yield pos, raw
            pos += len(raw) + 1


def iter_lines_backwards(f: IO[bytes], end: int, *, block: int = 64 << 10) -> Iterator[tuple[int, bytes]]:
    """(offset, line) for every line before `end` (a line boundary), latest first."""
    pos, tail = end, b""
    while pos > 0:
        n = min(block, pos)
        pos -= n
        f.seek(pos)
        data = f.read(n) + tail
        lines = data.split(b"\n")
        tail = lines[0]
        s = pos + len(data)
        for raw in reversed(lines[1:]):
            s -= len(raw)
            if raw:
                yield s, raw
            s -= 1
        if len(tail) > MAX_LINE:  # no newline for a megabyte: hand it over in one piece
            yield pos, tail
            tail = b""
    if tail:
        yield 0, tail


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").rstrip("\r")


# ---------------------------------------------------------------- time, by bisection


def _first_timed(f: IO[bytes], at: int, read_time: Callable[[bytes], datetime | None]) -> tuple[int, datetime] | None:
    """The end offset and time of the first timestamped line starting at or after `at`."""
    back = 1 if at > 0 else 0
    f.seek(at - back)
    data = f.read(PROBE + back)
    if not data:
        return None
    pos = at - back
    if back:
        nl = data.find(b"\n")
        if nl < 0:
            return None
        pos += nl + 1
        data = data[nl + 1 :]
    while data:
        nl = data.find(b"\n")
        line = data if nl < 0 else data[:nl]
        if nl < 0 and len(data) >= PROBE:
            return None  # a line longer than the probe: let the caller narrow from the other side
        t = read_time(line)
        if t is not None:
            return pos + len(line) + 1, t
        if nl < 0:
            return None
        pos += nl + 1
        data = data[nl + 1 :]
    return None


def offset_of_time(f: IO[bytes], size: int, t: datetime, fmt: str) -> int:
    """Offset of the first line whose time is >= t (size if none), reading O(log size) probes.

    Only `lo` is trusted (every timed line before it is earlier than t); the final forward walk
    from it finds the answer exactly, so continuation lines and long lines only cost speed.
    Callers subtract a little slack from `t` to tolerate lines slightly out of order.
    """
    read_time = time_reader(fmt)
    lo, hi = 0, size
    while hi - lo > PROBE:
        mid = (lo + hi) // 2
        found = _first_timed(f, mid, read_time)
        if found is not None and found[1] < t:
            lo = found[0]
        else:
            hi = mid
    for off, raw in iter_lines(f, lo, None):
        tm = read_time(raw)
        if tm is not None and tm >= t:
            return off
    return size


def first_time(f: IO[bytes], fmt: str) -> datetime | None:
    read_time = time_reader(fmt)
    for n, (_, raw) in enumerate(iter_lines(f, 0, None)):
        t = read_time(raw)
        if t is not None or n > 1000:
            return t
    return None


def last_time(f: IO[bytes], size: int, fmt: str) -> datetime | None:
    read_time = time_reader(fmt)
    for n, (_, raw) in enumerate(iter_lines_backwards(f, size)):
        t = read_time(raw)
        if t is not None or n > 1000:
            return t
    return None


# ---------------------------------------------------------------- entries (lines + their tracebacks)


def iter_entries(f: IO[bytes], start: int, end: int | None, fmt: str, name: str) -> Iterator[Entry]:
    """Parsed entries of the lines starting in [start, end), each with its continuation lines."""
    parse = parser_for(fmt)
    pending: Entry | None = None
    extra = 0
    for off, raw in iter_lines(f, start, end):
        line = decode(raw)
        e = parse(line)
        if e is None:
            if pending is not None and extra < MAX_CONTINUATION:
                pending.message += "\n" + line
                extra += 1
            continue
        if pending is not None:
            yield pending
        e.file, e.offset = name, off
        pending, extra = e, 0
    if pending is not None:
        yield pending


def latest_entries(f: IO[bytes], end: int, fmt: str, name: str) -> Iterator[Entry]:
    """Entries before `end`, latest first, each with its continuation lines in order."""
    parse = parser_for(fmt)
    orphans: list[str] = []
    for off, raw in iter_lines_backwards(f, end):
        line = decode(raw)
        e = parse(line)
        if e is None:
            if len(orphans) < MAX_CONTINUATION:
                orphans.append(line)
            continue
        if orphans:
            e.message += "\n" + "\n".join(reversed(orphans))
            orphans = []
        e.file, e.offset = name, off
        yield e


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class Query:
    """A search, in plain values so it can be sent to a worker process."""

    pattern: str
    fmt: str
    since: datetime | None
    until: datetime | None
    min_rank: int | None  # minimum level rank (formats.LEVEL_RANK), None = any
    limit: int  # stop after this many hits
    deadline: float | None = None  # time.time() after which the scan stops (and says so)


_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


@lru_cache(maxsize=64)
def _finder(pattern: str) -> Callable[[bytes, int], tuple[int, int] | None]:
    """(block, pos) -> (match start, match end) of the next case-insensitive match, or None.

    A pattern without regex syntax is a literal and is found with bytes.find on a lowercased
    block, several times faster than the regex engine's case-insensitive search.
    """
    if not _META.search(pattern) and pattern.isascii():
        needle = pattern.lower().encode()
        cache: dict[int, bytes] = {}

        def find_literal(block: bytes, pos: int) -> tuple[int, int] | None:
            low = cache.get(id(block))
            if low is None or len(low) != len(block):
                cache.clear()
                low = cache[id(block)] = block.lower()
            i = low.find(needle, pos)
            return None if i < 0 else (i, i + len(needle))

        return find_literal
    rx = re.compile(pattern.encode("utf-8"), re.IGNORECASE | re.MULTILINE)

    def find_regex(block: bytes, pos: int) -> tuple[int, int] | None:
        m = rx.search(block, pos)
        return None if m is None else (m.start(), max(m.end(), m.start() + 1))

    return find_regex


def _entry_around(
    lookback: Callable[[int], Iterator[tuple[int, bytes]]], block: bytes, block_off: int, i: int, fmt: str, name: str
) -> tuple[Entry | None, int]:
    """The entry holding the byte at block[i], and the block index where that entry ends.

    A match in a traceback line belongs to the timed line above it (its head), found by
    walking back, within the block or, when the block starts mid-entry, before it
    (`lookback(offset)` yields the file's lines before `offset`, latest first).
    """
    parse = parser_for(fmt)
    line_end = block.find(b"\n", i)
    line_end = len(block) if line_end < 0 else line_end
    head: Entry | None = None
    head_at: int | None = None  # block index of the head line; None when it is before the block
    k = block.rfind(b"\n", 0, i) + 1
    for _ in range(MAX_CONTINUATION + 1):
        le = block.find(b"\n", k)
        e = parse(decode(block[k : len(block) if le < 0 else le]))
        if e is not None:
            head, head_at = e, k
            break
        if k == 0:
            break
        k = block.rfind(b"\n", 0, k - 1) + 1
    if head is None and k == 0 and block_off > 0:
        for n, (off, raw) in enumerate(lookback(block_off)):
            e = parse(decode(raw))
            if e is not None:
                head = e
                head.offset = off
                break
            if n >= MAX_CONTINUATION:
                break
    if head is None:
        return None, line_end + 1
    if head_at is not None:
        head.offset = block_off + head_at
        pos = block.find(b"\n", head_at) + 1 or len(block)
    else:
        pos = 0
    extra: list[str] = []
    while pos < len(block) and len(extra) < MAX_CONTINUATION:
        le = block.find(b"\n", pos)
        le = len(block) if le < 0 else le
        line = decode(block[pos:le])
        if parse(line) is not None:
            break
        if line:
            extra.append(line)
        pos = le + 1
    if extra:
        head.message += "\n" + "\n".join(extra)
    head.file = name
    return head, max(pos, line_end + 1)


def search_range(path: str, compressed: bool, name: str, start: int, end: int | None, q: Query) -> dict[str, Any]:
    """Entries in [start, end) whose line (or traceback line) matches, up to q.limit.

    Returns {"hits": [entry dicts with "offset"], "full": bool (stopped at the limit),
    "timed_out": bool}.
    """
    find = _finder(q.pattern)
    hits: list[dict[str, Any]] = []
    seen: set[int] = set()
    other: list[IO[bytes]] = []  # a second handle for looking back, so the stream's position holds

    def lookback(offset: int) -> Iterator[tuple[int, bytes]]:
        if not other:
            other.append(open_binary(path, compressed))
        return iter_lines_backwards(other[0], offset)

    try:
        with open_binary(path, compressed) as f:
            for off, block in iter_blocks(f, start, end):
                if q.deadline is not None and time.time() > q.deadline:
                    return {"hits": hits, "full": False, "timed_out": True}
                pos = 0
                while True:
                    m = find(block, pos)
                    if m is None:
                        break
                    entry, pos = _entry_around(lookback, block, off, m[0], q.fmt, name)
                    if entry is None or entry.offset in seen or not _wanted(entry, q):
                        continue
                    seen.add(entry.offset)
                    d = entry.to_dict()
                    d["offset"] = entry.offset
                    hits.append(d)
                    if len(hits) >= q.limit:
                        return {"hits": hits, "full": True, "timed_out": False}
    finally:
        for g in other:
            g.close()
    return {"hits": hits, "full": False, "timed_out": False}


def _wanted(e: Entry, q: Query) -> bool:
    if q.since is not None and e.time < q.since:
        return False
    if q.until is not None and e.time > q.until:
        return False
    return q.min_rank is None or LEVEL_RANK.get(e.level, 1) >= q.min_rank


# ---------------------------------------------------------------- error summary


@dataclass(frozen=True)
class SummaryQuery:
    fmt: str
    since: datetime | None
    until: datetime | None
    min_rank: int
    bucket_s: int
    deadline: float | None = None


WARN_RANK = LEVEL_RANK["WARN"]
ERROR_RANK = LEVEL_RANK["ERROR"]


def summarize_range(path: str, compressed: bool, name: str, start: int, end: int | None, q: SummaryQuery) -> dict[str, Any]:
    """Per-bucket volume and folded signatures of the entries in [start, end).

    Returns a partial summary that `merge` combines across ranges and files:
    {"lines", "first", "last" (epoch s), "volume": {bucket: [lines, errors, warnings]},
     "sigs": {(signature, level, component): [count, first, last, {bucket: n}, example]},
     "timed_out"}.
    """
    volume: dict[int, list[int]] = {}
    sigs: dict[tuple[str, str, str | None], list[Any]] = {}
    lines = 0
    first = last = None
    since = q.since.timestamp() if q.since else None
    until = q.until.timestamp() if q.until else None
    b = q.bucket_s
    timed_out = False
    with open_binary(path, compressed) as f:
        for n, e in enumerate(iter_entries(f, start, end, q.fmt, name)):
            if n % 4096 == 0 and q.deadline is not None and time.time() > q.deadline:
                timed_out = True
                break
            ts = e.time.timestamp()
            if (since is not None and ts < since) or (until is not None and ts > until):
                continue
            lines += 1
            first = ts if first is None or ts < first else first
            last = ts if last is None or ts > last else last
            k = int(ts // b * b)
            v = volume.get(k)
            if v is None:
                v = volume[k] = [0, 0, 0]
            v[0] += 1
            rank = LEVEL_RANK.get(e.level, 1)
            if rank >= ERROR_RANK:
                v[1] += 1
            elif rank == WARN_RANK:
                v[2] += 1
            if rank < q.min_rank:
                continue
            key = (fold(headline(e.message)), e.level, e.component)
            s = sigs.get(key)
            if s is None:
                s = sigs[key] = [0, ts, ts, {}, e.message[:1000], name]
            s[0] += 1
            s[1] = min(s[1], ts)
            s[2] = max(s[2], ts)
            s[3][k] = s[3].get(k, 0) + 1
    return {"lines": lines, "first": first, "last": last, "volume": volume, "sigs": sigs, "timed_out": timed_out}


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Combine partial summaries (ranges of one file, or several files)."""
    out: dict[str, Any] = {"lines": 0, "first": None, "last": None, "volume": {}, "sigs": {}, "timed_out": False}
    for p in parts:
        out["lines"] += p["lines"]
        out["timed_out"] = out["timed_out"] or p["timed_out"]
        for k in ("first", "last"):
            if p[k] is not None:
                pick = min if k == "first" else max
                out[k] = p[k] if out[k] is None else pick(out[k], p[k])
        for k, v in p["volume"].items():
            acc = out["volume"].setdefault(k, [0, 0, 0])
            for i in range(3):
                acc[i] += v[i]
        for key, s in p["sigs"].items():
            acc = out["sigs"].get(key)
            if acc is None:
                out["sigs"][key] = [s[0], s[1], s[2], dict(s[3]), s[4], {s[5]}]
                continue
            acc[0] += s[0]
            if s[1] < acc[1]:
                acc[1], acc[4] = s[1], s[4]
            acc[2] = max(acc[2], s[2])
            for b, c in s[3].items():
                acc[3][b] = acc[3].get(b, 0) + c
            acc[5].add(s[5])
    return out
