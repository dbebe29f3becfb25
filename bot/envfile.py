"""Settings from `./.env`: they fill what the environment leaves unset and never override it,
for `rca` and for `python -m bot` alike."""

from __future__ import annotations

from pathlib import Path

from dotenv import load_dotenv


def load_env_file(directory: Path | None = None) -> None:
    load_dotenv((directory or Path.cwd()) / ".env", override=False)
