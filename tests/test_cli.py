"""`rca` in the terminal, as a user runs it: the console script, real servers, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RCA = Path(sys.executable).with_name("rca")
SCHEMA = json.loads((SHARED / "rca-report.schema.json").read_text())


def rca(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("OLLAMA_", "OPENAI_", "LLM_", "RCA_"))}
    return subprocess.run(
        [str(RCA), *args], capture_output=True, text=True, timeout=120, env={**base, **(env or {})}, cwd=cwd or REPO
    )


def test_demo_prints_progress_then_the_report() -> None:
    p = rca("500 errors on checkout API")
    assert p.returncode == 0, p.stderr
    out = p.stdout
    for tool in ("summarize_errors", "get_deployments", "get_metrics"):
        assert f".{tool}(" in out  # a progress line per tool call
    for heading in ("Summary", "Root cause", "Timeline", "Evidence", "Recommendations"):
        assert f"\n{heading}\n" in out
    assert "trigger: deploy" in out and "confidence:" in out


def test_json_report_follows_the_schema_and_lists_every_call() -> None:
    p = rca("--format", "json", "500 errors on checkout API")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)  # progress went to stderr, stdout is only the report
    jsonschema.validate(report, SCHEMA)
    assert report["analyst"] == "heuristic" and report["incident"] == "500 errors on checkout API"
    assert len(report["tool_calls"]) >= 5 and all(c["ok"] for c in report["tool_calls"])
    assert "get_deployments" in p.stderr


def test_markdown_report() -> None:
    p = rca("--format", "markdown", "-q", "500 errors on checkout API")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("# RCA: 500 errors on checkout API")
    assert "## Root cause" in p.stdout and "## Timeline" in p.stdout and "| time | source | event |" in p.stdout
    assert p.stderr == ""


def test_data_points_the_servers_at_a_scenario_directory() -> None:
    d = SHARED / "scenarios" / "pool-exhaustion-after-deploy"
    p = rca("--data", str(d), "--format", "json", "-q", (d / "incident.txt").read_text().strip())
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["onset"].startswith("2026-02-17")  # the scenario's data, not the bundled demo's


@pytest.mark.parametrize(
    "args, words",
    [
        ([], "say what is wrong"),
        (["   "], "say what is wrong"),
        (["--data", "/nonexistent/dir", "x"], "does not exist"),
        (["--config", "/nonexistent.json", "x"], "does not exist"),
        (["--timeout", "0", "x"], "positive"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], words: str) -> None:
    p = rca(*args)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rca: error:") and words in lines[0]
    assert p.stdout == ""


@pytest.mark.parametrize("value", ["abc", "nan", "-1", "inf"])
def test_a_bad_tool_timeout_from_the_environment_is_one_line(value: str) -> None:
    p = rca("x", env={"RCA_TOOL_TIMEOUT_S": value})
    assert p.returncode == 2 and "RCA_TOOL_TIMEOUT_S" in p.stderr and "Traceback" not in p.stderr


def test_data_wins_over_live_sources_in_the_environment(tmp_path: Path) -> None:
    d = SHARED / "scenarios" / "pool-exhaustion-after-deploy"
    env = {"RCA_ANALYST": "heuristic", "GIT_REPO": str(tmp_path), "METRICS_BACKEND": "prometheus",
           "PROMETHEUS_URL": "http://127.0.0.1:9"}  # fmt: skip
    p = rca("--data", str(d), "--format", "json", "-q", "500 errors on checkout API", env=env)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["root_cause"]["trigger"]["type"] in ("deploy", "commit") and all(c["ok"] for c in report["tool_calls"])


def test_with_every_server_down_the_report_says_nothing_was_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "servers.json"
    cfg.write_text('{"mcpServers": {"logs": {"command": "/nonexistent/server"}, "git": {"command": "false"}}}')
    p = rca("--config", str(cfg), "--format", "json", "-q", "500 errors on checkout API")
    assert p.returncode == 1
    report = json.loads(p.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["failed"] and report["root_cause"]["trigger"]["type"] == "unknown"
    assert report["root_cause"]["confidence"] == 0 and "no data source answered" in report["summary"]


def test_a_broken_config_file_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "servers.json"
    cfg.write_text('{"mcpServers": {"logs": {"command": "python", "args": [}}')
    p = rca("--config", str(cfg), "x")
    assert p.returncode == 2 and "not valid JSON" in p.stderr and str(cfg) in p.stderr


def test_a_data_directory_that_is_not_laid_out_like_a_scenario(tmp_path: Path) -> None:
    (tmp_path / "random.txt").write_text("x")
    p = rca("--data", str(tmp_path), "x")
    assert p.returncode == 2 and "logs/" in p.stderr


def test_llm_analyst_without_a_model_says_what_to_set() -> None:
    p = rca("--analyst", "llm", "x")
    assert p.returncode == 2 and "OLLAMA_HOST" in p.stderr and "OPENAI_BASE_URL" in p.stderr
