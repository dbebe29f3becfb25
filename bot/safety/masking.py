"""Secrets never reach a model (or a Slack thread): tokens, keys and passwords are masked first.

Only formats that are secrets by construction (a known prefix, a PEM block, a JWT's shape) or
by context (`password=`, `Authorization:`, `user:pass@` in a URL, a key named like a secret)
are masked. Entropy alone is not a reason: commit hashes, UUIDs, request ids, pod names,
versions and timestamps look random and are exactly what an investigation needs, so they pass.

A key is "named like a secret" by its words, whatever the casing: `dbPassword`, `DB_PASSWORD`,
`spring.datasource.password`, `PGPASSWORD`, `clientSecret`, `x-auth-token`, `REDIS_PASS` all are;
`token_count`, `max_tokens`, `secret_name`, `password_reset` are not (the name must *end* in the
secret word). JSON logs from Java, JS and Go are mostly camelCase, hence the normalising.

Every rule runs in time linear in the text: masking sees whatever a channel member types and
whatever a tool returns, and a pattern that backtracks quadratically would stall the event loop
(and with it every Slack acknowledgment). Runs of token characters are matched possessively
or from their first character only, and `key=value` pairs are found by a bounded scan with the
key checked in Python rather than by one regex that tries every prefix.

A masked value reads `[MASKED:<kind>]`, so the model knows something was there and what.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_PLACEHOLDER = "[MASKED:{}]"

# A key is a secret's name when, lowercased and without `_ . -`, it ends in one of these.
_SECRET_SUFFIXES = (
    "password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey",
    "secretkey", "secretkeybase", "credential", "credentials", "accountkey", "sastoken",
)
# ... or when its last word is exactly one of these (too short to match as a suffix: `bypass`, `cwd`).
_SECRET_LAST_WORDS = frozenset({"pass", "pwd"})
# Keys whose whole value is a credential in structured data (in text, a rule of its own handles them).
_HEADER_KEYS = frozenset({"authorization", "proxyauthorization", "cookie", "setcookie"})
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_TOKEN = r"[A-Za-z0-9_-]"  # the characters of a token; rules start only at the first of a run


def is_secret_key(key: str) -> bool:
    """`dbPassword`, `DB_PASSWORD`, `clientSecret`, `x-auth-token`, `REDIS_PASS`: yes.
    `token_count`, `max_tokens`, `secret_name`, `password_reset`, `bypass`: no."""
    key = key[-64:]
    flat = re.sub(r"[\s_.\-]", "", key).lower()
    if flat.endswith(_SECRET_SUFFIXES):
        return True
    words = _WORDS.findall(key)
    return bool(words) and words[-1].lower() in _SECRET_LAST_WORDS


# (kind, pattern, group to mask: 0 the whole match, -1 whichever group matched last, needles: the
# rule runs only when one of these is in the lowercased text, so most text costs a few substring
# checks). Order matters: whole structures first.
_RULES: list[tuple[str, re.Pattern[str], int, tuple[str, ...]]] = [
    (
        "private-key",
        # the body is base64, whitespace, literal \n and header lines; it stops at the END line
        # (or at anything else): one pass, no search for an END that may never come
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[A-Za-z0-9+/=\s\\:,.]|-(?!----))*+"
            r"(?:-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY(?: BLOCK)?-----)?"
        ),
        0,
        ("private key",),
    ),
    ("jwt", re.compile(rf"(?<!{_TOKEN})eyJ{_TOKEN}{{8,}}+\.eyJ{_TOKEN}{{8,}}+\.{_TOKEN}{{8,}}+"), 0, ("eyj",)),
    (
        "aws-access-key",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b"),
        0,
        ("akia", "asia", "abia", "acca", "agpa", "aida", "aroa", "aipa", "anpa", "anva", "apka"),
    ),
    ("slack-token", re.compile(r"(?<![A-Za-z0-9-])xox[abposre]-[A-Za-z0-9-]{10,}+"), 0, ("xox",)),
    ("slack-token", re.compile(r"(?<![A-Za-z0-9-])xapp-\d-[A-Za-z0-9-]{10,}+"), 0, ("xapp-",)),
    ("slack-webhook", re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]++"), 0, ("hooks.slack.com",)),
    ("discord-webhook", re.compile(r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_-]++"), 0, ("discord",)),
    ("github-token", re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{30,}+(?![A-Za-z0-9_])"), 0, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    ("github-token", re.compile(r"(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{30,}+"), 0, ("github_pat_",)),
    ("gitlab-token", re.compile(rf"(?<!{_TOKEN})glpat-{_TOKEN}{{20,}}+"), 0, ("glpat-",)),
    ("vault-token", re.compile(r"(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{20,}+"), 0, ("hvs.", "hvb.", "hvr.")),
    ("api-key", re.compile(rf"(?<!{_TOKEN})sk-(?:proj-|ant-)?{_TOKEN}{{20,}}+"), 0, ("sk-",)),
    ("api-key", re.compile(r"(?<![A-Za-z0-9_])[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}+(?![A-Za-z0-9_])"), 0, ("k_live_", "k_test_")),
    ("api-key", re.compile(rf"(?<!{_TOKEN})AIza[0-9A-Za-z_-]{{35}}(?!{_TOKEN})"), 0, ("aiza",)),
    ("api-key", re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])"), 0, ("npm_",)),
    ("api-key", re.compile(r"(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}+(?![A-Za-z0-9_])"), 0, ("hf_",)),  # Hugging Face
    ("api-key", re.compile(rf"(?<![A-Za-z0-9_.-])SG\.{_TOKEN}{{16,}}+\.{_TOKEN}{{16,}}+"), 0, ("sg.",)),  # SendGrid
    # Authorization: Bearer <token> / Basic <b64> / a bare token after the header. With a scheme
    # the credential after it is masked whatever its length ("Bearer abc" must not leave "abc").
    (
        "authorization",
        re.compile(
            r"(?i)\b(?:proxy-)?authorization\b[\"']?[ \t]{0,8}[:=][ \t]{0,8}[\"']?"
            r"(?:(?:bearer|basic|token|digest)[ \t]++([^\s\"',;]++)|(?!(?:bearer|basic|token|digest)\b)([^\s\"',;]{6,}+))"
        ),
        -1,
        ("authorization",),
    ),
    ("bearer-token", re.compile(r"(?i)\bbearer[ \t]++([A-Za-z0-9\-._~+/]{16,}+=*)"), 1, ("bearer",)),
    # Cookie: a=b; c=d (the whole header value: any of its pairs may be a session)
    ("cookie", re.compile(r"(?i)\b(?:set-)?cookie[\"']?[ \t]{0,8}:[ \t]{0,8}[\"']?([^\s\"'][^\"'\r\n]{3,}+)"), 1, ("cookie",)),
    # scheme://user:password@host
    (
        "url-password",
        re.compile(r"(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}://[^/\s:@\"']{0,256}:)([^@\s/\"']{1,256})(?=@)", re.I),
        2,
        ("://",),
    ),
    # a signed URL's signature (Azure SAS `sig=`, S3 and GCS presigned URLs)
    ("url-signature", re.compile(r"(?i)[?&](?:sig|x-amz-signature|x-goog-signature)=([^&\s\"'#]++)"), 1, ("sig=", "signature=")),
]
_AWS_SECRET = (
    "aws-secret-key", re.compile(r"(?i)aws.{0,24}?(?:secret|key).{0,6}?[=:][ \t]*[\"']?([A-Za-z0-9/+]{40})\b"), 1, ("aws",)
)

# key=value, key: value, "key": "value", ?key=value, --password=value. The key is a whole run of
# key characters (taken possessively, from the run's start only, so each character is read once);
# whether it names a secret is decided in Python (is_secret_key), on its last 64 characters.
_PAIR = re.compile(r"(?<![\w.\-])([\w.\-]++)[\"']?[ \t]{0,8}(?:=|:(?!//))[ \t]{0,8}")
_SECRETISH = ("pass", "pwd", "secret", "token", "key", "credential")  # none in the text: no pair to look at
_VALUE = re.compile(r"\"[^\"\n]{0,2000}\"|'[^'\n]{0,2000}'|[^\s\"',;&)}\]]++")


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
        low = text.lower()
        for kind, pattern, group, needles in _RULES:
            if _present(low, needles):
                text = pattern.sub(lambda m, k=kind, g=group: self._replace(m, k, g), text)
        if _present(low, _SECRETISH):
            text = self._pairs(text)
        kind, pattern, group, needles = _AWS_SECRET
        if _present(low, needles):
            text = pattern.sub(lambda m: self._replace(m, kind, group), text)
        return text

    def data(self, value: Any) -> Any:
        """Mask every string in a JSON-like value; a value under a secret-named key goes whole."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if isinstance(k, str) and _masks_whole(k, v):
                    self.counts["secret"] += 1
                    out[k] = _PLACEHOLDER.format("secret")
                else:
                    out[k] = self.data(v)
            return out
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    # -- the rules --------------------------------------------------------------------------------

    def _replace(self, m: re.Match[str], kind: str, group: int) -> str:
        if group == -1:
            group = m.lastindex or 0
        value = m.group(group)
        if _already_masked(value) or not value.strip("\"'"):
            return m.group(0)
        if kind in ("authorization", "cookie") and _harmless_value(value):
            return m.group(0)
        self.counts[kind] += 1
        if group == 0:
            return _PLACEHOLDER.format(kind)
        base = m.start(0)
        start, end = m.span(group)
        whole = m.group(0)
        return whole[: start - base] + _quoted(value, kind) + whole[end - base :]

    def _pairs(self, text: str) -> str:
        """`key=value` pairs whose key is named like a secret: one left-to-right pass."""
        out: list[str] = []
        pos = 0
        while True:
            m = _PAIR.search(text, pos)
            if m is None:
                break
            key = m.group(1)[-64:]
            v = _VALUE.match(text, m.end()) if is_secret_key(key) else None
            if v is None:
                out.append(text[pos : m.end()])
                pos = m.end()
                continue
            value = v.group(0)
            out.append(text[pos : v.start()])
            if _already_masked(value) or not value.strip("\"'") or _harmless_for(key, value):
                out.append(value)
            else:
                self.counts["secret"] += 1
                out.append(_quoted(value, "secret"))
            pos = v.end()
        out.append(text[pos:])
        return "".join(out)


def _present(low: str, needles: tuple[str, ...]) -> bool:
    return any(n in low for n in needles)


def _masks_whole(key: str, value: Any) -> bool:
    """A value in structured data masked whole because of its key."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return False
    flat = re.sub(r"[\s_.\-]", "", key).lower()
    if not (is_secret_key(key) or flat in _HEADER_KEYS):
        return False
    return not (isinstance(value, str) and _already_masked(value)) and not _harmless_for(key, str(value))


def _quoted(value: str, kind: str) -> str:
    quote = value[0] if value[:1] in "\"'" and value[-1:] == value[:1] and len(value) > 1 else ""
    return quote + _PLACEHOLDER.format(kind) + quote


def _already_masked(value: str) -> bool:
    return value.strip("\"'").startswith("[MASKED")


def _harmless_for(key: str, value: str) -> bool:
    """A value that is a word about a secret, not one. Small numbers are counts (`token: 3`,
    `credentials=2`), except after a password; a path after `pwd` is the working directory."""
    if _harmless_value(value):
        return True
    v = value.strip().strip("\"'")
    words = _WORDS.findall(key)
    last = words[-1].lower() if words else ""
    flat = re.sub(r"[\s_.\-]", "", key).lower()
    if last == "pwd" and re.match(r"(?:[/~.]|[A-Za-z]:\\)", v):
        return True
    passwordish = last in _SECRET_LAST_WORDS or flat.endswith(("password", "passwd", "passphrase"))
    return not passwordish and bool(re.fullmatch(r"\d{1,3}", v))


def _harmless_value(value: str) -> bool:
    """`token=expired`, `password: null`, `secret=<redacted>`: words about a secret, not one."""
    v = value.strip().strip("\"'").lower()
    return v in {
        "null", "none", "nil", "true", "false", "empty", "expired", "invalid", "missing", "required",
        "redacted", "<redacted>", "***", "****", "*****", "xxx", "changeme?", "unset", "n/a",
        "denied", "failed", "granted", "rejected", "ok", "refused", "forbidden", "unauthorized",
        "loaded", "present", "set", "configured", "found", "not", "valid", "revoked", "rotated",
    } or bool(re.fullmatch(r"\*+|x+|<[^>]*>|\$\{[^}]*\}?|\$[a-z_][a-z0-9_]*|\{\{[^}]*(?:\}\})?", v))


def mask_text(text: str) -> str:
    return Masker().text(text)


def mask_data(value: Any) -> Any:
    return Masker().data(value)
