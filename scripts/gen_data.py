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
from dataclasses import dataclass, field
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


def epoch_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


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

    def __init__(self, ms: bool = False, names: dict[str, str] | None = None, sep: str = " ", zulu: bool = False):
        self.ms = ms
        self.names = names or {}
        self.sep = sep  # 'T' for ISO-style stamps
        self.zulu = zulu

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        stamp = t.strftime(f"%Y-%m-%d{self.sep}%H:%M:%S")
        if self.ms:
            stamp += f".{t.microsecond // 1000:03d}"
        if self.zulu:
            stamp += "Z"
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
        if not comp:
            vals.pop("comp")
        obj = {self.keys[k]: vals[k] for k in self.first if k in vals}
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
                v = obj[k]
                if isinstance(v, int | float):  # epoch milliseconds (pino)
                    return datetime.fromtimestamp(v / 1000, UTC)
                return at(v.replace("+00:00", ""))
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
# a service's day: traffic, access lines, background noise and deploy restarts, one call per
# scenario; the scenario only says what its incident does to each minute (a `Minute`)
# --------------------------------------------------------------------------------------------


@dataclass
class Noise:
    """A kind of line the service writes whatever happens: per_min on average (Poisson), or
    exactly one every `every` minutes. `text(rng)` gives the message, or (message, fields)."""

    per_min: float
    level: str
    comp: str
    text: Callable[[random.Random], str | tuple[str, dict]]
    file: str | None = None  # default: the profile's main file
    every: int = 0


@dataclass
class Minute:
    """What the incident does to one minute (the defaults: nothing)."""

    rate_mult: float = 1.0
    fail: float = 0.0  # share of the affected requests that fail
    affects: tuple[str, ...] = ()  # endpoint prefixes that fail; () = all of them
    status: int = 500
    fail_ms: float | None = None  # how long a failing request takes (None: like the others)
    lat_mult: float = 1.0
    lat_add: float = 0.0
    cpu_add: float = 0.0
    mem: float | None = None  # absolute memory %, when the incident drives it
    cause: Callable[[datetime, str, str], None] | None = None  # logs why one failed request failed


@dataclass
class Profile:
    service: str
    file: str  # where access lines go
    comp: str  # their component
    endpoints: list[tuple[str, float, float]]  # "METHOD /path/{id}", weight, median ms
    rate: Callable[[float], float]  # healthy requests per minute at fraction x of the window
    rt_ms: float  # healthy mean response time
    cpu: float  # healthy CPU % at the first minute's traffic
    cpu_per_100: float  # CPU points per extra 100 requests a minute
    mem: float
    access: Callable[[str, str, int, int, str], tuple[str, dict]]  # method, path, status, took, rid
    noise: list[Noise] = field(default_factory=list)
    pods: int = 3
    base_fail: float = 0.0008  # background 5xx share
    sample: float = 0.03  # share of successful requests the access log keeps
    fail_sample: float = 0.3  # share of failing requests logged (cause and access line)
    restart: Callable[[Sim, datetime, str, str], None] | None = None  # (sim, t, pod, version)
    rid: Callable[[random.Random], str] = lambda rng: hexid(rng, 16)


FILL = {
    "{id}": lambda r: str(r.randint(100_000, 9_999_999)),
    "{hex}": lambda r: hexid(r, 10),
    "{sku}": lambda r: b36(r, 8),
}


def fill(rng: random.Random, path: str) -> str:
    for k, fn in FILL.items():
        while k in path:
            path = path.replace(k, fn(rng), 1)
    return path


def trend(a: float, b: float) -> Callable[[float], float]:
    return lambda x: a + (b - a) * smoothstep(x)


def bump(a: float, peak: float, center: float, width: float) -> Callable[[float], float]:
    """Flat at a, a smooth daily peak of `peak` around `center` (fractions of the window)."""
    return lambda x: a + (peak - a) * math.exp(-(((x - center) / width) ** 2))


def access_plain(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
    return f"{method} {path} {status} {took}ms request_id={rid}", {}


def access_fields(msg_ok: str = "request completed", msg_fail: str | None = None, took_key: str = "duration_ms"):
    """Structured access lines: a fixed message and the request as fields."""
    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        msg = msg_fail if (msg_fail and status >= 500) else msg_ok
        return msg, {"method": method, "path": path, "status": status, took_key: took, "request_id": rid}
    return access


def status_level(status: int) -> str:
    return "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"


def deploy_minutes(s: Sim) -> dict[int, str]:
    out = {}
    for d in s.git.deployments:
        i = int((at(d["deployed_at"].replace("Z", "")) - s.t0).total_seconds() // 60)
        if 0 <= i < s.n:
            out[i] = d["version"]
    return out


def default_restart(s: Sim, t: datetime, pod: str, version: str, p: Profile) -> None:
    s.log(t, "INFO", p.comp, f"received SIGTERM on {pod}, draining in-flight requests", p.file)
    t2 = t + timedelta(seconds=s.rng.uniform(5, 9))
    s.log(t2, "INFO", p.comp, f"{p.service} {version} starting on {pod}", p.file)
    s.log(t2 + timedelta(seconds=s.rng.uniform(1, 3)), "INFO", p.comp, f"{pod} ready, listening on :8080", p.file)


def run_service(s: Sim, p: Profile, incident: Callable[[int], Minute]) -> None:
    """Per-minute metrics and log lines for the whole window."""
    rng, n = s.rng, s.n
    rate_noise = ar_noise(rng, n, 0.035, 0.7)
    rt_noise = ar_noise(rng, n, 0.05, 0.5)
    cpu_noise = ar_noise(rng, n, 1.6, 0.5)
    mem_noise = ar_noise(rng, n, 0.4, 0.8)
    deploys = deploy_minutes(s)
    total_w = sum(w for _, w, _ in p.endpoints)
    rate0 = p.rate(0.0)
    for i in range(n):
        m = incident(i)
        rate = max(1.0, p.rate(i / max(n - 1, 1)) * (1 + rate_noise[i]) * m.rate_mult)
        affected = [e for e in p.endpoints if not m.affects or e[0].startswith(m.affects)]
        share = sum(w for _, w, _ in affected) / total_w if m.fail > 0 else 0.0
        p_fail = clamp(p.base_fail + m.fail * share, 0.0, 1.0)
        err = s.error_pct(rate, p_fail)
        ok_ms = p.rt_ms * m.lat_mult + m.lat_add
        fail_ms = m.fail_ms if m.fail_ms is not None else ok_ms
        e = err / 100
        rt = (ok_ms * (1 - e) + fail_ms * e) * (1 + rt_noise[i])
        blip = 0.0
        if i in deploys:
            blip = 8.0
        cpu = p.cpu + p.cpu_per_100 * (rate - rate0) / 100 + cpu_noise[i] + m.cpu_add + blip
        mem = m.mem if m.mem is not None else p.mem + mem_noise[i]
        s.point(i, cpu, mem + (0 if m.mem is not None else 0), rate, err, rt)

        # deploy: a rolling restart of the pods
        if i in deploys:
            for k in range(p.pods):
                pod = f"{p.service}-{hexid(rng, 5)}-{b36(rng, 5).lower()}"
                t = s.when(i, 2 + k * 55 / p.pods, 2 + (k + 1) * 55 / p.pods - 8)
                (p.restart or (lambda s_, t_, pod_, v_: default_restart(s_, t_, pod_, v_, p)))(s, t, pod, deploys[i])

        def request(ep: tuple[str, float, float], status: int, took: float, i: int = i) -> tuple[datetime, str]:
            method, path = ep[0].split(" ", 1)
            rid = p.rid(rng)
            t = s.when(i)
            msg, kv = p.access(method, fill(rng, path), status, int(max(1, took)), rid)
            s.log(t, status_level(status), p.comp, msg, p.file, **kv)
            return t, rid

        for _ in range(poisson(rng, rate * (1 - p_fail) * p.sample)):
            ep = rng.choices(p.endpoints, weights=[w for _, w, _ in p.endpoints])[0]
            took = lognorm(rng, ep[2] * m.lat_mult + m.lat_add, 0.4)
            request(ep, 201 if ep[0].startswith("POST") and rng.random() < 0.5 else 200, took)
        if m.fail > 0 and affected:
            for _ in range(poisson(rng, rate * (p_fail - p.base_fail) * p.fail_sample)):
                ep = rng.choices(affected, weights=[w for _, w, _ in affected])[0]
                took = (m.fail_ms if m.fail_ms is not None else lognorm(rng, ep[2] * m.lat_mult + m.lat_add, 0.4))
                took *= rng.uniform(0.98, 1.04)
                t, rid = request(ep, m.status, took)
                if m.cause:
                    m.cause(t - timedelta(milliseconds=rng.randint(2, 40)), rid, ep[0])
        for _ in range(poisson(rng, rate * p.base_fail * p.fail_sample)):
            ep = rng.choices(p.endpoints, weights=[w for _, w, _ in p.endpoints])[0]
            request(ep, rng.choice([500, 502]), lognorm(rng, ep[2], 0.6))

        for nz in p.noise:
            count = (1 if i % nz.every == 0 else 0) if nz.every else poisson(rng, nz.per_min)
            for _ in range(count):
                out = nz.text(rng)
                msg, kv = out if isinstance(out, tuple) else (out, {})
                s.log(s.when(i), nz.level, nz.comp, msg, nz.file or p.file, **kv)
# --------------------------------------------------------------------------------------------
# our own scenarios (tests/scenarios/<name>/): what each exercises is in docs/demo-data.md
# --------------------------------------------------------------------------------------------


def rollout(s: Sim, i: int, since: str, pods: int = 3, spacing_s: float = 50.0) -> float:
    """Share of pods running the version deployed at `since` by the end of minute i."""
    t0 = at(since) if "-" in since else at(s.t0.strftime("%Y-%m-%d ") + since)
    t = s.minute(i) + timedelta(seconds=59)
    done = sum(1 for k in range(pods) if t >= t0 + timedelta(seconds=10 + k * spacing_s))
    return done / pods


@scenario("search-cpu-regression")
def search_cpu_regression() -> dict[str, bytes]:
    """JSON lines in search-api.json (+ a rotated .gz): a ranking change makes every search CPU-bound."""
    s = Sim(seed=5050501, start="2026-05-05 05:30", minutes=330, service="search-api")
    g, rng = s.git, s.rng
    a = g.commit("2026-05-04 11:02", "ines.cho@shop.example", "Add synonyms for sneakers/trainers to the query expander",
                 ["search/synonyms/en.txt"])
    b = g.commit("2026-05-04 13:40", "dev.patel@shop.example", "Expose facet counts for the brand filter",
                 ["search/api/facets.py", "search/api/tests/test_facets.py"])
    g.deploy("v8.3.0", "2026-05-04 16:10", [a, b])
    c = g.commit("2026-05-05 06:31", "ines.cho@shop.example", "Update autocomplete placeholder strings",
                 ["web/search/strings.json"])
    g.deploy("v8.3.1", "2026-05-05 07:05", [c])
    d1 = g.commit("2026-05-05 08:02", "marta.kowalski@shop.example",
                  "Fuzzy title matching in ranking: per-term regex over candidate titles",
                  ["search/ranking/fuzzy.py", "search/ranking/scorer.py"])
    d2 = g.commit("2026-05-05 08:15", "dev.patel@shop.example", "Bump orjson to 3.10.7", ["requirements.txt"])
    g.deploy("v8.4.0", "2026-05-05 08:42", [d1, d2])
    g.commit("2026-05-05 10:41", "marta.kowalski@shop.example", "WIP: precompile fuzzy patterns once per query",
             ["search/ranking/fuzzy.py"])

    rate_fn = trend(260, 920)

    def slow(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "search.executor", "search deadline exceeded after 2000ms", "search-api.json",
              terms=rng.randint(1, 6), candidates=rng.randint(200, 4000), request_id=rid)

    def incident(i: int) -> Minute:
        share = rollout(s, i, "08:42")
        if share == 0:
            return Minute()
        rate = rate_fn(i / (s.n - 1))
        cpu_add = share * 0.062 * rate
        cpu = 20 + 0.028 * rate + cpu_add
        sat = clamp((cpu - 72) / 22, 0, 1)
        return Minute(cpu_add=cpu_add, lat_mult=1 + 2.6 * share + 7 * sat, fail=0.2 * sat, status=504,
                      fail_ms=2000, cause=slow)

    def throttled(r: random.Random) -> tuple[str, dict]:
        return "container cpu throttled", {"pod": f"search-api-{hexid(r, 5)}", "throttled_pct": r.randint(30, 70),
                                           "window": "60s"}

    def slow_search(r: random.Random) -> tuple[str, dict]:
        total = r.randint(900, 1900)
        return "slow search", {"total_ms": total, "ranking_fuzzy_ms": int(total * r.uniform(0.82, 0.93)),
                               "terms": r.randint(2, 7)}

    prof = Profile(
        service="search-api", file="search-api.json", comp="http",
        endpoints=[("GET /v2/search", 0.6, 62), ("GET /v2/suggest", 0.3, 14), ("GET /v2/facets/{id}", 0.1, 30)],
        rate=rate_fn, rt_ms=46, cpu=27, cpu_per_100=2.8, mem=48, access=access_fields(),
        sample=0.012, fail_sample=0.1,
        noise=[
            Noise(0, "INFO", "index", lambda r: ("index segment merged", {"segments": r.randint(3, 9),
                  "took_ms": int(lognorm(r, 800))}), every=10),
            Noise(0.25, "WARN", "http", lambda r: ("client closed request before response",
                  {"path": "/v2/search", "after_ms": r.randint(100, 900)})),
            Noise(0.06, "WARN", "index", lambda r: ("replica lagging behind primary", {"lag_docs": r.randint(120, 900)})),
            Noise(0.02, "ERROR", "http", lambda r: ("invalid query syntax", {"error": "unbalanced quotes",
                  "request_id": hexid(r, 16)})),
            Noise(0, "INFO", "cache", lambda r: ("query cache stats", {"hit_ratio": round(r.uniform(0.61, 0.7), 2)}),
                  every=5),
        ],
    )
    base_incident = incident

    def with_symptoms(i: int) -> Minute:
        m = base_incident(i)
        if m.cpu_add > 20:
            for _ in range(poisson(rng, 1.2)):
                msg, kv = throttled(rng)
                s.log(s.when(i), "WARN", "runtime", msg, "search-api.json", **kv)
        if m.lat_mult > 2.5:
            for _ in range(poisson(rng, 2.0)):
                msg, kv = slow_search(rng)
                s.log(s.when(i), "WARN", "search.executor", msg, "search-api.json", **kv)
        return m

    run_service(s, prof, with_symptoms)
    fmt = JsonLines("ts", "level", "msg", "logger", names={k: k.lower() for k in LEVELS})
    return scenario_files(
        s, {"search-api.json": fmt}, "search is really slow since this morning, some queries time out",
        truth_json(True, {"deploy": "v8.4.0", "commits": [d1]}, ["cpu"], "2026-05-05 08:43"),
        gz={"search-api.json.1.gz": ("search-api.json", at("2026-05-05 08:00"))},
    )


@scenario("webhooks-tls-cert-expired")
def webhooks_tls_cert_expired() -> dict[str, bytes]:
    """logfmt: the mTLS client certificate expires at midnight; a deploy nine minutes before is unrelated."""
    s = Sim(seed=4300430, start="2026-04-30 20:30", minutes=300, service="webhook-dispatcher")
    g, rng = s.git, s.rng
    a = g.commit("2026-04-30 14:02", "sam.oduya@shop.example", "Upgrade httpx to 0.28.1", ["requirements.txt"])
    b = g.commit("2026-04-30 15:40", "sam.oduya@shop.example", "Log partner response bodies on 4xx at debug level",
                 ["dispatcher/deliver.py"])
    g.deploy("v2.17.3", "2026-04-30 18:20", [a, b])
    c = g.commit("2026-04-30 22:10", "li.wei@shop.example", "Add refund template to Slack notifications",
                 ["dispatcher/templates/slack_refund.json", "dispatcher/render.py"])
    g.deploy("v2.18.0", "2026-04-30 23:51", [c])
    expiry = at("2026-05-01 00:00")
    mtls = ("POST ledger.partnerbank.example", "POST settlements.clearhouse.example")

    def deliver(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        if status >= 500:
            return "webhook delivery failed", {"dest": path, "attempt": rng.randint(1, 5), "event": f"evt_{rid[:12]}",
                                               "error": "remote error: tls: expired certificate"}
        return "webhook delivered", {"dest": path, "status": status, "took_ms": took, "event": f"evt_{rid[:12]}"}

    def incident(i: int) -> Minute:
        if s.minute(i) < expiry:
            return Minute()

        def why(t: datetime, rid: str, ep: str) -> None:
            if rng.random() < 0.4:
                s.log(t, "WARN", "retry", "delivery rescheduled", "dispatcher.log", event=f"evt_{rid[:12]}",
                      dest=ep.split(" ")[1], backoff_s=rng.choice([30, 60, 120, 240]))

        return Minute(fail=0.97, affects=mtls, status=502, fail_ms=38, rate_mult=1.25, cause=why)

    def cert_notice(r: random.Random) -> tuple[str, dict]:
        return "client certificate expires soon", {"cn": "webhooks.shop.example", "not_after": "2026-04-30T23:59:59Z"}

    prof = Profile(
        service="webhook-dispatcher", file="dispatcher.log", comp="deliver",
        endpoints=[("POST ledger.partnerbank.example", 0.3, 260), ("POST settlements.clearhouse.example", 0.14, 310),
                   ("POST hooks.acme-payments.example", 0.25, 180), ("POST api.crm-partner.example", 0.2, 220),
                   ("POST events.analytics-hub.example", 0.11, 140)],
        rate=bump(180, 240, 0.15, 0.4), rt_ms=215, cpu=21, cpu_per_100=6, mem=38, access=deliver,
        sample=0.08, fail_sample=0.2, base_fail=0.0,
        noise=[
            Noise(0.5, "WARN", "deliver", lambda r: ("partner responded slowly", {"dest": r.choice(
                ["api.crm-partner.example", "hooks.acme-payments.example"]), "took_ms": r.randint(2100, 4800)})),
            Noise(0.12, "ERROR", "deliver", lambda r: ("webhook delivery failed", {"dest": "api.crm-partner.example",
                  "attempt": r.randint(1, 3), "error": "partner returned 503"})),
            Noise(0, "INFO", "queue", lambda r: ("queue depth", {"pending": r.randint(4, 60), "inflight": r.randint(8, 20)}),
                  every=2),
            Noise(0.04, "WARN", "queue", lambda r: ("message redelivered after visibility timeout",
                  {"event": f"evt_{hexid(r, 12)}"})),
        ],
    )

    def with_notices(i: int) -> Minute:
        t = s.minute(i)
        if t.minute == 0 and t < expiry:
            msg, kv = cert_notice(rng)
            kv["expires_in"] = f"{int((expiry - t).total_seconds() // 3600)}h"
            s.log(s.when(i, 0, 2), "WARN", "tls", msg, "dispatcher.log", **kv)
        if t >= expiry and t.minute % 5 == 0:
            s.log(s.when(i, 0, 2), "ERROR", "tls", "client certificate has expired", "dispatcher.log",
                  cn="webhooks.shop.example", not_after="2026-04-30T23:59:59Z")
        return incident(i)

    run_service(s, prof, with_notices)
    fmt = Logfmt(order=("time", "level", "msg", "component"))
    return scenario_files(
        s, {"dispatcher.log": fmt}, "partners say they stopped receiving our webhooks around midnight",
        truth_json(True, None, ["certificate", "tls", "x509"], "2026-05-01 00:00"),
        gz={"dispatcher.log.1.gz": ("dispatcher.log", at("2026-04-30 23:00"))},
    )


@scenario("ingest-disk-full")
def ingest_disk_full() -> dict[str, bytes]:
    """logfmt worker log + plain API log: debug logging shipped two hours earlier fills the disk;
    an unrelated deploy lands six minutes before writes start failing."""
    s = Sim(seed=6100610, start="2026-06-10 07:30", minutes=300, service="ingest-worker")
    g, rng = s.git, s.rng
    a = g.commit("2026-06-09 10:14", "noor.haddad@shop.example", "Accept gzip-encoded event batches",
                 ["ingest/api/decode.py", "ingest/api/tests/test_decode.py"])
    g.deploy("v4.8.2", "2026-06-09 15:30", [a])
    b1 = g.commit("2026-06-10 08:21", "tomas.berg@shop.example",
                  "Turn on debug output for the payload normalizer to chase malformed events",
                  ["config/logging.yaml", "ingest/normalize.py"])
    b2 = g.commit("2026-06-10 08:40", "noor.haddad@shop.example", "Reject events with timestamps more than 7 days old",
                  ["ingest/validate.py"])
    g.deploy("v4.9.0", "2026-06-10 09:15", [b1, b2])
    c = g.commit("2026-06-10 10:12", "amelia.fox@shop.example", "Add CSV export of daily ingest totals for finance",
                 ["ingest/reports/export.py", "ingest/reports/templates/daily.csv.j2"])
    g.deploy("v4.9.1", "2026-06-10 11:02", [c])
    debug_from, full_at = s.idx("09:16"), s.idx("11:08")
    disk0 = 61.0

    def disk(i: int) -> float:
        if i < debug_from:
            return disk0 + 0.004 * i
        return min(100.0, disk0 + 0.004 * i + (100.0 - disk0 - 0.004 * full_at) * (i - debug_from) / (full_at - debug_from))

    def no_space(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "spool", "failed to persist batch", "ingest.log", batch=f"b-{hexid(rng, 8)}",
              events=rng.randint(40, 500),
              err=f"write /var/lib/ingest/spool/seg-{rng.randint(100000, 999999)}.log: no space left on device")
        s.log(t + timedelta(milliseconds=3), "ERROR", "ingest", f"spool write failed, rejecting batch request_id={rid}",
              "api.log")

    def incident(i: int) -> Minute:
        if i >= debug_from:
            for _ in range(poisson(rng, 34)):  # the debug output itself
                s.log(s.when(i), "DEBUG", "normalize", "normalized payload", "ingest.log",
                      source=rng.choice(["web", "ios", "android", "pos"]), keys=rng.randint(8, 40),
                      size_bytes=rng.randint(400, 9000), dropped_fields=rng.randint(0, 3))
        d = disk(i)
        if d >= 85 and i % 2 == 0:
            s.log(s.when(i, 0, 5), "WARN", "health", f"disk usage on /var/lib/ingest at {d:.0f}% (threshold 85%)",
                  "ingest.log")
        if i < full_at:
            return Minute(cpu_add=6.0 if i >= debug_from else 0.0)
        return Minute(fail=0.78 + 0.1 * rng.random(), affects=("POST /v1/events",), status=503, fail_ms=9,
                      cpu_add=3.0, cause=no_space)

    prof = Profile(
        service="ingest-worker", file="api.log", comp="http",
        endpoints=[("POST /v1/events", 0.86, 18), ("GET /v1/health", 0.1, 2), ("GET /v1/sources/{id}", 0.04, 9)],
        rate=bump(1400, 1900, 0.55, 0.35), rt_ms=16, cpu=34, cpu_per_100=1.1, mem=57, access=access_plain,
        sample=0.006, fail_sample=0.02,
        noise=[
            Noise(3.2, "INFO", "spool", lambda r: ("batch persisted", {"batch": f"b-{hexid(r, 8)}",
                  "events": r.randint(40, 500), "took_ms": r.randint(3, 30)}), file="ingest.log"),
            Noise(0, "INFO", "compactor", lambda r: ("compacted segments", {"segments": r.randint(4, 12),
                  "freed_mb": r.randint(20, 90)}), file="ingest.log", every=15),
            Noise(0.3, "WARN", "normalize", lambda r: ("dropped malformed event", {"source": r.choice(["ios", "pos"]),
                  "reason": "missing event_type"}), file="ingest.log"),
            Noise(0.05, "ERROR", "forwarder", lambda r: ("forward to warehouse failed, will retry",
                  {"err": "context deadline exceeded", "attempt": r.randint(1, 3)}), file="ingest.log"),
            Noise(0.15, "WARN", "http", lambda r: f"request body too large ({r.randint(5, 9)}MB), rejected with 413"),
        ],
    )
    run_service(s, prof, incident)
    return scenario_files(
        s, {"api.log": Plain(ms=True), "ingest.log": Logfmt(order=("time", "level", "component", "msg"))},
        "event ingestion is rejecting batches, producers see 503s",
        truth_json(True, {"deploy": "v4.9.0", "commits": [b1]}, ["disk", "no space", "storage"], "2026-06-10 11:08"),
        gz={"ingest.log.1.gz": ("ingest.log", at("2026-06-10 10:00"))},
    )


@scenario("notifications-dns-failure")
def notifications_dns_failure() -> dict[str, bytes]:
    """JSON lines (@timestamp/severity/message/logger) in two files: the cluster resolver fails for
    half an hour; a deploy 25 minutes earlier changed unrelated code."""
    s = Sim(seed=7210721, start="2026-07-21 12:30", minutes=240, service="notification-service")
    g, rng = s.git, s.rng
    a = g.commit("2026-07-20 11:05", "femi.adeyemi@shop.example", "Retry SMTP sends with exponential backoff",
                 ["app/email/smtp.py", "app/email/tests/test_smtp.py"])
    g.deploy("v3.2.4", "2026-07-20 17:00", [a])
    b = g.commit("2026-07-21 13:58", "julia.santos@shop.example", "Add per-tenant quiet hours to notification preferences",
                 ["app/preferences/quiet_hours.py", "app/api/preferences.py", "migrations/0031_quiet_hours.py"])
    g.deploy("v3.3.0", "2026-07-21 15:12", [b])
    out_from, out_to = s.idx("15:37"), s.idx("16:04")
    hosts = {"email": "smtp-relay.mail.internal", "push": "apns-proxy.push.internal", "sms": "sms-gateway.internal"}

    def send(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        ch = path.strip("/")
        if status >= 500:
            return "notification send failed", {"channel": ch, "notification_id": rid,
                                                "error": f"getaddrinfo EAI_AGAIN {hosts[ch]}"}
        return "notification sent", {"channel": ch, "notification_id": rid, "took_ms": took}

    def resolver(t: datetime, rid: str, ep: str) -> None:
        if rng.random() < 0.15:
            s.log(t, "WARN", "dns", f"lookup {rng.choice(list(hosts.values()))} on 10.96.0.10:53: read udp "
                  f"10.1.{rng.randint(1, 9)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)}->10.96.0.10:53: i/o timeout",
                  "worker.json.log")

    def incident(i: int) -> Minute:
        if out_from <= i < out_to:
            ramp = 0.55 if i == out_from else 0.93
            return Minute(fail=ramp, status=500, fail_ms=5000, cause=resolver)
        return Minute()

    prof = Profile(
        service="notification-service", file="worker.json.log", comp="sender",
        endpoints=[("SEND /email", 0.55, 420), ("SEND /push", 0.35, 160), ("SEND /sms", 0.1, 650)],
        rate=bump(520, 760, 0.5, 0.35), rt_ms=330, cpu=29, cpu_per_100=3, mem=44, access=send,
        sample=0.02, fail_sample=0.06,
        noise=[
            Noise(9, "INFO", "api", lambda r: ("accepted notification", {"tenant": f"t-{r.randint(100, 999)}",
                  "channel": r.choice(["email", "push", "sms"]), "status": 202}), file="api.json.log"),
            Noise(0.4, "WARN", "api", lambda r: ("rejected notification: recipient opted out",
                  {"tenant": f"t-{r.randint(100, 999)}"}), file="api.json.log"),
            Noise(0.2, "WARN", "sender", lambda r: ("push token no longer valid, removing",
                  {"device": hexid(r, 16)})),
            Noise(0.08, "ERROR", "sender", lambda r: ("smtp relay rejected recipient",
                  {"code": 550, "error": "mailbox unavailable"})),
            Noise(0, "INFO", "queue", lambda r: ("queue stats", {"ready": r.randint(0, 40), "unacked": r.randint(5, 30)}),
                  every=3),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("@timestamp", "severity", "message", "logger", time_fmt=iso_us_offset,
                    names={"WARN": "WARNING"}, first=("time", "level", "comp", "msg"))
    return scenario_files(
        s, {"worker.json.log": fmt, "api.json.log": fmt}, "customers not getting emails or push notifications",
        truth_json(True, None, ["dns", "name resolution", "resolv"], "2026-07-21 15:37"),
    )


@scenario("inventory-deploy-false-alarm")
def inventory_deploy_false_alarm() -> dict[str, bytes]:
    """logfmt in two files (+ a rotated .gz): a deploy mid-afternoon is followed by nothing wrong,
    only a restart blip, a lunch-time traffic peak and the usual background errors."""
    s = Sim(seed=8040804, start="2026-08-04 10:30", minutes=270, service="inventory-service")
    g, rng = s.git, s.rng
    a = g.commit("2026-08-03 09:30", "rafael.dias@shop.example", "Add warehouse WH-12 (Lyon) to the stock sync",
                 ["inventory/warehouses.yaml"])
    g.deploy("v7.1.3", "2026-08-03 14:10", [a])
    b1 = g.commit("2026-08-04 11:20", "rafael.dias@shop.example", "Sync stock counts every 5 minutes instead of 10",
                  ["inventory/sync/schedule.py", "config/sync.yaml"])
    b2 = g.commit("2026-08-04 12:05", "hana.suzuki@shop.example", "Return reserved quantity in GET /v1/stock",
                  ["inventory/api/stock.py", "inventory/api/tests/test_stock.py"])
    g.deploy("v7.2.0", "2026-08-04 14:02", [b1, b2])
    blip = s.idx("11:47")

    def incident(i: int) -> Minute:
        if i == blip:
            for _ in range(7):
                s.log(s.when(i, 10, 25), "WARN", "api", "rejected stock update: sku not found", "inventory.log",
                      sku=b36(rng, 8), client="pos-sync")
        if s.idx("14:02") <= i <= s.idx("14:03"):
            s.log(s.when(i), "WARN", "api", "readiness probe failed: connection refused", "inventory.log")
        return Minute()

    prof = Profile(
        service="inventory-service", file="inventory.log", comp="api",
        endpoints=[("GET /v1/stock/{sku}", 0.7, 22), ("POST /v1/stock/reservations", 0.2, 48),
                   ("DELETE /v1/stock/reservations/{id}", 0.1, 30)],
        rate=bump(380, 560, 0.35, 0.22), rt_ms=31, cpu=24, cpu_per_100=4, mem=52, access=access_fields("http request"),
        sample=0.03, fail_sample=0.4,
        noise=[
            Noise(0, "INFO", "sync", lambda r: ("stock sync finished", {"warehouse": f"WH-{r.randint(1, 12):02d}",
                  "skus": r.randint(8000, 14000), "took_ms": int(lognorm(r, 2400))}), file="sync-worker.log", every=2),
            Noise(0.07, "ERROR", "sync", lambda r: ("stock sync failed, retrying in 60s",
                  {"warehouse": f"WH-{r.randint(1, 12):02d}", "err": "supplier feed timeout"}), file="sync-worker.log"),
            Noise(0.3, "WARN", "sync", lambda r: ("supplier feed returned malformed rows, skipped",
                  {"rows": r.randint(1, 6), "supplier": r.choice(["acme-wholesale", "nordic-goods"])}),
                  file="sync-worker.log"),
            Noise(0.1, "WARN", "api", lambda r: ("slow query", {"table": "stock_levels", "took_ms": r.randint(500, 1400)})),
            Noise(0.03, "ERROR", "api", lambda r: ("reservation conflict", {"sku": b36(r, 8), "err": "version mismatch"})),
        ],
    )
    run_service(s, prof, incident)
    fmt = Logfmt(order=("time", "level", "msg", "component"))
    return scenario_files(
        s, {"inventory.log": fmt, "sync-worker.log": fmt},
        "did the 14:00 inventory deploy break something? a store manager says stock looks wrong",
        truth_json(False, None, [], None),
        gz={"inventory.log.1.gz": ("inventory.log", at("2026-08-04 12:00"))},
    )


@scenario("ledger-lock-contention")
def ledger_lock_contention() -> dict[str, bytes]:
    """JSON lines (time/lvl/message/module) in two files: a job shipped 72 minutes before the impact
    holds row locks when it first runs; an unrelated deploy lands five minutes before it."""
    s = Sim(seed=9140914, start="2026-09-14 09:00", minutes=270, service="ledger-api")
    g, rng = s.git, s.rng
    a = g.commit("2026-09-13 10:40", "oskar.lind@shop.example", "Add currency code column to statement CSV",
                 ["ledger/statements/csv.py"])
    g.deploy("v12.3.2", "2026-09-13 15:30", [a])
    b1 = g.commit("2026-09-14 08:52", "priya.nair@shop.example",
                  "Reconcile account balances every 2 hours in a single transaction for consistency",
                  ["ledger/jobs/reconcile_balances.py", "ledger/jobs/schedule.yaml"])
    b2 = g.commit("2026-09-14 09:31", "oskar.lind@shop.example", "Add Prometheus histogram for transfer latency",
                  ["ledger/metrics.py", "ledger/api/transfers.py"])
    g.deploy("v12.4.0", "2026-09-14 10:48", [b1, b2])
    c = g.commit("2026-09-14 11:20", "mei.lin@shop.example", "Put the request id in the statement PDF footer",
                 ["ledger/statements/pdf.py", "ledger/statements/templates/footer.html"])
    g.deploy("v12.4.1", "2026-09-14 11:55", [c])
    runs = [(s.idx("12:00"), s.idx("12:27"))]
    locked = lambda i: any(a <= i < b for a, b in runs)  # noqa: E731

    def lock_wait(t: datetime, rid: str, ep: str) -> None:
        table = "accounts" if "transfers" in ep or "holds" in ep else "account_holds"
        s.log(t, "ERROR", "ledger.db", "Lock wait timeout exceeded; try restarting transaction", "ledger-api.log",
              table=table, statement="UPDATE accounts SET balance = balance + ? WHERE id = ?", request_id=rid)

    def incident(i: int) -> Minute:
        for a, b in runs:
            if i == a:
                s.log(s.clock("12:00:00"), "INFO", "jobs", "job reconcile_balances started", "jobs.log",
                      accounts=48211, schedule="0 */2 * * *")
            if a < i < b and i % 2 == 0:
                s.log(s.when(i, 0, 3), "WARN", "ledger.db.monitor",
                      f"transaction open for {(i - a) * 60 + rng.randint(0, 40)}s holding row locks on accounts",
                      "ledger-api.log", client="reconcile_balances", locks=48211)
            if i == b:
                s.log(s.when(i, 10, 20), "INFO", "jobs", "job reconcile_balances finished", "jobs.log",
                      took_s=(b - a) * 60 + rng.randint(0, 50), updated=48211)
        if locked(i):
            return Minute(fail=0.55, affects=("POST /v1/transfers", "POST /v1/accounts"), status=500, fail_ms=10_000,
                          lat_mult=4.0, cause=lock_wait)
        return Minute()

    prof = Profile(
        service="ledger-api", file="ledger-api.log", comp="ledger.http",
        endpoints=[("POST /v1/transfers", 0.32, 85), ("POST /v1/accounts/{id}/holds", 0.1, 60),
                   ("GET /v1/accounts/{id}/balance", 0.43, 12), ("GET /v1/statements/{id}", 0.15, 140)],
        rate=bump(640, 820, 0.45, 0.4), rt_ms=48, cpu=31, cpu_per_100=3, mem=61, access=access_fields("request"),
        sample=0.025, fail_sample=0.2,
        noise=[
            Noise(0, "INFO", "jobs", lambda r: ("job expire_holds finished", {"expired": r.randint(0, 40),
                  "took_s": r.randint(1, 4)}), file="jobs.log", every=10),
            Noise(0, "INFO", "jobs", lambda r: ("job export_statements finished", {"statements": r.randint(100, 900),
                  "took_s": r.randint(20, 80)}), file="jobs.log", every=30),
            Noise(0.2, "WARN", "ledger.http", lambda r: ("idempotency key reused with a different payload",
                  {"key": hexid(r, 16)})),
            Noise(0.06, "ERROR", "ledger.db", lambda r: ("deadlock detected, transaction retried",
                  {"table": "account_holds", "attempt": 1})),
            Noise(0.1, "WARN", "ledger.http", lambda r: ("insufficient funds", {"account": r.randint(100000, 999999)})),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("time", "lvl", "message", "module", names={"WARN": "WARNING"})
    return scenario_files(
        s, {"ledger-api.log": fmt, "jobs.log": fmt}, "transfers failing with 500s at noon, ledger API very slow",
        truth_json(True, {"deploy": "v12.4.0", "commits": [b1]}, ["lock"], "2026-09-14 12:00"),
        gz={"ledger-api.log.1.gz": ("ledger-api.log", at("2026-09-14 11:00"))},
    )


@scenario("gateway-heap-leak")
def gateway_heap_leak() -> dict[str, bytes]:
    """Plain lines with milliseconds (+ two rotated .gz): a change shipped 2 h 20 min before the
    impact leaks heap until the JVMs die with OutOfMemoryError."""
    s = Sim(seed=1002100, start="2026-10-02 06:00", minutes=330, service="api-gateway")
    g, rng = s.git, s.rng
    a = g.commit("2026-10-01 12:15", "elif.yildiz@shop.example", "Route /v3/reviews to the new reviews service",
                 ["gateway/src/main/resources/routes.yaml"])
    g.deploy("v5.6.2", "2026-10-01 16:45", [a])
    b = g.commit("2026-10-02 06:05", "elif.yildiz@shop.example", "Tune upstream keep-alive to 30s",
                 ["gateway/src/main/resources/application.yaml"])
    g.deploy("v5.6.3", "2026-10-02 06:35", [b])
    c1 = g.commit("2026-10-02 06:48", "bruno.costa@shop.example",
                  "Keep decoded JWT claims per request id for the audit replay endpoint",
                  ["gateway/src/main/java/com/shop/gateway/auth/ClaimsCache.java",
                   "gateway/src/main/java/com/shop/gateway/audit/ReplayController.java"])
    c2 = g.commit("2026-10-02 06:55", "elif.yildiz@shop.example", "Bump netty to 4.1.114.Final", ["gateway/pom.xml"])
    g.deploy("v5.7.0", "2026-10-02 07:20", [c1, c2])
    g.commit("2026-10-02 10:58", "bruno.costa@shop.example", "Evict replay claims after 5 minutes",
             ["gateway/src/main/java/com/shop/gateway/auth/ClaimsCache.java"])
    leak_from, oom_at = s.idx("07:21"), s.idx("09:42")
    heap_max = 4096

    def heap(i: int) -> float:
        if i < leak_from:
            return 46.0
        if i < oom_at:
            return 46.0 + 48.0 * (i - leak_from) / (oom_at - leak_from)
        return 80.0 + 12.0 * math.sin((i - oom_at) / 3.0) + rng.uniform(-3, 3)

    def oom(t: datetime, rid: str, ep: str) -> None:
        if rng.random() < 0.25:
            s.log(t, "ERROR", "RequestHandler", f"request {rid} failed: java.lang.OutOfMemoryError: Java heap space",
                  "gateway.log")

    def incident(i: int) -> Minute:
        h = heap(i)
        if h > 82 and i < oom_at and i % 2 == 0:
            used = int(heap_max * h / 100)
            s.log(s.when(i), "WARN", "gc", f"G1 Evacuation Pause {int(40 + (h - 80) * 25 + rng.uniform(0, 60))}ms, "
                  f"heap {used}M->{used - rng.randint(5, 40)}M({heap_max}M)", "gateway.log")
        if i < oom_at:
            return Minute(mem=h + rng.gauss(0, 0.4), lat_mult=1 + max(0.0, h - 88) * 0.05)
        for _ in range(poisson(rng, 1.3)):
            pod = f"api-gateway-{hexid(rng, 5)}-{b36(rng, 5).lower()}"
            t = s.when(i)
            s.log(t, "ERROR", "JvmMonitor", f"java.lang.OutOfMemoryError: Java heap space (pod {pod})", "gateway.log")
            s.log(t + timedelta(seconds=rng.uniform(2, 6)), "WARN", "Kubelet",
                  f"container api-gateway in {pod} OOMKilled (exit code 137), restarting", "gateway.log")
        return Minute(mem=h, fail=0.2 + 0.1 * rng.random(), status=502, fail_ms=rng.uniform(3000, 8000),
                      lat_mult=2.8, cause=oom)

    prof = Profile(
        service="api-gateway", file="gateway.log", comp="AccessLog",
        endpoints=[("GET /v3/products/{id}", 0.4, 48), ("GET /v3/cart", 0.2, 35), ("POST /v3/cart/items", 0.12, 70),
                   ("POST /v3/checkout", 0.06, 260), ("GET /v3/reviews/{id}", 0.12, 55), ("GET /v3/me", 0.1, 20)],
        rate=trend(1100, 2300), rt_ms=52, cpu=33, cpu_per_100=1.4, mem=46, access=access_plain,
        sample=0.008, fail_sample=0.06, pods=4,
        noise=[
            Noise(0.35, "WARN", "UpstreamClient", lambda r: f"upstream reviews-service slow: {r.randint(1100, 3000)}ms "
                  f"for GET /v3/reviews/{r.randint(1000, 99999)}"),
            Noise(0.1, "ERROR", "UpstreamClient", lambda r: "upstream cart-service connection reset, retried once"),
            Noise(0.2, "WARN", "JwtFilter", lambda r: "rejected expired token (exp in the past), 401"),
            Noise(0, "INFO", "gc", lambda r: f"G1 Young Generation pause {r.randint(8, 25)}ms", every=1),
            Noise(0, "INFO", "RateLimiter", lambda r: f"buckets={r.randint(9000, 14000)} rejected_last_5m="
                  f"{r.randint(0, 30)}", every=5),
        ],
    )
    run_service(s, prof, incident)
    fmt = Plain(ms=True)
    return scenario_files(
        s, {"gateway.log": fmt}, "lots of 502s from the gateway, pods keep restarting",
        truth_json(True, {"deploy": "v5.7.0", "commits": [c1]}, ["memory", "heap", "out of memory", "oom"],
                   "2026-10-02 09:42"),
        gz={"gateway.log.2.gz": ("gateway.log", at("2026-10-02 07:00")),
            "gateway.log.1.gz": ("gateway.log", at("2026-10-02 09:00"))},
    )


@scenario("shipping-carrier-outage")
def shipping_carrier_outage() -> dict[str, bytes]:
    """logfmt (+ a rotated .gz): a carrier's API fails for 70 minutes; a deploy four minutes before
    touched e-mail templates, one two days before upgraded that carrier's SDK."""
    s = Sim(seed=1127112, start="2026-11-27 11:30", minutes=270, service="fulfillment-api")
    g, rng = s.git, s.rng
    a = g.commit("2026-11-24 16:20", "kofi.mensah@shop.example", "Upgrade parcelnet SDK to 4.2",
                 ["requirements.txt", "fulfillment/carriers/parcelnet.py"])
    g.deploy("v9.11.0", "2026-11-25 10:00", [a])
    b1 = g.commit("2026-11-27 12:48", "sofia.marin@shop.example", "Show delivery ETA in the order confirmation email",
                  ["fulfillment/emails/confirmation.html", "fulfillment/emails/render.py"])
    b2 = g.commit("2026-11-27 13:30", "kofi.mensah@shop.example", "Fix typo in packing slip footer",
                  ["fulfillment/templates/packing_slip.html"])
    g.deploy("v9.12.0", "2026-11-27 14:17", [b1, b2])
    out_from, out_to = s.idx("14:21"), s.idx("15:34")

    def carrier(t: datetime, rid: str, ep: str) -> None:
        if "rates" in ep:
            s.log(t, "ERROR", "carrier", "rate quote failed", "fulfillment.log", carrier="parcelnet",
                  url="https://api.parcelnet.example/v2/rates", status=503, attempt="3/3",
                  err="503 Service Unavailable", request_id=rid)
        else:
            s.log(t, "ERROR", "carrier", "label purchase failed", "fulfillment.log", carrier="parcelnet",
                  shipment=rng.randint(8_000_000, 8_999_999), err="upstream returned 503 Service Unavailable",
                  request_id=rid)

    def incident(i: int) -> Minute:
        if out_from <= i < out_to:
            if i % 3 == 0:
                s.log(s.when(i, 0, 5), "WARN", "carrier", "circuit breaker open", "fulfillment.log",
                      carrier="parcelnet", failure_ratio=round(rng.uniform(0.8, 0.99), 2))
            return Minute(fail=0.9, affects=("GET /v1/rates", "POST /v1/shipments"), status=503, fail_ms=6200,
                          cause=carrier)
        return Minute()

    prof = Profile(
        service="fulfillment-api", file="fulfillment.log", comp="http",
        endpoints=[("GET /v1/rates", 0.35, 420), ("POST /v1/shipments/{id}/label", 0.15, 900),
                   ("GET /v1/shipments/{id}", 0.3, 25), ("GET /v1/orders/{id}/tracking", 0.2, 40)],
        rate=bump(300, 520, 0.5, 0.3), rt_ms=240, cpu=27, cpu_per_100=3, mem=49, access=access_fields(),
        sample=0.04, fail_sample=0.12,
        noise=[
            Noise(0.3, "WARN", "carrier", lambda r: ("rate quote slow", {"carrier": r.choice(["parcelnet", "dhl"]),
                  "took_ms": r.randint(2000, 4500)})),
            Noise(0.06, "ERROR", "carrier", lambda r: ("label purchase failed", {"carrier": "dhl",
                  "err": "address validation failed"})),
            Noise(0.2, "WARN", "tracking", lambda r: ("tracking number not found yet", {"carrier": "dhl"})),
            Noise(0, "INFO", "worker", lambda r: ("pickup manifest sent", {"carrier": r.choice(["parcelnet", "dhl"]),
                  "parcels": r.randint(40, 300)}), every=15),
        ],
    )
    run_service(s, prof, incident)
    fmt = Logfmt(order=("time", "level", "component", "msg"), names={"WARN": "warning"})
    return scenario_files(
        s, {"fulfillment.log": fmt}, "shipping labels failing for warehouse staff, checkout shows no delivery options",
        truth_json(True, None, ["parcelnet", "carrier", "upstream", "dependency"], "2026-11-27 14:21"),
        gz={"fulfillment.log.1.gz": ("fulfillment.log", at("2026-11-27 13:00"))},
    )


@scenario("storefront-traffic-surge")
def storefront_traffic_surge() -> dict[str, bytes]:
    """JSON lines (+ a rotated .gz): a scraper triples the traffic; a footer deploy five minutes before."""
    s = Sim(seed=1201120, start="2026-12-01 17:30", minutes=240, service="storefront-web")
    g, rng = s.git, s.rng
    a = g.commit("2026-12-01 15:40", "chloe.martin@shop.example", "Lazy-load product images below the fold",
                 ["web/components/ProductGrid.tsx", "web/components/LazyImage.tsx"])
    g.deploy("v14.2.0", "2026-12-01 19:02", [a])
    b = g.commit("2026-12-01 19:40", "chloe.martin@shop.example", "Fix footer link to the careers page",
                 ["web/templates/footer.html"])
    g.deploy("v14.2.1", "2026-12-01 20:09", [b])
    surge = s.idx("20:14")

    def shed(t: datetime, rid: str, ep: str) -> None:
        if rng.random() < 0.5:
            s.log(t, "ERROR", "server", "worker pool exhausted, shedding request", "web.jsonl",
                  busy=64, size=64, queued=rng.randint(200, 900), request_id=rid)

    def incident(i: int) -> Minute:
        if i < surge:
            return Minute()
        x = smoothstep((i - surge + 1) / 3)
        mult = 1 + 2.1 * x
        if x > 0.3:
            for _ in range(poisson(rng, 6 * x)):
                s.log(s.when(i), "WARN", "ratelimit", "rate limit exceeded", "web.jsonl",
                      client=f"203.0.113.{rng.randint(2, 250)}", ua="Mozilla/5.0 (compatible; PriceScraper/2.1)",
                      limit="600/min")
        sat = clamp((mult - 1.6) / 1.2, 0, 1)
        return Minute(rate_mult=mult, cpu_add=0, fail=0.28 * sat, status=503, fail_ms=15000, lat_mult=1 + 5 * sat,
                      cause=shed)

    prof = Profile(
        service="storefront-web", file="web.jsonl", comp="http",
        endpoints=[("GET /", 0.15, 90), ("GET /p/{sku}", 0.45, 120), ("GET /c/{id}", 0.25, 140),
                   ("GET /search", 0.1, 160), ("POST /cart", 0.05, 80)],
        rate=bump(820, 1000, 0.6, 0.4), rt_ms=118, cpu=34, cpu_per_100=2.6, mem=58, access=access_fields("request"),
        sample=0.008, fail_sample=0.03,
        noise=[
            Noise(0.3, "WARN", "render", lambda r: ("template render slow", {"template": "pdp.html",
                  "took_ms": r.randint(800, 2000)})),
            Noise(0.05, "ERROR", "render", lambda r: ("missing translation", {"key": "footer.legal", "locale": "pt-BR"})),
            Noise(0, "INFO", "cache", lambda r: ("cdn purge completed", {"paths": r.randint(1, 40)}), every=20),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("ts", "level", "msg", "service", time_fmt=iso_ms_z, names={k: k.lower() for k in LEVELS})
    return scenario_files(
        s, {"web.jsonl": fmt}, "storefront very slow and throwing 503s",
        truth_json(True, None, ["traffic", "surge", "load", "capacity"], "2026-12-01 20:14"),
        gz={"web.jsonl.1.gz": ("web.jsonl", at("2026-12-01 19:00"))},
    )


@scenario("billing-credentials-deploy")
def billing_credentials_deploy() -> dict[str, bytes]:
    """Plain ISO-8601 lines with Z (+ a rotated .gz): a deploy moves the processor API key to a new
    secret path and every charge is rejected with 401 until it is rolled back."""
    s = Sim(seed=1120112, start="2027-01-12 06:30", minutes=240, service="billing-api")
    g, rng = s.git, s.rng
    a = g.commit("2027-01-11 11:45", "nadia.karim@shop.example", "Prorate plan upgrades to the day",
                 ["billing/plans/proration.py", "billing/plans/tests/test_proration.py"])
    g.deploy("v6.0.4", "2027-01-11 15:20", [a])
    b1 = g.commit("2027-01-12 08:10", "marco.rossi@shop.example",
                  "Load the payment processor API key from Vault (kv/billing/processor) instead of env",
                  ["billing/config/secrets.py", "deploy/helm/billing/values.yaml"])
    b2 = g.commit("2027-01-12 08:22", "nadia.karim@shop.example", "Watermark draft invoice PDFs",
                  ["billing/invoices/pdf.py"])
    g.deploy("v6.1.0", "2027-01-12 09:03", [b1, b2], status="rolled_back")
    g.deploy("v6.0.4", "2027-01-12 09:29", [], status="rollback")

    def rejected(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "processor", f"charge failed for invoice in_{hexid(rng, 14)}: api.payproc.example responded "
              f"401 Unauthorized (Invalid API key provided) request_id={rid}", "billing.log")

    def incident(i: int) -> Minute:
        if s.idx("09:03") <= i < s.idx("09:29"):
            share = rollout(s, i, "09:03")
        elif s.idx("09:29") <= i <= s.idx("09:31"):
            share = 1 - rollout(s, i, "09:29")
        else:
            share = 0.0
        if share == 0:
            return Minute()
        if rng.random() < 0.3:
            s.log(s.when(i), "WARN", "renewals", f"subscription renewal {rng.randint(100000, 999999)} deferred: "
                  "payment processor rejected our credentials", "billing.log")
        return Minute(fail=0.97 * share, affects=("POST /v1/charges", "POST /v1/invoices/{id}/pay"), status=502,
                      fail_ms=120, cause=rejected)

    prof = Profile(
        service="billing-api", file="billing.log", comp="http",
        endpoints=[("POST /v1/charges", 0.3, 380), ("POST /v1/invoices/{id}/pay", 0.12, 420),
                   ("GET /v1/invoices/{id}", 0.38, 28), ("GET /v1/customers/{id}/plan", 0.2, 18)],
        rate=trend(210, 380), rt_ms=170, cpu=22, cpu_per_100=5, mem=41, access=access_plain,
        sample=0.05, fail_sample=0.4,
        noise=[
            Noise(0.6, "INFO", "processor", lambda r: f"authorized charge ch_{hexid(r, 14)} {r.uniform(9, 400):.2f} EUR"),
            Noise(0.25, "WARN", "processor", lambda r: f"card declined for invoice in_{hexid(r, 14)}: insufficient_funds"),
            Noise(0.05, "ERROR", "webhooks", lambda r: "processor webhook signature mismatch, ignored (replayed event?)"),
            Noise(0, "INFO", "scheduler", lambda r: f"dunning run: {r.randint(0, 12)} reminders sent", every=30),
        ],
    )
    run_service(s, prof, incident)
    fmt = Plain(ms=True, sep="T", zulu=True)
    return scenario_files(
        s, {"billing.log": fmt}, "payments were failing this morning, what happened?",
        truth_json(True, {"deploy": "v6.1.0", "commits": [b1]}, ["auth", "credential", "api key", "401", "unauthori"],
                   "2027-01-12 09:03"),
        gz={"billing.log.1.gz": ("billing.log", at("2027-01-12 08:00"))},
    )


@scenario("recommendations-pool-at-peak")
def recommendations_pool_at_peak() -> dict[str, bytes]:
    """pino JSON (numeric levels, epoch-millisecond times, no component): a smaller database pool
    shipped an hour earlier holds until the evening peak; an unrelated deploy three minutes
    before the errors."""
    s = Sim(seed=2150215, start="2026-02-15 16:00", minutes=270, service="recommendations")
    g, rng = s.git, s.rng
    a = g.commit("2026-02-14 10:20", "yuki.tanaka@shop.example", "Blend trending items into the home feed",
                 ["src/feeds/home.ts", "src/feeds/home.test.ts"])
    g.deploy("v2.30.0", "2026-02-14 15:00", [a])
    b1 = g.commit("2026-02-15 15:41", "ola.nordmann@shop.example",
                  "Lower Postgres pool max to 4 per worker to fit the new PgBouncer limits",
                  ["config/database.ts", "deploy/pgbouncer.ini"])
    b2 = g.commit("2026-02-15 16:02", "yuki.tanaka@shop.example", "Log feed build time at debug level",
                  ["src/feeds/build.ts"])
    g.deploy("v2.31.0", "2026-02-15 17:00", [b1, b2])
    c = g.commit("2026-02-15 17:35", "yuki.tanaka@shop.example", "Add alt text to recommendation images",
                 ["src/components/RecoCard.tsx", "src/i18n/en.json"])
    g.deploy("v2.31.1", "2026-02-15 18:02", [c])
    rate_fn = bump(330, 560, 0.62, 0.28)
    small_pool_from = s.idx("17:01")

    def busy(i: int) -> float:
        """How far the pool is oversubscribed: concurrency grows with traffic."""
        if i < small_pool_from:
            return 0.0
        return clamp((rate_fn(i / (s.n - 1)) - 490) / 45, 0.0, 1.0)

    def starved(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "", "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. "
              "Are you missing a .transacting(trx) call?", "recommendations.log", reqId=rid, sql="select", timeout=2000)

    def incident(i: int) -> Minute:
        b = busy(i)
        if 0 < b < 0.35 and rng.random() < 0.5:
            s.log(s.when(i), "WARN", "", "slow query", "recommendations.log", durationMs=rng.randint(900, 1900),
                  table="reco_items", waitedForConnectionMs=rng.randint(400, 1500))
        if b <= 0.2:
            return Minute(lat_add=120 * b)
        return Minute(fail=0.55 * b, affects=("GET /v1/recommendations", "GET /v1/similar"), status=500, fail_ms=2050,
                      lat_add=400 * b, cause=starved)

    prof = Profile(
        service="recommendations", file="recommendations.log", comp="",
        endpoints=[("GET /v1/recommendations/{id}", 0.55, 70), ("GET /v1/similar/{sku}", 0.3, 55),
                   ("GET /v1/health", 0.15, 2)],
        rate=rate_fn, rt_ms=58, cpu=26, cpu_per_100=4, mem=63, access=access_fields("request completed", took_key="responseTime"),
        sample=0.03, fail_sample=0.3, pods=4, rid=lambda r: f"req-{r.randint(1, 999999)}",
        noise=[
            Noise(0.4, "WARN", "", lambda r: ("feature store lookup slow", {"durationMs": r.randint(300, 800)})),
            Noise(0.05, "ERROR", "", lambda r: ("failed to refresh trending cache", {"err": "ECONNRESET",
                  "retryInMs": 5000})),
            Noise(0, "INFO", "", lambda r: ("feed model reloaded", {"version": f"m-{r.randint(100, 140)}"}), every=30),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("time", "level", "msg", "name", time_fmt=epoch_ms,
                    names={"DEBUG": 20, "INFO": 30, "WARN": 40, "ERROR": 50, "FATAL": 60})
    return scenario_files(
        s, {"recommendations.log": fmt}, "recommendations API erroring since this evening's peak",
        truth_json(True, {"deploy": "v2.31.0", "commits": [b1]}, ["connection pool", "pool"], "2026-02-15 18:05"),
        gz={"recommendations.log.1.gz": ("recommendations.log", at("2026-02-15 18:00"))},
    )


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


def registry() -> tuple[dict[str, tuple[str, Callable[[], dict[str, bytes]]]], Callable]:
    """An incident generator's registry and the decorator that fills it: `@incident(name, one line)`."""
    reg: dict[str, tuple[str, Callable[[], dict[str, bytes]]]] = {}

    def incident(name: str, what: str):
        def register(fn):
            reg[name] = (what, fn)
            return fn
        return register

    return reg, incident


def run_registry(argv: list[str], registry: dict, default_out: Path, doc: str | None) -> int:
    """The command line every incident generator shares: `NAME ... --out DIR`, `--list`.

    `registry` maps a name to (one line on it, a function returning {relative path: bytes}).
    Files a previous run left in an incident's directory that it no longer writes are removed.
    """
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--out", type=Path, default=default_out)
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    if args.list:
        width = max(map(len, registry), default=0) + 2
        for name, (what, _fn) in registry.items():
            print(f"{name:{width}s} {what}")
        return 0
    unknown = [n for n in args.names if n not in registry]
    if unknown:
        print(f"unknown: {', '.join(unknown)}", file=sys.stderr)
        return 2
    total = 0
    for name in args.names or list(registry):
        d = args.out / name
        files = registry[name][1]()
        if d.exists():
            for p in sorted(d.rglob("*"), reverse=True):
                if p.is_file() and str(p.relative_to(d)) not in files:
                    p.unlink()
        for rel, data in files.items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            total += len(data)
        print(f"{name}: {len(files)} files, {sum(len(v) for v in files.values()) / 1e6:.2f} MB")
    print(f"wrote {total / 1e6:.2f} MB under {args.out}")
    return 0


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
        if isinstance(v, int):  # pino's numbers
            v = {20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL"}.get(v, "INFO")
    elif line.startswith("time="):
        v = line.split(" level=", 1)[1].split(" ", 1)[0]
    else:
        v = line.split(" ", 3)[2] if line[10] == " " else line.split(" ", 2)[1]
    v = v.upper()
    return {"WARNING": "WARN", "ERR": "ERROR", "CRITICAL": "FATAL"}.get(v, v)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
