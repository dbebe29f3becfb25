"""Fixtures for the model analyst: a fake model server on loopback and an engine whose servers are
the real git server (over a small recorded file) and a toy observability server.

The engine is shared by all these tests, which run in one event loop (`loop_scope="session"`):
sessions stay open across investigations, as in the bot. Engines live as long as this package's
tests (`scope="package"`), so no server process outlives them into other tests. Each test gets
its own fake model and its own analyst.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.analysts.heuristic import HeuristicAnalyst
from bot.analysts.llm import LLMSettings, build_llm_analyst
from bot.engine import Engine, Event, Report
from bot.engine.servers import REPO_ROOT, ServerConfig, apply_data_dir, bundled_servers
from bot.scenarios import shared_dir
from tests.fakes.model_server import FakeModel

HERE = Path(__file__).resolve().parent

# The change history the toy incident sits in: v1.1.0 at 10:15 shipped the pool change.
COMMITS = {
    "commits": [
        {"hash": "a1b2c3d4e5f6", "author": "ann@example.test", "timestamp": "2030-01-01T09:50:00Z",
         "message": "Shrink the database pool to 5", "files_changed": ["app/db/pool.py"],
         "deployed_at": "2030-01-01T10:15:00Z"},
        {"hash": "0f1e2d3c4b5a", "author": "bob@example.test", "timestamp": "2030-01-01T08:00:00Z",
         "message": "Fix a typo in the README", "files_changed": ["README.md"],
         "deployed_at": "2030-01-01T09:00:00Z"},
    ],
    "deployments": [
        {"version": "v1.1.0", "deployed_at": "2030-01-01T10:15:00Z", "status": "success", "commits": ["a1b2c3d4e5f6"]},
        {"version": "v1.0.9", "deployed_at": "2030-01-01T09:00:00Z", "status": "success", "commits": ["0f1e2d3c4b5a"]},
    ],
}


@pytest.fixture(scope="session")
def commits_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("git") / "recent_commits.json"
    path.write_text(json.dumps(COMMITS))
    return path


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def engine(commits_file: Path) -> AsyncIterator[Engine]:
    servers = [
        ServerConfig("git", sys.executable, (str(REPO_ROOT / "mcp-servers" / "git-server" / "server.py"),),
                     {"GIT_COMMITS_FILE": str(commits_file)}, str(REPO_ROOT)),
        ServerConfig("obs", sys.executable, (str(HERE / "toy_server.py"),), {}, str(REPO_ROOT)),
    ]
    async with Engine(servers, HeuristicAnalyst(), call_timeout_s=10) as e:
        assert not e.pool.down(), e.pool.down()
        yield e


LOG_PASSWORD = "Sup3rS3cretPw"


@pytest.fixture(scope="session")
def leaky_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shared scenario (pool exhaustion after deploy v2.4.0), its pool-exhausted lines naming the
    DSN with its password: the deterministic analysis quotes them."""
    src = shared_dir() / "scenarios" / "pool-exhaustion-after-deploy"
    dst = tmp_path_factory.mktemp("leaky") / "scenario"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("truth.json"))
    log = dst / "logs" / "app.log"
    log.chmod(0o644)
    text = log.read_text()
    assert "Connection pool exhausted:" in text
    log.write_text(text.replace(
        "Connection pool exhausted:", f"Connection pool exhausted on postgres://checkout:{LOG_PASSWORD}@db.internal/shop:"
    ))
    return dst


@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def leaky_engine(leaky_scenario: Path) -> AsyncIterator[Engine]:
    """The three bundled servers over `leaky_scenario`."""
    async with Engine(apply_data_dir(bundled_servers(), leaky_scenario), HeuristicAnalyst()) as e:
        assert not e.pool.down(), e.pool.down()
        yield e


@pytest.fixture
def fake() -> Iterator[FakeModel]:
    with FakeModel("qwen-test") as f:
        yield f


# Fast retries and no head start unless a test says otherwise.
QUICK = {"LLM_BACKOFF_S": "0.01", "LLM_TIMEOUT_S": "5", "LLM_HEAD_START": "false"}


def analyst_for(fake: FakeModel, provider: str = "ollama", **env: str):
    settings = LLMSettings.from_env(fake.env(provider, **{**QUICK, **env}))
    assert settings is not None
    return build_llm_analyst(settings, fallback=HeuristicAnalyst())


class Recorder:
    """An event sink that keeps everything, for assertions on the progress stream."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def notes(self) -> list[str]:
        from bot.engine import Note

        return [e.text for e in self.of(Note)]


async def investigate(engine: Engine, analyst: Any, incident: str = "checkout errors") -> tuple[Report, Recorder]:
    rec = Recorder()
    report = await engine.investigate(incident, rec, analyst=analyst)
    return report, rec
