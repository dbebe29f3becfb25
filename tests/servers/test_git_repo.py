"""The git server over a real repository (GIT_REPO), built by the test with real commits.

Dates are set with GIT_AUTHOR_DATE / GIT_COMMITTER_DATE, so windows, tag dates and which tag
shipped which commit are known exactly. git runs with an empty global config, so the machine's
own settings cannot change what the tests see.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import mcp
import pytest
from mcp.client.stdio import StdioServerParameters
from rca_servers.git import build_server
from rca_servers.git.repo_backend import RepoBackend

from tests.servers.calls import call, error

REPO_ROOT = Path(__file__).resolve().parents[2]
ENTRY = REPO_ROOT / "mcp-servers" / "git-server" / "server.py"
COMMIT_KEYS = {"hash", "author", "timestamp", "message", "files_changed", "deployed_at", "deployed_in"}
NOW = datetime.now(UTC).replace(microsecond=0)
# Two days ago on the hour: everything but the last commit happens then; the last is 30 minutes old.
BASE = (NOW - timedelta(days=2)).replace(minute=0, second=0)


def stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def git_env(home: Path, when: datetime | None = None, name: str = "", email: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when.isoformat(), GIT_COMMITTER_DATE=when.isoformat())
    if name:
        env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    return env


@dataclass
class Repo:
    path: Path
    home: Path
    c1: str = ""
    c2: str = ""
    c3: str = ""
    c4: str = ""
    c5: str = ""

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.path), *args], env=env or git_env(self.home), capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    def commit(self, when: datetime, email: str, message: str, files: dict[str, str]) -> str:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            self.git("add", "--", name)
        name = email.split("@")[0].title()
        self.git("commit", "-q", "--allow-empty", "-m", message, env=git_env(self.home, when, name, email))
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, when: datetime, *, annotated: bool = True, on: str = "HEAD") -> None:
        env = git_env(self.home, when, "Release Bot", "release@example.test")
        if annotated:
            self.git("tag", "-a", name, "-m", f"release {name}", on, env=env)
        else:
            self.git("tag", name, on, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """Five commits, three release tags (annotated, annotated, lightweight) and one other tag.

    c1 --v1.0.0-- c2 c3 --v1.1.0-- c4 --v1.1.1 (lightweight), nightly-1-- c5 (not deployed, 30 min ago)
    """
    r = Repo(tmp_path / "service", tmp_path / "home")
    r.home.mkdir()
    r.path.mkdir()
    r.git("init", "-q", "-b", "main")
    r.c1 = r.commit(at(0), "ann@example.test", "Initial service", {"setup.py": "1", "app/main.py": "1"})
    r.tag("v1.0.0", at(30))
    r.c2 = r.commit(at(60), "bob@example.test", "Refactor Checkout totals\n\nSplit the service in two.",
                    {"app/checkout/Service.py": "2", "README.md": "2"})
    india = timezone(timedelta(hours=5, minutes=30))  # a committer east of UTC: answers are still in UTC
    r.c3 = r.commit(at(80).astimezone(india), "ann@example.test", "Raise the pool timeout [pool] (a.k.a. the fix)", {"app/db/pool.py": "3"})
    r.tag("v1.1.0", at(90))
    r.c4 = r.commit(at(120), "carol@example.test", "Write the runbook", {"docs/runbook.md": "4", "docs/café.md": "4"})
    r.tag("v1.1.1", at(999), annotated=False)  # lightweight: dated by its commit, at(120)
    r.tag("nightly-1", at(130))
    r.c5 = r.commit(NOW - timedelta(minutes=30), "dave@example.test", "WIP: not deployed yet", {"app/x.py": "5"})
    return r


def server_for(repo: Repo, **kw: Any) -> Any:
    return build_server(backend=RepoBackend(repo.path, **kw))


# --- commits ------------------------------------------------------------------------------------


async def test_commits_come_newest_first_with_files_and_the_tag_that_shipped_them(repo: Repo):
    out = await call(server_for(repo), "get_recent_commits")

    commits = out["commits"]
    assert [c["hash"] for c in commits] == [repo.c5, repo.c4, repo.c3, repo.c2, repo.c1]
    assert all(set(c) == COMMIT_KEYS for c in commits)
    by = {c["hash"]: c for c in commits}
    assert by[repo.c2]["files_changed"] == ["README.md", "app/checkout/Service.py"]
    assert by[repo.c2]["message"] == "Refactor Checkout totals\n\nSplit the service in two."
    assert by[repo.c2]["author"] == "bob@example.test"
    assert by[repo.c2]["timestamp"] == stamp(at(60))
    assert (by[repo.c1]["deployed_in"], by[repo.c1]["deployed_at"]) == ("v1.0.0", stamp(at(30)))
    assert (by[repo.c2]["deployed_in"], by[repo.c3]["deployed_in"]) == ("v1.1.0", "v1.1.0")
    assert by[repo.c3]["deployed_at"] == stamp(at(90))  # the annotated tag's own date
    assert (by[repo.c4]["deployed_in"], by[repo.c4]["deployed_at"]) == ("v1.1.1", stamp(at(120)))  # lightweight
    assert (by[repo.c5]["deployed_in"], by[repo.c5]["deployed_at"]) == (None, None)
    assert by[repo.c3]["timestamp"] == stamp(at(80))
    assert by[repo.c4]["files_changed"] == ["docs/café.md", "docs/runbook.md"]
    assert out["truncated"] is False


async def test_a_merged_branch_ships_with_the_next_tag(repo: Repo):
    repo.git("checkout", "-q", "-b", "feature", repo.c4)
    feature = repo.commit(at(140), "eve@example.test", "Add the retry budget", {"app/retry.py": "r"})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge feature", "feature", env=git_env(repo.home, at(150), "Eve", "eve@example.test"))
    merge = repo.git("rev-parse", "HEAD")
    repo.tag("v1.2.0", at(160))

    deployments = (await call(server_for(repo), "get_deployments", limit=1))["deployments"]
    commits = {c["hash"]: c for c in (await call(server_for(repo), "get_recent_commits"))["commits"]}

    assert deployments[0]["version"] == "v1.2.0"
    assert {c["hash"] for c in deployments[0]["commits"]} == {merge, feature, repo.c5}
    assert commits[feature]["deployed_in"] == "v1.2.0" and commits[feature]["files_changed"] == ["app/retry.py"]
    assert commits[merge]["message"] == "Merge feature"


async def test_the_time_window_is_inclusive_and_relative_times_use_the_clock(repo: Repo):
    server = server_for(repo)

    absolute = await call(server, "get_recent_commits", since=stamp(at(60)), until=stamp(at(120)))
    recent = await call(server, "get_recent_commits", since="now-1h")
    before = await call(server, "get_recent_commits", until=stamp(at(59)))

    assert [c["hash"] for c in absolute["commits"]] == [repo.c4, repo.c3, repo.c2]
    assert [c["hash"] for c in recent["commits"]] == [repo.c5]
    assert [c["hash"] for c in before["commits"]] == [repo.c1]
    assert "now" not in absolute["window"]  # a repository is live: no "end of the recorded data"


async def test_a_limit_below_the_count_says_truncated(repo: Repo):
    out = await call(server_for(repo), "get_recent_commits", limit=2)
    assert [c["hash"] for c in out["commits"]] == [repo.c5, repo.c4]
    assert out["truncated"] is True


async def test_only_the_configured_branch_is_read(repo: Repo):
    repo.git("checkout", "-q", "-b", "experiment")
    side = repo.commit(at(200), "eve@example.test", "Try something risky", {"app/risky.py": "x"})
    repo.git("checkout", "-q", "main")

    main = await call(server_for(repo), "get_recent_commits")
    experiment = await call(server_for(repo, ref="experiment"), "get_recent_commits", limit=1)

    assert side not in [c["hash"] for c in main["commits"]]
    assert experiment["commits"][0]["hash"] == side


# --- deployments ------------------------------------------------------------------------------


async def test_deployments_come_from_release_tags_with_the_commits_each_shipped(repo: Repo):
    out = await call(server_for(repo), "get_deployments")

    deployments = out["deployments"]
    assert [(d["version"], d["deployed_at"], d["status"]) for d in deployments] == [
        ("v1.1.1", stamp(at(120)), "success"),
        ("v1.1.0", stamp(at(90)), "success"),
        ("v1.0.0", stamp(at(30)), "success"),
    ]
    assert [[c["hash"] for c in d["commits"]] for d in deployments] == [[repo.c4], [repo.c3, repo.c2], [repo.c1]]
    assert deployments[1]["commits"][1]["files_changed"] == ["README.md", "app/checkout/Service.py"]


async def test_deployments_have_a_window_and_a_limit(repo: Repo):
    server = server_for(repo)
    windowed = await call(server, "get_deployments", since=stamp(at(31)), until=stamp(at(119)))
    limited = await call(server, "get_deployments", limit=1)

    assert [d["version"] for d in windowed["deployments"]] == ["v1.1.0"]
    assert [d["version"] for d in limited["deployments"]] == ["v1.1.1"] and limited["truncated"] is True


async def test_the_tag_pattern_chooses_which_tags_are_deployments(repo: Repo):
    repo.tag("release-7", at(140), on=repo.c4)
    out = await call(server_for(repo, tag_pattern="release-*"), "get_deployments")
    [release] = out["deployments"]
    # The first matching tag ships everything reachable from it.
    assert release["version"] == "release-7"
    assert [c["hash"] for c in release["commits"]] == [repo.c4, repo.c3, repo.c2, repo.c1]


async def test_deployments_from_a_file_name_commits_by_short_hash(repo: Repo, tmp_path: Path):
    path = tmp_path / "deployments.json"
    path.write_text(json.dumps({"deployments": [
        {"version": "2030.1", "deployed_at": stamp(at(100)), "status": "rolled_back", "commits": [repo.c3[:8], repo.c2[:7]]},
        {"version": "2030.2", "deployed_at": stamp(at(110)), "status": "rollback", "commits": []},
        {"version": "2030.3", "deployed_at": stamp(at(150)), "status": "success", "commits": [repo.c4, "deadbeef00"]},
    ]}))
    server = server_for(repo, deployments_file=path)

    deployments = (await call(server, "get_deployments"))["deployments"]
    commits = {c["hash"]: c for c in (await call(server, "get_recent_commits"))["commits"]}

    assert [(d["version"], d["status"]) for d in deployments] == [("2030.3", "success"), ("2030.2", "rollback"), ("2030.1", "rolled_back")]
    assert deployments[0]["commits"][0]["hash"] == repo.c4
    assert deployments[0]["commits"][1] == {"hash": "deadbeef00", "message": None}
    assert [c["hash"] for c in deployments[2]["commits"]] == [repo.c3, repo.c2]
    assert deployments[2]["commits"][0]["message"].startswith("Raise the pool timeout")
    assert (commits[repo.c3]["deployed_in"], commits[repo.c3]["deployed_at"]) == ("2030.1", stamp(at(100)))
    assert commits[repo.c1]["deployed_in"] is None  # tags are not read when a file says how the team ships


# --- search -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("checkout TOTALS", "message", ["c2"]),
        ("[pool] (a.k.a.", "message", ["c3"]),  # regex characters are taken literally
        ("split the service", "message", ["c2"]),  # the body counts
        ("ANN@", "author", ["c3", "c1"]),
        ("Carol", "author", ["c4"]),
        ("service.py", "path", ["c2"]),
        ("app/", "path", ["c5", "c3", "c2", "c1"]),
        ("*", "path", []),  # glob characters are literal too
        ("pool", "any", ["c3"]),
        ("readme", "any", ["c2"]),
        ("no such thing", "any", []),
    ],
)
async def test_search_looks_where_it_is_told(repo: Repo, query: str, field: str, expected: list[str]):
    out = await call(server_for(repo), "search_commits", query=query, field=field)
    assert [c["hash"] for c in out["commits"]] == [getattr(repo, name) for name in expected]
    assert all(set(c) == COMMIT_KEYS for c in out["commits"])


async def test_search_by_hash_prefix_any_case(repo: Repo):
    server = server_for(repo)
    short = await call(server, "search_commits", query=repo.c3[:7].upper(), field="hash")
    anywhere = await call(server, "search_commits", query=repo.c2[:10])
    assert [c["hash"] for c in short["commits"]] == [repo.c3]
    assert repo.c2 in [c["hash"] for c in anywhere["commits"]]
    assert short["commits"][0]["deployed_in"] == "v1.1.0"


async def test_search_results_are_bounded(repo: Repo):
    out = await call(server_for(repo), "search_commits", query="example.test", field="author", limit=2)
    assert [c["hash"] for c in out["commits"]] == [repo.c5, repo.c4]
    assert out["truncated"] is True


async def test_option_like_text_inside_a_query_is_only_text(repo: Repo):
    out = await call(server_for(repo), "search_commits", query="x --all --output=/tmp/owned", field="message")
    assert out["commits"] == []
    assert not Path("/tmp/owned").exists()


# --- bad configuration and bad input ---------------------------------------------------------


async def test_a_path_that_is_not_a_repository_is_said_on_call(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    missing = tmp_path / "missing"

    assert "is not a git repository" in await error(build_server(backend=RepoBackend(plain)), "get_recent_commits")
    assert "is not a directory" in await error(build_server(backend=RepoBackend(missing)), "get_deployments")


async def test_discovery_does_not_climb_out_of_the_configured_directory(repo: Repo):
    inside = repo.path / "app"  # inside the work tree, but not the repository's top
    text = await error(build_server(backend=RepoBackend(inside)), "get_recent_commits")
    assert "is not a git repository" in text


async def test_an_empty_repository_says_there_is_nothing_yet(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "init", "-q", str(empty)], env=git_env(tmp_path), check=True)
    text = await error(build_server(backend=RepoBackend(empty)), "get_recent_commits")
    assert "names no commit" in text


@pytest.mark.parametrize(
    ("settings", "tool", "says"),
    [
        ({"ref": "no-such-branch"}, "get_recent_commits", "'no-such-branch' names no commit"),
        ({"ref": "--all"}, "get_recent_commits", "is not a branch, tag or commit name"),
        ({"ref": "main..HEAD"}, "search_commits", "is not a branch, tag or commit name"),
        ({"tag_pattern": "--sort=x"}, "get_deployments", "is not a tag pattern"),
        ({"tag_pattern": "../../*"}, "get_deployments", "is not a tag pattern"),
    ],
)
async def test_bad_settings_are_sentences(repo: Repo, settings: dict, tool: str, says: str):
    args = {"query": "pool"} if tool == "search_commits" else {}
    assert says in await error(server_for(repo, **settings), tool, **args)


@pytest.mark.parametrize(
    ("tool", "args", "says"),
    [
        ("get_recent_commits", {"limit": -1}, "limit=-1 is not allowed"),
        ("get_recent_commits", {"since": "last tuesday"}, "not a time I can read"),
        ("get_deployments", {"since": "now", "until": "now-1h"}, "swap them"),
        ("search_commits", {"query": "--output=/tmp/x"}, "looks like a command-line option"),
        ("search_commits", {"query": "../../etc/passwd", "field": "path"}, "leaves the repository"),
        ("search_commits", {"query": ":(top)x", "field": "path"}, "pathspec magic"),
        ("search_commits", {"query": "xyz1", "field": "hash"}, "send at least 4 hex digits"),
    ],
)
async def test_bad_arguments_get_a_sentence(repo: Repo, tool: str, args: dict, says: str):
    assert says in await error(server_for(repo), tool, **args)


async def test_a_broken_deployments_file_is_named(repo: Repo, tmp_path: Path):
    path = tmp_path / "deployments.json"
    path.write_text('{"deployments": [{"version": "x"}]}')
    text = await error(server_for(repo, deployments_file=path), "get_deployments")
    assert "deployment #1" in text and "deployed_at" in text


# --- configured through the environment, over stdio ------------------------------------------


async def test_the_environment_names_the_repository_and_its_tags(repo: Repo, monkeypatch: pytest.MonkeyPatch):
    repo.tag("release-7", at(140), on=repo.c4)
    monkeypatch.setenv("GIT_REPO", str(repo.path))
    monkeypatch.setenv("GIT_DEPLOY_TAG_PATTERN", "release-*")
    monkeypatch.delenv("GIT_DEPLOYMENTS_FILE", raising=False)
    monkeypatch.delenv("GIT_REF", raising=False)

    out = await call(build_server(), "get_deployments")
    assert [d["version"] for d in out["deployments"]] == ["release-7"]


async def test_the_entry_point_reads_a_repository_over_stdio(repo: Repo):
    params = StdioServerParameters(
        command=sys.executable, args=[str(ENTRY)], env={"GIT_REPO": str(repo.path), "HOME": str(repo.home)},
        cwd=str(REPO_ROOT),
    )
    async with mcp.Client(params) as client:
        commits = await client.call_tool("get_recent_commits", {"limit": 1})
        deployments = await client.call_tool("get_deployments", {"limit": 1})

    assert not commits.is_error and not deployments.is_error, (commits.content, deployments.content)
    assert commits.structured_content["commits"][0]["hash"] == repo.c5
    assert deployments.structured_content["deployments"][0]["version"] == "v1.1.1"
