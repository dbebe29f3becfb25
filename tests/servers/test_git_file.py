"""The git server over a recorded file: the shared scenarios (read-only) and a small file of our own.

Every test talks to the real server through a real MCP session in-process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rca_servers.git import build_server

from tests.servers.calls import call, error

SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
SCENARIO_FILES = sorted(SCENARIOS.glob("*/git/recent_commits.json"))

COMMIT_KEYS = {"hash", "author", "timestamp", "message", "files_changed", "deployed_at", "deployed_in"}
BRIEF_KEYS = {"hash", "author", "timestamp", "message", "files_changed"}

# Data ends at 12:40 (the last commit). One commit is shipped twice (first by a deployment
# later rolled back), one is linked by a short hash, one records no deployed_at of its own,
# one is not deployed, one deployment names a commit the file does not hold.
SMALL = {
    "commits": [
        {"hash": "b2c3d4e5", "author": "bob@example.test", "timestamp": "2030-01-01T11:00:00Z",
         "message": "Refactor Checkout totals", "files_changed": ["app/checkout/Service.py", "README.md"],
         "deployed_at": "2030-01-01T11:30:00Z"},
        {"hash": "d4e5f6a7", "author": "carol@example.test", "timestamp": "2030-01-01T12:40:00Z",
         "message": "Write the runbook", "files_changed": ["docs/runbook.md"]},
        {"hash": "a1b2c3d4", "author": "ann@example.test", "timestamp": "2030-01-01T12:00:00Z",
         "message": "Raise the pool timeout", "files_changed": ["app/db/pool.py"]},
        {"hash": "c3d4e5f6", "author": "ann@example.test", "timestamp": "2030-01-01 10:00:00",
         "message": "Initial service", "files_changed": ["setup.py"]},
    ],
    "deployments": [
        {"version": "v1.0.0", "deployed_at": "2030-01-01T10:30:00Z", "status": "success", "commits": ["c3d4e5f"]},
        {"version": "v1.1.1", "deployed_at": "2030-01-01T12:30:00Z", "status": "failed",
         "commits": ["b2c3d4e5", "a1b2c3d4"]},
        {"version": "v1.1.0", "deployed_at": "2030-01-01T11:30:00Z", "status": "rolled_back",
         "commits": ["b2c3d4e5", "ffff999"]},
        {"version": "v1.0.1", "deployed_at": "2030-01-01T11:45:00Z", "status": "rollback", "commits": []},
    ],
}


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "recent_commits.json"
    path.write_text(json.dumps(SMALL))
    return path


# --- a small file of our own -----------------------------------------------------------------


async def test_commits_come_newest_first_with_the_deployment_that_first_shipped_them(small_file: Path):
    out = await call(build_server(commits_file=small_file), "get_recent_commits")

    commits = out["commits"]
    assert [c["hash"] for c in commits] == ["d4e5f6a7", "a1b2c3d4", "b2c3d4e5", "c3d4e5f6"]
    assert all(set(c) == COMMIT_KEYS for c in commits)
    by_hash = {c["hash"]: c for c in commits}
    # No deployed_at of its own: derived from the deployment listing it.
    assert (by_hash["a1b2c3d4"]["deployed_in"], by_hash["a1b2c3d4"]["deployed_at"]) == ("v1.1.1", "2030-01-01T12:30:00Z")
    # Listed by two deployments; it shipped first in the one later rolled back.
    assert (by_hash["b2c3d4e5"]["deployed_in"], by_hash["b2c3d4e5"]["deployed_at"]) == ("v1.1.0", "2030-01-01T11:30:00Z")
    # The deployment names it by a shorter hash.
    assert by_hash["c3d4e5f6"]["deployed_in"] == "v1.0.0"
    assert by_hash["c3d4e5f6"]["timestamp"] == "2030-01-01T10:00:00Z"
    assert (by_hash["d4e5f6a7"]["deployed_in"], by_hash["d4e5f6a7"]["deployed_at"]) == (None, None)
    assert out["truncated"] is False
    assert out["window"] == {"since": None, "until": None, "now": "2030-01-01T12:40:00Z (end of the recorded data)"}


async def test_relative_times_count_back_from_the_end_of_the_recording(small_file: Path):
    server = build_server(commits_file=small_file)

    commits = await call(server, "get_recent_commits", since="now-1h")
    deployments = await call(server, "get_deployments", since="now-1h")

    assert [c["hash"] for c in commits["commits"]] == ["d4e5f6a7", "a1b2c3d4"]
    assert commits["window"]["since"] == "2030-01-01T11:40:00Z"
    assert [d["version"] for d in deployments["deployments"]] == ["v1.1.1", "v1.0.1"]


async def test_absolute_windows_are_inclusive(small_file: Path):
    out = await call(
        build_server(commits_file=small_file), "get_recent_commits",
        since="2030-01-01T11:00:00Z", until="2030-01-01 12:00:00",
    )
    assert [c["hash"] for c in out["commits"]] == ["a1b2c3d4", "b2c3d4e5"]
    assert out["window"]["until"] == "2030-01-01T12:00:00Z"


async def test_a_limit_below_the_count_says_truncated(small_file: Path):
    server = build_server(commits_file=small_file)

    commits = await call(server, "get_recent_commits", limit=2)
    deployments = await call(server, "get_deployments", limit=4)

    assert [c["hash"] for c in commits["commits"]] == ["d4e5f6a7", "a1b2c3d4"]
    assert commits["truncated"] is True
    assert len(deployments["deployments"]) == 4 and deployments["truncated"] is False


async def test_deployments_expand_their_commits_and_pass_the_status_through(small_file: Path):
    out = await call(build_server(commits_file=small_file), "get_deployments")

    deployments = out["deployments"]
    assert [(d["version"], d["status"]) for d in deployments] == [
        ("v1.1.1", "failed"), ("v1.0.1", "rollback"), ("v1.1.0", "rolled_back"), ("v1.0.0", "success"),
    ]
    v110 = deployments[2]
    assert v110["deployed_at"] == "2030-01-01T11:30:00Z"
    assert v110["commits"][0] == {
        "hash": "b2c3d4e5", "author": "bob@example.test", "timestamp": "2030-01-01T11:00:00Z",
        "message": "Refactor Checkout totals", "files_changed": ["app/checkout/Service.py", "README.md"],
    }
    assert v110["commits"][1] == {"hash": "ffff999", "message": None}
    assert [c["hash"] for c in deployments[0]["commits"]] == ["a1b2c3d4", "b2c3d4e5"]  # newest first
    assert all(set(c) == BRIEF_KEYS for c in deployments[0]["commits"])
    assert deployments[1]["commits"] == []
    assert deployments[3]["commits"][0]["hash"] == "c3d4e5f6"


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("checkout", "message", ["b2c3d4e5"]),
        ("ANN@", "author", ["a1b2c3d4", "c3d4e5f6"]),
        ("service.py", "path", ["b2c3d4e5"]),
        ("app/", "path", ["a1b2c3d4", "b2c3d4e5"]),
        ("A1B2", "hash", ["a1b2c3d4"]),
        ("c3d4e5f6aa00bb11", "hash", ["c3d4e5f6"]),  # a full hash finds the file's short one
        ("pool", "any", ["a1b2c3d4"]),
        ("readme", "any", ["b2c3d4e5"]),
        ("no such thing", "any", []),
    ],
)
async def test_search_looks_where_it_is_told(small_file: Path, query: str, field: str, expected: list[str]):
    out = await call(build_server(commits_file=small_file), "search_commits", query=query, field=field)

    assert [c["hash"] for c in out["commits"]] == expected
    assert (out["query"], out["field"], out["truncated"]) == (query, field, False)
    assert all(set(c) == COMMIT_KEYS for c in out["commits"])


async def test_search_results_are_bounded(small_file: Path):
    out = await call(build_server(commits_file=small_file), "search_commits", query="example.test", limit=1)
    assert [c["hash"] for c in out["commits"]] == ["d4e5f6a7"]
    assert out["truncated"] is True


@pytest.mark.parametrize(
    ("tool", "args", "says"),
    [
        ("get_recent_commits", {"limit": -1}, "limit=-1 is not allowed"),
        ("get_recent_commits", {"limit": 0}, "between 1 and 200"),
        ("get_deployments", {"limit": -5}, "between 1 and 100"),
        ("search_commits", {"query": "pool", "limit": -1}, "limit=-1"),
        ("get_recent_commits", {"since": "last tuesday"}, "not a time I can read"),
        ("get_deployments", {"until": "2030-13-45"}, "not a time I can read"),
        ("get_recent_commits", {"since": "now", "until": "now-1h"}, "swap them"),
        ("search_commits", {"query": "pool", "field": "diff"}, "not one of any, message, author, path, hash"),
        ("search_commits", {"query": "po\x00ol"}, "NUL byte"),
        ("search_commits", {"query": "pool\nsize"}, "control characters"),
        ("search_commits", {"query": "   "}, "query is empty"),
        ("search_commits", {"query": "--output=/tmp/x"}, "looks like a command-line option"),
        ("search_commits", {"query": "../../etc/passwd", "field": "path"}, "leaves the repository"),
        ("search_commits", {"query": "/etc/passwd", "field": "path"}, "is absolute"),
        ("search_commits", {"query": ":(top)x", "field": "path"}, "pathspec magic"),
        ("search_commits", {"query": "xyz1", "field": "hash"}, "send at least 4 hex digits"),
        ("search_commits", {"query": "x" * 201}, "at most 200"),
    ],
)
async def test_bad_arguments_get_a_sentence_saying_what_to_send(small_file: Path, tool: str, args: dict, says: str):
    text = await error(build_server(commits_file=small_file), tool, **args)
    assert says in text


async def test_a_huge_limit_is_quietly_the_cap(small_file: Path):
    out = await call(build_server(commits_file=small_file), "get_recent_commits", limit=10_000)
    assert len(out["commits"]) == 4


# --- a missing or broken file ------------------------------------------------------------------


async def test_a_missing_file_is_an_error_on_call_not_at_start(tmp_path: Path):
    path = tmp_path / "absent.json"
    server = build_server(commits_file=path)  # must not raise

    text = await error(server, "get_recent_commits")
    assert "does not exist" in text and "GIT_COMMITS_FILE" in text

    path.write_text(json.dumps(SMALL))  # fixed without a restart
    assert len((await call(server, "get_recent_commits"))["commits"]) == 4


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ('{"deployments": []}', "has no 'commits' list"),
        ('{"commits": {"hash": "x"}}', "'commits' in"),
        ('{"commits": [{"author": "a"}]}', "commit #1"),
        ('{"commits": [{"hash": "abcd", "timestamp": "yesterday"}]}', "not a time"),
        ('{"commits": [], "deployments": [{"version": "v1"}]}', "deployment #1"),
    ],
)
async def test_a_malformed_file_is_named_with_what_is_wrong(tmp_path: Path, content: str, says: str):
    path = tmp_path / "recent_commits.json"
    path.write_text(content)
    text = await error(build_server(commits_file=path), "get_deployments")
    assert says in text


async def test_a_bare_list_is_read_as_commits(tmp_path: Path):
    path = tmp_path / "commits.json"
    path.write_text(json.dumps(SMALL["commits"]))
    server = build_server(commits_file=path)

    assert len((await call(server, "get_recent_commits"))["commits"]) == 4
    assert (await call(server, "get_deployments"))["deployments"] == []


async def test_the_environment_names_the_file(small_file: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("GIT_REPO", raising=False)
    monkeypatch.setenv("GIT_COMMITS_FILE", str(small_file))
    out = await call(build_server(default_commits_file=small_file.parent / "not-this.json"), "get_deployments")
    assert out["deployments"][0]["version"] == "v1.1.1"


async def test_an_explicit_file_wins_over_the_environment(small_file: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GIT_REPO", str(small_file.parent / "no-repo-here"))
    out = await call(build_server(commits_file=small_file), "get_recent_commits", limit=1)
    assert out["commits"][0]["hash"] == "d4e5f6a7"


# --- the shared scenarios (read-only) ---------------------------------------------------------


def test_the_shared_scenarios_are_there():
    assert len(SCENARIO_FILES) >= 8


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.parents[1].name)
async def test_every_scenario_answers_all_three_tools(path: Path):
    recorded = json.loads(path.read_text())
    server = build_server(commits_file=path)

    commits = (await call(server, "get_recent_commits", limit=200))["commits"]
    deployments = (await call(server, "get_deployments", limit=100))["deployments"]

    assert sorted(c["hash"] for c in commits) == sorted(c["hash"] for c in recorded["commits"])
    assert [c["timestamp"] for c in commits] == sorted((c["timestamp"] for c in commits), reverse=True)
    assert [d["deployed_at"] for d in deployments] == sorted((d["deployed_at"] for d in deployments), reverse=True)
    listed = {h: d for d in recorded["deployments"] for h in d["commits"]}
    for c in commits:
        assert set(c) == COMMIT_KEYS
        if c["hash"] in listed:
            assert c["deployed_in"] is not None and c["deployed_at"] is not None
    for d in deployments:
        assert all(c["message"] is not None for c in d["commits"])  # every listed hash is known here
    first = commits[0]
    found = (await call(server, "search_commits", query=first["hash"], field="hash"))["commits"]
    assert [c["hash"] for c in found] == [first["hash"]]
    found = (await call(server, "search_commits", query=first["files_changed"][0], field="path"))["commits"]
    assert first["hash"] in [c["hash"] for c in found]


async def test_a_rollback_scenario_keeps_every_status_and_version():
    path = SCENARIOS / "rollback-recovered" / "git" / "recent_commits.json"
    out = await call(build_server(commits_file=path), "get_deployments")

    assert [(d["version"], d["status"]) for d in out["deployments"]] == [
        ("v5.2.1", "success"), ("v5.1.9", "rollback"), ("v5.2.0", "rolled_back"), ("v5.1.9", "success"),
    ]
    assert out["window"]["now"] == "2026-09-01T11:45:00Z (end of the recorded data)"


async def test_an_undeployed_commit_in_a_scenario_has_no_deployment():
    path = SCENARIOS / "pool-exhaustion-after-deploy" / "git" / "recent_commits.json"
    out = await call(build_server(commits_file=path), "get_recent_commits", limit=1)

    newest = out["commits"][0]
    assert (newest["hash"], newest["deployed_in"], newest["deployed_at"]) == ("3b0bb08", None, None)
    assert out["truncated"] is True
