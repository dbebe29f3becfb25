"""`python -m bot`, the process a team runs: refuses to start without its settings, saying what to set;
with them, and SLACK_API_URL pointed at the fake Slack, answers on the bundled incident data."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakes.slack import FakeSlack
from tests.slack.harness import REPO, reports

pytestmark = pytest.mark.asyncio(loop_scope="session")  # with the fixtures (conftest)

STRIP = ("SLACK_", "RCA_", "OLLAMA_", "OPENAI_", "LLM_", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(STRIP)}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


async def run_bot(cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_no_tokens_exits_naming_what_to_set(tmp_path: Path) -> None:
    proc = await run_bot(tmp_path, clean_env())
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2
    assert "SLACK_BOT_TOKEN is not set" in text and "SLACK_APP_TOKEN is not set" in text
    assert "xoxb-" in text and "xapp-" in text and "Traceback" not in text


async def test_swapped_tokens_and_bad_numbers_are_all_reported_at_once(tmp_path: Path) -> None:
    env = clean_env(SLACK_BOT_TOKEN="xapp-1-abc", SLACK_APP_TOKEN="xoxb-123-abc", RCA_MAX_CONCURRENT="many")
    proc = await run_bot(tmp_path, env)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2
    assert text.count("look swapped") == 2 and "RCA_MAX_CONCURRENT='many'" in text
    assert "xapp-1-abc" not in text  # a token is never echoed


async def test_tokens_from_dotenv_and_an_answer_to_rca_and_a_mention(slack: FakeSlack, tmp_path: Path) -> None:
    # The tokens come from ./.env, as a newcomer sets them; the environment only points at the fake.
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={slack.bot_token}\nSLACK_APP_TOKEN={slack.app_token}\n")
    proc = await run_bot(tmp_path, clean_env(SLACK_API_URL=slack.api_url, RCA_ANALYST="heuristic"))
    try:
        await slack.wait_connected(30)
        command = await slack.command("500 errors on checkout")
        mention = await slack.mention(f"<@{slack.bot_user_id}> checkout is throwing 500s", channel="C0OTHER")
        for env in (command, mention):
            await slack.wait_acked(env, 3)
        await slack.wait_until(lambda: len(reports(slack)) == 2, 60)
        assert {r.channel for r in reports(slack)} == {"C0INCIDENT", "C0OTHER"}
        assert all("Analyst: heuristic" in r.blocks[-1]["elements"][0]["text"] for r in reports(slack))
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "shutting down" in err.decode()


async def test_a_token_slack_refuses_stops_the_start_naming_it(slack: FakeSlack, tmp_path: Path) -> None:
    env = clean_env(SLACK_API_URL=slack.api_url, SLACK_BOT_TOKEN="xoxb-9-9-revokedlongago", SLACK_APP_TOKEN=slack.app_token)
    proc = await run_bot(tmp_path, env)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in err.decode()
    assert "Traceback" not in err.decode() and slack.connections == 0


async def test_an_unreachable_slack_is_named(tmp_path: Path) -> None:
    env = clean_env(SLACK_API_URL="http://127.0.0.1:9/api/", SLACK_BOT_TOKEN="xoxb-1-2-abc", SLACK_APP_TOKEN="xapp-1-A1-abc")
    proc = await run_bot(tmp_path, env)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert "cannot reach Slack at http://127.0.0.1:9/api/" in err.decode() and "Traceback" not in err.decode()
