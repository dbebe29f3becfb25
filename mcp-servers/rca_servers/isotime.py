"""The one time format every bundled tool answers in. Import-light on purpose: log scanning
runs in worker processes that must not pay for importing the MCP SDK."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(t: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, seconds precision."""
    if t is None:
        return None
    return t.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
