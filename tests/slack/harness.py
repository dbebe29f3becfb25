"""Helpers of the Slack tests: settings for the fake, engines on real MCP servers, a probe analyst."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from slack_sdk.models.blocks import Block

from bot.analysts.heuristic import HeuristicAnalyst
from bot.engine.analyst import Analyst
from bot.engine.investigation import Engine
from bot.engine.report import Report, RootCause, Trigger
from bot.engine.servers import ServerConfig, apply_data_dir, bundled_servers
from bot.engine.session import ToolSession
from bot.slack.app import SlackBot
from bot.slack.settings import Settings
from tests.fakes.slack import FakeSlack, Message

REPO = Path(__file__).resolve().parents[2]
PEERS = Path(__file__).resolve().parent / "peers"
StartBot = Callable[..., Awaitable[SlackBot]]
SCENARIO = REPO.parent / "shared" / "scenarios" / "pool-exhaustion-after-deploy"


def settings_for(slack: FakeSlack, **overrides: object) -> Settings:
    base = Settings(bot_token=slack.bot_token, app_token=slack.app_token, api_url=slack.api_url)
    return replace(base, **overrides)



def leaky_scenario(tmp_path: Path, secret: str) -> Path:
    """The shared scenario, its pool-exhausted lines naming the database DSN with `secret` as its password."""
    dst = tmp_path / "leaky-scenario"
    shutil.copytree(SCENARIO, dst, ignore=shutil.ignore_patterns("truth.json"))
    log = dst / "logs" / "app.log"
    log.chmod(0o644)
    text = log.read_text()
    assert "Connection pool exhausted:" in text
    log.write_text(text.replace(
        "Connection pool exhausted:", f"Connection pool exhausted on postgres://checkout:{secret}@db.internal/shop:"
    ))
    return dst


async def scenario_engine(
    *, replace_git: Path | None = None, analyst: Analyst | None = None, data: Path = SCENARIO
) -> Engine:
    """The bundled servers over the shared scenario, the deterministic analyst unless told otherwise."""
    servers = apply_data_dir(bundled_servers(), data)
    if replace_git is not None:
        servers = [
            ServerConfig("git", sys.executable, (str(replace_git),), {}, str(REPO)) if s.name == "git" else s
            for s in servers
        ]
    engine = Engine(servers, analyst or HeuristicAnalyst())
    await engine.start()
    return engine


class HoldingAnalyst:
    """Calls the probe's `hold` `calls` times in a row: an investigation of a known length."""

    name = "probe"

    def __init__(self, seconds: float, calls: int = 1) -> None:
        self.seconds = seconds
        self.calls = calls

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        peak = None
        for _ in range(self.calls):
            result = await tools.call("hold", {"seconds": self.seconds / self.calls})
            peak = (result.data or {}).get("peak_in_flight")
        return Report(
            incident=incident,
            incident_detected=True,
            summary=f"Held for {self.seconds:g} s; at most {peak} holds ran at once.",
            root_cause=RootCause("The probe held on purpose.", Trigger("none"), 0.5),
            onset=None,
            recommendations=["Nothing to do: this is a probe."],
        )


async def probe_engine(tmp_path: Path, seconds: float, calls: int = 1) -> tuple[Engine, Path]:
    probe_file = tmp_path / "probe.txt"
    server = ServerConfig("probe", sys.executable, (str(PEERS / "probe_server.py"),), {"PROBE_FILE": str(probe_file)}, str(REPO))
    engine = Engine([server], HoldingAnalyst(seconds, calls))
    down = await engine.start()
    assert not down, down
    return engine, probe_file


# -- reading the fake's record --------------------------------------------------------------------

def is_report(m: Message) -> bool:
    return bool(m.blocks) and m.blocks[0]["type"] == "header"


def reports(slack: FakeSlack) -> list[Message]:
    return [m for m in slack.messages.values() if m.user == slack.bot_user_id and is_report(m)]


def block_texts(blocks: list[dict[str, Any]] | None) -> str:
    """Every piece of text in the blocks, joined: what a reader sees."""
    out: list[str] = []
    for b in blocks or []:
        if isinstance(b.get("text"), dict):
            out.append(b["text"]["text"])
        for f in b.get("fields", []):
            out.append(f["text"])
        for e in b.get("elements", []):
            if isinstance(e, dict) and "text" in e:
                out.append(e["text"])
    return "\n".join(out)


def assert_within_limits(message: dict[str, Any]) -> None:
    """What Slack checks (and slack_sdk models): at most 50 blocks, each valid, a text fallback."""
    assert message.get("text"), "every message carries a text fallback"
    blocks = message.get("blocks") or []
    assert len(blocks) <= 50
    for b in blocks:
        parsed = Block.parse(b)
        assert parsed is not None, b
        assert parsed.to_dict() == b  # to_dict() validates lengths; the round trip loses nothing
        if b["type"] == "header":
            assert len(b["text"]["text"]) <= 150
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
            assert len(b.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in b.get("fields", []))
        if b["type"] == "context":
            assert 1 <= len(b["elements"]) <= 10
