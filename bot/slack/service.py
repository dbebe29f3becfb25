"""The long-running process: the engine and the Slack app started together, stopped on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bot.analysts.choose import choose_analyst
from bot.analysts.llm.settings import LLMSettings
from bot.engine.investigation import Engine
from bot.engine.servers import apply_data_dir, check_data_dir, load_config
from bot.slack.app import CONNECT_TIMEOUT_S, SlackBot
from bot.slack.settings import Settings

log = logging.getLogger(__name__)


def build_engine(settings: Settings) -> Engine:
    """The engine the settings describe. Raises ConfigError / AnalystUnavailable / ValueError
    with a sentence saying what to fix."""
    servers = load_config(settings.servers_config)
    if settings.data_dir:
        data = Path(settings.data_dir).expanduser().resolve()
        check_data_dir(data)
        servers = apply_data_dir(servers, data)
    return Engine(servers, choose_analyst(settings.analyst), call_timeout_s=settings.tool_timeout_s)


def timeout_warning(settings: Settings, analyst: object) -> str | None:
    """A model whose retries alone outlast RCA_TIMEOUT_S is cut short by it: say so at start,
    with what happens then and what to change."""
    llm = getattr(analyst, "settings", None)
    if not isinstance(llm, LLMSettings) or llm.request_budget_s < settings.timeout_s:
        return None
    return (
        f"RCA_TIMEOUT_S={settings.timeout_s:g} is shorter than one model request may take with its retries "
        f"(LLM_TIMEOUT_S={llm.timeout_s:g} x {llm.max_retries + 1} tries + backoff, about "
        f"{llm.request_budget_s:.0f} s): a model that hangs is given up on shortly before the limit and the "
        "thread gets the deterministic report. To let it use all its retries, raise RCA_TIMEOUT_S or lower "
        "LLM_TIMEOUT_S / LLM_MAX_RETRIES."
    )


async def serve(
    settings: Settings,
    engine: Engine,
    stop: asyncio.Event | None = None,
    *,
    connect_timeout_s: float = CONNECT_TIMEOUT_S,
) -> None:
    """Run until `stop` is set (SIGINT or SIGTERM set it). Raises StartupError when Slack refuses us
    or the WebSocket will not open; a signal while connecting stops it there."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or Windows
            loop.add_signal_handler(sig, stop.set)
            signals.append(sig)
    bot = SlackBot(settings, engine, connect_timeout_s=connect_timeout_s)
    warning = timeout_warning(settings, engine.analyst)
    if warning:
        log.warning("%s", warning)
    try:
        await bot.check()  # a wrong token stops us here, before any server is spawned
        for name, why in (await engine.start()).items():
            log.warning("MCP server %s is unavailable (%s); investigations go on with the others", name, why)
        log.info("servers: %s", ", ".join(engine.pool.names))
        if not await _until_stopped(bot.connect(), stop):
            log.info("stopped before the connection to Slack was open")
            return
        log.info("ready")
        await stop.wait()
        log.info("shutting down: stopping running investigations (Ctrl-C again to quit at once)")
        if signal.SIGINT in signals:
            loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C interrupts the goodbyes
            signals.remove(signal.SIGINT)
    finally:
        try:
            await bot.aclose()
            await engine.aclose()
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)


async def _until_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run `work` unless `stop` is set first (then cancel it): True when it finished."""
    task = asyncio.create_task(work)
    stopped = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:
        task.cancel()
        raise
    finally:
        stopped.cancel()
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return False
    task.result()  # a StartupError goes up from here
    return True
