"""When things go wrong the thread still hears: a crashed server, Slack's 429, the timeout, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from bot.analysts.llm import LLMSettings, build_llm_analyst
from bot.engine.investigation import Engine
from bot.slack.app import SlackBot, StartupError
from tests.fakes.model_server import FakeModel, Hang
from tests.fakes.slack import FakeSlack
from tests.slack.harness import (
    PEERS,
    HoldingAnalyst,
    StartBot,
    block_texts,
    probe_engine,
    reports,
    scenario_engine,
    settings_for,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")  # with the fixtures (conftest)

CHANNEL = "C0INCIDENT"


async def test_a_server_crashing_mid_investigation_still_yields_a_report(slack: FakeSlack, start_bot: StartBot) -> None:
    # The git server is replaced by one that dies (exit 3) as soon as one of its tools is called.
    await start_bot(await scenario_engine(replace_git=PEERS / "crashing_git_server.py"))
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)

    [parent] = slack.top_level(CHANNEL)
    progress, report = slack.thread(CHANNEL, parent.ts)
    body = block_texts(report.blocks)
    assert ":warning:" in body and "git" in body  # the report says the git server went away
    assert "failed" in block_texts(report.blocks[-1:])  # the context line counts the failed calls
    assert "*Evidence*" in body  # and still has what logs and metrics showed
    await slack.wait_until(lambda: progress.text.startswith("Done"), 5)
    assert ":x: `git`" in block_texts(progress.blocks)


async def test_slack_answering_429_once_is_retried_after_retry_after(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    slack.rate_limit_next("chat.postMessage", retry_after=1)
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)

    refused, retried = slack.calls_to("chat.postMessage")[:2]
    assert refused.status == 429 and retried.ok
    assert retried.body == refused.body
    assert retried.at - refused.at >= 1.0
    assert len(slack.top_level(CHANNEL)) == 1  # posted once, not twice


async def test_an_investigation_out_of_time_says_so_in_its_thread(slack: FakeSlack, start_bot: StartBot, tmp_path) -> None:
    engine, _ = await probe_engine(tmp_path, 30)
    await start_bot(engine, timeout_s=1.0)
    env = await slack.command("slow storage")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: any("ran out of time" in m.text for m in slack.messages.values()), 10)

    [parent] = slack.top_level(CHANNEL)
    replies = slack.thread(CHANNEL, parent.ts)
    assert "RCA_TIMEOUT_S" in block_texts(replies[-1].blocks)
    await slack.wait_until(lambda: parent.text.startswith("Investigation ran out of time"), 5)
    assert reports(slack) == []


async def test_shutdown_stops_running_and_queued_investigations_with_a_word_in_each_thread(
    slack: FakeSlack, tmp_path
) -> None:
    engine, _ = await probe_engine(tmp_path, 30)
    bot = SlackBot(settings_for(slack, max_concurrent=1), engine)
    await bot.start()
    try:
        running = await slack.command("slow storage")
        queued = await slack.command("slow network")
        for env in (running, queued):
            await slack.wait_acked(env, 3)
        await slack.wait_until(lambda: len(slack.top_level(CHANNEL)) == 2 and len(slack.calls_to("chat.postMessage")) == 4, 5)
        await bot.aclose()
    finally:
        await bot.aclose()
        await engine.aclose()

    for parent in slack.top_level(CHANNEL):
        replies = slack.thread(CHANNEL, parent.ts)
        assert "shutting down" in replies[-1].text
        assert parent.text.startswith("Investigation stopped")
        assert replies[0].text.startswith("Stopped")  # the progress message too
    # After shutdown, nothing is taken: the socket is closed.
    assert slack.connections == 1 and not slack._sockets


@pytest.mark.parametrize(
    ("method", "error", "names"),
    [("auth.test", "invalid_auth", "SLACK_BOT_TOKEN"), ("apps.connections.open", "invalid_auth", "SLACK_APP_TOKEN")],
)
async def test_refused_tokens_stop_the_start_with_a_sentence(slack: FakeSlack, method: str, error: str, names: str) -> None:
    slack.fail_next(method, error)
    bot = SlackBot(settings_for(slack), None)  # type: ignore[arg-type] - never reaches an investigation
    with pytest.raises(StartupError, match=names):
        await bot.start()
    await bot.aclose()
    assert slack.connections == 0


def _is_report(body: dict) -> bool:
    return bool(body.get("blocks")) and body["blocks"][0]["type"] == "header"


async def test_report_blocks_refused_by_slack_fall_back_to_text(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    slack.fail_next("chat.postMessage", "invalid_blocks", when=_is_report)
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: any("could not be shown here" in m.text for m in slack.messages.values()), 30)
    [parent] = slack.top_level(CHANNEL)
    fallback = slack.thread(CHANNEL, parent.ts)[-1]
    assert fallback.blocks is None and fallback.text.startswith("RCA: 500 errors on checkout\n")
    await slack.wait_until(lambda: len(parent.versions) == 2, 5)  # and the verdict still reaches the parent


async def test_a_report_slack_will_not_take_ends_in_a_failure_message_not_silence(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    slack.fail_next("chat.postMessage", "internal_error", when=_is_report)
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: any(m.text.startswith("The investigation failed") for m in slack.messages.values()), 30)
    [parent] = slack.top_level(CHANNEL)
    assert "internal_error" in slack.thread(CHANNEL, parent.ts)[-1].text
    await slack.wait_until(lambda: parent.text.startswith("Investigation failed"), 5)


async def test_a_hanging_model_still_ends_in_a_report_before_the_timeout(slack: FakeSlack, start_bot: StartBot) -> None:
    # One model request may take 20 s (and is retried): longer than the whole investigation may.
    with FakeModel("qwen-test") as model:
        model.script(*[Hang(30)] * 8)
        settings = LLMSettings.from_env(model.env("ollama", LLM_TIMEOUT_S="20", LLM_BACKOFF_S="0.01"))
        assert settings is not None
        await start_bot(await scenario_engine(analyst=build_llm_analyst(settings)), timeout_s=6.0)
        env = await slack.command("500 errors on checkout")
        await slack.wait_acked(env, 3)
        await slack.wait_until(lambda: len(reports(slack)) == 1 or any(
            "ran out of time" in m.text for m in slack.messages.values()), 15)

    assert not any("ran out of time" in m.text for m in slack.messages.values())
    [report] = reports(slack)
    body = block_texts(report.blocks)
    assert "Analyst: llm:qwen-test+heuristic-fallback" in body
    assert "did not finish in time" in body and "v2.4.0" in body  # the head start's finding, said why
    [parent] = slack.top_level(CHANNEL)
    await slack.wait_until(lambda: parent.text.startswith("500 errors on checkout:"), 5)  # the verdict


async def test_a_shutdown_just_after_the_report_leaves_the_outcome_alone(slack: FakeSlack, tmp_path) -> None:
    # A slow throttle (5 s between progress edits) keeps the task tidying up after the report is
    # posted; the shutdown lands then.
    engine, _ = await probe_engine(tmp_path, 0.3, calls=3)
    bot = SlackBot(settings_for(slack), engine, progress_interval=5.0)
    await bot.start()
    try:
        env = await slack.command("checkout 500s")
        await slack.wait_acked(env, 3)
        await slack.wait_until(lambda: len(reports(slack)) == 1, 20)
        await bot.aclose()
    finally:
        await bot.aclose()
        await engine.aclose()

    [parent] = slack.top_level(CHANNEL)
    progress, report = slack.thread(CHANNEL, parent.ts)  # nothing after the report
    assert parent.text.startswith("checkout 500s:")  # the verdict, not "Investigation stopped"
    assert progress.text.startswith("Done")
    assert [j.outcome for j in bot.runner.finished] == ["done"]


NO_WEBSOCKET = "ws://127.0.0.1:9/link/?ticket=not-for-your-eyes"  # port 9: nothing listens


async def test_a_websocket_that_will_not_open_stops_the_start_with_a_sentence(slack: FakeSlack) -> None:
    slack.socket_url = NO_WEBSOCKET
    bot = SlackBot(settings_for(slack), None, connect_timeout_s=1.5)  # type: ignore[arg-type] - no investigation
    try:
        with pytest.raises(StartupError) as info:
            await bot.start()
    finally:
        await bot.aclose()
    text = str(info.value)
    assert "cannot open the Socket Mode WebSocket at ws://127.0.0.1:9/link/ within 1.5 s" in text
    assert "last error:" in text and "allow outbound wss://" in text
    assert "not-for-your-eyes" not in text  # the ticket is not printed


async def test_a_stop_signal_while_connecting_stops_at_once(slack: FakeSlack) -> None:
    from bot.slack.service import serve

    slack.socket_url = NO_WEBSOCKET
    stop = asyncio.Event()
    engine = Engine([], HoldingAnalyst(0))
    asyncio.get_running_loop().call_later(1.0, stop.set)  # what SIGINT/SIGTERM do
    await asyncio.wait_for(serve(settings_for(slack), engine, stop, connect_timeout_s=60), 10)
    assert slack.calls_to("apps.connections.open")  # it was connecting when the stop came
