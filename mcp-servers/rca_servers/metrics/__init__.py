"""The metrics MCP server: error rate, latency, traffic, CPU and memory, with robust anomaly detection.

Reads a recorded `metrics.json`, a Prometheus (`PROMETHEUS_URL`) or Datadog (`DD_API_KEY`).
"""

from .server import build_server

__all__ = ["build_server"]
