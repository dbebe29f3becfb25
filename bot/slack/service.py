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
    # The servers start (about half a second) while the tokens are checked with Slack.
    servers_started = asyncio.create_task(engine.start(), name="engine-start")
    try:
        await bot.start()
        for name, why in (await servers_started).items():
            log.warning("MCP server %s is unavailable (%s); investigations go on with the others", name, why)
        log.info("ready: servers %s", ", ".join(engine.pool.names))
        await stop.wait()
        log.info("shutting down: stopping running investigations")
    finally:
        servers_started.cancel()
        with contextlib.suppress(BaseException):
            await servers_started
        await bot.aclose()
        await engine.aclose()
