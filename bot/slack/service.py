"""The long-running process: the engine and the Slack app started together, stopped on a signal."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from bot.analysts.choose import choose_analyst
from bot.engine.investigation import Engine
from bot.engine.servers import apply_data_dir, check_data_dir, load_config
from bot.slack.app import SlackBot
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


async def serve(settings: Settings, engine: Engine, stop: asyncio.Event | None = None) -> None:
    """Run until `stop` is set (SIGINT or SIGTERM set it). Raises StartupError when Slack refuses us."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread, or Windows
            loop.add_signal_handler(sig, stop.set)
    bot = SlackBot(settings, engine)
    try:
        await bot.check()  # a wrong token stops us here, before any server is spawned
        for name, why in (await engine.start()).items():
            log.warning("MCP server %s is unavailable (%s); investigations go on with the others", name, why)
        log.info("servers: %s", ", ".join(engine.pool.names))
        await bot.connect()
        log.info("ready")
        await stop.wait()
        log.info("shutting down: stopping running investigations (Ctrl-C again to quit at once)")
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)  # a second Ctrl-C interrupts the goodbyes
    finally:
        await bot.aclose()
        await engine.aclose()
