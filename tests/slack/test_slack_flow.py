"""What a responder sees in Slack: `/rca` and mentions answered in threads by the real app.

The app is the real slack_bolt AsyncApp over Socket Mode, connected to the fake Slack on loopback;
investigations run on the real engine with the bundled servers over a shared scenario.
"""

from __future__ import annotations

import asyncio

import pytest

from bot.engine.investigation import Engine
from tests.fakes.slack import FakeSlack
from tests.slack.harness import (
    StartBot,
    assert_within_limits,
    block_texts,
    is_report,
    leaky_scenario,
    reports,
    scenario_engine,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")  # with the fixtures (conftest)

CHANNEL = "C0INCIDENT"


async def test_rca_command_acks_at_once_and_answers_in_a_thread(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    env = await slack.command("500 errors on checkout", user="U0ALICE01", channel=CHANNEL)
    await slack.wait_acked(env, 3)
    assert not env.ack_payload  # no promise in the ack: the parent message is the answer

    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)
    [parent] = slack.top_level(CHANNEL)
    assert parent.versions[0]["text"].startswith("Investigating: 500 errors on checkout")
    assert "<@U0ALICE01>" in block_texts(parent.versions[0]["blocks"])

    replies = slack.thread(CHANNEL, parent.ts)
    progress, report = replies[0], replies[-1]
    assert [m.thread_ts for m in replies] == [parent.ts] * len(replies)
    assert is_report(report) and len(replies) == 2  # one progress message, edited in place; one report
    for m in (parent, progress, report):
        for version in m.versions:
            assert_within_limits(version)

    body = block_texts(report.blocks)
    assert report.blocks[0]["text"]["text"] == "RCA: 500 errors on checkout"
    for part in ("*Summary*", "*Root cause*", "*Trigger*", "*Confidence*", "*Timeline*", "*Evidence*",
                 "*Recommendations*", "Analyst: heuristic"):
        assert part in body, part
    assert "tool calls" in block_texts(report.blocks[-1:])

    # The progress message ends listing every tool call by server, with its status and duration.
    await slack.wait_until(lambda: progress.text.startswith("Done"), 5)
    lines = block_texts(progress.blocks)
    for server in ("logs", "git", "datadog"):
        assert f"`{server}`" in lines
    assert " · ok · " in lines and "running" not in lines

    # Nothing the bot posts grows link previews (a deploy URL or an endpoint in a log line).
    assert all(c.body.get("unfurl_links") is False for c in slack.calls_to("chat.postMessage"))

    # The parent ends with the one-line verdict, the same one the report's fallback text carries.
    await slack.wait_until(lambda: len(parent.versions) == 2, 5)
    verdict = report.text.split(": ", 2)[2]
    assert parent.text == f"500 errors on checkout: {verdict}"


async def test_mention_in_a_channel_is_answered_under_the_mention(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    env = await slack.mention(f"<@{slack.bot_user_id}> checkout is throwing 500s", channel=CHANNEL)
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)

    mention_ts = env.payload["event"]["ts"]
    assert slack.top_level(CHANNEL) == []  # nothing of ours in the channel itself
    replies = slack.thread(CHANNEL, mention_ts)
    assert replies[0].versions[0]["text"].startswith("Investigating: checkout is throwing 500s")
    assert is_report(replies[-1])
    assert replies[-1].blocks[0]["text"]["text"] == "RCA: checkout is throwing 500s"  # the bot's own mention is gone


async def test_mention_inside_a_thread_is_answered_in_that_thread(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    incident_thread = slack.new_ts()
    env = await slack.mention(f"<@{slack.bot_user_id}> what broke checkout?", channel=CHANNEL, thread_ts=incident_thread)
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)
    ours = [m for m in slack.messages.values() if m.user == slack.bot_user_id]
    assert ours and all(m.thread_ts == incident_thread for m in ours)


async def test_usage_on_empty_or_help_and_no_investigation(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    for text in ("", "help", "  --help "):
        env = await slack.command(text)
        await slack.wait_acked(env, 3)
        assert "/rca 500 errors on checkout" in env.ack_payload["text"]
        assert_within_limits(env.ack_payload)
    mention = await slack.mention(f"<@{slack.bot_user_id}>  ", channel=CHANNEL)
    await slack.wait_acked(mention, 3)
    await slack.wait_until(lambda: len(slack.ephemeral) == 1, 5)
    assert slack.ephemeral[0]["user"] == "U0ALICE01" and "Usage" in slack.ephemeral[0]["text"]
    assert slack.calls_to("chat.postMessage") == []


async def test_retried_and_duplicated_deliveries_start_nothing_new(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    mention = await slack.mention(f"<@{slack.bot_user_id}> checkout 500s", channel=CHANNEL)
    command = await slack.command("payments are slow", channel="C0OTHER")
    await slack.wait_acked(mention, 3)
    await slack.wait_acked(command, 3)

    # Slack's retries (same event_id / same trigger), and the same message under another event_id.
    again = [await slack.redeliver(mention, "http_timeout"), await slack.redeliver(command)]
    payload = dict(mention.payload, event_id="EvSOMETHINGELSE")
    again.append(await slack.push("events_api", payload))
    for env in again:
        await slack.wait_acked(env, 3)

    await slack.wait_until(lambda: len(reports(slack)) == 2, 30)
    await asyncio.sleep(0.5)  # a second investigation, if one had started, would have posted by now
    parents = [m for m in slack.messages.values() if m.user == slack.bot_user_id and m.text.startswith(("Investigating", "checkout", "payments"))]
    assert len(parents) == 2
    assert len(reports(slack)) == 2


async def test_messages_from_bots_are_ignored(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    from_other_bot = await slack.mention(f"<@{slack.bot_user_id}> checkout 500s", bot_id="B0OTHERBOT", user="U0OTHERBOT")
    from_itself = await slack.mention(f"<@{slack.bot_user_id}> checkout 500s", user=slack.bot_user_id)
    for env in (from_other_bot, from_itself):
        await slack.wait_acked(env, 3)
    await asyncio.sleep(0.5)
    assert slack.calls_to("chat.postMessage") == [] and slack.ephemeral == []


async def test_bot_not_in_the_channel_tells_the_user(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    slack.not_member.add("C0PRIVATE")
    env = await slack.command("500 errors on checkout", channel="C0PRIVATE")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(slack.responses) == 1, 10)
    said = slack.responses[0]
    assert said["response_type"] == "ephemeral"
    assert "not a member" in said["text"] and "/invite" in said["text"]
    assert env.payload["response_url"].endswith(said["hook"])
    assert reports(slack) == []
    assert not env.ack_payload  # and it was never told the investigation was under way


async def test_channel_and_user_allow_lists(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario, channels=frozenset({"C0ALLOWED"}), allowed_users=frozenset({"U0ONCALL1"}))
    elsewhere = await slack.command("500s", channel="C0RANDOM", user="U0ONCALL1")
    stranger = await slack.command("500s", channel="C0ALLOWED", user="U0STRANGER")
    mention = await slack.mention(f"<@{slack.bot_user_id}> 500s", channel="C0RANDOM", user="U0ONCALL1")
    for env in (elsewhere, stranger, mention):
        await slack.wait_acked(env, 3)
    assert "<#C0ALLOWED>" in elsewhere.ack_payload["text"]
    assert "RCA_ALLOWED_USERS" in stranger.ack_payload["text"]
    await slack.wait_until(lambda: len(slack.ephemeral) == 1, 5)
    assert "RCA_CHANNELS" in slack.ephemeral[0]["text"]

    allowed = await slack.command("500s", channel="C0ALLOWED", user="U0ONCALL1")
    await slack.wait_acked(allowed, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)
    assert reports(slack)[0].channel == "C0ALLOWED"


async def test_every_event_is_acked_even_those_nobody_subscribed_to(slack: FakeSlack, start_bot: StartBot, scenario: Engine) -> None:
    await start_bot(scenario)
    stray = await slack.push("events_api", slack.event_payload(
        {"type": "member_joined_channel", "user": "U0ALICE01", "channel": CHANNEL, "event_ts": slack.new_ts()}
    ))
    await slack.wait_acked(stray, 3)
    assert slack.calls_to("chat.postMessage") == []


async def test_a_password_quoted_from_the_logs_is_masked_in_everything_posted(
    slack: FakeSlack, start_bot: StartBot, tmp_path
) -> None:
    secret = "Sup3rS3cretPw"
    await start_bot(await scenario_engine(data=leaky_scenario(tmp_path, secret)))
    env = await slack.command("500 errors on checkout")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 30)
    [parent] = slack.top_level(CHANNEL)
    await slack.wait_until(lambda: len(parent.versions) == 2, 5)

    [report] = reports(slack)
    assert "Connection pool exhausted on postgres://checkout:[MASKED:url-password]@" in block_texts(report.blocks)
    for call in slack.calls_to("chat.postMessage") + slack.calls_to("chat.update"):
        assert secret not in str(call.body)
