"""The MCP servers, started once per process and kept open across investigations.

Each connection lives in a task of its own (the SDK's client is entered and left in one task),
so a call from any investigation is a message on an open session: about a millisecond, where
spawning a Python server costs half a second. A server that dies is marked down, its calls fail
fast with a clear error, and `ensure_started()` brings it back before the next investigation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import mcp
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from bot.engine.servers import ServerConfig

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0


class ServerDown(RuntimeError):
    """The server is not running; the message says which and why."""


@dataclass
class ServerHandle:
    config: ServerConfig
    client: mcp.Client | None = None
    tools: list[Any] = field(default_factory=list)  # mcp.types.Tool
    task: asyncio.Task[None] | None = None
    error: str | None = None
    started_at: float | None = None
    start_ms: float | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    stderr: Any = None  # a temp file holding what a stdio server wrote to stderr

    def stderr_tail(self, lines: int = 3) -> str:
        """The server's last words: why it failed to start, usually."""
        if self.stderr is None:
            return ""
        try:
            self.stderr.flush()
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - 4096))
            text = self.stderr.read()
        except (OSError, ValueError):
            return ""
        tail = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
        return " | ".join(tail)[:400]

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def up(self) -> bool:
        return self.client is not None and self.task is not None and not self.task.done()


class ServerPool:
    """Owns the connections. Not tied to any investigation; the engine holds one per process."""

    def __init__(self, configs: list[ServerConfig], *, errlog: Any = None) -> None:
        names = [c.name for c in configs]
        if len(set(names)) != len(names):
            raise ValueError(f"server names must be unique, got {names}")
        self.handles = {c.name: ServerHandle(c) for c in configs}
        self._lock = asyncio.Lock()
        self._errlog = errlog
        self.generation = 0  # bumps whenever the set of running servers changes

    @property
    def names(self) -> list[str]:
        return list(self.handles)

    def down(self) -> dict[str, str]:
        """Servers that are not running, with the reason."""
        return {n: (h.error or "not started") for n, h in self.handles.items() if not h.up}

    async def ensure_started(self) -> dict[str, str]:
        """Start every server that is not running, all in parallel; return those that failed."""
        async with self._lock:
            todo = [h for h in self.handles.values() if not h.up]
            if todo:
                await asyncio.gather(*(self._start(h) for h in todo))
                self.generation += 1
            return self.down()

    async def _start(self, h: ServerHandle) -> None:
        await self._stop_handle(h)
        h._stop = asyncio.Event()
        h.error = None
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        t0 = time.perf_counter()
        h.task = asyncio.create_task(self._hold(h, ready), name=f"mcp-server:{h.name}")
        try:
            await asyncio.wait_for(asyncio.shield(ready), START_TIMEOUT_S)
            h.start_ms = (time.perf_counter() - t0) * 1000
            h.started_at = time.time()
        except TimeoutError:
            h.error = f"did not answer within {START_TIMEOUT_S:.0f} s of starting"
            await self._stop_handle(h)
        except Exception as e:  # noqa: BLE001 - any failure to start is reported, not raised
            h.error = h.error or _describe(e)
            await self._stop_handle(h)
        if h.error:
            log.warning("server %s failed to start: %s", h.name, h.error)

    async def _hold(self, h: ServerHandle, ready: asyncio.Future[None]) -> None:
        """Open the session, list the tools, then keep the session open until told to stop."""
        try:
            async with mcp.Client(self._target(h), mode="legacy", cache=None) as client:
                listing = await client.list_tools()
                h.tools = list(listing.tools)
                h.client = client
                if not ready.done():
                    ready.set_result(None)
                await h._stop.wait()
        except asyncio.CancelledError:
            raise
        except BaseException as e:  # noqa: BLE001 - a dying server surfaces as an exception group
            h.error = _describe(e)
            tail = h.stderr_tail()
            if tail:
                h.error += f" (stderr: {tail})"
            if not ready.done():
                ready.set_exception(RuntimeError(h.error))
            else:
                log.warning("server %s went down: %s", h.name, h.error)
        finally:
            h.client = None

    def _target(self, h: ServerHandle) -> Any:
        c = h.config
        if c.url:
            return _http_transport(c.url, c.headers) if c.headers else c.url
        env = {**_inherited_env(), **c.env}
        params = StdioServerParameters(command=c.command or "", args=list(c.args), env=env, cwd=c.cwd)
        if h.stderr is None:
            h.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        else:
            h.stderr.seek(0)
            h.stderr.truncate()
        return stdio_client(params, errlog=h.stderr)

    async def _stop_handle(self, h: ServerHandle) -> None:
        task, h.task = h.task, None
        h.client = None
        if task is None or task.done():
            return
        h._stop.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), 5.0)
        except (TimeoutError, Exception):  # noqa: BLE001
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    def mark_down(self, name: str, reason: str) -> None:
        """A call found the server dead; the next ensure_started() restarts it."""
        h = self.handles[name]
        h.error = reason
        if h.task is not None and not h.task.done():
            h._stop.set()
        h.client = None

    def client(self, name: str) -> mcp.Client:
        h = self.handles[name]
        if not h.up or h.client is None:
            raise ServerDown(f"server {name!r} is down: {h.error or 'not started'}")
        return h.client

    async def aclose(self) -> None:
        await asyncio.gather(*(self._stop_handle(h) for h in self.handles.values()))
        for h in self.handles.values():
            if h.stderr is not None:
                h.stderr.close()
                h.stderr = None


@contextlib.asynccontextmanager
async def _http_transport(url: str, headers: dict[str, str]) -> AsyncIterator[Any]:
    """Streamable HTTP with headers of our own (a bearer token), on the SDK's default timeouts."""
    async with create_mcp_http_client(headers=headers) as http, streamable_http_client(url, http_client=http) as streams:
        yield streams


def _inherited_env() -> dict[str, str]:
    """What a stdio server inherits: the SDK's safe default plus our data-location variables.

    Secrets meant for the bot (Slack and model tokens) are not passed to servers.
    """
    keep_prefixes = ("LOGS_", "GIT_", "METRICS_", "PROMETHEUS_", "PROM_", "DD_", "RCA_")
    return {k: v for k, v in os.environ.items() if k.startswith(keep_prefixes)}


def _describe(e: BaseException) -> str:
    """The innermost useful message of a (possibly grouped) exception."""
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0][:300]
