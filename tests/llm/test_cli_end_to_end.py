"""`rca --analyst llm` end to end: the real CLI in a subprocess, the three bundled MCP servers over a
shared scenario, a scripted model on loopback; the JSON report checked against the shared schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.scenarios import shared_dir
from tests.llm.scripted_sre import ScriptedSRE

SCENARIO = shared_dir() / "scenarios" / "pool-exhaustion-after-deploy"
SCHEMA = json.loads((shared_dir() / "rca-report.schema.json").read_text())
OURS = ("OLLAMA_", "OPENAI_", "LLM_", "RCA_")


def rca(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=cwd, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_ollama_with_the_head_start(fake, tmp_path):
    fake.script(*[ScriptedSRE()] * 4)
    proc = rca(tmp_path, fake.env("ollama"), "--analyst", "llm", "--data", str(SCENARIO), "--format", "json",
               "500 errors on checkout API")

    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["analyst"] == "llm:qwen-test"
    assert report["root_cause"]["trigger"] == {"type": "deploy", "ref": "v2.4.0"}
    assert report["usage"]["model_calls"] == len(fake.requests) == 2
    assert {"list_log_files", "summarize_errors", "get_anomalies", "get_deployments", "submit_report"} <= set(
        fake.requests[0].tool_names
    )
    assert "head start" in proc.stderr and "asking the model" in proc.stderr  # progress on stderr, JSON on stdout
    checked = [m["tool_name"] for m in fake.requests[1].tool_results()]
    assert checked == ["get_deployments", "get_error_rates"]


def test_openai_from_scratch(fake, tmp_path):
    fake.script(*[ScriptedSRE()] * 4)
    env = fake.env("openai", LLM_HEAD_START="false", OPENAI_API_KEY="sk-test-not-a-real-key-000000000")
    proc = rca(tmp_path, env, "--analyst", "llm", "--data", str(SCENARIO), "--format", "json",
               "500 errors on checkout API")

    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["analyst"] == "llm:qwen-test"
    assert len(fake.requests) == 3
    assert fake.requests[0].headers["authorization"] == "Bearer sk-test-not-a-real-key-000000000"
    handed = {m["tool_call_id"]: m["content"] for m in fake.requests[1].tool_results()}
    assert any("Connection pool exhausted" in c for c in handed.values())  # the real logs server, routed
    asked = [c["function"]["name"] for m in fake.requests[2].messages if m.get("role") == "assistant"
             for c in m.get("tool_calls") or []]
    assert sorted(c["tool"] for c in report["tool_calls"]) == sorted(asked)  # each call the model made, run once
    assert "search_logs" in asked and "summarize_errors" in asked
    assert report["onset"] is not None and report["onset"].startswith("2026-02-17T14:")


def test_llm_without_a_model_says_what_to_set(tmp_path):
    proc = rca(tmp_path, {}, "--analyst", "llm", "--data", str(SCENARIO), "500 errors")
    assert proc.returncode == 2
    assert "OLLAMA_HOST" in proc.stderr and "OLLAMA_MODEL" in proc.stderr and "OPENAI_BASE_URL" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("env", "says"), [
    ({"LLM_PROVIDER": "anthropic", "OLLAMA_MODEL": "m"}, "LLM_PROVIDER='anthropic'"),
    ({"OLLAMA_MODEL": "m", "LLM_MAX_STEPS": "lots"}, "LLM_MAX_STEPS='lots' is not a whole number"),
])
def test_a_bad_model_setting_is_one_clear_line(tmp_path, env, says):
    proc = rca(tmp_path, env, "--analyst", "auto", "500 errors")
    assert proc.returncode == 2
    assert says in proc.stderr and "Traceback" not in proc.stderr
