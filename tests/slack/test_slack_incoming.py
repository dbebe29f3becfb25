"""Reading what users asked from Slack's payloads, and remembering what was already seen."""

from __future__ import annotations

import pytest

from bot.slack.dedupe import Deduper
from bot.slack.incoming import command_request, is_from_a_bot, mention_request, plain_text


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("<@U0BOT> checkout is throwing 500s", "checkout is throwing 500s"),
        ("hey <@U0BOT|rca-bot>, 500s since <!date^1392734382^{time}|14:45>", "hey , 500s since 14:45"),
        ("<@U0BOB> says <#C0PAY|payments> broke &amp; <https://grafana.test/d/1|the dashboard> shows it",
         "@U0BOB says #payments broke & the dashboard shows it"),
        ("<!here> p95 &gt; 2s on <https://shop.test/checkout>", "@here p95 > 2s on https://shop.test/checkout"),
        ("<!subteam^S0ONCALL|@oncall> look", "@oncall look"),
        ("   <@U0BOT>   ", ""),
    ],
)
def test_plain_text(raw: str, plain: str) -> None:
    assert plain_text(raw, "U0BOT") == plain


def test_a_mention_is_answered_in_its_thread_or_under_itself() -> None:
    event = {"type": "app_mention", "user": "U0ALICE", "text": "<@U0BOT> 500s", "ts": "2.0", "channel": "C0INC"}
    assert mention_request(event, "U0BOT").thread_ts == "2.0"
    assert mention_request({**event, "thread_ts": "1.0"}, "U0BOT").thread_ts == "1.0"
    assert mention_request(event, "U0BOT").incident == "500s"


def test_a_command_keeps_its_response_url() -> None:
    req = command_request({"text": "500s &amp; timeouts", "channel_id": "C0INC", "user_id": "U0ALICE",
                           "response_url": "https://hooks.slack.test/commands/1"})
    assert (req.incident, req.channel, req.user, req.thread_ts) == ("500s & timeouts", "C0INC", "U0ALICE", None)
    assert req.response_url == "https://hooks.slack.test/commands/1"


def test_bots_are_recognised() -> None:
    assert is_from_a_bot({"user": "U0X", "bot_id": "B0X"}, "U0BOT")
    assert is_from_a_bot({"subtype": "bot_message"}, "U0BOT")
    assert is_from_a_bot({"user": "U0BOT"}, "U0BOT")
    assert not is_from_a_bot({"user": "U0ALICE"}, "U0BOT")


def test_deduper_sees_any_key_again_and_forgets_after_its_ttl() -> None:
    d = Deduper(ttl_s=60)
    assert not d.seen(("event", "Ev1"), ("message", "C1", "1.0"))
    assert d.seen(("event", "Ev2"), ("message", "C1", "1.0"))  # same message, another event id
    assert d.seen(("event", "Ev1"))
    assert not d.seen(("event", ""))  # an empty key is no key
    assert not d.seen(("event", ""))
    short = Deduper(ttl_s=0)
    assert not short.seen(("event", "Ev1"))
    assert not short.seen(("event", "Ev1"))


def test_a_pasted_wall_of_text_is_cut_to_a_question() -> None:
    wall = "checkout is down " + "." * 8000
    body = {"command": "/rca", "text": wall, "channel_id": "C0INC", "user_id": "U0ALICE"}
    incident = command_request(body).incident
    assert len(incident) == 1000 and incident.startswith("checkout is down") and incident.endswith("…")
    event = {"type": "app_mention", "user": "U0ALICE", "text": f"<@U0BOT> {wall}", "ts": "2.0", "channel": "C0INC"}
    assert len(mention_request(event, "U0BOT").incident) == 1000
    assert command_request({**body, "text": "500s on checkout"}).incident == "500s on checkout"
