"""Progress of one investigation in Slack: what has happened so far, and the one message showing it.

`InvestigationProgress` folds the engine's events into a small state (no Slack in it); the
blocks builder renders it. `ThrottledMessage` edits one Slack message in place with the latest
rendering: at most one `chat.update` per interval (Slack allows about one a second per message),
and everything pushed in between is coalesced into the next edit, so a burst of fast tool calls
costs one API call, not twenty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_sdk.errors import SlackApiError

from bot.engine.events import Event, InvestigationStarted, Note, ToolCallFinished, ToolCallStarted
from bot.safety.masking import mask_text

log = logging.getLogger(__name__)

Phase = Literal["queued", "starting", "running", "done", "failed", "timed_out", "stopped"]
FINISHED: frozenset[str] = frozenset({"done", "failed", "timed_out", "stopped"})


@dataclass
class CallLine:
    call_id: int
    server: str
    tool: str
    status: Literal["running", "ok", "failed"] = "running"
    duration_ms: float | None = None
    summary: str = ""


@dataclass
class InvestigationProgress:
    incident: str
    phase: Phase = "starting"
    ahead: int = 0  # queued: how many wait before this one
    running: int = 0  # queued: how many run now (the limit)
    analyst: str | None = None
    calls: dict[int, CallLine] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    duration_s: float | None = None
    detail: str = ""  # why it failed / timed out

    def apply(self, event: Event) -> None:
        if self.phase in FINISHED:
            return
        if isinstance(event, InvestigationStarted):
            self.phase = "running"
            self.analyst = event.analyst
        elif isinstance(event, ToolCallStarted):
            self.phase = "running"
            self.calls[event.call_id] = CallLine(event.call_id, event.server, event.tool)
        elif isinstance(event, ToolCallFinished):
            line = self.calls.setdefault(event.call_id, CallLine(event.call_id, event.server, event.tool))
            line.server = event.server
            line.status = "ok" if event.ok else "failed"
            line.duration_ms = event.duration_ms
            line.summary = mask_text(event.summary)  # an error line can quote a connection string
        elif isinstance(event, Note):
            note = (event.level, mask_text(event.text))
            if note not in self.notes:
                self.notes.append(note)

    def finish(self, phase: Phase, *, duration_s: float | None = None, detail: str = "") -> None:
        self.phase = phase
        self.duration_s = duration_s
        self.detail = detail
        for line in self.calls.values():
            if line.status == "running":  # cut off by a timeout or a shutdown
                line.status = "failed"
                line.summary = line.summary or "did not finish"


class ThrottledMessage:
    """One message edited in place, at most once per `interval` seconds, latest content wins."""

    def __init__(self, client: Any, channel: str, ts: str, *, interval: float = 1.0) -> None:
        self.client = client
        self.channel = channel
        self.ts = ts
        self.interval = interval
        self.updates_sent = 0
        self._pending: dict[str, Any] | None = None
        self._last_sent = -math.inf
        self._task: asyncio.Task[None] | None = None

    def mark_sent(self) -> None:
        """The message was just posted with its current content: the next edit waits its turn."""
        self._last_sent = time.monotonic()

    def push(self, message: dict[str, Any]) -> None:
        """Show `message` soon; anything pushed before it and not yet sent is dropped."""
        self._pending = message
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name=f"slack-progress:{self.ts}")

    async def flush(self) -> None:
        """Wait until the latest pushed content is on Slack (the final state must land)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drain(self) -> None:
        while self._pending is not None:
            wait = self._last_sent + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            message, self._pending = self._pending, None
            self._last_sent = time.monotonic()
            try:
                await self.client.chat_update(channel=self.channel, ts=self.ts, **message)
                self.updates_sent += 1
            except SlackApiError as e:  # a lost progress edit must not end the investigation
                log.warning("progress update of %s/%s failed: %s", self.channel, self.ts, e.response.get("error"))
            except Exception:  # noqa: BLE001 - network trouble: the next edit carries the state anyway
                log.warning("progress update of %s/%s failed", self.channel, self.ts, exc_info=True)
