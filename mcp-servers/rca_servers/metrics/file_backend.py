"""Metrics recorded in a JSON file (the seed's `metrics.json`).

`{"service": "checkout-api", "metrics": [{"timestamp": ..., "cpu_usage": ..., ...}, ...]}`; a
bare list of points is read too. Recorded data has its own clock: `now` is the last point, so
`now-1h` and `time_range="1h"` mean the last hour of the recording, whenever it is read.
The file is read when a tool is called, not when the server starts, so a missing or broken
file is an error a caller can read, and an edited file is picked up without a restart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rca_servers.common import ParsedFile, ToolError, Window, read_json, resolve_window

from .table import METRICS, MetricTable

ENV_VAR = "METRICS_FILE"


@dataclass(frozen=True)
class _Data:
    service: str | None
    times: list[datetime]
    values: dict[str, list[float | None]]
    absent: frozenset[str]  # metrics no point of the file carries


class FileBackend:
    supports_promql = False

    def __init__(self, path: Path):
        self.path = Path(path)
        self._file = ParsedFile(self.path, lambda p: parse(read_json(p, what="metrics", env_var=ENV_VAR), p))

    def describe(self) -> str:
        return f"metrics file {self.path}"

    def window(self, since: str | None, until: str | None) -> Window:
        data = self._load()
        if not data.times:  # an empty recording has no end of its own
            return resolve_window(since, until, datetime.now(UTC))
        return resolve_window(since, until, data.times[-1], now_is_data_end=True)

    def table(self, metrics: list[str], since: datetime | None, until: datetime | None) -> MetricTable:
        data = self._load()
        keep = [
            i for i, t in enumerate(data.times) if (since is None or t >= since) and (until is None or t <= until)
        ]
        missing = {
            m: f"the metrics file {str(self.path)!r} has no {m!r} values" for m in metrics if m in data.absent
        }
        return MetricTable(
            data.service,
            [data.times[i] for i in keep],
            {m: [data.values[m][i] for i in keep] for m in metrics},
            missing,
        )

    def _load(self) -> _Data:
        return self._file.load()


def parse(doc: object, source: Path) -> _Data:
    where = repr(str(source))
    service = None
    if isinstance(doc, dict):
        if not isinstance(doc.get("metrics"), list):
            raise ToolError(
                f"{where} has no 'metrics' list; write {{\"service\": \"...\", \"metrics\": [{{\"timestamp\": ..., ...}}]}}."
            )
        service = doc.get("service")
        service = str(service) if service not in (None, "") else None
        raw = doc["metrics"]
    elif isinstance(doc, list):
        raw = doc
    else:
        raise ToolError(f"{where} is not a metrics document; write an object with a 'metrics' list of points.")

    rows: list[tuple[datetime, dict[str, float | None]]] = []
    for n, point in enumerate(raw, 1):
        if not isinstance(point, dict):
            raise ToolError(f"point #{n} in {where} is not an object; each point is {{\"timestamp\": ..., metric: number}}.")
        t = _time(point.get("timestamp"), n, where)
        row: dict[str, float | None] = {}
        for m in METRICS:
            v = point.get(m)
            if v is None:
                row[m] = None
            elif isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ToolError(f"point #{n} in {where} has {m}={v!r}, not a number; write a number or null.")
            else:
                row[m] = float(v)
        rows.append((t, row))
    rows.sort(key=lambda r: r[0])
    values = {m: [r[m] for _, r in rows] for m in METRICS}
    absent = frozenset(m for m in METRICS if all(v is None for v in values[m]))
    return _Data(service, [t for t, _ in rows], values, absent)


def _time(value: object, n: int, where: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ToolError(f"point #{n} in {where} has no timestamp; every point needs one (RFC 3339).")
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ToolError(f"point #{n} in {where} has timestamp={value!r}, not a time; write RFC 3339.") from None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)
