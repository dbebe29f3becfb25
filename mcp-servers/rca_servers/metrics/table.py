"""The one shape every metrics backend answers in: a time-ordered table of the five metrics.

A recorded file, Prometheus and Datadog differ in where numbers come from; the tools only see
this table, so downsampling, summaries and anomaly detection are written once, in the server.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from rca_servers.common import iso

# The metric names of docs/tools.md, in the order the tools list them.
METRICS = ("cpu_usage", "memory_usage", "request_rate", "error_rate", "response_time_ms")

ALIASES = {
    "cpu": "cpu_usage",
    "memory": "memory_usage",
    "mem": "memory_usage",
    "requests": "request_rate",
    "traffic": "request_rate",
    "rps": "request_rate",
    "errors": "error_rate",
    "latency": "response_time_ms",
}


@dataclass
class MetricTable:
    """Rows at shared timestamps; a value is None where a source had no sample."""

    service: str | None
    times: list[datetime]
    values: dict[str, list[float | None]]
    # Why a requested metric has no values at all (a query matched nothing, a field is absent).
    missing: dict[str, str] = field(default_factory=dict)
    # What the caller should know about a metric that does have values (a query gave several series).
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, column in self.values.items():
            if len(column) != len(self.times):
                raise ValueError(f"column {name} has {len(column)} values for {len(self.times)} times")

    def select(self, keep: list[int]) -> MetricTable:
        return MetricTable(
            self.service,
            [self.times[i] for i in keep],
            {name: [col[i] for i in keep] for name, col in self.values.items()},
            dict(self.missing),
            dict(self.notes),
        )

    def caveats(self) -> dict[str, Any]:
        """The table's `missing` and `notes`, for a tool's answer, when there are any."""
        out: dict[str, Any] = {}
        if self.missing:
            out["missing"] = self.missing
        if self.notes:
            out["notes"] = self.notes
        return out

    def rows(self, indices: list[int] | None = None) -> list[dict[str, Any]]:
        idx = range(len(self.times)) if indices is None else indices
        return [
            {"timestamp": iso(self.times[i]), **{name: number(col[i]) for name, col in self.values.items()}}
            for i in idx
        ]


def number(v: float | None) -> float | int | None:
    """A value as it goes on the wire: None for gaps and non-finite values, short decimals."""
    if v is None or not math.isfinite(v):
        return None
    if float(v).is_integer() and abs(v) < 1e15:
        return int(v)
    digits = max(0, 4 - int(math.floor(math.log10(abs(v)))) - 1)
    return round(v, digits)


def even_indices(n: int, limit: int) -> list[int]:
    """`limit` indices spread evenly over range(n), always keeping the first and the last."""
    if n <= limit:
        return list(range(n))
    if limit == 1:
        return [n - 1]
    return sorted({round(k * (n - 1) / (limit - 1)) for k in range(limit)})


def summarize(column: list[float | None]) -> dict[str, float | int | None]:
    """min/max/mean/first/last over the values present; all None when there are none."""
    present = [v for v in column if v is not None and math.isfinite(v)]
    if not present:
        return {"min": None, "max": None, "mean": None, "first": None, "last": None}
    return {
        "min": number(min(present)),
        "max": number(max(present)),
        "mean": number(sum(present) / len(present)),
        "first": number(present[0]),
        "last": number(present[-1]),
    }


def robust_median(column: list[float | None]) -> float | None:
    present = [v for v in column if v is not None and math.isfinite(v)]
    return median(present) if present else None
