"""Nothing secret leaves for the model by any road: not in the incident text the responder typed,
not in the head start's findings (which quote log lines), not in tool results. The engine runs
the bundled servers over a copy of a shared scenario whose cause line carries a database password.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.analysts.heuristic import HeuristicAnalyst
from bot.engine import Engine
from bot.engine.servers import apply_data_dir, bundled_servers
from bot.scenarios import shared_dir
from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import analyst_for, investigate
from tests.llm.test_misbehaving_model import PLAIN

pytestmark = pytest.mark.asyncio(loop_scope="session")

LOG_PASSWORD = "Sup3rS3cretPw"
INCIDENT_SECRETS = ["hunter22horse", "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"]
INCIDENT = (
    "checkout 500s since the deploy; I tried PGPASSWORD=hunter22horse psql and it hangs; "
    "alerts bot token xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
)


@pytest.fixture(scope="module")
def leaky_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pool-exhaustion scenario, its pool-exhausted lines naming the DSN with its password."""
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


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def leaky_engine(leaky_scenario: Path) -> AsyncIterator[Engine]:
    async with Engine(apply_data_dir(bundled_servers(), leaky_scenario), HeuristicAnalyst()) as e:
        assert not e.pool.down(), e.pool.down()
        yield e


async def test_secrets_in_the_incident_and_in_the_head_start_never_reach_the_model(leaky_engine, fake):
    # The premise: the deterministic findings the model is given do quote the password.
    plain = await leaky_engine.investigate(INCIDENT)
    assert LOG_PASSWORD in " ".join(e.finding for e in plain.evidence)

    fake.script(Reply("", [Call("search_logs", {"pattern": "pool exhausted", "limit": 5})]),
                Reply("", [Call("submit_report", PLAIN)]))
    report, rec = await investigate(leaky_engine, analyst_for(fake, LLM_HEAD_START="true"), INCIDENT)

    assert report.analyst == "llm:qwen-test" and len(fake.requests) == 2
    first = fake.requests[0]
    assert first.messages[2]["content"].startswith("A deterministic analysis")  # the head start was sent
    assert "Connection pool exhausted on postgres://checkout:[MASKED:url-password]@" in first.messages[2]["content"]
    assert "PGPASSWORD=[MASKED:secret]" in first.messages[1]["content"]
    assert "[MASKED:url-password]" in fake.requests[1].tool_results()[0]["content"]  # and the tool result
    for request in fake.requests:
        for secret in [LOG_PASSWORD, *INCIDENT_SECRETS]:
            assert secret not in request.raw, secret
    assert any("masked" in n for n in rec.notes())
