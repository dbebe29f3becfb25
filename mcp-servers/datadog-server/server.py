"""Entry point of the metrics MCP server (stdio). Configuration: see docs/metrics-server.md."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rca_servers.metrics import build_server  # noqa: E402

DEFAULT_METRICS_FILE = Path(__file__).parent / "data" / "metrics.json"

if __name__ == "__main__":
    build_server(default_metrics_file=DEFAULT_METRICS_FILE).run()
