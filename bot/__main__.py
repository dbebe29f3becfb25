"""`python -m bot` (and `make run`): the Slack app over Socket Mode.

Settings come from the environment, then `./.env` for what the environment leaves unset. Anything
missing or malformed stops it before it connects, with every problem listed and what to set.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from bot.analysts.choose import AnalystUnavailable
from bot.engine.servers import ConfigError
from bot.envfile import load_env_file
from bot.slack.app import StartupError
from bot.slack.service import build_engine, serve
from bot.slack.settings import Settings, SettingsError


def main() -> int:
    load_env_file()
    level = os.environ.get("RCA_LOG_LEVEL", "INFO").strip().upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env(os.environ)
        engine = build_engine(settings)
    except SettingsError as e:
        return _fail(str(e))
    except (ConfigError, AnalystUnavailable, ValueError) as e:
        return _fail(f"cannot start the Slack app: {e}")
    try:
        asyncio.run(serve(settings, engine))
    except StartupError as e:
        return _fail(f"cannot start the Slack app: {e}")
    except KeyboardInterrupt:
        return 130
    return 0


def _fail(message: str) -> int:
    print(f"rca-bot: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
