"""The Slack app's settings, read from the environment (or `.env`) and checked once at start.

Every problem is reported together, each with what to set, so a newcomer fixes `.env` in one go
instead of meeting the errors one restart at a time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_MAX_CONCURRENT = 3
DEFAULT_MAX_QUEUED = 50
DEFAULT_TIMEOUT_S = 300.0
DEFAULT_TOOL_TIMEOUT_S = 30.0
ANALYST_MODES = ("auto", "heuristic", "llm")  # as bot.analysts.choose.MODES, without importing analysts here
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_TOKEN_BODY = re.compile(r"^[A-Za-z0-9-]+$")


class SettingsError(ValueError):
    """Settings the app cannot start with; the message lists each problem and what to set."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "cannot start the Slack app:\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\nSet these in the environment or in .env (see docs/slack.md, 'Run it against your test workspace')."
        )


@dataclass(frozen=True)
class Settings:
    bot_token: str
    app_token: str
    api_url: str = DEFAULT_API_URL
    #: channel ids where it answers; empty means every channel it is in
    channels: frozenset[str] = frozenset()
    #: user ids who may start an investigation; empty means everyone
    allowed_users: frozenset[str] = frozenset()
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    timeout_s: float = DEFAULT_TIMEOUT_S
    #: investigations that may wait for a slot; past that a request is refused politely
    max_queued: int = DEFAULT_MAX_QUEUED
    #: the engine: an mcpServers JSON file (None: the bundled servers), a scenario-shaped data
    #: directory for the bundled servers, the analyst mode, and the limit on each tool call
    servers_config: str | None = None
    data_dir: str | None = None
    analyst: str = "auto"
    tool_timeout_s: float = DEFAULT_TOOL_TIMEOUT_S

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        problems: list[str] = []
        bot_token = _token(
            env, "SLACK_BOT_TOKEN", "xoxb-",
            "the Bot User OAuth Token from your app's 'OAuth & Permissions' page", problems,
        )
        app_token = _token(
            env, "SLACK_APP_TOKEN", "xapp-",
            "an app-level token with the connections:write scope ('Basic Information' > 'App-Level Tokens')",
            problems,
        )
        api_url = _api_url(env, problems)
        channels = _id_list(env, "RCA_CHANNELS", _CHANNEL_ID, "channel ids such as C0123ABCD", problems)
        users = _id_list(env, "RCA_ALLOWED_USERS", _USER_ID, "user ids such as U0123ABCD", problems)
        max_concurrent = _number(env, "RCA_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT, int, 1, 100, problems)
        max_queued = _number(env, "RCA_MAX_QUEUED", DEFAULT_MAX_QUEUED, int, 0, 1000, problems)
        timeout_s = _number(env, "RCA_TIMEOUT_S", DEFAULT_TIMEOUT_S, float, 5, 3600, problems)
        tool_timeout_s = _number(env, "RCA_TOOL_TIMEOUT_S", DEFAULT_TOOL_TIMEOUT_S, float, 1, 600, problems)
        analyst = (env.get("RCA_ANALYST") or "").strip().lower() or "auto"
        if analyst not in ANALYST_MODES:
            problems.append(f"RCA_ANALYST={analyst!r}: set it to one of {', '.join(ANALYST_MODES)} (default auto)")
        if problems:
            raise SettingsError(problems)
        return cls(
            bot_token, app_token, api_url, channels, users, int(max_concurrent), float(timeout_s), int(max_queued),
            servers_config=(env.get("RCA_SERVERS_CONFIG") or "").strip() or None,
            data_dir=(env.get("RCA_DATA_DIR") or "").strip() or None,
            analyst=analyst,
            tool_timeout_s=float(tool_timeout_s),
        )


def _api_url(env: Mapping[str, str], problems: list[str]) -> str:
    """The Web API base. Plain http is for a Slack on this machine only: tokens travel in headers."""
    api_url = (env.get("SLACK_API_URL") or "").strip() or DEFAULT_API_URL
    parts = urlsplit(api_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problems.append(
            f"SLACK_API_URL={api_url!r} is not a URL: set it to the Web API base, e.g. {DEFAULT_API_URL} "
            "(or https://slack-gov.com/api/ for GovSlack), or leave it unset"
        )
    elif parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        problems.append(
            f"SLACK_API_URL={api_url!r} is plain http to another machine: the tokens would travel "
            "unencrypted; use https:// (plain http is accepted for 127.0.0.1 and localhost only)"
        )
    if not api_url.endswith("/"):
        api_url += "/"  # slack_sdk joins method names onto it
    return api_url


def _token(env: Mapping[str, str], name: str, prefix: str, what: str, problems: list[str]) -> str:
    value = (env.get(name) or "").strip()
    if not value:
        problems.append(f"{name} is not set: set it to {what} (it starts with {prefix})")
        return ""
    if not value.startswith(prefix) or len(value) <= len(prefix) + 1 or not _TOKEN_BODY.match(value):
        hint = ""
        other = {"xoxb-": "xapp-", "xapp-": "xoxb-"}[prefix]
        if value.startswith(other):
            hint = f"; it holds a {other} token, so the two tokens look swapped"
        elif value.startswith("xoxp-"):
            hint = "; it holds a user token (xoxp-), the app needs the bot token"
        problems.append(f"{name} is malformed: expected {what}, starting with {prefix}{hint}")
    return value


def _id_list(
    env: Mapping[str, str], name: str, pattern: re.Pattern[str], what: str, problems: list[str]
) -> frozenset[str]:
    raw = (env.get(name) or "").strip()
    if not raw:
        return frozenset()
    items = [x.strip() for x in raw.replace(";", ",").replace(" ", ",").split(",") if x.strip()]
    bad = [x for x in items if not pattern.match(x)]
    if bad:
        problems.append(
            f"{name} has {', '.join(map(repr, bad))}: list {what}, separated by commas "
            "(in Slack: the item's details, at the bottom), or leave it unset for no restriction"
        )
    return frozenset(items)


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type, low: float, high: float, problems: list[str]
) -> float:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        problems.append(f"{name}={raw!r} is not a{'n integer' if kind is int else ' number'}: set it between {low:g} and {high:g}")
        return default
    if not low <= value <= high:
        problems.append(f"{name}={raw} is out of range: set it between {low:g} and {high:g}")
        return default
    return value
