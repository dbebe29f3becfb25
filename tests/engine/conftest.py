from __future__ import annotations

import os
import signal
from pathlib import Path


def child_pids(script: str) -> list[int]:
    """PIDs of this process's children whose command line mentions `script` (Linux /proc)."""
    me = os.getpid()
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == me and script in cmd:
            out.append(int(entry.name))
    return out


def kill_server(script: str) -> int:
    pids = child_pids(script)
    assert len(pids) == 1, f"expected one running {script}, found {pids}"
    os.kill(pids[0], signal.SIGKILL)
    return pids[0]
