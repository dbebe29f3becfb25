#!/usr/bin/env python3
"""Red-team set 3: ten more held-out incidents, written without looking at the analyst.

Deterministic (fixed seeds), standard library only. Reuses gen_data's `Sim`, `Git` and
`truth_json` and gen_blind's request simulator (`serve`, `Svc`, `Eff`, `Chatter`, `bundle`),
with its own services, stories, wording and log layouts: Go slog JSON and text, Rust tracing,
Laravel + php-fpm, Spring Boot console + Reactor Netty access log, Cloud Run LogEntry exports,
log4j2 JsonLayout + journald, nginx access/error + gunicorn, logstash-logback JSON + Envoy,
Docker json-file (pino-pretty inside) + ingress-nginx + Kubernetes events, HAProxy via rsyslog.

    python3 scripts/gen_redteam3.py                  # every incident to /tmp/redteam3/<name>/
    python3 scripts/gen_redteam3.py NAME ...         # only these
    python3 scripts/gen_redteam3.py --out DIR        # somewhere else
    python3 scripts/gen_redteam3.py --list           # names and one line on each

Layout per incident: incident.txt, logs/*, git/recent_commits.json, metrics/metrics.json,
truth.json (scorer only; onset is when user impact begins in the data).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_data  # noqa: E402
from gen_blind import (  # noqa: E402
    UA_BROWSERS,
    Chatter,
    Eff,
    Svc,
    _tail,
    bundle,
    ip,
    iso_ms_z,
    kvs,
    level_of,
    ms,
    pub,
    rollout_share,
    serve,
)
from gen_data import Sim, at, clamp, hexid, poisson, registry, smoothstep, truth_json  # noqa: E402

DEFAULT_OUT = Path("/tmp/redteam3")

# ---- log layouts not in gen_data / gen_blind


def jd(obj) -> str:
    """JSON as Go, Java and Node encoders write it: no spaces."""
    return json.dumps(obj, separators=(",", ":"))


def us(t: datetime, salt: str = "") -> str:
    """Six fraction digits (the simulator's times have milliseconds; fill the rest deterministically)."""
    extra = int(hashlib.md5(f"{t}{salt}".encode()).hexdigest()[:4], 16) % 1000
    return f"{t.microsecond // 1000:03d}{extra:03d}"


class SlogJSON:
    """Go log/slog JSONHandler with AddSource; comp names a key of `src` -> 'function|file:line'."""

    def __init__(self, src: dict[str, str]):
        self.src = src

    def line(self, t, level, comp, msg, kv):
        fn, _, loc = self.src[comp].partition("|")
        file, _, ln = loc.rpartition(":")
        obj = {"time": iso_ms_z(t), "level": level, "source": {"function": fn, "file": file, "line": int(ln)}, "msg": msg}
        obj.update(pub(kv))
        return jd(obj)


class SlogText:
    """Go log/slog TextHandler with AddSource: `time=... level=ERROR source=/src/x.go:48 msg="..." k=v`."""

    def line(self, t, level, comp, msg, kv):
        q = msg if msg and all(c not in msg for c in ' ="') else json.dumps(msg)
        return f"time={iso_ms_z(t)} level={level} source={comp} msg={q}" + (" " + kvs(kv) if pub(kv) else "")


class TracingFmt:
    """Rust tracing-subscriber's default fmt: `TIME LEVEL span{..}: target: message k=v`."""

    def line(self, t, level, comp, msg, kv):
        span = kv.get("_span")
        head = f"{t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}Z {level:>5} " + (f"{span}: " if span else "")
        return head + f"{comp}: {_tail(msg, kv)}"


class Laravel:
    """Laravel's daily channel: `[2029-05-14 10:02:11] production.ERROR: message {"context":...}`."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        return f"[{t:%Y-%m-%d %H:%M:%S}] {comp}.{lvl}: {msg}" + (f" {jd(pub(kv))}" if pub(kv) else "")


class PhpFpm:
    """php-fpm's error log: `[14-May-2029 10:02:13] NOTICE: message`."""

    def line(self, t, level, comp, msg, kv):
        return f"[{t:%d-%b-%Y %H:%M:%S}] {({'INFO': 'NOTICE', 'WARN': 'WARNING'}).get(level, level)}: {msg}"


class SpringBoot:
    """Spring Boot 3 console: `2029-06-05T08:48:12.345Z  WARN 1 --- [app] [   thread] logger : msg`."""

    def __init__(self, app: str):
        self.app = app

    def line(self, t, level, comp, msg, kv):
        thread = kv.get("_thread", "main")[-15:]
        return f"{iso_ms_z(t)} {level:>5} 1 --- [{self.app}] [{thread:>15}] {comp:<40.40} : {_tail(msg, kv)}"


class NettyAccess:
    """Reactor Netty access log: `ip - - [05/Jun/2029:08:48:12 +0000] "POST /v2/quotes HTTP/1.1" 504 112 2003`."""

    def line(self, t, level, comp, msg, kv):
        return (f'{kv["ip"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{kv["method"]} {kv["uri"]} HTTP/1.1" '
                f'{kv["status"]} {kv["size"]} {kv["ms"]}')


class CloudRun:
    """A Cloud Logging export (one LogEntry a line) of a Cloud Run service's stdout, requests or system log."""

    def __init__(self, project: str, service: str, log: str, rev_at: Callable[[datetime], str]):
        self.project, self.service, self.log, self.rev_at = project, service, log, rev_at
        self.n = 0

    def line(self, t, level, comp, msg, kv):
        self.n += 1
        rev = kv.get("_rev") or self.rev_at(t)
        rx = t + timedelta(milliseconds=180 + self.n % 400)
        obj: dict = {"insertId": hashlib.sha1(f"{self.log}{self.n}{t}".encode()).hexdigest()[:16]}
        if "_http" in kv:
            obj["httpRequest"] = kv["_http"]
        elif self.log == "varlog/system":
            obj["textPayload"] = msg
        else:
            obj["jsonPayload"] = {"message": msg, "logger": comp, **pub(kv)}
        obj["labels"] = {"instanceId": kv.get("_inst") or "00f4" + hashlib.sha1(f"{rev}{self.n % 3}".encode()).hexdigest()[:56]}
        obj["logName"] = f"projects/{self.project}/logs/run.googleapis.com%2F{self.log.replace('/', '%2F')}"
        obj["receiveTimestamp"] = f"{rx:%Y-%m-%dT%H:%M:%S}.{us(rx)}Z"
        obj["resource"] = {"labels": {"configuration_name": self.service, "location": "europe-west1",
                                      "project_id": self.project, "revision_name": rev, "service_name": self.service},
                           "type": "cloud_run_revision"}
        obj["severity"] = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        obj["timestamp"] = f"{t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}Z"
        if "_trace" in kv:
            obj["trace"] = f"projects/{self.project}/traces/{kv['_trace']}"
        return jd(obj)


class Log4j2Json:
    """log4j2 JsonLayout (compact, stacktraceAsString): epoch-second instant, thread, loggerName, contextMap."""

    def line(self, t, level, comp, msg, kv):
        thread = kv.get("_thread", "main")
        obj: dict = {"instant": {"epochSecond": int(t.timestamp()), "nanoOfSecond": t.microsecond * 1000},
                     "thread": thread, "level": level, "loggerName": comp, "message": msg}
        if "_thrown" in kv:
            obj["thrown"] = kv["_thrown"]
        obj.update({"endOfBatch": False, "loggerFqcn": "io.github.oshai.kotlinlogging.slf4j.internal.LocationAwareKLogger",
                    "threadId": 20 + sum(map(ord, thread)) % 180, "threadPriority": 5})
        if pub(kv):
            obj["contextMap"] = {k: str(v) for k, v in pub(kv).items()}
        return jd(obj)


class Journal:
    """`journalctl -o short-iso`: `2029-07-09T08:58:02+0000 host unit[pid]: message`; comp is 'host unit[pid]'."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%dT%H:%M:%S}+0000 {comp}: {msg}"


class NginxAccess:
    """nginx `main_ext`: combined plus rt/uct/uht/urt."""

    def line(self, t, level, comp, msg, kv):
        return (f'{kv["ip"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{kv["req"]}" {kv["status"]} {kv["bytes"]} "-" '
                f'"{kv["ua"]}" rt={kv["rt"]:.3f} uct="{kv["uct"]}" uht="{kv["uht"]}" urt="{kv["urt"]}"')


class NginxError:
    """nginx error log: `2029/08/24 19:03:11 [error] 31#31: *48211 message`."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "warn", "ERROR": "error", "INFO": "notice", "FATAL": "crit"}.get(level, level.lower())
        return f"{t:%Y/%m/%d %H:%M:%S} [{lvl}] {comp}: {msg}"


class Gunicorn:
    """gunicorn's error log layout, also used by the app: `[2029-08-24 19:03:11 +0000] [57] [ERROR] msg`."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        return f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{comp}] [{lvl}] {_tail(msg, kv)}"


class LogstashJson:
    """logstash-logback-encoder: @timestamp with offset, logger_name, thread_name, level_value, MDC, stack_trace."""

    NUM = {"DEBUG": 10000, "INFO": 20000, "WARN": 30000, "ERROR": 40000, "FATAL": 50000}

    def line(self, t, level, comp, msg, kv):
        obj = {"@timestamp": f"{t:%Y-%m-%dT%H:%M:%S}.{ms(t)}+00:00", "@version": "1", "message": msg, "logger_name": comp,
               "thread_name": kv.get("_thread", "main"), "level": level, "level_value": self.NUM[level], **pub(kv)}
        if "_stack" in kv:
            obj["stack_trace"] = kv["_stack"]
        return jd(obj)


class EnvoyAccess:
    """Envoy's default access log format."""

    def line(self, t, level, comp, msg, kv):
        return (f'[{iso_ms_z(t)}] "{kv["method"]} {kv["path"]} HTTP/1.1" {kv["status"]} {kv["flags"]} 0 {kv["bytes"]} '
                f'{kv["dur"]} {kv["ust"]} "{kv["xff"]}" "{kv["ua"]}" "{kv["rid"]}" "{kv["host"]}" "{kv["up"]}"')


class DockerJsonFile:
    """Docker's json-file driver around pino-pretty (singleLine) lines: {"log": "...\\n", "stream", "time"}; comp is the pod."""

    def line(self, t, level, comp, msg, kv):
        inner = f"[{t:%Y-%m-%d %H:%M:%S}.{ms(t)} +0000] {level} (1 on {comp}): {msg}" + (f" {jd(pub(kv))}" if pub(kv) else "") + "\n"
        stream = "stderr" if level in ("WARN", "ERROR", "FATAL") else "stdout"
        return jd({"log": inner, "stream": stream, "time": f"{t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}{us(t, comp)[3:]}Z"})


class IngressNginx:
    """ingress-nginx controller output: access lines in its default format, error lines in nginx's."""

    def line(self, t, level, comp, msg, kv):
        if "req" not in kv:
            return f"{t:%Y/%m/%d %H:%M:%S} [error] {comp}: {msg}"
        return (f'{kv["ip"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{kv["req"]}" {kv["status"]} {kv["bytes"]} "-" '
                f'"{kv["ua"]}" {kv["len"]} {kv["rt"]:.3f} [gateway-graphql-gateway-4000] [] {kv["up"]} '
                f'{kv["ubytes"]} {kv["urt"]} {kv["ustatus"]} {kv["rid"]}')


class K8sEvents:
    """Kubernetes events, one JSON object a line (kubernetes-event-exporter style); comp is 'Kind/name'."""

    def line(self, t, level, comp, msg, kv):
        kind, _, name = comp.partition("/")
        stamp = f"{t:%Y-%m-%dT%H:%M:%S}Z"
        return jd({"metadata": {"name": f"{name}.{hashlib.md5((stamp + msg).encode()).hexdigest()[:16]}",
                                "namespace": "gateway"},
                   "involvedObject": {"kind": kind, "namespace": "" if kind == "Node" else "gateway", "name": name},
                   "reason": kv["_reason"], "message": msg, "source": {"component": kv.get("_src", "kubelet"),
                                                                      "host": kv.get("_node", "")},
                   "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1,
                   "type": "Normal" if level == "INFO" else "Warning"})


class HaproxySyslog:
    """HAProxy's HTTP log through rsyslog with RFC 3339 timestamps."""

    def line(self, t, level, comp, msg, kv):
        a = t - timedelta(milliseconds=kv["ta"])
        return (f"{t:%Y-%m-%dT%H:%M:%S}.{us(t, kv['req'])}+00:00 {comp} haproxy[1812]: {kv['client']} "
                f"[{a:%d/%b/%Y:%H:%M:%S}.{ms(a)}] https~ banking_api/{kv['srv']} 0/0/1/{kv['ta'] - 1}/{kv['ta']} "
                f"{kv['status']} {kv['bytes']} - - ---- {kv['conn']}/{kv['conn'] - 9}/4/1/0 0/0 \"{kv['req']}\"")


# ---- helpers


class Pods:
    """The pods serve() is using, learnt from access lines and restarts."""

    def __init__(self, n: int):
        self.n, self.cur = n, []

    def see(self, pod: str) -> None:
        if pod not in self.cur and len(self.cur) < self.n:
            self.cur.append(pod)

    def swap(self, old: str, new: str) -> None:
        if old in self.cur:
            self.cur[self.cur.index(old)] = new
        elif len(self.cur) < self.n:
            self.cur.append(new)


def after(t: datetime, lo: datetime | None) -> datetime:
    """A failure in lo's minute but before lo (the failure cannot exist yet) moved into [lo, end of minute)."""
    if lo is None:
        return t
    m0 = lo.replace(second=0, microsecond=0)
    if m0 <= t < lo:
        return lo + (t - m0) * ((m0 + timedelta(minutes=1) - lo) / timedelta(minutes=1))
    return t


def phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


RT, incident = registry()


# ==== 1. a 3-hourly backfill shipped 89 minutes earlier starves the API's connection pool at 15:00


@incident("telematics-backfill-pool", "Go slog JSON api + scheduler logs; v2.18.0 at 13:31 adds an in-process cron "
          "'0 */3 * * *' geofence backfill (32 workers per pod on a 30-conn pgx pool); its first run at 15:00 starves "
          "trip queries (acquire deadline) until ~15:46; v2.18.1 at 14:52 is a red herring; hourly rollups run fine")
def telematics_backfill_pool() -> dict[str, bytes]:
    s = Sim(seed=31203, start="2029-03-12 12:30", minutes=250, service="telematics-api")
    g, rng = s.git, s.rng
    dom = "fleetwise.example"
    z = g.commit("2029-03-11 10:14", f"marta.vidal@{dom}", "Reject telemetry points reporting speed above 250 km/h",
                 ["internal/telemetry/validate.go", "internal/telemetry/validate_test.go"])
    g.deploy("v2.17.4", "2029-03-11 16:05", [z])
    a1 = g.commit("2029-03-12 10:22", f"kwame.asante@{dom}", "Backfill geofence crossings for closed trips every 3h, "
                  "fanned out per depot", ["internal/jobs/geofence_backfill.go", "internal/jobs/geofence_backfill_test.go",
                                           "internal/jobs/registry.go", "config/jobs.yaml"])
    a2 = g.commit("2029-03-12 11:05", f"marta.vidal@{dom}", "Vehicle summary: report idle minutes per day",
                  ["internal/vehicles/summary.go", "internal/vehicles/summary_test.go", "api/openapi.yaml"])
    g.deploy("v2.18.0", "2029-03-12 13:31", [a1, a2])
    b = g.commit("2029-03-12 14:20", f"lena.hoff@{dom}", "Trip PDF: stop truncating long driver names",
                 ["internal/reports/trip_pdf.go", "internal/reports/testdata/long_names.golden"])
    g.deploy("v2.18.1", "2029-03-12 14:52", [b])
    g.commit("2029-03-12 16:02", f"lena.hoff@{dom}", "Map: cluster vehicle markers above 500 vehicles",
             ["web/src/map/cluster.ts", "web/src/map/cluster.test.ts"])

    API, JOBS = "telematics-api.jsonl", "scheduler.jsonl"
    m = "github.com/fleetwise/telematics/internal"
    src = {"http": f"{m}/httpx.(*Server).ServeHTTP.func1|/src/internal/httpx/server.go:118",
           "trips": f"{m}/trips.(*Handler).List|/src/internal/trips/handler.go:212",
           "trip": f"{m}/trips.(*Handler).Get|/src/internal/trips/handler.go:247",
           "summary": f"{m}/vehicles.(*Handler).Summary|/src/internal/vehicles/summary.go:58",
           "db": f"{m}/store.(*DB).reportStats|/src/internal/store/db.go:77",
           "ingest": f"{m}/telemetry.(*Ingest).Handle|/src/internal/telemetry/ingest.go:133",
           "kafka": f"{m}/telemetry.(*Producer).send|/src/internal/telemetry/producer.go:64",
           "geo": f"{m}/geo.(*Reverse).Lookup|/src/internal/geo/reverse.go:41",
           "hooks": f"{m}/webhooks.(*Sender).deliver|/src/internal/webhooks/sender.go:97",
           "main": "main.main|/src/cmd/api/main.go:58",
           "sched": f"{m}/jobs.(*Scheduler).Register|/src/internal/jobs/scheduler.go:44",
           "run": f"{m}/jobs.(*Scheduler).run|/src/internal/jobs/scheduler.go:81",
           "backfill": f"{m}/jobs.(*GeofenceBackfill).depot|/src/internal/jobs/geofence_backfill.go:112",
           "rollup": f"{m}/jobs.(*StatsRollup).Run|/src/internal/jobs/stats_rollup.go:40"}
    pods = Pods(3)
    job_a, job_b = s.idx("15:00"), s.idx("15:46")
    first_fail = s.clock("15:00:03")
    canceled: dict[str, int] = {}

    def sev(i: int) -> float:
        if job_a <= i < job_b:
            return 1.0 if i < job_b - 5 else (job_b - i) / 6
        return 0.0

    def starved(t, rid, ep):
        comp = "summary" if "summary" in ep else ("trips" if ep == "GET /v1/trips" else "trip")
        s.log(after(t, first_fail), "ERROR", comp, "handler failed", API, req_id=rid, waited_ms=rng.randint(2990, 3010),
              err=f"{'list trips' if comp == 'trips' else 'load ' + comp}: acquire conn: context deadline exceeded")

    def each(i: int) -> None:
        v = sev(i)
        if i % 2 == 0:
            for p in pods.cur:
                canceled[p] = canceled.get(p, 0) + (poisson(rng, 90 * v) if v else 0)
                busy = 30 if v > 0.3 else min(30, max(1, int(rng.gauss(5, 2) + 25 * v)))
                s.log(s.when(i, 0, 2), "INFO", "db", "pgxpool stats", API, pod=p, acquired_conns=busy,
                      idle_conns=30 - busy if v < 0.3 else 0, max_conns=30, total_conns=max(busy, 8) if v < 0.3 else 30,
                      canceled_acquire_count=canceled[p])
        if s.minute(i).minute == 0:
            for p in pods.cur:
                t, took = s.when(i, 0, 1), rng.randint(28000, 54000)
                s.log(t, "INFO", "run", "job started", JOBS, job="vehicle_stats_rollup", pod=p)
                s.log(t + timedelta(milliseconds=took), "INFO", "rollup", "job finished", JOBS, job="vehicle_stats_rollup",
                      pod=p, vehicles=rng.randint(3900, 4100), took_ms=took)
        if i == job_a:
            for p in pods.cur:
                s.log(s.when(i, 0, 0.3), "INFO", "run", "job started", JOBS, job="geofence_backfill", pod=p, depots=41,
                      workers=32, window="3h0m0s")
        if job_a <= i < job_b:
            for _ in range(poisson(rng, 2.6)):
                s.log(s.when(i), "INFO", "backfill", "depot batch done", JOBS, job="geofence_backfill",
                      pod=rng.choice(pods.cur), depot=f"DEP-{rng.randint(1, 41):02d}", trips=rng.randint(300, 2200),
                      crossings=rng.randint(2000, 19000), took_ms=rng.randint(60000, 260000))
        if i == job_b:
            for p in pods.cur:
                s.log(s.when(i, 0, 50), "INFO", "run", "job finished", JOBS, job="geofence_backfill", pod=p, depots=41,
                      trips=rng.randint(41000, 44000), took_ms=rng.randint(2740000, 2790000))

    def effect(i: int) -> Eff:
        v = sev(i)
        if not v:
            return Eff()
        db = ("GET /v1/trips", "GET /v1/vehicles/{id}/summary")
        return Eff(fail={k: 0.7 * v for k in db}, status=500, fail_ms=3004, lat_add={k: 1100 * v for k in db},
                   cpu_add=7 * v, cause=starved)

    def access(t, method, path, status, took, rid, pod):
        pods.see(pod)
        if status == 500:
            t = after(t, first_fail)
        s.log(t, level_of(status), "http", "request", API, method=method, path=path, status=status, dur_ms=took, req_id=rid,
              pod=pod)

    def restart(t, old, new, version):
        pods.swap(old, new)
        s.log(t, "INFO", "main", "shutting down", API, pod=old, signal="terminated")
        t2 = t + timedelta(seconds=rng.uniform(3, 6))
        s.log(t2, "INFO", "main", "telematics-api starting", API, pod=new, version=version, db_max_conns=30)
        specs = [("vehicle_stats_rollup", "0 * * * *", (t2 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:00:00Z"))]
        if version >= "v2.18.0":
            specs.append(("geofence_backfill", "0 */3 * * *", "2029-03-12T15:00:00Z"))
        for job, spec, nxt in specs:
            s.log(t2 + timedelta(milliseconds=40), "INFO", "sched", "job registered", JOBS, pod=new, job=job, spec=spec,
                  next_run=nxt)

    svc = Svc(
        name="telematics-api", file=API, comp="http",
        endpoints=[("GET /v1/vehicles/{id}/position", 0.35, 14), ("POST /v1/telemetry", 0.25, 9), ("GET /v1/trips", 0.2, 55),
                   ("GET /v1/trips/{id}", 0.12, 30), ("GET /v1/vehicles/{id}/summary", 0.05, 75), ("GET /healthz", 0.03, 1)],
        rate=gen_data.bump(1300, 1750, 0.45, 0.5), cpu=29, cpu_per_100=1.5, mem=52, access=access, restart=restart,
        pods=3, sample=0.004, fail_sample=0.06, base_fail=0.0006,
        chatter=[
            Chatter(0.5, "WARN", "ingest", lambda r: ("telemetry point rejected", {"reason": "device clock skew",
                    "skew_s": r.randint(90, 900), "device": f"TRK-{r.randint(10000, 99999)}"})),
            Chatter(0.07, "ERROR", "kafka", lambda r: ("produce failed, retrying", {"topic": "telemetry.raw",
                    "err": "kafka server: Messages are rejected since there are fewer in-sync replicas than required"})),
            Chatter(0.3, "WARN", "geo", lambda r: ("reverse geocode slow", {"took_ms": r.randint(1200, 3400)})),
            Chatter(0.04, "ERROR", "hooks", lambda r: ("webhook delivery failed", {"customer": f"cus_{r.randint(100, 999)}",
                    "status": 502, "attempt": r.randint(1, 5)})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {API: SlogJSON(src), JOBS: SlogJSON(src)},
        "dispatchers say trip history and vehicle summaries keep erroring out (500s) since this afternoon. live map is fine",
        truth_json(True, {"deploy": "v2.18.0", "commits": [a1]},
                   ["pool", "connections", "backfill", "geofence", "cron", "scheduled job", "batch job"], "2029-03-12 15:00"),
    )


# ==== 2. the card acquirer returns 503 three minutes after an unrelated payments deploy


@incident("scooter-acquirer-503", "Rust tracing fmt in two files; acquirer gw.novapay.example returns 503 18:41-19:27; "
          "authorize/capture/add-card fail, Amex via cardlink works; payments-svc v2.40.0 at 18:38 (wallet list, receipt "
          "locale) is a red herring; novapay already appears in benign errors")
def scooter_acquirer_503() -> dict[str, bytes]:
    s = Sim(seed=40217, start="2029-04-02 17:00", minutes=240, service="payments-svc")
    g, rng = s.git, s.rng
    dom = "zipscoot.example"
    z = g.commit("2029-04-01 09:50", f"ines.ferreira@{dom}", "Settlement: parse the new novapay v3 report columns",
                 ["src/settlement/report.rs", "src/settlement/tests/report_v3.rs"])
    g.deploy("v2.39.1", "2029-04-01 15:10", [z])
    a1 = g.commit("2029-04-02 14:12", f"tobias.klein@{dom}", "Wallet: hide expired cards from the payment method list",
                  ["src/wallet/list.rs", "src/wallet/tests/list.rs"])
    a2 = g.commit("2029-04-02 16:40", f"ines.ferreira@{dom}", "Receipts: format amounts with the rider's locale",
                  ["src/receipts/format.rs", "locales/pt-PT.ftl", "locales/es-ES.ftl"])
    g.deploy("v2.40.0", "2029-04-02 18:38", [a1, a2])
    c = g.commit("2029-04-02 19:48", f"tobias.klein@{dom}", "Log ride_id on capture retries", ["src/capture/retry.rs"])
    g.deploy("v2.40.1", "2029-04-02 20:12", [c])

    APP, RETRY = "payments-svc.log", "capture-retry.log"
    NP = "gw.novapay.example"
    out_a, out_b = s.idx("18:41"), s.idx("19:27")
    queue = [2]

    def down(i: int) -> float:
        return (0.55 if i == out_a else 1.0) if out_a <= i < out_b else 0.0

    def ride(r: random.Random) -> str:
        return f"rd_{hexid(r, 10)}"

    def failed(t, rid, ep):
        op = {"POST /v1/payments/authorize": "authorize", "POST /v1/payments/{id}/capture": "capture"}.get(ep, "tokenize")
        span = f"{op}{{ride_id={ride(rng)}}}"
        for k in (1, 2):
            s.log(t - timedelta(milliseconds=420 - 150 * k), "WARN", "payments::acquirer::novapay",
                  "acquirer returned retryable status", APP, _span=span, status=503, host=NP, attempt=f"{k}/3",
                  backoff_ms=100 * k)
        s.log(t, "ERROR", "payments::acquirer::novapay", "acquirer call failed", APP, _span=span,
              status="503 Service Unavailable", host=NP, path={"authorize": "/v3/authorizations", "capture": "/v3/captures",
                                                              "tokenize": "/v3/tokens"}[op],
              attempt="3/3", body='{"error":"temporarily_unavailable","retry_after":30}')
        if op == "capture" and rng.random() < 0.7:
            queue[0] += 1
            s.log(t + timedelta(milliseconds=5), "WARN", "capture_retry::queue", "capture parked for retry", RETRY,
                  payment=f"pay_{hexid(rng, 12)}", queue_depth=queue[0])

    def each(i: int) -> None:
        v = down(i)
        if v and i % 2 == 0:
            s.log(s.when(i, 0, 5), "WARN", "payments::acquirer::breaker", "circuit opened", APP, host=NP,
                  failure_ratio=round(rng.uniform(0.85, 0.99), 2), window="30s")
            s.log(s.when(i, 31, 35), "WARN", "payments::acquirer::breaker", "half-open probe failed", APP, host=NP, status=503)
        if i == out_b:
            s.log(s.when(i, 10, 20), "INFO", "payments::acquirer::breaker", "circuit closed", APP, host=NP)
        if not v and queue[0] <= 3 and rng.random() < 0.2:
            queue[0] = rng.randint(0, 3)
        if i % 5 == 0:
            s.log(s.when(i, 0, 3), "INFO", "capture_retry::worker", "retry sweep", RETRY, queue_depth=queue[0],
                  attempted=0 if v else queue[0])
        if not v and queue[0] > 3:
            done = min(queue[0] - rng.randint(0, 2), rng.randint(20, 40))
            for _ in range(min(done, 6)):
                s.log(s.when(i), "INFO", "capture_retry::worker", "capture succeeded after retry", RETRY,
                      payment=f"pay_{hexid(rng, 12)}", attempts=rng.randint(2, 9))
            queue[0] -= done
        if i % 30 == 12:
            s.log(s.when(i), "INFO", "payments::settlement", "settlement report fetched", APP, source="sftp.novapay.example",
                  rows=rng.randint(800, 4000))

    def effect(i: int) -> Eff:
        f = 0.84 * 0.98 * down(i)
        if not f:
            return Eff()
        return Eff(fail={"POST /v1/payments/authorize": f, "POST /v1/payments/{id}/capture": f, "POST /v1/wallet/cards": f},
                   status=502, fail_ms=470, cause=failed)

    def access(t, method, path, status, took, rid, pod):
        span = f"request{{method={method} uri={path} req_id={rid[:12]}}}"
        if status >= 500:
            s.log(t, "ERROR", "tower_http::trace::on_failure", "response failed", APP, _span=span, latency=f"{took} ms",
                  classification=f"Status code: {status} {'Bad Gateway' if status == 502 else 'Internal Server Error'}")
        else:
            s.log(t, level_of(status), "tower_http::trace::on_response", "finished processing request", APP, _span=span,
                  latency=f"{took} ms", status=status)

    def restart(t, old, new, version):
        s.log(t, "INFO", "payments_svc", "shutdown signal received, draining", APP, pod=old)
        t2 = t + timedelta(seconds=rng.uniform(2, 4))
        s.log(t2, "INFO", "payments_svc", "starting payments-svc", APP, version=version.lstrip("v"), pod=new)
        s.log(t2 + timedelta(milliseconds=300), "INFO", "payments::acquirer", "acquirer clients ready", APP,
              novapay=f"https://{NP}", cardlink="https://api.cardlink.example")
        s.log(t2 + timedelta(milliseconds=340), "INFO", "payments_svc::http", "listening", APP, addr="0.0.0.0:8080")

    svc = Svc(
        name="payments-svc", file=APP, comp="",
        endpoints=[("POST /v1/payments/authorize", 0.2, 410), ("POST /v1/payments/{id}/capture", 0.14, 360),
                   ("GET /v1/wallet", 0.3, 22), ("POST /v1/wallet/cards", 0.06, 640), ("GET /v1/payments/{id}", 0.22, 14),
                   ("GET /health", 0.08, 1)],
        rate=gen_data.bump(420, 680, 0.55, 0.4), cpu=18, cpu_per_100=3.2, mem=33, access=access, restart=restart, pods=3,
        sample=0.025, fail_sample=0.12, base_fail=0.0008,
        chatter=[
            Chatter(0.9, "WARN", "payments::acquirer::novapay", lambda r: ("authorization declined", {"host": NP,
                    "decline_code": r.choice(["do_not_honor", "insufficient_funds", "expired_card"])})),
            Chatter(0.05, "ERROR", "payments::webhooks", lambda r: ("novapay webhook rejected", {"reason": "signature mismatch",
                    "event": f"evt_{hexid(r, 14)}"})),
            Chatter(0.3, "WARN", "payments::threeds", lambda r: ("3DS challenge expired", {"ride_id": ride(r)})),
            Chatter(0.03, "ERROR", "payments::acquirer::cardlink", lambda r: ("acquirer call failed", {
                    "host": "api.cardlink.example", "err": "operation timed out", "attempt": "1/3"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: TracingFmt(), RETRY: TracingFmt()},
        "riders can't start rides, card payments failing!! we shipped payments-svc 2.40.0 right before this. roll back??",
        truth_json(True, None, ["novapay", "acquirer", "acquiring", "upstream", "provider", "third-party", "third party",
                                "external"], "2029-04-02 18:41"),
    )


# ==== 3. false alarm: a release restarts php-fpm (2 minutes of a few 502s); the responder is sure it broke things


@incident("merchant-dashboard-release-false-alarm", "Laravel daily log + php-fpm log; v7.3.0 at 10:02 (export rewrite, "
          "index migration, framework bump) restarts php-fpm: 2 minutes of a few 502s as at 09:15, then new PHP "
          "deprecation warnings; background 500s unchanged all morning; no incident")
def merchant_dashboard_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=51409, start="2029-05-14 08:30", minutes=210, service="merchant-dashboard")
    g, rng = s.git, s.rng
    dom = "payora.example"
    z = g.commit("2029-05-13 11:30", f"sara.lindgren@{dom}", "Payouts: show bank reference on the detail page",
                 ["app/Http/Controllers/PayoutController.php", "resources/views/payouts/show.blade.php"])
    g.deploy("v7.2.3", "2029-05-13 17:20", [z])
    a = g.commit("2029-05-14 08:41", f"sara.lindgren@{dom}", "Fix tooltip overflow on the payouts chart",
                 ["resources/js/charts/payouts.js"])
    g.deploy("v7.2.4", "2029-05-14 09:15", [a])
    c1 = g.commit("2029-05-13 15:02", f"dmitri.volkov@{dom}", "Rewrite transaction CSV export with chunked queries",
                  ["app/Exports/TransactionsExport.php", "app/Jobs/BuildExport.php", "tests/Feature/ExportTest.php"])
    c2 = g.commit("2029-05-13 15:40", f"dmitri.volkov@{dom}", "Add index on export_jobs.finished_at",
                  ["database/migrations/2029_05_13_142211_add_finished_at_index_to_export_jobs.php"])
    c3 = g.commit("2029-05-14 09:30", f"amir.haddad@{dom}", "Upgrade laravel/framework to 10.48.10",
                  ["composer.json", "composer.lock"])
    g.deploy("v7.3.0", "2029-05-14 10:02", [c1, c2, c3])

    APP, FPM = "laravel-2029-05-14.log", "php-fpm.log"
    deps = [s.idx("09:15"), s.idx("10:02")]
    errors = [
        ("SQLSTATE[40001]: Serialization failure: 1213 Deadlock found when trying to get lock; try restarting transaction",
         "Illuminate\\Database\\QueryException(code: 40001)", "vendor/laravel/framework/src/Illuminate/Database/Connection.php:822"),
        ("cURL error 28: Operation timed out after 10001 milliseconds with 0 bytes received for https://api.fxrates.example/live",
         "GuzzleHttp\\Exception\\ConnectException(code: 0)", "vendor/guzzlehttp/guzzle/src/Handler/CurlFactory.php:275"),
        ("Call to a member function format() on null", "Error(code: 0)", "app/Http/Controllers/PayoutController.php:88"),
    ]

    def each(i: int) -> None:
        if i == deps[1]:
            s.log(s.when(i, 0, 3), "INFO", "production", "Deploy hook: migrations ran", APP,
                  migrated=["2029_05_13_142211_add_finished_at_index_to_export_jobs"], ms=412.3)
        if i in deps:
            for k in range(3):
                t = s.when(i, 4 + 18 * k, 10 + 18 * k)
                s.log(t, "INFO", "", "Terminating ...", FPM)
                for _ in range(rng.randint(2, 4)):
                    s.log(t + timedelta(milliseconds=rng.randint(50, 900)), "WARN", "", f"[pool www] child "
                          f"{rng.randint(20, 400)} exited on signal 15 (SIGTERM) after {rng.uniform(900, 9000):.6f} seconds "
                          "from start", FPM)
                s.log(t + timedelta(seconds=1.2), "INFO", "", "exiting, bye-bye!", FPM)
                s.log(t + timedelta(seconds=rng.uniform(6, 9)), "INFO", "", f"fpm is running, pid {rng.randint(7, 9)}", FPM)
                s.log(t + timedelta(seconds=rng.uniform(9, 10)), "INFO", "", "ready to handle connections", FPM)
        if rng.random() < 0.06:
            s.log(s.when(i), "WARN", "", "[pool www] server reached pm.max_children setting (24), consider raising it", FPM)
        if rng.random() < 0.03:
            s.log(s.when(i), "WARN", "", "[pool www] seems busy (you may need to increase pm.start_servers, or pm.min/"
                  f"max_spare_servers), spawning 8 children, there are {rng.randint(0, 2)} idle, and "
                  f"{rng.randint(18, 24)} total children", FPM)
        for _ in range(poisson(rng, 0.35)):
            s.log(s.when(i), "INFO", "production", "Export finished", APP, export_id=rng.randint(90000, 99999),
                  rows=rng.randint(200, 90000), ms=rng.randint(800, 40000))
        if i > deps[1]:
            for _ in range(poisson(rng, 1.1)):
                s.log(s.when(i), "WARN", "production", "Creation of dynamic property App\\Exports\\TransactionsExport::"
                      "$chunkSize is deprecated in /var/www/html/app/Exports/TransactionsExport.php on line 31", APP)

    def effect(i: int) -> Eff:
        for d in deps:
            if d <= i < d + 3:
                return Eff(fail={"": 0.013 if i < d + 2 else 0.0}, status=502, lat_mult={"": 1.4 - 0.12 * (i - d)})
        return Eff()

    def access(t, method, path, status, took, rid, pod):
        if status == 502:
            return  # nginx answered while php-fpm restarted; the app never saw it
        if status >= 500:
            msg, exc, where = rng.choice(errors)
            s.log(t, "ERROR", "production", msg, APP, exception=f"[object] ({exc}: {msg} at /var/www/html/{where})",
                  url=path, request_id=rid)
        else:
            s.log(t, "INFO", "production", "request", APP, method=method, uri=path, status=status, ms=took,
                  merchant_id=rng.randint(1000, 9999))

    svc = Svc(
        name="merchant-dashboard", file=APP, comp="production",
        endpoints=[("GET /dashboard", 0.25, 180), ("GET /transactions", 0.3, 240), ("GET /payouts", 0.15, 160),
                   ("GET /payouts/{id}", 0.08, 90), ("POST /exports", 0.04, 120), ("GET /api/charts/revenue", 0.18, 110)],
        rate=gen_data.bump(160, 320, 0.55, 0.45), cpu=24, cpu_per_100=9, mem=47, access=access,
        restart=lambda t, old, new, version: None, pods=3, sample=0.12, fail_sample=1.0, base_fail=0.004,
        base_status=(500,), deploy_blip=10,
        chatter=[
            Chatter(0.6, "WARN", "production", lambda r: ("Login failed", {"email_hash": hexid(r, 12),
                    "reason": r.choice(["invalid password", "2fa code expired"])})),
            Chatter(0.08, "ERROR", "production", lambda r: ("Payout webhook from bank rejected: invalid signature",
                    {"provider": "openbank-eu"})),
            Chatter(0.15, "WARN", "production", lambda r: "CSRF token mismatch (session expired?)"),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: Laravel(), FPM: PhpFpm()},
        "the 10:02 merchant-dashboard release broke things - laravel log is full of errors and grafana showed a spike "
        "right after. it's the export rewrite isn't it? need a yes/no before we roll back",
        truth_json(False, None, [], None),
    )


# ==== 4. a config-only deploy cuts the underwriting read timeout from 30s to 2s


@incident("quote-api-timeout-config", "Spring Boot console + Reactor Netty access log; config-r418 at 08:47 (two "
          "config-only commits) lowers downstream read timeouts 30s -> 2s: the slow underwriting calls (p50 ~1.2 s) "
          "fail with TimeoutException, 504 on ~20-30% of quote requests (~8-10% of all); v5.12.0 at 10:05 benign")
def quote_api_timeout_config() -> dict[str, bytes]:
    s = Sim(seed=60521, start="2029-06-05 07:00", minutes=240, service="quote-api")
    g, rng = s.git, s.rng
    dom = "coverly.example"
    pkg = "src/main/java/com/coverly/quote"
    z = g.commit("2029-06-04 10:12", f"joao.pires@{dom}", "Quote PDF: add broker licence number to the footer",
                 [f"{pkg}/pdf/QuotePdfRenderer.java", "src/main/resources/templates/quote.html"])
    g.deploy("v5.11.0", "2029-06-04 14:30", [z])
    a = g.commit("2029-06-05 07:20", f"joao.pires@{dom}", "Vehicle lookup: accept lowercase plates",
                 [f"{pkg}/vehicle/PlateNormalizer.java", "src/test/java/com/coverly/quote/vehicle/PlateNormalizerTest.java"])
    g.deploy("v5.11.1", "2029-06-05 07:52", [a])
    c1 = g.commit("2029-06-04 16:55", f"nina.brandt@{dom}", "Align downstream client read timeouts with the quote latency SLO",
                  ["deploy/config/quote-api/application-prod.yaml"])
    c2 = g.commit("2029-06-05 08:20", f"nina.brandt@{dom}", "Enable broker dashboard v2 for NL brokers",
                  ["deploy/config/quote-api/features-prod.yaml"])
    g.deploy("config-r418", "2029-06-05 08:47", [c1, c2])
    d = g.commit("2029-06-05 09:31", f"joao.pires@{dom}", "Cache make/model lookups for an hour",
                 [f"{pkg}/vehicle/VehicleLookupService.java", f"{pkg}/config/CacheConfig.java"])
    g.deploy("v5.12.0", "2029-06-05 10:05", [d])

    APP, ACC = "quote-api.log", "access.log"
    cfg = "2029-06-05 08:47"
    uw_median = gen_data.bump(1050, 1450, 0.5, 0.35)
    QUOTES = ("POST /v2/quotes", "POST /v2/quotes/{id}/bind")
    UW, ERRH = "c.c.q.underwriting.UnderwritingClient", "c.c.quote.api.ApiExceptionHandler"
    ready: dict[str, datetime] = {}

    def quote_id(r: random.Random) -> str:
        return "Q-" + gen_data.b36(r, 7)

    def timed_out(t, rid, ep):
        t, th, q = after(t, ready.get("config-r418")), f"reactor-http-epoll-{rng.randint(1, 8)}", quote_id(rng)
        s.log(t, "ERROR", UW, f"Underwriting request failed for {q} after {rng.randint(2000, 2012)} ms: java.util.concurrent."
              "TimeoutException: Did not observe any item or terminal signal within 2000ms in 'flatMap' (and no fallback "
              "has been configured)", APP, _thread=th)
        method, path = ep.split(" ")
        s.log(t + timedelta(milliseconds=2), "WARN", ERRH, f"{method} {path.replace('{id}', q)} -> 504 "
              f"UNDERWRITING_UNAVAILABLE (trace {rid[:16]})", APP, _thread=th)

    def each(i: int) -> None:
        share = rollout_share(s, i, cfg, 3, 40)
        med = uw_median(i / (s.n - 1))
        for _ in range(poisson(rng, 480 * (1 - share) * (1 - phi(math.log(6000 / med) / 0.5)))):
            s.log(s.when(i), "WARN", UW, f"Underwriting slow response: {int(rng.uniform(6000, 14000))} ms for "
                  f"{quote_id(rng)}", APP, _thread=f"reactor-http-epoll-{rng.randint(1, 8)}")
        if i % 15 == 3:
            s.log(s.when(i), "INFO", "c.c.quote.rates.RateTableLoader", f"Rate tables refreshed: 14 products, "
                  f"{rng.randint(1800, 1900)} rows", APP, _thread="scheduling-1")

    def effect(i: int) -> Eff:
        share = rollout_share(s, i, cfg, 3, 40)
        med = uw_median(i / (s.n - 1))
        lm = med / 1050
        if not share:
            return Eff(lat_mult={q: lm for q in QUOTES})
        f = (1 - phi(math.log(2000 / med) / 0.5)) * share
        return Eff(fail={q: f for q in QUOTES}, status=504, fail_ms=2015, lat_mult={q: lm * (1 - 0.16 * share) for q in QUOTES},
                   cause=timed_out)

    def access(t, method, path, status, took, rid, pod):
        if status == 504:
            t = after(t, ready.get("config-r418"))
        s.log(t, level_of(status), "reactor.netty.http.server.AccessLog", "", ACC, ip=ip(rng, "10.40."), method=method,
              uri=path, status=status, size=rng.randint(90, 140) if status >= 400 else rng.randint(300, 4200), ms=took)

    def restart(t, old, new, version):
        rt = 2000 if version in ("config-r418", "v5.12.0") else 30000
        s.log(t, "INFO", "o.s.b.w.e.netty.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to "
              "complete", APP, _thread="SpringApplicationShutdownHook")
        t2 = t + timedelta(seconds=rng.uniform(8, 12))
        ready.setdefault(version, t2 + timedelta(seconds=6))
        code = "5.12.0" if version == "v5.12.0" else "5.11.1"
        s.log(t2, "INFO", "c.coverly.quote.QuoteApiApplication", f"Starting QuoteApiApplication v{code} using Java 21.0.3 "
              f"with PID 1 ({new})", APP)
        for k, (name, url, other) in enumerate([("underwriting", "http://underwriting-engine.risk.svc.cluster.local:8080", rt),
                                                ("vehicle-registry", "https://registry.coverly-partners.example",
                                                 2000 if rt == 2000 else 5000)]):
            s.log(t2 + timedelta(seconds=4 + k / 100), "INFO", "c.c.quote.config.DownstreamClients", f"{name} client: "
                  f"base-url={url}, connect-timeout=1000ms, read-timeout={other}ms, max-connections={200 if k == 0 else 50}", APP)
        s.log(t2 + timedelta(seconds=6), "INFO", "o.s.b.web.embedded.netty.NettyWebServer", "Netty started on port 8080 (http)",
              APP)
        s.log(t2 + timedelta(seconds=6.1), "INFO", "c.coverly.quote.QuoteApiApplication", "Started QuoteApiApplication in "
              f"{rng.uniform(8, 11):.3f} seconds (process running for {rng.uniform(9, 12):.3f})", APP)

    svc = Svc(
        name="quote-api", file=APP, comp="",
        endpoints=[("POST /v2/quotes", 0.3, 1250), ("POST /v2/quotes/{id}/bind", 0.05, 1400), ("GET /v2/quotes/{id}", 0.3, 18),
                   ("GET /v2/vehicles/lookup", 0.2, 45), ("GET /v2/brokers/{id}/quotes", 0.1, 80),
                   ("GET /actuator/health", 0.05, 2)],
        rate=gen_data.bump(500, 950, 0.5, 0.35), cpu=22, cpu_per_100=2.4, mem=58, access=access, restart=restart, pods=3,
        sample=0.02, fail_sample=0.12, base_fail=0.0007,
        chatter=[
            Chatter(0.5, "WARN", "c.c.quote.vehicle.VehicleRegistryClient", lambda r: ("Registry returned 404 for plate "
                    f"{gen_data.b36(r, 2)}-{r.randint(100, 999)}-{gen_data.b36(r, 1)}", {"_thread": "reactor-http-epoll-3"})),
            Chatter(0.04, "ERROR", "c.c.quote.broker.CommissionSync", lambda r: ("Commission sync failed: 401 UNAUTHORIZED from "
                    "https://crm.coverly-partners.example/api/commissions", {"_thread": "scheduling-1"})),
            Chatter(0.2, "WARN", ERRH, lambda r: ("POST /v2/quotes -> 422 INVALID_DRIVER_AGE", {"_thread": "reactor-http-epoll-5"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: SpringBoot("quote-api"), ACC: NettyAccess()},
        "quote API is throwing 504s for a chunk of quote requests this morning, brokers can't get prices. underwriting "
        "team says their service is healthy",
        truth_json(True, {"deploy": "config-r418", "commits": [c1]},
                   ["timeout", "timed out", "time out", "read-timeout", "2000ms"], "2029-06-05 08:47"),
    )


# ==== 5. a SQLAlchemy 2.0 bump breaks the raw-SQL availability queries; two features ride along


@incident("clinic-booking-sqlalchemy-bump", "Cloud Run LogEntry exports (stdout jsonPayload, requests httpRequest, "
          "system textPayload); revision clinic-booking-00187-vaz at 10:46 bumps SQLAlchemy 1.4 -> 2.0 plus two features: "
          "availability/slots (raw SQL strings) fail with ObjectNotExecutableError, ~26% of requests")
def clinic_booking_sqlalchemy_bump() -> dict[str, bytes]:
    s = Sim(seed=70619, start="2029-06-19 09:00", minutes=240, service="clinic-booking")
    g, rng = s.git, s.rng
    dom = "medslot.example"
    z = g.commit("2029-06-18 10:05", f"chloe.dubois@{dom}", "Clinic search: sort by distance when location is shared",
                 ["booking/clinics/search.py", "tests/clinics/test_search.py"])
    g.deploy("clinic-booking-00185-lod", "2029-06-18 15:40", [z])
    a = g.commit("2029-06-19 08:50", f"ravi.menon@{dom}", "Reminders: send SMS in the clinic's timezone",
                 ["booking/notifications/reminders.py"])
    g.deploy("clinic-booking-00186-hew", "2029-06-19 09:38", [a])
    c1 = g.commit("2029-06-18 07:12", "49699333+dependabot[bot]@users.noreply.github.com",
                  "Bump sqlalchemy from 1.4.52 to 2.0.30", ["requirements.txt"])
    c2 = g.commit("2029-06-19 09:55", f"chloe.dubois@{dom}", "Patients can add a note when booking",
                  ["booking/api/bookings.py", "booking/models.py", "migrations/versions/3c1f0e_booking_note.py",
                   "booking/templates/booking_form.html"])
    c3 = g.commit("2029-06-19 10:20", f"ravi.menon@{dom}", "Show clinic opening hours on public holidays",
                  ["booking/clinics/hours.py", "booking/clinics/holidays.py", "tests/clinics/test_hours.py"])
    g.deploy("clinic-booking-00187-vaz", "2029-06-19 10:46", [c1, c2, c3])
    d = g.commit("2029-06-19 11:40", f"chloe.dubois@{dom}", "Copy tweaks on the booking confirmation page",
                 ["booking/templates/confirmation.html"])
    g.deploy("clinic-booking-00188-tum", "2029-06-19 12:10", [d])

    OUT, REQ, SYS = "run.googleapis.com_stdout.json", "run.googleapis.com_requests.json", "run.googleapis.com_varlog_system.json"
    revs = sorted((at(x["deployed_at"].replace("Z", "")), x["version"]) for x in g.deployments)
    bad = s.idx("10:46")  # traffic moves to the new revision when the deploy completes

    def rev_at(t: datetime) -> str:
        return [v for when, v in revs if t >= when][-1]

    sql = {"GET /api/availability": ("booking/availability.py", 57, "find_open_slots",
                                     "SELECT s.id, s.starts_at, s.practitioner_id FROM slots s WHERE s.clinic_id = :clinic_id "
                                     "AND s.starts_at >= :from_ts AND NOT s.booked ORDER BY s.starts_at LIMIT 50"),
           "GET /api/clinics/{id}/slots": ("booking/clinics/slots.py", 33, "day_slots",
                                           "SELECT id, starts_at, duration_min FROM slots WHERE clinic_id = :cid AND "
                                           "starts_at::date = :day ORDER BY starts_at")}

    def broken(t, rid, ep):
        file, line, fn, q = sql[ep]
        s.log(t, "ERROR", "booking.app", f"Exception on {ep.split(' ')[1].replace('{id}', str(rng.randint(10, 400)))} [GET]\n"
              "Traceback (most recent call last):\n"
              '  File "/usr/local/lib/python3.12/site-packages/flask/app.py", line 1473, in wsgi_app\n'
              "    response = self.full_dispatch_request()\n"
              f'  File "/app/{file}", line {line}, in {fn}\n'
              "    rows = conn.execute(QUERY, params).mappings().all()\n"
              '  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1412, in execute\n'
              "    raise exc.ObjectNotExecutableError(statement) from err\n"
              f"sqlalchemy.exc.ObjectNotExecutableError: Not an executable object: '{q}'", OUT, _trace=rid)

    def each(i: int) -> None:
        if i >= bad and (i == bad or i % 10 == 0):
            for _ in range(poisson(rng, 2)):
                s.log(s.when(i), "WARN", "py.warnings", "/app/booking/api/bookings.py:71: LegacyAPIWarning: The Query.get() "
                      "method is considered legacy as of the 1.x series of SQLAlchemy and becomes a legacy construct in 2.0. "
                      "The method is now available as Session.get() (deprecated since: 2.0) (Background on SQLAlchemy 2.0 at: "
                      "https://sqlalche.me/e/b8d9)", OUT)
        if i % 10 == 5:
            s.log(s.when(i), "INFO", "booking.notifications", "reminder batch sent", OUT, sent=rng.randint(40, 190))
        if rng.random() < 0.3:
            s.log(s.when(i), "INFO", "", "Starting new instance. Reason: AUTOSCALING - Instance started due to configured "
                  "scaling factors (e.g. CPU utilization, request throughput, etc.) or no existing capacity for current "
                  "traffic.", SYS, _inst="00f4" + hexid(rng, 56))

    def effect(i: int) -> Eff:
        if i < bad:
            return Eff()
        return Eff(fail={"GET /api/availability": 1.0, "GET /api/clinics/{id}/slots": 1.0}, status=500, fail_ms=38,
                   cause=broken)

    def access(t, method, path, status, took, rid, pod):
        http = {"requestMethod": method, "requestUrl": "https://clinic-booking-3kq7z2vxba-ew.a.run.app" + path,
                "requestSize": str(rng.randint(300, 900)), "status": status,
                "responseSize": str(rng.randint(200, 6000) if status < 400 else 290), "userAgent": rng.choice(UA_BROWSERS),
                "remoteIp": ip(rng, "81."), "serverIp": "216.239.32.53", "latency": f"{took / 1000:.6f}s",
                "protocol": "HTTP/1.1"}
        s.log(t, level_of(status), "", "", REQ, _http=http, _trace=rid)

    def restart(t, old, new, version):
        t0 = s.minute(s.idx(t.strftime("%H:%M"))) - timedelta(seconds=rng.uniform(40, 55))  # before traffic moves
        s.log(t0, "INFO", "", "Starting new instance. Reason: DEPLOYMENT_ROLLOUT - Instance started due to traffic shifting "
              "between revisions due to deployment, traffic split adjustment, or deployment health check.", SYS, _rev=version)
        s.log(t0 + timedelta(seconds=3), "INFO", "gunicorn.error", "Listening at: http://0.0.0.0:8080 (1)", OUT, _rev=version)
        s.log(t0 + timedelta(seconds=4), "INFO", "", 'Default STARTUP TCP probe succeeded after 1 attempt for container '
              '"booking-1" on port 8080.', SYS, _rev=version)

    svc = Svc(
        name="clinic-booking", file=REQ, comp="",
        endpoints=[("GET /api/availability", 0.2, 85), ("GET /api/clinics/{id}/slots", 0.06, 60), ("GET /api/clinics", 0.18, 40),
                   ("GET /api/clinics/{id}", 0.14, 25), ("POST /api/bookings", 0.08, 180), ("GET /api/bookings/{id}", 0.12, 30),
                   ("GET /static/{hex}.js", 0.22, 4)],
        rate=gen_data.bump(600, 1100, 0.4, 0.45), cpu=20, cpu_per_100=2.2, mem=44, access=access, restart=restart, pods=2,
        sample=0.01, fail_sample=0.015, base_fail=0.0009, base_status=(500, 503),
        chatter=[
            Chatter(0.2, "ERROR", "booking.notifications", lambda r: ("SMS reminder failed: Twilio 21614 'To' number is not "
                    "a valid mobile number", {"booking": r.randint(10**6, 10**7)}), file=OUT),
            Chatter(0.06, "ERROR", "booking.calendar_sync", lambda r: ("Google Calendar sync failed: invalid_grant (Token "
                    "has been expired or revoked.)", {"practitioner": r.randint(100, 900)}), file=OUT),
            Chatter(0.3, "WARN", "booking.payments", lambda r: ("Stripe webhook ignored: event already processed",
                    {"event": f"evt_{hexid(r, 14)}"}), file=OUT),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {OUT: CloudRun("medslot-prod", "clinic-booking", "stdout", rev_at),
            REQ: CloudRun("medslot-prod", "clinic-booking", "requests", rev_at),
            SYS: CloudRun("medslot-prod", "clinic-booking", "varlog/system", rev_at)},
        "patients can't see any free appointment slots - booking page says 'could not load availability' for every "
        "clinic. started late morning I think",
        truth_json(True, {"deploy": "clinic-booking-00187-vaz", "commits": [c1]},
                   ["sqlalchemy", "not an executable", "objectnotexecutable", "raw sql", "textual sql", "text("],
                   "2029-06-19 10:46"),
    )


# ==== 6. DEBUG tracing shipped at 06:52 fills the data volumes; outbox writes fail from 08:58


@incident("pos-sync-debug-disk-full", "log4j2 JsonLayout (epochSecond instant) + journald short-iso from three VMs; "
          "v3.4.0 at 06:52 turns on DEBUG handshake tracing; /data fills on sync-vm-2 at 08:58 then vm-1 09:02 and vm-3 "
          "09:05: outbox appends fail (No space left on device), 503s; v3.4.1 at 08:37 is a red herring")
def pos_sync_debug_disk_full() -> dict[str, bytes]:
    s = Sim(seed=80709, start="2029-07-09 06:00", minutes=270, service="pos-sync")
    g, rng = s.git, s.rng
    dom = "tillpoint.example"
    kt = "src/main/kotlin/com/tillpoint/sync"
    z = g.commit("2029-07-08 11:20", f"olga.petrova@{dom}", "Batch ERP pushes per store instead of per till",
                 [f"{kt}/erp/ErpPushClient.kt", f"{kt}/erp/ErpBatcher.kt"])
    g.deploy("v3.3.7", "2029-07-08 16:00", [z])
    a1 = g.commit("2029-07-08 17:45", f"felix.weber@{dom}", "Trace sync handshakes with payloads to chase duplicate receipts",
                  ["src/main/resources/log4j2.xml", f"{kt}/handshake/HandshakeTracer.kt", f"{kt}/handshake/HandshakeRoutes.kt"])
    a2 = g.commit("2029-07-09 06:10", f"olga.petrova@{dom}", "Reject batches whose receipt totals don't add up",
                  [f"{kt}/validate/TotalsValidator.kt", "src/test/kotlin/com/tillpoint/sync/validate/TotalsValidatorTest.kt"])
    g.deploy("v3.4.0", "2029-07-09 06:52", [a1, a2])
    b = g.commit("2029-07-09 08:02", f"felix.weber@{dom}", "Show store timezone on the sync status page",
                 [f"{kt}/status/StatusPage.kt", "src/main/resources/templates/status.ftl"])
    g.deploy("v3.4.1", "2029-07-09 08:37", [b])

    APP, JRN = "pos-sync.json", "journal.log"
    vms = ["sync-vm-1", "sync-vm-2", "sync-vm-3"]
    pid = {v: 2211 + 7 * k for k, v in enumerate(vms)}
    debug_from = s.idx("06:53")
    full_at = {"sync-vm-2": s.idx("08:58"), "sync-vm-1": s.idx("09:02"), "sync-vm-3": s.idx("09:05")}
    base = {"sync-vm-1": 46.8, "sync-vm-2": 49.1, "sync-vm-3": 45.2}
    nrestart = [0]

    def disk(vm: str, i: int) -> float:
        d0, f = base[vm] + 0.004 * i, full_at[vm]
        if i < debug_from:
            return d0
        return min(100.0, d0 + (100 - base[vm] - 0.004 * f) * (i - debug_from) / (f - debug_from))

    def full_vm(t: datetime) -> str | None:
        i = s.idx(t.strftime("%H:%M"))
        vs = [v for v in vms if i >= full_at[v]]
        return rng.choice(vs) if vs else None

    def worker(r: random.Random) -> str:
        return f"DefaultDispatcher-worker-{r.randint(1, 16)}"

    def no_space(t, rid, ep):
        vm, th = full_vm(t) or vms[1], worker(rng)
        s.log(t, "ERROR", "com.tillpoint.sync.outbox.OutboxWriter", f"Could not append batch B-{hexid(rng, 8)} to outbox", APP,
              _thread=th, host=vm, store=f"S-{rng.randint(100, 999):04d}", receipts=rng.randint(5, 400),
              _thrown={"commonElementCount": 0, "localizedMessage": "No space left on device",
                       "message": "No space left on device", "name": "java.io.IOException",
                       "extendedStackTrace": "java.io.IOException: No space left on device\n\tat java.base/sun.nio.ch."
                       "UnixFileDispatcherImpl.write0(Native Method)\n\tat java.base/sun.nio.ch.FileChannelImpl.write("
                       "FileChannelImpl.java:313)\n\tat com.tillpoint.sync.outbox.OutboxSegment.append(OutboxSegment.kt:88)"
                       "\n\tat com.tillpoint.sync.outbox.OutboxWriter.write(OutboxWriter.kt:41)"})
        if rng.random() < 0.5:
            s.log(t + timedelta(milliseconds=rng.randint(1, 30)), "INFO", f"{vm} pos-sync[{pid[vm]}]",
                  f"{t:%Y-%m-%d %H:%M:%S},{ms(t)} {th} ERROR Unable to write to stream /data/logs/pos-sync.log for appender "
                  "RollingFile: org.apache.logging.log4j.core.appender.AppenderLoggingException: Error writing to stream "
                  "/data/logs/pos-sync.log", JRN)

    def each(i: int) -> None:
        if i >= debug_from:
            for _ in range(poisson(rng, 14)):
                s.log(s.when(i), "DEBUG", "com.tillpoint.sync.handshake.HandshakeTracer", f"handshake "
                      f"{rng.choice(['request', 'response'])} store=S-{rng.randint(100, 999):04d} till=T-{rng.randint(1, 9):02d} "
                      f"bytes={rng.randint(40000, 380000)} body={{\"cursor\":\"{hexid(rng, 16)}\",\"catalogVersion\":"
                      f"{rng.randint(9000, 9400)},\"prices\":[...{rng.randint(800, 6000)} items]}}", APP, _thread=worker(rng),
                      host=rng.choice(vms))
        if i % 5 == 0:
            for vm in vms:
                d = disk(vm, i)
                s.log(s.when(i, 0, 3), "INFO" if d < 85 else ("WARN" if d < 99.9 else "ERROR"),
                      "com.tillpoint.sync.ops.DiskWatcher", f"data volume /data at {d:.0f}% ({d * 0.5:.1f} GiB of 50.0 GiB)",
                      APP, _thread="disk-watcher", host=vm)
        if i > s.idx("06:52"):
            for _ in range(poisson(rng, 0.4)):
                s.log(s.when(i), "WARN", "com.tillpoint.sync.validate.TotalsValidator", "Rejected batch: receipt totals "
                      f"mismatch (expected {rng.randint(100, 9000) / 100:.2f}, got {rng.randint(100, 9000) / 100:.2f})", APP,
                      _thread=worker(rng), host=rng.choice(vms))
        if rng.random() < 0.05:
            s.log(s.when(i), "INFO", f"{rng.choice(vms)} CRON[{rng.randint(30000, 40000)}]",
                  "(root) CMD (/usr/local/bin/node-exporter-textfile.sh)", JRN)

    def effect(i: int) -> Eff:
        n_full = sum(1 for v in vms if i >= full_at[v])
        cpu = 4.0 if i >= debug_from else 0.0
        if not n_full:
            return Eff(cpu_add=cpu, lat_add={"POST /sync": 6.0 if i >= debug_from else 0.0})
        f = 0.97 * n_full / 3
        return Eff(cpu_add=cpu, fail={"POST /sync/batches": f, "POST /sync/handshake": f}, status=503, fail_ms=14,
                   cause=no_space)

    def access(t, method, path, status, took, rid, pod):
        st = {200: "200 OK", 201: "201 Created", 500: "500 Internal Server Error", 502: "502 Bad Gateway",
              503: "503 Service Unavailable"}.get(status, str(status))
        host = (full_vm(t) if status == 503 else None) or rng.choice(vms)
        s.log(t, level_of(status), "ktor.application", f"{st}: {method} - {path} in {took}ms", APP,
              _thread=f"eventLoopGroupProxy-4-{rng.randint(1, 8)}", host=host, callId=rid[:12])

    def restart(t, old, new, version):
        vm = vms[nrestart[0] % 3]
        nrestart[0] += 1
        s.log(t, "INFO", f"{vm} systemd[1]", "Stopping pos-sync.service - POS sync service...", JRN)
        pid[vm] += rng.randint(300, 900)
        s.log(t + timedelta(seconds=rng.uniform(3, 5)), "INFO", f"{vm} systemd[1]", "Started pos-sync.service - POS sync "
              "service.", JRN)
        s.log(t + timedelta(seconds=rng.uniform(9, 12)), "INFO", "com.tillpoint.sync.ApplicationKt",
              f"pos-sync {version.lstrip('v')} started, outbox at /data/outbox, logs at /data/logs", APP, host=vm)

    svc = Svc(
        name="pos-sync", file=APP, comp="ktor.application",
        endpoints=[("POST /sync/batches", 0.55, 35), ("POST /sync/handshake", 0.1, 60), ("GET /sync/catalog/{id}", 0.2, 80),
                   ("GET /sync/status", 0.1, 15), ("GET /health", 0.05, 1)],
        rate=gen_data.bump(380, 900, 0.6, 0.35), cpu=21, cpu_per_100=3.0, mem=49, access=access, restart=restart, pods=3,
        sample=0.012, fail_sample=0.025, base_fail=0.0006,
        chatter=[
            Chatter(0.4, "WARN", "com.tillpoint.sync.validate.ClockGuard", lambda r: (f"Till T-{r.randint(1, 9):02d} at store "
                    f"S-{r.randint(100, 999):04d} clock drift {r.randint(61, 400)}s, using server time", {"host": r.choice(vms)})),
            Chatter(0.05, "ERROR", "com.tillpoint.sync.erp.ErpPushClient", lambda r: ("ERP push failed: HTTP 502 from "
                    "erp-gw.tillpoint.example, retry 1/5 in 30s", {"host": r.choice(vms)})),
            Chatter(0, "INFO", "com.tillpoint.sync.loyalty.LoyaltyExport", lambda r: (f"loyalty export finished: "
                    f"{r.randint(800, 1500)} members", {"host": "sync-vm-1"}), every=20, phase=7),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: Log4j2Json(), JRN: Journal()},
        "stores can't sync sales to HQ, tills show 'sync failed - will retry'. we did deploy pos-sync 3.4.1 at 8:37 but "
        "that was tiny",
        truth_json(True, {"deploy": "v3.4.0", "commits": [a1]}, ["disk", "no space", "storage", "volume", "enospc"],
                   "2029-07-09 08:58"),
    )


# ==== 7. a marketing push notification brings 3.5x traffic; the 18:20 deploy is innocent


@incident("menu-api-push-surge", "nginx access (main_ext) + nginx error + gunicorn-format app log + HPA log in the "
          "plain seed format; a push campaign at 19:00 (not ours) brings ~3.5x traffic, CPU saturates, 503/504 and "
          "gunicorn worker timeouts until the HPA reaches 14 pods ~19:14; v8.14.2 at 18:20 (Dutch allergens) is innocent")
def menu_api_push_surge() -> dict[str, bytes]:
    s = Sim(seed=90824, start="2029-08-24 17:30", minutes=240, service="menu-api")
    g, rng = s.git, s.rng
    dom = "dinerly.example"
    z = g.commit("2029-08-23 09:40", f"tom.baker@{dom}", "Menu: collapse sold-out items into a single section",
                 ["menu/views/menu.py", "menu/serializers.py", "tests/test_menu_soldout.py"])
    g.deploy("v8.14.1", "2029-08-23 11:00", [z])
    a = g.commit("2029-08-24 15:12", f"eva.janssen@{dom}", "Translate allergen labels to Dutch",
                 ["menu/i18n/nl/LC_MESSAGES/django.po", "menu/allergens.py"])
    g.deploy("v8.14.2", "2029-08-24 18:20", [a])
    g.commit("2029-08-24 20:31", f"tom.baker@{dom}", "Cache promotion restaurant lists for 60s",
             ["menu/views/promotions.py", "menu/cache.py"])

    ACC, ERR, APP, HPA = "nginx-access.log", "nginx-error.log", "menu-api.log", "autoscaler.log"
    push, push_t = s.idx("19:00"), s.clock("19:00:05")
    rate_fn = gen_data.bump(900, 1500, 0.45, 0.5)
    scale = [(s.idx("19:08"), 8), (s.idx("19:14"), 14), (s.idx("20:25"), 10), (s.idx("20:50"), 8)]

    def replicas(i: int) -> int:
        return ([6] + [n for when, n in scale if i >= when])[-1]

    def mult(i: int) -> float:
        x = i - push
        return 1.0 if x < 0 else 1 + 2.6 * smoothstep((x + 1) / 2) * (0.2 + 0.8 * math.exp(-x / 45))

    def cpu_of(i: int) -> float:
        return 8 + 0.0235 * rate_fn(i / (s.n - 1)) * mult(i) * 6 / replicas(i)

    def sat(i: int) -> float:
        return clamp((cpu_of(i) - 86) / 30, 0, 1)

    def worker() -> str:
        return str(rng.randint(40, 400))

    def shed(t, rid, ep):
        if rng.random() < 0.25:
            method, path = ep.split(" ")
            path = path.replace("{id}", str(rng.randint(1000, 99999))).replace("{promo}", "fri-2for1")
            s.log(after(t, push_t), "ERROR", f"{rng.randint(28, 33)}#{rng.randint(28, 33)}", f"*{rng.randint(10**6, 10**7)} "
                  "upstream timed out (110: Connection timed out) while reading response header from upstream, client: "
                  f"{ip(rng, '172.16.')}, server: menu-api.dinerly.example, request: \"{method} {path} HTTP/1.1\", upstream: "
                  f"\"http://10.8.{rng.randint(0, 3)}.{rng.randint(2, 250)}:8000{path}\", host: \"menu-api.dinerly.example\"",
                  ERR)

    def each(i: int) -> None:
        sv = sat(i)
        for _ in range(poisson(rng, 3 * sv)):
            pid, t = rng.randint(40, 400), after(s.when(i), push_t)
            s.log(t, "FATAL", "1", f"WORKER TIMEOUT (pid:{pid})", APP)
            s.log(t + timedelta(milliseconds=rng.randint(100, 900)), "ERROR", "1", f"Worker (pid:{pid}) was sent SIGKILL! "
                  "Perhaps out of memory?", APP)
            new = rng.randint(400, 900)
            s.log(t + timedelta(seconds=rng.uniform(1, 2)), "INFO", str(new), f"Booting worker with pid: {new}", APP)
        for _ in range(poisson(rng, 2 * sv)):
            s.log(after(s.when(i), push_t), "WARN", worker(), "slow request", APP, path="/v3/promotions/fri-2for1/restaurants",
                  ms=rng.randint(4000, 29000))
        if i % 10 == 2:
            s.log(s.when(i), "INFO", worker(), "promotions refreshed", APP, active=3 if i < push else 4,
                  upcoming="fri-2for1@19:00Z" if i < push else "-")
        if i % 2 == 0 and (cpu_of(i) > 70 or i % 10 == 0):
            s.log(s.when(i, 0, 5), "INFO", "hpa", f"menu-api: current cpu {min(cpu_of(i) * 1.4, 180):.0f}% of request "
                  f"(target 70%), replicas {replicas(i)}/14", HPA)
        for when, n in scale:
            if i == when:
                s.log(s.when(i, 0, 10), "INFO", "hpa", f"menu-api: New size: {n}; reason: cpu resource utilization "
                      f"(percentage of request) {'above' if n > replicas(i - 1) else 'below'} target", HPA)
        if rng.random() < 0.04:
            s.log(s.when(i), "WARN", f"{rng.randint(28, 33)}#{rng.randint(28, 33)}", f"*{rng.randint(10**6, 10**7)} an "
                  "upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/3/41/0000001413 while "
                  "reading upstream", ERR)

    def effect(i: int) -> Eff:
        sv, m = sat(i), mult(i)
        return Eff(rate_mult=1 + (m - 1) * 0.55, ep_rate={"GET /v3/promotions": 1 + 40 * (m - 1) / 2.6}, fail={"": 0.4 * sv},
                   status=503, fail_ms=2000 + 8000 * sv, lat_mult={"": 1 + 7 * sv + 0.6 * clamp((cpu_of(i) - 65) / 20, 0, 1)},
                   cpu_add=cpu_of(i), cause=shed)

    def access(t, method, path, status, took, rid, pod):
        if status == 503:
            t = after(t, push_t)
            if rng.random() < 0.3:
                status, took = 504, 60000
        if "/promotions/" in path:
            if t >= push_t and rng.random() < 0.9:
                path = "/v3/promotions/fri-2for1/restaurants" + ("?utm_source=push&utm_campaign=fri_2for1"
                                                                  if rng.random() < 0.7 else "")
            elif t < push_t:
                path = "/v3/promotions/lunch10/restaurants"
        secs = took / 1000
        up = f"{secs * 0.98:.3f}"
        s.log(t, level_of(status), "", "", ACC, ip=ip(rng, "172.16."), req=f"{method} {path} HTTP/1.1", status=status,
              bytes=rng.randint(800, 42000) if status < 400 else 197, rt=secs, uct="0.000", uht=up, urt=up,
              ua=rng.choice(["Dinerly/6.12.0 (iPhone; iOS 17.6)", "Dinerly/6.12.0 (Android 14; Pixel 8)", "okhttp/4.12.0",
                             UA_BROWSERS[0]]))

    def restart(t, old, new, version):
        s.log(t, "INFO", "1", "Handling signal: term", APP)
        s.log(t + timedelta(seconds=rng.uniform(5, 8)), "INFO", "1", f"Starting gunicorn 22.0.0 ({version})", APP)
        s.log(t + timedelta(seconds=rng.uniform(8, 9)), "INFO", "1", "Listening at: http://0.0.0.0:8000 (1)", APP)

    svc = Svc(
        name="menu-api", file=APP, comp="1",
        endpoints=[("GET /v3/restaurants", 0.3, 90), ("GET /v3/restaurants/{id}/menu", 0.35, 70),
                   ("GET /v3/promotions/{promo}/restaurants", 0.01, 120), ("GET /v3/search", 0.14, 110),
                   ("POST /v3/baskets/{id}/items", 0.1, 45), ("GET /healthz", 0.1, 1)],
        rate=rate_fn, cpu=0, cpu_per_100=0, mem=61, access=access, restart=restart, pods=6, sample=0.01, fail_sample=0.04,
        base_fail=0.0007, base_status=(500, 502),
        fill=lambda r, p: p.replace("{id}", str(r.randint(1000, 99999))).replace("{promo}", "lunch10"),
        chatter=[
            Chatter(0.4, "WARN", "57", lambda r: ("slow SQL", {"table": "menu_items", "ms": r.randint(500, 1500)})),
            Chatter(0.05, "ERROR", "61", lambda r: ("image CDN purge failed", {"status": 429, "restaurant": r.randint(1000, 9999)})),
            Chatter(0.15, "WARN", "19#19", lambda r: (f"*{r.randint(10**6, 10**7)} client intended to send too large body: "
                    f"{r.randint(11, 30)}000000 bytes, client: {ip(r, '172.16.')}, server: menu-api.dinerly.example", {}),
                    file=ERR),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {ACC: NginxAccess(), ERR: NginxError(), APP: Gunicorn(), HPA: gen_data.Plain()},
        "menu API falling over - app super slow, lots of 503s. we deployed menu-api at 18:20, is it that?",
        truth_json(True, None, ["traffic", "surge", "load", "capacity", "push", "spike", "campaign"], "2029-08-24 19:00"),
    )


# ==== 8. an NPE in the event page handler, rolled back after 25 minutes


@incident("tickets-event-npe-rollback", "logstash-logback JSON + Envoy access log; v5.9.0 at 14:10 (organiser badge, "
          "jackson bump, index changelog) throws NullPointerException in EventView for unverified organisers: 500 on "
          "~60% of GET /api/v2/events/{id}; rolled back to v5.8.3 at 14:35; v5.8.4 at 15:48 benign")
def tickets_event_npe_rollback() -> dict[str, bytes]:
    s = Sim(seed=100913, start="2029-09-13 13:00", minutes=210, service="tickets-api")
    g, rng = s.git, s.rng
    dom = "gigbox.example"
    jv = "src/main/java/io/gigbox/tickets"
    z = g.commit("2029-09-12 10:30", f"hugo.martin@{dom}", "Refund emails: include the venue address",
                 [f"{jv}/refunds/RefundMailer.java", "src/main/resources/templates/mail/refund.html"])
    g.deploy("v5.8.3", "2029-09-12 16:40", [z])
    c1 = g.commit("2029-09-13 11:02", f"aisha.bello@{dom}", "Show verified organiser badge on event pages",
                  [f"{jv}/events/web/EventController.java", f"{jv}/events/web/EventView.java",
                   f"{jv}/events/domain/Organiser.java", "src/test/java/io/gigbox/tickets/events/web/EventViewTest.java"])
    c2 = g.commit("2029-09-13 11:40", "renovate[bot]@users.noreply.github.com", "Update jackson-databind to 2.17.2", ["pom.xml"])
    c3 = g.commit("2029-09-13 12:15", f"hugo.martin@{dom}", "Add index on orders.created_at for the finance export",
                  ["src/main/resources/db/changelog/2029-09-13-orders-created-at-idx.xml"])
    g.deploy("v5.9.0", "2029-09-13 14:10", [c1, c2, c3], status="rolled_back")
    g.deploy("v5.8.3", "2029-09-13 14:35", [], status="rollback")
    g.commit("2029-09-13 15:22", f"aisha.bello@{dom}", "EventView: organisers without a verification record have no badge",
             [f"{jv}/events/web/EventView.java", "src/test/java/io/gigbox/tickets/events/web/EventViewTest.java"])
    d = g.commit("2029-09-13 15:05", f"hugo.martin@{dom}", "Checkout: fix currency symbol for CHF", [f"{jv}/checkout/Money.java"])
    g.deploy("v5.8.4", "2029-09-13 15:48", [d])

    APP, ENV = "tickets-api.json", "envoy-access.log"
    ready: dict[str, datetime] = {}
    npe = ('Cannot invoke "io.gigbox.tickets.events.domain.Verification.getLevel()" because the return value of '
           '"io.gigbox.tickets.events.domain.Organiser.getVerification()" is null')

    def share(i: int) -> float:
        if i >= s.idx("14:35"):
            return max(0.0, 1 - rollout_share(s, i, "2029-09-13 14:35", 4, 30))
        return rollout_share(s, i, "2029-09-13 14:10", 4, 35)

    def crashed(t, rid, ep):
        s.log(after(t, ready.get("v5.9.0")), "ERROR",
              "org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].[/].[dispatcherServlet]",
              "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing "
              f"failed: java.lang.NullPointerException: {npe}] with root cause", APP,
              _thread=f"http-nio-8080-exec-{rng.randint(1, 40)}", traceId=rid[:16],
              _stack=f"java.lang.NullPointerException: {npe}\n\tat io.gigbox.tickets.events.web.EventView.from(EventView.java:64)"
              "\n\tat io.gigbox.tickets.events.web.EventController.get(EventController.java:41)\n\tat java.base/jdk.internal."
              "reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n\tat org.springframework.web."
              "method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)\n\t... 48 common frames omitted")

    def each(i: int) -> None:
        if i == s.idx("14:10"):
            s.log(s.when(i, 20, 25), "INFO", "liquibase.changelog", "ChangeSet db/changelog/2029-09-13-orders-created-at-idx.xml"
                  "::orders-created-at-idx::hugo ran successfully in 2214ms", APP)
        if rng.random() < 0.25:
            s.log(s.when(i), "WARN", "io.gigbox.tickets.holds.HoldReaper", f"Seat hold expired before checkout: "
                  f"{rng.randint(1, 8)} seats, event {rng.randint(10000, 99999)}", APP, _thread="scheduling-1")

    def effect(i: int) -> Eff:
        sh = share(i)
        return Eff(fail={"GET /api/v2/events/{id}": 0.6 * sh}, status=500, fail_ms=24, cause=crashed) if sh else Eff()

    def access(t, method, path, status, took, rid, pod):
        if status == 500:
            t = after(t, ready.get("v5.9.0"))
        s.log(t, level_of(status), "", "", ENV, method=method, path=path, status=status, flags="-",
              bytes=rng.randint(900, 30000) if status < 400 else 142, dur=took + rng.randint(0, 2), ust=took,
              xff=ip(rng, "85."), ua=rng.choice(UA_BROWSERS + ["Gigbox/4.2.1 (iOS 17.5)"]), rid=rid,
              host="api.gigbox.example", up=f"10.20.{rng.randint(0, 3)}.{rng.randint(2, 250)}:8080")

    def restart(t, old, new, version):
        s.log(t, "INFO", "o.s.b.w.e.tomcat.GracefulShutdown", "Commencing graceful shutdown. Waiting for active requests to "
              "complete", APP, _thread="SpringApplicationShutdownHook", host=old)
        t2 = t + timedelta(seconds=rng.uniform(10, 14))
        ready.setdefault(version, t2)
        s.log(t2, "INFO", "io.gigbox.tickets.TicketsApplication", f"Started TicketsApplication in {rng.uniform(9, 13):.3f} "
              f"seconds (process running for {rng.uniform(11, 15):.3f})", APP, host=new, version=version)

    svc = Svc(
        name="tickets-api", file=APP, comp="",
        endpoints=[("GET /api/v2/events/{id}", 0.26, 45), ("GET /api/v2/events", 0.22, 70),
                   ("GET /api/v2/events/{id}/tickets", 0.18, 35), ("POST /api/v2/orders", 0.07, 240),
                   ("GET /api/v2/orders/{id}", 0.1, 25), ("POST /api/v2/holds", 0.09, 60), ("GET /actuator/health", 0.08, 2)],
        rate=gen_data.bump(1100, 1500, 0.5, 0.5), cpu=31, cpu_per_100=2.0, mem=64, access=access, restart=restart, pods=4,
        sample=0.01, fail_sample=0.07, base_fail=0.0009,
        chatter=[
            Chatter(0.06, "ERROR", "io.gigbox.tickets.payments.WebhookController", lambda r: ("Payment webhook rejected: "
                    "signature verification failed", {"provider": "adyen", "_thread": f"http-nio-8080-exec-{r.randint(1, 40)}"})),
            Chatter(0.04, "ERROR", "o.h.engine.jdbc.spi.SqlExceptionHelper", lambda r: ("Deadlock found when trying to get "
                    "lock; try restarting transaction", {"_thread": f"http-nio-8080-exec-{r.randint(1, 40)}"})),
            Chatter(0.3, "WARN", "io.gigbox.tickets.holds.HoldController", lambda r: ("Hold rejected: seats no longer "
                    "available", {"event": r.randint(10000, 99999)})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: LogstashJson(), ENV: EnvoyAccess()},
        "we had a burst of 500s on event pages this afternoon, seems to have stopped after ~2:35. need an RCA for the "
        "postmortem",
        truth_json(True, {"deploy": "v5.9.0", "commits": [c1]},
                   ["nullpointer", "null pointer", "npe", "verification", "organiser badge", "organizer"], "2029-09-13 14:10"),
    )


# ==== 9. a per-client-version document cache leaks for three hours until the containers are OOM-killed


@incident("graphql-gateway-slow-leak", "Docker json-file (pino-pretty inside) + ingress-nginx + Kubernetes events; "
          "v14.2.0 at 05:40 caches parsed persisted queries per client version without bound; memory climbs ~35% -> "
          "~95%; first OOMKilled (exit 137) at 08:41, the other pods by ~09:05; 502s at each kill; v14.1.4 at 05:12 benign")
def graphql_gateway_slow_leak() -> dict[str, bytes]:
    s = Sim(seed=111003, start="2029-10-03 05:00", minutes=270, service="graphql-gateway")
    g, rng = s.git, s.rng
    dom = "shoply.example"
    z = g.commit("2029-10-02 11:00", f"mia.schulz@{dom}", "Return 400 for malformed variables JSON",
                 ["src/http/parseBody.ts", "src/http/parseBody.test.ts"])
    g.deploy("v14.1.3", "2029-10-02 15:20", [z])
    a = g.commit("2029-10-02 17:30", f"mia.schulz@{dom}", "Bump @apollo/server to 4.11.0", ["package.json", "package-lock.json"])
    g.deploy("v14.1.4", "2029-10-03 05:12", [a])
    c1 = g.commit("2029-10-02 14:05", f"ken.ito@{dom}", "Persisted queries: keep parsed documents per client version to "
                  "skip re-validation", ["src/persisted/documentCache.ts", "src/persisted/plugin.ts",
                                         "src/persisted/documentCache.test.ts"])
    c2 = g.commit("2029-10-02 16:48", f"mia.schulz@{dom}", "Order: add estimatedDeliveryWindow field",
                  ["schema/order.graphql", "src/resolvers/order.ts"])
    g.deploy("v14.2.0", "2029-10-03 05:40", [c1, c2])

    APP, ING, EVT = "graphql-gateway-json.log", "ingress-nginx-controller.log", "k8s-events.jsonl"
    LIMIT = 1024.0
    pods = Pods(4)
    state: dict[str, list] = {}  # pod -> [start minute, MB leaked a minute, node, restarts]
    rates = [3.76, 3.62, 3.5, 3.41]
    nodes = ["gke-prod-pool-2-7f3a", "gke-prod-pool-2-9c1d", "gke-prod-pool-2-b20e"]
    nleaky = [0]
    kills: dict[int, list[datetime]] = {}

    def mb(pod: str, i: float) -> float:
        st = state.get(pod)
        return 360 + 20 * math.sin(i / 7) if not st else 335 + st[1] * (i - st[0]) + 15 * math.sin(i / 5)

    def mem_pct(i: int) -> float:
        vals = [min(mb(p, i), LIMIT) for p in pods.cur] or [360.0]
        vals += [360.0] * (4 - len(vals))
        return sum(vals) / len(vals) / LIMIT * 100

    def upstream() -> str:
        return f"10.60.{rng.randint(1, 9)}.{rng.randint(2, 250)}:4000"

    def each(i: int) -> None:
        for p in list(pods.cur):
            if p in state and mb(p, i + 1) >= LIMIT:
                st, t = state[p], s.when(i, 5, 50)
                st[0], st[3] = i + 1, st[3] + 1
                kills.setdefault(i, []).append(t)
                s.log(t, "WARN", f"Node/{st[2]}", f"Memory cgroup out of memory: Killed process {rng.randint(3000, 9000)} (node) "
                      f"total-vm:{rng.randint(2100000, 2300000)}kB, anon-rss:{rng.randint(1040000, 1048000)}kB, file-rss:31220kB, "
                      "shmem-rss:0kB, UID:1000 pgtables:3240kB oom_score_adj:985", EVT, _reason="OOMKilling",
                      _src="kernel-monitor", _node=st[2])
                s.log(t + timedelta(seconds=1), "WARN", f"Pod/{p}", "Container graphql-gateway terminated: OOMKilled (exit code "
                      f"137), restartCount={st[3]}", EVT, _reason="ContainerTerminated", _src="pod-watcher", _node=st[2])
                s.log(t + timedelta(seconds=2), "INFO", f"Pod/{p}", "Started container graphql-gateway", EVT, _reason="Started",
                      _node=st[2])
                for _ in range(rng.randint(3, 7)):
                    s.log(t + timedelta(milliseconds=rng.randint(0, 900)), "ERROR", f"{rng.randint(30, 40)}#{rng.randint(30, 40)}",
                          f"*{rng.randint(10**7, 10**8)} upstream prematurely closed connection while reading response header "
                          f"from upstream, client: {ip(rng, '10.128.')}, server: api.shoply.example, request: \"POST /graphql "
                          f"HTTP/2.0\", upstream: \"http://{upstream()}/graphql\", host: \"api.shoply.example\"", ING)
                s.log(t + timedelta(seconds=rng.uniform(9, 14)), "INFO", p, "gateway listening", APP, port=4000, version="14.2.0")
        if pods.cur:
            for _ in range(poisson(rng, 0.4)):
                s.log(s.when(i), "WARN", rng.choice(pods.cur), "downstream slow", APP, service="orders-svc",
                      dur_ms=rng.randint(1500, 4000))
            for _ in range(poisson(rng, 0.05)):
                s.log(s.when(i), "ERROR", rng.choice(pods.cur), "downstream error", APP, service="catalog-svc", status=503,
                      op="GetProduct")
            for _ in range(poisson(rng, 0.5)):
                s.log(s.when(i), "WARN", rng.choice(pods.cur), "PersistedQueryNotFound, client sent full query", APP,
                      client=rng.choice(["web/2029.09.12", "android/8.9.0"]))
        if i % 5 == 0:
            for p in pods.cur:
                rss = mb(p, i)
                s.log(s.when(i, 0, 4), "INFO", p, "process stats", APP, rss_mb=int(rss), heap_used_mb=int(rss * 0.78),
                      event_loop_lag_ms=round(rng.uniform(1, 4) + max(0, rss - 900) / 30, 1))

    def effect(i: int) -> Eff:
        pct, k, prev = mem_pct(i) + rng.gauss(0, 0.3), len(kills.get(i, [])), len(kills.get(i - 1, []))
        lat = 1 + max(0.0, pct - 88) * 0.015
        if not k and not prev:
            return Eff(mem=pct, lat_mult={"": lat})
        return Eff(mem=pct, fail={"": 0.05 * k + 0.012 * prev}, status=502, fail_ms=rng.uniform(300, 9000),
                   lat_mult={"": lat + 0.3})

    def access(t, method, path, status, took, rid, pod):
        pods.see(pod)
        i = s.idx(t.strftime("%H:%M"))
        if status == 502 and kills.get(i):
            t = after(t, min(kills[i]))
        s.log(t, level_of(status), "", "", ING, ip=ip(rng, "10.128."), req=f"{method} {path} HTTP/2.0", status=status,
              bytes=rng.randint(400, 30000) if status < 400 else 150, len=rng.randint(300, 1800), rt=took / 1000,
              ua=rng.choice(["Shoply/8.14.0 (iOS 17.6)", "Shoply/8.13.2 (Android 14)", "okhttp/4.12.0"]),
              up="-" if status == 502 and rng.random() < 0.3 else upstream(), ubytes=0 if status >= 500 else rng.randint(400, 30000),
              urt=f"{took / 1000:.3f}", ustatus=status, rid=rid)
        if status < 400 and rng.random() < 0.12:
            s.log(t - timedelta(milliseconds=1), "INFO", pod, "operation completed", APP, dur_ms=took,
                  op=rng.choice(["GetHomeFeed", "GetProduct", "GetCart", "AddToCart", "GetOrders", "SearchProducts"]),
                  client=rng.choice(["ios/8.14.0", "android/8.13.2", "web/2029.10.01", "ios/8.13.9", "android/8.14.0"]))

    def restart(t, old, new, version):
        pods.swap(old, new)
        leaky = version >= "v14.2.0"
        state[new] = [s.idx(t.strftime("%H:%M")), rates[nleaky[0] % 4] if leaky else 0.0, nodes[len(state) % 3], 0]
        nleaky[0] += 1 if leaky else 0
        s.log(t, "INFO", f"Pod/{old}", "Stopping container graphql-gateway", EVT, _reason="Killing", _node=nodes[0])
        s.log(t + timedelta(seconds=rng.uniform(4, 7)), "INFO", new, "persisted query store ready", APP, documents=1214)
        s.log(t + timedelta(seconds=rng.uniform(7, 9)), "INFO", new, "gateway listening", APP, port=4000,
              version=version.lstrip("v"))

    svc = Svc(
        name="graphql-gateway", file=APP, comp="",
        endpoints=[("POST /graphql", 0.9, 70), ("GET /graphql", 0.07, 40), ("GET /.well-known/apollo/server-health", 0.03, 1)],
        rate=gen_data.trend(2200, 5200), cpu=27, cpu_per_100=0.5, mem=36, access=access, restart=restart, pods=4,
        sample=0.005, fail_sample=0.25, base_fail=0.0007, base_status=(502, 504),
    )
    serve(s, svc, effect, each)
    onset = s.minute(min(kills)).strftime("%Y-%m-%d %H:%M")
    return bundle(
        s, {APP: DockerJsonFile(), ING: IngressNginx(), EVT: K8sEvents()},
        "graphql gateway pods keep restarting and the mobile app sees random 502s. started maybe 20 min ago?",
        truth_json(True, {"deploy": "v14.2.0", "commits": [c1]}, ["memory", "leak", "oom", "out of memory", "heap"], onset),
    )


# ==== 10. one small endpoint (statements, ~3% of traffic) breaks after a serializer change


@incident("banking-statements-marshal", "Go slog text + HAProxy via rsyslog; v2.31.0 at 11:22 encodes statement amounts "
          "with a Money.MarshalJSON that emits invalid JSON: every statements request 500s (~3% of traffic, error "
          "rate 0.1% -> ~3%); v2.30.5 at 10:34 and v2.31.1 at 12:48 benign")
def banking_statements_marshal() -> dict[str, bytes]:
    s = Sim(seed=121106, start="2029-11-06 10:00", minutes=240, service="banking-api")
    g, rng = s.git, s.rng
    dom = "kestrelbank.example"
    z = g.commit("2029-11-05 09:14", f"lucas.moreau@{dom}", "Transactions: paginate with opaque cursors",
                 ["internal/transactions/list.go", "internal/transactions/cursor.go", "internal/transactions/list_test.go"])
    g.deploy("v2.30.4", "2029-11-05 15:00", [z])
    a = g.commit("2029-11-06 09:40", f"priya.shah@{dom}", "Tighten rate limit on /v1/auth/otp to 5 per minute",
                 ["internal/auth/ratelimit.go", "config/ratelimits.yaml"])
    g.deploy("v2.30.5", "2029-11-06 10:34", [a])
    c1 = g.commit("2029-11-05 17:20", f"lucas.moreau@{dom}", "Statements: encode amounts via Money.MarshalJSON (minor units "
                  "+ ISO currency)", ["internal/money/money.go", "internal/money/money_test.go", "internal/statements/serializer.go"])
    c2 = g.commit("2029-11-06 10:51", f"priya.shah@{dom}", "Cards: write an audit record when a card is frozen",
                  ["internal/cards/freeze.go", "internal/audit/audit.go", "internal/cards/freeze_test.go"])
    g.deploy("v2.31.0", "2029-11-06 11:22", [c1, c2])
    d = g.commit("2029-11-06 12:15", "renovate[bot]@users.noreply.github.com", "Update module golang.org/x/crypto to v0.31.0",
                 ["go.mod", "go.sum"])
    g.deploy("v2.31.1", "2029-11-06 12:48", [d])

    APP, LB = "banking-api.log", "haproxy.log"
    STMT = ("GET /v1/accounts/{id}/statements", "GET /v1/statements/{id}")
    ready: dict[str, datetime] = {}

    def bad_json(t, rid, ep):
        s.log(after(t, ready.get("v2.31.0")), "ERROR", "/src/internal/httpx/respond.go:48", "encode response", APP, route=ep,
              err=f"json: error calling MarshalJSON for type money.Money: invalid character "
                  f"'{rng.choice('EEGC')}' after top-level value", request_id=rid)

    def effect(i: int) -> Eff:
        sh = rollout_share(s, i, "2029-11-06 11:22", 3, 40)
        return Eff(fail={ep: sh for ep in STMT}, status=500, fail_ms=9, cause=bad_json) if sh else Eff()

    def access(t, method, path, status, took, rid, pod):
        if status == 500 and "statements" in path:
            t = after(t, ready.get("v2.31.0"))
        s.log(t, level_of(status), "/src/internal/httpx/middleware.go:61", "request", APP, method=method, path=path,
              status=status, dur=f"{took}ms", request_id=rid)
        s.log(t + timedelta(milliseconds=1), "INFO", f"lb-{rng.randint(1, 2)}", "", LB, srv=rng.choice(["api-1", "api-2", "api-3"]),
              client=f"{ip(rng, '10.30.')}:{rng.randint(30000, 65000)}", ta=max(2, took + 1), status=status,
              bytes=rng.randint(200, 9000) if status < 400 else 198, conn=rng.randint(280, 340), req=f"{method} {path} HTTP/1.1")

    def restart(t, old, new, version):
        s.log(t, "INFO", "/src/cmd/api/main.go:131", "shutting down", APP, reason="SIGTERM", inflight=rng.randint(3, 30))
        t2 = t + timedelta(seconds=rng.uniform(3, 5))
        ready.setdefault(version, t2)
        s.log(t2, "INFO", "/src/cmd/api/main.go:88", "banking-api started", APP, version=version, addr=":8443", host=new)

    svc = Svc(
        name="banking-api", file=APP, comp="",
        endpoints=[("GET /v1/accounts/{id}/balance", 0.3, 15), ("GET /v1/accounts/{id}/transactions", 0.28, 60),
                   ("GET /v1/accounts/{id}/statements", 0.02, 110), ("GET /v1/statements/{id}", 0.01, 140),
                   ("POST /v1/payments", 0.08, 220), ("POST /v1/cards/{id}/freeze", 0.01, 40), ("GET /v1/cards", 0.1, 20),
                   ("POST /v1/auth/refresh", 0.15, 12), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(1800, 2600, 0.5, 0.45), cpu=26, cpu_per_100=1.1, mem=43, access=access, restart=restart, pods=3,
        sample=0.005, fail_sample=0.15, base_fail=0.001,
        chatter=[
            Chatter(0.6, "WARN", "/src/internal/auth/otp.go:77", lambda r: ("otp verification failed",
                    {"reason": r.choice(["expired", "mismatch"]), "customer": r.randint(10**6, 10**7)})),
            Chatter(0.06, "ERROR", "/src/internal/cards/network.go:112", lambda r: ("card network call failed, retrying",
                    {"network": "visa-dps", "err": "context deadline exceeded", "attempt": 1})),
            Chatter(0.3, "WARN", "/src/internal/store/pg.go:203", lambda r: ("slow query", {"table": "transactions",
                    "dur": f"{r.randint(500, 1800)}ms"})),
        ],
    )
    serve(s, svc, effect)
    return bundle(
        s, {APP: SlogText(), LB: HaproxySyslog()},
        "a few customers say downloading statements in the app fails with 'something went wrong'. everything else "
        "seems fine?",
        truth_json(True, {"deploy": "v2.31.0", "commits": [c1]},
                   ["statement", "marshaljson", "money", "serializ", "encode"], "2029-11-06 11:22"),
    )


# ==== driver


def main(argv: list[str]) -> int:
    return gen_data.run_registry(argv, RT, DEFAULT_OUT, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
