"""The git MCP server: recent commits and deployments, from a recorded file or a real repository."""

from .server import build_server

__all__ = ["build_server"]
