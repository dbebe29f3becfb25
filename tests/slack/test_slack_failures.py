"""When things go wrong the thread still hears: a crashed server, Slack's 429, the timeout, shutdown."""

from __future__ import annotations

import pytest

from bot.slack.app import SlackBot, StartupError
from tests.fakes.slack import FakeSlack
from tests.slack.harness import (
    PEERS,
    StartBot,
    block_texts,
    probe_engine,
    reports,
    scenario_engine,
    settings_for,
)

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


async def test_slack_answering_429_once_is_retried_after_retry_after(slack: FakeSlack, start_bot: StartBot) -> None:
    await start_bot(await scenario_engine())
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


async def test_report_blocks_refused_by_slack_fall_back_to_text(slack: FakeSlack, start_bot: StartBot) -> None:
    await start_bot(await scenario_engine())
    slack.fail_next("chat.postMessage", "invalid_blocks", when=_is_report)
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: any("could not be shown here" in m.text for m in slack.messages.values()), 30)
    [parent] = slack.top_level(CHANNEL)
    fallback = slack.thread(CHANNEL, parent.ts)[-1]
    assert fallback.blocks is None and fallback.text.startswith("RCA: 500 errors on checkout\n")
    await slack.wait_until(lambda: len(parent.versions) == 2, 5)  # and the verdict still reaches the parent


async def test_a_report_slack_will_not_take_ends_in_a_failure_message_not_silence(slack: FakeSlack, start_bot: StartBot) -> None:
    await start_bot(await scenario_engine())
    slack.fail_next("chat.postMessage", "internal_error", when=_is_report)
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: any(m.text.startswith("The investigation failed") for m in slack.messages.values()), 30)
    [parent] = slack.top_level(CHANNEL)
    assert "internal_error" in slack.thread(CHANNEL, parent.ts)[-1].text
    await slack.wait_until(lambda: parent.text.startswith("Investigation failed"), 5)
