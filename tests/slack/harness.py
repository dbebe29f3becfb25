"""Helpers of the Slack tests: settings for the fake, engines on real MCP servers, a probe analyst."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from bot.analysts.heuristic import HeuristicAnalyst
from bot.engine.investigation import Engine
from bot.engine.report import Report, RootCause, Trigger
from bot.engine.servers import ServerConfig, apply_data_dir, bundled_servers
from bot.engine.session import ToolSession
from bot.slack.settings import Settings
from tests.fakes.slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
PEERS = Path(__file__).resolve().parent / "peers"
SCENARIO = REPO.parent / "shared" / "scenarios" / "pool-exhaustion-after-deploy"


def settings_for(slack: FakeSlack, **overrides: object) -> Settings:
    base = Settings(bot_token=slack.bot_token, app_token=slack.app_token, api_url=slack.api_url)
    return replace(base, **overrides)



async def scenario_engine(*, replace_git: Path | None = None) -> Engine:
    """The bundled servers over the shared scenario, the deterministic analyst."""
    servers = apply_data_dir(bundled_servers(), SCENARIO)
    if replace_git is not None:
        servers = [
            ServerConfig("git", sys.executable, (str(replace_git),), {}, str(REPO)) if s.name == "git" else s
            for s in servers
        ]
    engine = Engine(servers, HeuristicAnalyst())
    await engine.start()
    return engine


class HoldingAnalyst:
    """Calls the probe's `hold` once: an investigation that takes a known time."""

    name = "probe"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        result = await tools.call("hold", {"seconds": self.seconds})
        peak = (result.data or {}).get("peak_in_flight")
        return Report(
            incident=incident,
            incident_detected=True,
            summary=f"Held for {self.seconds:g} s; at most {peak} holds ran at once.",
            root_cause=RootCause("The probe held on purpose.", Trigger("none"), 0.5),
            onset=None,
            recommendations=["Nothing to do: this is a probe."],
        )


async def probe_engine(tmp_path: Path, seconds: float) -> tuple[Engine, Path]:
    probe_file = tmp_path / "probe.txt"
    server = ServerConfig("probe", sys.executable, (str(PEERS / "probe_server.py"),), {"PROBE_FILE": str(probe_file)}, str(REPO))
    engine = Engine([server], HoldingAnalyst(seconds))
    down = await engine.start()
    assert not down, down
    return engine, probe_file
