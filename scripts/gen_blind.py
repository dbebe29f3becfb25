#!/usr/bin/env python3
"""A second, independent set of held-out incidents for red-teaming the analyst (blind set).

Deterministic (fixed seeds), standard library only. Reuses gen_data's `Sim`, `Git` and
`truth_json`, but has its own request simulator (per-endpoint effects), its own log layouts
(bracketed, level-first, RFC 5424 syslog, Redis, PostgreSQL, PgBouncer, logback, Apache
combined, JVM unified GC, oauth2-proxy, Ruby Logger, Sidekiq, zap console, zerolog, structlog,
ECS, bunyan, Grafana-style logfmt, CDN real-time JSON) and its own services and stories.

    python3 scripts/gen_blind.py                  # every incident to /work/blind/<name>/
    python3 scripts/gen_blind.py NAME ...         # only these
    python3 scripts/gen_blind.py --out DIR        # somewhere else
    python3 scripts/gen_blind.py --list           # names and one line on each

Layout per incident: incident.txt, logs/*, git/recent_commits.json, metrics/metrics.json,
truth.json (scorer only; onset is when user impact begins in the data).
"""

from __future__ import annotations

import gzip
import json
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_data  # noqa: E402
from gen_data import Sim, at, clamp, hexid, iso_z, lognorm, poisson, registry, smoothstep, truth_json  # noqa: E402

DEFAULT_OUT = Path("/work/blind")

# --------------------------------------------------------------------------------------------
# log layouts
# --------------------------------------------------------------------------------------------


def _q(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".")
    s = str(v)
    if s == "" or any(c in s for c in ' ="\\'):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


def pub(kv: dict) -> dict:
    return {k: v for k, v in kv.items() if not k.startswith("_")}


def kvs(kv: dict) -> str:
    return " ".join(f"{k}={_q(v)}" for k, v in pub(kv).items())


def ms(t: datetime) -> str:
    return f"{t.microsecond // 1000:03d}"


def iso_ms_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + ms(t) + "Z"


def iso_us_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _tail(msg: str, kv: dict) -> str:
    extra = kvs(kv)
    return f"{msg} {extra}" if extra else msg


class Bracket:
    """`[2028-01-19 19:47:02.123] [ERROR] [component] message k=v`"""

    def line(self, t, level, comp, msg, kv):
        return f"[{t:%Y-%m-%d %H:%M:%S}.{ms(t)}] [{level}] [{comp}] {_tail(msg, kv)}"


class TightBracket:
    """Elasticsearch-style: `[2028-11-16T15:02:11,123][WARN ][component] message`"""

    def line(self, t, level, comp, msg, kv):
        return f"[{t:%Y-%m-%dT%H:%M:%S},{ms(t)}][{level:<5}][{comp}] {_tail(msg, kv)}"


class LevelFirst:
    """`ERROR  2028-03-07T09:14:25.104Z  portal.auth      message k=v`"""

    def line(self, t, level, comp, msg, kv):
        return f"{level:<5}  {iso_ms_z(t)}  {comp:<16} {_tail(msg, kv)}"


class Syslog5424:
    """RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`; comp is 'host/app'."""

    SEV = {"DEBUG": 7, "INFO": 6, "WARN": 4, "ERROR": 3, "FATAL": 2}

    def __init__(self, facility: int = 16, procid: str = "-"):
        self.facility, self.procid = facility, procid

    def line(self, t, level, comp, msg, kv):
        host, app = comp.split("/", 1)
        pri = self.facility * 8 + self.SEV[level]
        msgid = kv.get("_msgid", "-")
        return f"<{pri}>1 {iso_us_z(t)} {host} {app} {kv.get('_pid', self.procid)} {msgid} - {_tail(msg, kv)}"


class RedisNative:
    """`1:M 22 Apr 2028 15:18:02.123 # message` (. debug, * notice, # warning)."""

    def line(self, t, level, comp, msg, kv):
        ch = {"DEBUG": ".", "INFO": "*", "WARN": "#", "ERROR": "#", "FATAL": "#"}[level]
        return f"{comp} {t:%d %b %Y %H:%M:%S}.{ms(t)} {ch} {msg}"


class GrafanaLogfmt:
    """`t=2028-05-10T11:00:02+0000 lvl=eror msg="..." logger=ratelimit k=v`"""

    NAMES = {"DEBUG": "dbug", "INFO": "info", "WARN": "warn", "ERROR": "eror", "FATAL": "crit"}

    def line(self, t, level, comp, msg, kv):
        head = f"t={t:%Y-%m-%dT%H:%M:%S}+0000 lvl={self.NAMES[level]} msg={_q(msg)} logger={comp}"
        extra = kvs(kv)
        return f"{head} {extra}" if extra else head


class FlaskFmt:
    """Flask's default: `[2028-06-14 09:40:12,345] ERROR in stays.db: message`"""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        return f"[{t:%Y-%m-%d %H:%M:%S},{ms(t)}] {lvl} in {comp}: {_tail(msg, kv)}"


class PgLog:
    """PostgreSQL `log_line_prefix = '%m [%p] %q%u@%d '`: comp is 'pid user@db' or 'pid'."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"INFO": "LOG", "WARN": "WARNING", "DEBUG": "DEBUG1"}.get(level, level)
        pid, _, who = comp.partition(" ")
        who = f"{who} " if who else ""
        return f"{t:%Y-%m-%d %H:%M:%S}.{ms(t)} UTC [{pid}] {who}{lvl}:  {msg}"


class PgBouncerFmt:
    """`2028-07-02 11:49:02.123 UTC [1] LOG stats: ...`"""

    def line(self, t, level, comp, msg, kv):
        lvl = {"INFO": "LOG", "WARN": "WARNING"}.get(level, level)
        return f"{t:%Y-%m-%d %H:%M:%S}.{ms(t)} UTC [{comp}] {lvl} {msg}"


class Zerolog:
    """zerolog JSON: level first, fields, epoch-second time, caller, message last."""

    def line(self, t, level, comp, msg, kv):
        obj = {"level": {"WARN": "warn", "FATAL": "fatal"}.get(level, level.lower())}
        obj.update(pub(kv))
        obj["time"] = int(t.timestamp())
        obj["caller"] = comp
        obj["message"] = msg
        return json.dumps(obj)


class Logback:
    """`2028-08-09 08:55:02.123 [http-nio-8080-exec-7] WARN  c.m.tiles.StyleResolver - message`"""

    def line(self, t, level, comp, msg, kv):
        thread = kv.get("_thread", "main")
        return f"{t:%Y-%m-%d %H:%M:%S}.{ms(t)} [{thread}] {level:<5} {comp} - {_tail(msg, kv)}"


class ApacheCombined:
    """NCSA combined log plus request time in seconds (%D/1e6); everything from the fields."""

    def line(self, t, level, comp, msg, kv):
        return (f'{kv["ip"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{kv["method"]} {kv["path"]} HTTP/1.1" '
                f'{kv["status"]} {kv["bytes"]} "-" "{kv["ua"]}" {kv["secs"]:.3f}')


class JvmUnified:
    """JVM unified logging: `[2028-08-09T08:55:02.123+0000][info][gc] message`"""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "warning"}.get(level, level.lower())
        return f"[{t:%Y-%m-%dT%H:%M:%S}.{ms(t)}+0000][{lvl}][{comp}] {msg}"


class OAuth2Proxy:
    """oauth2-proxy's three loggers: request (`_req`), auth (`_auth`) and standard lines."""

    def line(self, t, level, comp, msg, kv):
        stamp = f"{t:%Y/%m/%d %H:%M:%S}"
        if "_req" in kv:
            r = kv["_req"]
            return (f'{r["ip"]} - {r["rid"]} - {r["user"]} [{stamp}] people.corp.example {r["method"]} '
                    f'{r["upstream"]} "{r["path"]}" HTTP/1.1 "{r["ua"]}" {r["status"]} {r["size"]} {r["secs"]:.3f}')
        if "_auth" in kv:
            r = kv["_auth"]
            return f'{r["ip"]} - {r["rid"]} - {r["user"]} [{stamp}] [{r["status"]}] {msg}'
        return f"[{stamp}] [{comp}] {msg}"


class ECS:
    """Elastic Common Schema JSON with dotted keys."""

    def __init__(self, service: str):
        self.service = service

    def line(self, t, level, comp, msg, kv):
        obj = {"@timestamp": iso_ms_z(t), "log.level": level.lower(), "message": msg,
               "log.logger": comp, "service.name": self.service, "ecs.version": "1.6.0"}
        obj.update(pub(kv))
        return json.dumps(obj)


class ZapConsole:
    """zap's console encoder: tab-separated, fields as a JSON object."""

    def line(self, t, level, comp, msg, kv):
        extra = pub(kv)
        out = f"{iso_ms_z(t)}\t{level}\t{comp}\t{msg}"
        return out + ("\t" + json.dumps(extra) if extra else "")


class RubyLogger:
    """Ruby's Logger: `I, [2029-01-08T09:12:03.123456 #12]  INFO -- : message`"""

    def line(self, t, level, comp, msg, kv):
        return f"{level[0]}, [{t:%Y-%m-%dT%H:%M:%S.%f} #{kv.get('_pid', 7)}] {level:>5} -- {comp}: {_tail(msg, kv)}"


class SidekiqFmt:
    """`2029-01-08T09:12:03.123Z pid=12 tid=2bq class=ExportJob jid=... INFO: done: 1.2 sec`"""

    def line(self, t, level, comp, msg, kv):
        ctx = kvs(kv)
        return f"{iso_ms_z(t)} pid=9 tid={comp} {ctx + ' ' if ctx else ''}{level}: {msg}"


class Structlog:
    """structlog's JSONRenderer: the message is `event`."""

    def line(self, t, level, comp, msg, kv):
        obj = {"event": msg}
        obj.update(pub(kv))
        obj.update({"level": {"WARN": "warning", "FATAL": "critical"}.get(level, level.lower()),
                    "logger": comp, "timestamp": iso_us_z(t)})
        return json.dumps(obj)


class Bunyan:
    """bunyan: numeric levels, ISO time, `v: 0`."""

    NUM = {"DEBUG": 20, "INFO": 30, "WARN": 40, "ERROR": 50, "FATAL": 60}

    def __init__(self, name: str):
        self.name = name

    def line(self, t, level, comp, msg, kv):
        obj = {"name": self.name, "hostname": kv.get("_host", "mobile-bff-0"), "pid": 1,
               "component": comp, "level": self.NUM[level]}
        obj.update(pub(kv))
        obj.update({"msg": msg, "time": iso_ms_z(t), "v": 0})
        return json.dumps(obj)


class FieldsOnly:
    """A record with no level or message of its own (CDN real-time logs): only the fields."""

    def __init__(self, time_key: str = "timestamp"):
        self.time_key = time_key

    def line(self, t, level, comp, msg, kv):
        obj = {self.time_key: t.strftime("%Y-%m-%dT%H:%M:%SZ")}
        obj.update(pub(kv))
        return json.dumps(obj)


class Logfmt:
    """Plain logfmt: `time=... level=... msg=... component=...`."""

    def line(self, t, level, comp, msg, kv):
        return f"time={iso_ms_z(t)} level={level.lower()} msg={_q(msg)} component={comp}" + (
            " " + kvs(kv) if pub(kv) else "")


# --------------------------------------------------------------------------------------------
# a request-level service simulator with per-endpoint effects
# --------------------------------------------------------------------------------------------


@dataclass
class Chatter:
    """Background lines: per_min on average, or one every `every` minutes at offset `phase`."""

    per_min: float
    level: str
    comp: str
    text: Callable[[random.Random], str | tuple[str, dict]]
    file: str | None = None
    every: int = 0
    phase: int = 0


@dataclass
class Eff:
    """What the incident does in one minute. Keys of the dicts are endpoint prefixes ('' = all)."""

    rate_mult: float = 1.0
    ep_rate: dict[str, float] = field(default_factory=dict)
    fail: dict[str, float] = field(default_factory=dict)
    status: int = 500
    fail_ms: float | None = None
    lat_mult: dict[str, float] = field(default_factory=dict)
    lat_add: dict[str, float] = field(default_factory=dict)
    cpu_add: float = 0.0
    mem: float | None = None
    mem_add: float = 0.0
    cause: Callable[[datetime, str, str], None] | None = None


def _lookup(d: dict[str, float], ep: str, default: float, combine=max) -> float:
    vals = [v for k, v in d.items() if ep.startswith(k) or k == ""]
    return combine(vals) if vals else default


@dataclass
class Svc:
    name: str
    file: str
    comp: str
    endpoints: list[tuple[str, float, float]]
    rate: Callable[[float], float]
    cpu: float
    cpu_per_100: float
    mem: float
    access: Callable[[datetime, str, str, int, int, str, str], None]  # t, method, path, status, took, rid, pod
    restart: Callable[[datetime, str, str, str], None]  # t, old pod, new pod, version
    chatter: list[Chatter] = field(default_factory=list)
    pods: int = 3
    base_fail: float = 0.0008
    base_status: tuple[int, ...] = (500, 502)
    sample: float = 0.01
    fail_sample: float = 0.2
    deploy_blip: float = 7.0
    rid: Callable[[random.Random], str] = lambda r: hexid(r, 16)
    fill: Callable[[random.Random, str], str] | None = None


def fill_path(rng: random.Random, path: str) -> str:
    repl = {"{id}": lambda: str(rng.randint(10_000, 9_999_999)), "{hex}": lambda: hexid(rng, 12),
            "{n}": lambda: str(rng.randint(1, 1400)), "{code}": lambda: rng.choice(["AMS", "LIS", "BCN", "OSL", "DUB"])}
    for k, fn in repl.items():
        while k in path:
            path = path.replace(k, fn(), 1)
    return path


def pod_name(rng: random.Random, svc: str) -> str:
    return f"{svc}-{hexid(rng, 10)[:9]}-{gen_data.b36(rng, 5).lower()}"


def serve(s: Sim, p: Svc, effect: Callable[[int], Eff], each_minute: Callable[[int], None] | None = None) -> None:
    """Per-minute metrics and sampled request lines, rolling restarts at every deploy, chatter."""
    rng, n = s.rng, s.n
    rate_noise = gen_data.ar_noise(rng, n, 0.03, 0.7)
    rt_noise = gen_data.ar_noise(rng, n, 0.04, 0.5)
    cpu_noise = gen_data.ar_noise(rng, n, 1.4, 0.5)
    mem_noise = gen_data.ar_noise(rng, n, 0.35, 0.85)
    deploys = gen_data.deploy_minutes(s)
    pods = [pod_name(rng, p.name) for _ in range(p.pods)]
    total_w = sum(w for _, w, _ in p.endpoints)
    rate0 = p.rate(0.0)
    for i in range(n):
        if each_minute:
            each_minute(i)
        e = effect(i)
        x = i / max(n - 1, 1)
        rate = max(1.0, p.rate(x) * (1 + rate_noise[i]) * e.rate_mult)
        eps = []
        for ep, w, med in p.endpoints:
            r_ep = rate * w / total_w * _lookup(e.ep_rate, ep, 1.0)
            pf = clamp(p.base_fail + _lookup(e.fail, ep, 0.0), 0, 1)
            lm = _lookup(e.lat_mult, ep, 1.0)
            la = _lookup(e.lat_add, ep, 0.0)
            eps.append((ep, r_ep, med * lm + la, pf))
        total = sum(r for _, r, _, _ in eps)
        fails = sum(poisson(rng, r * pf) for _, r, _, pf in eps)
        err = 100.0 * min(fails, total) / total if total else 0.0
        ok_ms = sum(r * lat * 1.08 for _, r, lat, _ in eps) / total
        fail_ms = e.fail_ms if e.fail_ms is not None else ok_ms
        rt = (ok_ms * (1 - err / 100) + fail_ms * err / 100) * (1 + rt_noise[i])
        cpu = p.cpu + p.cpu_per_100 * (total - rate0) / 100 + cpu_noise[i] + e.cpu_add
        mem = (e.mem if e.mem is not None else p.mem + mem_noise[i]) + e.mem_add
        if i in deploys:
            cpu += p.deploy_blip
            rt *= 1.08
        s.point(i, cpu, mem, total, err, rt)

        if i in deploys:
            for k in range(p.pods):
                t = s.when(i, 3 + k * 50 / p.pods, 3 + (k + 1) * 50 / p.pods - 6)
                new = pod_name(rng, p.name)
                p.restart(t, pods[k], new, deploys[i])
                pods[k] = new

        for ep, r_ep, lat, pf in eps:
            method, path = ep.split(" ", 1)
            for _ in range(poisson(rng, r_ep * (1 - pf) * p.sample)):
                took = lognorm(rng, lat, 0.4)
                st = 201 if method == "POST" and rng.random() < 0.6 else 200
                p.access(s.when(i), method, (p.fill or fill_path)(rng, path), st, int(max(1, took)), p.rid(rng),
                         rng.choice(pods))
            extra = max(pf - p.base_fail, 0.0)
            for _ in range(poisson(rng, r_ep * extra * p.fail_sample)):
                t = s.when(i)
                rid = p.rid(rng)
                took = (e.fail_ms if e.fail_ms is not None else lognorm(rng, lat, 0.4)) * rng.uniform(0.97, 1.05)
                if e.cause:
                    e.cause(t - timedelta(milliseconds=rng.randint(2, 40)), rid, ep)
                p.access(t, method, (p.fill or fill_path)(rng, path), e.status, int(max(1, took)), rid, rng.choice(pods))
            for _ in range(poisson(rng, r_ep * p.base_fail * p.fail_sample)):
                p.access(s.when(i), method, (p.fill or fill_path)(rng, path), rng.choice(p.base_status),
                         int(lognorm(rng, lat * 2, 0.6)), p.rid(rng), rng.choice(pods))

        for c in p.chatter:
            k = (1 if (i - c.phase) % c.every == 0 else 0) if c.every else poisson(rng, c.per_min)
            for _ in range(k):
                out = c.text(rng)
                msg, kv = out if isinstance(out, tuple) else (out, {})
                s.log(s.when(i), c.level, c.comp, msg, c.file or p.file, **kv)


def level_of(status: int) -> str:
    return "ERROR" if status >= 500 else "WARN" if status >= 400 else "INFO"


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------


def render(s: Sim, formats: dict[str, object], rotate: dict[str, list[tuple[str, str]]] | None = None
           ) -> dict[str, bytes]:
    """Log files; rotate maps a file to [(cut time, older name)]: earlier lines go to the older file."""
    cuts = {f: sorted((at(c), name) for c, name in lst) for f, lst in (rotate or {}).items()}
    out: dict[str, list[str]] = {name: [] for name in formats}
    for lst in cuts.values():
        for _c, name in lst:
            out[name] = []
    for t, _seq, file, level, comp, msg, kv in sorted(s.events, key=lambda e: (e[0], e[1])):
        target = file
        for c, older in cuts.get(file, []):
            if t < c:
                target = older
                break
        out[target].append(formats[file].line(t, level, comp, msg, kv))
    files = {}
    for name, lines in out.items():
        data = ("\n".join(lines) + "\n").encode() if lines else b""
        files[name] = gzip.compress(data, compresslevel=9, mtime=0) if name.endswith(".gz") else data
    return files


def bundle(s: Sim, formats: dict[str, object], incident: str, truth: str,
           rotate: dict[str, list[tuple[str, str]]] | None = None, metrics: dict | None = None) -> dict[str, bytes]:
    out = {f"logs/{k}": v for k, v in render(s, formats, rotate).items()}
    out["incident.txt"] = (incident.strip() + "\n").encode()
    out["git/recent_commits.json"] = s.git.to_json().encode()
    m = metrics if metrics is not None else {"service": s.service, "metrics": s.metrics}
    out["metrics/metrics.json"] = (json.dumps(m, indent=2) + "\n").encode()
    out["truth.json"] = truth.encode()
    return out


BLIND, blind = registry()


def ramp(i: int, start: int, minutes: float) -> float:
    """0 before start, rising smoothly to 1 over `minutes`."""
    return smoothstep((i - start + 1) / minutes) if i >= start else 0.0


def rollout_share(s: Sim, i: int, when: str, pods: int, spacing: float = 45.0) -> float:
    """Share of pods on the version deployed at `when` by the end of minute i."""
    t0 = at(when)
    t = s.minute(i) + timedelta(seconds=59)
    return sum(1 for k in range(pods) if t >= t0 + timedelta(seconds=15 + k * spacing)) / pods


UA_BROWSERS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0 Safari/537.36",
               "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
               "Mozilla/5.0 (X11; Linux x86_64; rv:122.0) Gecko/20100101 Firefox/122.0"]


def ip(rng: random.Random, prefix: str = "10.") -> str:
    return prefix + ".".join(str(rng.randint(1, 254)) for _ in range(4 - prefix.count(".")))


# ============================================================================================
# 1. a CDN's European POPs fail; our origin sees less traffic, not more errors
# ============================================================================================


@blind("vod-cdn-edge-outage", "bracketed origin log + CDN real-time JSON (no level) + RFC 5424 probes + logfmt playback API; "
       "the CDN's EU POPs return 503 19:47-20:38; origin traffic falls, its error rate stays flat; an origin deploy "
       "6 min before (cache-miss logging) is a red herring")
def vod_cdn_edge_outage() -> dict[str, bytes]:
    s = Sim(seed=1901, start="2028-01-19 18:00", minutes=300, service="vod-origin")
    g, rng = s.git, s.rng
    z1 = g.commit("2028-01-17 09:30", "amara.nwosu@streamly.example", "Reject byte ranges past the end of a segment with 416",
                  ["packager/http/ranges.go", "packager/http/ranges_test.go"])
    g.deploy("v2.13.4", "2028-01-17 14:02", [z1])
    a1 = g.commit("2028-01-18 10:42", "sofia.lindqvist@streamly.example", "Serve CMAF segments with Cache-Control: immutable",
                  ["packager/http/headers.go", "packager/http/headers_test.go"])
    a2 = g.commit("2028-01-18 13:05", "tomasz.wrobel@streamly.example", "Add /readyz probe that checks the DRM key store",
                  ["cmd/origin/probes.go", "deploy/k8s/origin.yaml"])
    g.deploy("v2.14.0", "2028-01-18 15:20", [a1, a2])
    b1 = g.commit("2028-01-19 16:58", "tomasz.wrobel@streamly.example", "Point staging DRM license URL at the new key server",
                  ["config/drm/staging.yaml"])
    b2 = g.commit("2028-01-19 17:36", "amara.nwosu@streamly.example", "Log origin cache misses per rendition (debug level)",
                  ["packager/cache/metrics.go", "packager/cache/metrics_test.go"])
    g.deploy("v2.14.1", "2028-01-19 19:41", [b1, b2])
    g.commit("2028-01-19 21:12", "sofia.lindqvist@streamly.example", "WIP: low-latency HLS partial segments",
             ["packager/hls/partial.go"])

    ORIG, CDN, PRB, PB = "origin.log", "fastly-edge.jsonl", "synthetics.log", "playback-api.log"
    out_a, out_b = s.idx("19:47"), s.idx("20:38")
    eu_pops = ["FRA", "AMS", "LHR", "CDG", "MAD", "WAW"]
    other_pops = ["IAD", "ORD", "LAX", "DFW", "NRT", "SIN", "SYD"]
    countries = {"FRA": "DE", "AMS": "NL", "LHR": "GB", "CDG": "FR", "MAD": "ES", "WAW": "PL", "IAD": "US", "ORD": "US",
                 "LAX": "US", "DFW": "US", "NRT": "JP", "SIN": "SG", "SYD": "AU"}
    rends = ["1080p_h264", "720p_h264", "480p_h264", "2160p_hevc", "audio_aac_128"]

    def sev(i: int) -> float:
        if out_a <= i < out_b:
            return 0.72 * min(1.0, (i - out_a + 1) / 2)
        if out_b <= i < out_b + 3:
            return 0.72 * (1 - (i - out_b + 1) / 3)
        return 0.0

    def each(i: int) -> None:
        v = sev(i)
        # CDN real-time log, sampled 1:5000
        for _ in range(poisson(rng, 16)):
            eu = rng.random() < 0.46
            pop = rng.choice(eu_pops if eu else other_pops)
            asset = hexid(rng, 12)
            url = f"/vod/{asset}/{rng.choice(rends)}/seg_{rng.randint(1, 1400)}.m4s"
            t = s.when(i)
            if eu and rng.random() < v:
                s.log(t, "INFO", "", "", CDN, pop=pop, client_country=countries[pop], method="GET", url=url, status=503,
                      cache_state="ERROR", ttfb_ms=rng.randint(1, 9), bytes=0,
                      served_by=f"cache-{pop.lower()}-e{rng.randint(10000, 99999)}-{pop}")
                continue
            hit = rng.random() < 0.95
            st = 200 if rng.random() < 0.93 else rng.choice([206, 304, 404])
            s.log(t, "INFO", "", "", CDN, pop=pop, client_country=countries[pop], method="GET", url=url, status=st,
                  cache_state="HIT" if hit else "MISS", ttfb_ms=rng.randint(2, 20) if hit else rng.randint(40, 160),
                  bytes=0 if st in (304, 404) else rng.randint(300_000, 2_400_000),
                  served_by=f"cache-{pop.lower()}-e{rng.randint(10000, 99999)}-{pop}")
        # synthetic probes once a minute
        for region, pop in (("eu-frankfurt", "FRA"), ("eu-london", "LHR"), ("us-virginia", "IAD"), ("ap-tokyo", "NRT")):
            t = s.when(i, 5, 15)
            if pop in eu_pops and rng.random() < min(1.0, v * 1.3):
                s.log(t, "ERROR", f"probe-{region}-1/synthetics", "check=cdn-manifest result=FAIL", PRB, status=503,
                      ttfb_ms=rng.randint(2, 30), target="https://vod-cdn.streamly.example/vod/health/manifest.mpd",
                      served_by=f"cache-{pop.lower()}-e{rng.randint(10000, 99999)}-{pop}")
            else:
                s.log(t, "INFO", f"probe-{region}-1/synthetics", "check=cdn-manifest result=OK", PRB, status=200,
                      ttfb_ms=rng.randint(12, 60), target="https://vod-cdn.streamly.example/vod/health/manifest.mpd")
        t = s.when(i, 20, 30)
        s.log(t, "INFO", "probe-eu-frankfurt-1/synthetics", "check=origin-direct result=OK", PRB, status=200,
              ttfb_ms=rng.randint(18, 45), target="https://origin-1.vod.streamly.internal/vod/health/manifest.mpd")
        # playback API: sessions and client error beacons
        for _ in range(poisson(rng, 9 * (1 + 0.5 * v))):
            s.log(s.when(i), "INFO", "sessions", "playback session started", PB, session=hexid(rng, 10),
                  country=rng.choice(list(countries.values())), device=rng.choice(["web", "ios", "android", "tv"]))
        for _ in range(poisson(rng, 0.9)):
            s.log(s.when(i), "WARN", "beacons", "client playback error", PB,
                  code=rng.choice(["DRM_LICENSE_EXPIRED", "MEDIA_ERR_DECODE", "MANIFEST_PARSE", "NETWORK_TIMEOUT"]),
                  http_status=rng.choice([0, 403, 0]), country=rng.choice(list(countries.values())))
        for _ in range(poisson(rng, 55 * v)):
            pop = rng.choice(eu_pops)
            s.log(s.when(i), "WARN", "beacons", "client playback error", PB, code="MEDIA_ERR_NETWORK", http_status=503,
                  host="vod-cdn.streamly.example", pop=pop, country=countries[pop])
        if i % 5 == 0:
            eu_frac = 0.46 * (1 - v)
            tot = rng.randint(9800, 12600)
            s.log(s.when(i, 0, 2), "INFO", "shield", "shield fetch stats last 5m", ORIG,
                  na=int(tot * 0.4), eu=int(tot * eu_frac), apac=int(tot * 0.14), hit_ratio=round(rng.uniform(0.945, 0.962), 3))

    def effect(i: int) -> Eff:
        return Eff(rate_mult=1 - 0.46 * sev(i))

    def access(t, method, path, status, took, rid, pod):
        if status >= 500:
            s.log(t, "ERROR", "http", f"{method} {path} -> {status} ({took}ms)", ORIG, req=rid, pod=pod)
        elif status == 404 or rng.random() < 0.005:
            s.log(t, "WARN", "http", f"{method} {path} -> 404 segment not found", ORIG, req=rid, pod=pod)
        else:
            s.log(t, "INFO", "http", f"{method} {path} -> {status} ({took}ms)", ORIG, req=rid, pod=pod)

    def restart(t, old, new, version):
        s.log(t, "INFO", "main", f"SIGTERM received on {old}, draining 214 open requests", ORIG)
        t2 = t + timedelta(seconds=rng.uniform(5, 8))
        s.log(t2, "INFO", "main", f"vod-origin {version} listening on :8443", ORIG, pod=new)
        s.log(t2 + timedelta(seconds=1.5), "INFO", "drm", "key store warm: 1,842 content keys cached", ORIG, pod=new)

    def fill(r, path):
        return fill_path(r, path.replace("{rend}", r.choice(rends)))

    svc = Svc(
        name="vod-origin", file=ORIG, comp="http",
        endpoints=[("GET /vod/{hex}/{rend}/seg_{n}.m4s", 0.78, 28), ("GET /vod/{hex}/manifest.mpd", 0.1, 14),
                   ("GET /vod/{hex}/master.m3u8", 0.06, 12), ("GET /vod/{hex}/{rend}/init.mp4", 0.04, 9),
                   ("GET /healthz", 0.02, 1)],
        rate=gen_data.bump(2400, 3900, 0.55, 0.5), cpu=31, cpu_per_100=0.9, mem=58, access=access, restart=restart,
        pods=4, sample=0.003, fail_sample=0.3, base_fail=0.0004, fill=fill,
        chatter=[
            Chatter(0.4, "WARN", "storage", lambda r: ("slow object read", {"bucket": "vod-masters", "took_ms": r.randint(800, 2400)})),
            Chatter(0.02, "ERROR", "drm", lambda r: "key rotation check failed: context deadline exceeded (kms), retrying in 60s"),
            Chatter(0, "INFO", "drm", lambda r: f"content keys refreshed: {r.randint(3, 40)} new", every=15, phase=4),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {ORIG: Bracket(), CDN: FieldsOnly(), PRB: Syslog5424(), PB: Logfmt()},
        "lots of viewers in Europe can't play anything, player shows a network error. US looks fine??",
        truth_json(True, None, ["cdn", "content delivery", "edge", "fastly", "pop"], "2028-01-19 19:47"),
    )


# ============================================================================================
# 2. the identity provider's token endpoint fails; our deploy 7 min before touched sign-in code
# ============================================================================================


@blind("people-portal-idp-outage", "level-first app log + oauth2-proxy's native logs; the IdP's token endpoint returns "
       "503 09:14-10:06: sign-ins fail with 500 at the callback; v5.3.0 at 09:07 (last sign-in time, cryptography "
       "bump) is a red herring")
def people_portal_idp_outage() -> dict[str, bytes]:
    s = Sim(seed=3072, start="2028-03-07 07:00", minutes=270, service="people-portal")
    g, rng = s.git, s.rng
    a = g.commit("2028-03-06 11:15", "hannah.okoye@corp.example", "Leave requests: allow half days",
                 ["portal/leave/forms.py", "portal/leave/tests/test_forms.py", "portal/templates/leave/request.html"])
    b = g.commit("2028-03-06 14:48", "li.wen@corp.example", "Cache org chart for 10 minutes", ["portal/directory/orgchart.py"])
    g.deploy("v5.2.0", "2028-03-06 16:30", [a, b])
    c1 = g.commit("2028-03-07 08:21", "li.wen@corp.example", "Show last sign-in time on the profile page",
                  ["portal/auth/last_login.py", "portal/templates/profile.html", "portal/auth/tests/test_last_login.py"])
    c2 = g.commit("2028-03-07 08:40", "dependabot[bot]@users.noreply.github.com", "Bump cryptography from 42.0.2 to 42.0.5",
                  ["requirements.txt"])
    g.deploy("v5.3.0", "2028-03-07 09:07", [c1, c2])
    g.commit("2028-03-07 10:35", "hannah.okoye@corp.example", "Payslip PDF: embed company logo as SVG", ["portal/payslips/pdf.py"])

    W, P = "portal-web.log", "oauth2-proxy.log"
    IDP = "https://login.northwind-id.example/oauth2/v1/token"
    out_a, out_b = s.idx("09:14"), s.idx("10:06")
    arrivals = gen_data.bump(0.15, 1.0, 0.33, 0.22)

    def down(i: int) -> bool:
        return out_a <= i < out_b

    def user(r: random.Random) -> str:
        return f"{r.choice(['anna', 'omar', 'jules', 'priya', 'marek', 'sara', 'tom', 'ines', 'kofi', 'lea'])}." \
               f"{r.choice(['berg', 'khan', 'moreau', 'rao', 'nowak', 'lind', 'hughes', 'costa', 'mensah', 'vogel'])}@corp.example"

    def callback_fail(t, rid, ep):
        if rng.random() < 0.8:
            err = f'token exchange failed: Post "{IDP}": 503 Service Unavailable'
        else:
            err = f'token exchange failed: Post "{IDP}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
        s.log(t, "ERROR", "oauthproxy.go:859", f"Error redeeming code during OAuth2 callback: {err}", P)

    def each(i: int) -> None:
        x = i / (s.n - 1)
        for _ in range(poisson(rng, 1.2 * arrivals(x))):
            s.log(s.when(i), "INFO", "", "Error loading cookied session: cookie \"_oauth2_proxy\" not present, "
                  "removing session", P)
        if down(i):
            for _ in range(poisson(rng, 4)):
                t = s.when(i)
                s.log(t, "ERROR", "oauthproxy.go:1012", f"Error loading cookied session: unable to refresh session: "
                      f'Post "{IDP}": 503 Service Unavailable, removing session', P)
            for _ in range(poisson(rng, 1.5)):
                s.log(s.when(i), "WARN", "portal.auth", "userinfo lookup failed, falling back to token claims", W,
                      status=503, host="login.northwind-id.example")
        if rng.random() < 0.03:
            r = {"ip": ip(rng, "10.20."), "rid": hexid(rng, 32), "user": "contractor@vendor-ext.example", "status": "AuthFailure"}
            s.log(s.when(i), "WARN", "", "Invalid authentication via OAuth2: unauthorized (email domain not allowed)", P, _auth=r)
        if i % 10 == 3:
            s.log(s.when(i), "INFO", "portal.sync", "HRIS sync done", W, employees=rng.randint(4210, 4230),
                  changed=rng.randint(0, 12), took_ms=rng.randint(1900, 3400))

    def effect(i: int) -> Eff:
        x = i / (s.n - 1)
        a = arrivals(x)
        e = Eff(ep_rate={"GET /oauth2/start": 0.3 + 2.2 * a, "GET /oauth2/callback": 0.3 + 2.2 * a})
        if down(i):
            e.fail = {"GET /oauth2/callback": 1.0}
            e.ep_rate = {"GET /oauth2/start": 2.0 * (0.3 + 2.2 * a), "GET /oauth2/callback": 2.0 * (0.3 + 2.2 * a)}
            e.rate_mult = 0.7
            e.cause = callback_fail
            e.fail_ms = 10_000 if rng.random() < 0.2 else 420
        return e

    def access(t, method, path, status, took, rid, pod):
        oauth = path.startswith("/oauth2")
        if path == "/oauth2/callback":
            path = f"/oauth2/callback?code={hexid(rng, 20)}&state={hexid(rng, 16)}%3a%2f"
            status = 302 if status < 400 else status
        if path == "/oauth2/start":
            status = 302
            path = "/oauth2/start?rd=%2F"
        r = {"ip": ip(rng, "10.20."), "rid": rid, "user": "-" if oauth else user(rng), "method": method,
             "upstream": "-" if oauth else "10.0.1.15:8080", "path": path, "ua": rng.choice(UA_BROWSERS), "status": status,
             "size": rng.randint(200, 48000) if status == 200 else rng.randint(0, 400), "secs": took / 1000}
        s.log(t, level_of(status), "", "", P, _req=r)
        if not oauth and rng.random() < 0.15 and status < 400:
            s.log(t - timedelta(milliseconds=took // 2), "INFO", "portal.http", f"{method} {path} {status}", W,
                  ms=took, rid=rid[:12])
        if path.startswith("/oauth2/callback") and status < 400 and rng.random() < 0.5:
            s.log(t, "INFO", "", f"Authenticated via OAuth2: Session{{email:{user(rng)} user:{hexid(rng, 20)} "
                  f"token:true id_token:true created:{t:%Y-%m-%d %H:%M:%S} expires:{(t + timedelta(hours=1)):%Y-%m-%d %H:%M:%S}}}",
                  P, _auth={"ip": ip(rng, "10.20."), "rid": rid, "user": user(rng), "status": "AuthSuccess"})

    def restart(t, old, new, version):
        s.log(t, "INFO", "portal.main", f"worker shutdown on {old} (SIGTERM)", W)
        s.log(t + timedelta(seconds=rng.uniform(6, 11)), "INFO", "portal.main",
              f"people-portal {version} booted on {new}: gunicorn 4 workers, 2 threads", W)

    svc = Svc(
        name="people-portal", file=P, comp="",
        endpoints=[("GET /", 0.08, 40), ("GET /api/me", 0.2, 25), ("GET /api/payslips", 0.1, 120),
                   ("GET /api/leave/balance", 0.15, 35), ("POST /api/leave/requests", 0.04, 90),
                   ("GET /api/directory/search", 0.16, 60), ("GET /static/app.{hex}.js", 0.18, 3),
                   ("GET /oauth2/start", 0.02, 2), ("GET /oauth2/callback", 0.02, 180)],
        rate=gen_data.bump(90, 1100, 0.38, 0.3), cpu=14, cpu_per_100=1.8, mem=41, access=access, restart=restart,
        pods=2, sample=0.08, fail_sample=0.5, base_fail=0.0006,
        chatter=[
            Chatter(0.15, "WARN", "portal.payroll", lambda r: ("payroll-svc slow response", {"took_ms": r.randint(2000, 4500)}), file=W),
            Chatter(0.02, "ERROR", "portal.payslips", lambda r: (f"payslip render failed for emp={r.randint(10000, 99999)}: "
                    "WeasyPrint font cache miss, retried OK"), file=W),
            Chatter(0.05, "WARN", "portal.directory", lambda r: "photo not found in blob store, using initials", file=W),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {W: LevelFirst(), P: OAuth2Proxy()},
        "nobody can get into the people portal this morning - after the company login page it just says 500 Internal Server Error",
        truth_json(True, None, ["identity provider", "idp", "sso", "single sign-on", "oidc", "openid", "oauth", "token endpoint",
                                "northwind-id", "login provider"], "2028-03-07 09:14"),
    )


# ============================================================================================
# 3. the cloud provider's region has trouble (S3, KMS, SQS); metrics agent gap; recovers by itself
# ============================================================================================


@blind("docvault-region-outage", "structlog JSON in two files; S3/KMS/SQS in eu-west-1 fail 13:22-14:31 and recover; "
       "metrics have no memory_usage and a 12-point gap right after the onset; v8.2.0 (multipart uploads to S3) 42 min "
       "before is a red herring")
def docvault_region_outage() -> dict[str, bytes]:
    s = Sim(seed=2302, start="2028-02-23 11:00", minutes=240, service="doc-vault")
    g, rng = s.git, s.rng
    a = g.commit("2028-02-22 10:02", "noor.haddad@lexa.example", "Retention policy: keep drafts for 30 days",
                 ["vault/retention/policy.py", "vault/retention/tests/test_policy.py"])
    g.deploy("v8.1.2", "2028-02-22 15:45", [a])
    b = g.commit("2028-02-23 09:50", "felix.roth@lexa.example", "Fix folder breadcrumb for shared drives", ["vault/api/folders.py"])
    g.deploy("v8.1.3", "2028-02-23 11:35", [b])
    c1 = g.commit("2028-02-23 10:41", "noor.haddad@lexa.example", "Stream uploads to S3 with multipart for files over 16 MB",
                  ["vault/storage/s3_client.py", "vault/storage/tests/test_s3_client.py"])
    c2 = g.commit("2028-02-23 11:58", "felix.roth@lexa.example", "Add Content-Disposition filename* for non-ASCII names",
                  ["vault/api/downloads.py"])
    g.deploy("v8.2.0", "2028-02-23 12:40", [c1, c2])

    A, WK = "vault-api.json.log", "vault-worker.json.log"
    out_a, out_b = s.idx("13:22"), s.idx("14:31")
    backlog = [0.0]

    def sev(i: int) -> float:
        if out_a <= i < out_b:
            return 0.66 * min(1.0, (i - out_a + 1) / 3) * (0.85 + 0.15 * math.sin(i / 3))
        if out_b <= i < out_b + 3:
            return 0.66 * (1 - (i - out_b + 1) / 3)
        return 0.0

    codes = [("InternalError", 500, "We encountered an internal error. Please try again."),
             ("ServiceUnavailable", 503, "Service is unable to handle request."),
             ("SlowDown", 503, "Please reduce your request rate.")]

    def s3_fail(t, rid, ep):
        op = {"POST": "PutObject", "DELETE": "DeleteObject"}.get(ep.split(" ")[0], "GetObject")
        code, st, text = rng.choices(codes, weights=[5, 4, 1])[0]
        s.log(t, "ERROR", "vault.storage", "s3 request failed", A, op=op, bucket="lexa-docvault-prod-euw1",
              region="eu-west-1", status=st, code=code, attempts=3, request_id=rid,
              error=f"An error occurred ({code}) when calling the {op} operation (reached max retries: 2): {text}")

    def each(i: int) -> None:
        v = sev(i)
        backlog[0] = max(0.0, backlog[0] + 140 * v - (35 if v == 0 else 0))
        for _ in range(poisson(rng, 2.5 * (1 - v))):
            s.log(s.when(i), "INFO", "worker.scan", "virus scan clean", WK, doc=hexid(rng, 12), took_ms=rng.randint(300, 1900))
        if v > 0:
            for _ in range(poisson(rng, 3 * v)):
                s.log(s.when(i), "ERROR", "worker.sqs", "receive_message failed", WK, queue="docvault-ingest-prod",
                      endpoint="https://sqs.eu-west-1.amazonaws.com", error="An error occurred (InternalError) when calling "
                      "the ReceiveMessage operation (reached max retries: 4): We encountered an internal error. Please try again.")
            for _ in range(poisson(rng, 1.5 * v)):
                s.log(s.when(i), "ERROR", "vault.crypto", "kms decrypt failed", A, key="alias/docvault-prod",
                      error="An error occurred (KMSInternalException) when calling the Decrypt operation: "
                      "An internal error occurred.", region="eu-west-1")
        if i % 2 == 0:
            s.log(s.when(i, 0, 3), "INFO", "worker.sqs", "queue depth", WK, queue="docvault-ingest-prod",
                  visible=int(backlog[0] + rng.randint(0, 25)))
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", "worker.ocr", "ocr failed: unsupported PDF encryption", WK, doc=hexid(rng, 12))
        if rng.random() < 0.04:
            s.log(s.when(i), "WARN", "vault.api", "upload rejected: file type not allowed", A, mime="application/x-msdownload")

    def effect(i: int) -> Eff:
        v = sev(i)
        if v == 0:
            return Eff()
        return Eff(fail={"POST /v2/documents": v, "GET /v2/documents/{hex}/download": v, "DELETE": v * 0.8},
                   status=503, lat_mult={"POST": 1 + 3 * v, "GET /v2/documents/{hex}/download": 1 + 3 * v},
                   fail_ms=6200, cause=s3_fail)

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "vault.http", "request finished", A, method=method, path=path, status=status,
              duration_ms=took, request_id=rid, pod=pod)

    def restart(t, old, new, version):
        s.log(t, "INFO", "vault.main", "shutting down", A, pod=old, signal="SIGTERM")
        s.log(t + timedelta(seconds=rng.uniform(6, 10)), "INFO", "vault.main", "startup complete", A, pod=new,
              version=version, region="eu-west-1")

    svc = Svc(
        name="doc-vault", file=A, comp="vault.http",
        endpoints=[("POST /v2/documents", 0.18, 420), ("GET /v2/documents/{hex}", 0.42, 45),
                   ("GET /v2/documents/{hex}/download", 0.2, 160), ("GET /v2/folders/{id}", 0.15, 30),
                   ("DELETE /v2/documents/{hex}", 0.02, 60), ("GET /healthz", 0.03, 1)],
        rate=gen_data.bump(700, 1150, 0.35, 0.5), cpu=22, cpu_per_100=2.5, mem=47, access=access, restart=restart,
        pods=3, sample=0.02, fail_sample=0.25,
        chatter=[
            Chatter(0.2, "WARN", "vault.db", lambda r: ("slow query", {"table": "documents", "took_ms": r.randint(500, 1400)})),
            Chatter(0.03, "ERROR", "vault.preview", lambda r: ("preview generation failed", {"error": "libreoffice exited 77"})),
        ],
    )
    serve(s, svc, effect, each)
    gap = {iso_z(s.minute(k)) for k in range(s.idx("13:24"), s.idx("13:36"))}
    pts = []
    for p in s.metrics:
        if p["timestamp"] in gap:
            continue
        q = dict(p)
        q.pop("memory_usage")
        pts.append(q)
    return bundle(
        s, {A: Structlog(), WK: Structlog()},
        "document uploads and downloads failing for customers since lunchtime, vault API giving 503s",
        truth_json(True, None, ["s3", "aws", "eu-west-1", "region", "cloud provider", "object storage", "amazon"],
                   "2028-02-23 13:22"),
        metrics={"service": "doc-vault", "metrics": pts},
        rotate={A: [("2028-02-23 12:00", "vault-api.json.log.1")]},
    )


# ============================================================================================
# 4. infrastructure, no deploy: the leaderboard Redis reaches maxmemory (noeviction)
# ============================================================================================


@blind("leaderboard-redis-maxmemory", "RFC 5424 syslog app log + Redis's own log; no deploy for two days; tournament "
       "data fills Redis to maxmemory at 15:18, every score write fails with OOM; null error_rate points")
def leaderboard_redis_maxmemory() -> dict[str, bytes]:
    s = Sim(seed=2204, start="2028-04-22 12:00", minutes=300, service="leaderboard-api")
    g, rng = s.git, s.rng
    a = g.commit("2028-04-19 10:20", "yuki.sato@pixelforge.example", "Tournament brackets: seed by last season's rank",
                 ["internal/tournament/bracket.go", "internal/tournament/bracket_test.go"])
    g.deploy("v4.7.0", "2028-04-19 16:00", [a])
    b = g.commit("2028-04-20 09:12", "dependabot[bot]@users.noreply.github.com", "Bump github.com/redis/go-redis/v9 from 9.5.0 to 9.5.1",
                 ["go.mod", "go.sum"])
    c = g.commit("2028-04-20 11:40", "mateo.ruiz@pixelforge.example", "Spring Cup: 32 rounds, keep round boards 7 days",
                 ["config/tournaments/spring-cup.yaml"])
    g.deploy("v4.7.1", "2028-04-20 14:30", [b, c])
    g.commit("2028-04-22 13:05", "yuki.sato@pixelforge.example", "WIP: archive finished round boards to S3",
             ["internal/tournament/archive.go"])

    APP, RDS = "leaderboard-api.log", "redis-lb-01.log"
    full = s.idx("15:18")
    maxmem = 6.00

    def used(i: int) -> float:
        return min(maxmem, 4.05 + 1.95 * (i / full) ** 1.15) if i < full else maxmem

    def oom(t, rid, ep):
        rnd = rng.randint(18, 24)
        s.log(t, "ERROR", f"lb-api-{rng.randint(1, 4)}/leaderboard-api", "score submit failed", APP, _pid=1,
              err="OOM command not allowed when used memory > 'maxmemory'.", cmd="ZADD",
              key=f"lb:spring-cup:r{rnd}", redis="lb-redis-01:6379", req=rid)

    def each(i: int) -> None:
        u = used(i)
        if i % 5 == 0:
            lvl = "WARN" if u / maxmem > 0.9 else "INFO"
            s.log(s.when(i, 0, 2), lvl, "lb-api-1/leaderboard-api", "redis memory", APP, _pid=1,
                  used_memory=f"{u:.2f}G", maxmemory=f"{maxmem:.2f}G", pct=round(100 * u / maxmem, 1),
                  keys=int(1_210_000 + 600_000 * (u - 4.05) / 1.95), evicted_keys=0, policy="noeviction")
        if i % 4 == 1:
            pid = 30000 + i
            s.log(s.when(i, 0, 5), "INFO", "1:M", "10000 changes in 60 seconds. Saving...", RDS)
            t = s.when(i, 5, 10)
            if i >= full + 18 and rng.random() < 0.5:
                s.log(t, "WARN", "1:M", "Can't save in background: fork: Cannot allocate memory", RDS)
            else:
                s.log(t, "INFO", "1:M", f"Background saving started by pid {pid}", RDS)
                s.log(t + timedelta(seconds=rng.uniform(8, 14)), "INFO", f"{pid}:C", "DB saved on disk", RDS)
                cow = rng.randint(120, 260)
                s.log(t + timedelta(seconds=rng.uniform(14, 16)), "INFO", f"{pid}:C",
                      f"Fork CoW for RDB: current {cow} MB, peak {cow} MB, average {cow * 3 // 4} MB", RDS)
                s.log(t + timedelta(seconds=rng.uniform(16, 19)), "INFO", "1:M", "Background saving terminated with success", RDS)
        if rng.random() < 0.01:
            s.log(s.when(i), "WARN", "1:M", f"Client id={rng.randint(1000, 9999)} addr=10.8.{rng.randint(0, 9)}.{rng.randint(1, 250)}:{rng.randint(30000, 60000)} "
                  f"laddr=10.8.0.12:6379 fd={rng.randint(10, 99)} name= age=0 idle=0 "
                  "flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 "
                  "tot-mem=1800 events=r cmd=NULL user=default redir=-1 resp=2 scheduled to be closed ASAP for overcoming "
                  "of output buffer limits.", RDS)

    def effect(i: int) -> Eff:
        if i < full:
            return Eff()
        return Eff(fail={"POST /v1/scores": clamp(0.93 + rng.gauss(0, 0.03), 0.8, 1.0)}, status=503, cause=oom, fail_ms=4)

    def access(t, method, path, status, took, rid, pod):
        host = f"lb-api-{rng.randint(1, 4)}/leaderboard-api"
        s.log(t, level_of(status), host, f"{method} {path} {status}", APP, _pid=1, dur_ms=took, req=rid,
              player=f"p_{hexid(rng, 8)}" if method == "POST" else "-")

    def restart(t, old, new, version):  # no deploy in the window
        pass

    svc = Svc(
        name="leaderboard-api", file=APP, comp="",
        endpoints=[("POST /v1/scores", 0.38, 4), ("GET /v1/leaderboards/{id}/top", 0.3, 6),
                   ("GET /v1/leaderboards/{id}/around/{id}", 0.2, 8), ("GET /v1/tournaments/active", 0.1, 3),
                   ("GET /health", 0.02, 1)],
        rate=gen_data.trend(3000, 5200), cpu=27, cpu_per_100=0.6, mem=34, access=access, restart=restart,
        pods=4, sample=0.004, fail_sample=0.02, base_fail=0.0003,
        chatter=[
            Chatter(0.3, "WARN", "lb-api-2/leaderboard-api", lambda r: ("rejected score: signature mismatch", {
                "player": f"p_{hexid(r, 8)}", "client": r.choice(["android-3.12.0", "ios-3.12.1", "android-3.9.4"])})),
            Chatter(0.05, "ERROR", "lb-api-3/leaderboard-api", lambda r: ("anti-cheat service call failed, accepting score "
                    "provisionally", {"err": "context deadline exceeded"})),
            Chatter(0, "INFO", "lb-api-1/leaderboard-api", lambda r: ("round rollover check", {"active_rounds": 1}), every=10),
        ],
    )
    serve(s, svc, effect, each)
    for p in s.metrics:
        if p["timestamp"][11:16] in ("13:12", "13:13", "13:14", "14:41", "15:47"):
            p["error_rate"] = None
            p["response_time_ms"] = None
    return bundle(
        s, {APP: Syslog5424(facility=16), RDS: RedisNative()},
        "Spring Cup players say their scores aren't being saved and the leaderboard hasn't moved for a while",
        truth_json(True, None, ["redis", "maxmemory", "out of memory", "memory limit", "noeviction"], "2028-04-22 15:18"),
    )


# ============================================================================================
# 5. a config-only deploy maps enterprise API keys to the default rate-limit policy; impact 55 min later
# ============================================================================================


@blind("forms-api-ratelimit-config", "Grafana-style logfmt (t=/lvl=eror) in two files; config deploy cfg-2028.05.10-1 at "
       "10:05 merges rate-limit tiers, enterprise keys fall to 120/min; the big tenant's hourly sync hits 429s from 11:00; "
       "free-tier 429s all day; v3.8.1 at 10:52 (webhook signing) is a red herring")
def forms_api_ratelimit_config() -> dict[str, bytes]:
    s = Sim(seed=1005, start="2028-05-10 09:00", minutes=240, service="forms-public-api")
    g, rng = s.git, s.rng
    a = g.commit("2028-05-09 10:30", "elif.demir@formly.example", "Responses API: cursor pagination for large forms",
                 ["api/responses/pagination.py", "api/responses/tests/test_pagination.py", "docs/api/responses.md"])
    g.deploy("v3.8.0", "2028-05-09 14:00", [a])
    c = g.commit("2028-05-10 09:41", "bastian.keller@formly.example", "Tidy rate limit policies: merge tenant tiers into one table",
                 ["config/ratelimits/policies.yaml", "config/ratelimits/README.md"])
    g.deploy("cfg-2028.05.10-1", "2028-05-10 10:05", [c])
    d1 = g.commit("2028-05-10 10:12", "elif.demir@formly.example", "Sign webhook payloads with HMAC-SHA256",
                  ["api/webhooks/signing.py", "api/webhooks/tests/test_signing.py", "docs/api/webhooks.md"])
    d2 = g.commit("2028-05-10 10:20", "ravi.menon@formly.example", "Add request id to 4xx error bodies", ["api/errors.py"])
    g.deploy("v3.8.1", "2028-05-10 10:52", [d1, d2])

    API, RL = "api-gw.log", "ratelimit.log"
    change, sync0 = s.idx("10:05"), s.idx("11:00")
    big_key = "ak_live_7Hq2…c91f"

    def sync_active(i: int) -> float:
        m = s.minute(i).minute
        return 1.0 if m < 26 else 0.0

    def limited(t, rid, ep):
        s.log(t, "WARN", "ratelimit", "rate limited", RL, key=big_key, tenant="northwind-logistics", policy="default",
              limit="120/1m", observed=rng.randint(640, 760), req=rid)

    def each(i: int) -> None:
        for _ in range(poisson(rng, 2.6)):
            s.log(s.when(i), "WARN", "ratelimit", "rate limited", RL, key=f"ak_live_{gen_data.b36(rng, 4)}…{hexid(rng, 4)}",
                  tenant=f"ws_{hexid(rng, 6)}", policy="free" if i < change else "default",
                  limit="60/1m" if i < change else "120/1m",
                  observed=rng.randint(61, 95) if i < change else rng.randint(121, 170))
        if i == change:
            s.log(s.when(i, 20, 30), "INFO", "config", "policies reloaded", RL, source="config/ratelimits/policies.yaml",
                  tiers=1, overrides=0, keys=2114, version="cfg-2028.05.10-1")
        if i < change and i % 30 == 0:
            s.log(s.when(i, 0, 4), "INFO", "config", "policies loaded", RL, source="config/ratelimits/policies.yaml",
                  tiers=4, overrides=37, keys=2109)
        if change < i and s.minute(i).strftime("%H:%M") in ("10:31", "10:32", "10:47"):
            s.log(s.when(i), "WARN", "ratelimit", "key near limit", RL, key="ak_live_Pz81…04aa", tenant="globex-hr",
                  policy="default", limit="120/1m", observed=rng.randint(104, 117))
        if sync_active(i) and i >= sync0 and s.minute(i).minute in (0, 1):
            s.log(s.when(i), "INFO", "api", "bulk export started", API, tenant="northwind-logistics", key=big_key,
                  forms=rng.randint(180, 220))
        if i % 15 == 7:
            s.log(s.when(i), "INFO", "api", "webhook delivery stats", API, delivered=rng.randint(900, 1300),
                  failed=rng.randint(3, 20), retried=rng.randint(5, 30))

    def effect(i: int) -> Eff:
        a = sync_active(i)
        e = Eff(ep_rate={"GET /v1/forms/{id}/responses": 1 + 1.1 * a})
        if i >= sync0 and a:
            e.fail = {"GET /v1/forms/{id}/responses": clamp(0.62 + rng.gauss(0, 0.04), 0.4, 0.9)}
            e.status = 429
            e.fail_ms = 3
            e.cause = limited
        return e

    def access(t, method, path, status, took, rid, pod):
        if status == 429:
            s.log(t, "WARN", "api", "request", API, method=method, path=path, status=429, dur=f"{took}ms", req=rid,
                  tenant="northwind-logistics", err="Too Many Requests")
            return
        s.log(t, level_of(status), "api", "request", API, method=method, path=path, status=status, dur=f"{took}ms", req=rid)

    def restart(t, old, new, version):
        if version.startswith("cfg-"):
            s.log(t, "INFO", "config", "config bundle applied", API, version=version, pod=old, restart=False)
            return
        s.log(t, "INFO", "server", "graceful shutdown", API, pod=old)
        s.log(t + timedelta(seconds=rng.uniform(5, 9)), "INFO", "server", "HTTP server listening", API, addr=":3000",
              version=version, pod=new)

    svc = Svc(
        name="forms-public-api", file=API, comp="api",
        endpoints=[("GET /v1/forms/{id}/responses", 0.4, 60), ("POST /v1/forms/{id}/responses", 0.15, 45),
                   ("GET /v1/forms/{id}", 0.2, 20), ("PATCH /v1/forms/{id}", 0.05, 55), ("GET /v1/workspaces", 0.1, 15),
                   ("POST /v1/webhooks", 0.02, 30), ("GET /v1/me", 0.08, 6)],
        rate=gen_data.trend(1100, 1900), cpu=29, cpu_per_100=1.9, mem=52, access=access, restart=restart,
        pods=3, sample=0.01, fail_sample=0.03, deploy_blip=3,
        chatter=[
            Chatter(2.6, "WARN", "api", lambda r: ("request", {"method": "GET", "path": f"/v1/forms/{r.randint(10000, 999999)}/responses",
                    "status": 429, "dur": "1ms", "err": "Too Many Requests"})),
            Chatter(0.3, "WARN", "api", lambda r: ("request", {"method": "GET", "path": f"/v1/forms/{r.randint(10000, 999999)}",
                    "status": 404, "dur": "4ms"})),
            Chatter(0.05, "ERROR", "webhooks", lambda r: ("webhook delivery failed", {"url": "https://hooks.zapier.example/…",
                    "status": 410, "attempt": 5})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {API: GrafanaLogfmt(), RL: GrafanaLogfmt()},
        "Northwind's integration is failing, they say our public API keeps answering 'Too Many Requests'. did we change something?",
        truth_json(True, {"deploy": "cfg-2028.05.10-1", "commits": [c]},
                   ["rate limit", "rate-limit", "ratelimit", "429", "throttl", "too many requests", "quota"], "2028-05-10 11:00"),
    )


# ============================================================================================
# 6. a migration swaps an index for a partial one; sequential scans; DB saturates 65 min later
# ============================================================================================


@blind("stays-index-migration", "Flask-format app log + PostgreSQL log; v14.3.0 at 08:35 runs a migration replacing the "
       "guest_id index with a partial one; slow queries at once, statement timeouts on every DB endpoint from 09:40 as "
       "morning traffic grows; v14.3.1 at 09:33 (e-mail subject typo) is a red herring")
def stays_index_migration() -> dict[str, bytes]:
    s = Sim(seed=1406, start="2028-06-14 06:30", minutes=300, service="stays-api")
    g, rng = s.git, s.rng
    a = g.commit("2028-06-13 10:05", "clara.mendes@staysy.example", "Listing photos: serve AVIF when accepted",
                 ["stays/listings/photos.py"])
    b = g.commit("2028-06-13 12:44", "jonas.falk@staysy.example", "Host payouts: show pending amount",
                 ["stays/payouts/views.py", "stays/payouts/tests/test_views.py"])
    g.deploy("v14.2.0", "2028-06-13 16:00", [a, b])
    c1 = g.commit("2028-06-14 07:10", "clara.mendes@staysy.example", "Guest review reminders two days after checkout",
                  ["stays/reviews/reminders.py", "stays/reviews/tests/test_reminders.py"])
    c2 = g.commit("2028-06-14 07:32", "jonas.falk@staysy.example",
                  "Migration 0217: replace idx_reservations_guest_id with a partial index on active reservations",
                  ["stays/db/migrations/0217_reservations_guest_idx.py"])
    g.deploy("v14.3.0", "2028-06-14 08:35", [c1, c2])
    d = g.commit("2028-06-14 09:05", "clara.mendes@staysy.example", "Fix typo in cancellation e-mail subject",
                 ["stays/templates/email/cancellation_subject.txt"])
    g.deploy("v14.3.1", "2028-06-14 09:33", [d])

    APP, PG = "stays-api.log", "postgresql-2028-06-14.log"
    mig, onset = s.idx("08:35"), s.idx("09:40")
    rate_fn = gen_data.trend(600, 2700)
    # DB utilisation: normal work grows with traffic; after the migration each guest-reservation list scans
    def util(i: int) -> float:
        r = rate_fn(i / (s.n - 1))
        u = 0.12 + r / 5200
        if i >= mig:
            u += 0.42 * (r / 1950) ** 1.6 * min(1.0, (i - mig + 1) / 2)
        return u

    def overload(i: int) -> float:
        return clamp(0.04 + (util(i) - util(onset)) * 2.5, 0.02, 0.7) if i >= onset else 0.0

    def seq_ms(i: int) -> float:
        return 180 / max(0.05, 1 - min(util(i), 0.95)) ** 0.5

    sql = ("SELECT r.id, r.listing_id, r.check_in, r.check_out, r.status FROM reservations r WHERE r.guest_id = $1 "
           "ORDER BY r.check_in DESC LIMIT 50")

    def timeout(t, rid, ep):
        s.log(t, "ERROR", "stays.db", f"QueryCanceled: canceling statement due to statement timeout (endpoint={ep}, request_id={rid})", APP)
        if rng.random() < 0.3:
            who = "stays_app@stays"
            q = sql if "reservations" in ep else "SELECT ... FROM listings WHERE id = $1"
            s.log(t, "ERROR", f"{rng.randint(40000, 49999)} {who}", "canceling statement due to statement timeout", PG)
            s.log(t, "INFO", f"{rng.randint(40000, 49999)} {who}", f"STATEMENT:  {q}", PG)

    def each(i: int) -> None:
        if i == mig:
            t = s.when(i, 1, 3)
            s.log(t, "INFO", "stays.migrate", "Applying reservations.0217_reservations_guest_idx...", APP)
            s.log(t + timedelta(seconds=1), "INFO", f"{41000 + i} stays_migrator@stays",
                  "statement: DROP INDEX CONCURRENTLY IF EXISTS idx_reservations_guest_id", PG)
            s.log(t + timedelta(seconds=2), "INFO", f"{41000 + i} stays_migrator@stays",
                  "statement: CREATE INDEX CONCURRENTLY idx_reservations_guest_active ON reservations (guest_id) "
                  "WHERE status = 'active'", PG)
            s.log(t + timedelta(seconds=39), "INFO", "stays.migrate", "Applying reservations.0217_reservations_guest_idx... OK (37.4s)", APP)
        if i >= mig:
            r = rate_fn(i / (s.n - 1)) * 0.12
            for _ in range(poisson(rng, min(r * 0.02, 14))):
                s.log(s.when(i), "INFO", f"{rng.randint(40000, 49999)} stays_app@stays",
                      f"duration: {seq_ms(i) * rng.uniform(0.8, 1.3):.3f} ms  execute <unnamed>: {sql}", PG)
            if rng.random() < 0.3:
                s.log(s.when(i), "WARN", "stays.db", f"slow query {int(seq_ms(i))}ms on reservations (guest listing)", APP)
        if rng.random() < 0.05:
            s.log(s.when(i), "INFO", f"{rng.randint(40000, 49999)} stays_app@stays",
                  f"duration: {rng.uniform(500, 900):.3f} ms  execute <unnamed>: SELECT l.* FROM listings l WHERE "
                  "ST_DWithin(l.geo, $1, $2) AND l.active ORDER BY l.score DESC LIMIT 200", PG)
        if i % 6 == 2:
            s.log(s.when(i), "INFO", str(rng.randint(100, 999)),
                  f"checkpoint complete: wrote {rng.randint(800, 4200)} buffers ({rng.uniform(0.5, 2.5):.1f}%); "
                  f"0 WAL file(s) added, 0 removed, {rng.randint(1, 3)} recycled; write={rng.uniform(20, 120):.3f} s", PG)
        if rng.random() < 0.03:
            s.log(s.when(i), "INFO", str(rng.randint(50000, 59999)),
                  f"automatic vacuum of table \"stays.public.{rng.choice(['messages', 'listing_views', 'sessions'])}\": "
                  f"index scans: 1, pages: 0 removed, {rng.randint(2000, 90000)} remain", PG)
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", f"{rng.randint(40000, 49999)} stays_app@stays",
                  "duplicate key value violates unique constraint \"messages_idempotency_key\"", PG)

    def effect(i: int) -> Eff:
        if i < mig:
            return Eff()
        ov = overload(i)
        q = clamp((util(i) - 0.6) * 1.5, 0, 1.5)
        e = Eff(lat_add={"GET /v1/guests": seq_ms(i)}, lat_mult={"": 1 + q})
        if ov > 0:
            db = {"GET /v1/listings": ov, "GET /v1/search": ov, "GET /v1/guests": min(1.0, ov * 1.4),
                  "POST /v1/reservations": ov, "GET /v1/reservations": ov, "POST /v1/messages": ov}
            e.fail, e.fail_ms, e.cause = db, 5000, timeout
        return e

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "stays.http", f'"{method} {path}" {status} {took}ms rid={rid}', APP)

    def restart(t, old, new, version):
        s.log(t, "INFO", "gunicorn.error", f"Handling signal: term ({old})", APP)
        s.log(t + timedelta(seconds=rng.uniform(5, 8)), "INFO", "gunicorn.error", f"Booting worker with pid: {rng.randint(8, 60)} "
              f"({new}, {version})", APP)

    svc = Svc(
        name="stays-api", file=APP, comp="stays.http",
        endpoints=[("GET /v1/listings/{id}", 0.3, 35), ("GET /v1/search", 0.25, 120), ("GET /v1/guests/{id}/reservations", 0.12, 6),
                   ("POST /v1/reservations", 0.06, 140), ("GET /v1/reservations/{id}", 0.15, 20), ("POST /v1/messages", 0.07, 50),
                   ("GET /healthz", 0.05, 2)],
        rate=rate_fn, cpu=18, cpu_per_100=1.1, mem=49, access=access, restart=restart, pods=4, sample=0.008, fail_sample=0.08,
        chatter=[
            Chatter(0.25, "WARN", "stays.pricing", lambda r: f"currency rate stale for {r.choice(['NOK', 'HUF', 'ISK'])}, using yesterday's"),
            Chatter(0.04, "ERROR", "stays.calendar", lambda r: "iCal import failed for listing "
                    f"{r.randint(10000, 99999)}: HTTP 404 from airbnb.com calendar URL"),
            Chatter(0.1, "WARN", "stays.search", lambda r: f"search exceeded 1s budget ({r.randint(1000, 1900)}ms)"),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: FlaskFmt(), PG: PgLog()},
        "stays API erroring and timing out all over the place this morning",
        truth_json(True, {"deploy": "v14.3.0", "commits": [c2]},
                   ["index", "sequential scan", "seq scan", "full table scan", "migration"], "2028-06-14 09:40", tolerance=4),
    )


# ============================================================================================
# 7. a driver upgrade (pgx v4 -> v5) behind PgBouncer: prepared statement errors; rolled back
# ============================================================================================


@blind("dispatch-pgx-upgrade", "zerolog JSON (epoch-second time) + PgBouncer log; v1.32.0 at 11:48 migrates to pgx v5 "
       "(statement cache behind PgBouncer transaction pooling): ~30% of DB queries fail with prepared-statement errors "
       "until the rollback at 12:40; the same deploy carries a feature and a refactor")
def dispatch_pgx_upgrade() -> dict[str, bytes]:
    s = Sim(seed=702, start="2028-07-02 10:00", minutes=240, service="courier-dispatch")
    g, rng = s.git, s.rng
    a = g.commit("2028-07-01 09:15", "kwame.asante@rushr.example", "Assign couriers by ETA instead of straight-line distance",
                 ["internal/assign/eta.go", "internal/assign/eta_test.go"])
    g.deploy("v1.31.0", "2028-07-01 11:00", [a])
    b = g.commit("2028-07-02 09:20", "ana.vidal@rushr.example", "Log assignment latency histogram every minute",
                 ["internal/assign/metrics.go"])
    g.deploy("v1.31.1", "2028-07-02 10:20", [b])
    c1 = g.commit("2028-07-01 16:02", "kwame.asante@rushr.example", "Migrate from pgx v4 to pgx v5",
                  ["go.mod", "go.sum", "internal/store/db.go", "internal/store/jobs.go", "internal/store/couriers.go",
                   "internal/store/zones.go"])
    c2 = g.commit("2028-07-02 10:44", "ana.vidal@rushr.example", "Add courier shift export endpoint",
                  ["internal/api/shifts.go", "internal/store/shifts.go", "internal/api/shifts_test.go"])
    c3 = g.commit("2028-07-02 11:05", "li.zhang@rushr.example", "Refactor zone lookup into its own package",
                  ["internal/zones/lookup.go", "internal/zones/lookup_test.go", "internal/api/jobs.go"])
    g.deploy("v1.32.0", "2028-07-02 11:48", [c1, c2, c3], status="rolled_back")
    g.deploy("v1.31.1", "2028-07-02 12:40", [], status="rollback")

    APP, PGB = "dispatch.log", "pgbouncer.log"
    dep, back = "2028-07-02 11:48", s.idx("12:40")

    def share(i: int) -> float:
        if i >= back:
            return max(0.0, 1 - rollout_share(s, i, "2028-07-02 12:40", 3, 40))
        return rollout_share(s, i, dep, 3, 40)

    routes = {"POST /v1/jobs": ("/v1/jobs", "internal/store/jobs.go:61"),
              "GET /v1/jobs/{id}": ("/v1/jobs/:id", "internal/store/jobs.go:88"),
              "POST /v1/jobs/{id}/accept": ("/v1/jobs/:id/accept", "internal/store/jobs.go:142"),
              "GET /v1/zones/{id}/couriers": ("/v1/zones/:id/couriers", "internal/store/couriers.go:47")}

    def pgerr(t, rid, ep):
        route, caller = routes[ep]
        name = f"stmtcache_{hexid(rng, 16)}"
        err = rng.choices([f'ERROR: prepared statement "{name}" already exists (SQLSTATE 42P05)',
                           f'ERROR: prepared statement "{name}" does not exist (SQLSTATE 26000)',
                           "ERROR: bind message supplies 2 parameters, but prepared statement \"\" requires 1 (SQLSTATE 08P01)"],
                          weights=[6, 3, 1])[0]
        s.log(t, "ERROR", caller, "query failed", APP, error=err, route=route, request_id=rid)

    def each(i: int) -> None:
        sh = share(i)
        t = s.when(i, 0, 1)
        base = 380 + 160 * math.sin(i / 40) + rng.randint(-20, 20)
        s.log(t, "INFO", "1", f"stats: {int(base)} xacts/s, {int(base * 3.1 * (1 + 0.35 * sh))} queries/s, in {rng.randint(150000, 210000)} B/s, "
              f"out {rng.randint(560000, 690000)} B/s, xact {rng.randint(900, 1400)} us, query {rng.randint(300, 480)} us, "
              f"wait {rng.randint(5, 40)} us", PGB)
        for _ in range(poisson(rng, 0.6 + 1.5 * sh)):
            s.log(s.when(i), "INFO", "1", f"C-0x{hexid(rng, 12)}: dispatch/dispatch_app@10.4.{rng.randint(0, 3)}.{rng.randint(2, 250)}:"
                  f"{rng.randint(30000, 60000)} closing because: client close request (age={rng.randint(0, 900)}s)", PGB)
        if rng.random() < 0.02:
            s.log(s.when(i), "WARN", "1", f"C-0x{hexid(rng, 12)}: dispatch/analytics_ro@10.4.9.{rng.randint(2, 250)}:"
                  f"{rng.randint(30000, 60000)} pooler error: no such user", PGB)
        if i % 1 == 0:
            s.log(s.when(i, 58, 59.9), "INFO", "internal/assign/metrics.go:22", "assignment latency", APP,
                  p50_ms=rng.randint(80, 120), p95_ms=rng.randint(300, 520), assigned=rng.randint(120, 260))

    def effect(i: int) -> Eff:
        sh = share(i)
        if sh == 0:
            return Eff()
        f = 0.31 * sh
        return Eff(fail={"POST /v1/jobs": f, "GET /v1/jobs": f, "POST /v1/jobs/{id}/accept": f, "GET /v1/zones": f},
                   cause=pgerr, fail_ms=8)

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "internal/api/middleware.go:40", "http request", APP, method=method, path=path,
              status=status, duration_ms=took, request_id=rid)

    def restart(t, old, new, version):
        s.log(t, "INFO", "cmd/dispatch/main.go:112", "shutting down", APP, pod=old)
        s.log(t + timedelta(seconds=rng.uniform(4, 7)), "INFO", "cmd/dispatch/main.go:71", "dispatch starting", APP,
              pod=new, version=version, db="pgbouncer.dispatch.svc:6432")

    svc = Svc(
        name="courier-dispatch", file=APP, comp="",
        endpoints=[("POST /v1/jobs", 0.12, 40), ("GET /v1/jobs/{id}", 0.25, 12), ("POST /v1/couriers/{id}/location", 0.4, 6),
                   ("POST /v1/jobs/{id}/accept", 0.08, 25), ("GET /v1/zones/{id}/couriers", 0.1, 18), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(1500, 2600, 0.5, 0.45), cpu=24, cpu_per_100=1.4, mem=38, access=access, restart=restart,
        pods=3, sample=0.006, fail_sample=0.06,
        chatter=[
            Chatter(0.4, "WARN", "internal/assign/eta.go:77", lambda r: ("routing provider slow, using cached ETA",
                    {"took_ms": r.randint(800, 1500)})),
            Chatter(0.06, "ERROR", "internal/push/fcm.go:58", lambda r: ("push failed", {"error": "registration-token-not-registered",
                    "courier": r.randint(1000, 9999)})),
            Chatter(0.3, "WARN", "internal/api/location.go:33", lambda r: ("location rejected: accuracy too low",
                    {"accuracy_m": r.randint(120, 900)})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: Zerolog(), PGB: PgBouncerFmt()},
        "dispatch API throwing 500s on and off, couriers say jobs won't accept",
        truth_json(True, {"deploy": "v1.32.0", "commits": [c1]},
                   ["prepared statement", "pgx", "pgbouncer", "statement cache", "driver", "42P05"], "2028-07-02 11:49"),
        rotate={APP: [("2028-07-02 11:00", "dispatch.log.1.gz")]},
    )


# ============================================================================================
# 8. latency creeps for an hour; an unbounded memo shipped two and a half hours earlier
# ============================================================================================


@blind("tiles-latency-creep", "logback app log + Apache combined access log + JVM unified GC log; v3.7.0 at 06:05 memoizes "
       "style layers in a list keyed by viewport: CPU, heap and latency creep, 3x latency about 08:25, 504s from ~08:45; "
       "benign deploys at 08:12 and 08:31")
def tiles_latency_creep() -> dict[str, bytes]:
    s = Sim(seed=809, start="2028-08-09 05:00", minutes=300, service="map-tiles")
    g, rng = s.git, s.rng
    a = g.commit("2028-08-08 11:30", "ola.nordmann@cartograph.example", "Render building heights at zoom 16+",
                 ["tiles/src/main/java/com/cartograph/tiles/layers/Buildings.java"])
    g.deploy("v3.6.2", "2028-08-08 17:00", [a])
    b1 = g.commit("2028-08-08 16:10", "mei.tanaka@cartograph.example", "Memoize resolved style layers per request signature",
                  ["tiles/src/main/java/com/cartograph/tiles/style/StyleResolver.java",
                   "tiles/src/main/java/com/cartograph/tiles/style/LayerMemo.java",
                   "tiles/src/test/java/com/cartograph/tiles/style/LayerMemoTest.java"])
    b2 = g.commit("2028-08-08 17:22", "ola.nordmann@cartograph.example", "Tune G1 region size to 8m", ["deploy/jvm.options"])
    g.deploy("v3.7.0", "2028-08-09 06:05", [b1, b2])
    e0 = g.commit("2028-08-09 05:22", "ines.duarte@cartograph.example", "Streets style: label ferry routes from z9",
                  ["styles/streets-v11.json"])
    g.deploy("styles-0809.0", "2028-08-09 05:40", [e0])
    e1 = g.commit("2028-08-09 08:05", "ines.duarte@cartograph.example", "Streets style: darker motorway casing, new layer order",
                  ["styles/streets-v11.json", "styles/sprites/motorway.svg"])
    g.deploy("styles-0809.1", "2028-08-09 08:31", [e1])
    g.commit("2028-08-09 08:02", "ola.nordmann@cartograph.example", "Bump logback-classic to 1.5.6", ["pom.xml"])

    APP, ACC, GC = "tiles.log", "access_log", "gc.log"
    dep = s.idx("06:05")
    rate_fn = gen_data.trend(1400, 5200)
    served = [0.0]

    def slow_factor() -> float:
        m = served[0] / 1000.0  # thousand memo entries per JVM
        return 1 + min(24.0, (m / 37.8) ** 4.55)

    state = {"f": 1.0}

    def each(i: int) -> None:
        r = rate_fn(i / (s.n - 1))
        if i >= dep:
            served[0] += r * 0.11  # new viewport signatures per minute per JVM (never evicted)
        state["f"] = slow_factor() if i >= dep else 1.0
        f = state["f"]
        if i % 1 == 0:
            heap_used = int(900 + 420 * (f - 1) ** 0.6 + rng.randint(-60, 60))
            for _ in range(max(1, poisson(rng, 3 * min(f, 4)))):
                young_before = rng.randint(1300, 1700)
                pause = lognorm(rng, 9 * min(f, 6) ** 0.8, 0.3)
                s.log(s.when(i), "INFO", "gc", f"GC({rng.randint(10000, 99999)}) Pause Young (Normal) (G1 Evacuation Pause) "
                      f"{young_before + heap_used}M->{heap_used}M(4096M) {pause:.3f}ms", GC)
            if f > 2.2 and rng.random() < 0.2:
                s.log(s.when(i), "INFO", "gc", f"GC({rng.randint(10000, 99999)}) Pause Remark {heap_used + 300}M->{heap_used}M(4096M) "
                      f"{lognorm(rng, 40 * f ** 0.5):.3f}ms", GC)
        if f > 2.5 and rng.random() < min(0.9, (f - 2.5) * 0.3):
            s.log(s.when(i), "WARN", "c.c.tiles.render.TileRenderer", f"render exceeded budget: {int(120 * f * rng.uniform(0.9, 1.5))}ms "
                  f"(style=streets-v11 z={rng.randint(12, 17)})", APP, _thread=f"render-{rng.randint(1, 16)}")
        if rng.random() < 0.05:
            s.log(s.when(i), "WARN", "c.c.tiles.source.PostgisSource", f"slow source query {rng.randint(900, 2500)}ms layer=landuse",
                  APP, _thread=f"render-{rng.randint(1, 16)}")
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", "c.c.tiles.fonts.GlyphLoader", "glyph range 63488-63743 missing for font 'Noto Sans Regular', "
                  "skipping", APP, _thread=f"render-{rng.randint(1, 16)}")
        if i % 10 == 0:
            s.log(s.when(i), "INFO", "c.c.tiles.cache.TileCache", f"tile cache: size={rng.randint(180000, 200000)} "
                  f"hit_ratio={rng.uniform(0.71, 0.76):.3f} evictions={rng.randint(800, 2400)}", APP, _thread="cache-stats")

    def effect(i: int) -> Eff:
        f = state["f"]
        if f <= 1.0001:
            return Eff()
        lat_total = 118 * f
        timeout_p = clamp((lat_total - 600) / 2500, 0, 0.6)
        e = Eff(lat_mult={"": f}, cpu_add=min(62, 18 * (f - 1) ** 0.8), mem_add=min(30, 9 * (f - 1) ** 0.6))
        if timeout_p > 0:
            e.fail = {"GET /tiles": timeout_p}
            e.status = 504
            e.fail_ms = 3000
        return e

    def access(t, method, path, status, took, rid, pod):
        s.log(t, "INFO", "", "", ACC, ip=ip(rng, "172.16."), method=method, path=path, status=status,
              bytes=0 if status == 504 else rng.randint(4000, 90000) if path.startswith("/tiles") else rng.randint(200, 3000),
              ua=rng.choice(["MapLibre/4.1.1 (iOS 17.5)", "okhttp/4.12.0", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0",
                             "MapLibre Native Android/11.0.1"]), secs=took / 1000)
        if status == 504:
            s.log(t, "WARN", "c.c.tiles.http.TileHandler", f"client went away before tile completed: {path} after {took}ms",
                  APP, _thread=f"http-nio-8080-exec-{rng.randint(1, 200)}")

    def restart(t, old, new, version):
        if version.startswith("styles-"):
            s.log(t, "INFO", "c.c.tiles.style.StyleStore", f"style streets-v11 reloaded from gs://cartograph-styles ({version})",
                  APP, _thread="style-watcher")
            return
        s.log(t, "INFO", "c.c.tiles.Application", f"Shutdown requested on {old}", APP, _thread="SpringApplicationShutdownHook")
        s.log(t + timedelta(seconds=rng.uniform(15, 25)), "INFO", "c.c.tiles.Application",
              f"Started Application in 14.8 seconds (process running for 15.9) version={version} pod={new}", APP, _thread="main")

    def fill(r, path):
        z = r.randint(10, 17)
        return path.replace("{z}", str(z)).replace("{x}", str(r.randint(0, 2 ** z - 1))).replace("{y}", str(r.randint(0, 2 ** z - 1)))

    svc = Svc(
        name="map-tiles", file=ACC, comp="",
        endpoints=[("GET /tiles/v2/streets/{z}/{x}/{y}.pbf", 0.62, 110), ("GET /tiles/v2/satellite/{z}/{x}/{y}.webp", 0.2, 150),
                   ("GET /tiles/v2/terrain/{z}/{x}/{y}.pbf", 0.1, 130), ("GET /styles/v1/streets-v11.json", 0.05, 8),
                   ("GET /actuator/health", 0.03, 2)],
        rate=rate_fn, cpu=21, cpu_per_100=0.5, mem=44, access=access, restart=restart, pods=3,
        sample=0.005, fail_sample=0.05, base_fail=0.0002, fill=fill,
        chatter=[Chatter(0.1, "WARN", "c.c.tiles.http.TileHandler", lambda r: (f"tile out of bounds: z={r.randint(18, 22)}",
                 {"_thread": f"http-nio-8080-exec-{r.randint(1, 200)}"}), file=APP)],
    )
    serve(s, svc, effect, each)
    # onset: mean response time at three times its level before the deploy
    base = sum(p["response_time_ms"] for p in s.metrics[:60]) / 60
    onset = next(s.minute(k) for k, p in enumerate(s.metrics) if k > dep and p["response_time_ms"] > 3 * base
                 and all(q["response_time_ms"] > 3 * base for q in s.metrics[k:k + 5]))
    return bundle(
        s, {APP: Logback(), ACC: ApacheCombined(), GC: JvmUnified()},
        "map tiles loading really slowly, app feels sluggish and now some tiles come back blank",
        truth_json(True, {"deploy": "v3.7.0", "commits": [b1]},
                   ["memo", "unbounded", "cache", "style layer", "layermemo", "styleresolver"],
                   onset.strftime("%Y-%m-%d %H:%M"), tolerance=15),
        rotate={ACC: [("2028-08-09 07:00", "access_log.1")]},
    )


# ============================================================================================
# 9. one endpoint (seat map) broken by a deploy; 1% of all requests
# ============================================================================================


@blind("trips-seatmap-partial", "ECS JSON (dotted keys) in two files; v21.5.0 at 13:07 reads cabin layout from a new schema: "
       "every seat-map and seat-selection request fails (KeyError 'deck'), about 1% of traffic; error rate 0.1% -> ~1.1%")
def trips_seatmap_partial() -> dict[str, bytes]:
    s = Sim(seed=2109, start="2028-09-21 11:00", minutes=270, service="trips-api")
    g, rng = s.git, s.rng
    a = g.commit("2028-09-20 09:44", "ruth.abebe@flyhop.example", "Show baggage allowance per segment",
                 ["trips/baggage/allowance.py", "trips/baggage/tests/test_allowance.py"])
    g.deploy("v21.4.0", "2028-09-20 15:00", [a])
    b = g.commit("2028-09-21 10:02", "paulo.reis@flyhop.example", "Retry GDS availability once on 502",
                 ["trips/gds/client.py"])
    g.deploy("v21.4.1", "2028-09-21 11:40", [b])
    c1 = g.commit("2028-09-21 11:15", "ruth.abebe@flyhop.example", "Seat map: read cabin layout from the new inventory schema",
                  ["trips/seatmap/layout.py", "trips/seatmap/serializers.py", "trips/seatmap/tests/test_layout.py"])
    c2 = g.commit("2028-09-21 11:50", "sven.olsen@flyhop.example", "Add passenger middle name to boarding pass",
                  ["trips/passengers/boarding_pass.py"])
    c3 = g.commit("2028-09-21 12:01", "dependabot[bot]@users.noreply.github.com", "Bump boto3 from 1.35.8 to 1.35.12",
                  ["requirements.txt"])
    g.deploy("v21.5.0", "2028-09-21 13:07", [c1, c2, c3])
    d = g.commit("2028-09-21 14:02", "paulo.reis@flyhop.example", "Log GDS latency per airline", ["trips/gds/client.py"])
    g.deploy("v21.5.1", "2028-09-21 14:25", [d])

    API, WK = "trips-api.ndjson", "trips-worker.ndjson"

    def keyerror(t, rid, ep):
        s.log(t, "ERROR", "trips.seatmap.serializers", "Unhandled exception in seat map serializer", API,
              **{"error.type": "KeyError", "error.message": "'deck'", "trace.id": rid,
                 "error.stack_trace": "Traceback (most recent call last):\n  File \"/app/trips/seatmap/views.py\", line 41, in get\n"
                 "    return Response(SeatMapSerializer(layout).data)\n  File \"/app/trips/seatmap/serializers.py\", line 88, in "
                 "to_representation\n    deck = cabin[\"deck\"]\nKeyError: 'deck'",
                 "flight": f"{rng.choice(['FH', 'KL', 'LH', 'AF'])}{rng.randint(100, 2999)}"})

    def effect(i: int) -> Eff:
        sh = rollout_share(s, i, "2028-09-21 13:07", 4, 30)
        if sh == 0:
            return Eff()
        return Eff(fail={"GET /v3/trips/{id}/seatmap": sh, "POST /v3/trips/{id}/seats": sh}, cause=keyerror, fail_ms=35)

    def each(i: int) -> None:
        for _ in range(poisson(rng, 1.8)):
            s.log(s.when(i), "INFO", "trips.tasks", "task succeeded", WK, **{"task.name": rng.choice(
                ["send_itinerary_email", "sync_pnr", "refresh_fare_rules"]), "event.duration": rng.randint(80, 2200) * 1_000_000})
        if rng.random() < 0.06:
            s.log(s.when(i), "WARN", "trips.tasks", "task retry", WK, **{"task.name": "sync_pnr",
                  "error.message": "GDS 502 Bad Gateway", "retry": rng.randint(1, 3)})
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", "trips.tasks", "task failed", WK, **{"task.name": "send_itinerary_email",
                  "error.type": "SMTPRecipientsRefused", "error.message": "550 mailbox unavailable"})

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "trips.http", f"{method} {path} {status}", API, **{
            "http.request.method": method, "url.path": path, "http.response.status_code": status,
            "event.duration": took * 1_000_000, "trace.id": rid, "host.name": pod})

    def restart(t, old, new, version):
        s.log(t, "INFO", "uvicorn.error", "Shutting down", API, **{"host.name": old})
        s.log(t + timedelta(seconds=rng.uniform(5, 9)), "INFO", "uvicorn.error", "Application startup complete.", API,
              **{"host.name": new, "service.version": version})

    svc = Svc(
        name="trips-api", file=API, comp="trips.http",
        endpoints=[("GET /v3/trips/{id}", 0.33, 45), ("GET /v3/flights/search", 0.3, 380), ("POST /v3/trips/{id}/passengers", 0.06, 120),
                   ("GET /v3/trips/{id}/seatmap", 0.006, 140), ("POST /v3/trips/{id}/seats", 0.004, 160),
                   ("GET /v3/airports/{code}", 0.12, 6), ("GET /v3/trips/{id}/boarding-pass", 0.05, 70), ("GET /health", 0.13, 1)],
        rate=gen_data.bump(800, 1250, 0.4, 0.6), cpu=33, cpu_per_100=2.2, mem=61, access=access, restart=restart,
        pods=4, sample=0.015, fail_sample=0.35, base_fail=0.001,
        chatter=[
            Chatter(0.4, "WARN", "trips.gds", lambda r: ("GDS availability slow", {"event.duration": r.randint(2000, 6000) * 1_000_000,
                    "airline": r.choice(["KL", "LH", "AF", "FH"])})),
            Chatter(0.12, "ERROR", "trips.gds", lambda r: ("GDS fare quote failed", {"error.message": "502 Bad Gateway from "
                    "gds.amadeus.example", "airline": r.choice(["KL", "LH"])})),
            Chatter(0.3, "WARN", "trips.http", lambda r: (f"GET /v3/trips/{r.randint(10000, 9999999)} 404", {"http.response.status_code": 404})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {API: ECS("trips-api"), WK: ECS("trips-worker")},
        "customers can't pick seats in the app, the seat selection screen errors out. rest of the app seems ok?",
        truth_json(True, {"deploy": "v21.5.0", "commits": [c1]},
                   ["seat map", "seatmap", "seat-map", "seat selection", "keyerror", "deck", "serializer", "cabin layout"],
                   "2028-09-21 13:07"),
    )


# ============================================================================================
# 10. another team's analytics export overloads the shared read replica at night; recovers by itself
# ============================================================================================


@blind("partner-portal-replica-contention", "zap console (tab-separated) + PostgreSQL replica log; 02:05-02:48 a warehouse "
       "export (another team, not in our git) saturates the shared replica; our report queries time out 02:07-02:50 and "
       "recover with no deploy; our nightly release at 01:15 is a red herring; asked the next morning")
def partner_portal_replica_contention() -> dict[str, bytes]:
    s = Sim(seed=1005_2, start="2028-10-04 23:30", minutes=420, service="partner-portal")
    g, rng = s.git, s.rng
    a = g.commit("2028-10-04 10:22", "oskar.lind@tradelane.example", "Partner invoices: filter by due date",
                 ["internal/invoices/filter.go", "web/src/invoices/Filter.tsx"])
    g.deploy("v7.10.0", "2028-10-04 16:30", [a])
    b1 = g.commit("2028-10-04 18:03", "renovate[bot]@users.noreply.github.com", "Update module golang.org/x/net to v0.30.0",
                  ["go.mod", "go.sum"])
    b2 = g.commit("2028-10-04 19:40", "fatima.zahra@tradelane.example", "Reports: cache partner list for 5 minutes",
                  ["internal/reports/partners.go", "internal/reports/partners_test.go"])
    g.deploy("v7.10.1-nightly", "2028-10-05 01:15", [b1, b2])

    APP, PG = "portal.log", "postgresql-replica.log"
    exp_a, exp_b = s.idx("2028-10-05 02:05"), s.idx("2028-10-05 02:48")
    hit_a, hit_b = s.idx("2028-10-05 02:07"), s.idx("2028-10-05 02:50")

    def sev(i: int) -> float:
        if hit_a <= i < hit_b:
            return 0.55 * min(1.0, (i - hit_a + 1) / 3) * (0.8 + 0.2 * math.sin(i))
        return 0.0

    def to(t, rid, ep):
        s.log(t, "ERROR", "reports/query.go:118", "report query failed", APP, route=ep.split(" ")[1], request_id=rid,
              err="pq: canceling statement due to statement timeout", db="replica-1")
        if rng.random() < 0.4:
            s.log(t, "ERROR", f"{rng.randint(20000, 29999)} portal_ro@tradelane", "canceling statement due to statement timeout", PG)

    def each(i: int) -> None:
        if i == exp_a:
            s.log(s.when(i, 3, 5), "INFO", "31877 analytics_export@tradelane",
                  "statement: COPY (SELECT s.*, l.*, p.* FROM shipments s JOIN shipment_lines l ON l.shipment_id = s.id "
                  "JOIN partners p ON p.id = s.partner_id WHERE s.updated_at >= now() - interval '400 days') TO STDOUT "
                  "WITH (FORMAT csv)", PG)
        if exp_a <= i < exp_b and (i - exp_a) % 9 == 4:
            s.log(s.when(i), "INFO", f"{rng.randint(31800, 31999)} analytics_export@tradelane",
                  f"temporary file: path \"base/pgsql_tmp/pgsql_tmp31877.{rng.randint(1, 90)}\", size {rng.randint(900, 1100) * 1048576}", PG)
        if i == exp_b:
            s.log(s.when(i, 10, 20), "INFO", "31877 analytics_export@tradelane",
                  "duration: 2591447.212 ms  statement: COPY (SELECT s.*, l.*, p.* FROM shipments s JOIN shipment_lines l ON "
                  "l.shipment_id = s.id JOIN partners p ON p.id = s.partner_id WHERE s.updated_at >= now() - interval '400 days') "
                  "TO STDOUT WITH (FORMAT csv)", PG)
        if exp_a <= i < exp_b:
            for _ in range(poisson(rng, 1.2)):
                s.log(s.when(i), "INFO", f"{rng.randint(20000, 29999)} portal_ro@tradelane",
                      f"duration: {rng.uniform(1800, 2999):.3f} ms  execute <unnamed>: SELECT partner_id, sum(amount) FROM "
                      "invoices WHERE partner_id = $1 AND issued_at >= $2 GROUP BY 1", PG)
            if rng.random() < 0.25:
                s.log(s.when(i), "WARN", "reports/query.go:90", "replica lag high", APP, lag_s=rng.randint(12, 45), db="replica-1")
        elif rng.random() < 0.04:
            s.log(s.when(i), "INFO", f"{rng.randint(20000, 29999)} portal_ro@tradelane",
                  f"duration: {rng.uniform(1000, 1500):.3f} ms  execute <unnamed>: SELECT partner_id, sum(amount) FROM "
                  "invoices WHERE partner_id = $1 AND issued_at >= $2 GROUP BY 1", PG)
        if i % 5 == 1:
            s.log(s.when(i), "INFO", str(rng.randint(100, 199)), f"restartpoint complete: wrote {rng.randint(200, 3000)} buffers "
                  f"({rng.uniform(0.1, 1.5):.1f}%); write={rng.uniform(5, 60):.3f} s", PG)
        if s.minute(i).strftime("%H:%M") in ("00:00", "03:00", "04:00"):
            s.log(s.when(i, 2, 9), "INFO", "jobs/scheduler.go:51", "job finished", APP, job="partner-digest", took_ms=rng.randint(20000, 40000))

    def effect(i: int) -> Eff:
        v = sev(i)
        if v == 0:
            return Eff()
        return Eff(fail={"GET /api/reports": v, "GET /api/invoices": v * 0.6}, lat_mult={"GET /api/reports": 4, "GET /api/invoices": 3},
                   fail_ms=3000, cause=to)

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "httpserver/log.go:29", "request", APP, method=method, path=path, status=status,
              latency_ms=took, request_id=rid)

    def restart(t, old, new, version):
        s.log(t, "INFO", "cmd/portal/main.go:140", "received terminated, shutting down", APP, pod=old)
        s.log(t + timedelta(seconds=rng.uniform(4, 8)), "INFO", "cmd/portal/main.go:88", "portal ready", APP, pod=new, version=version)

    night = lambda x: 260 - 170 * math.exp(-((x - 0.45) / 0.3) ** 2)  # noqa: E731
    svc = Svc(
        name="partner-portal", file=APP, comp="",
        endpoints=[("GET /api/reports/{id}", 0.22, 260), ("GET /api/invoices", 0.25, 90), ("GET /api/shipments/{id}", 0.3, 30),
                   ("POST /api/shipments/{id}/documents", 0.05, 200), ("GET /api/session", 0.18, 4)],
        rate=night, cpu=12, cpu_per_100=4, mem=36, access=access, restart=restart, pods=2, sample=0.06, fail_sample=0.6,
        chatter=[
            Chatter(0.08, "WARN", "auth/session.go:61", lambda r: ("session expired", {"partner": r.randint(100, 999)})),
            Chatter(0.03, "ERROR", "documents/upload.go:77", lambda r: ("virus scanner returned 422 for upload", {"size": r.randint(1, 40) * 1048576})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: ZapConsole(), PG: PgLog()},
        "what happened with the partner portal around 2am? on-call got paged for 5xx but it cleared before anyone looked",
        truth_json(True, None, ["replica", "analytics", "warehouse", "noisy neighbo", "long-running quer", "long running quer",
                                "copy (", "export"], "2028-10-05 02:07"),
    )


# ============================================================================================
# 11. false alarm: a big, real-looking release with a restart blip and nothing wrong afterwards
# ============================================================================================


@blind("loyalty-release-false-alarm", "Elasticsearch-style tight brackets in two files; v4.0.0 at 15:02 (ledger rewrite, "
       "Django bump, nullable column migration) restarts pods: a handful of 502s, warm-up latency for 3 min, as the "
       "13:40 deploy did; background errors unchanged; no incident")
def loyalty_release_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=1611, start="2028-11-16 12:30", minutes=270, service="loyalty-points")
    g, rng = s.git, s.rng
    a = g.commit("2028-11-15 10:30", "dana.cohen@perkly.example", "Partner offers: hide expired offers", ["loyalty/offers/views.py"])
    g.deploy("v3.9.3", "2028-11-15 16:10", [a])
    b = g.commit("2028-11-16 09:12", "dana.cohen@perkly.example", "Fix points rounding for JPY", ["loyalty/accrual/rounding.py"])
    g.deploy("v3.9.4", "2028-11-16 13:40", [b])
    c1 = g.commit("2028-11-14 17:25", "marco.bianchi@perkly.example", "Rewrite points accrual on the new ledger tables",
                  ["loyalty/accrual/service.py", "loyalty/accrual/ledger.py", "loyalty/accrual/tests/test_ledger.py"])
    c2 = g.commit("2028-11-15 11:02", "marco.bianchi@perkly.example", "Migration 0098: add nullable points_expiry column",
                  ["loyalty/migrations/0098_points_expiry.py"])
    c3 = g.commit("2028-11-15 15:40", "renovate[bot]@users.noreply.github.com", "Update dependency Django to v5.1.3",
                  ["requirements/base.txt"])
    c4 = g.commit("2028-11-16 11:20", "dana.cohen@perkly.example", "Redeem flow: clearer error when balance is too low",
                  ["loyalty/redeem/views.py", "loyalty/templates/redeem/error.html"])
    g.deploy("v4.0.0", "2028-11-16 15:02", [c1, c2, c3, c4])

    W, C = "loyalty-web.log", "loyalty-celery.log"
    deps = [s.idx("13:40"), s.idx("15:02")]

    def each(i: int) -> None:
        if i == deps[1]:
            t = s.when(i, 0, 2)
            s.log(t, "INFO", "django.migrate", "Applying loyalty.0098_points_expiry... OK (0.041s)", W)
        for _ in range(poisson(rng, 3)):
            s.log(s.when(i), "INFO", "celery.worker", f"Task loyalty.accrual.accrue_points[{hexid(rng, 8)}-{hexid(rng, 4)}] "
                  f"succeeded in {rng.uniform(0.02, 0.4):.3f}s", C)
        if rng.random() < 0.05:
            s.log(s.when(i), "ERROR", "celery.worker", f"Task loyalty.partners.push_statement[{hexid(rng, 8)}] raised "
                  "HTTPError: 401 Client Error: Unauthorized for url: https://api.airmiles-partner.example/v2/statements", C)
        if rng.random() < 0.08:
            s.log(s.when(i), "WARN", "celery.worker", "Task loyalty.accrual.accrue_points retry in 30s: lock held on member "
                  f"{rng.randint(100000, 999999)}", C)
        for d in deps:
            if d <= i < d + 2:
                for _ in range(poisson(rng, 2.5)):
                    s.log(s.when(i), "ERROR", "gunicorn.access", "upstream connect error or disconnect/reset before headers. "
                          "reset reason: connection failure (502)", W)
            if d <= i < d + 4:
                for _ in range(poisson(rng, 1.5)):
                    s.log(s.when(i), "INFO", "loyalty.cache", "cache miss: member_tier (warming)", W)

    def effect(i: int) -> Eff:
        for d in deps:
            if d <= i < d + 4:
                return Eff(lat_mult={"": 1.45 - 0.1 * (i - d)}, fail={"": 0.004 if i < d + 2 else 0.0}, status=502)
        return Eff()

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "django.request" if status >= 500 else "loyalty.http",
              f"{method} {path} {status} {took}ms", W, req=rid)

    def restart(t, old, new, version):
        s.log(t, "INFO", "gunicorn.error", f"Handling signal: term [{old}]", W)
        s.log(t + timedelta(seconds=rng.uniform(6, 10)), "INFO", "gunicorn.error", f"Listening at: http://0.0.0.0:8000 "
              f"[{new}] {version}", W)

    svc = Svc(
        name="loyalty-points", file=W, comp="loyalty.http",
        endpoints=[("GET /api/members/{id}/balance", 0.4, 22), ("POST /api/members/{id}/accruals", 0.25, 60),
                   ("POST /api/members/{id}/redemptions", 0.05, 140), ("GET /api/offers", 0.2, 35), ("GET /healthz", 0.1, 1)],
        rate=gen_data.bump(900, 1300, 0.5, 0.5), cpu=26, cpu_per_100=2.0, mem=55, access=access, restart=restart, pods=3,
        sample=0.012, fail_sample=0.5, base_fail=0.0015, deploy_blip=9,
        chatter=[
            Chatter(0.5, "WARN", "loyalty.redeem", lambda r: f"redemption refused: insufficient balance member={r.randint(100000, 999999)}"),
            Chatter(0.15, "ERROR", "loyalty.fraud", lambda r: "fraud score service returned 503, defaulting to allow"),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {W: TightBracket(), C: TightBracket()},
        "alerts went off right after the loyalty v4.0.0 release - is it broken? should we roll back?",
        truth_json(False, None, [], None),
    )


# ============================================================================================
# 12. false alarm: the responder blames last night's database upgrade; nothing is wrong
# ============================================================================================


@blind("timesheets-false-alarm-pg-upgrade", "Ruby Logger (Rails) + Sidekiq logs across the night; v9.12.0 at 22:10 points "
       "the app at the Postgres 16 cluster; Monday-morning traffic, the usual slow exports of a huge tenant, a redis "
       "blip; the responder blames the upgrade; no incident")
def timesheets_false_alarm_pg_upgrade() -> dict[str, bytes]:
    s = Sim(seed=801, start="2029-01-07 20:00", minutes=870, service="timesheets-api")
    g, rng = s.git, s.rng
    a = g.commit("2029-01-05 14:12", "george.mills@clockwise.example", "Approvals: bulk approve up to 200 entries",
                 ["app/controllers/approvals_controller.rb", "spec/requests/approvals_spec.rb"])
    g.deploy("v9.11.4", "2029-01-05 17:00", [a])
    b = g.commit("2029-01-07 16:30", "aisha.bello@clockwise.example", "Point DATABASE_URL at the Postgres 16 cluster",
                 ["config/database.yml", "config/deploy/production.yml"])
    g.deploy("v9.12.0", "2029-01-07 22:10", [b])
    c = g.commit("2029-01-08 08:20", "george.mills@clockwise.example", "Copy: rename 'Submit week' to 'Submit timesheet'",
                 ["config/locales/en.yml"])
    g.deploy("v9.12.1", "2029-01-08 09:05", [c])

    R, SK = "production.log", "sidekiq.log"
    blip = s.idx("2029-01-08 08:47")

    def rate(x: float) -> float:
        hour = (20 + x * 14.5) % 24
        return 40 + 1500 * smoothstep((hour - 6.5) / 3) * (1 if hour < 20 else 0)

    def each(i: int) -> None:
        r = rate(i / (s.n - 1))
        for _ in range(poisson(rng, 0.4 + r / 600)):
            jid = hexid(rng, 24)
            s.log(s.when(i), "INFO", f"{gen_data.b36(rng, 3).lower()}", f"done: {rng.uniform(0.05, 1.8):.3f} sec", SK,
                  **{"class": rng.choice(["ReminderMailerJob", "PayrollSyncJob", "OvertimeCalcJob"]), "jid": jid})
        if rng.random() < 0.03 + r / 40000:
            s.log(s.when(i), "INFO", f"{gen_data.b36(rng, 3).lower()}", f"done: {rng.uniform(35, 140):.3f} sec", SK,
                  **{"class": "TimesheetExportJob", "jid": hexid(rng, 24), "tenant": "globex-manufacturing"})
        if rng.random() < 0.01:
            s.log(s.when(i), "WARN", f"{gen_data.b36(rng, 3).lower()}", "fail: 30.002 sec", SK,
                  **{"class": "PayrollSyncJob", "jid": hexid(rng, 24), "error_class": "Faraday::TimeoutError",
                     "error_message": "Net::ReadTimeout with #<TCPSocket:(closed)>"})
        if i == blip:
            for _ in range(6):
                s.log(s.when(i, 20, 26), "ERROR", "", "Redis::CannotConnectError (Error connecting to Redis on "
                      "redis-sessions.internal:6379 (Redis::TimeoutError))", R, _pid=rng.choice([11, 14, 17]))
        if i == s.idx("2029-01-07 22:10"):
            s.log(s.when(i, 30, 40), "INFO", "", "ActiveRecord connected: postgresql://timesheets@pg16-primary.internal:5432/"
                  "timesheets (server_version 16.1)", R, _pid=21)

    def effect(i: int) -> Eff:
        if i == blip:
            return Eff(fail={"": 0.006}, status=500)
        return Eff()

    def access(t, method, path, status, took, rid, pod):
        pid = rng.choice([11, 14, 17, 21])
        ar = took * rng.uniform(0.3, 0.6)
        s.log(t - timedelta(milliseconds=took), "INFO", "", f"[{rid}] Started {method} \"{path}\" for {ip(rng, '10.1.')}", R, _pid=pid)
        word = {200: "OK", 201: "Created", 500: "Internal Server Error", 502: "Bad Gateway"}.get(status, "OK")
        lvl = "ERROR" if status >= 500 else "INFO"
        s.log(t, lvl, "", f"[{rid}] Completed {status} {word} in {took}ms (Views: {took * 0.2:.1f}ms | ActiveRecord: {ar:.1f}ms "
              f"| Allocations: {rng.randint(2000, 40000)})", R, _pid=pid)

    def restart(t, old, new, version):
        s.log(t, "INFO", "", f"- Gracefully stopping, waiting for requests to finish ({old})", R, _pid=1)
        s.log(t + timedelta(seconds=rng.uniform(8, 14)), "INFO", "", f"* Puma version: 6.4.2 (ruby 3.3.0-p0) ({new}, {version})", R, _pid=1)

    svc = Svc(
        name="timesheets-api", file=R, comp="",
        endpoints=[("GET /api/v2/timesheets/{id}", 0.35, 48), ("PATCH /api/v2/timesheets/{id}/entries", 0.3, 75),
                   ("POST /api/v2/timesheets/{id}/submit", 0.08, 160), ("GET /api/v2/projects", 0.17, 30), ("GET /up", 0.1, 2)],
        rate=rate, cpu=18, cpu_per_100=2.4, mem=62, access=access, restart=restart, pods=3, sample=0.012, fail_sample=0.5,
        base_fail=0.0008, rid=lambda r: f"{hexid(r, 8)}-{hexid(r, 4)}-{hexid(r, 4)}-{hexid(r, 4)}-{hexid(r, 12)}",
        chatter=[
            Chatter(0.06, "WARN", "", lambda r: (f"Rack::Attack throttled 10.1.{r.randint(0, 9)}.{r.randint(1, 250)} (api/ip)",
                    {"_pid": 14})),
            Chatter(0.03, "ERROR", "", lambda r: ("ActionController::RoutingError (No route matches [GET] \"/wp-login.php\")",
                    {"_pid": 17})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {R: RubyLogger(), SK: SidekiqFmt()},
        "I think last night's Postgres 16 upgrade made timesheet submission slow, a few customers complained this morning. can you confirm?",
        truth_json(False, None, [], None),
    )


# ============================================================================================
# 13. a feature flag ramp (config deploys): 10% was fine, 100% overloads the new backend
# ============================================================================================


@blind("mobile-bff-flag-ramp", "bunyan JSON (numeric levels) in two files; flags-0220a at 09:00 sends 10% of home feeds to "
       "feed-ranker (fine); v12.3.0 at 09:40 (order history card); flags-0220b at 10:24 sends 100%: feed-ranker "
       "deadlines and 503s on the home feed from 10:25")
def mobile_bff_flag_ramp() -> dict[str, bytes]:
    s = Sim(seed=2002, start="2029-02-20 08:00", minutes=240, service="mobile-bff")
    g, rng = s.git, s.rng
    a = g.commit("2029-02-19 13:10", "nadia.petrova@basketly.example", "Home feed v2: call feed-ranker behind home_feed_v2",
                 ["src/home/feedV2.ts", "src/clients/feedRanker.ts", "src/home/feedV2.test.ts"])
    g.deploy("v12.2.0", "2029-02-19 16:00", [a])
    f1 = g.commit("2029-02-20 08:48", "nadia.petrova@basketly.example", "flags: home_feed_v2 to 10% of users",
                  ["config/flags/production.json"])
    g.deploy("flags-0220a", "2029-02-20 09:00", [f1])
    b = g.commit("2029-02-20 09:12", "tariq.aziz@basketly.example", "Order history: new card layout with reorder button",
                 ["src/orders/historyCard.ts", "src/orders/historyCard.test.ts"])
    g.deploy("v12.3.0", "2029-02-20 09:40", [b])
    f2 = g.commit("2029-02-20 10:15", "nadia.petrova@basketly.example", "flags: home_feed_v2 to 100% (metrics look good at 10%)",
                  ["config/flags/production.json"])
    g.deploy("flags-0220b", "2029-02-20 10:24", [f2])

    API, UP = "bff.log", "bff-upstreams.log"
    t_a, t_b = s.idx("09:00"), s.idx("10:24")

    def pct(i: int) -> float:
        return 1.0 if i >= t_b + 1 else 0.1 if i >= t_a + 1 else 0.0

    def overload(i: int) -> float:
        return 0.58 if pct(i) >= 1.0 else 0.0

    def ranker_fail(t, rid, ep):
        if rng.random() < 0.6:
            s.log(t, "ERROR", "clients.feedRanker", "feed-ranker call failed", UP, err="DEADLINE_EXCEEDED: deadline exceeded after 800ms",
                  upstream="feed-ranker.prod.svc:50051", req_id=rid)
        else:
            s.log(t, "ERROR", "clients.feedRanker", "feed-ranker call failed", UP, err="UNAVAILABLE: 503 load shed (queue full)",
                  upstream="feed-ranker.prod.svc:50051", req_id=rid)

    def each(i: int) -> None:
        p = pct(i)
        if i in (t_a + 1, t_b + 1):
            s.log(s.when(i, 2, 8), "INFO", "flags", "flag config updated", API, flag="home_feed_v2", rollout=int(100 * p),
                  source="config/flags/production.json")
        for _ in range(poisson(rng, 2.0)):
            s.log(s.when(i), "INFO", "clients.catalog", "upstream ok", UP, upstream="catalog.prod.svc:8080", ms=rng.randint(8, 40))
        if p > 0:
            for _ in range(poisson(rng, 6 * p)):
                ms_ = rng.randint(60, 140) if overload(i) == 0 else rng.randint(500, 800)
                s.log(s.when(i), "INFO", "clients.feedRanker", "upstream ok", UP, upstream="feed-ranker.prod.svc:50051", ms=ms_)
        if rng.random() < 0.05:
            s.log(s.when(i), "WARN", "clients.promo", "promo service slow", UP, upstream="promo.prod.svc:8080", ms=rng.randint(700, 1500))
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", "clients.reviews", "reviews call failed", UP, upstream="reviews.prod.svc:8080",
                  err="ECONNRESET")

    def effect(i: int) -> Eff:
        ov = overload(i)
        p = pct(i)
        e = Eff(lat_add={"GET /v1/home": 30 * p + 550 * (ov > 0)})
        if ov:
            e.fail = {"GET /v1/home": clamp(ov + rng.gauss(0, 0.05), 0.3, 0.8)}
            e.status = 503
            e.fail_ms = 820
            e.cause = ranker_fail
        return e

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status), "http", "request completed", API, _host=pod, req_id=rid, method=method, url=path,
              statusCode=status, responseTime=took, appVersion=rng.choice(["ios-7.4.0", "android-7.4.1", "android-7.3.2"]))

    def restart(t, old, new, version):
        if version.startswith("flags-"):
            return
        s.log(t, "INFO", "server", "SIGTERM, closing server", API, _host=old)
        s.log(t + timedelta(seconds=rng.uniform(3, 6)), "INFO", "server", "listening", API, _host=new, port=8080, version=version)

    svc = Svc(
        name="mobile-bff", file=API, comp="http",
        endpoints=[("GET /v1/home", 0.28, 90), ("GET /v1/products/{id}", 0.25, 40), ("GET /v1/cart", 0.15, 30),
                   ("POST /v1/cart/items", 0.08, 55), ("GET /v1/orders", 0.07, 60), ("GET /v1/search", 0.12, 110),
                   ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(2000, 3400, 0.55, 0.45), cpu=30, cpu_per_100=1.5, mem=48, access=access, restart=restart,
        pods=5, sample=0.006, fail_sample=0.05, deploy_blip=4,
        chatter=[
            Chatter(0.5, "WARN", "http", lambda r: ("request completed", {"statusCode": 401, "url": "/v1/cart",
                    "responseTime": r.randint(1, 4)})),
            Chatter(0.1, "ERROR", "push", lambda r: ("apns send failed", {"err": "BadDeviceToken"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {API: Bunyan("mobile-bff"), UP: Bunyan("mobile-bff")},
        "app home screen failing to load for a lot of users, spinner then 'something went wrong'",
        truth_json(True, {"deploy": "flags-0220b", "commits": [f2]},
                   ["home_feed_v2", "feed-ranker", "feed ranker", "flag", "ranker", "rollout"], "2029-02-20 10:25"),
    )


# ============================================================================================
# driver
# ============================================================================================


def main(argv: list[str]) -> int:
    return gen_data.run_registry(argv, BLIND, DEFAULT_OUT, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
