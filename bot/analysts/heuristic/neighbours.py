"""Who else was working the database when it slowed down.

Statement timeouts or lock waits with no change of ours to explain them: an SRE opens the
database's own log and looks at what else ran as it began. A warehouse export, a backfill, a
reindex or another team's report shows up there under a role that is not ours (PostgreSQL's
`%u@%d` prefix, `db_user=` fields, MySQL's `User@Host:`), starting minutes before our queries
began to fail and not seen in the hours before. Its fix is not a rollback: stop or throttle
that work and keep it off the database users depend on.

The check costs two searches and runs only for the database mechanisms when no change of ours
was named.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analysts.heuristic.impact import Impact
from bot.analysts.heuristic.observe import iso_z, parse_ts
from bot.engine.session import ToolSession

MECHANISMS = ("db_overload", "db_lock")
# the work a database logs when it is heavy: slow-statement durations, the statements themselves,
# spills to temporary files, bulk copies, MySQL's slow log, maintenance that takes locks
HEAVY = (r"duration: |statement: |temporary file|\bcopy\b|query_time|long[- ]running|\breindex\b"
         r"|vacuum full|create index|alter table|\bcluster\b|lock wait|\bexport\b|\bbackfill\b")
# who ran it: PostgreSQL's user@database prefix, a db_user= field, MySQL's `User@Host: name[name]`
_ROLE = (
    re.compile(r"(?<![\w.@])([a-z_][\w-]{1,40})@([a-z_][\w-]{1,40})(?![\w.@])", re.I),
    re.compile(r"\b(?:usename|db_?user|db_role)=\"?([a-z_][\w-]{1,40})", re.I),  # not user=: an end user
    re.compile(r"user@host:\s*([a-z_][\w-]{1,40})\[", re.I),
)
LEAD = timedelta(minutes=20)  # how long before the onset its work may have begun
HISTORY = timedelta(hours=3)  # how far back it must be absent


@dataclass(frozen=True)
class Neighbour:
    role: str  # the other client's database role (or user)
    began: datetime  # its first heavy line in the window
    example: str  # that line, as the logs server gave it
    lines: int  # its heavy lines between then and the end of the window

    @property
    def kind(self) -> str:
        return "neighbour"


def roles_in(text: str) -> set[str]:
    """Database roles a line names (`portal_ro@tradelane` -> portal_ro)."""
    out = set()
    for rx in _ROLE:
        for m in rx.finditer(text or ""):
            role = m.group(1).lower()
            if role != "user" and not re.fullmatch(r"[\d_-]+", role):  # MySQL's `User@Host:` label
                out.add(role)
    return out



async def other_clients(tools: ToolSession, impact: Impact, mechanism: str | None, ours: set[str]) -> Neighbour | None:
    """Another client's heavy work on the database that began just before the impact, if any.

    `ours` holds the roles our own failing lines name (the ones whose statements time out).
    """
    onset = impact.onset
    if onset is None or mechanism not in MECHANISMS or not tools.has("search_logs"):
        return None
    found = await tools.call("search_logs", {
        "pattern": HEAVY, "file": "*", "since": iso_z(onset - LEAD), "until": iso_z(onset + timedelta(minutes=5)),
        "limit": 200,
    })
    if not found.ok or not isinstance(found.data, dict):
        return None
    first: dict[str, tuple[datetime, str]] = {}
    count: Counter[str] = Counter()
    for m in found.data.get("matches", []):
        if not isinstance(m, dict) or str(m.get("level", "")).upper() in ("ERROR", "FATAL"):
            continue  # the failures themselves (our cancelled statements) are not the work
        t = parse_ts(m.get("time"))
        message = str(m.get("message", ""))
        if t is None:
            continue
        for role in roles_in(message) - ours:
            count[role] += 1
            if role not in first or t < first[role][0]:
                first[role] = (t, message)
    candidates = sorted((t, role) for role, (t, _) in first.items() if t <= onset + timedelta(minutes=2))
    for began, role in candidates:
        before = await tools.call("search_logs", {
            "pattern": rf"\b{re.escape(role)}\b.*(?:{HEAVY})", "file": "*",
            "since": iso_z(onset - HISTORY), "until": iso_z(began - timedelta(minutes=1)), "limit": 1,
        })
        if not before.ok or not isinstance(before.data, dict) or before.data.get("matches"):
            continue  # it works the database every day: not what changed
        return Neighbour(role, began, first[role][1], count[role])
    return None
