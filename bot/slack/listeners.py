"""The Bolt listeners: ack first, decide, hand the work to the runner. Nothing here waits on Slack
before the ack, so every envelope is answered well inside Slack's 3 s.

Every kind of request the manifest subscribes to has a listener (and anything else gets an ack
and is dropped): an envelope nobody acks comes back as a retry, and a retry must not look like a
new question. Duplicates (a retried event_id, a message seen twice, a redelivered command) are
acked and ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.access import refusal
from bot.slack.dedupe import Deduper
from bot.slack.incoming import command_request, is_from_a_bot, mention_request, plain_text
from bot.slack.runner import QueueFull, Runner
from bot.slack.settings import Settings

log = logging.getLogger(__name__)

Ack = Callable[..., Awaitable[Any]]

OUR_FAULT = "Something went wrong on my side before the investigation could start; my log has the details. Try again."


class Host(Protocol):
    """What the listeners need of the app that owns them."""

    settings: Settings
    runner: Runner
    deduper: Deduper
    client: AsyncWebClient

    @property
    def bot_user_id(self) -> str | None: ...


def register(app: AsyncApp, host: Host) -> None:
    @app.command(re.compile(r"^/"))  # whatever the command is called in the workspace's manifest
    async def on_command(ack: Ack, body: dict[str, Any]) -> None:
        try:
            answer = command_answer(host, body)
        except Exception:  # noqa: BLE001 - the user gets a sentence, the log gets the traceback
            log.exception("could not take %s %r", body.get("command"), body.get("text"))
            answer = {"text": OUR_FAULT, "response_type": "ephemeral"}
        await ack(**answer)

    @app.event("app_mention")
    async def on_mention(ack: Ack, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        await answer_mention(host, body, event)

    @app.event(re.compile(r".*"))
    async def on_other_event(ack: Ack, event: dict[str, Any]) -> None:
        """Not subscribed by our manifest; acked so Slack does not retry it, then dropped."""
        await ack()
        log.debug("ignoring a %s event", event.get("type"))

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        log.error("listener failed on %s: %s", (body or {}).get("type"), error, exc_info=error)


def command_answer(host: Host, body: dict[str, Any]) -> dict[str, Any]:
    """What to ack a slash command with; starts the investigation when there is one to start.

    Synchronous on purpose: the runner's submit does not await, so the ack goes out at once.
    """
    command = body.get("command") or "/rca"
    text = plain_text(body.get("text", ""))
    if blocks.is_help(text):
        return {**blocks.usage_message(host.bot_user_id, command), "response_type": "ephemeral"}
    if host.deduper.seen(("trigger", body.get("trigger_id") or "")):
        return {}  # a redelivered command: its investigation is already under way
    request = command_request(body)
    why = refusal(host.settings, request.channel, request.user)
    if why:
        return {"text": why, "response_type": "ephemeral"}
    if host.runner.closing:
        return {"text": blocks.shutting_down(), "response_type": "ephemeral"}
    try:
        job = host.runner.submit(request)
    except QueueFull:
        return {"text": blocks.queue_full(host.runner.running, host.runner.queued), "response_type": "ephemeral"}
    if not job.queued:
        return {}  # the parent message it posts (or why it cannot) is the answer
    return {"text": blocks.command_ack(job.progress.ahead), "response_type": "ephemeral"}


async def answer_mention(host: Host, body: dict[str, Any], event: dict[str, Any]) -> None:
    bot_user_id = host.bot_user_id
    if is_from_a_bot(event, bot_user_id):
        return
    channel, ts = event.get("channel") or "", event.get("ts") or ""
    if host.deduper.seen(("event", body.get("event_id") or ""), ("message", channel, ts)):
        log.info("duplicate delivery of %s (%s/%s) ignored", body.get("event_id"), channel, ts)
        return
    request = mention_request(event, bot_user_id)
    if blocks.is_help(request.incident):
        await _whisper(host, event, blocks.usage_message(bot_user_id))
        return
    why = refusal(host.settings, request.channel, request.user)
    if why:
        await _whisper(host, event, {"text": why})
        return
    if host.runner.closing:
        await _whisper(host, event, {"text": blocks.shutting_down()})
        return
    try:
        host.runner.submit(request)
    except QueueFull:
        await _whisper(host, event, {"text": blocks.queue_full(host.runner.running, host.runner.queued)})


async def _whisper(host: Host, event: dict[str, Any], message: dict[str, Any]) -> None:
    """An ephemeral answer to whoever mentioned the bot, where they did."""
    try:
        await host.client.chat_postEphemeral(
            channel=event.get("channel"), user=event.get("user"), thread_ts=event.get("thread_ts"), **message
        )
    except Exception:  # noqa: BLE001 - a lost usage hint is not worth a traceback
        log.warning("could not answer %s privately", event.get("user"), exc_info=True)
