"""The five metrics from a Prometheus, through its HTTP API's `query_range`.

Each metric is one PromQL expression that must come out as one series. The defaults assume the
most common exporters: a client library's `http_requests_total{status=...}` counter and
`http_request_duration_seconds` histogram (or summary) for the service, and node_exporter for
CPU and memory. Every expression can be replaced (PROMETHEUS_QUERY_<METRIC>); `$selector` in an
expression becomes PROMETHEUS_SELECTOR (label matchers such as `job="checkout-api"`, may be
empty) and `$window` the rate window (PROMETHEUS_RATE_WINDOW, never less than the step).
docs/metrics-server.md lists them all.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from string import Template
from typing import Any

from rca_servers.common import ToolError, Window

from .live import (
    HTTPFailure,
    Series,
    align,
    env_duration,
    env_seconds,
    fetch_all,
    get_json,
    grid,
    http_client,
    live_window,
    number_or_none,
)
from .table import METRICS, MetricTable

DEFAULT_QUERIES = {
    "request_rate": "sum(rate(http_requests_total{$selector}[$window])) * 60",
    "error_rate": (
        '100 * (sum(rate(http_requests_total{status=~"5..",$selector}[$window])) or vector(0))'
        " / sum(rate(http_requests_total{$selector}[$window]))"
    ),
    "response_time_ms": (
        "1000 * sum(rate(http_request_duration_seconds_sum{$selector}[$window]))"
        " / sum(rate(http_request_duration_seconds_count{$selector}[$window]))"
    ),
    "cpu_usage": '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",$selector}[$window])))',
    "memory_usage": "100 * (1 - sum(node_memory_MemAvailable_bytes{$selector}) / sum(node_memory_MemTotal_bytes{$selector}))",
}
QUERY_ENV = {m: f"PROMETHEUS_QUERY_{m.upper()}" for m in METRICS}
# Prometheus refuses a range query of more than 11,000 points per series.
MAX_POINTS = 11_000
_SERVICE_LABEL = re.compile(r'\b(?:service|job|app)\s*=\s*"([^"]+)"')


class PrometheusBackend:
    supports_promql = True

    def __init__(
        self,
        url: str,
        *,
        queries: dict[str, str] | None = None,
        selector: str = "",
        rate_window: timedelta = timedelta(minutes=2),
        step: timedelta = timedelta(seconds=60),
        lookback: timedelta = timedelta(hours=3),
        timeout: float = 10.0,
        service: str | None = None,
        token: str | None = None,
    ):
        url = url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ToolError(f"PROMETHEUS_URL={url!r} is not an http(s) URL; set it to the server's base URL, e.g. http://prometheus:9090.")
        self.url = url
        self.queries = {**DEFAULT_QUERIES, **(queries or {})}
        self.selector = selector.strip().strip("{}").strip().rstrip(",")
        self.rate_window = rate_window
        self.step = step
        self.lookback = lookback
        m = _SERVICE_LABEL.search(self.selector)
        self.service = service or (m.group(1) if m else None)
        headers = {"Accept": "application/json", "User-Agent": "rca-bot-metrics"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = http_client(self.url, timeout, headers)

    @classmethod
    def from_env(cls) -> PrometheusBackend:
        queries = {m: os.environ[var].strip() for m, var in QUERY_ENV.items() if os.environ.get(var, "").strip()}
        return cls(
            os.environ.get("PROMETHEUS_URL", ""),
            queries=queries,
            selector=os.environ.get("PROMETHEUS_SELECTOR", ""),
            rate_window=env_duration("PROMETHEUS_RATE_WINDOW", "2m"),
            step=env_duration("PROMETHEUS_STEP", "60s"),
            lookback=env_duration("METRICS_LOOKBACK", "3h"),
            timeout=env_seconds("PROMETHEUS_TIMEOUT", 10.0),
            service=os.environ.get("METRICS_SERVICE", "").strip() or None,
            token=os.environ.get("PROMETHEUS_TOKEN", "").strip() or None,
        )

    def describe(self) -> str:
        return f"Prometheus at {self.url}" + (f" ({{{self.selector}}})" if self.selector else "")

    def window(self, since: str | None, until: str | None) -> Window:
        return live_window(since, until, self.lookback)

    def expression(self, metric: str, step: float) -> str:
        window = max(self.rate_window.total_seconds(), step)
        return Template(self.queries[metric]).safe_substitute(selector=self.selector, window=f"{int(window)}s")

    def table(self, metrics: list[str], since: datetime | None, until: datetime | None) -> MetricTable:
        now = datetime.now(UTC)
        until = until or now
        since = since or (until - self.lookback)
        start, end, step = grid(since, until, self.step.total_seconds(), MAX_POINTS)
        notes: dict[str, str] = {}

        def fetch(metric: str) -> Series:
            series = self._range(self.expression(metric, step), start, end, step, what=f"the {metric} query")
            if len(series) > 1:
                notes[metric] = (
                    f"the {metric} query returned {len(series)} series, the first is used; aggregate it to one "
                    f"(sum/avg) in {QUERY_ENV[metric]} or narrow PROMETHEUS_SELECTOR."
                )
            return series[0]["points"] if series else []

        got, missing = fetch_all(metrics, fetch)
        return align(self.service, metrics, got, missing, notes)

    def query(self, promql: str, start: datetime, end: datetime, step: float) -> list[dict[str, Any]]:
        """A caller's own PromQL: series as {"labels", "values": [[time, value]...]}."""
        series = self._range(promql, start, end, step, what="the query")
        return [
            {"labels": s["labels"], "values": [[t.strftime("%Y-%m-%dT%H:%M:%SZ"), v] for t, v in s["points"]]}
            for s in series
        ]

    def _range(self, promql: str, start: datetime, end: datetime, step: float, *, what: str) -> list[dict[str, Any]]:
        params = {"query": promql, "start": f"{start.timestamp():.3f}", "end": f"{end.timestamp():.3f}", "step": f"{step:g}"}
        try:
            body = get_json(
                self.client, f"{self.url}/api/v1/query_range", params=params,
                source=f"Prometheus at {self.url}", hint="PROMETHEUS_URL",
            )
        except HTTPFailure as exc:
            raise ToolError(self._failure(exc, promql, what)) from None
        if not isinstance(body, dict) or body.get("status") != "success" or not isinstance(body.get("data"), dict):
            raise ToolError(
                f"Prometheus at {self.url} answered without a 'success' result for {what}; "
                "check that PROMETHEUS_URL is a Prometheus (or compatible) API."
            )
        data = body["data"]
        if data.get("resultType") != "matrix":
            raise ToolError(f"{what} gave a {data.get('resultType')} rather than a range of values; send an expression over time.")
        out = []
        for item in data.get("result") or []:
            points = [
                (datetime.fromtimestamp(float(t), UTC), number_or_none(v))
                for t, v in item.get("values") or []
            ]
            out.append({"labels": item.get("metric") or {}, "points": points})
        return out

    def _failure(self, exc: HTTPFailure, promql: str, what: str) -> str:
        reason = exc.body.get("error") if isinstance(exc.body, dict) else None
        kind = exc.body.get("errorType") if isinstance(exc.body, dict) else None
        if exc.status in (400, 422) and reason:
            own = what != "the query"
            fix = f"fix the expression (set {QUERY_ENV[what.split()[1]]})" if own else "fix the PromQL"
            return f"Prometheus rejected {what} ({kind}: {reason}); {fix}. The expression was: {promql[:300]}"
        if exc.status == 503 and reason:
            return f"Prometheus could not answer {what} ({reason}); try a shorter window or a coarser step."
        if exc.status in (401, 403):
            return f"Prometheus at {self.url} refused us (HTTP {exc.status}); set PROMETHEUS_TOKEN or fix the credentials in PROMETHEUS_URL."
        if exc.status == 404:
            return f"Prometheus at {self.url} has no /api/v1/query_range (HTTP 404); set PROMETHEUS_URL to the server's base URL."
        return f"Prometheus at {self.url} failed on {what} (HTTP {exc.status}: {reason or exc.text[:200]}); check that it is healthy."
