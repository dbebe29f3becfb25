"""Which MCP servers an investigation uses: the common `mcpServers` JSON shape.

```json
{"mcpServers": {
   "logs":  {"command": "python", "args": ["mcp-servers/logs-server/server.py"], "env": {"LOGS_DIR": "/var/log/app"}},
   "k8s":   {"command": "python", "args": ["/opt/k8s-server/server.py"]},
   "tools": {"url": "http://127.0.0.1:8931/mcp"}
}}
```

Stdio entries take `command`/`args`/`env`/`cwd`; HTTP entries take `url` (streamable HTTP) and
`headers` (e.g. `"Authorization": "Bearer ${MCP_TOKEN}"`). `${VAR}` in env values, urls and headers
is taken from our environment, so tokens stay out of the file.
`python`/`python3` as a command means the interpreter running the bot, so a server sees the
same installed packages. Relative paths in `args` and `cwd` are relative to the config file.
Adding a server is a config entry, not code.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_DIR = REPO_ROOT / "mcp-servers"

# The bundled servers, in the order their tools keep plain names when names collide.
BUNDLED = {
    "logs": "logs-server",
    "git": "git-server",
    "datadog": "datadog-server",
}

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    """A server config that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class ServerConfig:
    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict, hash=False)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False)  # HTTP only, e.g. Authorization

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"

    def with_env(self, extra: dict[str, str]) -> ServerConfig:
        return ServerConfig(self.name, self.command, self.args, {**self.env, **extra}, self.cwd, self.url, self.headers)


def bundled_servers() -> list[ServerConfig]:
    """The three servers this repository ships, started with the bot's own interpreter."""
    return [
        ServerConfig(name, sys.executable, (str(BUNDLED_DIR / folder / "server.py"),), {}, str(REPO_ROOT))
        for name, folder in BUNDLED.items()
    ]


def load_config(path: str | os.PathLike[str] | None) -> list[ServerConfig]:
    """Read an mcpServers file; None means the bundled three. Raises ConfigError with a reason."""
    if path is None:
        return bundled_servers()
    p = Path(path).expanduser()
    if not p.is_file():
        raise ConfigError(f"server config {str(p)!r} does not exist")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read server config {str(p)!r}: {e}") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"server config {str(p)!r} is not valid JSON: {e.msg} at line {e.lineno}") from None
    return parse_config(doc, base=p.parent)


def parse_config(doc: object, *, base: Path) -> list[ServerConfig]:
    if not isinstance(doc, dict) or not isinstance(doc.get("mcpServers"), dict):
        raise ConfigError('server config must be an object with an "mcpServers" object')
    servers = doc["mcpServers"]
    if not servers:
        raise ConfigError('"mcpServers" is empty: name at least one server')
    out = []
    for name, entry in servers.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", name):
            raise ConfigError(f"server name {name!r}: use letters, digits, '-' or '_' (at most 40)")
        if not isinstance(entry, dict):
            raise ConfigError(f"server {name!r}: expected an object with command/args or url")
        if entry.get("disabled"):
            continue
        out.append(_parse_entry(name, entry, base))
    if not out:
        raise ConfigError("every server in the config is disabled")
    return out


def _parse_entry(name: str, entry: dict, base: Path) -> ServerConfig:
    kind = str(entry.get("type") or entry.get("transport") or "").lower()
    if kind == "sse":
        raise ConfigError(f"server {name!r}: the SSE transport is not supported; use streamable HTTP (a url ending in /mcp)")
    url = entry.get("url")
    if url is not None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ConfigError(f"server {name!r}: url must start with http:// or https://")
        headers = entry.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise ConfigError(f"server {name!r}: headers must map names to strings")
        return ServerConfig(name, url=_expand(url, name), headers={k: _expand(v, name) for k, v in headers.items()})
    command = entry.get("command")
    if not isinstance(command, str) or not command.strip():
        raise ConfigError(f"server {name!r}: needs a command (stdio) or a url (HTTP)")
    args = entry.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ConfigError(f"server {name!r}: args must be a list of strings")
    env = entry.get("env", {})
    if not isinstance(env, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise ConfigError(f"server {name!r}: env must map names to strings")
    if command in ("python", "python3"):
        command = sys.executable
    cwd = entry.get("cwd")
    cwd_path = (base / cwd) if isinstance(cwd, str) else base
    return ServerConfig(
        name,
        command,
        tuple(args),
        {k: _expand(v, name) for k, v in env.items()},
        str(cwd_path.resolve()),
    )


def _expand(value: str, server: str) -> str:
    def sub(m: re.Match[str]) -> str:
        var = m.group(1)
        if var not in os.environ:
            raise ConfigError(f"server {server!r}: ${{{var}}} is not set in the environment")
        return os.environ[var]

    return _VAR.sub(sub, value)


def data_dir_env(data: Path) -> dict[str, dict[str, str]]:
    """Env for the bundled servers to read a directory laid out like a shared scenario.

    The directory wins over live sources set in the environment or .env (a repository, a
    Prometheus): `--data DIR` means that directory's files.
    """
    return {
        "logs": {"LOGS_DIR": str(data / "logs")},
        "git": {"GIT_COMMITS_FILE": str(data / "git" / "recent_commits.json"), "GIT_REPO": "", "GIT_DEPLOYMENTS_FILE": ""},
        "datadog": {"METRICS_FILE": str(data / "metrics" / "metrics.json"), "METRICS_BACKEND": "file"},
    }


def check_data_dir(data: Path) -> None:
    """Refuse a --data directory that is not laid out like a scenario, naming what is missing."""
    if not data.exists():
        raise ConfigError(f"data directory {str(data)!r} does not exist")
    if not data.is_dir():
        raise ConfigError(f"{str(data)!r} is a file; --data takes a directory with logs/, git/ and metrics/")
    missing = [
        rel
        for rel in ("logs", "git/recent_commits.json", "metrics/metrics.json")
        if not (data / rel).exists()
    ]
    if len(missing) == 3:
        raise ConfigError(
            f"{str(data)!r} has none of logs/, git/recent_commits.json, metrics/metrics.json"
        )


def apply_data_dir(configs: list[ServerConfig], data: Path) -> list[ServerConfig]:
    overlay = data_dir_env(data)
    return [c.with_env(overlay[c.name]) if c.name in overlay and c.transport == "stdio" else c for c in configs]
