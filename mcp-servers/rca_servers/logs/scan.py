"""Reading one log file by byte ranges, at any size, in memory that does not grow with the file.

Lines are in time order, so a time is found by bisection on byte offsets (a few dozen small
reads, whatever the file's size), the latest lines are read backwards from the end, and a
pattern search streams the range in blocks and stops at its limit. Rotated `.gz` files cannot
be seeked cheaply; they are streamed.

Everything here takes plain, picklable arguments and imports nothing heavy, because large scans
run in worker processes (`parallel.py`).
"""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import IO, Any

from rca_servers.logs.formats import LEVEL_RANK, Entry, entry_start, level_peek, parser_for, time_reader
from rca_servers.logs.signatures import fold, headline

BLOCK = 1 << 20  # bytes read at a time when streaming
PROBE = 16 << 10  # bytes read at each bisection probe
MAX_CONTINUATION = 60  # lines of a traceback kept with the entry they belong to
MAX_LINE = 1 << 20  # a "line" longer than this (no newline at all) is cut into pieces
GZ_STEP = 64 << 10  # a truncated .gz loses what one read had decompressed: keep reads small


def open_binary(path: str, compressed: bool) -> IO[bytes]:
    return GzipStream(path) if compressed else open(path, "rb", buffering=0)  # type: ignore[return-value]  # noqa: SIM115


class GzipStream:
    """A `.gz` file read as a stream that tolerates truncation and corruption.

    Rotated logs are often cut short (a copy in progress, a disk that filled): gzip.GzipFile
    raises and drops what it had decompressed, where an SRE wants every line before the cut.
    Forward seeks read ahead; a backward seek starts again from the top. Concatenated members
    (`cat a.gz b.gz`) are read one after the other.
    """

    def __init__(self, path: str) -> None:
        self._raw = open(path, "rb")  # noqa: SIM115 - closed in close()
        self.truncated = False
        self._restart()

    def _restart(self) -> None:
        self._raw.seek(0)
        self._z = zlib.decompressobj(31)
        self._buf = b""
        self._pos = 0  # decompressed offset of the next byte read
        self._done = False

    def read(self, n: int = -1) -> bytes:
        while (n < 0 or len(self._buf) < n) and not self._done:
            chunk = self._raw.read(GZ_STEP)
            if not chunk:
                self._done = True
                self.truncated = self.truncated or not self._z.eof
                break
            try:
                data = self._z.decompress(chunk)
                while self._z.eof and self._z.unused_data:  # the next member of a concatenated file
                    rest = self._z.unused_data
                    self._z = zlib.decompressobj(31)
                    data += self._z.decompress(rest)
            except zlib.error:
                self._done = self.truncated = True
                break
            self._buf += data
        out = self._buf if n < 0 else self._buf[:n]
        self._buf = self._buf[len(out) :]
        self._pos += len(out)
        return out

    def seek(self, pos: int) -> int:
        if pos < self._pos:
            self._restart()
        while self._pos < pos:
            if not self.read(min(pos - self._pos, 1 << 20)):
                break
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> GzipStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def iter_entries(
    f: IO[bytes], start: int, end: int | None, fmt: str, name: str, *, since: datetime | None = None
) -> Iterator[Entry]:
    """Parsed entries of the lines starting in [start, end), each with its continuation lines.

    With `since`, lines before it are skipped on their timestamp alone (no full parse) until
    the first line at or after it: a window's slack costs little.
    """
    parse = parser_for(fmt)
    read_time = time_reader(fmt) if since is not None else None
    pending: Entry | None = None
    extra = 0
    for off, raw in iter_lines(f, start, end):
        if read_time is not None:
            t = read_time(raw)
            if t is None or t < since:
                continue
            read_time = None
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


# ---------------------------------------------------------------- level prefilter

# Lowercased words whose presence a line at WARN / ERROR / FATAL or worse cannot do without.
_LEVEL_WORDS = {
    LEVEL_RANK["WARN"]: (b"warn", b"wrn", b"err", b"eror", b"fatal", b"ftl", b"crit", b"severe", b"panic", b"alert", b"emerg"),
    LEVEL_RANK["ERROR"]: (b"err", b"eror", b"fatal", b"ftl", b"crit", b"severe", b"panic", b"alert", b"emerg"),
    LEVEL_RANK["FATAL"]: (b"fatal", b"ftl", b"crit", b"panic", b"alert", b"emerg"),
}


def lines_with_words(low: bytes, words: tuple[bytes, ...]) -> list[int]:
    """Sorted starts of the lines of a lowercased block that contain any of `words`.

    A handful of bytes.find passes: far cheaper than looking at every line when, as in any
    healthy log, most lines are INFO.
    """
    starts: set[int] = set()
    for w in words:
        i = low.find(w)
        while i >= 0:
            starts.add(low.rfind(b"\n", 0, i) + 1)
            nl = low.find(b"\n", i)
            if nl < 0:
                break
            i = low.find(w, nl)
    return sorted(starts)


@lru_cache(maxsize=8)
def _column_rx(ts_width: int) -> re.Pattern[bytes]:
    # after a fixed-width timestamp, a level that is not debug, info or trace
    return re.compile(rb"\n.{%d} [^dit\n]" % ts_width)


def level_lines(block: bytes, min_rank: int, ts_width: int = 0) -> list[int]:
    """Starts of the lines of a block that may be at `min_rank` or worse (a superset: callers
    check each line's real level).

    In a plain file whose lines all start `TIMESTAMP LEVEL` with one timestamp width, the
    level sits at a fixed column, and one regex pass over the lowercased block finds the
    lines whose level is not debug, info or trace. Otherwise, lines holding a level word.
    """
    low = block.lower()
    if not ts_width:
        return lines_with_words(low, _LEVEL_WORDS[min_rank])
    out = [m.start() + 1 for m in _column_rx(ts_width).finditer(low)]
    if len(low) > ts_width + 1 and low[ts_width : ts_width + 1] == b" " and low[ts_width + 1 : ts_width + 2] not in b"dit\n":
        out.insert(0, 0)
    return out


def _level_of(raw: bytes, peek: Callable[[bytes], str | None], parse: Callable[[str], Entry | None]) -> str | None:
    level = peek(raw)
    if level is None:
        e = parse(decode(raw))
        level = e.level if e is not None else None
    return level


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
    ts_width: int = 0  # plain files with fixed-width timestamps: the level is at a fixed column


_META = re.compile(r"[\\.^$*+?{}\[\]|()]")


def _as_literal(pattern: str) -> str | None:
    """The text a pattern matches when it is a plain string (re.escape'd or not), else None."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1].isalnum():
                return None  # \d, \b, \1 ... are regex, not escapes of a character
            out.append(pattern[i + 1])
            i += 2
            continue
        if _META.match(ch):
            return None
        out.append(ch)
        i += 1
    return "".join(out)


@lru_cache(maxsize=64)
def _finder(pattern: str) -> Callable[[bytes, int], tuple[int, int] | None]:
    """(block, pos) -> (match start, match end) of the next case-insensitive match, or None.

    A pattern without regex syntax is a literal and is found with bytes.find on a lowercased
    block, several times faster than the regex engine's case-insensitive search.
    """
    literal = _as_literal(pattern)
    if literal is not None and literal.isascii():
        needle = literal.lower().encode()
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
    starts = entry_start(fmt)
    while pos < len(block) and len(extra) < MAX_CONTINUATION:
        le = block.find(b"\n", pos)
        le = len(block) if le < 0 else le
        raw = block[pos:le]
        if starts(raw) and (fmt == "plain" or parse(decode(raw)) is not None):
            break  # the next entry (a plain line that starts with a timestamp is one)
        if raw:
            extra.append(decode(raw))
        pos = le + 1
    if extra:
        head.message += "\n" + "\n".join(extra)
    head.file = name
    return head, max(pos, line_end + 1)


def search_range(path: str, compressed: bool, name: str, start: int, end: int | None, q: Query) -> dict[str, Any]:
    """Entries in [start, end) whose line (or traceback line) matches, up to q.limit.

    Returns {"hits": [entry dicts with "offset"], "full": bool (stopped at the limit),
    "timed_out": bool}. With a minimum level of WARN or worse on a plain file, only lines that
    carry a level word are looked at; otherwise each match's level is peeked before parsing.
    """
    find = _finder(q.pattern)
    peek, parse = level_peek(q.fmt), parser_for(q.fmt)
    by_level = q.fmt == "plain" and q.min_rank is not None and q.min_rank in _LEVEL_WORDS
    hits: list[dict[str, Any]] = []
    seen: set[int] = set()
    other: list[IO[bytes]] = []  # a second handle for looking back, so the stream's position holds

    def lookback(offset: int) -> Iterator[tuple[int, bytes]]:
        if not other:
            other.append(open_binary(path, compressed))
        return iter_lines_backwards(other[0], offset)

    def take(block: bytes, off: int, at: int, need_match: bool) -> int:
        """Consider the entry holding block[at]; returns where to go on from."""
        entry, nxt = _entry_around(lookback, block, off, at, q.fmt, name)
        if entry is None or entry.offset in seen or not _wanted(entry, q):
            return nxt
        if need_match and find(block[entry.offset - off if entry.offset >= off else 0 : nxt], 0) is None:
            return nxt
        seen.add(entry.offset)
        d = entry.to_dict()
        d["offset"] = entry.offset
        hits.append(d)
        return nxt

    try:
        with open_binary(path, compressed) as f:
            for off, block in iter_blocks(f, start, end):
                if q.deadline is not None and time.time() > q.deadline:
                    return {"hits": hits, "full": False, "timed_out": True}
                if by_level:
                    for ls in level_lines(block, q.min_rank, q.ts_width):
                        le = block.find(b"\n", ls)
                        level = _level_of(block[ls : le if le >= 0 else len(block)], peek, parse)
                        if level is None or LEVEL_RANK.get(level, 1) < q.min_rank:
                            continue
                        take(block, off, ls, need_match=True)
                        if len(hits) >= q.limit:
                            return {"hits": hits, "full": True, "timed_out": False}
                    continue
                pos = 0
                while True:
                    m = find(block, pos)
                    if m is None:
                        break
                    if q.min_rank is not None:
                        ls = block.rfind(b"\n", 0, m[0]) + 1
                        le = block.find(b"\n", m[0])
                        level = peek(block[ls : le if le >= 0 else len(block)])
                        if level is not None and LEVEL_RANK.get(level, 1) < q.min_rank:
                            pos = len(block) if le < 0 else le + 1
                            continue
                    pos = take(block, off, m[0], need_match=False)
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
    ts_width: int = 0  # plain, UTC, fixed-width timestamps at line starts: the fast path applies


WARN_RANK = LEVEL_RANK["WARN"]
ERROR_RANK = LEVEL_RANK["ERROR"]
_MINUTE = re.compile(rb"^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d)", re.M)


class _Summary:
    """Accumulates one range's volume and signatures (see summarize_range)."""

    def __init__(self, q: SummaryQuery, name: str) -> None:
        self.q, self.name = q, name
        self.since = q.since.timestamp() if q.since else None
        self.until = q.until.timestamp() if q.until else None
        self.volume: dict[int, list[int]] = {}
        self.sigs: dict[tuple[str, str, str | None], list[Any]] = {}
        self.lines = 0
        self.dropped = [0, 0]  # [entries, distinct signatures] pruned as rare (see prune)
        self.first: float | None = None
        self.last: float | None = None
        self.timed_out = False

    def inside(self, ts: float) -> bool:
        return (self.since is None or ts >= self.since) and (self.until is None or ts <= self.until)

    def bucket(self, ts: float) -> list[int]:
        k = int(ts // self.q.bucket_s * self.q.bucket_s)
        v = self.volume.get(k)
        if v is None:
            v = self.volume[k] = [0, 0, 0]
        return v

    def seen_at(self, ts: float) -> None:
        self.first = ts if self.first is None or ts < self.first else self.first
        self.last = ts if self.last is None or ts > self.last else self.last

    def levelled(self, e: Entry, ts: float, v: list[int]) -> None:
        """Count a WARN-or-worse entry in its bucket; fold it into a signature at min_level or worse."""
        rank = LEVEL_RANK.get(e.level, 1)
        if rank >= ERROR_RANK:
            v[1] += 1
        elif rank == WARN_RANK:
            v[2] += 1
        if rank < self.q.min_rank:
            return
        key = (fold(headline(e.message)), e.level, e.component)
        s = self.sigs.get(key)
        if s is None:
            if len(self.sigs) >= MAX_SIGNATURES:
                entries, distinct = prune(self.sigs)
                self.dropped = [self.dropped[0] + entries, self.dropped[1] + distinct]
            s = self.sigs[key] = [0, ts, ts, {}, example(e.message), self.name]
        s[0] += 1
        s[1] = min(s[1], ts)
        s[2] = max(s[2], ts)
        k = int(ts // self.q.bucket_s * self.q.bucket_s)
        s[3][k] = s[3].get(k, 0) + 1

    def result(self) -> dict[str, Any]:
        return {
            "lines": self.lines, "first": self.first, "last": self.last, "volume": self.volume,
            "sigs": self.sigs, "dropped": self.dropped, "timed_out": self.timed_out,
        }  # fmt: skip


def summarize_range(path: str, compressed: bool, name: str, start: int, end: int | None, q: SummaryQuery) -> dict[str, Any]:
    """Per-bucket volume and folded signatures of the entries in [start, end).

    Returns a partial summary that `merge` combines across ranges and files:
    {"lines", "first", "last" (epoch s), "volume": {bucket: [lines, errors, warnings]},
     "sigs": {(signature, level, component): [count, first, last, {bucket: n}, example, file]},
     "timed_out"}.
    """
    acc = _Summary(q, name)
    with open_binary(path, compressed) as f:
        if q.ts_width and q.min_rank >= WARN_RANK:
            _summarize_plain(f, start, end, acc, path, compressed)
        else:
            for n, e in enumerate(iter_entries(f, start, end, q.fmt, name, since=q.since)):
                if n % 4096 == 0 and q.deadline is not None and time.time() > q.deadline:
                    acc.timed_out = True
                    break
                ts = e.time.timestamp()
                if not acc.inside(ts):
                    continue
                acc.lines += 1
                acc.seen_at(ts)
                v = acc.bucket(ts)
                v[0] += 1
                if LEVEL_RANK.get(e.level, 1) >= min(WARN_RANK, q.min_rank):
                    acc.levelled(e, ts, v)
    return acc.result()


def _summarize_plain(f: IO[bytes], start: int, end: int | None, acc: _Summary, path: str, compressed: bool) -> None:
    """The fast path for plain files with UTC timestamps at every line start, in time order.

    Lines per minute are counted with bytes.count of each minute's prefix ("\\n2026-03-12 14:05"),
    a few passes of C per block; only lines that carry a level word are parsed. The caller gives
    an exact byte range for the window, so counts need no per-line time check.
    """
    q = acc.q
    read_time = time_reader("plain")
    peek, parse = level_peek("plain"), parser_for("plain")
    epochs: dict[bytes, float] = {}
    other: list[IO[bytes]] = []

    def lookback(offset: int) -> Iterator[tuple[int, bytes]]:
        if not other:
            other.append(open_binary(path, compressed))
        return iter_lines_backwards(other[0], offset)

    def epoch(key: bytes) -> float | None:
        if key not in epochs:
            t = read_time(key + b":00")
            epochs[key] = t.timestamp() if t is not None else None
        return epochs[key]

    try:
        for off, block in iter_blocks(f, start, end):
            if q.deadline is not None and time.time() > q.deadline:
                acc.timed_out = True
                return
            for key, n in _minute_counts(block).items():
                ts = epoch(key)
                if ts is None:
                    continue
                acc.lines += n
                acc.bucket(ts)[0] += n
            for edge in (_first_line(block), _last_line(block)):
                t = read_time(edge) if edge else None
                if t is not None and acc.inside(t.timestamp()):
                    acc.seen_at(t.timestamp())
            for ls in level_lines(block, WARN_RANK, q.ts_width):
                le = block.find(b"\n", ls)
                level = _level_of(block[ls : le if le >= 0 else len(block)], peek, parse)
                if level is None or LEVEL_RANK.get(level, 1) < WARN_RANK:
                    continue
                e, _ = _entry_around(lookback, block, off, ls, "plain", acc.name)
                if e is None or e.offset != off + ls:
                    continue
                ts = e.time.timestamp()
                if acc.inside(ts):
                    acc.levelled(e, ts, acc.bucket(ts))
    finally:
        for g in other:
            g.close()


def _minute_counts(block: bytes) -> dict[bytes, int]:
    """Timestamped lines per minute prefix in a block of time-ordered lines."""
    first, last = _MINUTE.search(block), None
    if first is None:
        return {}
    tail = block.rfind(b"\n", 0, len(block) - 1) + 1
    while tail > 0 and last is None:
        last = _MINUTE.match(block, tail)
        if last is None:
            tail = block.rfind(b"\n", 0, tail - 1) + 1
    last = last or first
    a, b = first[1], last[1]
    if a == b:
        return {a: block.count(b"\n" + a) + block.startswith(a)}
    ta, tb = time_reader("plain")(a + b":00"), time_reader("plain")(b + b":00")
    span = int((tb - ta).total_seconds() // 60) if ta and tb else -1
    if not 0 <= span <= 120:  # sparse or unordered: read every line's prefix instead
        out: dict[bytes, int] = {}
        for k in _MINUTE.findall(block):
            out[k] = out.get(k, 0) + 1
        return out
    sep = a[10:11]
    out = {}
    for i in range(span + 1):
        k = (ta + timedelta(minutes=i)).strftime(f"%Y-%m-%d{sep.decode()}%H:%M").encode()
        n = block.count(b"\n" + k) + block.startswith(k)
        if n:
            out[k] = n
    return out


def _first_line(block: bytes) -> bytes:
    m = _MINUTE.search(block)
    if m is None:
        return b""
    nl = block.find(b"\n", m.start())
    return block[m.start() : nl if nl >= 0 else len(block)]


def _last_line(block: bytes) -> bytes:
    end = len(block) - 1 if block.endswith(b"\n") else len(block)
    pos = end
    for _ in range(MAX_CONTINUATION + 1):
        ls = block.rfind(b"\n", 0, pos) + 1
        if _MINUTE.match(block, ls):
            return block[ls:end]
        if ls == 0:
            return b""
        end = pos = ls - 1
    return b""


# Signatures one scan keeps: a log whose messages do not fold (free text, ids the folding does
# not know) must not make memory grow with the file. Past the cap, the rarer half is dropped and
# counted; a signature that matters comes back and is counted again from where it reappears.
MAX_SIGNATURES = 5000
EXAMPLE_MAX = 500


def example(message: str) -> str:
    """A signature's example, at most EXAMPLE_MAX characters: a long traceback keeps its first
    line and the lines it ends with (the exception), which say what happened; the frames between
    give way."""
    if len(message) <= EXAMPLE_MAX:
        return message
    lines = message.split("\n")
    if len(lines) < 3:
        return message[:EXAMPLE_MAX]
    head = lines[0][: EXAMPLE_MAX // 2]
    tail: list[str] = []
    room = EXAMPLE_MAX - len(head) - 3
    for line in reversed(lines[1:]):
        if len(line) + 1 > room:
            break
        tail.insert(0, line)
        room -= len(line) + 1
    return "\n".join([head, "…", *tail]) if tail else message[:EXAMPLE_MAX]


def prune(sigs: dict[Any, list[Any]]) -> list[int]:
    """Drop all but the most frequent half of MAX_SIGNATURES (recent ones win ties); returns
    [entries dropped, signatures dropped]."""
    keep = MAX_SIGNATURES // 2
    ranked = sorted(sigs.items(), key=lambda kv: (kv[1][0], kv[1][2]), reverse=True)
    gone = ranked[keep:]
    for key, _ in gone:
        del sigs[key]
    return [sum(v[0] for _, v in gone), len(gone)]


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Combine partial summaries (ranges of one file, or several files)."""
    out: dict[str, Any] = {
        "lines": 0, "first": None, "last": None, "volume": {}, "sigs": {}, "dropped": [0, 0], "timed_out": False,
    }  # fmt: skip
    for p in parts:
        out["lines"] += p["lines"]
        out["dropped"] = [a + b for a, b in zip(out["dropped"], p["dropped"], strict=True)]
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
        if len(out["sigs"]) > MAX_SIGNATURES:
            out["dropped"] = [a + b for a, b in zip(out["dropped"], prune(out["sigs"]), strict=True)]
    return out
