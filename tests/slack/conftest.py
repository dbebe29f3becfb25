"""The Slack app against a fake Slack on loopback, the real slack_bolt client in between.

Investigations run on the real engine: the bundled servers over a shared scenario with the
deterministic analyst, or (where a test needs to control time or count concurrency) a probe MCP
server of our own over stdio with an analyst that calls it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.engine.investigation import Engine
from bot.slack.app import SlackBot
from bot.slack.runner import Investigator
from tests.fakes.slack import FakeSlack
from tests.slack.harness import StartBot, settings_for


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; nothing in these tests may leave 127.0.0.1."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack; after each test, every envelope it pushed must have been acked within 3 s."""
    async with FakeSlack() as fake:
        yield fake
        late = {e.envelope_id: e.ack_latency for e in fake.envelopes.values() if (e.ack_latency or 99) >= 3}
        assert not late, f"envelopes not acked within 3 s: {late}"


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
