"""`rca`: run one investigation in the terminal.

    rca [--data DIR] [--config FILE] [--analyst auto|heuristic|llm] [--format text|json|markdown] "incident"

Progress goes to the terminal as tools run (to stderr when the report format is json or markdown,
so stdout stays machine-readable). Bad input exits 2 with a one-line reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import sys
from pathlib import Path

from bot.analysts.choose import MODES, AnalystUnavailable, choose_analyst
from bot.engine.investigation import Engine
from bot.engine.servers import ConfigError, apply_data_dir, check_data_dir, load_config
from bot.envfile import load_env_file
from bot.render.markdown import render_markdown
from bot.render.text import ProgressPrinter, render_text

FORMATS = ("text", "json", "markdown")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rca",
        description="Investigate a production incident with the logs, git and metrics MCP servers.",
    )
    p.add_argument("incident", nargs="*", help='what is wrong, e.g. "500 errors on checkout API"')
    p.add_argument(
        "--data",
        metavar="DIR",
        default=os.environ.get("RCA_DATA_DIR") or None,
        help="point the bundled servers at DIR (laid out as logs/, git/recent_commits.json, metrics/metrics.json;"
        " env RCA_DATA_DIR)",
    )
    p.add_argument(
        "--config",
        metavar="FILE",
        default=os.environ.get("RCA_SERVERS_CONFIG") or None,
        help="MCP servers in the mcpServers JSON shape (default: the three bundled servers; env RCA_SERVERS_CONFIG)",
    )
    p.add_argument(
        "--analyst",
        choices=MODES,
        default=os.environ.get("RCA_ANALYST", "auto"),
        help="auto: the model when one is configured, else heuristic (default: auto; env RCA_ANALYST)",
    )
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines, only the report")
    p.add_argument(
        "--timeout", type=str, default=os.environ.get("RCA_TOOL_TIMEOUT_S", "30"),
        help="seconds allowed for each tool call (default: 30; env RCA_TOOL_TIMEOUT_S)",
    )
    return p


def fail(message: str) -> int:
    print(f"rca: error: {message}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    load_env_file()
    args = build_parser().parse_args(argv)
    incident = " ".join(args.incident).strip()
    if not incident:
        return fail('say what is wrong, e.g.  rca "500 errors on checkout API"')
    try:
        timeout = float(args.timeout)
    except ValueError:
        timeout = float("nan")
    if not (math.isfinite(timeout) and timeout > 0):
        return fail(f"--timeout (or RCA_TOOL_TIMEOUT_S) must be a positive number of seconds, not {args.timeout!r}")
    try:
        servers = load_config(args.config)
        if args.data:
            data = Path(args.data).expanduser().resolve()
            check_data_dir(data)
            servers = apply_data_dir(servers, data)
        analyst = choose_analyst(args.analyst)
    except (ConfigError, AnalystUnavailable, ValueError) as e:
        return fail(str(e))

    progress_out = sys.stdout if args.format == "text" else sys.stderr
    sink = None if args.quiet else ProgressPrinter(progress_out)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")

    async def run():
        async with Engine(servers, analyst, call_timeout_s=timeout) as engine:
            return await engine.investigate(incident, sink)

    try:
        report = asyncio.run(run())
    except KeyboardInterrupt:
        return 130
    if args.format == "json":
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        print(render_markdown(report))
    else:
        print(render_text(report))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
