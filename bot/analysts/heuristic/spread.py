"""Where the failures come from: one node, or everywhere the service runs.

Connection resets and timeouts read like a dependency failing until you notice that every
failing line comes from pods on one node while the same service on its other nodes is fine.
That is an infrastructure fault (a NIC, a kernel, a noisy neighbour) with its own fix: cordon
and drain the node, not 'confirm with the provider' and not a rollback. The check costs two
searches and only runs when the failing lines say which node or host they ran on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from bot.analysts.heuristic.impact import Impact
from bot.analysts.heuristic.observe import iso_z
from bot.engine.session import ToolSession

# a field naming the machine a line ran on; the value as the logs server renders it (key=value)
_PLACE = re.compile(r"\b(node|node_?name|hostname|host|instance)=\"?([A-Za-z0-9][\w.:-]*)", re.I)
SAMPLE = 300
MIN_FAILING = 20  # failing lines that carry the field, before anything is concluded
MIN_SHARE = 0.9  # of them on one machine


@dataclass(frozen=True)
class Concentration:
    field: str  # the field that names the machine: node, host, instance
    value: str  # the one machine the failures come from
    share: float  # of the sampled failing lines
    failing: int  # failing lines sampled
    usual: int  # distinct machines seen in the same field before the impact

    @property
    def kind(self) -> str:
        return "node"


def _values(matches: list, field: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for m in matches:
        if not isinstance(m, dict):
            continue
        for f, value in _PLACE.findall(str(m.get("message", ""))):
            if f.lower() == field:
                out[value.lower()] += 1
                break
    return out



async def where_failing(tools: ToolSession, impact: Impact) -> Concentration | None:
    """The one node (host, instance) nearly all failing lines come from, if there is one."""
    onset = impact.onset
    if onset is None or not tools.has("search_logs"):
        return None
    sigs = [n for n in impact.new_signatures if not n.symptom and n.during >= 10][:6]
    fields = Counter(f.lower() for n in sigs for f, _ in _PLACE.findall(n.sig.example))
    if not fields:
        return None
    field = fields.most_common(1)[0][0]
    pattern = rf"\b{field}\b\"?\s*[=:]"
    until = impact.end or onset + timedelta(hours=1)
    failing = await tools.call(
        "search_logs",
        {"pattern": pattern, "file": "*", "since": iso_z(onset), "until": iso_z(until), "level": "ERROR", "limit": SAMPLE},
    )
    if not failing.ok or not isinstance(failing.data, dict):
        return None
    counts = _values(failing.data.get("matches", []), field)
    total = sum(counts.values())
    if total < MIN_FAILING:
        return None
    value, n = counts.most_common(1)[0]
    if n / total < MIN_SHARE:
        return None
    before = await tools.call(
        "search_logs",
        {"pattern": pattern, "file": "*", "since": iso_z(onset - timedelta(hours=3)),
         "until": iso_z(onset - timedelta(minutes=5)), "limit": SAMPLE},
    )
    if not before.ok or not isinstance(before.data, dict):
        return None
    usual = _values(before.data.get("matches", []), field)
    if len(usual) < 2:
        return None  # the service only ever ran there: nothing singles that machine out
    return Concentration(field, value, round(n / total, 2), total, len(usual))
