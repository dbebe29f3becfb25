#!/usr/bin/env python3
"""Generate the bundled demo incident and our own held-out-style test scenarios.

Everything here is synthetic and deterministic: each dataset has its own fixed seed, so running
this script again rewrites every file byte for byte. Standard library only.

    python3 scripts/gen_data.py              # regenerate everything (demo + scenarios)
    python3 scripts/gen_data.py demo         # only the bundled demo data under mcp-servers/*/data/
    python3 scripts/gen_data.py scenarios    # only tests/scenarios/*/
    python3 scripts/gen_data.py --check      # exit 1 if any generated file is missing or differs
    python3 scripts/gen_data.py --summary    # print per-dataset deploys, onset and error counts

What each dataset is meant to exercise is written down in docs/demo-data.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_DIR = ROOT / "tests" / "scenarios"

LEVELS = ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def at(text: str) -> datetime:
    """'2026-03-12 11:30' or '2026-03-12T11:30:00' -> aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=UTC)


def iso_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def iso_us_offset(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def smoothstep(x: float) -> float:
    x = clamp(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def ar_noise(rng: random.Random, n: int, sd: float, phi: float = 0.6) -> list[float]:
    """Autocorrelated noise with stationary standard deviation `sd`."""
    out, x = [], 0.0
    innov = sd * math.sqrt(1 - phi * phi)
    for _ in range(n):
        x = phi * x + rng.gauss(0, innov)
        out.append(x)
    return out


def hexid(rng: random.Random, n: int = 8) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def b36(rng: random.Random, n: int = 6) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "".join(rng.choice(alphabet) for _ in range(n))


def lognorm(rng: random.Random, median: float, sigma: float = 0.35) -> float:
    return median * math.exp(rng.gauss(0, sigma))


# --------------------------------------------------------------------------------------------
# log line formats
# --------------------------------------------------------------------------------------------


class Plain:
    """The seed's format: `YYYY-MM-DD HH:MM:SS[.fff] LEVEL [component] message`."""

    def __init__(self, ms: bool = False, names: dict[str, str] | None = None):
        self.ms = ms
        self.names = names or {}

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S")
        if self.ms:
            stamp += f".{t.microsecond // 1000:03d}"
        return f"{stamp} {self.names.get(level, level)} [{comp}] {msg}"


class JsonLines:
    """One JSON object per line; key names, level spelling and time style are per dataset."""

    def __init__(self, time_key: str, level_key: str, msg_key: str, comp_key: str,
                 time_fmt: Callable[[datetime], str] = iso_ms_z, names: dict[str, str] | None = None,
                 first: tuple[str, ...] = ("time", "level", "msg", "comp")):
        self.keys = {"time": time_key, "level": level_key, "msg": msg_key, "comp": comp_key}
        self.time_fmt = time_fmt
        self.names = names or {}
        self.first = first

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        vals = {"time": self.time_fmt(t), "level": self.names.get(level, level), "msg": msg, "comp": comp}
        obj = {self.keys[k]: vals[k] for k in self.first}
        obj.update(kv)
        return json.dumps(obj, ensure_ascii=False)


def _logfmt_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.1f}"
    s = str(v)
    if s == "" or any(c in s for c in ' ="\\'):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


class Logfmt:
    """`time=... level=... msg="..." component=... key=value`, key order per dataset."""

    def __init__(self, order: tuple[str, ...] = ("time", "level", "msg", "component"),
                 names: dict[str, str] | None = None, time_fmt: Callable[[datetime], str] = iso_ms_z):
        self.order = order
        self.names = names or {}
        self.time_fmt = time_fmt

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        vals = {"time": self.time_fmt(t), "level": self.names.get(level, level.lower()), "msg": msg,
                "component": comp}
        parts = [f"{k}={_logfmt_value(vals[k])}" for k in self.order]
        parts += [f"{k}={_logfmt_value(v)}" for k, v in kv.items()]
        return " ".join(parts)


# --------------------------------------------------------------------------------------------
# git history in the seed's recent_commits.json format
# --------------------------------------------------------------------------------------------


class Git:
    def __init__(self, rng: random.Random, null_undeployed: bool = False):
        self.rng = rng
        self.commits: list[dict] = []
        self.deployments: list[dict] = []
        self.null_undeployed = null_undeployed
        self._seen: set[str] = set()

    def commit(self, when: str, author: str, message: str, files: list[str]) -> str:
        while True:
            h = hexid(self.rng, 7)
            if h not in self._seen and not h.isdigit():
                break
        self._seen.add(h)
        self.commits.append({"hash": h, "author": author, "timestamp": iso_z(at(when)),
                             "message": message, "files_changed": list(files)})
        return h

    def deploy(self, version: str, when: str, commits: list[str], status: str = "success") -> None:
        self.deployments.append({"version": version, "deployed_at": iso_z(at(when)), "status": status,
                                 "commits": list(commits)})

    def to_json(self) -> str:
        first_deploy: dict[str, str] = {}
        for d in sorted(self.deployments, key=lambda d: d["deployed_at"]):
            if d["status"] == "rollback":
                continue
            for h in d["commits"]:
                first_deploy.setdefault(h, d["deployed_at"])
        commits = []
        for c in sorted(self.commits, key=lambda c: c["timestamp"], reverse=True):
            c = dict(c)
            if c["hash"] in first_deploy:
                c["deployed_at"] = first_deploy[c["hash"]]
            elif self.null_undeployed:
                c["deployed_at"] = None
            commits.append(c)
        deps = sorted(self.deployments, key=lambda d: d["deployed_at"], reverse=True)
        return json.dumps({"commits": commits, "deployments": deps}, indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# one simulated incident window
# --------------------------------------------------------------------------------------------


class Sim:
    def __init__(self, seed: int, start: str, minutes: int, service: str):
        self.rng = random.Random(seed)
        self.t0 = at(start)
        self.n = minutes
        self.service = service
        self.events: list[tuple] = []  # (time, seq, file, level, component, message, kv)
        self.metrics: list[dict] = []
        self.git = Git(random.Random(seed * 7919 + 1))

    # time helpers
    def minute(self, i: int) -> datetime:
        return self.t0 + timedelta(minutes=i)

    def idx(self, hhmm: str) -> int:
        """Minute index of 'HH:MM' on the window's first day (or a full 'YYYY-MM-DD HH:MM')."""
        t = at(hhmm) if "-" in hhmm else at(self.t0.strftime("%Y-%m-%d ") + hhmm)
        return int((t - self.t0).total_seconds() // 60)

    def when(self, i: int, lo: float = 0.0, hi: float = 60.0) -> datetime:
        ms = int(self.rng.uniform(lo, hi) * 1000)
        ms = int(clamp(ms, 0, 59_999))
        return self.minute(i) + timedelta(milliseconds=ms)

    def clock(self, hhmmss: str) -> datetime:
        """An exact time on the window's first day, with a few random milliseconds."""
        t = at(self.t0.strftime("%Y-%m-%d ") + hhmmss)
        return t + timedelta(milliseconds=self.rng.randrange(0, 999))

    def log(self, t: datetime, level: str, comp: str, msg: str, file: str = "app.log", **kv) -> None:
        assert level in LEVELS, level
        if self.t0 <= t < self.minute(self.n):
            self.events.append((t, len(self.events), file, level, comp, msg, kv))

    def point(self, i: int, cpu: float, mem: float, rate: float, err: float, rt: float) -> None:
        self.metrics.append({
            "timestamp": iso_z(self.minute(i)),
            "cpu_usage": round(clamp(cpu, 0.5, 99.5), 1),
            "memory_usage": round(clamp(mem, 1.0, 99.5), 1),
            "request_rate": round(max(rate, 0.0), 1),
            "error_rate": round(clamp(err, 0.0, 100.0), 2),
            "response_time_ms": int(round(max(rt, 1.0))),
        })

    def error_pct(self, rate: float, p: float) -> float:
        """Observed error % for a minute with `rate` requests each failing with probability p."""
        if rate <= 0:
            return 0.0
        return 100.0 * min(poisson(self.rng, rate * p), rate) / rate

    # output
    def render_logs(self, formats: dict[str, object]) -> dict[str, str]:
        by_file: dict[str, list[str]] = {f: [] for f in formats}
        for t, _seq, file, level, comp, msg, kv in sorted(self.events, key=lambda e: (e[0], e[1])):
            by_file[file].append(formats[file].line(t, level, comp, msg, kv))
        return {f: "\n".join(lines) + "\n" for f, lines in by_file.items()}

    def metrics_json(self) -> str:
        return json.dumps({"service": self.service, "metrics": self.metrics}, indent=2) + "\n"


def truth_json(detected: bool, culprit: dict | None, mechanism: list[str], onset: str | None,
               tolerance: int = 3) -> str:
    return json.dumps({
        "incident_detected": detected,
        "culprit": culprit,
        "mechanism_any": mechanism,
        "onset": iso_z(at(onset)) if onset else None,
        "onset_tolerance_min": tolerance,
    }, indent=2) + "\n"


def scenario_files(sim: Sim, formats: dict[str, object], incident: str, truth: str,
                   gz: dict[str, tuple[str, datetime]] | None = None) -> dict[str, bytes]:
    """Files of one tests/scenarios/<name>/ directory, as {relative path: bytes}.

    gz maps a rotated file name to (live file name, rotation time): lines of the live file
    before the rotation time go to the gzip-compressed rotated file instead.
    """
    out: dict[str, bytes] = {}
    logs = sim.render_logs(formats)
    for name, text in logs.items():
        out[f"logs/{name}"] = text.encode()
    for rotated, (live, cut) in (gz or {}).items():
        lines = out[f"logs/{live}"].decode().splitlines(keepends=True)
        old = [ln for ln in lines if _line_time(ln) < cut]
        new = lines[len(old):]
        out[f"logs/{live}"] = "".join(new).encode()
        out[f"logs/{rotated}"] = gzip.compress("".join(old).encode(), compresslevel=9, mtime=0)
    out["incident.txt"] = (incident.strip() + "\n").encode()
    out["git/recent_commits.json"] = sim.git.to_json().encode()
    out["metrics/metrics.json"] = sim.metrics_json().encode()
    out["truth.json"] = truth.encode()
    return out


def _line_time(line: str) -> datetime:
    key = "time="
    if line.startswith("{"):
        obj = json.loads(line)
        for k in ("ts", "time", "timestamp", "@timestamp"):
            if k in obj:
                return at(obj[k].replace("+00:00", ""))
    if line.startswith(key):
        return at(line[len(key):].split(" ", 1)[0])
    return at(line[:19])


SCENARIOS: dict[str, Callable[[], dict[str, bytes]]] = {}


def scenario(name: str):
    """Register a tests/scenarios/<name>/ builder."""
    def register(fn):
        SCENARIOS[name] = fn
        return fn
    return register


def pick(rng: random.Random, table: list[tuple]) -> tuple:
    """A row of `table` chosen by its weight (the row's second field)."""
    return rng.choices(table, weights=[row[1] for row in table])[0]


def rollout_ready(s: Sim, i: int, pods: int, first: float, spacing: float) -> list[datetime]:
    """Times at which each of `pods` new pods starts serving, from second `first` of minute i."""
    return [s.minute(i) + timedelta(seconds=first + k * spacing + s.rng.uniform(-4, 4)) for k in range(pods)]


def new_share(ready: list[datetime], t: datetime) -> float:
    return sum(1 for r in ready if r <= t) / len(ready)


# --------------------------------------------------------------------------------------------
# the bundled demo: checkout-api, a deploy shrinks the DB pool, traffic rises, checkout 500s
# --------------------------------------------------------------------------------------------

# What an analysis of the demo should find (not a file: the demo has no truth.json; see docs/demo-data.md).
DEMO_TRUTH = {"incident_detected": True, "culprit": {"deploy": "v3.15.0", "commits": ["(the pool-size commit)"]},
              "mechanism_any": ["connection pool", "pool"], "onset": "2026-03-12T14:10:00Z", "onset_tolerance_min": 3}

DEMO_ENDPOINTS = [
    # path, weight, median latency ms, share of requests that need a DB connection (0..1)
    ("GET /api/v2/products", 0.29, 85, 0.15),
    ("GET /api/v2/products/{pid}", 0.18, 55, 0.15),
    ("GET /api/v2/cart", 0.17, 40, 0.45),
    ("POST /api/v2/cart/items", 0.12, 70, 0.6),
    ("POST /api/v2/checkout", 0.08, 310, 1.0),
    ("GET /api/v2/orders/{oid}", 0.07, 75, 0.75),
    ("GET /api/v2/shipping/options", 0.09, 60, 0.1),
]


def build_demo() -> dict[str, bytes]:
    s = Sim(seed=20260312, start="2026-03-12 11:30", minutes=210, service="checkout-api")
    rng, g = s.rng, s.git

    # ---- git: an earlier deploy the day before, a docs/UI deploy this morning, the culprit, WIP
    a1 = g.commit("2026-03-11 10:12", "lena.brandt@shop.example", "Add Apple Pay button behind checkout.apple_pay flag",
                  ["web/checkout/ApplePayButton.tsx", "config/flags.yaml"])
    a2 = g.commit("2026-03-11 14:47", "omar.haddad@shop.example", "Bump stripe-python to 11.2.0",
                  ["requirements.txt"])
    g.deploy("v3.14.0", "2026-03-11 17:20", [a1, a2])
    b1 = g.commit("2026-03-12 09:41", "priya.raman@shop.example", "Fix broken link to returns policy in checkout help",
                  ["docs/checkout/help.md", "web/checkout/HelpLinks.tsx"])
    b2 = g.commit("2026-03-12 10:18", "lena.brandt@shop.example", "Tighten order summary spacing on small screens",
                  ["web/checkout/OrderSummary.module.css"])
    g.deploy("v3.14.1", "2026-03-12 12:04", [b1, b2])
    c1 = g.commit("2026-03-12 10:56", "omar.haddad@shop.example", "Add jitter to payment webhook consumer retries",
                  ["app/payments/webhooks.py", "app/payments/tests/test_webhooks.py"])
    c2 = g.commit("2026-03-12 11:37", "kenji.mori@shop.example",
                  "Cap Postgres pool at 8 connections per pod to stay under RDS max_connections",
                  ["config/database.yaml"])
    c3 = g.commit("2026-03-12 12:22", "priya.raman@shop.example", "Show estimated tax line in cart summary",
                  ["app/cart/tax.py", "web/cart/Summary.tsx"])
    c4 = g.commit("2026-03-12 12:50", "kenji.mori@shop.example", "Upgrade structlog to 24.4.0",
                  ["requirements.txt"])
    g.deploy("v3.15.0", "2026-03-12 13:48", [c1, c2, c3, c4])
    g.commit("2026-03-12 14:31", "lena.brandt@shop.example", "WIP: idempotency keys for POST /checkout",
             ["app/checkout/views.py", "app/checkout/idempotency.py"])

    deploys = {s.idx("12:04"): ("v3.14.1", 30), s.idx("13:48"): ("v3.15.0", 8)}
    deploy_culprit = s.idx("13:48")
    campaign = s.idx("13:57")
    onset = s.idx("14:10")

    # ---- traffic and health per minute
    n = s.n
    rate_noise = ar_noise(rng, n, 11.0, 0.7)
    cpu_noise = ar_noise(rng, n, 1.8, 0.5)
    mem_noise = ar_noise(rng, n, 0.35, 0.8)
    rate, sev, pre = [], [], []
    for i in range(n):
        base = 335 + 85 * smoothstep(i / 130)
        promo = 0.0
        if i >= campaign + 2:
            x = i - (campaign + 2)
            promo = 235 * smoothstep(x / 13) - 55 * smoothstep((x - 25) / 30)
        rate.append(base + promo + rate_noise[i])
        if i >= onset:
            ramp = smoothstep((i - onset + 2) / 6)
            sev.append(clamp(ramp * (0.55 + 0.45 * clamp((rate[i] - 470) / 170, 0, 1)) + rng.gauss(0, 0.05), 0.08, 1))
        else:
            sev.append(0.0)
        pre.append(clamp((i - (onset - 5)) / 5, 0, 1) if onset - 5 < i < onset else 0.0)

    pool_max = 30
    mem_since_deploy = 60
    healthy_cpu = 26.0
    for i in range(n):
        if i in deploys:
            version, pool_max = deploys[i]
            mem_since_deploy = 0
            for k in range(3):
                pod = f"checkout-api-{hexid(rng, 5)}"
                t = s.when(i, 5 + 22 * k, 12 + 22 * k)
                s.log(t, "INFO", "api", f"received SIGTERM on {pod}, draining in-flight requests")
                t2 = t + timedelta(seconds=rng.uniform(6, 9))
                s.log(t2, "INFO", "api", f"checkout-api {version} started on {pod} (4 gunicorn workers)")
                s.log(t2 + timedelta(milliseconds=300), "INFO", "db",
                      f"pool 'primary' ready on {pod}: max={pool_max} min_idle=2 acquire_timeout=5s")
                s.log(t2 + timedelta(milliseconds=650), "INFO", "cache", f"redis connected on {pod} (cache-1.internal:6379)")
        mem_since_deploy += 1

        # metrics
        p_base = 0.0011
        fail_share = sum(w * db for _, w, _, db in DEMO_ENDPOINTS) * 0.62 * sev[i]
        err = s.error_pct(rate[i], p_base + fail_share)
        wait_ms = 70 * pre[i] + 1500 * sev[i]
        rt = 118 + rng.gauss(0, 6) + 12 * pre[i] + (err / 100) * 5000 + (1 - err / 100) * wait_ms * 0.75
        cpu = healthy_cpu + 0.028 * (rate[i] - 335) + 7 * sev[i] + cpu_noise[i] + (9 if i in deploys else 0)
        mem = 51.5 + 4.5 * (1 - math.exp(-mem_since_deploy / 22)) + 2.2 * sev[i] + mem_noise[i]
        s.point(i, cpu, mem, rate[i], err, rt)

        # sampled access log lines (about one request in ten)
        for _ in range(poisson(rng, rate[i] / 10)):
            ep, _w, med, db = rng.choices(DEMO_ENDPOINTS, weights=[e[1] for e in DEMO_ENDPOINTS])[0]
            path = ep.replace("{pid}", str(rng.randint(10000, 99999))).replace("{oid}", str(rng.randint(4_800_000, 4_899_999)))
            rid = hexid(rng, 12)
            t = s.when(i)
            uses_db = rng.random() < db
            fail = uses_db and rng.random() < 0.62 * sev[i]
            if fail:
                took = int(5000 + rng.uniform(3, 40))
                s.log(t - timedelta(milliseconds=rng.randint(5, 30)), "ERROR", "db",
                      f"timeout acquiring connection from pool 'primary' after 5000ms request_id={rid}")
                if ep.startswith("POST /api/v2/checkout"):
                    order = rng.randint(4_900_000, 4_999_999)
                    s.log(t - timedelta(milliseconds=rng.randint(1, 4)), "ERROR", "checkout",
                          f"order {order} failed: could not get a database connection (request_id={rid})")
                    if rng.random() < 0.5:
                        s.log(t + timedelta(milliseconds=rng.randint(40, 400)), "WARN", "payments",
                              f"voided authorization pi_{hexid(rng, 14)} for order {order}: order commit failed")
                s.log(t, "ERROR", "api", f"{path} status=500 took={took}ms request_id={rid}")
                continue
            took = int(lognorm(rng, med, 0.3))
            if uses_db and (sev[i] > 0 or pre[i] > 0):
                waited = int(max(40, rng.gauss(wait_ms, wait_ms * 0.35))) if sev[i] > 0 else int(rng.uniform(150, 900) * pre[i] + 60)
                took += waited
                if waited > 250 and rng.random() < 0.35:
                    in_use = pool_max
                    s.log(t - timedelta(milliseconds=waited // 2), "WARN", "db",
                          f"slow pool checkout: waited {waited}ms for a connection ('primary' {in_use}/{pool_max} busy) request_id={rid}")
            if rng.random() < 0.0011 and ep.startswith("GET /api/v2/orders"):
                s.log(t, "ERROR", "api", f"GET {path.split(' ')[1]} status=500 took={int(lognorm(rng, 30))}ms request_id={rid} "
                      f"(ValueError: invalid order id 'undefined')")
                continue
            s.log(t, "INFO", "api", f"{path} status=200 took={took}ms request_id={rid}")
            if ep.startswith("POST /api/v2/checkout"):
                pi = f"pi_{hexid(rng, 14)}"
                if rng.random() < 0.06:
                    s.log(t - timedelta(milliseconds=took // 2), "INFO", "payments",
                          f"authorization declined {pi}: insufficient_funds")
                else:
                    s.log(t - timedelta(milliseconds=took // 2), "INFO", "payments",
                          f"authorized {pi} EUR {rng.uniform(12, 240):.2f} ({rng.choice(['visa', 'mastercard', 'amex', 'paypal'])})")
                    if rng.random() < 0.5:
                        s.log(t + timedelta(seconds=rng.uniform(1, 6)), "INFO", "worker",
                              f"job send_receipt_email id={hexid(rng, 10)} done in {int(lognorm(rng, 180))}ms")

        # DB pool trouble signatures, on top of the per-request lines
        if sev[i] > 0:
            waiting = int(8 + 60 * sev[i] + rng.uniform(-5, 9))
            for _ in range(poisson(rng, 3 + 3 * sev[i])):
                s.log(s.when(i), "ERROR", "db",
                      f"connection pool exhausted: 'primary' max={pool_max} in_use={pool_max} waiting={max(1, waiting + rng.randint(-6, 6))}")
            for _ in range(poisson(rng, 1.5 * sev[i])):
                s.log(s.when(i), "ERROR", "worker",
                      f"job send_receipt_email id={hexid(rng, 10)} failed: timeout acquiring database connection, retry 1/5 in 30s")
        elif pre[i] > 0:
            for _ in range(poisson(rng, 2 * pre[i])):
                s.log(s.when(i), "WARN", "db",
                      f"slow pool checkout: waited {int(rng.uniform(250, 900))}ms for a connection ('primary' {pool_max}/{pool_max} busy)")

        # pool and cache stats every five minutes
        if i % 5 == 0:
            if sev[i] > 0:
                in_use, waiting, avg_wait = pool_max, int(20 + 50 * sev[i] + rng.uniform(-4, 6)), int(wait_ms + rng.uniform(-200, 400))
            else:
                in_use = min(pool_max, max(1, int(rate[i] / 75 + rng.uniform(-1, 1.5))))
                waiting, avg_wait = 0, int(rng.uniform(0, 3))
                if pre[i] > 0 or (pool_max < 30 and rate[i] > 500):
                    in_use, waiting, avg_wait = pool_max, int(rng.uniform(1, 6)), int(rng.uniform(90, 400))
            s.log(s.when(i, 0, 2), "INFO", "db",
                  f"pool 'primary' stats: max={pool_max} in_use={in_use} idle={pool_max - in_use} waiting={waiting} avg_wait={avg_wait}ms")
            s.log(s.when(i, 0, 3), "INFO", "cache",
                  f"hit ratio last 5m: cart={rng.uniform(0.9, 0.96):.2f} catalog={rng.uniform(0.84, 0.9):.2f} sessions={rng.uniform(0.97, 0.995):.3f}")

        # health checks (one pod's kubelet probe, sampled)
        for k in (3, 33):
            took = int(rng.uniform(1, 4)) if sev[i] < 0.5 else int(rng.uniform(2, 40))
            s.log(s.when(i, k, k + 1), "INFO", "api", f"GET /healthz status=200 took={took}ms")

        # benign noise, before and during the incident
        if rng.random() < 0.05:
            rid = hexid(rng, 12)
            p = rng.choice(["GET /api/v2/products?category=garden&sort=price", "GET /api/v2/products?q=sofa+bed",
                            "POST /api/v2/cart/items"])
            s.log(s.when(i), "WARN", "api", f"request exceeded 2000ms budget: {p} took={int(rng.uniform(2050, 4800))}ms request_id={rid}")
        if rng.random() < 0.045:
            t = s.when(i, 0, 55)
            s.log(t, "WARN", "api", f"inventory-svc call failed (connection reset by peer), retry 1/3 in {rng.choice([100, 200])}ms")
            s.log(t + timedelta(milliseconds=rng.randint(150, 600)), "INFO", "api", "inventory-svc retry 1/3 succeeded")
        if rng.random() < 0.02:
            s.log(s.when(i), "WARN", "cache", f"redis GET latency {rng.randint(26, 70)}ms above 25ms threshold (key=session:{hexid(rng, 10)})")
        if rng.random() < 0.035:
            s.log(s.when(i), "WARN", "payments", f"3DS challenge abandoned by customer for pi_{hexid(rng, 14)}")
        if rng.random() < 0.02:
            s.log(s.when(i), "WARN", "worker", f"duplicate webhook evt_{hexid(rng, 16)} from payment provider, ignoring")
        if i % 10 == 7:
            s.log(s.when(i), "INFO", "worker", f"analytics flush: {rng.randint(380, 520)} events sent to segment in {int(lognorm(rng, 420))}ms")
        if i in (s.idx("11:47"), s.idx("12:52"), s.idx("13:37"), s.idx("14:27")):
            t = s.when(i)
            s.log(t, "ERROR", "worker", "analytics flush failed: segment batch upload timed out after 10s; keeping 500 events for next flush")
        if i == campaign:
            s.log(s.when(i, 10, 20), "INFO", "worker",
                  "campaign 'spring-sale-26' email dispatched to 184,220 subscribers (links to /sale/spring)")
        if i == deploy_culprit + 17:
            s.log(s.when(i), "INFO", "worker",
                  f"autoscaler: checkout-api at 3/6 replicas, cpu {cpu:.0f}% (target 70%), no change")

    files = s.render_logs({"app.log": Plain()})
    return {
        "mcp-servers/logs-server/data/app.log": files["app.log"].encode(),
        "mcp-servers/git-server/data/recent_commits.json": s.git.to_json().encode(),
        "mcp-servers/datadog-server/data/metrics.json": s.metrics_json().encode(),
    }


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------

def outputs(which: str) -> dict[Path, bytes]:
    out: dict[Path, bytes] = {}
    if which in ("all", "demo"):
        for rel, data in build_demo().items():
            out[ROOT / rel] = data
    if which in ("all", "scenarios"):
        for name, fn in SCENARIOS.items():
            for rel, data in fn().items():
                out[SCENARIOS_DIR / name / rel] = data
    return out


def stale_files(which: str, out: dict[Path, bytes]) -> list[Path]:
    """Files in our scenario directories that the generator no longer writes."""
    if which not in ("all", "scenarios"):
        return []
    stale = []
    for name in SCENARIOS:
        d = SCENARIOS_DIR / name
        if d.is_dir():
            stale += [p for p in sorted(d.rglob("*")) if p.is_file() and p not in out]
    return stale


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("which", nargs="?", default="all", choices=["all", "demo", "scenarios"])
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    ap.add_argument("--summary", action="store_true", help="print a per-dataset sanity summary")
    args = ap.parse_args(argv)
    out = outputs(args.which)
    stale = stale_files(args.which, out)
    if args.check:
        bad = [p for p, data in out.items() if not p.exists() or p.read_bytes() != data] + stale
        for p in bad:
            print(f"out of date: {p.relative_to(ROOT)}")
        print(f"{len(out)} generated files checked, {len(bad)} out of date")
        return 1 if bad else 0
    for p, data in out.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists() or p.read_bytes() != data:
            p.write_bytes(data)
    for p in stale:
        p.unlink()
    if args.summary:
        summarize(out)
    print(f"wrote {len(out)} files ({sum(len(d) for d in out.values()) / 1e6:.2f} MB)")
    return 0


def summarize(out: dict[Path, bytes]) -> None:
    """Deploys, truth and per-minute error lines around the onset: enough to eyeball a dataset."""
    groups: dict[Path, dict[str, bytes]] = {}
    for p, data in out.items():
        if SCENARIOS_DIR in p.parents:
            d = SCENARIOS_DIR / p.relative_to(SCENARIOS_DIR).parts[0]
            groups.setdefault(d, {})[str(p.relative_to(d))] = data
        else:
            groups.setdefault(ROOT / "mcp-servers", {})[p.name if p.suffix != ".log" else "logs/" + p.name] = data
    for d, files in groups.items():
        print(f"== {d.relative_to(ROOT)}")
        git = json.loads(files.get("git/recent_commits.json") or files["recent_commits.json"])
        for dep in reversed(git["deployments"]):
            print(f"   deploy {dep['version']:8s} {dep['deployed_at']} {dep['status']:11s} {len(dep['commits'])} commits")
        truth = json.loads(files["truth.json"]) if "truth.json" in files else DEMO_TRUTH
        if truth:
            print(f"   truth: detected={truth['incident_detected']} culprit={truth['culprit']} onset={truth['onset']}")
        errs: dict[str, list[int]] = {}
        for name, data in files.items():
            if not name.startswith("logs/"):
                continue
            text = gzip.decompress(data).decode() if name.endswith(".gz") else data.decode()
            for line in text.splitlines():
                lvl = _line_level(line)
                minute = iso_z(_line_time(line))[:16]
                c = errs.setdefault(minute, [0, 0, 0])
                c[0] += 1
                c[1] += lvl in ("ERROR", "FATAL")
                c[2] += lvl == "WARN"
        metrics = json.loads(files.get("metrics/metrics.json") or files["metrics.json"])["metrics"]
        onset = truth["onset"][:16] if truth and truth["onset"] else None
        print("   minute            lines err warn |  cpu  mem   rate   err%    rt")
        for m in metrics:
            minute = m["timestamp"][:16]
            if onset and not (iso_z(at(onset) - timedelta(minutes=6))[:16] <= minute <= iso_z(at(onset) + timedelta(minutes=6))[:16]):
                continue
            if not onset and int(minute[-2:]) % 10:
                continue
            c = errs.get(minute, [0, 0, 0])
            mark = " <- onset" if minute == onset else ""
            print(f"   {minute} {c[0]:5d} {c[1]:3d} {c[2]:4d} | {m['cpu_usage']:4.1f} {m['memory_usage']:4.1f} "
                  f"{m['request_rate']:6.1f} {m['error_rate']:6.2f} {m['response_time_ms']:5d}{mark}")


def _line_level(line: str) -> str:
    if line.startswith("{"):
        obj = json.loads(line)
        v = next(obj[k] for k in ("level", "severity", "lvl") if k in obj)
    elif line.startswith("time="):
        v = line.split(" level=", 1)[1].split(" ", 1)[0]
    else:
        v = line.split(" ", 3)[2] if line[19] == " " else line.split(" ", 3)[2]
    v = v.upper()
    return {"WARNING": "WARN", "ERR": "ERROR", "CRITICAL": "FATAL"}.get(v, v)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
