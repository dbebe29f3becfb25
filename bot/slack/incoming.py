"""What a slash command or a mention asks for, read from Slack's payloads. Pure: no Slack calls.

Slack sends a mention's text in its own markup (`<@U123>`, `<#C123|name>`, `<https://x|label>`,
`&amp;`). The question handed to the engine is what the user would read on screen, with the bot's
own mention taken out, so the analyst (and the report's header) never sees `<@U0BOT>`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.slack.runner import Request

#: an incident is a sentence or two; a pasted log dump is cut here (the model and the report header
#: get the question, not 40,000 characters of it)
MAX_INCIDENT_CHARS = 1000

_MARKUP = re.compile(r"<([^<>]*)>")
_SPACES = re.compile(r"\s+")
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def plain_text(text: str, bot_user_id: str | None = None) -> str:
    """Slack markup to the words a user sees; the bot's own mention is dropped."""

    def one(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):  # a user: <@U123> or <@U123|name>
            if bot_user_id and target[1:] == bot_user_id:
                return " "
            return "@" + (label or target[1:])
        if target.startswith("#"):  # a channel
            return "#" + (label or target[1:])
        if target.startswith("!"):  # <!here>, <!subteam^S1|@oncall>, <!date^...|fallback>
            name = target[1:].split("^", 1)[0]
            return label or _SPECIAL.get(name, "@" + name)
        return label or target  # a link: the label the user saw, else the address

    text = _MARKUP.sub(one, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return _SPACES.sub(" ", text).strip()


def incident_text(text: str) -> str:
    """The question as the investigation gets it: at most MAX_INCIDENT_CHARS, a cut marked."""
    if len(text) <= MAX_INCIDENT_CHARS:
        return text
    return text[: MAX_INCIDENT_CHARS - 1].rstrip() + "…"


def command_request(body: dict[str, Any]) -> Request:
    """A `/rca` payload (slash_commands envelope): answered in a new thread in its channel."""
    return Request(
        incident=incident_text(plain_text(body.get("text", ""))),
        channel=str(body.get("channel_id") or ""),
        user=body.get("user_id"),
        source="command",
        response_url=body.get("response_url") or None,
    )


def mention_request(event: dict[str, Any], bot_user_id: str | None) -> Request:
    """An app_mention: answered in the mention's thread, or in a new thread under the mention."""
    return Request(
        incident=incident_text(plain_text(event.get("text", ""), bot_user_id)),
        channel=str(event.get("channel") or ""),
        user=event.get("user"),
        source="mention",
        thread_ts=event.get("thread_ts") or event.get("ts"),
    )


def is_from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Bots (this one included) do not start investigations: no loops, no bot-to-bot storms."""
    return bool(
        event.get("bot_id")
        or event.get("bot_profile")
        or event.get("subtype") == "bot_message"
        or (bot_user_id and event.get("user") == bot_user_id)
    )
