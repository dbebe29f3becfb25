"""Folding a log message into its signature: the same event with different numbers and ids.

`Connection pool exhausted: 20/20 connections in use, 37 waiting` and `... 20/20 ..., 41 waiting`
are one signature, `Connection pool exhausted: <n>/<n> connections in use, <n> waiting`, so an
analyst counts events instead of reading thousands of lines. What varies per request is folded
(numbers, ids, UUIDs, hashes, IPs, times, durations, quoted values that carry an id); what names
the failure is kept (exception names, hosts, paths, quoted words such as `KeyError: 'currency'`).
"""

from __future__ import annotations

import re

MAX_SIGNATURE = 240

_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I), "<uuid>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-f]+\b", re.I), "<hex>"),
    # hex ids and hashes: 8+ hex digits with at least one digit among them
    (re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I), "<hex>"),
    # quoted values that carry digits are ids ('ord_8812'); quoted words name things and stay
    (re.compile(r"'[^'\s]*\d[^'\s]*'|\"[^\"\s]*\d[^\"\s]*\""), "<str>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|sec|secs|seconds|m|min|mins|minutes|h|hours)\b", re.I), "<dur>"),
)
# tokens mixing letters and at least two digits are ids (ord_UHF232, req-7f3a9, pod-7d9f8b-x2k4q)
_ALNUM_ID = re.compile(r"\b[A-Za-z0-9][A-Za-z0-9_-]{4,}\b")
_NUMBER = re.compile(r"(?<![A-Za-z<])[-+]?\d+(?:\.\d+)?")
_SPACES = re.compile(r"\s+")


def _alnum_id(m: re.Match[str]) -> str:
    tok = m.group(0)
    digits = sum(ch.isdigit() for ch in tok)
    return "<id>" if digits >= 2 and any(ch.isalpha() for ch in tok) else tok


_DIGIT = re.compile(r"\d")
_CACHE: dict[str, str] = {}
_CACHE_MAX = 50_000


def fold(message: str) -> str:
    """The signature of one message, memoised.

    Every fold rule sees digits only as digits, so replacing each digit by 0 changes no
    signature: that shape is the memo key, and a log's repeated messages are folded once.
    """
    key = _DIGIT.sub("0", message)
    sig = _CACHE.get(key)
    if sig is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        sig = _CACHE[key] = _fold(message)
    return sig


def _fold(message: str) -> str:
    text = message
    for rx, repl in _FOLDS:
        text = rx.sub(repl, text)
    text = _ALNUM_ID.sub(_alnum_id, text)
    text = _NUMBER.sub("<n>", text)
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= MAX_SIGNATURE else text[: MAX_SIGNATURE - 1] + "…"


def headline(message: str) -> str:
    """What a multi-line entry is about: its first line, plus the last line of a traceback
    (`KeyError: 'currency'`), which names the failure better than the frame lines do."""
    lines = [ln for ln in message.splitlines() if ln.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return f"{lines[0]} | {lines[-1].strip()}"
