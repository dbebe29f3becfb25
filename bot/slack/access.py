"""Who may start an investigation, and where (RCA_CHANNELS, RCA_ALLOWED_USERS). Pure."""

from __future__ import annotations

from bot.slack import blocks
from bot.slack.settings import Settings


def refusal(settings: Settings, channel: str, user: str | None) -> str | None:
    """Why this request is refused, in words for the user; None when it may run."""
    if settings.channels and channel not in settings.channels:
        return blocks.channel_refused(settings.channels)
    if settings.allowed_users and user not in settings.allowed_users:
        return blocks.user_refused()
    return None
