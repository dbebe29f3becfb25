"""The logs MCP server. `build_server` is imported lazily: scan workers import this package's
modules and must not pay for the MCP SDK."""

from __future__ import annotations

from typing import Any


def build_server(*args: Any, **kwargs: Any) -> Any:
    from rca_servers.logs.server import build_server as build

    return build(*args, **kwargs)


__all__ = ["build_server"]
