"""What the live backends (Prometheus, Datadog) share: settings from the environment, HTTP with
clear failures, and turning one series per metric into the server's table.

A live source's clock is the wall clock, and "all" means the last `lookback` (a live source has
no end of its own). Every failure becomes a ToolError sentence naming what to check; the five
metrics are fetched in parallel and one failing query leaves only its metric missing.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from rca_servers.common import ToolError, Window, parse_duration, resolve_window

from .table import MetricTable

Series = list[tuple[datetime, float | None]]

# httpx logs every request at INFO; a server's stderr is for its own problems.
logging.getLogger("httpx").setLevel(logging.WARNING)


def env_duration(var: str, default: str) -> timedelta:
    text = os.environ.get(var, "").strip() or default
    d = parse_duration(text)
    if d is None or d.total_seconds() <= 0:
        raise ToolError(f"{var}={text!r} is not a duration; set it to one such as '60s', '5m' or '3h'.")
    return d


def env_seconds(var: str, default: float) -> float:
    text = os.environ.get(var, "").strip()
    if not text:
        return default
    d = parse_duration(text)
    try:
        value = d.total_seconds() if d is not None else float(text)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value <= 0:
        raise ToolError(f"{var}={text!r} is not a number of seconds; set it to one such as '10' or '30s'.")
    return value


def http_client(url: str, timeout: float, headers: dict[str, str]) -> httpx.Client:
    """A client with the given per-request timeout. Proxies from the environment are honoured
    (Datadog is usually reached through one), except for a source on this machine, which a
    corporate HTTP_PROXY would only break."""
    host = (urlsplit(url).hostname or "").lower()
    loopback = host in ("localhost", "::1") or host.startswith("127.")
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), headers=headers, trust_env=not loopback
    )


def live_window(since: str | None, until: str | None, lookback: timedelta) -> Window:
    """The clock's window; an open start is the last `lookback`, an open end is now."""
    now = datetime.now(UTC)
    w = resolve_window(since, until, now)
    until_t = w.until or now
    since_t = w.since or (until_t - lookback)
    return Window(since_t, until_t, now)


def number_or_none(raw: Any) -> float | None:
    try:
        v = float(raw)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def get_json(client: httpx.Client, url: str, *, params: dict[str, Any], source: str, hint: str) -> Any:
    """GET and decode, or one sentence: unreachable, timed out, refused, or not the API we expected.

    The caller's `hint` says which setting to check. Error bodies are passed through (cut short)
    because they usually say exactly what is wrong with a query.
    """
    try:
        response = client.get(url, params=params)
    except httpx.TimeoutException:
        raise ToolError(f"{source} did not answer within {client.timeout.read:g}s; try a shorter window or check {hint}.") from None
    except httpx.HTTPError as exc:
        raise ToolError(f"{source} is not reachable ({exc.__class__.__name__}: {exc}); check {hint} and that it is up.") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise HTTPFailure(response.status_code, body, response.text[:300], response.headers)
    if body is None:
        raise ToolError(
            f"{source} answered {response.status_code} with something that is not JSON "
            f"({response.text[:80]!r}); check {hint} (the base URL of the API, not a web page)."
        )
    return body


class HTTPFailure(Exception):
    """A 4xx/5xx answer; the backend turns it into a sentence in its own terms."""

    def __init__(self, status: int, body: Any, text: str, headers: Any = None):
        super().__init__(f"HTTP {status}")
        self.status, self.body, self.text = status, body, text
        self.headers = dict(headers or {})


def fetch_all(
    metrics: list[str], fetch: Callable[[str], Series]
) -> tuple[dict[str, Series], dict[str, str]]:
    """Fetch every metric in parallel; a metric whose query fails is reported missing with why.

    When every one fails for the same reason (the source is down), that reason is the error.
    """
    got: dict[str, Series] = {}
    failed: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=min(len(metrics), 5) or 1) as pool:
        futures = {m: pool.submit(fetch, m) for m in metrics}
        for m, fut in futures.items():
            try:
                got[m] = fut.result()
            except ToolError as exc:
                failed[m] = str(exc)
    if failed and not got:
        reasons = list(dict.fromkeys(failed.values()))
        raise ToolError(reasons[0] if len(reasons) == 1 else " ".join(f"{m}: {r}" for m, r in failed.items()))
    return got, failed


def align(
    service: str | None,
    metrics: list[str],
    got: dict[str, Series],
    missing: dict[str, str],
    notes: dict[str, str] | None = None,
) -> MetricTable:
    """One row per timestamp any metric has; a metric without a sample there is None."""
    times = sorted({t for series in got.values() for t, _ in series})
    columns: dict[str, list[float | None]] = {}
    for m in metrics:
        by_time = dict(got.get(m, []))
        columns[m] = [by_time.get(t) for t in times]
        if m not in missing and all(v is None for v in columns[m]):
            missing[m] = "the query returned no data in this window"
    return MetricTable(service, times, columns, missing, dict(notes or {}))


def grid(since: datetime, until: datetime, step: float, max_points: int) -> tuple[datetime, datetime, float]:
    """Start and end on whole multiples of the step inside the window (so minutes line up with log
    minutes), and a step raised so the range has at most `max_points` points."""
    span = (until - since).total_seconds()
    step = max(step, math.ceil(span / max_points)) if span > 0 else step
    start = math.ceil(since.timestamp() / step) * step
    end = max(math.floor(until.timestamp() / step) * step, start)
    return datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), step
