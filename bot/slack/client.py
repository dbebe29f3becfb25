"""The one Web API client the app uses: Slack's base URL from settings, 429s retried after Retry-After."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.settings import Settings

#: Slack answers 429 with Retry-After (seconds); the SDK sleeps that long and tries again.
RATE_LIMIT_RETRIES = 4
#: A reset connection is retried; a 5xx is not: chat.postMessage may have posted already.
CONNECTION_RETRIES = 2
HTTP_TIMEOUT_S = 15


def web_client(settings: Settings, session: aiohttp.ClientSession | None = None) -> AsyncWebClient:
    """`session` is shared by every call (and by Bolt's per-request copies): one connection pool."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        session=session,
        timeout=HTTP_TIMEOUT_S,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )
