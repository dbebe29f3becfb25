"""Large scans split across worker processes: the one CPU-bound part of the log server.

A case-insensitive search is lowercase-and-find over every byte, about 1 GB/s in one Python
process, so a big byte range is cut into line-aligned pieces scanned by a small pool of worker
processes (one per core, at most four; `LOGS_SCAN_WORKERS` sets it, 0 turns it off). Results are
taken in file order and no more pieces are handed out once the caller has enough, so a search
that finds its limit early stops early. Ranges below PARALLEL_MIN are scanned in-process: a
round trip to a worker costs more than it saves there.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger(__name__)

CHUNK = 32 << 20
PARALLEL_MIN = 48 << 20

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_count() -> int:
    raw = os.environ.get("LOGS_SCAN_WORKERS", "").strip()
    if raw:
        try:
            return max(0, min(int(raw), 16))
        except ValueError:
            log.warning("LOGS_SCAN_WORKERS=%r is not a number; using the default", raw)
    cores = os.cpu_count() or 1
    return min(cores, 4) if cores > 1 else 0


def _executor(n: int) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            _pool = ProcessPoolExecutor(n, mp_context=ctx)
        return _pool


def _reset() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def pieces(start: int, end: int, chunk: int = CHUNK) -> list[tuple[int, int]]:
    """[start, end) cut into ranges of about `chunk` bytes (scan.iter_blocks aligns them to lines)."""
    out, s = [], start
    while s < end:
        out.append((s, min(s + chunk, end)))
        s += chunk
    return out


def run(
    fn: Callable[..., Any],
    path: str,
    compressed: bool,
    name: str,
    start: int,
    end: int | None,
    query: Any,
    *,
    enough: Callable[[list[Any]], bool] | None = None,
) -> list[Any]:
    """fn(path, compressed, name, range_start, range_end, query) over [start, end), results in order."""
    n = worker_count()
    if compressed or end is None or n < 2 or end - start < PARALLEL_MIN:
        return [fn(path, compressed, name, start, end, query)]
    todo = iter(pieces(start, end))
    try:
        ex = _executor(n)
        pending: deque[Future[Any]] = deque()

        def submit() -> None:
            r = next(todo, None)
            if r is not None:
                pending.append(ex.submit(fn, path, compressed, name, r[0], r[1], query))

        for _ in range(2 * n):
            submit()
        results: list[Any] = []
        while pending:
            results.append(pending.popleft().result())
            if enough is not None and enough(results):
                for fut in pending:
                    fut.cancel()
                break
            submit()
        return results
    except (BrokenProcessPool, OSError, RuntimeError) as e:
        log.warning("scan workers unavailable (%s); scanning in-process", e)
        _reset()
        return [fn(path, compressed, name, start, end, query)]
