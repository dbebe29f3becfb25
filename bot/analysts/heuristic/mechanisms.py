"""Failure mechanisms an SRE recognises from error signatures and moving metrics.

Each mechanism knows what its log lines look like, which metrics move with it, what kind of
change would cause it (the vocabulary matched against commit messages and paths), whether it is
usually outside our control, and what to do about it. Signatures are matched on their folded
text, so the patterns name failure modes, never one service's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.analysts.heuristic.hosts import external_hosts, internal_targets


@dataclass(frozen=True)
class Mechanism:
    key: str
    label: str  # names the mechanism in plain words; goes into the root cause
    patterns: tuple[str, ...]
    metrics: dict[str, str] = field(default_factory=dict)  # metric -> direction that supports it
    change_words: tuple[str, ...] = ()  # what a commit that causes it tends to mention or touch
    # files whose change is this mechanism's territory whatever the commit says (a Dockerfile
    # for connection-level failures: a new runtime brings new socket defaults)
    change_files: tuple[str, ...] = ()
    # what a change must touch to set it off, in words: 'how often we call the provider'
    territory: str = ""
    external: bool = False  # usually not a change of ours (a dependency, traffic, infrastructure)
    # how specific its signatures are: 'specific' names a resource or failure mode (pool, heap, DNS);
    # 'broad' names a kind of failure (an exception, a dependency call); 'generic' only says slow
    tier: str = "specific"
    # how often a change of ours sets it off: 'often' (code, config, pool sizes), 'sometimes'
    # (disk, capacity), 'rarely' (a dependency, DNS, a certificate); sets how much a deploy must
    # explain before it is named
    caused_by_change: str = "often"
    # other specific mechanisms this one explains when both appear (a lock makes statements
    # time out; an OOM kill drops the connections a proxy was using)
    explains: tuple[str, ...] = ()
    explain: str = ""  # how it hurts users, appended to the description
    # what a particular line means, when the line says more than the mechanism does:
    # (pattern, sentence for the root cause, what to do about it or '')
    hints: tuple[tuple[str, str, str], ...] = ()
    fixes_if_change: tuple[str, ...] = ()
    fixes: tuple[str, ...] = ()

    def matcher(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns), re.I)

    def hint(self, text: str) -> tuple[str, str] | None:
        """(what the line means, what to do about it) for a line this mechanism knows more about."""
        for pattern, sentence, fix in self.hints:
            if re.search(pattern, text, re.I):
                return sentence, fix
        return None


# connection-level failure words, whoever is on the other end
_CONN_FAIL = (r"connection refused", r"connect(?:ion)? timed out", r"reset by peer", r"econnreset", r"econnrefused",
              r"broken pipe", r"epipe", r"connection (?:reset|closed|terminated|termination|aborted)",
              r"socket hang up", r"no route to host", r"ehostunreach", r"network is unreachable", r"dial \w+ \S+ i/o timeout")

MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "db_pool",
        "database connection pool exhaustion",
        (
            r"(?<!worker )(?<!thread )(?<!process )pool (?:is )?exhausted",
            r"connection pool(?! is full, discarding)",
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
         "maxpoolsize", "hikari", "pgbouncer", "sqlalchemy",
         "stream", "streaming", "cursor",  # what holds a connection for longer: a streamed result, a cursor
         "thread", "threads", "concurrency", "gunicorn", "puma", "uwsgi"),  # more holders than the pool has room for
        # where connections are opened, held and given back: the db layer's session or engine
        change_files=(r"(?:^|/)(?:db|database)/[\w./-]*(?:session|engine|pool|connection|conn)\w*\.\w+$",
                      r"(?:^|/)\w*(?:datasource|connection_?pool|db_?pool)\w*\.\w+$"),
        explains=("db_overload",),
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
            r"oom_?kill",
            r"memoryerror",
            r"cannot allocate memory",
            r"heap (?:space|out|limit|exhausted)",
            r"gc overhead",
            r"memory ?(?:usage )?(?:high|limit|pressure|exceeded)",
            r"memory (?:usage )?(?:above|over|at) (?:<n>|\d+)%",
            r"sigkill",
            r"exit code 137",
            r"exit_code=137",
            r"allocation failed",
        ),
        {"memory_usage": "up"},
        ("cache", "caching", "memory", "session", "sessions", "buffer", "buffering", "leak", "heap", "store",
         "in-process", "unbounded", "lru", "ttl", "retain", "global", "memo", "pool", "body", "bodies", "payload",
         "capture", "sidecar", "limits"),
        explains=("backend_conn", "code_error"),
        explain="processes grow until they are killed and restarted, dropping in-flight requests",
        hints=((r"istio-proxy|envoy|sidecar|linkerd",
                "the killed container is the service mesh sidecar, so every connection through it drops with it",
                "Check the sidecar's memory limit against what the mesh now buffers (telemetry, body capture) "
                "in the pod's proxy resources annotations."),),
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}); memory should stop climbing right after.",
            "Bound what the change keeps in memory (a size limit or TTL on caches, nothing unbounded per request) or give the container the memory it now needs, before re-shipping.",
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
            r"lock wait",
            r"could not obtain lock",
            r"relation \S+ is locked",
            r"table (?:is )?locked",
            r"(?:holding|held|blocked by|waiting on) (?:\w+ ){0,2}locks?\b",
            r"long[- ]running (?:transaction|migration)",
            r"transaction (?:has been )?open for",
            r"lock contention",
        ),
        {"response_time_ms": "up", "error_rate": "up"},
        ("migration", "migrations", "migrate", "alter", "column", "index", "schema", "backfill", "lock",
         "not null", "default", "ddl", "table", "transaction", "transactions", "batch", "bulk", "job", "jobs",
         "cron", "isolation"),
        explains=("db_overload",),
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
        "db_overload",
        "database overload (queries running past their statement timeout)",
        (
            r"statement[ _]timeout",
            r"querycanceled",
            r"query (?:timed? ?out|timeout)",
            r"max_execution_time",
            r"database (?:is )?(?:overloaded|too busy)",
            r"too many (?:queries|statements)",
        ),
        {"response_time_ms": "up", "error_rate": "up", "cpu_usage": "up"},
        ("cache", "caching", "cached", "key", "keys", "query", "queries", "index", "orm", "n+1", "eager", "prefetch",
         "join", "pagination", "select", "scan", "invalidate", "invalidation", "warm", "ttl", "namespace", "read"),
        explain="queries take longer than their time limit because the database is doing more (or heavier) work "
                "than it can, and the requests that wait on them fail",
        fixes_if_change=(
            "Roll back {ref} ({commit}); database load and query times should fall right after.",
            "Before re-shipping, find the queries the change added or made heavier, or the cache it stopped hitting "
            "(pg_stat_statements, the slow-query log, the cache hit ratio); warm a new cache before switching to it.",
        ),
        fixes=(
            "Find the heaviest queries now (pg_stat_activity / pg_stat_statements) and check the cache hit ratio.",
            "Protect the database meanwhile: cap concurrency per pod and keep statement timeouts short so requests fail fast.",
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
         "temp", "backup", "dump", "verbose", "debug", "trace", "tracing", "tracer", "payload"),
        # a logger's configuration: what and how much every line writes
        change_files=(r"(?:^|/)(?:log4j2?|logback(?:-[\w-]+)?|logging|log_?config|nlog|serilog)[\w.-]*\.(?:xml|properties|ya?ml|json|conf|ini|toml)$",),
        territory="what or how much we write to disk (logging, retention, temp files)",
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
        "fd_exhaustion",
        "file descriptor exhaustion (too many open files or sockets: a descriptor leak)",
        (r"too many open files", r"\bemfile\b", r"\benfile\b", r"errno\W{0,3}24\b", r"\bopen_?fds?\b",
         r"file descriptors?\b", r"\bfd (?:limit|count|leak|usage)", r"\bulimit\b", r"too many sockets",
         r"(?:socket|descriptor) leak"),
        {},
        ("client", "clients", "session", "sessions", "close", "closing", "open", "file", "socket", "sockets",
         "connection", "connections", "stream", "streams", "upload", "download", "handle", "handles", "resource",
         "context", "leak", "boto3", "per", "each", "reuse"),
        explains=("upstream", "backend_conn", "code_error", "disk"),
        explain="every leaked file or socket stays open until the process reaches its descriptor limit; after that "
                "each new connection, file or upload fails",
        fixes_if_change=(
            "Roll back {ref} ({commit}) and restart the affected pods to release the descriptors already leaked; open files should stop climbing.",
            "Close what the change opens (one shared client instead of one per task, files and responses closed in a context manager) and add a test that counts open descriptors.",
        ),
        fixes=(
            "Restart the affected pods to release descriptors now; find what holds them (ls /proc/<pid>/fd, lsof) and which code path opens them.",
            "Alert on open descriptors against the limit (process_open_fds / process_max_fds).",
        ),
    ),
    Mechanism(
        "tls",
        "TLS certificate failure (an expired or invalid certificate)",
        (r"certificate", r"\bx509\b", r"\bssl\b", r"\btls\b", r"tls handshake", r"cert(?:ificate)? (?:has )?expired",
         r"expired cert", r"unable to get local issuer", r"handshake fail", r"pkix path", r"self[- ]signed",
         r"unknown (?:certificate )?authority", r"bad certificate", r"certificate chain", r"intermediate"),
        {"error_rate": "up"},
        ("cert", "certs", "certificate", "certificates", "tls", "ssl", "ca", "truststore", "keystore", "chain",
         "intermediate", "pem", "renew", "renewed", "issuer"),
        territory="certificates or TLS settings",
        external=True,
        caused_by_change="rarely",
        explain="connections fail during the handshake",
        hints=((r"handshake error from|remote error: tls: (?:bad certificate|unknown certificate authority)",
                "the clients are rejecting the certificate we present (an incomplete chain, a wrong or unknown issuer), "
                "so they cannot connect at all and their requests never reach us",
                "Check the chain we serve (`openssl s_client -connect <host>:443 -showcerts`): leaf plus intermediates, "
                "issued by a CA the clients trust."),),
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous certificate / TLS settings; check the served chain with `openssl s_client -showcerts`.",),
        fixes=("Renew or replace the certificate (with its full chain) and reload the services that use it.",
               "Monitor certificate expiry and the served chain (alert 30 and 7 days ahead; a synthetic TLS check)."),
    ),
    Mechanism(
        "dns",
        "DNS resolution failure",
        (r"\bdns\b", r"name resolution", r"nxdomain", r"getaddrinfo", r"no such host", r"could not resolve",
         r"unknown ?host", r"name or service not known", r"servfail", r"eai_again", r"temporary failure in name",
         r"lookup \S+ on \S+:53", r"resolv(?:e|er|ing) (?:failed|error|timed? ?out)"),
        {"error_rate": "up"},
        ("dns", "resolver", "resolv", "hostname", "host", "endpoint", "url"),
        territory="host names or resolver settings",
        external=True,
        caused_by_change="rarely",
        explain="calls cannot find the hosts they connect to",
        fixes_if_change=("Roll back {ref} ({commit}) to restore the previous host names / resolver settings.",),
        fixes=("Check the resolver and the records involved; fail over to a secondary resolver.",
               "Cache resolutions and alert on resolution failures."),
    ),
    Mechanism(
        "node",
        "a faulty node (network or hardware trouble on one host)",
        (r"\bkernel:", r"\bnic\b.{0,30}(?:down|reset|hang|error)", r"link (?:is )?down", r"\btx (?:timeout|hang)",
         r"found a tx that wasn'?t completed", r"transmit (?:queue )?\S* ?timed out", r"packet loss", r"dropped packets",
         r"node ?(?:not ?ready|notready|unreachable|pressure)", r"networkunavailable", r"kerneldeadlock",
         r"hardware error", r"machine check", r"soft lockup", r"hung task", r"\beth\d\b", r"\bens\d+\b"),
        {},
        ("node", "nodes", "affinity", "kernel", "network", "cni", "nodepool", "instance", "ami", "drain"),
        territory="the nodes, their network or where pods are scheduled",
        external=True,
        caused_by_change="rarely",
        explains=("backend_conn", "upstream", "timeout"),
        explain="requests handled by the pods on that node fail or stall, while the same service on other nodes is fine",
        fixes=(
            "Cordon and drain the node{node} so its pods move to healthy nodes; replace the instance if it does not recover.",
            "Check the node's kernel and NIC logs and the cloud provider's instance health; spread replicas across nodes and zones (topology spread, anti-affinity).",
        ),
    ),
    Mechanism(
        "rate_limited",
        "rate limiting by a dependency (HTTP 429 Too Many Requests from a service we call)",
        (r"too many requests", r"\b429\b", r"rate[- ]?limit(?:ed|ing| exceeded| of)?", r"throttl",
         r"quota (?:exceeded|exhausted)", r"throughput (?:limit|exceeded)", r"retry[-_ ]after", r"request ?limit",
         r"slow ?down", r"(?:throughput|request ?limit|limit|quota)exceeded", r"toomanyrequests"),
        {},
        ("client", "clients", "config", "debounce", "debounced", "prefetch", "retry", "retries", "concurrency",
         "batch", "batching", "poll", "polling", "parallel", "rate", "limit", "quota", "throttle", "backoff",
         "cache", "caching", "calls", "suggestions", "keystroke"),
        territory="how often we call the provider (client settings, retries, batching, caching)",
        external=True,
        caused_by_change="sometimes",
        explain="the provider rejects our calls above its quota, so the requests that need it fail",
        fixes_if_change=(
            "Roll back {ref} ({commit}): it raised how often we call the provider; the 429s should stop once our call rate is back under the quota.",
            "Before re-shipping, keep the call rate under the quota: debounce, cache or batch the calls, and honour Retry-After with backoff.",
        ),
        fixes=(
            "Compare our call rate to the provider with its quota (their dashboard / status page) and ask for a higher limit if the volume is legitimate.",
            "Honour Retry-After with exponential backoff and jitter, cache or batch calls, and queue non-urgent sends so retries do not amplify the throttling.",
        ),
    ),
    Mechanism(
        "thread_pool",
        "thread pool starvation (a bounded executor saturated, new tasks rejected)",
        (r"rejectedexecution", r"threadpoolexecutor", r"thread ?pool (?:is )?(?:exhausted|full|saturated|starv\w*|busy)",
         r"executor \S+ (?:is )?(?:busy|saturated|full|exhausted)", r"\bactive=(\d+)/\1\b",
         r"no (?:idle|free|available) threads?", r"threads? (?:starv\w*|exhausted)", r"rejected from \S*executor",
         r"executor(?:service)? (?:queue )?(?:is )?full", r"blocked threads?"),
        {"response_time_ms": "up", "error_rate": "up"},
        ("executor", "executors", "thread", "threads", "threadpool", "pool", "async", "concurrency", "bounded",
         "queue", "parallel", "worker", "workers", "offload", "background"),
        explains=("code_error", "timeout", "capacity"),
        explain="work waits for a free thread in a bounded pool; once its queue is full, new tasks are rejected and "
                "the requests behind them fail",
        fixes_if_change=(
            "Roll back {ref} (or revert {commit}); the executor should drain and rejections stop.",
            "Size the executor (threads and queue) for peak load, or keep slow work off the request path, and load-test it before re-shipping.",
        ),
        fixes=(
            "Find what holds the threads (a thread dump: jstack / py-spy dump) and scale out meanwhile.",
            "Alert on executor saturation (active == max, queue depth) before tasks are rejected.",
        ),
    ),
    Mechanism(
        "backlog",
        "consumer lag (messages processed slower than they arrive, so a backlog builds)",
        (r"consumer lag", r"\blag(?:ging)? (?:above|over|exceed\w*|too high|grow\w*|behind)", r"too far behind",
         r"fall(?:ing|en)? behind", r"\bbacklog\b", r"queue depth", r"poll[._ ]interval", r"rebalanc\w*",
         r"slow (?:message|event|record|batch|job|task)s?\b", r"messages? (?:pending|unacked|waiting)",
         r"(?:projection|consumer|replica|replication|indexer) (?:is )?(?:lagging|behind|stale)", r"\bstale (?:read|data|projection)",
         r"(?:offset|lag)=(?:<n>|\d+) .{0,40}threshold"),
        {},
        ("consumer", "consumers", "handler", "handlers", "message", "messages", "event", "events", "batch",
         "lookup", "lookups", "enrich", "enrichment", "projector", "projection", "poll", "partition", "partitions",
         "concurrency", "prefetch", "kafka", "queue", "topic", "per"),
        caused_by_change="sometimes",
        explains=("timeout", "code_error", "backend_conn"),
        explain="the consumer handles messages slower than they arrive, so the data it maintains falls further "
                "behind and the reads that need fresh data fail or go stale",
        fixes_if_change=(
            "Roll back {ref} ({commit}); consumer lag should start falling right after.",
            "Keep per-message work cheap before re-shipping: batch or cache the new lookups, or move them off the consumer's hot path.",
        ),
        fixes=(
            "Scale the consumers out (up to the partition count) and find the slow step in message handling.",
            "Alert on consumer lag (messages and seconds behind), not only on the errors it eventually causes.",
        ),
    ),
    Mechanism(
        "cache",
        "a collapse of the cache hit ratio (requests miss the cache and fall through to what it protects)",
        (r"cache miss(?:es)?\b", r"cache[- ]?(?:hit )?ratio", r"hit ratio", r"cache stampede", r"cold cache",
         r"cache (?:expired|expiry|evict\w*)", r"thundering herd", r"dogpile"),
        {},
        ("cache", "caching", "cached", "ttl", "expiry", "expire", "expires", "freshness", "stale", "evict",
         "eviction", "key", "keys", "prefix", "namespace", "warm", "warmup", "invalidate", "invalidation"),
        territory="what the cache keeps and for how long (keys, TTLs, eviction)",
        explains=("rate_limited", "db_overload", "db_pool", "upstream", "timeout", "capacity", "cpu"),
        explain="requests that the cache used to answer go to the database or the provider behind it, which "
                "cannot carry the full load",
        fixes_if_change=(
            "Roll back {ref} ({commit}) to restore the previous cache keys / TTL; the hit ratio should recover as "
            "the cache refills.",
            "Before re-shipping a key or TTL change, warm the new keys and stagger expiries so misses do not arrive "
            "at once.",
        ),
        fixes=(
            "Find why entries stopped being hits (expiry, eviction under memory pressure, a key change) and warm the "
            "cache; shield the backend with request coalescing meanwhile.",
            "Alert on the cache hit ratio, not only on the errors behind it.",
        ),
    ),
    Mechanism(
        "capacity",
        "capacity saturation (request queues and worker pools full)",
        (r"queue (?:is )?full", r"saturat", r"rejecting (?:new )?(?:requests?|connections?)", r"too many requests",
         r"backpressure", r"shedding", r"rate limit(?:ed| exceeded)",
         r"worker(?:s| pool)? (?:busy|exhausted|saturated)", r"all workers busy",
         r"timed out in queue", r"request queue", r"load shed", r"overload", r"throttl"),
        {"request_rate": "up", "cpu_usage": "up", "response_time_ms": "up"},
        ("worker", "workers", "thread", "threads", "concurrency", "replicas", "autoscal", "hpa", "scale",
         "rate limit", "ratelimit", "queue", "capacity", "limits"),
        territory="capacity settings (workers, replicas, limits)",
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
        "backend_conn",
        "connection failures to our own backend (connections refused, reset or closed inside our network)",
        (r"upstream prematurely closed", r"upstream connect error", r"disconnect/reset before headers",
         r"no live upstreams", r"while (?:connecting to|reading (?:response header )?from|sending (?:request )?to) upstream",
         r"upstream (?:timed out|reset|closed)", r"keep-?alive", r"\b502 bad gateway\b"),
        {"error_rate": "up"},
        ("keepalive", "keep-alive", "keep_alive", "timeout", "timeouts", "socket", "sockets", "agent", "runtime",
         "upgrade", "bootstrap", "proxy", "ingress", "nginx", "envoy", "headers", "idle", "graceful", "shutdown",
         "connection", "connections", "pool", "port", "listen", "host"),
        change_files=(r"(?:^|/)dockerfile[^/]*$", r"(?:^|/)\.nvmrc$", r"(?:^|/)\.node-version$", r"(?:^|/)\.python-version$",
                      r"(?:^|/)\.tool-versions$", r"(?:^|/)runtime\.txt$", r"(?:^|/)(?:server|main|index|app)\.[jt]s$",
                      r"(?:nginx|envoy|haproxy|ingress)[^/]*\.(?:conf|ya?ml)$"),
        tier="broad",
        explain="calls to it are refused, reset or closed mid-request, and the requests that depend on them fail "
                "(a proxy in front answers 502)",
        hints=((r"prematurely closed|reset before headers|keep-?alive",
                "the backend closes connections the proxy still reuses: its keep-alive (idle) timeout is shorter than "
                "the proxy's, or it restarts under the proxy",
                "Set the backend's keep-alive timeout above the proxy's idle timeout (Node: server.keepAliveTimeout and "
                "headersTimeout above the load balancer's), or have the proxy retry idempotent requests once "
                "(proxy_next_upstream)."),),
        fixes_if_change=(
            "Roll back {ref} ({commit}); the connection errors should stop once the previous version is back.",
        ),
        fixes=(
            "Check the backend the errors name: is it up, restarting or at its connection limit (its pods, its logs, its listen backlog)?",
            "Compare the timeouts on both sides of the failing hop (client, proxy, backend) and look for restarts at the same minutes.",
        ),
    ),
    Mechanism(
        "startup",
        "the new version failing to start (crash-looping on startup: missing or invalid configuration, a bad image)",
        (r"crashloopbackoff", r"back-?off restarting failed container", r"(?:readiness|liveness|startup) probe failed",
         r"failed to start", r"(?:startup|boot|init(?:iali[sz]ation)?) (?:failed|error)", r"exited with (?:code|status) [1-9]",
         r"missing (?:required )?(?:env(?:ironment)? var\w*|config\w*|setting\w*|secret)",
         r"(?:env(?:ironment)? var\w*|setting|secret) \S+ (?:is )?(?:not set|missing|required|undefined)",
         r"(?:config|configuration) (?:error|invalid|not found|missing)", r"imagepullbackoff|errimagepull",
         r"no such file or directory.{0,40}\.(?:ya?ml|json|toml|ini|conf|env)\b"),
        {"error_rate": "up"},
        ("config", "configuration", "env", "environment", "settings", "secret", "secrets", "startup", "boot", "init",
         "image", "dockerfile", "entrypoint", "probe", "readiness", "liveness", "helm", "values", "manifest",
         "variable", "variables"),
        explains=("code_error", "backend_conn", "upstream"),
        explain="its pods exit on startup and restart in a loop, so the capacity left (or nothing) serves the traffic",
        fixes_if_change=(
            "Roll back {ref} ({commit}); the previous version's pods should start and pass readiness.",
            "Provide what the new version needs at startup (environment variables, secrets, config files) and gate rollouts on readiness so a version that cannot start never takes traffic.",
        ),
        fixes=(
            "Read the crashing container's last output (kubectl logs --previous) and its exit code; fix the missing configuration or image.",
        ),
    ),
    Mechanism(
        "upstream",
        "an external dependency failing (upstream timeouts and gateway errors)",
        (r"upstream", r"gateway time-?out", r"bad gateway", r"circuit(?: breaker)?.{0,20}open", r"\bopen circuit",
         r"service unavailable", r"provider", r"third[- ]party", r"\bvendor\b",
         r"https?://", r"(?:->|returned|status|responded(?: with)?)\s*5\d\d\b", *_CONN_FAIL),
        {"error_rate": "up", "response_time_ms": "up"},
        ("client", "sdk", "timeout", "timeouts", "retry", "retries", "endpoint", "url", "http", "integration",
         "api", "breaker", "upstream", "gateway"),
        territory="how we call the dependency (its client, timeouts, retries)",
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
         r"zerodivision", r"nil pointer", r"is not a function", r"cannot read propert", r"nomethoderror",
         r"unhandledpromiserejection", r"classcastexception", r"illegalstateexception", r"illegalargumentexception"),
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
        (r"\bcpu\b", r"cpu throttl", r"throttled_pct", r"event loop (?:blocked|lag)", r"slow (?:query|request)", r"n\+1"),
        {"cpu_usage": "up", "response_time_ms": "up"},
        ("regex", "loop", "query", "queries", "n+1", "serializ", "render", "compute", "algorithm", "sort",
         "index", "cache", "eager", "prefetch", "orm", "select_related", "cpu", "limits", "resources", "throttle"),
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
         r"token (?:has )?expired", r"access denied", r"signature (?:does not match|mismatch)",
         r"authentication failed", r"password authentication", r"not authenticated"),
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
    rf"^\"?{_METHOD} /\S*"
    r"|\b(?:returned|returning|responded with|status(?: code)?)\s*(?:<n>|5\d\d\b)"
    r"|\b(?:request|handler|call) failed\b",
    re.I,
)
# `GET /x 500`, `"GET /x HTTP/1.1" 502`, `GET /x -> 503`, `GET /x status=500 ...`
_ACCESS_HEAD = re.compile(rf"^\"?{_METHOD} /\S*?(?: HTTP/[\d.]+)?\"?(?=\s|$)", re.I)
_ACCESS_STATUS = re.compile(r"\s+(?:(?:->|=>|-|:)\s*)?(?:<n>|\d{3}\b)")
# a quoted request line and its status; the logs server folds the request line to "<request>"
_COMBINED = re.compile(rf"\"(?:{_METHOD} /\S* HTTP/[\d.]+|<request>)\" (?:<n>|\d{{3}}\b)", re.I)
_FIELD_METHOD = re.compile(rf"\b(?:method|verb|http_method|http\.method|request_method)[=:]\s*\"?{_METHOD}\b", re.I)
_FIELD_ROUTE = re.compile(r"\b(?:path|route|uri|url|endpoint|target|request_uri|http\.(?:target|route|url))[=:]\s*\"?/", re.I)
_FIELD_STATUS = re.compile(
    r"\b(?:status|status_?code|http_?status|http\.status_code|response_?code|response_status|code)[=:]\s*\"?(?:<n>|\d{3}\b)",
    re.I,
)


def is_access_log(signature: str) -> bool:
    """A request log line in any format: `GET /x 500 ...`, or method/path and status as fields."""
    text = signature.strip()
    head = _ACCESS_HEAD.match(text)
    if head and (_ACCESS_STATUS.match(text, head.end()) or _FIELD_STATUS.search(text, head.end())):
        return True
    if _COMBINED.search(text):
        return True
    return bool(_FIELD_STATUS.search(text) and (_FIELD_METHOD.search(text) or _FIELD_ROUTE.search(text)))


_COMPILED = {m.key: m.matcher() for m in MECHANISMS}
_DAMP = {"broad": 0.4, "generic": 0.2}
# a line about a call we made (to a provider, a URL, a named host), not a request we received
_OUTBOUND = re.compile(
    r"provider|upstream|vendor|third[- ]party|https?://|\bsdk\b|(?:dest|host|target|endpoint|url|remote)[=:]"
    r"|\b(?:calling|call to|request to|sending to|send(?:ing)? failed|request failed|from the)\b"
    r"|\w*(?:throttl|throughput|limitexceeded)\w*(?:exception|error)\b",  # an SDK's error for a cloud API's limit
    re.I,
)
_INBOUND_CLIENT = re.compile(r"\b(?:client|remote_addr|ip|ua|user_agent)[=:]", re.I)
_CONN_FAIL_RX = re.compile("|".join(_CONN_FAIL), re.I)
_PROXY = re.compile(r"\b(?:nginx|envoy|haproxy|ingress|istio|traefik|proxy|sidecar|gateway)\b", re.I)


def classify(signature: str, component: str | None = None, example: str | None = None) -> dict[str, float]:
    """Mechanisms a signature points to, with a strength in (0, 1].

    A line that names a specific failure mode (a pool, the heap, DNS, a certificate) is about
    that mode even when it also names a dependency or says 'timeout': the broader readings are
    damped, so 'tls: expired certificate' from a partner host is a certificate problem first.
    Whose failure it is comes from who is on the other end: a 429 in a call to a provider is the
    provider throttling us, a 429 we answer is our own limit; a connection reset from an
    in-cluster host or under a proxy is our own backend, from a partner's host theirs.
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
    theirs = external_hosts(f"{signature} {example or ''}")  # a logger named booking.app is no host
    if theirs:
        out["upstream"] = min(1.0, out.get("upstream", 0.4) + 0.2)
    _whose(out, text, theirs)
    tiers = {BY_KEY[k].tier for k in out}
    if "specific" in tiers:
        for k in out:
            out[k] *= _DAMP.get(BY_KEY[k].tier, 1.0)
    elif "broad" in tiers and "timeout" in out:
        out["timeout"] *= 0.3
    # an exception raised *by* a dependency call is the dependency's failure, not our code
    if "code_error" in out and ("upstream" in out or "backend_conn" in out):
        out["code_error"] *= 0.5
    return out


def _whose(out: dict[str, float], text: str, theirs: list[str]) -> None:
    """Settle readings that depend on who is on the other end of the failing call."""
    if "rate_limited" in out:
        outbound = bool(theirs) or bool(_OUTBOUND.search(_INBOUND_CLIENT.sub(" ", text)))
        if outbound:
            out.pop("capacity", None)  # their limit, not our saturation
        else:
            del out["rate_limited"]  # we rejected the caller: our own limiter
    if theirs:
        out.pop("backend_conn", None)  # a partner's host closed on us: theirs
        return
    ours = internal_targets(text)
    if "backend_conn" in out or (ours and "upstream" in out and _CONN_FAIL_RX.search(text)) or (
        "upstream" in out and _PROXY.search(text) and re.search(r"upstream", text, re.I)
    ):
        # a proxy's upstream, or an in-cluster host, is a backend of ours
        out["backend_conn"] = max(out.get("backend_conn", 0.0), out.pop("upstream", 0.0))


def is_symptom(signature: str, component: str | None = None, example: str | None = None) -> bool:
    """A line that says requests failed without saying why."""
    return is_access_log(signature) or (bool(SYMPTOM.search(signature)) and not classify(signature, component, example))
