"""The log files a server may read: found under its directory, told apart by format, never outside it.

Each file is sniffed once (its format from the first lines; its first and last times) and
remembered until it changes size or mtime, so a live, growing log is re-read cheaply and a
rotated `.gz` file, which has to be decompressed to find its last line, is read once.

One bad file never takes the others down: a file that cannot be read is listed with the reason
(`format: "unreadable"`), a truncated `.gz` is read as far as it goes and says so, and a file a
symlink points to is served once.
"""

from __future__ import annotations

import fnmatch
import io
import os
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rca_servers.common import ToolError, confined_path
from rca_servers.logs import scan
from rca_servers.logs.formats import Sniffed, sniff, time_reader

MAX_FILES = 500  # a directory with more is listed up to this many, and says so
SNIFF_BYTES = 64 << 10
_GLOB_CHARS = set("*?[")
READ_ERRORS = (OSError, EOFError, zlib.error)


@dataclass(frozen=True)
class LogFile:
    name: str  # relative to the log directory, '/'-separated
    path: str
    size: int  # bytes on disk (compressed size for .gz)
    mtime_ns: int
    compressed: bool
    sniffed: Sniffed
    first: datetime | None
    last: datetime | None
    note: str | None = None  # what the caller should know: truncated, out of order, why unreadable

    @property
    def format(self) -> str:
        return self.sniffed.format

    @property
    def readable(self) -> bool:
        return self.sniffed.format in ("plain", "json", "logfmt", "empty")

    @property
    def seekable(self) -> bool:
        """Bisection and backward reads need a plain file whose lines are in time order."""
        return not self.compressed and self.in_order

    @property
    def in_order(self) -> bool:
        return self.first is None or self.last is None or self.first <= self.last

    @property
    def span(self) -> tuple[datetime | None, datetime | None]:
        """Earliest and latest time, whatever order the lines are in (first and last line's)."""
        if self.in_order:
            return self.first, self.last
        return self.last, self.first


class Catalog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: dict[str, tuple[tuple[int, int, int], LogFile]] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------- discovery

    def files(self) -> tuple[list[LogFile], bool]:
        """Every file under the directory (hidden ones and symlinks out excluded, each real
        file once), sorted by name; and whether the listing was cut at MAX_FILES."""
        if not self.root.is_dir():
            raise ToolError(
                f"the log directory {str(self.root)!r} does not exist; set LOGS_DIR to a directory of log files."
            )
        root_real = self.root.resolve()
        found: dict[Path, tuple[bool, str, Path]] = {}  # real path -> (is a link, name, path)
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                if fn.startswith("."):
                    continue
                full = Path(dirpath) / fn
                real = full.resolve()
                if real != root_real and root_real not in real.parents:
                    continue  # a symlink out of the directory is never served
                if not real.is_file():
                    continue
                candidate = (full.is_symlink(), full.relative_to(self.root).as_posix(), full)
                if real not in found or candidate < found[real]:  # the file itself over a link to it
                    found[real] = candidate
        chosen = sorted(found.values(), key=lambda c: c[1])
        cut = len(chosen) > MAX_FILES
        return [self._lookup(name, path) for _, name, path in chosen[:MAX_FILES]], cut

    def get(self, name: str) -> LogFile:
        """A file a caller named: confined to the directory, refused if it does not exist."""
        path = confined_path(self.root, name, what="log file")
        if not path.is_file():
            raise ToolError(f"log file {name!r} does not exist; call list_log_files to see the files.")
        return self._lookup(name, path)

    def _lookup(self, name: str, path: Path) -> LogFile:
        try:
            st = path.stat()
        except OSError as e:
            return _unreadable(name, str(path), f"it cannot be read ({e.strerror or e})")
        ident = (st.st_size, st.st_mtime_ns, st.st_ino)
        with self._lock:
            known = self._known.get(name)
            if known and known[0] == ident:
                return known[1]
        info = _inspect(name, str(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            self._known[name] = (ident, info)
        return info

    # -------------------------------------------------------------- selection

    def select(self, spec: str) -> list[LogFile]:
        """Files named by `spec`: one name, or a glob ('*', '*.log', 'nginx/*') over the names."""
        if not isinstance(spec, str) or not spec.strip():
            raise ToolError("file is empty; send a file name from list_log_files, or '*' for all files.")
        spec = spec.strip()
        if not (_GLOB_CHARS & set(spec)):
            return [self.get(spec)]
        # a glob is checked like a name (no absolute paths, no '..', no NUL, no options)
        probe = spec.replace("*", "x").replace("?", "x").replace("[", "x").replace("]", "x")
        confined_path(self.root, probe, what="file pattern")
        files, _ = self.files()
        chosen = [f for f in files if fnmatch.fnmatchcase(f.name, spec) or fnmatch.fnmatchcase(f.name.rsplit("/", 1)[-1], spec)]
        if not chosen:
            raise ToolError(
                f"no log file matches {spec!r}; the files are: {', '.join(f.name for f in files[:30]) or 'none'}."
            )
        return chosen

    def data_end(self, files: list[LogFile] | None = None) -> datetime | None:
        """The latest time in the data: what 'now' means for recorded logs."""
        files = files if files is not None else self.files()[0]
        lasts = [f.span[1] for f in files if f.span[1] is not None]
        return max(lasts) if lasts else None


def _unreadable(name: str, path: str, why: str, size: int = 0, mtime_ns: int = 0) -> LogFile:
    return LogFile(name, path, size, mtime_ns, name.endswith(".gz"), Sniffed("unreadable"), None, None, why)


def _inspect(name: str, path: str, size: int, mtime_ns: int) -> LogFile:
    compressed = name.endswith(".gz")
    if size == 0:
        return LogFile(name, path, 0, mtime_ns, compressed, Sniffed("empty"), None, None, "the file is empty")
    note = None
    try:
        with scan.open_binary(path, compressed) as f:
            head = f.read(SNIFF_BYTES)
            text = head.decode("utf-8", "replace")
            sniffed = sniff(text.splitlines()[:-1] or [text]) if head else Sniffed("empty")
            first = last = None
            if sniffed.format in ("plain", "json", "logfmt"):
                first = scan.first_time(f, sniffed.format)
                if compressed:
                    last, note = _gz_last_time(f, sniffed.format)
                else:
                    last = scan.last_time(f, size, sniffed.format)
    except READ_ERRORS as e:
        return _unreadable(name, path, f"it cannot be read ({e})", size, mtime_ns)
    if first is not None and last is not None and first > last:
        note = "its lines are not in time order, so it is read whole rather than by bisection"
    elif sniffed.format == "unknown":
        note = "no line in a log format I know (plain, JSON lines, logfmt)"
    return LogFile(name, path, size, mtime_ns, compressed, sniffed, first, last, note)


def _gz_last_time(f: scan.GzipStream, fmt: str) -> tuple[datetime | None, str | None]:
    """The last timestamp of a compressed file: it has to be streamed once (then cached).

    A truncated file (rotation cut short, a copy in progress) is read as far as it goes.
    """
    read_time = time_reader(fmt)
    f.seek(0)
    tail = b""
    while data := f.read(scan.GZ_STEP):
        tail = (tail + data)[-SNIFF_BYTES:]
    note = "the compressed file is truncated or damaged; it is read as far as it goes" if f.truncated else None
    for _, raw in scan.iter_lines_backwards(io.BytesIO(tail), len(tail)):
        last = read_time(raw)
        if last is not None:
            return last, note
    return None, note
