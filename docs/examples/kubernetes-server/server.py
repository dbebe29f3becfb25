"""An example fourth MCP server: the seed's Kubernetes idea, added through configuration only.

    python docs/examples/kubernetes-server/server.py                 # stdio
    python docs/examples/kubernetes-server/server.py --http 127.0.0.1:8931   # streamable HTTP at /mcp

It serves a recorded snapshot (`data/pods.json`, or PODS_FILE); a real one would call the
Kubernetes API. It offers `get_deployments` like the git server does, so the bot reaches this
one as `kubernetes__get_deployments` (see README, "Adding a server").
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
DATA = Path(os.environ.get("PODS_FILE") or Path(__file__).parent / "data" / "pods.json")

app = MCPServer("kubernetes", instructions="Pods and deployments of the cluster (a recorded snapshot).")


def _snapshot() -> dict[str, Any]:
    try:
        return json.loads(DATA.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ToolError(f"cannot read the cluster snapshot {DATA}: {e}") from None


@app.tool(annotations=READ_ONLY)
def get_pods(
    namespace: Annotated[str, Field(description="Namespace to list, e.g. 'shop'; '*' for all.")] = "*",
) -> dict[str, Any]:
    """Pods with their phase, restart count and the reason of their last termination (e.g. OOMKilled)."""
    pods = [p for p in _snapshot().get("pods", []) if namespace in ("*", p.get("namespace"))]
    return {"namespace": namespace, "pods": pods}


@app.tool(annotations=READ_ONLY)
def get_deployments(
    namespace: Annotated[str, Field(description="Namespace to list, e.g. 'shop'; '*' for all.")] = "*",
) -> dict[str, Any]:
    """Kubernetes Deployments with their image, replicas ready/desired and last rollout time."""
    items = [d for d in _snapshot().get("deployments", []) if namespace in ("*", d.get("namespace"))]
    return {"namespace": namespace, "deployments": items}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--http":
        host, _, port = sys.argv[2].rpartition(":")
        app.run("streamable-http", host=host or "127.0.0.1", port=int(port))
    else:
        app.run()
