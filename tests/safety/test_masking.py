"""Secrets are masked before anything reaches a model; what only looks like one passes untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety.masking import Masker, mask_data, mask_text
from tests.safety.corpus import LOOKALIKES, SECRETS


@pytest.mark.parametrize(("line", "secret"), SECRETS, ids=[s[0][:40] for s in SECRETS])
def test_a_secret_is_masked_and_says_what_it_was(line, secret):
    masker = Masker()
    out = masker.text(line)
    assert secret not in out
    assert "[MASKED:" in out
    assert masker.total >= 1


@pytest.mark.parametrize("line", LOOKALIKES)
def test_a_lookalike_survives(line):
    assert mask_text(line) == line


def test_the_words_around_a_secret_survive():
    out = mask_text("connect failed: postgres://checkout:Pa55w0rd!x@db.internal:5432/shop (pool 5/5)")
    assert out == "connect failed: postgres://checkout:[MASKED:url-password]@db.internal:5432/shop (pool 5/5)"


def test_masking_twice_changes_nothing_more():
    once = mask_text(" | ".join(line for line, _ in SECRETS))
    assert mask_text(once) == once


def test_values_under_secret_named_keys_go_whole_and_the_rest_stays():
    data = {
        "service": "checkout-api",
        "env": {"DB_PASSWORD": "tr0ub4dor", "PATH": "/usr/bin", "api_key": 12345, "auth_token": "expired"},
        "entries": [{"message": "password=hunter2horse", "hash": "3f786850e387550fdab836ed7e6dc881de23001b"}],
        "signatures": [{"signature": "Connection pool exhausted: <n>/<n> connections in use", "count": 122}],
        "max_tokens": 4096,
    }
    masker = Masker()
    out = masker.data(data)
    assert out["env"] == {"DB_PASSWORD": "[MASKED:secret]", "PATH": "/usr/bin", "api_key": "[MASKED:secret]",
                          "auth_token": "expired"}
    assert out["entries"] == [{"message": "password=[MASKED:secret]", "hash": data["entries"][0]["hash"]}]
    assert out["signatures"] == data["signatures"]
    assert out["service"] == "checkout-api" and out["max_tokens"] == 4096
    assert masker.counts == {"secret": 3}
    assert data["env"]["DB_PASSWORD"] == "tr0ub4dor"  # the caller's data is not changed in place


def test_mask_data_on_plain_values():
    assert mask_data(["token=abc123def456", 5, None]) == ["token=[MASKED:secret]", 5, None]


def test_camel_case_and_glued_keys_in_data_are_secrets_and_counts_are_not():
    data = {"clientSecret": "abcdef", "accessToken": "abcdefgh", "dbPassword": "hunter22",
            "credentials": {"user": "ops", "pass": "hunter22"}, "headers": {"Authorization": "Bearer abc"},
            "pwd": "/srv/app", "token_count": 10, "max_tokens": 4096, "tokens": 5, "token": 3, "secret_name": "db"}
    out = mask_data(data)
    for key in ("clientSecret", "accessToken", "dbPassword"):
        assert out[key] == "[MASKED:secret]", key
    assert out["credentials"] == {"user": "ops", "pass": "[MASKED:secret]"}
    assert "abc" not in str(out["headers"])
    kept = ("pwd", "token_count", "max_tokens", "tokens", "token", "secret_name")
    assert {k: out[k] for k in kept} == {k: data[k] for k in kept}


# Shapes that made the old rules backtrack quadratically (8 s for 6,000 dots): runs of key and
# token characters, prefixes that start a rule over and over, openings that never close.
ADVERSARIAL = {
    "dots": "." * 100_000,
    "dotted names": "com.example." * 8_400,
    "word runs": "a" * 100_000,
    "jwt starts": "eyJ-" * 25_000,
    "keys": "password=" * 11_000,
    "yaml keys": "key: " * 20_000,
    "url schemes": "a://b:" * 16_000,
    "pem openings": "-----BEGIN PRIVATE KEY-----" * 3_700,
    "bearer": "bearer " * 14_000,
    "unclosed quote": 'password="' + "x" * 100_000,
    "long keys": ("x" * 100 + "_password=hunter22 ") * 830,
}


def test_masking_a_100kb_adversarial_string_takes_well_under_a_second():
    """Run in a child process, so a regression costs a failed test and not a hung suite."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys, time\n"
        "from bot.safety.masking import mask_text\n"
        "from tests.safety.test_masking import ADVERSARIAL\n"
        "out = {}\n"
        "for name, s in ADVERSARIAL.items():\n"
        "    t = time.perf_counter(); mask_text(s); out[name] = time.perf_counter() - t\n"
        "print(json.dumps(out))\n"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    took = json.loads(proc.stdout)
    assert set(took) == set(ADVERSARIAL)
    slow = {name: round(s, 2) for name, s in took.items() if s > 1.0}  # linear rules take ~0.05 s here
    assert not slow, f"masking is not linear on: {slow}"


def test_long_secret_keys_are_still_matched_by_their_end():
    out = mask_text("x" * 100 + "_password=hunter22 and " + "spring.datasource.hikari.password=hunter23")
    assert "hunter22" not in out and "hunter23" not in out
