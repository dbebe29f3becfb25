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
    # a quoted HTTP request line (nginx's `request: "GET /api/cart?id=7 HTTP/1.1"`) is per request
    (re.compile(r"\"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^\"]*\""), '"<request>"'),
    # a quoted URL keeps its scheme and host (the dependency), not its per-request path
    (re.compile(r"\"(https?://[^/\"\s]+)/[^\"\s]*\""), r'"\1/<path>"'),
    # quoted values that carry digits are ids ('ord_8812'); quoted words name things and stay
    (re.compile(r"'[^'\s]*\d[^'\s]*'|\"[^\"\s]*\d[^\"\s]*\""), "<str>"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?(?:ms|us|µs|ns|s|sec|secs|seconds|m|min|mins|minutes|h|hours)\b", re.I), "<dur>"),
)
# hex ids and hashes left after the joined-id rule: 8+ hex digits with at least one digit
_HEX_ID = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b", re.I)
# Kubernetes pod names: the workload's name stays, the replica-set hash and pod suffix go
# (orders-worker-7d9f8b6c5-x2k4q -> orders-worker-<pod>)
_POD = re.compile(r"\b([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)-([a-z0-9]{5,10})-([a-z0-9]{5})\b")
# dash- or underscore-joined words: each part that carries digits is an id (ord_UHF232,
# req-7f3a9c, 2c38d1f8-9819-669d); the words around them stay (checkout-api, orders_v2)
_JOINED = re.compile(r"\b[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\b")
_PLACEHOLDERS = re.compile(r"<(?:id|n|hex|uuid)>(?:[-_]?<(?:id|n|hex|uuid)>)+")
_NUMBER = re.compile(r"(?<![A-Za-z0-9<])\d+(?:\.\d+)?")
# letters then a few digits name things, not instances: x509, sha256, base64, http2, ipv4, HY000
_TERM = re.compile(r"[A-Za-z]{1,6}\d{1,4}")
_SPACES = re.compile(r"\s+")
_HEX = set("0123456789abcdefABCDEF")


def _pod(m: re.Match[str]) -> str:
    name, rs, suffix = m.groups()
    return f"{name}-<pod>" if any(ch.isdigit() for ch in rs + suffix) else m.group(0)


def _joined(m: re.Match[str]) -> str:
    parts = re.split(r"([-_])", m.group(0))
    words = parts[::2]
    several = len(words) > 1

    def is_id(w: str) -> bool:
        digits = sum(ch.isdigit() for ch in w)
        if not digits or w.isdigit() or len(w) < 4 or _TERM.fullmatch(w):
            return False
        # two digits and a letter make an id; so does a hex part of a multi-part id (…-669d)
        return digits >= 2 or (several and set(w) <= _HEX)

    parts[::2] = ["<id>" if is_id(w) else w for w in words]
    return "".join(parts)


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
    text = _POD.sub(_pod, message)
    for rx, repl in _FOLDS:
        text = rx.sub(repl, text)
    text = _JOINED.sub(_joined, text)
    text = _HEX_ID.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    text = _PLACEHOLDERS.sub("<id>", text)
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= MAX_SIGNATURE else text[: MAX_SIGNATURE - 1] + "…"


def headline(message: str) -> str:
    """What a multi-line entry is about: its first line, plus the last line of a traceback
    (`KeyError: 'currency'`), which names the failure better than the frame lines do."""
    lines = [ln for ln in message.splitlines() if ln.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return f"{lines[0]} | {lines[-1].strip()}"
