"""Secrets are masked before anything reaches a model; what only looks like one passes untouched."""

from __future__ import annotations

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
