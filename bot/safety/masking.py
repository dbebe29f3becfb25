"""Secrets never reach a model: tokens, keys and passwords are masked before anything is sent.

Only formats that are secrets by construction (a known prefix, a PEM block, a JWT's shape) or
by context (`password=`, `Authorization:`, `user:pass@` in a URL, a key named like a secret)
are masked. Entropy alone is not a reason: commit hashes, UUIDs, request ids, pod names,
versions and timestamps look random and are exactly what an investigation needs, so they pass.

A masked value reads `[MASKED:<kind>]`, so the model knows something was there and what.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_PLACEHOLDER = "[MASKED:{}]"

# Names whose value is a secret wherever they appear as `name=value`, `name: value` or a JSON key.
_SECRET_NAMES = (
    r"password|passwd|passphrase|pwd|secret|client_secret|secret_key|api_key|apikey|api-key|x-api-key"
    r"|access_token|refresh_token|auth_token|id_token|session_token|token|private_key|access_key_secret"
    r"|aws_secret_access_key|aws_session_token|db_password|database_password|credentials?"
    r"|accountkey|account_key|sharedaccesskey|shared_access_key|sas_token"
)
_SECRET_KEY = re.compile(rf"^(?:[\w.-]*[_.-])?(?:{_SECRET_NAMES})$", re.I)

# (kind, pattern, group to mask or 0 for the whole match). Order matters: whole structures first.
_RULES: list[tuple[str, re.Pattern[str], int]] = [
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\n]*)",
            re.S,
        ),
        0,
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"), 0),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b"), 0),
    ("slack-token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}"), 0),
    ("slack-token", re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,}"), 0),
    ("slack-webhook", re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+"), 0),
    ("github-token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}\b"), 0),
    ("github-token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"), 0),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}\b"), 0),
    ("api-key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"), 0),
    ("api-key", re.compile(r"\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}\b"), 0),
    ("api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), 0),
    ("api-key", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b"), 0),
    # Authorization: Bearer <token> / Basic <b64> / a bare token after the header
    (
        "authorization",
        re.compile(r"(?i)\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:bearer|basic|token|digest)\s+)?([^\s\"',;]{6,})"),
        1,
    ),
    ("bearer-token", re.compile(r"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{16,}=*)"), 1),
    # Cookie: a=b; c=d (the whole header value: any of its pairs may be a session)
    ("cookie", re.compile(r"(?i)\b(?:set-)?cookie[\"']?\s*:\s*[\"']?([^\s\"'][^\"'\r\n]{3,})"), 1),
    # scheme://user:password@host
    ("url-password", re.compile(r"\b([a-z][a-z0-9+.-]*://[^/\s:@\"']*:)([^@\s/\"']+)(?=@)", re.I), 2),
    # password=..., "password": "...", api_key: ..., ?access_token=...
    (
        "secret",
        re.compile(
            rf"(?i)(?<![\w-])(?:[\w.-]*[_.-])?(?:{_SECRET_NAMES})[\"']?\s*(?:=|:(?!//))\s*"
            r"(\"[^\"]*\"|'[^']*'|[^\s\"',;&)}\]]+)"
        ),
        1,
    ),
    ("aws-secret-key", re.compile(r"(?i)aws.{0,24}?(?:secret|key).{0,6}?[=:]\s*[\"']?([A-Za-z0-9/+]{40})\b"), 1),
]


class Masker:
    """Masks text and JSON-like data; counts what it masked, by kind, for the progress stream."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def text(self, text: str) -> str:
        if not text:
            return text
        for kind, pattern, group in _RULES:
            text = pattern.sub(lambda m, k=kind, g=group: self._replace(m, k, g), text)
        return text

    def data(self, value: Any) -> Any:
        """Mask every string in a JSON-like value; a value under a secret-named key goes whole."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(k, str) and _SECRET_KEY.match(k) and isinstance(v, str | int) and not isinstance(v, bool) and v != "":
                    if isinstance(v, str) and (v.startswith("[MASKED:") or _harmless_value(v)):
                        out[k] = v
                    else:
                        self.counts["secret"] += 1
                        out[k] = _PLACEHOLDER.format("secret")
                else:
                    out[k] = self.data(v)
            return out
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def _replace(self, m: re.Match[str], kind: str, group: int) -> str:
        value = m.group(group)
        if value.startswith("[MASKED:") or value.strip("\"'").startswith("[MASKED:") or not value.strip("\"'"):
            return m.group(0)
        if kind in ("secret", "authorization", "cookie") and _harmless_value(value):
            return m.group(0)
        self.counts[kind] += 1
        placeholder = _PLACEHOLDER.format(kind)
        if group == 0:
            return placeholder
        start, end = m.span(group)
        base = m.start(0)
        whole = m.group(0)
        quote = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else ""
        return whole[: start - base] + quote + placeholder + quote + whole[end - base :]


def _harmless_value(value: str) -> bool:
    """`token=expired`, `password: null`, `secret=<redacted>`: words about a secret, not one."""
    v = value.strip().strip("\"'").lower()
    return v in {
        "null", "none", "nil", "true", "false", "empty", "expired", "invalid", "missing", "required",
        "redacted", "<redacted>", "***", "****", "*****", "xxx", "changeme?", "unset", "n/a",
        "denied", "failed", "granted", "rejected", "ok", "refused", "forbidden", "unauthorized",
    } or bool(re.fullmatch(r"\*+|x+|<[^>]*>|\$\{[^}]*\}?|\$[a-z_][a-z0-9_]*|\{\{[^}]*(?:\}\})?", v))


def mask_text(text: str) -> str:
    return Masker().text(text)


def mask_data(value: Any) -> Any:
    return Masker().data(value)
