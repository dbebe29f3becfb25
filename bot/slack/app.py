"""The Slack app: one Bolt `AsyncApp` over Socket Mode, owning the runner and its investigations.

Start-up checks both tokens with Slack before anything else (auth.test for the bot token,
apps.connections.open for the app token), so a wrong token stops the app with a sentence
saying which one, instead of Socket Mode retrying a refused connection forever.
Shutdown stops taking requests, says goodbye in every running thread, then disconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import listeners
from bot.slack.client import web_client
from bot.slack.dedupe import Deduper
from bot.slack.runner import Investigator, Runner
from bot.slack.settings import Settings

log = logging.getLogger(__name__)

SHUTDOWN_GRACE_S = 15.0
WSS_URL_FRESH_S = 20.0
#: slack_sdk retries a WebSocket that will not open forever (every 10 s); at start that is a
#: network that blocks WebSockets, and the person starting the bot must hear it
CONNECT_TIMEOUT_S = 30.0

# What Slack's refusals at start mean for the person running the bot.
_TOKEN_ERRORS = {
    "invalid_auth": "was refused by Slack (invalid_auth): copy it again from the app's settings",
    "not_authed": "was not sent: set it",
    "account_inactive": "belongs to a deleted app or a deactivated user: reinstall the app",
    "token_revoked": "was revoked: reinstall the app and copy the new token",
    "token_expired": "has expired: copy a fresh one",
    "not_allowed_token_type": "is the wrong kind of token",
    "missing_scope": "lacks a scope: the app token needs connections:write",
}


class StartupError(RuntimeError):
    """Slack would not let the app start; the message says what to fix."""


@dataclass(frozen=True)
class Identity:
    """Who the bot is in the workspace (from auth.test)."""

    user_id: str
    bot_id: str | None
    team: str | None
    name: str | None


class SlackBot:
    """The app as one object: `await start()` (or `check()`, then `connect()`), then `await aclose()`,
    which is safe to call at any point, and twice."""

    def __init__(
        self,
        settings: Settings,
        investigator: Investigator,
        *,
        progress_interval: float = 1.0,
        shutdown_grace_s: float = SHUTDOWN_GRACE_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self.settings = settings
        self.investigator = investigator
        self.progress_interval = progress_interval
        self.shutdown_grace_s = shutdown_grace_s
        self.connect_timeout_s = connect_timeout_s
        self.deduper = Deduper()
        self.identity: Identity | None = None
        self._session: aiohttp.ClientSession | None = None
        self.client: AsyncWebClient  # set by check()
        self.runner: Runner  # set by connect()
        self.app: AsyncApp  # set by connect()
        self.handler: AsyncSocketModeHandler | None = None
        self._wss_url: str | None = None
        self._checked_at = 0.0

    @property
    def bot_user_id(self) -> str | None:
        return self.identity.user_id if self.identity else None

    async def start(self) -> Identity:
        """Check the tokens, then connect: requests are answered from here on."""
        identity = await self.check()
        await self.connect()
        return identity

    async def check(self) -> Identity:
        """Ask Slack whether both tokens are good, before anything else starts. Raises StartupError."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self.client = web_client(self.settings, self._session)
        try:
            self.identity = await self._check_bot_token()
            self._wss_url = await self._open_connection()
        except BaseException:
            await self._session.close()
            self._session = None
            raise
        return self.identity

    async def connect(self) -> None:
        """Open Socket Mode on the URL `check()` got; listeners are live when this returns.
        Raises StartupError when the WebSocket will not open within `connect_timeout_s`."""
        assert self.identity is not None, "check() first"
        self.runner = Runner(
            self.investigator,
            self.client,
            max_concurrent=self.settings.max_concurrent,
            timeout_s=self.settings.timeout_s,
            max_queued=self.settings.max_queued,
            progress_interval=self.progress_interval,
        )
        # Bolt warns at construction that SLACK_BOT_TOKEN in the environment is unused because a
        # client was given; the client carries that very token, so the warning is only noise.
        bolt_log = logging.getLogger("bot.slack.bolt")
        bolt_log.setLevel(logging.ERROR)
        self.app = AsyncApp(
            client=self.client,
            name="rca-bot",
            logger=bolt_log,
            request_verification_enabled=False,  # Socket Mode: no signed HTTP requests to verify
        )
        bolt_log.setLevel(logging.NOTSET)
        failures = _CONNECT_FAILURES
        failures.last = None
        if failures not in bolt_log.filters:
            bolt_log.addFilter(failures)
        listeners.register(self.app, self)
        self.handler = AsyncSocketModeHandler(self.app, self.settings.app_token)
        # A ticket from apps.connections.open is good for one connection, for a short while: the
        # one check() opened is used if it is fresh, else a new one is asked for.
        if self._wss_url and time.monotonic() - self._checked_at < WSS_URL_FRESH_S:
            self.handler.client.wss_uri = self._wss_url
        self._wss_url = None
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                await self.handler.connect_async()
        except TimeoutError:
            raise StartupError(_no_websocket(self.handler.client.wss_uri, self.connect_timeout_s, failures.last)) from None
        log.info(
            "connected to Slack as %s (%s) in %s; at most %d investigations at once, %g s each",
            self.identity.name, self.identity.user_id, self.identity.team,
            self.settings.max_concurrent, self.settings.timeout_s,
        )

    async def aclose(self) -> None:
        """Refuse new requests, stop running investigations (each says so in its thread), disconnect."""
        if hasattr(self, "runner"):  # connected: there may be investigations to stop
            await self.runner.aclose(self.shutdown_grace_s)
        if self.handler is not None:
            handler, self.handler = self.handler, None
            await handler.close_async()
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def _check_bot_token(self) -> Identity:
        try:
            resp = await self.client.auth_test()
        except SlackApiError as e:
            raise StartupError(_token_problem("SLACK_BOT_TOKEN", e)) from None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise StartupError(_unreachable(self.settings.api_url, e)) from None
        return Identity(resp["user_id"], resp.get("bot_id"), resp.get("team"), resp.get("user"))

    async def _open_connection(self) -> str:
        try:
            resp = await self.client.apps_connections_open(app_token=self.settings.app_token)
        except SlackApiError as e:
            raise StartupError(_token_problem("SLACK_APP_TOKEN", e)) from None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise StartupError(_unreachable(self.settings.api_url, e)) from None
        self._checked_at = time.monotonic()
        return resp["url"]


def _token_problem(name: str, e: SlackApiError) -> str:
    error = str(e.response.get("error") or e.response.status_code)
    what = _TOKEN_ERRORS.get(error, f"was refused by Slack ({error})")
    hint = ""
    if name == "SLACK_APP_TOKEN" and error in ("invalid_auth", "not_allowed_token_type"):
        hint = " It must be an app-level token (xapp-) with connections:write, and Socket Mode must be on."
    return f"{name} {what}.{hint}"


class _ConnectFailures(logging.Filter):
    """slack_sdk logs each failed WebSocket connect with a traceback: keep the reason (for the
    start-up error) and log it as one line."""

    def __init__(self) -> None:
        super().__init__()
        self.last: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Failed to connect"):
            self.last = message.removeprefix("Failed to connect (error: ").removesuffix("); Retrying...")
            record.msg, record.args = f"cannot open the Socket Mode WebSocket ({self.last}); retrying", ()
            record.exc_info = record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_CONNECT_FAILURES = _ConnectFailures()


def _no_websocket(url: str | None, timeout_s: float, reason: str | None) -> str:
    where = urlsplit(url or "")._replace(query="").geturl() or "the URL Slack gave"  # the ticket is a credential
    why = f" (last error: {reason})" if reason else ""
    return (
        f"cannot open the Socket Mode WebSocket at {where} within {timeout_s:g} s{why}. Slack accepted both "
        "tokens, so something between here and Slack blocks WebSockets: allow outbound wss:// on port 443 "
        "(to wss-primary.slack.com), or set HTTPS_PROXY to a proxy that passes them."
    )


def _unreachable(api_url: str, e: Exception) -> str:
    return f"cannot reach Slack at {api_url} ({type(e).__name__}: {e}); check SLACK_API_URL and the network."
