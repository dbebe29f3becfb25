"""Many requests at once: every one acked in time, answered, and no more running than the limit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fakes.slack import FakeSlack
from tests.slack.harness import StartBot, assert_within_limits, block_texts, probe_engine, reports

pytestmark = pytest.mark.asyncio(loop_scope="session")  # with the fixtures (conftest)

LIMIT = 3
HOLD_S = 0.6


async def test_twenty_concurrent_rca_all_acked_answered_within_the_limit(
    slack: FakeSlack, start_bot: StartBot, tmp_path: Path
) -> None:
    engine, probe_file = await probe_engine(tmp_path, HOLD_S)
    await start_bot(engine, max_concurrent=LIMIT)
    envs = [await slack.command(f"incident number {i}", channel=f"C0CHAN{i:04d}") for i in range(20)]
    for env in envs:
        await slack.wait_acked(env, 3)
        assert env.ack_latency < 3

    # LIMIT start at once; each of the others hears how many are ahead of it (envelopes are
    # handled concurrently, so which ones start first is not the order they were sent in).
    ahead = {env.envelope_id: _ahead(env.ack_payload) for env in envs}
    assert sorted(n for n in ahead.values() if n is not None) == list(range(20 - LIMIT))
    assert sum(1 for n in ahead.values() if n is None) == LIMIT

    await slack.wait_until(lambda: len(reports(slack)) == 20, 60)
    peak, calls = map(int, probe_file.read_text().split())
    assert calls == 20
    assert peak == LIMIT  # the limit was reached and never passed

    for i, env in enumerate(envs):
        channel = env.payload["channel_id"]
        [parent] = slack.top_level(channel)
        replies = slack.thread(channel, parent.ts)
        progress, report = replies[0], replies[-1]
        assert report.blocks[0]["text"]["text"] == f"RCA: incident number {i}"
        assert_within_limits({"text": report.text, "blocks": report.blocks})
        n = ahead[env.envelope_id]
        first_progress = progress.versions[0]["text"]
        assert first_progress.startswith("Starting" if n is None else f"Queued, {n} ahead of you"), first_progress
        # Whatever its start, every progress message ends done, and the parent with the verdict.
        await slack.wait_until(lambda p=progress: p.text.startswith("Done"), 5)
        assert "1 tool calls" in block_texts(progress.blocks) or "1 tool call" in block_texts(progress.blocks)
        await slack.wait_until(lambda p=parent: len(p.versions) == 2, 5)
        assert parent.text.startswith(f"incident number {i}: The probe held on purpose.")


def _ahead(ack: dict | None) -> int | None:
    if not ack:  # started at once: acked without a word, the parent message is the answer
        return None
    m = re.match(r"Queued, (\d+) ahead of you", ack_text := ack["text"])
    assert m, ack_text
    return int(m.group(1))


async def test_progress_edits_are_throttled_and_coalesced(slack: FakeSlack, start_bot: StartBot, tmp_path: Path) -> None:
    # 25 tool calls in 2.5 s: 50 events, each of which changes what the progress message shows.
    engine, _ = await probe_engine(tmp_path, 2.5, calls=25)
    await start_bot(engine)
    env = await slack.command("a busy investigation")
    await slack.wait_acked(env, 3)
    await slack.wait_until(lambda: len(reports(slack)) == 1, 15)
    [parent] = slack.top_level("C0INCIDENT")
    progress = slack.thread("C0INCIDENT", parent.ts)[0]
    await slack.wait_until(lambda: progress.text.startswith("Done"), 5)

    edits = [c.at for c in slack.calls_to("chat.update") if c.body["ts"] == progress.ts]
    gaps = [b - a for a, b in zip(edits, edits[1:], strict=False)]
    assert all(g >= 0.95 for g in gaps), gaps  # at most one chat.update a second on one message
    assert 2 <= len(edits) <= 10  # 50 changes coalesced into a handful of edits
    assert "25 tool calls" in block_texts(progress.blocks)


async def test_past_the_queue_limit_a_request_is_refused_politely(
    slack: FakeSlack, start_bot: StartBot, tmp_path: Path
) -> None:
    engine, _ = await probe_engine(tmp_path, 1.5)
    await start_bot(engine, max_concurrent=1, max_queued=1)
    running = await slack.command("first", channel="C0CHAN0001")
    queued = await slack.command("second", channel="C0CHAN0002")
    await slack.wait_acked(queued, 3)
    refused = await slack.command("third", channel="C0CHAN0003")
    mention = await slack.mention(f"<@{slack.bot_user_id}> fourth", channel="C0CHAN0004")
    for env in (running, refused, mention):
        await slack.wait_acked(env, 3)

    assert queued.ack_payload["text"].startswith("Queued, 0 ahead of you")
    assert "Too many investigations already: 1 running and 1 waiting (RCA_MAX_QUEUED)" in refused.ack_payload["text"]
    await slack.wait_until(lambda: len(slack.ephemeral) == 1, 5)
    assert slack.ephemeral[0]["text"].startswith("Too many investigations already")  # the mention, privately
    await slack.wait_until(lambda: len(reports(slack)) == 2, 15)
    assert slack.top_level("C0CHAN0003") == [] and slack.top_level("C0CHAN0004") == []
