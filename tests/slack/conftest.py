"""The Slack app against a fake Slack on loopback, the real slack_bolt client in between.

Investigations run on the real engine: the bundled servers over a shared scenario with the
deterministic analyst, or (where a test needs to control time or count concurrency) a probe MCP
server of our own over stdio with an analyst that calls it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.engine.investigation import Engine
from bot.slack.app import SlackBot
from bot.slack.runner import Investigator
from tests.fakes.slack import FakeSlack
from tests.slack.harness import settings_for

StartBot = Callable[..., Awaitable[SlackBot]]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; nothing in these tests may leave 127.0.0.1."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def start_bot(slack: FakeSlack) -> AsyncIterator[StartBot]:
    """Start the real app on `investigator` against the fake; stopped (and the engine closed) after."""
    started: list[tuple[SlackBot, Investigator]] = []

    async def start(investigator: Investigator, **overrides: object) -> SlackBot:
        progress_interval = float(overrides.pop("progress_interval", 1.0))  # type: ignore[arg-type]
        bot = SlackBot(settings_for(slack, **overrides), investigator, progress_interval=progress_interval)
        await bot.start()
        started.append((bot, investigator))
        await slack.wait_connected()
        return bot

    yield start
    for bot, investigator in started:
        await bot.aclose()
        if isinstance(investigator, Engine):
            await investigator.aclose()
