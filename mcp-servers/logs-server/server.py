"""Entry point of the logs MCP server (stdio). Configuration: LOGS_DIR (default: ./data beside this file).

    python mcp-servers/logs-server/server.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rca_servers.logs import build_server  # noqa: E402

DEFAULT_LOGS_DIR = Path(__file__).parent / "data"

if __name__ == "__main__":
    build_server(default_logs_dir=DEFAULT_LOGS_DIR).run()
