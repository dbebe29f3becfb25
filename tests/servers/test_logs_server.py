"""The logs MCP server, in-process and over stdio, on a directory of mixed log files."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import mcp
import pytest
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from rca_servers.logs import build_server, parallel

from tests.servers.calls import call, error

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
ONSET = START + timedelta(hours=2)  # errors begin here in every file


def z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def plain(t: datetime, level: str, comp: str, msg: str) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S} {level} [{comp}] {msg}\n"


def events(seed: int, minutes: int, every_s: int) -> list[tuple[datetime, str, str, str]]:
    """(time, level, component, message): steady traffic, a warning now and then, errors from ONSET."""
    rng = random.Random(seed)
    out = []
    t = START
    end = START + timedelta(minutes=minutes)
    while t < end:
        if t >= ONSET and rng.random() < 0.3:
            out.append((t, "ERROR", "db", f"Connection pool exhausted: 20/20 in use, {rng.randint(1, 60)} waiting"))
        elif rng.random() < 0.02:
            out.append((t, "WARN", "cache", f"slow cache read took {rng.randint(200, 900)}ms"))
        else:
            out.append((t, "INFO", "api", f"GET /api/items/{rng.randint(1, 9999)} 200 {rng.randint(5, 90)}ms"))
        t += timedelta(seconds=every_s)
    return out


@pytest.fixture(scope="module")
def logdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("logs")
    ev = events(1, 180, 2)
    rotated = [e for e in ev if e[0] < START + timedelta(hours=1)]
    live = [e for e in ev if e[0] >= START + timedelta(hours=1)]
    with gzip.open(d / "app.log.1.gz", "wt") as f:
        f.writelines(plain(*e) for e in rotated)
    lines = [plain(*e) for e in live]
    # a traceback in the middle of the live file
    tb_at = ONSET + timedelta(minutes=30, seconds=1)
    i = next(k for k, e in enumerate(live) if e[0] > tb_at)
    lines.insert(i, plain(tb_at, "ERROR", "checkout", "Unhandled exception in POST /checkout")
                 + 'Traceback (most recent call last):\n  File "app/checkout/views.py", line 88, in pay\n'
                 + "KeyError: 'currency'\n")  # fmt: skip
    (d / "app.log").write_text("".join(lines))
    with (d / "api.jsonl").open("w") as f:
        for t, level, _comp, msg in events(2, 180, 5):
            f.write(json.dumps({"ts": z(t), "level": level.lower(), "msg": msg, "service": "api-gw"}) + "\n")
    with (d / "worker.out").open("w") as f:
        for t, level, _comp, msg in events(3, 180, 7):
            f.write(f'time={z(t)} level={level.lower()} component=worker msg="{msg}"\n')
    (d / "nginx").mkdir()
    (d / "nginx" / "access.log").write_text("".join(plain(*e) for e in events(4, 60, 10)))
    (d / "notes.txt").write_text("this is not a log\njust notes\n")
    (d / "escape.log").symlink_to("/etc/passwd")
    return d


@pytest.fixture(scope="module")
def server(logdir: Path) -> Any:
    return build_server(logdir)


async def test_lists_every_file_with_its_format_and_span(server: Any) -> None:
    files = {f["name"]: f for f in (await call(server, "list_log_files"))["files"]}
    assert set(files) == {"app.log", "app.log.1.gz", "api.jsonl", "worker.out", "nginx/access.log", "notes.txt"}
    assert files["app.log"]["format"] == "plain" and not files["app.log"]["compressed"]
    assert files["app.log.1.gz"]["compressed"] and files["app.log.1.gz"]["format"] == "plain"
    assert files["api.jsonl"]["format"] == "json"
    assert files["worker.out"]["format"] == "logfmt"
    assert files["notes.txt"]["format"] == "unknown"
    assert files["app.log.1.gz"]["first_time"] == z(START)
    assert files["app.log.1.gz"]["last_time"] < files["app.log"]["first_time"]


async def test_tools_are_read_only_and_described(server: Any) -> None:
    async with mcp.Client(server) as c:
        tools = (await c.list_tools()).tools
    assert {t.name for t in tools} == {"list_log_files", "read_logs", "search_logs", "summarize_errors"}
    for t in tools:
        assert t.annotations.read_only_hint is True
        assert t.description
        for name, prop in t.input_schema.get("properties", {}).items():
            assert prop.get("description"), f"{t.name}.{name} has no description"


async def test_search_finds_the_pattern_in_every_format(server: Any) -> None:
    out = await call(server, "search_logs", pattern="pool exhausted", file="*", limit=500, until=z(ONSET + timedelta(minutes=2)))
    by_file = {m["file"] for m in out["matches"]}
    assert by_file == {"app.log", "api.jsonl", "worker.out"}
    times = [m["time"] for m in out["matches"]]
    assert times == sorted(times) and times[0] >= z(ONSET)
    assert all(m["level"] == "ERROR" for m in out["matches"])
    assert "notes.txt" in out["note"]  # said, not silently skipped


async def test_search_window_matches_brute_force(server: Any) -> None:
    ev = events(1, 180, 2)
    since, until = ONSET + timedelta(minutes=13, seconds=7), ONSET + timedelta(minutes=19, seconds=55)
    want = [e for e in ev if since <= e[0] <= until and "exhausted" in e[3]]
    out = await call(server, "search_logs", pattern="exhausted", file="app.log", since=z(since), until=z(until), limit=500)
    assert [m["time"] for m in out["matches"]] == [z(e[0]) for e in want]
    assert out["window"]["since"] == z(since) and not out["truncated"]


async def test_search_level_filter_and_limit(server: Any) -> None:
    out = await call(server, "search_logs", pattern="ms", file="app.log", level="WARN", limit=5)
    assert out["count"] == 5 and out["truncated"]
    assert all(m["level"] in ("WARN", "ERROR", "FATAL") for m in out["matches"])
    capped = await call(server, "search_logs", pattern="GET", file="app.log", limit=100000)
    assert capped["count"] == 500 and capped["truncated"]


async def test_search_relative_window_counts_back_from_the_end_of_the_data(server: Any) -> None:
    out = await call(server, "search_logs", pattern="GET", file="app.log", since="now-10m", limit=500)
    assert out["window"]["since"] == z(START + timedelta(minutes=180) - timedelta(seconds=2) - timedelta(minutes=10))
    assert all(m["time"] >= out["window"]["since"] for m in out["matches"])


async def test_a_match_inside_a_traceback_returns_its_entry(server: Any) -> None:
    out = await call(server, "search_logs", pattern=r"KeyError: 'currency'", file="app.log")
    assert out["count"] == 1
    m = out["matches"][0]
    assert m["level"] == "ERROR" and m["component"] == "checkout"
    assert m["message"].startswith("Unhandled exception in POST /checkout\nTraceback")
    assert m["message"].endswith("KeyError: 'currency'")


async def test_search_in_rotated_and_globbed_files(server: Any) -> None:
    out = await call(server, "search_logs", pattern="slow cache", file="app.log*", limit=500)
    assert {m["file"] for m in out["matches"]} == {"app.log", "app.log.1.gz"}
    nested = await call(server, "search_logs", pattern="GET", file="nginx/*", limit=3)
    assert {m["file"] for m in nested["matches"]} == {"nginx/access.log"}


async def test_default_file_falls_back_to_all_files_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "service.jsonl").write_text(
        json.dumps({"ts": z(START), "level": "error", "msg": "payment gateway timeout"}) + "\n"
    )
    out = await call(build_server(tmp_path), "search_logs", pattern="gateway")
    assert out["count"] == 1 and "no app.log" in out["note"]


async def test_read_pages_forward_without_gaps_or_repeats(server: Any) -> None:
    since, until = ONSET - timedelta(minutes=3), ONSET + timedelta(minutes=4)
    want = [z(e[0]) for e in events(1, 180, 2) if since <= e[0] <= until]
    got, cursor = [], None
    for _ in range(50):
        args = {"file": "app.log", "limit": 37} | ({"cursor": cursor} if cursor else {"since": z(since), "until": z(until)})
        page = await call(server, "read_logs", **args)
        got += [e["time"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == want


async def test_tail_reads_the_latest_entries_and_pages_back(server: Any) -> None:
    ev = events(1, 180, 2)
    first = await call(server, "read_logs", file="app.log", tail=True, limit=10)
    assert [e["time"] for e in first["entries"]] == [z(e[0]) for e in ev[-10:]]
    second = await call(server, "read_logs", file="app.log", cursor=first["next_cursor"], limit=10)
    assert [e["time"] for e in second["entries"]] == [z(e[0]) for e in ev[-20:-10]]


async def test_tail_of_a_compressed_file(server: Any) -> None:
    rotated = [e for e in events(1, 180, 2) if e[0] < START + timedelta(hours=1)]
    out = await call(server, "read_logs", file="app.log.1.gz", tail=True, limit=5)
    assert [e["time"] for e in out["entries"]] == [z(e[0]) for e in rotated[-5:]]
    assert out["truncated"]


async def test_summary_folds_signatures_and_counts_per_minute(server: Any) -> None:
    out = await call(server, "summarize_errors", file="app.log*", limit=10)
    ev = events(1, 180, 2)
    assert out["total_lines"] == len(ev) + 1  # + the traceback entry
    assert sum(v[1] for v in out["volume"]) == out["total_lines"]
    top = out["signatures"][0]
    assert top["signature"] == "Connection pool exhausted: <n>/<n> in use, <n> waiting"
    assert top["count"] == sum(1 for e in ev if "exhausted" in e[3])
    assert top["first_seen"] >= z(ONSET) and sum(c for _, c in top["per_minute"]) == top["count"]
    assert top["files"] == ["app.log"]
    everything = await call(server, "summarize_errors", file="*")
    assert [u.split(" ")[0] for u in everything["unreadable"]] == ["notes.txt"] and "notes.txt" in everything["note"]
    errors = await call(server, "summarize_errors", file="app.log", min_level="ERROR")
    assert all(s["level"] in ("ERROR", "FATAL") for s in errors["signatures"])
    assert any("KeyError: 'currency'" in s["signature"] for s in errors["signatures"])
    # every level when asked: a load balancer's ordinary lines are signatures too
    info = await call(server, "summarize_errors", file="app.log", min_level="INFO", limit=100)
    assert any(s["level"] == "INFO" for s in info["signatures"])
    assert {s["signature"] for s in errors["signatures"]} <= {s["signature"] for s in info["signatures"]}


@pytest.mark.parametrize(
    "tool, args, words",
    [
        ("read_logs", {"file": "../../etc/passwd"}, "leaves the data directory"),
        ("read_logs", {"file": "/etc/passwd"}, "absolute"),
        ("read_logs", {"file": "escape.log"}, "outside the data directory"),
        ("read_logs", {"file": "app\x00.log"}, "NUL"),
        ("read_logs", {"file": "--help"}, "option"),
        ("read_logs", {"file": "missing.log"}, "does not exist"),
        ("read_logs", {"file": "*.log"}, "one file"),
        ("read_logs", {"file": "notes.txt"}, "not in a log format"),
        ("read_logs", {"file": "app.log", "cursor": "bm9wZQ"}, "cursor is not one"),
        ("read_logs", {"file": "app.log", "limit": -1}, "between 1 and"),
        ("search_logs", {"pattern": "(unclosed"}, "not a valid regular expression"),
        ("search_logs", {"pattern": ""}, "empty"),
        ("search_logs", {"pattern": "x", "file": "../*"}, "leaves the data directory"),
        ("search_logs", {"pattern": "x", "since": "yesterday-ish"}, "not a time"),
        ("search_logs", {"pattern": "x", "since": "now", "until": "now-1h"}, "swap them"),
        ("search_logs", {"pattern": "x", "level": "LOUD"}, "not a log level"),
        ("search_logs", {"pattern": "x", "file": "*.nothing"}, "no log file matches"),
        ("summarize_errors", {"min_level": "sometimes"}, "not a log level"),
        ("summarize_errors", {"limit": 0}, "between 1 and"),
    ],
)  # fmt: skip
async def test_bad_arguments_are_refused_with_a_reason(server: Any, tool: str, args: dict, words: str) -> None:
    text = await error(server, tool, **args)
    assert words in text
    assert "Traceback" not in text


async def test_cursor_of_one_file_is_refused_for_another(server: Any) -> None:
    page = await call(server, "read_logs", file="app.log", limit=1)
    text = await error(server, "read_logs", file="worker.out", cursor=page["next_cursor"])
    assert "belongs to 'app.log'" in text


async def test_a_missing_directory_is_an_error_not_a_crash(tmp_path: Path) -> None:
    text = await error(build_server(tmp_path / "nope"), "list_log_files")
    assert "LOGS_DIR" in text


# ---------------------------------------------------------------- bisection and parallel scans


@pytest.fixture(scope="module")
def bigish(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[datetime]]:
    """~3 MB, irregular gaps, continuation lines: bisection has to work for a living."""
    rng = random.Random(7)
    d = tmp_path_factory.mktemp("bigish")
    t, times, parts = START, [], []
    for i in range(40000):
        t += timedelta(seconds=rng.choice([0, 0, 1, 1, 2, 5, 30]))
        times.append(t)
        needle = "NEEDLE" if i % 97 == 0 else "hay"
        parts.append(plain(t, "INFO", "x", f"{needle} {i} " + "pad" * rng.randint(0, 20)))
        if i % 500 == 0:
            parts.append("  continuation line without a time\n")
    (d / "big.log").write_text("".join(parts))
    return d, times


async def test_windowed_search_agrees_with_brute_force(bigish: tuple[Path, list[datetime]]) -> None:
    d, times = bigish
    server = build_server(d)
    rng = random.Random(3)
    for _ in range(12):
        a, b = sorted(rng.sample(range(len(times)), 2))
        since, until = times[a], times[b]
        want = [i for i, t in enumerate(times) if i % 97 == 0 and since <= t <= until]
        out = await call(server, "search_logs", pattern="needle", file="big.log", since=z(since), until=z(until), limit=500)
        got = [int(m["message"].split()[1]) for m in out["matches"]]
        assert got == want[:500]


async def test_parallel_scan_gives_the_same_answer(bigish: tuple[Path, list[datetime]], monkeypatch) -> None:
    d, _ = bigish
    server = build_server(d)
    before = await call(server, "search_logs", pattern="needle", file="big.log", limit=500)
    summary_before = await call(server, "summarize_errors", file="big.log", min_level="INFO", limit=5)
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1 << 16)
    monkeypatch.setattr(parallel, "CHUNK", 1 << 18)
    monkeypatch.setenv("LOGS_SCAN_WORKERS", "2")
    fresh = build_server(d)  # no cached summary
    after = await call(fresh, "search_logs", pattern="needle", file="big.log", limit=500)
    summary_after = await call(fresh, "summarize_errors", file="big.log", min_level="INFO", limit=5)
    assert parallel._pool is not None  # the worker processes did the scanning
    assert after == before
    assert summary_after["total_lines"] == summary_before["total_lines"] == 40000
    assert summary_after["volume"] == summary_before["volume"]
    assert summary_after["signatures"] == summary_before["signatures"]


# ---------------------------------------------------------------- over stdio


async def test_over_stdio(logdir: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=[str(REPO / "mcp-servers" / "logs-server" / "server.py")],
        env={"LOGS_DIR": str(logdir), "PATH": os.environ.get("PATH", "")},
    )
    async with mcp.Client(stdio_client(params)) as c:
        tools = {t.name for t in (await c.list_tools()).tools}
        r = await c.call_tool("search_logs", {"pattern": "pool exhausted", "file": "worker.out", "limit": 2})
    assert tools == {"list_log_files", "read_logs", "search_logs", "summarize_errors"}
    assert not r.is_error and r.structured_content["count"] == 2


async def test_level_filtered_search_still_finds_matches_inside_tracebacks(server: Any) -> None:
    out = await call(server, "search_logs", pattern="KeyError", file="app.log", level="ERROR")
    assert out["count"] == 1 and out["matches"][0]["component"] == "checkout"
    none = await call(server, "search_logs", pattern="KeyError", file="app.log", level="FATAL")
    assert none["count"] == 0


@pytest.mark.parametrize("hours", [(0, 3), (1.5, 2.25), (2.02, 2.03)])
def test_fast_plain_summary_equals_the_line_by_line_one(logdir: Path, hours: tuple[float, float]) -> None:
    from rca_servers.logs import scan
    from rca_servers.logs.files import Catalog

    f = Catalog(logdir).get("app.log")
    assert f.sniffed.simple_plain and f.sniffed.ts_width == 19
    since, until = START + timedelta(hours=hours[0]), START + timedelta(hours=hours[1])
    with scan.open_binary(f.path, False) as fh:
        a = scan.offset_of_time(fh, f.size, since, "plain")
        b = scan.offset_of_time(fh, f.size, until + timedelta(seconds=1), "plain")
    results = []
    for width in (f.sniffed.ts_width, 0):
        q = scan.SummaryQuery("plain", since, until, scan.WARN_RANK, 60, None, width)
        results.append(scan.merge([scan.summarize_range(f.path, False, f.name, a, b, q)]))
    fast, slow = results
    assert fast["lines"] == slow["lines"] > 0
    assert fast["volume"] == slow["volume"]
    assert fast["sigs"] == slow["sigs"]
    assert (fast["first"], fast["last"]) == (slow["first"], slow["last"])


async def test_one_bad_file_never_takes_the_others_down(tmp_path: Path) -> None:
    ev = events(5, 60, 10)
    whole = gzip.compress("".join(plain(*e) for e in ev).encode())
    (tmp_path / "app.log.1.gz").write_bytes(whole[: len(whole) // 2])  # rotation cut short
    (tmp_path / "app.log").write_text("")  # just rotated
    (tmp_path / "-rf.log").write_text(plain(START, "ERROR", "x", "a file with an option-like name"))
    (tmp_path / "worker.log").write_text("".join(plain(*e) for e in ev))
    (tmp_path / "current.log").symlink_to("worker.log")  # served once, under the file's own name
    server = build_server(tmp_path)
    listed = {f["name"]: f for f in (await call(server, "list_log_files"))["files"]}
    assert set(listed) == {"app.log", "app.log.1.gz", "-rf.log", "worker.log"}
    assert "truncated" in listed["app.log.1.gz"]["note"] and listed["app.log.1.gz"]["last_time"] is not None
    assert listed["app.log"]["format"] == "empty"
    summary = await call(server, "summarize_errors")
    assert summary["total_lines"] > len(ev)  # worker.log in full, the truncated file as far as it goes
    found = await call(server, "search_logs", pattern="slow cache read", limit=500)  # default file: app.log, empty
    assert "every log file was searched" in found["note"]
    assert {m["file"] for m in found["matches"]} <= {"worker.log", "app.log.1.gz", "-rf.log"}
    assert sum(m["file"] == "worker.log" for m in found["matches"]) == sum("slow cache" in e[3] for e in ev)
    assert "option" in await error(server, "read_logs", file="-rf.log")


async def test_a_log_out_of_time_order_is_read_whole(tmp_path: Path) -> None:
    ev = events(6, 60, 5)
    (tmp_path / "reverse.log").write_text("".join(plain(*e) for e in reversed(ev)))
    server = build_server(tmp_path)
    [listed] = (await call(server, "list_log_files"))["files"]
    assert "not in time order" in listed["note"]
    since, until = START + timedelta(minutes=20), START + timedelta(minutes=21)
    out = await call(server, "search_logs", pattern="GET", file="reverse.log", since=z(since), until=z(until), limit=500)
    assert sorted(m["time"] for m in out["matches"]) == [z(e[0]) for e in ev if since <= e[0] <= until and "GET" in e[3]]


async def test_messages_that_do_not_fold_cannot_make_the_summary_grow(tmp_path: Path, monkeypatch) -> None:
    from rca_servers.logs import scan

    monkeypatch.setattr(scan, "MAX_SIGNATURES", 200)
    rng = random.Random(9)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    lines = []
    for i in range(6000):
        t = START + timedelta(seconds=i)
        if i % 3 == 0:
            lines.append(plain(t, "ERROR", "db", "Connection pool exhausted: 20/20 in use"))
        else:
            lines.append(plain(t, "WARN", "x", " ".join(rng.choice(words) for _ in range(6))))
    (tmp_path / "app.log").write_text("".join(lines))
    out = await call(build_server(tmp_path), "summarize_errors", limit=5)
    assert out["signatures"][0]["count"] == 2000  # the frequent one survives every pruning, counted whole
    assert out["rare_signatures_dropped"]["signatures"] > 0 and "too many to keep" in out["note"]
    assert out["total_lines"] == 6000


def test_escaped_patterns_are_searched_as_the_literal_they_are() -> None:
    from rca_servers.logs.scan import _as_literal

    assert _as_literal(re.escape("timeout acquiring connection from pool 'primary'")) == (
        "timeout acquiring connection from pool 'primary'"
    )
    assert _as_literal(r"a\.b") == "a.b"
    for regex in (r"\d+", "a|b", "a.b", "end\\"):
        assert _as_literal(regex) is None


async def test_an_escaped_pattern_finds_what_the_regex_finds(server: Any) -> None:
    escaped = await call(server, "search_logs", pattern=re.escape("in use, 4 waiting"), file="app.log", limit=500)
    assert escaped["count"] > 0
    assert all("in use, 4 waiting" in m["message"] for m in escaped["matches"])
