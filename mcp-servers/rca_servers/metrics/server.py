"""The metrics MCP server: is anything wrong with the service, since when, and how badly.

Three backends answer the same tools: a recorded JSON file (the seed's format), a Prometheus
(PromQL `query_range`) and Datadog (its v1 query API). Each only turns a window into a table
of the five metrics; arguments are checked here, once, so all three refuse the same things with
the same sentences, and downsampling, summaries and anomaly detection are written once.
"""

from __future__ import annotations

import math
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Protocol

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from rca_servers.common import READ_ONLY, ToolError, Window, clamp_limit, env_path, iso, parse_duration

from .anomalies import detect, settings_for
from .file_backend import FileBackend
from .table import ALIASES, METRICS, MetricTable, even_indices, number, robust_median, summarize

DEFAULT_METRICS_FILE = Path(__file__).resolve().parents[2] / "datadog-server" / "data" / "metrics.json"
POINTS_CAP = 2000
ERROR_POINTS_CAP = 2000
THRESHOLD_MAX = 100.0
# Anomalies need a baseline from before them: a windowed question also reads this much history.
HISTORY = timedelta(hours=2)
PROMQL_MAX = 2000
QUERY_SERIES_CAP = 20
QUERY_POINTS_CAP = 500
TIME_ARG = "RFC 3339 (2026-02-17T14:30:00Z), 'YYYY-MM-DD HH:MM:SS' (UTC) or relative ('now-2h')"
METRIC_ARG = (
    "'all', or one of cpu_usage, memory_usage, request_rate, error_rate, response_time_ms "
    "(aliases cpu, memory, mem, requests, traffic, rps, errors, latency), or several separated by commas"
)


class MetricsBackend(Protocol):
    supports_promql: bool

    def describe(self) -> str: ...
    def window(self, since: str | None, until: str | None) -> Window: ...
    def table(self, metrics: list[str], since: datetime | None, until: datetime | None) -> MetricTable: ...


def backend_from_env(default_metrics_file: Path = DEFAULT_METRICS_FILE) -> MetricsBackend:
    """Which source the environment names; see docs/metrics-server.md for the precedence.

    METRICS_BACKEND (file|prometheus|datadog) chooses outright. Otherwise an explicit
    METRICS_FILE wins (a scenario or `--data` run means that file), then PROMETHEUS_URL, then
    DD_API_KEY, then the bundled demo file.
    """
    choice = os.environ.get("METRICS_BACKEND", "").strip().lower()
    if choice not in ("", "file", "prometheus", "datadog"):
        # The server must still start; every tool call then says what to fix.
        return Unconfigured(f"METRICS_BACKEND={choice!r} is not one of file, prometheus, datadog; set one of those.")
    if not choice:
        if os.environ.get("METRICS_FILE", "").strip():
            choice = "file"
        elif os.environ.get("PROMETHEUS_URL", "").strip():
            choice = "prometheus"
        elif os.environ.get("DD_API_KEY", "").strip():
            choice = "datadog"
        else:
            choice = "file"
    try:
        if choice == "prometheus":
            from .prometheus_backend import PrometheusBackend

            return PrometheusBackend.from_env()
        if choice == "datadog":
            from .datadog_backend import DatadogBackend

            return DatadogBackend.from_env()
    except ToolError as exc:
        return Unconfigured(str(exc))
    return FileBackend(env_path("METRICS_FILE", default_metrics_file))


class Unconfigured:
    """A backend the environment names but cannot be built: every call says why."""

    supports_promql = False

    def __init__(self, reason: str):
        self.reason = reason

    def describe(self) -> str:
        return f"no usable source ({self.reason})"

    def window(self, since: str | None, until: str | None) -> Window:
        raise ToolError(self.reason)

    def table(self, metrics: list[str], since: datetime | None, until: datetime | None) -> MetricTable:
        raise ToolError(self.reason)


# --- argument checks: the same sentences whatever the backend ---------------------------------


def check_metrics(metric_type: str) -> list[str]:
    if not isinstance(metric_type, str) or not metric_type.strip():
        return list(METRICS)
    names: list[str] = []
    for part in metric_type.split(","):
        key = part.strip().lower()
        if key == "all":
            return list(METRICS)
        name = ALIASES.get(key, key)
        if name not in METRICS:
            raise ToolError(f"metric_type={part.strip()!r} is not a metric I know; send {METRIC_ARG}.")
        if name not in names:
            names.append(name)
    return names


def check_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise ToolError(f"threshold={threshold!r} is not a number; send a robust z-score such as 4 (3 finds more, 6 fewer).")
    if threshold <= 0:
        raise ToolError(
            f"threshold={threshold:g} is not allowed; send a robust z-score above 0, such as 4 (3 finds more, 6 fewer)."
        )
    if threshold > THRESHOLD_MAX:
        raise ToolError(f"threshold={threshold:g} is beyond {THRESHOLD_MAX:g}; send a robust z-score such as 4.")
    return float(threshold)


def resolve_range(backend: MetricsBackend, time_range: str, since: str | None, until: str | None) -> Window:
    """`time_range` ('all', '1h', 'START/END') and since/until are two ways to say one window."""
    text = (time_range or "all").strip() if isinstance(time_range, str) else None
    if text is None:
        raise ToolError("time_range must be a string: 'all', a duration like '1h', or 'START/END'.")
    if text.lower() == "all" or not text:
        return backend.window(since, until)
    if since or until:
        raise ToolError(
            f"time_range={time_range!r} and since/until both say which window; send one of them "
            "(time_range='all' with since/until, or time_range alone)."
        )
    if "/" in text:
        start, _, end = text.partition("/")
        return backend.window(start.strip() or None, end.strip() or None)
    duration = parse_duration(text)
    if duration is None or duration.total_seconds() <= 0:
        raise ToolError(
            f"time_range={time_range!r} is not 'all', a duration like '30m', '1h' or '2d', or 'START/END' "
            "(two times separated by '/'); send one of those."
        )
    window = backend.window(None, None)
    return backend.window(iso(window.now - duration), None)


def check_promql(promql: str) -> str:
    if not isinstance(promql, str) or not promql.strip():
        raise ToolError("promql is empty; send a PromQL expression such as 'sum(rate(http_requests_total[5m]))'.")
    if "\x00" in promql:
        raise ToolError("promql contains a NUL byte; send plain text.")
    if len(promql) > PROMQL_MAX:
        raise ToolError(f"promql is {len(promql)} characters long; send at most {PROMQL_MAX}.")
    return promql.strip()


def check_step(step: str | None, start: datetime, end: datetime) -> tuple[float, bool]:
    """The step in seconds, raised so no series has more than QUERY_POINTS_CAP points."""
    span = max((end - start).total_seconds(), 1.0)
    wanted: float | None = None
    if step not in (None, ""):
        if not isinstance(step, str):
            raise ToolError("step must be a string such as '60s', '1m' or '5m'.")
        d = parse_duration(step.strip().lstrip("-"))
        if d is not None and step.strip().startswith("-"):
            d = -d
        if d is None:
            try:
                d = timedelta(seconds=float(step))
            except (ValueError, OverflowError):
                raise ToolError(f"step={step!r} is not a duration; send one such as '15s', '1m' or '5m'.") from None
        if d.total_seconds() <= 0:
            raise ToolError(f"step={step!r} is not allowed; send a positive duration such as '1m'.")
        wanted = d.total_seconds()
    least = math.ceil(span / (QUERY_POINTS_CAP - 1))
    if wanted is None:
        return float(max(least, 15)), False
    return (float(least), True) if wanted < least else (wanted, False)


# --- the answers --------------------------------------------------------------------------------


def find_anomalies(table: MetricTable, threshold: float) -> list[dict[str, Any]]:
    found = []
    for name, column in table.values.items():
        for a in detect(name, table.times, column, settings_for(name, threshold)):
            found.append(a)
    found.sort(key=lambda a: (a.start, -a.score))
    return [a.as_dict() for a in found]


def overlaps(anomaly: dict[str, Any], window: Window) -> bool:
    start, end = anomaly["start"], anomaly["end"]
    if window.until is not None and start > iso(window.until):
        return False
    return not (window.since is not None and end is not None and end < iso(window.since))


def error_rates(table: MetricTable) -> dict[str, Any]:
    errors = table.values["error_rate"]
    requests = table.values["request_rate"]
    points = []
    for t, e, r in zip(table.times, errors, requests, strict=True):
        per_min = e * r / 100 if e is not None and r is not None else None
        points.append({"timestamp": iso(t), "error_rate": number(e), "request_rate": number(r), "errors_per_min": number(per_min)})
    present = [(t, e) for t, e in zip(table.times, errors, strict=True) if e is not None and math.isfinite(e)]
    rises = [a for a in detect("error_rate", table.times, errors) if a.direction == "up"]
    if rises:
        baseline = rises[0].baseline  # the error rate before it began to climb
    else:
        baseline = robust_median(errors)
    peak_time, peak = max(present, key=lambda p: p[1]) if present else (None, None)
    return {
        "points": points,
        "baseline": number(baseline),
        "peak": number(peak),
        "peak_time": iso(peak_time),
        "current": number(present[-1][1]) if present else None,
        "onset": iso(rises[0].start) if rises else None,
    }


def build_server(
    backend: MetricsBackend | None = None,
    metrics_file: Path | None = None,
    *,
    default_metrics_file: Path | None = None,
) -> MCPServer:
    """The server over `backend`; else over `metrics_file`; else as the environment says.

    An explicit `metrics_file` wins over the environment (a test or a scenario run means that
    file); `default_metrics_file` is only the fallback when the environment names no source
    (the entry point passes its bundled demo data).
    """
    if backend is None:
        if metrics_file is not None:
            backend = FileBackend(Path(metrics_file))
        else:
            backend = backend_from_env(default_metrics_file or DEFAULT_METRICS_FILE)
    source: MetricsBackend = backend

    app = MCPServer(
        "metrics",
        instructions=(
            "Service metrics (error rate, latency, traffic, CPU, memory). Start with get_anomalies to learn "
            "whether anything is wrong and when it began, then get_error_rates or get_metrics around that time. "
            f"Reading from the {source.describe()}."
        ),
    )

    @app.tool(annotations=READ_ONLY)
    def get_metrics(
        metric_type: Annotated[str, Field(description=f"Which metrics: {METRIC_ARG}.")] = "all",
        time_range: Annotated[
            str,
            Field(description="'all' (the whole window since/until allow), a duration like '1h' (the last hour), or 'START/END'."),
        ] = "all",
        since: Annotated[str | None, Field(description=f"Only points at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only points at or before this time: {TIME_ARG}.")] = None,
        limit: Annotated[
            int, Field(description=f"Most points to return (1-{POINTS_CAP}); more are downsampled evenly.")
        ] = 500,
    ) -> dict[str, Any]:
        """Metric points in time order, one row per timestamp, with min/max/mean/first/last per metric.

        For recorded data, relative times and durations count back from the end of the recording.
        """
        names = check_metrics(metric_type)
        n = clamp_limit(limit, cap=POINTS_CAP)
        window = resolve_range(source, time_range, since, until)
        table = source.table(names, window.since, window.until)
        keep = even_indices(len(table.times), n)
        out: dict[str, Any] = {
            "service": table.service,
            "window": window.describe(),
            "metrics": names,
            "points": table.rows(keep),
            "summary": {name: summarize(col) for name, col in table.values.items()},
            "total_points": len(table.times),
            "truncated": False,
            "downsampled": len(keep) < len(table.times),
        }
        out.update(table.caveats())
        return out

    @app.tool(annotations=READ_ONLY)
    def get_anomalies(
        threshold: Annotated[
            float,
            Field(description="How far from the baseline a shift must go, as a robust z-score (median/MAD): 4 is the default, 3 finds more, 6 fewer."),
        ] = 4.0,
        metric_type: Annotated[str, Field(description=f"Which metrics to check: {METRIC_ARG}.")] = "all",
        since: Annotated[str | None, Field(description=f"Only anomalies still going on at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only anomalies that began at or before this time: {TIME_ARG}.")] = None,
    ) -> dict[str, Any]:
        """Sustained shifts away from each metric's own baseline, oldest first, each with the minute it began.

        The baseline is the median of the normal points before the shift (so daily drift is not an
        incident); a shift must last several points. `kind` is step, ramp (start = where the climb
        left the baseline) or spike (short and large); `end` is null while it is still going on.
        """
        t = check_threshold(threshold)
        names = check_metrics(metric_type)
        window = source.window(since, until)
        history_from = window.since - HISTORY if window.since is not None else None
        table = source.table(names, history_from, window.until)
        anomalies = [a for a in find_anomalies(table, t) if overlaps(a, window)]
        out: dict[str, Any] = {
            "service": table.service,
            "window": window.describe(),
            "threshold": t,
            "metrics": names,
            "anomalies": anomalies,
        }
        out.update(table.caveats())
        return out

    @app.tool(annotations=READ_ONLY)
    def get_error_rates(
        since: Annotated[str | None, Field(description=f"Only points at or after this time: {TIME_ARG}.")] = None,
        until: Annotated[str | None, Field(description=f"Only points at or before this time: {TIME_ARG}.")] = None,
    ) -> dict[str, Any]:
        """Error rate (%) and request rate per point, errors per minute, and the baseline, peak and current rate.

        `baseline` is the error rate before it began to climb (the median when it never did);
        `onset` is when the climb began (null when there was none).
        """
        window = source.window(since, until)
        table = source.table(["error_rate", "request_rate"], window.since, window.until)
        rates = error_rates(table)
        keep = even_indices(len(rates["points"]), ERROR_POINTS_CAP)
        downsampled = len(keep) < len(rates["points"])
        rates["points"] = [rates["points"][i] for i in keep]
        out = {"service": table.service, "window": window.describe(), **rates, "downsampled": downsampled}
        out.update(table.caveats())
        return out

    if getattr(source, "supports_promql", False):
        _add_query_tool(app, source)
    return app


def _add_query_tool(app: MCPServer, source: Any) -> None:
    """Raw PromQL, for questions the three tools do not ask; offered only by a Prometheus backend."""

    @app.tool(annotations=READ_ONLY)
    def query_metrics(
        promql: Annotated[str, Field(description="A PromQL expression, e.g. 'sum by (status) (rate(http_requests_total[5m]))'.")],
        start: Annotated[str | None, Field(description=f"Start of the range (default now-1h): {TIME_ARG}.")] = None,
        end: Annotated[str | None, Field(description=f"End of the range (default now): {TIME_ARG}.")] = None,
        step: Annotated[
            str | None,
            Field(description=f"Resolution, e.g. '15s', '1m' (default: the range / {QUERY_POINTS_CAP - 1}, at least 15s)."),
        ] = None,
    ) -> dict[str, Any]:
        """Run a PromQL range query. At most 20 series (largest last value first) and 500 points each.

        A step too fine for the range is raised to fit (`step_raised: true`).
        """
        q = check_promql(promql)
        window = source.window(start or "now-1h", end or "now")
        step_s, raised = check_step(step, window.since, window.until)
        series = source.query(q, window.since, window.until, step_s)
        series.sort(key=lambda s: -(s["values"][-1][1] if s["values"] and s["values"][-1][1] is not None else -math.inf))
        return {
            "promql": q,
            "window": window.describe(),
            "step_seconds": step_s,
            "step_raised": raised,
            "series": series[:QUERY_SERIES_CAP],
            "series_total": len(series),
            "truncated": len(series) > QUERY_SERIES_CAP,
        }
