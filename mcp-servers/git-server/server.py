"""Entry point of the git MCP server (stdio). Configuration: GIT_COMMITS_FILE, or GIT_REPO (docs/tools.md, README)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rca_servers.git import build_server  # noqa: E402

DEFAULT_COMMITS_FILE = Path(__file__).parent / "data" / "recent_commits.json"

if __name__ == "__main__":
    build_server(default_commits_file=DEFAULT_COMMITS_FILE).run()
