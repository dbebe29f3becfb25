"""The log files a server may read: found under its directory, told apart by format, never outside it.

Each file is sniffed once (its format from the first lines; its first and last times) and
remembered until it changes size or mtime, so a live, growing log is re-read cheaply and a
rotated `.gz` file, which has to be decompressed to find its last line, is read once.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rca_servers.common import ToolError, confined_path
from rca_servers.logs import scan
from rca_servers.logs.formats import Sniffed, sniff, time_reader

MAX_FILES = 500  # a directory with more is listed up to this many, and says so
SNIFF_BYTES = 64 << 10
_GLOB_CHARS = set("*?[")


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

    @property
    def format(self) -> str:
        return self.sniffed.format

    @property
    def readable(self) -> bool:
        return self.sniffed.format != "unknown"

    @property
    def seekable(self) -> bool:
        return not self.compressed


class Catalog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._known: dict[str, tuple[tuple[int, int, int], LogFile]] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------- discovery

    def files(self) -> tuple[list[LogFile], bool]:
        """Every readable-or-not log file under the directory (hidden ones and symlinks out
        excluded), sorted by name; and whether the listing was cut at MAX_FILES."""
        if not self.root.is_dir():
            raise ToolError(
                f"the log directory {str(self.root)!r} does not exist; set LOGS_DIR to a directory of log files."
            )
        root_real = self.root.resolve()
        names: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in sorted(filenames):
                if fn.startswith("."):
                    continue
                full = Path(dirpath) / fn
                real = full.resolve()
                if real != root_real and root_real not in real.parents:
                    continue  # a symlink out of the directory is never served
                if real.is_file():
                    names.append(full.relative_to(self.root).as_posix())
        names.sort()
        cut = len(names) > MAX_FILES
        return [self.get(n) for n in names[:MAX_FILES]], cut

    def get(self, name: str) -> LogFile:
        path = confined_path(self.root, name, what="log file")
        try:
            st = path.stat()
        except OSError:
            raise ToolError(f"log file {name!r} does not exist; call list_log_files to see the files.") from None
        ident = (st.st_size, st.st_mtime_ns, st.st_ino)
        with self._lock:
            known = self._known.get(name)
            if known and known[0] == ident:
                return known[1]
        info = self._inspect(name, str(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            self._known[name] = (ident, info)
        return info

    def _inspect(self, name: str, path: str, size: int, mtime_ns: int) -> LogFile:
        compressed = name.endswith(".gz")
        try:
            with scan.open_binary(path, compressed) as f:
                head = f.read(SNIFF_BYTES)
                sniffed = sniff(head.decode("utf-8", "replace").splitlines()[:-1] or [head.decode("utf-8", "replace")])
                first = last = None
                if sniffed.format != "unknown":
                    first = scan.first_time(f, sniffed.format)
                    if compressed:
                        last = _gz_last_time(f, sniffed.format)
                    else:
                        last = scan.last_time(f, size, sniffed.format)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise ToolError(f"log file {name!r} cannot be read: {e}") from None
        return LogFile(name, path, size, mtime_ns, compressed, sniffed, first, last)

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
        lasts = [f.last for f in files if f.last is not None]
        return max(lasts) if lasts else None


def _gz_last_time(f, fmt: str) -> datetime | None:  # noqa: ANN001 - a gzip stream
    """The last timestamp of a compressed file: it has to be streamed once (then cached)."""
    read_time = time_reader(fmt)
    last = None
    f.seek(0)
    tail = b""
    while True:
        data = f.read(scan.BLOCK)
        if not data:
            break
        tail = (tail + data)[-SNIFF_BYTES:]
    for _, raw in scan.iter_lines_backwards(io.BytesIO(tail), len(tail)):
        last = read_time(raw)
        if last is not None:
            break
    return last

