"""The Slack app against a fake Slack on loopback, the real slack_bolt client in between.

Investigations run on the real engine: the bundled servers over a shared scenario with the
deterministic analyst, or (where a test needs to control time or count concurrency) a probe MCP
server of our own over stdio with an analyst that calls it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.engine.investigation import Engine
from bot.slack.app import SlackBot
from bot.slack.runner import Investigator
from tests.fakes.slack import FakeSlack
from tests.slack.harness import StartBot, scenario_engine, settings_for

# Every async test here runs in one event loop (each module sets `pytestmark` to it), so the
# engine on the shared scenario is started once, not once a test (three servers: ~2 s each time).
_shared: set[int] = set()


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def scenario() -> AsyncIterator[Engine]:
    """The bundled servers over the shared scenario, the deterministic analyst: for tests that do
    not change the engine. Sessions stay open across investigations, as in the bot; the servers
    stop when this package's tests end, so none outlives them into other tests."""
    engine = await scenario_engine()
    _shared.add(id(engine))
    yield engine
    await engine.aclose()


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk honours proxy variables; nothing in these tests may leave 127.0.0.1."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest_asyncio.fixture(loop_scope="session")
async def slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack; after each test, every envelope it pushed must have been acked within 3 s."""
    async with FakeSlack() as fake:
        yield fake
        late = {e.envelope_id: e.ack_latency for e in fake.envelopes.values() if (e.ack_latency or 99) >= 3}
        assert not late, f"envelopes not acked within 3 s: {late}"


@pytest_asyncio.fixture(loop_scope="session")
async def start_bot(slack: FakeSlack) -> AsyncIterator[StartBot]:
    """Start the real app on `investigator` against the fake; stopped (and its engine closed, unless
    it is the shared `scenario`) after."""
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
        if isinstance(investigator, Engine) and id(investigator) not in _shared:
            await investigator.aclose()
