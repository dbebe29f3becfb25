"""Nothing secret leaves for the model by any road: not in the incident text the responder typed,
not in the head start's findings (which quote log lines), not in tool results. The engine runs
the bundled servers over a copy of a shared scenario whose cause line carries a database password
(`leaky_engine`).
"""

from __future__ import annotations

import pytest

from tests.fakes.model_server import Call, Reply
from tests.llm.conftest import LOG_PASSWORD, analyst_for, investigate
from tests.llm.test_misbehaving_model import PLAIN

pytestmark = pytest.mark.asyncio(loop_scope="session")

INCIDENT_SECRETS = ["hunter22horse", "xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"]
INCIDENT = (
    "checkout 500s since the deploy; I tried PGPASSWORD=hunter22horse psql and it hangs; "
    "alerts bot token xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
)


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
