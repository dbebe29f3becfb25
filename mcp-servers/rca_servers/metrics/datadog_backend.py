"""The five metrics from Datadog, through the public v1 timeseries API.

`GET {DD_API_URL}/api/v1/query?from=<s>&to=<s>&query=<q>` with the `DD-API-KEY` and
`DD-APPLICATION-KEY` headers answers `{"status": "ok", "series": [{"pointlist": [[ms, value],
...], "scope", "expression", ...}]}`. Each metric is one query that must come out as one series.
The defaults read APM trace metrics (`trace.<span>.hits/.errors` and the `trace.<span>`
latency distribution) and the Agent's system metrics; `$tags` becomes DD_QUERY_TAGS (default
`service:<METRICS_SERVICE>`), `$span` DD_QUERY_SPAN and `$interval` the rollup in seconds.
(Every setting starts with DD_ or METRICS_: those are what the bot passes on to its servers.)
docs/metrics-server.md lists them all.
"""

from __future__ import annotations

import math
import os
from datetime import UTC, datetime, timedelta
from string import Template

from rca_servers.common import ToolError, Window

from .live import (
    HTTPFailure,
    Series,
    align,
    env_duration,
    env_seconds,
    fetch_all,
    get_json,
    http_client,
    live_window,
    number_or_none,
)
from .table import METRICS, MetricTable

DEFAULT_QUERIES = {
    "request_rate": "sum:trace.$span.hits{$tags}.as_rate().rollup(avg, $interval) * 60",
    "error_rate": (
        "100 * sum:trace.$span.errors{$tags}.as_count().rollup(sum, $interval).fill(zero)"
        " / sum:trace.$span.hits{$tags}.as_count().rollup(sum, $interval)"
    ),
    "response_time_ms": "1000 * p95:trace.$span{$tags}.rollup(avg, $interval)",
    "cpu_usage": "avg:system.cpu.user{$tags}.rollup(avg, $interval) + avg:system.cpu.system{$tags}.rollup(avg, $interval)",
    "memory_usage": "100 - 100 * avg:system.mem.pct_usable{$tags}.rollup(avg, $interval)",
}
QUERY_ENV = {m: f"DD_QUERY_{m.upper()}" for m in METRICS}
# Datadog answers at most ~1,500 points per series; a coarser rollup keeps long windows whole.
MAX_POINTS = 1440
HINT = "DD_API_KEY, DD_APP_KEY and DD_SITE (or DD_API_URL)"


class DatadogBackend:
    supports_promql = False

    def __init__(
        self,
        api_key: str,
        app_key: str,
        *,
        site: str = "datadoghq.com",
        api_url: str | None = None,
        service: str | None = None,
        tags: str | None = None,
        span: str = "http.request",
        queries: dict[str, str] | None = None,
        lookback: timedelta = timedelta(hours=3),
        timeout: float = 10.0,
    ):
        if not api_key or not app_key:
            raise ToolError("Datadog needs both DD_API_KEY and DD_APP_KEY; set the missing one (an application key with timeseries_query).")
        site = (site or "datadoghq.com").strip().removeprefix("https://").removeprefix("app.").strip("/")
        self.url = (api_url or f"https://api.{site}").strip().rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise ToolError(f"DD_API_URL={self.url!r} is not an http(s) URL; set it to the API's base URL, e.g. https://api.datadoghq.eu.")
        self.service = service
        self.tags = tags or (f"service:{service}" if service else "*")
        self.span = span
        self.queries = {**DEFAULT_QUERIES, **(queries or {})}
        self.lookback = lookback
        headers = {"DD-API-KEY": api_key, "DD-APPLICATION-KEY": app_key, "Accept": "application/json"}
        self.client = http_client(self.url, timeout, headers)

    @classmethod
    def from_env(cls) -> DatadogBackend:
        queries = {m: os.environ[var].strip() for m, var in QUERY_ENV.items() if os.environ.get(var, "").strip()}
        return cls(
            os.environ.get("DD_API_KEY", "").strip(),
            os.environ.get("DD_APP_KEY", "").strip(),
            site=os.environ.get("DD_SITE", "").strip() or "datadoghq.com",
            api_url=os.environ.get("DD_API_URL", "").strip() or None,
            service=os.environ.get("METRICS_SERVICE", "").strip() or None,
            tags=os.environ.get("DD_QUERY_TAGS", "").strip() or None,
            span=os.environ.get("DD_QUERY_SPAN", "").strip() or "http.request",
            queries=queries,
            lookback=env_duration("METRICS_LOOKBACK", "3h"),
            timeout=env_seconds("DD_TIMEOUT", 10.0),
        )

    def describe(self) -> str:
        return f"Datadog API at {self.url} ({self.tags})"

    def window(self, since: str | None, until: str | None) -> Window:
        return live_window(since, until, self.lookback)

    def expression(self, metric: str, interval: int) -> str:
        return Template(self.queries[metric]).safe_substitute(tags=self.tags, span=self.span, interval=str(interval))

    def table(self, metrics: list[str], since: datetime | None, until: datetime | None) -> MetricTable:
        until = until or datetime.now(UTC)
        since = since or (until - self.lookback)
        span = max((until - since).total_seconds(), 60.0)
        interval = 60 * max(1, math.ceil(span / MAX_POINTS / 60))
        notes: dict[str, str] = {}

        def fetch(metric: str) -> Series:
            query = self.expression(metric, interval)
            series = self._query(query, since, until, metric)
            if len(series) > 1:
                notes[metric] = (
                    f"the {metric} query returned {len(series)} series, the first is used; aggregate it to one "
                    f"(sum:/avg: without 'by {{...}}') in {QUERY_ENV[metric]} or narrow DD_QUERY_TAGS."
                )
            points = series[0] if series else []
            return [(t, v) for t, v in points if since <= t <= until]

        got, missing = fetch_all(metrics, fetch)
        return align(self.service, metrics, got, missing, notes)

    def _query(self, query: str, since: datetime, until: datetime, metric: str) -> list[Series]:
        params = {"from": int(since.timestamp()), "to": math.ceil(until.timestamp()), "query": query}
        try:
            body = get_json(self.client, f"{self.url}/api/v1/query", params=params, source=f"Datadog at {self.url}", hint=HINT)
        except HTTPFailure as exc:
            raise ToolError(self._failure(exc, query, metric)) from None
        if not isinstance(body, dict):
            raise ToolError(f"Datadog at {self.url} answered without a result object; check DD_API_URL/DD_SITE.")
        if body.get("status") not in (None, "ok") or body.get("error"):
            raise ToolError(
                f"Datadog could not run the {metric} query ({body.get('error') or body.get('status')}); "
                f"fix it in {QUERY_ENV[metric]}. The query was: {query[:300]}"
            )
        out: list[Series] = []
        for s in body.get("series") or []:
            points = []
            for pair in s.get("pointlist") or []:
                if isinstance(pair, list | tuple) and len(pair) >= 2 and number_or_none(pair[0]) is not None:
                    t = datetime.fromtimestamp(float(pair[0]) / 1000, UTC).replace(microsecond=0)
                    points.append((t, number_or_none(pair[1])))
            out.append(points)
        return out

    def _failure(self, exc: HTTPFailure, query: str, metric: str) -> str:
        errors = exc.body.get("errors") if isinstance(exc.body, dict) else None
        reason = "; ".join(str(e) for e in errors) if isinstance(errors, list) and errors else exc.text[:200]
        if exc.status in (401, 403):
            return (
                f"Datadog refused the keys (HTTP {exc.status}: {reason}); check {HINT}: the application key "
                "needs the timeseries_query scope and both keys must belong to that site."
            )
        if exc.status == 400:
            return f"Datadog rejected the {metric} query ({reason}); fix it in {QUERY_ENV[metric]}. The query was: {query[:300]}"
        if exc.status == 429:
            reset = {k.lower(): v for k, v in exc.headers.items()}.get("x-ratelimit-reset")
            wait = f"retry in {reset} s" if reset and reset.isdigit() else "wait a minute"
            return f"Datadog is rate limiting these requests (HTTP 429); {wait}, or ask for fewer metrics at a time."
        if exc.status == 404:
            return f"Datadog at {self.url} has no /api/v1/query (HTTP 404); check DD_SITE or DD_API_URL."
        return f"Datadog at {self.url} failed on the {metric} query (HTTP {exc.status}: {reason}); try again shortly."
