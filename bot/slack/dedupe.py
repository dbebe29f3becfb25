"""Slack delivers at least once: remember what was seen, so one request starts one investigation."""

from __future__ import annotations

import time
from collections import OrderedDict


class Deduper:
    """Remembers what it has seen (event ids, message timestamps, trigger ids) for `ttl_s`.

    Slack redelivers an event it thinks went unacknowledged, with the same event_id; and one
    message can arrive through more than one door. Either way one investigation is enough.
    """

    def __init__(self, *, ttl_s: float = 3600.0, max_items: int = 20_000) -> None:
        self.ttl_s = ttl_s
        self.max_items = max_items
        self._seen: OrderedDict[tuple[str, ...], float] = OrderedDict()

    def seen(self, *keys: tuple[str, ...] | None) -> bool:
        """True when any key was seen before; records them all either way."""
        now = time.monotonic()
        while self._seen:
            oldest_key, t = next(iter(self._seen.items()))
            if now - t < self.ttl_s and len(self._seen) <= self.max_items:
                break
            self._seen.pop(oldest_key)
        usable = [k for k in keys if k and all(k)]
        hit = any(k in self._seen for k in usable)
        for k in usable:
            self._seen[k] = now
            self._seen.move_to_end(k)
        return hit
