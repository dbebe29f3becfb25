"""Failure mechanisms an SRE recognises from error signatures and moving metrics.

Each mechanism knows what its log lines look like, which metrics move with it, what kind of
change would cause it (the vocabulary matched against commit messages and paths), whether it is
usually outside our control, and what to do about it. Signatures are matched on their folded
text, so the patterns name failure modes, never one service's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mechanism:
    key: str
    label: str  # names the mechanism in plain words; goes into the root cause
    patterns: tuple[str, ...]
    metrics: dict[str, str] = field(default_factory=dict)  # metric -> direction that supports it
    change_words: tuple[str, ...] = ()  # what a commit that causes it tends to mention or touch
    external: bool = False  # usually not a change of ours (a dependency, traffic, infrastructure)
    # how specific its signatures are: 'specific' names a resource or failure mode (pool, heap, DNS);
    # 'broad' names a kind of failure (an exception, a dependency call); 'generic' only says slow
    tier: str = "specific"
    # how often a change of ours sets it off: 'often' (code, config, pool sizes), 'sometimes'
    # (disk, capacity), 'rarely' (a dependency, DNS, a certificate); sets how much a deploy must
    # explain before it is named
    caused_by_change: str = "often"
    explain: str = ""  # how it hurts users, appended to the description
    fixes_if_change: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()

    def matcher(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.I)


MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "db_pool",
        "database connection pool exhaustion",
        (
            r"(?<!worker )(?<!thread )(?<!process )pool (?:is )?exhausted",
            r"connection pool",
            r"(?:acquir\w*|obtain\w*|get(?:ting)?|checkout) (?:a )?(?:database |db )?connection",
            r"too many (?:client|database )?connections",
            r"remaining connection slots",
            r"pool (?:wait|queue|timeout)",
            r"queuepool limit",
            r"hikari\w*.*(?:timeout|not available)",
            r"connection is not available",
        ),
        {"response_time_ms": "up", "error_rate": "up"},
        ("pool", "connection", "connections", "database", "db", "datasource", "max_connections", "pool_size",
         "maxpoolsize", "hikari", "pgbouncer", "sqlalchemy"),
        explain="requests wait for a free database connection, time out and fail",
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}) to restore the previous pool settings; confirm the error rate falls.",
            "Size the pool from measured peak concurrency (and the database's max_connections), not cost alone; load-test pool changes before release.",
        ),
        fixes=(
            "Find what holds connections: slow queries, leaked sessions, long transactions; cap statement time.",
            "Raise the pool size or add read replicas / PgBouncer if the database has headroom.",
        ),
    ),
    Mechanism(
        "memory",
        "memory exhaustion (a leak or unbounded growth) leading to out-of-memory kills",
        (
            r"out of memory",
            r"\boom\b",
            r"oomkill",
            r"memoryerror",
            r"cannot allocate memory",
            r"heap (?:space|out|limit|exhausted)",
            r"gc overhead",
            r"memory (?:usage )?(?:high|limit|pressure|exceeded)",
            r"sigkill",
            r"exit code 137",
            r"allocation failed",
        ),
        {"memory_usage": "up"},
        ("cache", "caching", "memory", "session", "sessions", "buffer", "leak", "heap", "store", "in-process",
         "unbounded", "lru", "ttl", "retain", "global", "memo", "pool"),
        explain="processes grow until they are killed and restarted, dropping in-flight requests",
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}); memory should stop climbing right after.",
            "Bound the new cache (size limit / TTL) or move it out of process (e.g. Redis) before re-shipping.",
        ),
        fixes=(
            "Take a heap profile of a growing worker to find what accumulates.",
            "Restart workers on a memory threshold (max-requests / memory limit) as a stopgap.",
        ),
    ),
    Mechanism(
        "db_lock",
        "database lock contention (a long-running migration or transaction blocking queries)",
        (
            r"lock (?:wait )?timeout",
            r"deadlock",
            r"waiting for (?:a )?lock",
            r"canceling statement",
            r"statement_timeout",
            r"statement timeout",
            r"lock wait",
            r"could not obtain lock",
            r"relation \S+ is locked",
            r"table (?:is )?locked",
            r"(?:holding|held|blocked by|waiting on) (?:\w+ ){0,2}locks?\b",
            r"long[- ]running (?:transaction|query|statement)",
            r"transaction (?:has been )?open for",
            r"lock contention",
        ),
        {"response_time_ms": "up", "error_rate": "up"},
        ("migration", "migrations", "migrate", "alter", "column", "index", "schema", "backfill", "lock",
         "not null", "default", "ddl", "table", "transaction", "transactions", "batch", "bulk", "job", "jobs",
         "cron", "isolation"),
        explain="queries on the locked table wait, exceed their timeouts and fail",
        fixes_if_change=(
            "Stop or finish the migration from {ref} ({commit}); if it is still running, cancel the blocking statement.",
            "Ship schema changes in lock-friendly steps (add nullable column, backfill in batches, then constrain) and set lock_timeout on migrations.",
        ),
        fixes=(
            "Find the blocking session (pg_locks / SHOW PROCESSLIST) and end it.",
            "Set lock_timeout on migrations and long jobs so they fail instead of blocking traffic.",
        ),
    ),
    Mechanism(
        "disk",
        "disk space exhaustion (writes failing with no space left on device)",
        (r"no space left", r"enospc", r"disk (?:is )?full", r"disk quota", r"read-only file ?system",
         r"out of (?:disk|inodes)", r"inode", r"filesystem (?:is )?full", r"insufficient (?:disk|storage)",
         r"disk (?:usage|space|utili[sz]ation)", r"(?:volume|filesystem|partition) (?:usage|space)"),
        {},
        ("log", "logs", "logging", "retention", "rotation", "rotate", "volume", "disk", "storage", "tmp",
         "temp", "backup", "dump", "verbose", "debug"),
        external=True,
        caused_by_change="sometimes",
        explain="writes fail, so requests that need to persist anything error out",
        fixes_if_change=("Roll back {ref} ({commit}) and free space on the affected volume.",),
        fixes=(
            "Free space now: rotate/compress logs, remove old temp files or dumps, or grow the volume.",
            "Alert on disk usage (e.g. >80%) and on its rate of growth; set log retention.",
        ),
    ),
    Mechanism(
        "tls",
        "TLS certificate failure (an expired or invalid certificate)",
        (r"certificate", r"\bx509\b", r"\bssl\b", r"\btls\b", r"tls handshake", r"cert(?:ificate)? (?:has )?expired",
         r"expired cert", r"unable to get local issuer", r"handshake fail", r"pkix path", r"self[- ]signed"),
        {"error_rate": "up"},
        ("cert", "certificate", "tls", "ssl", "ca", "truststore", "keystore"),
        external=True,
        caused_by_change="rarely",
        explain="connections fail during the handshake",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous TLS settings.",),
        fixes=("Renew or replace the certificate and reload the services that use it.",
               "Monitor certificate expiry (alert 30 and 7 days ahead)."),
    ),
    Mechanism(
        "dns",
        "DNS resolution failure",
        (r"\bdns\b", r"name resolution", r"nxdomain", r"getaddrinfo", r"no such host", r"could not resolve",
         r"unknown ?host", r"name or service not known", r"servfail", r"eai_again", r"temporary failure in name",
         r"lookup \S+ on \S+:53", r"resolv(?:e|er|ing) (?:failed|error|timed? ?out)"),
        {"error_rate": "up"},
        ("dns", "resolver", "resolv", "hostname", "host", "endpoint", "url"),
        external=True,
        caused_by_change="rarely",
        explain="calls cannot find the hosts they connect to",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous host names / resolver settings.",),
        fixes=("Check the resolver and the records involved; fail over to a secondary resolver.",
               "Cache resolutions and alert on resolution failures."),
    ),
    Mechanism(
        "capacity",
        "capacity saturation under a traffic surge (request queues and worker pools full)",
        (r"queue (?:is )?full", r"saturat", r"rejecting (?:new )?(?:requests?|connections?)", r"too many requests",
         r"backpressure", r"shedding", r"rate limit(?:ed| exceeded)",
         r"worker(?:s| pool)? (?:busy|exhausted|saturated)", r"thread pool", r"all workers busy",
         r"timed out in queue", r"request queue", r"load shed", r"overload", r"throttl"),
        {"request_rate": "up", "cpu_usage": "up", "response_time_ms": "up"},
        ("worker", "workers", "thread", "threads", "concurrency", "replicas", "autoscal", "hpa", "scale",
         "rate limit", "ratelimit", "queue", "capacity", "limits"),
        external=True,
        caused_by_change="sometimes",
        explain="more requests arrive than the service can process, so they queue, time out or are rejected",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous capacity settings.",),
        fixes=(
            "Scale out now (more replicas / workers) and check the autoscaler's limits.",
            "Find where the extra traffic comes from (a campaign, a client retry storm, a bot) and rate-limit it.",
            "Load-shed or queue non-critical work so critical paths (checkout) keep capacity.",
        ),
    ),
    Mechanism(
        "upstream",
        "an external dependency failing (upstream timeouts and gateway errors)",
        (r"upstream", r"gateway time-?out", r"bad gateway", r"circuit(?: breaker)?.{0,20}open", r"\bopen circuit",
         r"service unavailable", r"provider", r"third[- ]party", r"\bvendor\b",
         r"https?://", r"(?:->|returned|status|responded(?: with)?)\s*5\d\d\b",
         r"connection refused", r"connect(?:ion)? timed out", r"reset by peer", r"econnreset", r"econnrefused",
         r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\.(?:com|net|io|org|example|cloud|dev)\b"),
        {"error_rate": "up", "response_time_ms": "up"},
        ("client", "sdk", "timeout", "timeouts", "retry", "retries", "endpoint", "url", "http", "integration",
         "api", "breaker", "upstream", "gateway"),
        external=True,
        tier="broad",
        caused_by_change="rarely",
        explain="calls to it time out or fail, and the requests that depend on them fail with it",
        fixes_if_change=(
            "Roll back {ref} ({commit}) to restore the previous client settings.",
        ),
        fixes=(
            "Confirm with the provider (status page, support) and follow their incident.",
            "Fail fast while it is down: tight timeouts and an open circuit breaker, with a clear message to users or a queued retry.",
            "Consider a fallback provider or degraded mode for this dependency.",
        ),
    ),
    Mechanism(
        "code_error",
        "an application error in new code (an unhandled exception on a request path)",
        (r"traceback", r"exception", r"typeerror", r"keyerror", r"attributeerror", r"valueerror",
         r"indexerror", r"nullpointer", r"nonetype", r"undefined (?:is not|method)", r"panic:",
         r"segmentation fault", r"unhandled", r"stack ?trace", r"runtimeerror", r"assertion",
         r"zerodivision", r"nil pointer", r"is not a function", r"cannot read propert"),
        {"error_rate": "up"},
        (),  # relevance comes from the files the traceback names and the words it shares with commits
        tier="broad",
        explain="the affected requests fail with an unhandled exception",
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}); the exception should stop at once.",
            "Add a test that covers the failing input before re-shipping the change.",
        ),
        fixes=("Fix the failing code path; add a regression test for the input that breaks it.",),
    ),
    Mechanism(
        "timeout",
        "requests timing out",
        (r"timed? ?out", r"timeout", r"deadline exceeded", r"took \d+ ?ms"),
        {"response_time_ms": "up"},
        ("timeout", "timeouts", "deadline", "retry", "retries", "client"),
        tier="generic",
        explain="requests exceed their time limits and fail",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous timeout settings.",),
        fixes=("Find the slow dependency or query behind the timeouts (traces, slow-query log).",),
    ),
    Mechanism(
        "cpu",
        "CPU saturation (requests slowed by compute-bound work)",
        (r"\bcpu\b", r"throttl", r"event loop (?:blocked|lag)", r"slow (?:query|request)", r"n\+1"),
        {"cpu_usage": "up", "response_time_ms": "up"},
        ("regex", "loop", "query", "queries", "n+1", "serializ", "render", "compute", "algorithm", "sort",
         "index", "cache", "eager", "prefetch", "orm", "select_related"),
        explain="compute-bound work slows every request on the busy instances",
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}); CPU and latency should drop back.",
            "Profile the changed code path before re-shipping (a CPU profile under production-like load).",
        ),
        fixes=("Profile the hot path (py-spy / pprof) and scale out meanwhile.",),
    ),
    Mechanism(
        "auth",
        "authentication / authorization failures (credentials rejected)",
        (r"\b401\b", r"\b403\b", r"unauthori[sz]ed", r"forbidden", r"permission denied", r"invalid (?:api )?(?:key|token|credentials)",
         r"token (?:has )?expired", r"access denied", r"signature (?:does not match|mismatch)"),
        {"error_rate": "up"},
        ("auth", "token", "credential", "credentials", "secret", "key", "iam", "role", "permission", "oauth"),
        explain="calls are rejected for bad or expired credentials",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous credentials / permissions.",),
        fixes=("Rotate or restore the credential and check its expiry and scope.",),
    ),
)

BY_KEY = {m.key: m for m in MECHANISMS}

# Lines that only restate the impact (an access log's 500, a generic 'request failed'): they tell
# when users were hurt, not why.
_METHOD = r"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)"
SYMPTOM = re.compile(
    rf"^{_METHOD} \S+ (?:<n>|\d{{3}}\b)"
    r"|\b(?:returned|returning|responded with|status(?: code)?)\s*(?:<n>|5\d\d\b)"
    r"|\b(?:request|handler|call) failed\b",
    re.I,
)
_ACCESS_LOG = re.compile(rf"^{_METHOD} /\S* (?:<n>|\d{{3}}\b)", re.I)
_FIELD_METHOD = re.compile(rf"\b(?:method|verb|http_method)=\"?{_METHOD}\b", re.I)
_FIELD_ROUTE = re.compile(r"\b(?:path|route|uri|url|endpoint)=\"?/", re.I)
_FIELD_STATUS = re.compile(r"\b(?:status|status_code|http_status|code)=\"?(?:<n>|\d{3}\b)", re.I)


def is_access_log(signature: str) -> bool:
    """A request log line in any format: `GET /x 500 ...`, or method/path and status as fields."""
    text = signature.strip()
    if _ACCESS_LOG.match(text):
        return True
    return bool(_FIELD_STATUS.search(text) and (_FIELD_METHOD.search(text) or _FIELD_ROUTE.search(text)))


_COMPILED = {m.key: m.matcher() for m in MECHANISMS}
_DAMP = {"broad": 0.4, "generic": 0.2}


def classify(signature: str, component: str | None = None, example: str | None = None) -> dict[str, float]:
    """Mechanisms a signature points to, with a strength in (0, 1].

    A line that names a specific failure mode (a pool, the heap, DNS, a certificate) is about
    that mode even when it also names a dependency or says 'timeout': the broader readings are
    damped, so 'tls: expired certificate' from a partner host is a certificate problem first.
    """
    if is_access_log(signature):
        return {}
    parts = [f"{component}:" if component else "", signature, example or ""]
    text = " ".join(p for p in parts if p)
    out: dict[str, float] = {}
    for key, rx in _COMPILED.items():
        hits = len({m.group(0).lower() for m in rx.finditer(text)})
        if hits:
            out[key] = min(1.0, 0.6 + 0.2 * (hits - 1))
    tiers = {BY_KEY[k].tier for k in out}
    if "specific" in tiers:
        for k in out:
            out[k] *= _DAMP.get(BY_KEY[k].tier, 1.0)
    elif "broad" in tiers and "timeout" in out:
        out["timeout"] *= 0.3
    # an exception raised *by* a dependency call is the dependency's failure, not our code
    if "code_error" in out and "upstream" in out:
        out["code_error"] *= 0.5
    return out


def is_symptom(signature: str, component: str | None = None, example: str | None = None) -> bool:
    """A line that says requests failed without saying why."""
    return is_access_log(signature) or (bool(SYMPTOM.search(signature)) and not classify(signature, component, example))
