#!/usr/bin/env python3
"""Red-team set 4: ten more held-out incidents, written without looking at the analyst.

Deterministic (fixed seeds), standard library only. Reuses gen_data's `Sim`, `Git` and
`truth_json` and gen_blind's request simulator (`serve`, `Svc`, `Eff`, `Chatter`, `bundle`),
with its own services, stories, wording and log layouts: python-json-logger + Caddy JSON access +
Celery worker, go-kit logfmt in local time (-04:00) + Envoy egress access, pino-http JSON (epoch
ms) + HAProxy through rsyslog, zap JSON in local time (+0200) + a migration job + the MySQL slow
log, log4j pattern + lag-exporter logfmt + winston JSON, the seed's plain format + Python logging,
logrus text + AWS ALB access + Kubernetes events + `kubectl get hpa -w`, gunicorn access +
Datadog JSON + PostgreSQL, python-json-logger and logfmt in local time (-05:00) + CoreDNS via
`kubectl logs --timestamps`, Go's standard log + runtime stats JSON + Traefik JSON access.

    python3 scripts/gen_redteam4.py                  # every incident to /tmp/redteam4/<name>/
    python3 scripts/gen_redteam4.py NAME ...         # only these
    python3 scripts/gen_redteam4.py --out DIR        # somewhere else
    python3 scripts/gen_redteam4.py --list           # names and one line on each

Layout per incident: incident.txt, logs/*, git/recent_commits.json, metrics/metrics.json,
truth.json (scorer only; onset is when user impact begins in the data, in UTC like the metrics).
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_data  # noqa: E402
from gen_blind import (  # noqa: E402
    UA_BROWSERS,
    Chatter,
    Eff,
    PgLog,
    Svc,
    _q,
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
from gen_data import Sim, at, b36, clamp, hexid, lognorm, poisson, registry, smoothstep, truth_json  # noqa: E402
from gen_redteam3 import Pods, after, jd, us  # noqa: E402

DEFAULT_OUT = Path("/tmp/redteam4")


# ---- time helpers


def zone(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def local_iso_ms(t: datetime, tz: timezone) -> str:
    """`2030-04-12T16:27:03.123-04:00`"""
    return t.astimezone(tz).isoformat(timespec="milliseconds")


def first_minute(s: Sim, pred: Callable[[int], bool]) -> str:
    """'YYYY-MM-DD HH:MM' (UTC) of the first minute where pred holds."""
    for i in range(s.n):
        if pred(i):
            return s.minute(i).strftime("%Y-%m-%d %H:%M")
    raise ValueError("never")


# ---- log layouts not in gen_data / gen_blind / gen_redteam3


class PyJsonLogger:
    """python-json-logger with `%(asctime)s %(levelname)s %(name)s %(message)s` (asctime naive, comma ms)."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        obj = {"asctime": f"{t:%Y-%m-%d %H:%M:%S},{ms(t)}", "levelname": lvl, "name": comp, "message": msg}
        obj.update(pub(kv))
        return json.dumps(obj)


class CaddyAccess:
    """Caddy v2 JSON access log: epoch-float `ts`, nested request, duration in seconds."""

    def line(self, t, level, comp, msg, kv):
        if "_req" not in kv:
            obj = {"level": level.lower() if level != "WARN" else "warn", "ts": float(f"{t.timestamp():.6f}"),
                   "logger": comp, "msg": msg}
            obj.update(pub(kv))
            return jd(obj)
        r = kv["_req"]
        lvl = "error" if r["status"] >= 500 else "info"
        obj = {"level": lvl, "ts": float(f"{int(t.timestamp())}.{ms(t)}{us(t, r['uri'])[3:]}"),
               "logger": "http.log.access.log0", "msg": "handled request",
               "request": {"remote_ip": r["ip"], "remote_port": str(r["port"]), "client_ip": r["ip"], "proto": "HTTP/2.0",
                           "method": r["method"], "host": r["host"], "uri": r["uri"],
                           "headers": {"User-Agent": [r["ua"]], "Accept": ["application/json"]}},
               "bytes_read": r["read"], "user_id": "", "duration": round(r["took"] / 1000, 6), "size": r["size"],
               "status": r["status"], "resp_headers": {"Server": ["Caddy"], "Content-Type": ["application/json"]}}
        return jd(obj)


class CeleryFmt:
    """Celery worker: `[2030-01-14 10:55:31,123: ERROR/ForkPoolWorker-3] message`; comp is the process."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        return f"[{t:%Y-%m-%d %H:%M:%S},{ms(t)}: {lvl}/{comp}] {_tail(msg, kv)}"


class GoKitLocal:
    """go-kit logfmt with local-time `ts` (the container's TZ): `ts=... caller=x.go:12 level=warn msg=...`."""

    def __init__(self, tz: timezone):
        self.tz = tz

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "warn", "FATAL": "error"}.get(level, level.lower())
        head = f"ts={local_iso_ms(t, self.tz)} caller={comp} level={lvl} msg={_q(msg)}"
        return head + (" " + kvs(kv) if pub(kv) else "")


class EnvoyEgress:
    """Envoy's default access log format (UTC), for the sidecar's outbound calls."""

    def line(self, t, level, comp, msg, kv):
        return (f'[{iso_ms_z(t)}] "{kv["method"]} {kv["path"]} HTTP/1.1" {kv["status"]} {kv["flags"]} 0 {kv["bytes"]} '
                f'{kv["dur"]} {kv["ust"]} "-" "{kv["ua"]}" "{kv["rid"]}" "{kv["host"]}" "{kv["up"]}"')


class PinoHttp:
    """pino / pino-http: numeric level, epoch-ms `time`, pid, hostname, req/res objects for requests."""

    NUM = {"DEBUG": 20, "INFO": 30, "WARN": 40, "ERROR": 50, "FATAL": 60}

    def line(self, t, level, comp, msg, kv):
        obj = {"level": self.NUM[level], "time": int(t.timestamp() * 1000), "pid": 1, "hostname": comp}
        obj.update(pub(kv))
        obj["msg"] = msg
        return jd(obj)


class RsyslogFile:
    """rsyslog's RSYSLOG_FileFormat: `2030-06-09T14:22:09.123456+00:00 host tag[pid]: message`; comp is 'host tag[pid]'."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}+00:00 {comp}: {msg}"


class ZapLocal:
    """zap's production JSON encoder with ISO8601 local time (`+0200`) and caller."""

    def __init__(self, tz: timezone):
        self.tz = tz

    def line(self, t, level, comp, msg, kv):
        lt = t.astimezone(self.tz)
        off = lt.strftime("%z")
        obj = {"level": level.lower() if level != "WARN" else "warn", "ts": f"{lt:%Y-%m-%dT%H:%M:%S}.{ms(t)}{off}",
               "caller": comp, "msg": msg}
        obj.update(pub(kv))
        return jd(obj)


class MigrateJob:
    """The pre-deploy migration job's own lines: `2030-06-11T10:17:41+02:00 INFO  [migrate] message`."""

    def __init__(self, tz: timezone):
        self.tz = tz

    def line(self, t, level, comp, msg, kv):
        return f"{t.astimezone(self.tz).isoformat(timespec='seconds')} {level:<5} [{comp}] {_tail(msg, kv)}"


class MysqlSlow:
    """MySQL slow query log entries (multi-line); the statement is the message."""

    def line(self, t, level, comp, msg, kv):
        start = t - timedelta(seconds=kv["qt"])
        return (f"# Time: {t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}Z\n"
                f"# User@Host: {kv['user']}[{kv['user']}] @  [{kv['host']}]  Id: {kv['id']}\n"
                f"# Query_time: {kv['qt']:.6f}  Lock_time: {kv['lt']:.6f} Rows_sent: {kv['sent']}  "
                f"Rows_examined: {kv['examined']}\n"
                f"use {kv['db']};\nSET timestamp={int(start.timestamp())};\n{msg}")


class Log4jPattern:
    """log4j2 `%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%t] %logger{36} - %msg%n`; thread in kv['_thread']."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%d %H:%M:%S}.{ms(t)} {level:<5} [{kv.get('_thread', 'main')}] {comp} - {_tail(msg, kv)}"


class LagExporter:
    """A consumer-lag exporter's logfmt: `time=... level=info msg=... group=... lag=...`."""

    def line(self, t, level, comp, msg, kv):
        return f"time={t:%Y-%m-%dT%H:%M:%S}Z level={level.lower()} msg={_q(msg)}" + (" " + kvs(kv) if pub(kv) else "")


class Winston:
    """winston's json format with the timestamp and a default `service` meta: message first."""

    def __init__(self, service: str):
        self.service = service

    def line(self, t, level, comp, msg, kv):
        obj = {"level": {"WARN": "warn", "FATAL": "error"}.get(level, level.lower()), "message": msg}
        obj.update(pub(kv))
        obj.update({"service": self.service, "timestamp": iso_ms_z(t)})
        return json.dumps(obj)


class PyClassic:
    """Python logging `%(asctime)s - %(name)s - %(levelname)s - %(message)s`."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        return f"{t:%Y-%m-%d %H:%M:%S},{ms(t)} - {comp} - {lvl} - {_tail(msg, kv)}"


class Logrus:
    """logrus TextFormatter (no TTY): `time="2030-08-14T14:20:03Z" level=warning msg="..." k=v`."""

    def line(self, t, level, comp, msg, kv):
        lvl = {"WARN": "warning", "FATAL": "fatal"}.get(level, level.lower())
        return f'time="{t:%Y-%m-%dT%H:%M:%S}Z" level={lvl} msg={json.dumps(msg)}' + (" " + kvs(kv) if pub(kv) else "")


class AlbAccess:
    """AWS Application Load Balancer access log entry (space-separated, quoted request)."""

    def line(self, t, level, comp, msg, kv):
        rx = t - timedelta(milliseconds=kv["total_ms"])
        tgt = f"{kv['target']}:8080" if kv["target"] else "-"
        tpt = f"{kv['target_s']:.3f}" if kv["target"] else "-1"
        tstat = str(kv["tstatus"]) if kv["target"] else "-"
        return (f'https {t:%Y-%m-%dT%H:%M:%S}.{us(t, kv["rid"])}Z app/eta-prod/4f1c0a9e2b7d3c61 {kv["client"]} {tgt} '
                f'0.000 {tpt} 0.000 {kv["status"]} {tstat} {kv["recv"]} {kv["sent"]} '
                f'"{kv["method"]} https://eta.quickbite.example:443{kv["path"]} HTTP/1.1" "{kv["ua"]}" '
                f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 '
                f'arn:aws:elasticloadbalancing:eu-west-1:318462211093:targetgroup/eta-prod/9d2e4b1a7c6f0e35 '
                f'"Root=1-{int(t.timestamp()):08x}-{kv["rid"][:24]}" "eta.quickbite.example" '
                f'"arn:aws:acm:eu-west-1:318462211093:certificate/6b1f2c3d-8e7a-4c55-9a10-2f7e5d1c4b88" 0 '
                f'{rx:%Y-%m-%dT%H:%M:%S}.{us(rx, kv["rid"])}Z "forward" "-" "-" "{tgt}" "{tstat}" "-" "-"')


class KubeEvents:
    """Kubernetes events as an event exporter writes them, one JSON object a line; comp is 'Kind/name'."""

    def __init__(self, namespace: str):
        self.ns = namespace

    def line(self, t, level, comp, msg, kv):
        kind, _, name = comp.partition("/")
        stamp = f"{t:%Y-%m-%dT%H:%M:%S}Z"
        return jd({"metadata": {"name": f"{name}.{us(t, msg)}{hexid(random.Random(stamp + msg), 10)}",
                                "namespace": self.ns},
                   "reason": kv["_reason"], "message": msg,
                   "involvedObject": {"kind": kind, "namespace": self.ns, "name": name},
                   "source": {"component": kv.get("_src", "horizontal-pod-autoscaler")},
                   "firstTimestamp": stamp, "lastTimestamp": stamp, "count": kv.get("_count", 1),
                   "type": "Normal" if level == "INFO" else "Warning"})


class Stamped:
    """A tool's plain output captured with an ISO timestamp in front (kubectl ... -w | ts)."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%dT%H:%M:%S}Z {msg}"


class GunicornAccess:
    """gunicorn access log: combined format plus %(L)s (request time in seconds)."""

    def line(self, t, level, comp, msg, kv):
        return (f'{kv["ip"]} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{kv["method"]} {kv["path"]} HTTP/1.1" {kv["status"]} '
                f'{kv["size"]} "-" "{kv["ua"]}" {kv["secs"]:.6f}')


class DatadogJson:
    """Datadog's Python JSON layout: `status` for the level, nested logger and dd trace ids."""

    def line(self, t, level, comp, msg, kv):
        obj = {"timestamp": iso_ms_z(t), "status": {"WARN": "warning", "FATAL": "critical"}.get(level, level.lower()),
               "message": msg, "logger": {"name": comp, "thread_name": kv.get("_thread", "MainThread")}}
        obj.update(pub(kv))
        if "_trace" in kv:
            obj["dd"] = {"trace_id": kv["_trace"], "span_id": str(int(kv["_trace"]) % 10**12), "service": "listings-api",
                         "env": "prod"}
        return json.dumps(obj)


class PyJsonLocal:
    """python-json-logger with a custom ISO `timestamp` in local time and `level`/`logger` keys."""

    def __init__(self, tz: timezone):
        self.tz = tz

    def line(self, t, level, comp, msg, kv):
        obj = {"timestamp": local_iso_ms(t, self.tz), "level": {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level),
               "logger": comp, "message": msg}
        obj.update(pub(kv))
        return json.dumps(obj)


class LogfmtLocal:
    """logfmt with local-time `t=` and `lvl=` (a Go worker on the same pods)."""

    def __init__(self, tz: timezone):
        self.tz = tz

    def line(self, t, level, comp, msg, kv):
        return (f"t={local_iso_ms(t, self.tz)} lvl={level.lower()} logger={comp} msg={_q(msg)}"
                + (" " + kvs(kv) if pub(kv) else ""))


class KubectlTimestamps:
    """`kubectl logs --prefix --timestamps -l ...` of pods whose own lines have no time (CoreDNS); comp is the pod."""

    def __init__(self, container: str):
        self.container = container

    def line(self, t, level, comp, msg, kv):
        return f"[pod/{comp}/{self.container}] {t:%Y-%m-%dT%H:%M:%S}.{us(t, msg)}{us(t, comp)[3:]}Z {msg}"


class GoStdLog:
    """Go's log package with `log.LstdFlags | log.Lmicroseconds | log.Lshortfile | log.LUTC`."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y/%m/%d %H:%M:%S}.{us(t, msg)} {comp}: {_tail(msg, kv)}"


class FieldsJson:
    """Just the fields, with an RFC 3339 `time` first (a stats dumper)."""

    def line(self, t, level, comp, msg, kv):
        return jd({"time": f"{t:%Y-%m-%dT%H:%M:%S}Z", **pub(kv)})


class TraefikJson:
    """Traefik v2 JSON access log."""

    def line(self, t, level, comp, msg, kv):
        start = t - timedelta(milliseconds=kv["took"])
        return jd({"ClientAddr": f"{kv['ip']}:{kv['port']}", "ClientHost": kv["ip"], "DownstreamContentSize": kv["size"],
                   "DownstreamStatus": kv["status"], "Duration": kv["took"] * 1_000_000 + int(us(t, kv["rid"])[3:]) * 1000,
                   "OriginContentSize": kv["size"] if kv["status"] != 504 else 0,
                   "OriginDuration": kv["took"] * 1_000_000 if kv["status"] != 504 else 0,
                   "OriginStatus": kv["status"] if kv["status"] != 504 else 0, "Overhead": 210_000,
                   "RequestAddr": "fares.rideo.example", "RequestHost": "fares.rideo.example", "RequestMethod": kv["method"],
                   "RequestPath": kv["path"], "RequestProtocol": "HTTP/2.0", "RetryAttempts": 0,
                   "RouterName": "pricing-engine-prod@kubernetescrd", "ServiceName": "pricing-engine-prod@kubernetescrd",
                   "ServiceURL": {"Host": kv["up"]} if kv["up"] else {},
                   "StartLocal": f"{start:%Y-%m-%dT%H:%M:%S}.{us(start, kv['rid'])}Z",
                   "StartUTC": f"{start:%Y-%m-%dT%H:%M:%S}.{us(start, kv['rid'])}Z", "entryPointName": "websecure",
                   "level": "info", "msg": "", "time": f"{t:%Y-%m-%dT%H:%M:%S}Z"})


# ---- registry


RT, incident = registry()


def pod_of(rng: random.Random, svc: str) -> str:
    return f"{svc}-{hexid(rng, 10)[:9]}-{b36(rng, 5).lower()}"


# ==== 1. no deployment records: main auto-deploys every merge; one merge breaks attachment uploads


@incident("helpdesk-attachments-no-deploys", "python-json-logger app log + Caddy JSON access + Celery worker; no "
          "deployment records, every merge to main rolls out ~6 min later (only the boot lines carry the build sha); "
          "merge 10:49 (live 10:55) moves new attachments to a bucket the app role cannot write: PutObject AccessDenied, "
          "uploads and inbound mail with files fail; a boto3 bump at 09:37 and four other merges are innocent")
def helpdesk_attachments_no_deploys() -> dict[str, bytes]:
    s = Sim(seed=410114, start="2030-01-14 08:30", minutes=270, service="support-desk-api")
    g, rng = s.git, s.rng
    dom = "tallyhelp.example"
    g.commit("2030-01-13 16:40", f"maja.novak@{dom}", "Agents: show the customer's local time next to the ticket",
             ["app/tickets/serializers.py", "web/src/tickets/CustomerClock.tsx", "app/tickets/tests/test_serializers.py"])
    c1 = g.commit("2030-01-14 08:52", f"ravi.menon@{dom}", "Ticket list: sort by last customer reply by default",
                  ["app/tickets/views.py", "app/tickets/tests/test_list.py"])
    c2 = g.commit("2030-01-14 09:37", "dependabot[bot]@users.noreply.github.com", "Bump boto3 from 1.34.14 to 1.34.22",
                  ["requirements/base.txt", "requirements/lock.txt"])
    c3 = g.commit("2030-01-14 10:21", f"maja.novak@{dom}", "Macros: allow {{ticket.priority}} placeholder",
                  ["app/macros/render.py", "app/macros/tests/test_render.py", "docs/macros.md"])
    c4 = g.commit("2030-01-14 10:49", f"ola.sundberg@{dom}", "Store new attachments in the eu-central-1 bucket "
                  "(data residency)", ["app/attachments/storage.py", "config/settings/production.py",
                                       "deploy/production.env"])
    c5 = g.commit("2030-01-14 11:34", f"ravi.menon@{dom}", "SLA: fix off-by-one in business hours on Fridays",
                  ["app/sla/business_hours.py", "app/sla/tests/test_business_hours.py"])
    c6 = g.commit("2030-01-14 12:18", f"ola.sundberg@{dom}", "Docs: document attachment size limits",
                  ["docs/attachments.md"])
    c7 = g.commit("2030-01-14 12:41", f"maja.novak@{dom}", "Mark abandoned reply drafts as stale after 30 days",
                  ["app/drafts/cleanup.py", "app/drafts/tests/test_cleanup.py"])
    live = {c1: "2030-01-14 08:58", c2: "2030-01-14 09:43", c3: "2030-01-14 10:27", c4: "2030-01-14 10:55",
            c5: "2030-01-14 11:40", c6: "2030-01-14 12:24", c7: "2030-01-14 12:47"}
    builds = {s.idx(w[11:]): (sha, w) for sha, w in live.items()}

    APP, CADDY, MAIL = "support-desk.log", "caddy-access.log", "mail-worker.log"
    BUCKET, OLD = "tallyhelp-attachments-euc1", "tallyhelp-attachments"
    first_bad = at("2030-01-14 10:55") + timedelta(seconds=15)
    pods = [pod_of(rng, "support-desk-api") for _ in range(3)]
    workers = [pod_of(rng, "mail-worker") for _ in range(2)]
    denied = "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"

    def share(i: int) -> float:
        return rollout_share(s, i, "2030-01-14 10:55", 3, 40)

    def fname(r: random.Random) -> str:
        return r.choice(["screenshot.png", "invoice-2030-01.pdf", "IMG_4471.HEIC", "error.log", "contract_v2.docx",
                         "Screen Recording 2030-01-14.mov", "export.csv"])

    failed_ids: set[str] = set()

    def upload_failed(t, rid, ep):
        failed_ids.add(rid)
        t = after(t, first_bad)
        tid = rng.randint(180000, 189999)
        f = fname(rng)
        if ep.endswith("/attachments"):
            s.log(t, "ERROR", "app.attachments.storage", "attachment upload failed", APP, ticket_id=tid, filename=f,
                  bucket=BUCKET, key=f"t/{tid}/{hexid(rng, 12)}/{f}", error=f"ClientError: {denied}", request_id=rid)
        else:
            s.log(t, "ERROR", "app.tickets.compose", "could not store inline file for message", APP, ticket_id=tid,
                  filename=f, error=f"botocore.exceptions.ClientError: {denied}", request_id=rid)
        s.log(t + timedelta(milliseconds=3), "ERROR", "django.request",
              f"Internal Server Error: /api/v1/tickets/{tid}/{'attachments' if ep.endswith('/attachments') else 'replies'}",
              APP, status_code=500, request_id=rid)

    def each(i: int) -> None:
        if i in builds:
            sha, w = builds[i]
            t0 = at(w)
            for k in range(3):
                t = t0 + timedelta(seconds=15 + 40 * k - 9 + rng.uniform(0, 2))
                new = pod_of(rng, "support-desk-api")
                s.log(t, "INFO", "gunicorn.error", "Handling signal: term", APP, pod=pods[k])
                s.log(t + timedelta(seconds=rng.uniform(6, 8)), "INFO", "gunicorn.error", "Starting gunicorn 21.2.0",
                      APP, pod=new)
                s.log(t + timedelta(seconds=9), "INFO", "desk.boot", "support-desk-api ready", APP, pod=new,
                      build=sha, branch="main", settings="config.settings.production")
                pods[k] = new
            for k in range(2):
                t = t0 + timedelta(seconds=20 + 30 * k)
                new = pod_of(rng, "mail-worker")
                s.log(t, "INFO", "MainProcess", "worker: Warm shutdown (MainProcess)", MAIL)
                s.log(t + timedelta(seconds=7), "INFO", "MainProcess", f"Connected to redis://mail-broker.desk.svc:6379/0 "
                      f"(build {sha})", MAIL)
                s.log(t + timedelta(seconds=8), "INFO", "MainProcess", f"celery@{new} ready.", MAIL)
                workers[k] = new
        sh = share(i)
        for _ in range(poisson(rng, 2.3)):
            t = s.when(i)
            uuid = f"{hexid(rng, 8)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 12)}"
            task = f"desk.mail.process_inbound[{uuid}]"
            proc = f"ForkPoolWorker-{rng.randint(1, 8)}"
            has_file = rng.random() < 0.42
            if has_file and t >= first_bad and rng.random() < sh:
                s.log(t, "ERROR", proc, f"Task {task} raised unexpected: ClientError('{denied}')", MAIL)
                s.log(t + timedelta(milliseconds=4), "INFO", proc, f"Task {task} retry: Retry in 300s", MAIL)
            else:
                s.log(t, "INFO", proc, f"Task {task} succeeded in {rng.uniform(0.2, 1.4):.3f}s: "
                      f"{{'ticket': {rng.randint(180000, 189999)}, 'attachments': {rng.randint(1, 3) if has_file else 0}}}",
                      MAIL)
        if rng.random() < 0.06:
            s.log(s.when(i), "WARN", f"ForkPoolWorker-{rng.randint(1, 8)}", "desk.mail.process_inbound: message "
                  f"<{hexid(rng, 16)}@mail.gmail.com> looks like an auto-reply, not opening a ticket", MAIL)
        if rng.random() < 0.025:
            s.log(s.when(i), "ERROR", f"ForkPoolWorker-{rng.randint(1, 8)}", "desk.mail.process_inbound: cannot decode "
                  "part 2 (charset 'x-unknown'), dropping it", MAIL)
        if i % 5 == 1:
            s.log(s.when(i, 0, 4), "INFO", "app.sla.sweeper", "SLA sweep done", APP, breached=rng.randint(0, 4),
                  warned=rng.randint(2, 20), took_ms=rng.randint(300, 900))

    def effect(i: int) -> Eff:
        sh = share(i)
        if not sh:
            return Eff()
        return Eff(fail={"POST /api/v1/tickets/{id}/attachments": 0.97 * sh, "POST /api/v1/tickets/{id}/replies": 0.22 * sh,
                         "POST /api/v1/tickets": 0.18 * sh}, status=500, fail_ms=260, cause=upload_failed)

    agents = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
              "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 "
              "Safari/605.1.15", "TallyHelp-Desktop/3.8.2 (Windows)"]

    def access(t, method, path, status, took, rid, pod):
        if rid in failed_ids:
            t = after(t, first_bad)
        elif status >= 500:
            exc = rng.choice(["django.db.utils.OperationalError: could not serialize access due to concurrent update",
                              "KeyError: 'sla_policy'", "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api."
                              "clearbit.example', port=443): Read timed out. (read timeout=3)"])
            s.log(t - timedelta(milliseconds=2), "ERROR", "django.request", f"Internal Server Error: {path}", APP,
                  status_code=500, exc_info=f"Traceback (most recent call last):\n  ...\n{exc}", request_id=rid)
        size = rng.randint(300, 40000) if status < 400 else 145
        s.log(t, level_of(status), "http.log.access.log0", "handled request", CADDY,
              _req={"ip": f"{rng.choice([81, 85, 88, 91, 145, 176, 212])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}."
                          f"{rng.randint(1, 254)}", "port": rng.randint(20000, 65000), "method": method,
                    "host": "desk.tallyhelp.example", "uri": path, "ua": rng.choice(agents),
                    "read": rng.randint(40_000, 9_000_000) if path.endswith("attachments") else rng.randint(0, 3000),
                    "took": took, "size": size, "status": status})

    svc = Svc(
        name="support-desk-api", file=APP, comp="",
        endpoints=[("GET /api/v1/tickets", 0.24, 70), ("GET /api/v1/tickets/{id}", 0.28, 45),
                   ("POST /api/v1/tickets/{id}/replies", 0.1, 120), ("POST /api/v1/tickets/{id}/attachments", 0.05, 380),
                   ("POST /api/v1/tickets", 0.06, 140), ("GET /api/v1/attachments/{id}", 0.08, 60),
                   ("GET /api/v1/macros", 0.07, 25), ("PATCH /api/v1/tickets/{id}", 0.08, 55), ("GET /healthz", 0.04, 1)],
        rate=gen_data.bump(700, 1450, 0.6, 0.5), cpu=21, cpu_per_100=2.1, mem=46, access=access,
        restart=lambda t, old, new, version: None, pods=3, sample=0.02, fail_sample=0.15, base_fail=0.0009,
        chatter=[
            Chatter(0.3, "WARN", "app.attachments.thumbnails", lambda r: ("thumbnail not generated", {
                    "reason": r.choice(["unsupported image type image/heic", "image too large (48 MP)"]),
                    "attachment_id": r.randint(10**6, 10**7)})),
            Chatter(0.05, "ERROR", "app.attachments.storage", lambda r: ("thumbnail fetch failed", {"bucket": OLD,
                    "error": "ClientError: An error occurred (NoSuchKey) when calling the GetObject operation: The "
                             "specified key does not exist."})),
            Chatter(0.15, "WARN", "app.attachments.views", lambda r: ("attachment rejected", {
                    "reason": f"{r.uniform(25.5, 80):.1f} MB exceeds the 25 MB limit",
                    "ticket_id": r.randint(180000, 189999)})),
            Chatter(0.1, "WARN", "app.integrations.slack", lambda r: ("Slack webhook answered 429, retrying",
                    {"retry_after_s": r.choice([1, 2, 5]), "channel": "#support-escalations"})),
            Chatter(0.2, "WARN", "django.db.backends", lambda r: ("slow query", {"duration_ms": r.randint(800, 2600),
                    "sql": "SELECT ... FROM tickets_ticket WHERE ... ORDER BY last_customer_reply_at DESC LIMIT 50"})),
            Chatter(0.03, "ERROR", "app.integrations.jira", lambda r: ("Jira issue sync failed", {
                    "status": 401, "error": "token expired for workspace acme-corp"})),
        ],
    )

    def eff_with_blips(i: int) -> Eff:
        e = effect(i)
        if i in builds:
            e.cpu_add += 7
        return e

    serve(s, svc, eff_with_blips, each)
    return bundle(
        s, {APP: PyJsonLogger(), CADDY: CaddyAccess(), MAIL: CeleryFmt()},
        "agents can't attach files to tickets since late morning, they get 'Upload failed, try again'. customer emails "
        "with attachments aren't showing up either. main auto-deploys on merge and there were a bunch of merges today, "
        "no idea which one (if any)",
        truth_json(True, {"deploy": c4, "commits": [c4]},
                   ["accessdenied", "access denied", "putobject", "bucket", "permission", "iam", "s3"], "2030-01-14 10:55"),
    )


# ==== 2. a config deploy gives the timetable client 5 immediate retries; a blip downstream becomes a retry storm


@incident("trip-planner-retry-storm", "go-kit logfmt in local time (-04:00) + Envoy egress access log (UTC); "
          "config-r2291 at 20:18Z raises the timetable client's retries 1 -> 5 with no backoff; a 2-minute timetable-svc "
          "hiccup at 20:27Z (one at 19:40Z healed by itself) turns into a retry storm: 503 'overloaded', latency climbs, "
          "502s to riders until the config is rolled back at 21:04Z and timetable scales out; v6.3.0 at 19:22Z innocent")
def trip_planner_retry_storm() -> dict[str, bytes]:
    s = Sim(seed=420412, start="2030-04-12 19:00", minutes=240, service="trip-planner")
    g, rng = s.git, s.rng
    dom = "metrorail.example"
    p0 = g.commit("2030-04-09 11:30", f"sre-bot@{dom}", "timetable client: lower connect timeout to 500ms",
                  ["config/production/timetable-client.yaml"])
    g.deploy("config-r2290", "2030-04-09 12:02", [p0])
    z = g.commit("2030-04-11 14:20", f"keisha.brown@{dom}", "Itineraries: return wheelchair accessibility per leg",
                 ["internal/plan/itinerary.go", "internal/plan/itinerary_test.go", "api/openapi/plan.yaml"])
    g.deploy("v6.2.4", "2030-04-11 18:05", [z])
    a = g.commit("2030-04-12 17:55", f"diego.ramos@{dom}", "Route preview: switch to vector tiles",
                 ["internal/preview/tiles.go", "internal/preview/tiles_test.go"])
    g.deploy("v6.3.0", "2030-04-12 19:22", [a])
    c = g.commit("2030-04-12 19:58", f"nadia.karim@{dom}", "timetable client: retry up to 5 times on 5xx and timeouts "
                 "so riders see fewer 'no departures' errors", ["config/production/timetable-client.yaml"])
    g.deploy("config-r2291", "2030-04-12 20:18", [c], status="rolled_back")
    g.deploy("config-r2290", "2030-04-12 21:04", [p0], status="rollback")
    g.commit("2030-04-12 21:41", f"nadia.karim@{dom}", "timetable client: 3 retries with exponential backoff and jitter, "
             "retry budget 10%", ["config/production/timetable-client.yaml", "internal/timetable/client.go"])

    APP, EGR = "trip-planner.log", "envoy-egress.log"
    TZ = zone(-4)
    TT = "timetable.transit.svc.cluster.local:8080"
    n = s.n
    rate_fn = gen_data.bump(2600, 4300, 0.62, 0.3)
    blips = {s.idx("19:40"), s.idx("19:41"), s.idx("20:27"), s.idx("20:28")}
    scale_out = s.idx("20:58")

    def new_cfg(i: int) -> float:
        return rollout_share(s, i, "2030-04-12 20:18", 4, 30) - rollout_share(s, i, "2030-04-12 21:04", 4, 30)

    P, OVL, F, A, L0, LL = [], [], [], [], [], []
    p, o = 0.008, 0.0
    for i in range(n):
        c0 = 1.7 * rate_fn(i / (n - 1))
        sh = new_cfg(i)
        k = (7800 if i < scale_out else 11000) * (0.6 if i in blips else 1.0)
        s5, s1 = sum(p ** j for j in range(6)), 1 + p
        load = c0 * (sh * s5 + (1 - sh) * s1)
        keff = k * (1 - 0.6 * min(1.0, o))
        o = max(0.0, 1 - keff / load)
        p = 1 - (1 - 0.008) * (1 - o)
        f = sh * p ** 6 + (1 - sh) * p ** 2
        P.append(p)
        OVL.append(o)
        F.append(f)
        A.append((sh * sum(p ** j for j in range(6)) + (1 - sh) * (1 + p)) * (40 + 650 * o))
        L0.append(c0)
        LL.append(load)
    storm_from = s.idx("20:27")

    def retries_now(i: int) -> int:
        return 5 if rng.random() < new_cfg(i) else 1

    def tt_url(r: random.Random) -> str:
        return r.choice([f"/v2/departures?stop={r.randint(10000, 79999)}&limit=8",
                         f"/v2/trips?from={r.randint(10000, 79999)}&to={r.randint(10000, 79999)}&depart_after=now",
                         f"/v2/stop_times?trip={r.randint(100000, 999999)}"])

    def gave_up(t, rid, ep):
        i = s.idx(t.strftime("%H:%M"))
        r = retries_now(i)
        url = tt_url(rng)
        gaps = [rng.randint(40, 300) for _ in range(r)]
        for k in range(1, r + 1):
            s.log(t - timedelta(milliseconds=sum(gaps[k - 1:])), "WARN", "timetable/client.go:88",
                  "timetable attempt failed, retrying", APP, attempt=f"{k}/{r + 1}", status=503, wait="0s" if r == 5 else
                  f"{rng.randint(200, 800)}ms", req_id=rid)
        s.log(t, "ERROR", "timetable/client.go:131", "timetable request failed", APP,
              err=f"GET http://{TT}{url} giving up after {r + 1} attempt(s)", last_status=503,
              last_body='{"error":"overloaded","detail":"request queue full, shedding load"}', req_id=rid)
        s.log(t + timedelta(milliseconds=1), "ERROR", "plan/handler.go:77", "responding with error", APP, status=502,
              route=ep.split(" ")[1], req_id=rid)

    def each(i: int) -> None:
        attempts = LL[i]
        # the sidecar's view of outbound calls to timetable-svc (about one in 250)
        for _ in range(poisson(rng, attempts * 0.004)):
            t = s.when(i)
            bad = rng.random() < P[i]
            if bad and i in blips:
                st, flags, body, dur = 503, "UC", 95, rng.randint(1, 30)
            elif bad and OVL[i] > 0.3 and rng.random() < 0.35:
                st, flags, body, dur = 503, "UO", 81, 0
            elif bad:
                st, flags, body, dur = 503, "-", 68, int(lognorm(rng, 35 + 900 * OVL[i], 0.5))
            else:
                st, flags, body, dur = 200, "-", rng.randint(900, 14000), int(lognorm(rng, 42 + 1100 * OVL[i], 0.45))
            s.log(t, "INFO", "", "", EGR, method="GET", path=tt_url(rng), status=st, flags=flags, bytes=body, dur=dur,
                  ust=dur - 1 if flags == "-" else "-", ua="Go-http-client/1.1",
                  rid=f"{hexid(rng, 8)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 4)}-{hexid(rng, 12)}",
                  host=TT, up=f"10.42.{rng.randint(0, 7)}.{rng.randint(2, 250)}:8080" if flags != "UO" else "-")
        # single failed attempts that a retry fixed (sampled), before and during the storm
        for _ in range(poisson(rng, L0[i] * P[i] * 0.002)):
            t = s.when(i)
            st = 503 if i not in blips or rng.random() < 0.5 else None
            r = retries_now(i)
            s.log(t, "WARN", "timetable/client.go:88", "timetable attempt failed, retrying", APP, attempt=f"1/{r + 1}",
                  status=st if st else "-", err="-" if st else f"Get \"http://{TT}{tt_url(rng)}\": EOF",
                  wait="0s" if r == 5 else f"{rng.randint(200, 800)}ms", req_id=hexid(rng, 16))
        if i % 5 == 0:
            s.log(s.when(i, 0, 3), "INFO", "timetable/client.go:210", "timetable client stats", APP,
                  calls=int(L0[i] * 5), attempts=int(LL[i] * 5), failed_attempts=int(LL[i] * 5 * P[i]),
                  gave_up=int(L0[i] * 5 * F[i]), window="5m")
        if i % 15 == 3:
            s.log(s.when(i), "INFO", "gtfs/static.go:54", "static GTFS refreshed", APP, routes=rng.randint(180, 190),
                  stops=rng.randint(7900, 8100), took_ms=rng.randint(3000, 7000))

    def effect(i: int) -> Eff:
        f, add = F[i], A[i] - 40 * 1.008
        return Eff(fail={"GET /v3/plan": 1 - (1 - f) ** 2, "GET /v3/stops/{id}/departures": f} if f > 1e-4 else {},
                   status=502, fail_ms=250 + 3800 * OVL[i] if f > 1e-4 else None,
                   lat_add={"GET /v3/plan": 2 * add, "GET /v3/stops/{id}/departures": add},
                   cpu_add=9 * OVL[i] * new_cfg(i) + 2 * OVL[i], mem_add=4 * OVL[i], cause=gave_up)

    def access(t, method, path, status, took, rid, pod):
        if status == 502 and t.replace(second=0, microsecond=0) == s.minute(storm_from):
            t = after(t, s.minute(storm_from) + timedelta(seconds=20))
        lvl = level_of(status)
        s.log(t, lvl, "httpx/log.go:29", "http request", APP, method=method, path=path, status=status, took_ms=took,
              req_id=rid)

    cfg = {"v": "config-r2290"}

    def restart(t, old, new, version):
        if version.startswith("config-"):
            cfg["v"] = version
        r5 = cfg["v"] == "config-r2291"
        s.log(t, "INFO", "cmd/trip-planner/main.go:151", "received terminated, shutting down", APP, pod=old)
        t2 = t + timedelta(seconds=rng.uniform(3, 5))
        s.log(t2, "INFO", "cmd/trip-planner/main.go:62", "starting trip-planner", APP, pod=new,
              version=version if version.startswith("v") else "v6.3.0", config=cfg["v"])
        s.log(t2 + timedelta(milliseconds=120), "INFO", "timetable/client.go:40", "timetable client ready", APP,
              base_url=f"http://{TT}", timeout="2s", max_retries=5 if r5 else 1,
              retry_wait_min="0s" if r5 else "200ms", retry_wait_max="0s" if r5 else "800ms")

    svc = Svc(
        name="trip-planner", file=APP, comp="",
        endpoints=[("GET /v3/plan", 0.45, 230), ("GET /v3/stops/{id}/departures", 0.25, 60),
                   ("GET /v3/stops/nearby", 0.15, 35), ("GET /v3/alerts", 0.1, 20), ("GET /healthz", 0.05, 1)],
        rate=rate_fn, cpu=24, cpu_per_100=0.35, mem=41, access=access, restart=restart, pods=4, sample=0.006,
        fail_sample=0.03, base_fail=0.0007, base_status=(500, 502),
        chatter=[
            Chatter(0.4, "WARN", "realtime/feed.go:112", lambda r: ("realtime feed stale", {
                    "agency": r.choice(["bus", "ferry", "commuter-rail"]), "age_s": r.randint(95, 240)})),
            Chatter(0.2, "WARN", "geocode/client.go:66", lambda r: ("geocoder slow", {"took_ms": r.randint(900, 2600),
                    "provider": "pelias"})),
            Chatter(0.06, "ERROR", "push/sender.go:93", lambda r: ("service alert push failed", {
                    "err": "apns: 410 Unregistered", "device": hexid(r, 12)})),
            Chatter(0.04, "ERROR", "plan/handler.go:51", lambda r: ("no itinerary found", {
                    "reason": "origin outside service area", "status": 422})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: GoKitLocal(TZ), EGR: EnvoyEgress()},
        "journey planner is super slow and throwing errors for riders since ~4:30pm ET. timetable-svc is red on "
        "their dashboards too, are they down?",
        truth_json(True, {"deploy": "config-r2291", "commits": [c]},
                   ["retry", "retries", "retrying", "backoff", "amplif", "storm"], "2030-04-12 20:27", tolerance=4),
    )


# ==== 3. our own public certificate expires: patients' apps cannot connect, the API just gets quieter


@incident("refills-public-cert-expired", "pino-http JSON (epoch ms) + HAProxy and cron through rsyslog; the public "
          "certificate of api.medirex.example expires at 14:22:07Z: patient traffic (~60%) stops, handshake failures "
          "at the load balancer (a few a minute before, from scanners), error rate flat; the pharmacy vhost has its own "
          "certificate and keeps working; renewed by hand 15:08Z; v2.15.0 at 12:41Z (fastify bump) innocent")
def refills_public_cert_expired() -> dict[str, bytes]:
    s = Sim(seed=430609, start="2030-06-09 11:30", minutes=240, service="refills-api")
    g, rng = s.git, s.rng
    dom = "medirex.example"
    z = g.commit("2030-06-08 09:30", f"chloe.martin@{dom}", "Refill reminders: respect the patient's quiet hours",
                 ["src/reminders/schedule.ts", "src/reminders/schedule.test.ts"])
    g.deploy("v2.14.0", "2030-06-08 15:10", [z])
    a1 = g.commit("2030-06-09 10:02", f"samir.haddad@{dom}", "Pharmacy queue: sort by promised pickup time",
                  ["src/pharmacy/queue.ts", "src/pharmacy/queue.test.ts"])
    a2 = g.commit("2030-06-09 10:40", f"chloe.martin@{dom}", "Upgrade fastify to 4.27.0 and @fastify/helmet to 11.1",
                  ["package.json", "package-lock.json", "src/server.ts"])
    g.deploy("v2.15.0", "2030-06-09 12:41", [a1, a2])
    g.commit("2030-06-09 15:20", f"samir.haddad@{dom}", "Pharmacy queue: show patient initials instead of full name",
             ["src/pharmacy/queue.ts", "src/pharmacy/serializers.ts"])

    APP, SYS = "refills-api.log", "syslog"
    expiry, renewed = at("2030-06-09 14:22:07"), at("2030-06-09 15:08:41")
    lbs = {"lb-1": 2211, "lb-2": 1987}
    patient = ("GET /v1/me", "POST /v1/me", "GET /v1/pharmacies", "POST /v1/auth")

    def reach(t: datetime) -> float:
        """Share of patient requests that still arrive at time t (old keep-alive connections drain)."""
        if t < expiry:
            return 1.0
        if t < renewed:
            return 0.02 + 0.98 * math.exp(-(t - expiry).total_seconds() / 40)
        x = (t - renewed).total_seconds()
        return 1 + 0.4 * math.exp(-x / 400) * min(1.0, x / 30)

    def minute_reach(i: int) -> float:
        return sum(reach(s.minute(i) + timedelta(seconds=k + 0.5)) for k in range(60)) / 60

    pods = Pods(3)
    chatter = [
        (0.3, "WARN", lambda r: ("refill request rejected", {
            "reason": r.choice(["no refills remaining", "prescription expired", "controlled substance"]),
            "patientId": f"pt_{hexid(r, 10)}"})),
        (0.08, "ERROR", lambda r: ("pharmacy system call failed", {"pharmacy": f"ph_{r.randint(100, 999)}", "err": {
            "type": "TimeoutError", "message": "SOAP request to pharmacy system timed out after 8000ms"}})),
        (0.2, "WARN", lambda r: ("push notification not delivered", {"provider": r.choice(["apns", "fcm"]),
                                                                      "reason": r.choice(["BadDeviceToken", "Unregistered"])})),
    ]

    def lb_line(t, host, frontend, backend, srv, status, took, req, bytes_):
        pid = lbs[host]
        a = t - timedelta(milliseconds=took)
        conn = rng.randint(300, 900) if frontend == "https-in" else rng.randint(40, 120)
        s.log(t, "INFO", f"{host} haproxy[{pid}]", f"{ip(rng, rng.choice(['86.', '92.', '176.', '31.']))}:"
              f"{rng.randint(20000, 65000)} [{a:%d/%b/%Y:%H:%M:%S}.{ms(a)}] {frontend}~ {backend}/{srv} "
              f"0/0/1/{max(0, took - 1)}/{took} {status} {bytes_} - - ---- {conn}/{conn - 12}/{rng.randint(3, 20)}/"
              f"{rng.randint(1, 6)}/0 0/0 \"{req}\"", SYS)

    def each(i: int) -> None:
        m = minute_reach(i)
        # TLS handshakes that fail: scanners and ancient clients all day, patients' apps after the expiry
        for _ in range(poisson(rng, 1.6)):
            host = rng.choice(list(lbs))
            t = s.when(i)
            s.log(t, "INFO", f"{host} haproxy[{lbs[host]}]", f"{ip(rng, rng.choice(['45.', '162.', '198.']))}:"
                  f"{rng.randint(20000, 65000)} [{t:%d/%b/%Y:%H:%M:%S}.{ms(t)}] https-in/1: SSL handshake failure", SYS)
        lost = 0.6 * 1100 * (1 - min(m, 1.0)) * 0.35
        for _ in range(poisson(rng, lost)):
            host = rng.choice(list(lbs))
            t = after(s.when(i), expiry)
            if t >= renewed:
                continue
            s.log(t, "INFO", f"{host} haproxy[{lbs[host]}]", f"{ip(rng, rng.choice(['86.', '92.', '176.', '31.', '5.']))}:"
                  f"{rng.randint(20000, 65000)} [{t:%d/%b/%Y:%H:%M:%S}.{ms(t)}] https-in/1: SSL handshake failure", SYS)
        # the app's own background lines
        for per_min, lvl, text in chatter:
            for _ in range(poisson(rng, per_min)):
                msg, kv = text(rng)
                s.log(s.when(i), lvl, rng.choice(pods.cur or ["refills-api-7c9d6b5f4-x2k8q"]), msg, APP, **kv)
        if i % 10 == 4:
            s.log(s.when(i), "INFO", rng.choice(pods.cur or ["refills-api-7c9d6b5f4-x2k8q"]), "reminder batch sent", APP,
                  count=rng.randint(40, 300))
        t0 = s.minute(i)
        if t0.minute == 5:
            t = s.when(i, 0, 1)
            s.log(t, "INFO", "lb-1 CRON[" + str(40000 + i) + "]", "(root) CMD (/usr/local/bin/cert-check.sh)", SYS)
            left = (expiry - t).total_seconds()
            when = (f"expires in {int(left // 3600)}h{int(left % 3600 // 60):02d}m" if left > 0
                    else f"EXPIRED {int(-left // 60)}m ago")
            s.log(t + timedelta(seconds=2), "WARN", "lb-1 cert-check[" + str(40001 + i) + "]",
                  f"api.medirex.example: {when} (notAfter=Jun  9 14:22:07 2030 GMT)", SYS)
            s.log(t + timedelta(seconds=2.4), "INFO", "lb-1 cert-check[" + str(40001 + i) + "]",
                  "pharmacy-gw.medirex.example: expires in 61d (notAfter=Aug  9 08:11:52 2030 GMT)", SYS)
        if t0.minute % 30 == 17:
            s.log(s.when(i), "INFO", "lb-2 systemd[1]", "Starting Daily apt download activities...", SYS)
            s.log(s.when(i, 30, 59), "INFO", "lb-2 systemd[1]", "apt-daily.service: Deactivated successfully.", SYS)
        if rng.random() < 0.006:
            s.log(s.when(i), "WARN", f"lb-{rng.randint(1, 2)} kernel", f"[{rng.randint(100000, 999999)}."
                  f"{rng.randint(0, 999999):06d}] TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.",
                  SYS)
        if i == s.idx("15:07"):
            t = at("2030-06-09 15:07:12")
            s.log(t, "INFO", "lb-1 sudo", "ops-oncall : TTY=pts/0 ; PWD=/home/ops-oncall ; USER=root ; COMMAND=/usr/bin/cp "
                  "/home/ops-oncall/api.medirex.example-2030.pem /etc/haproxy/certs/api.medirex.example.pem", SYS)
            s.log(t + timedelta(seconds=41), "INFO", "lb-2 sudo", "ops-oncall : TTY=pts/0 ; PWD=/home/ops-oncall ; "
                  "USER=root ; COMMAND=/usr/bin/cp /home/ops-oncall/api.medirex.example-2030.pem "
                  "/etc/haproxy/certs/api.medirex.example.pem", SYS)
        if i == s.idx("15:08"):
            for k, host in enumerate(lbs):
                t = renewed + timedelta(seconds=-1.5 + 2 * k)
                s.log(t, "INFO", f"{host} systemd[1]", "Reloading HAProxy Load Balancer...", SYS)
                s.log(t + timedelta(milliseconds=300), "INFO", f"{host} haproxy[{lbs[host]}]",
                      f"[NOTICE]   ({lbs[host]}) : Reloading HAProxy", SYS)
                s.log(t + timedelta(milliseconds=900), "INFO", f"{host} systemd[1]", "Reloaded HAProxy Load Balancer.", SYS)

    def effect(i: int) -> Eff:
        m = minute_reach(i)
        return Eff(ep_rate={p: m for p in patient}) if abs(m - 1) > 1e-6 else Eff()

    def access(t, method, path, status, took, rid, pod):
        pods.see(pod)
        host = "pharmacy-gw.medirex.example" if "/pharmacy/" in path or path == "/healthz" else "api.medirex.example"
        lvl = level_of(status)
        req = {"id": rid, "method": method, "url": path, "headers": {"host": host, "user-agent": rng.choice(
            ["MedirexPharmacy/4.2 (Windows)", "okhttp/4.12.0"] if "pharmacy" in host else
            ["Medirex/7.3.1 (iPhone; iOS 17.5)", "Medirex/7.3.0 (Android 14)", UA_BROWSERS[0]])},
            "remoteAddress": f"::ffff:10.60.{rng.randint(1, 3)}.{rng.randint(2, 250)}"}
        kv = {"reqId": rid, "req": req, "res": {"statusCode": status}, "responseTime": took}
        if status >= 500:
            kv["err"] = {"type": "Error", "message": rng.choice(["read ECONNRESET", "Pharmacy system timeout (SOAP)",
                                                                 "Cannot read properties of undefined (reading 'ndc')"])}
        s.log(t, lvl, pod, "request completed" if status < 500 else "request errored", APP, **kv)
        if rng.random() < 0.5:
            lb_line(t + timedelta(milliseconds=1), rng.choice(list(lbs)), "pharmacy-in" if "pharmacy" in host else "https-in",
                    "refills_api", f"api-{rng.randint(1, 3)}", status, took + 1, f"{method} {path} HTTP/1.1",
                    rng.randint(300, 9000) if status < 500 else 212)

    def restart(t, old, new, version):
        pods.swap(old, new)
        s.log(t, "INFO", old, "received SIGTERM, closing server", APP)
        t2 = t + timedelta(seconds=rng.uniform(4, 7))
        s.log(t2, "INFO", new, "Server listening at http://0.0.0.0:3000", APP, version=version.lstrip("v"))

    svc = Svc(
        name="refills-api", file=APP, comp="",
        endpoints=[("GET /v1/me/prescriptions", 0.2, 60), ("GET /v1/me/refills", 0.16, 45), ("POST /v1/me/refills", 0.06, 180),
                   ("GET /v1/pharmacies/nearby", 0.08, 70), ("POST /v1/auth/token", 0.1, 90),
                   ("GET /v1/pharmacy/queue", 0.2, 40), ("PATCH /v1/pharmacy/refills/{id}", 0.1, 70),
                   ("POST /v1/pharmacy/refills/{id}/ready", 0.05, 110), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(900, 1250, 0.4, 0.55), cpu=27, cpu_per_100=1.1, mem=44, access=access, restart=restart,
        pods=3, sample=0.03, fail_sample=0.6, base_fail=0.0012, base_status=(500, 502, 504),
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: PinoHttp(), SYS: RsyslogFile()},
        "patient app traffic fell off a cliff around 14:20 UTC. nothing in the api logs, error rate is flat, no alerts "
        "except the traffic one. pharmacies say their side works. did 2.15 (fastify upgrade) break the mobile app?",
        truth_json(True, None, ["certificate", "cert", "tls", "ssl", "x509", "handshake"], "2030-06-09 14:22"),
    )


# ==== 4. a migration widens a hot table's column: MySQL copies the table and writes wait on the lock for 12 minutes


@incident("parcel-api-alter-table-lock", "zap JSON in local time (+0200) + migration job log (+02:00) + MySQL slow log "
          "(UTC); v4.12.0 at 08:17Z runs a pre-deploy migration 'ALTER TABLE parcels MODIFY tracking_number "
          "VARCHAR(64) NOT NULL DEFAULT ...' that copies the 38M-row table 08:18:04-08:30:09Z: scans and parcel "
          "writes fail with Error 1205 lock wait timeout, reads fine; recovers when the copy ends; deadlock retries "
          "are benign noise; v4.11.3 and v4.12.1 innocent")
def parcel_api_alter_table_lock() -> dict[str, bytes]:
    s = Sim(seed=440611, start="2030-06-11 06:40", minutes=240, service="parcel-api")
    g, rng = s.git, s.rng
    dom = "swiftparcel.example"
    z = g.commit("2030-06-10 09:12", f"joost.devries@{dom}", "Courier app: accept scans without a GPS fix",
                 ["internal/scans/validate.go", "internal/scans/validate_test.go"])
    g.deploy("v4.11.2", "2030-06-10 14:05", [z])
    a = g.commit("2030-06-11 06:58", f"lea.schmitt@{dom}", "Fix ETA rounding for same-day delivery slots",
                 ["internal/eta/slots.go", "internal/eta/slots_test.go"])
    g.deploy("v4.11.3", "2030-06-11 07:24", [a])
    b1 = g.commit("2030-06-10 16:44", f"tomasz.nowak@{dom}", "Widen parcels.tracking_number to 64 chars for the new "
                  "carrier reference format", ["db/migrations/20300610164400_widen_parcels_tracking_number.up.sql",
                                                "db/migrations/20300610164400_widen_parcels_tracking_number.down.sql",
                                                "internal/parcels/model.go"])
    b2 = g.commit("2030-06-11 07:40", f"lea.schmitt@{dom}", "Add DHL eCommerce carrier adapter",
                  ["internal/carriers/dhlecom/adapter.go", "internal/carriers/dhlecom/adapter_test.go",
                   "config/carriers.yaml"])
    b3 = g.commit("2030-06-11 07:55", "renovate[bot]@users.noreply.github.com", "fix(deps): update module "
                  "github.com/go-sql-driver/mysql to v1.8.1", ["go.mod", "go.sum"])
    g.deploy("v4.12.0", "2030-06-11 08:17", [b1, b2, b3])
    c = g.commit("2030-06-11 09:10", f"joost.devries@{dom}", "Metrics: per-carrier scan counters",
                 ["internal/scans/metrics.go", "internal/scans/handler.go"])
    g.deploy("v4.12.1", "2030-06-11 09:38", [c])

    APP, JOB, SLOW = "parcel-api.log", "migrate-job.log", "mysql-slow.log"
    TZ = zone(2)
    lock_a, lock_b = at("2030-06-11 08:18:04"), at("2030-06-11 08:30:09")
    wait = timedelta(seconds=5)
    restart_delay = {"v4.12.0": timedelta(minutes=13, seconds=12)}
    real_restarts = {s.idx("07:24"), s.idx("08:30"), s.idx("09:38")}

    def lf(i: int) -> float:
        """Share of minute i in which writes come back with a lock wait timeout."""
        a, b = max(s.minute(i), lock_a + wait), min(s.minute(i + 1), lock_b + wait)
        return max(0.0, (b - a).total_seconds() / 60)

    def after_lock(i: int) -> float:
        x = (s.minute(i) - lock_b).total_seconds() / 60
        return math.exp(-x / 2) if 0 <= x < 8 else 0.0

    def lock_timeout(t, rid, ep):
        t = after(t, lock_a + wait)
        what = {"POST /v1/scans": ("store/scans.go:88", "insert scan failed"),
                "PATCH /v1/parcels/{id}/status": ("store/parcels.go:211", "update parcel status failed"),
                "POST /v1/parcels": ("store/parcels.go:143", "create parcel failed")}[ep]
        s.log(t, "ERROR", what[0], what[1], APP, parcel_id=f"SP{rng.randint(10**9, 10**10 - 1)}",
              error="Error 1205 (HY000): Lock wait timeout exceeded; try restarting transaction",
              waited_ms=rng.randint(5000, 5012),
              request_id=rid)

    def slow(t, user, host, qt, sent, examined, sql, lt=0.0):
        s.log(t, "INFO", "", sql, SLOW, qt=qt, lt=lt, user=user, host=host, id=rng.randint(4_000_000, 4_900_000),
              sent=sent, examined=examined, db="parcels")

    def each(i: int) -> None:
        v = lf(i)
        # pool stats, every minute from one pod
        if v > 0:
            s.log(s.when(i, 0, 2), "WARN", "store/db.go:64", "db pool stats", APP, open=40, in_use=40, idle=0,
                  wait_count=rng.randint(900, 2400), wait_duration_ms=rng.randint(40000, 90000), max_open=40)
        else:
            busy = rng.randint(3, 9)
            s.log(s.when(i, 0, 2), "INFO", "store/db.go:64", "db pool stats", APP, open=busy + rng.randint(4, 8),
                  in_use=busy, idle=rng.randint(4, 8), wait_count=0, wait_duration_ms=0, max_open=40)
        for _ in range(poisson(rng, 0.12)):
            t = s.when(i)
            s.log(t, "WARN", "store/tx.go:41", "retrying transaction after deadlock", APP, attempt=1,
                  error="Error 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
                  table="scan_events")
        if rng.random() < 0.03:
            qt = rng.uniform(2.1, 7.5)
            slow(s.when(i), "reporting", "10.20.8.14", qt, rng.randint(1, 400), rng.randint(2_000_000, 9_000_000),
                 f"SELECT carrier, COUNT(*) FROM parcels WHERE merchant_id = {rng.randint(1000, 9999)} AND created_at >= "
                 f"'2030-05-{rng.randint(10, 31):02d}' GROUP BY carrier;")
        if rng.random() < 0.015:
            qt = rng.uniform(1.0, 2.4)
            slow(s.when(i), "parcel_api", "10.20.3.77", qt, 50, rng.randint(200_000, 600_000),
                 f"SELECT * FROM scan_events WHERE parcel_id = 'SP{rng.randint(10**9, 10**10 - 1)}' ORDER BY scanned_at "
                 "DESC LIMIT 50;")
        if i == s.idx("07:24"):
            t = s.clock("07:24:02")
            s.log(t, "INFO", "hook", "pre-deploy hook for parcel-api v4.11.3 (job parcel-api-migrate-4113-8kq2d)", JOB)
            s.log(t + timedelta(seconds=6), "INFO", "migrate", "connected to mysql parcel_api@parcels-db-primary.db.svc:3306 "
                  "(8.0.36)", JOB)
            s.log(t + timedelta(seconds=7), "INFO", "migrate", "no pending migrations", JOB)
            s.log(t + timedelta(seconds=8), "INFO", "hook", "starting rollout of parcel-api v4.11.3", JOB)
        if i == s.idx("09:38"):
            t = s.clock("09:38:01")
            s.log(t, "INFO", "hook", "pre-deploy hook for parcel-api v4.12.1 (job parcel-api-migrate-4121-r7w4m)", JOB)
            s.log(t + timedelta(seconds=5), "INFO", "migrate", "connected to mysql parcel_api@parcels-db-primary.db.svc:3306 "
                  "(8.0.36)", JOB)
            s.log(t + timedelta(seconds=6), "INFO", "migrate", "no pending migrations", JOB)
            s.log(t + timedelta(seconds=7), "INFO", "hook", "starting rollout of parcel-api v4.12.1", JOB)
        if i == s.idx("08:17"):
            t = s.clock("08:17:52")
            s.log(t, "INFO", "hook", "pre-deploy hook for parcel-api v4.12.0 (job parcel-api-migrate-4120-x5n9b)", JOB)
            s.log(t + timedelta(seconds=6), "INFO", "migrate", "connected to mysql parcel_api@parcels-db-primary.db.svc:3306 "
                  "(8.0.36)", JOB)
            s.log(t + timedelta(seconds=7), "INFO", "migrate", "acquired advisory lock parcel_api_migrations", JOB)
            s.log(t + timedelta(seconds=8), "INFO", "migrate", "1 pending migration(s): "
                  "20300610164400_widen_parcels_tracking_number", JOB)
            s.log(lock_a, "INFO", "migrate", "applying 20300610164400_widen_parcels_tracking_number.up.sql", JOB)
            s.log(lock_a + timedelta(milliseconds=2), "DEBUG", "migrate", "exec: ALTER TABLE parcels MODIFY COLUMN "
                  "tracking_number VARCHAR(64) NOT NULL DEFAULT ''", JOB)
        if i == s.idx("08:30"):
            s.log(lock_b, "INFO", "migrate", "applied 20300610164400_widen_parcels_tracking_number in 12m5.218s", JOB)
            s.log(lock_b + timedelta(milliseconds=40), "INFO", "migrate", "released advisory lock parcel_api_migrations", JOB)
            s.log(lock_b + timedelta(seconds=1), "INFO", "hook", "migrations done, starting rollout of parcel-api v4.12.0", JOB)
            slow(lock_b, "parcel_migrator", "10.20.5.31", 725.218, 0, 38_412_977,
                 "ALTER TABLE parcels MODIFY COLUMN tracking_number VARCHAR(64) NOT NULL DEFAULT '';", lt=0.000412)
        if i % 30 == 11:
            s.log(s.when(i), "INFO", "carriers/sync.go:72", "carrier status sync done", APP,
                  carriers=7 if s.minute(i) < at("2030-06-11 08:30") else 8, updated=rng.randint(2000, 9000),
                  took_ms=rng.randint(8000, 20000))

    def effect(i: int) -> Eff:
        v, after_v = lf(i), after_lock(i)
        e = Eff(cpu_add=(6 if i in real_restarts else 0) - 5 * v, mem_add=3 * v)
        if v > 0:
            e.fail = {"POST /v1/scans": 0.97 * v, "PATCH /v1/parcels/{id}/status": 0.97 * v, "POST /v1/parcels": 0.96 * v}
            e.fail_ms, e.status, e.cause = 5030, 500, lock_timeout
            e.lat_add = {"GET": 140 * v}
        e.ep_rate = {"POST /v1/scans": 1 + 0.5 * v + 0.9 * after_v}
        return e

    def access(t, method, path, status, took, rid, pod):
        if status == 500 and took > 4000:
            t, took = after(t, lock_a + wait), max(took, rng.randint(5001, 5040))
        elif status >= 500:
            s.log(t - timedelta(milliseconds=1), "ERROR", "httpx/errors.go:33", "handler error", APP, request_id=rid,
                  error=rng.choice(["eta: no slot template for depot AMS-07", "context canceled",
                                    "carriers: gls: unexpected EOF", "runtime error: index out of range [3] with length 3"]))
        client = "courier-app/5.8.1" if "scans" in path else rng.choice(["courier-app/5.8.1", "merchant-portal",
                                                                          "tracking-web", "partner-api"])
        s.log(t, level_of(status), "httpx/middleware.go:52", "request", APP, method=method, path=path, status=status,
              duration_ms=took, request_id=rid, client=client)

    def restart(t, old, new, version):
        t = t + restart_delay.get(version, timedelta(0))
        s.log(t, "INFO", "cmd/api/main.go:140", "shutting down", APP, pod=old, signal="terminated")
        t2 = t + timedelta(seconds=rng.uniform(3, 5))
        s.log(t2, "INFO", "cmd/api/main.go:71", "parcel-api starting", APP, pod=new, version=version, db_max_open=40)

    svc = Svc(
        name="parcel-api", file=APP, comp="",
        endpoints=[("GET /v1/parcels/{id}", 0.42, 18), ("GET /v1/parcels/{id}/events", 0.12, 26), ("POST /v1/scans", 0.3, 22),
                   ("PATCH /v1/parcels/{id}/status", 0.05, 25), ("POST /v1/parcels", 0.05, 48), ("GET /healthz", 0.06, 1)],
        rate=gen_data.bump(2400, 3900, 0.45, 0.6), cpu=31, cpu_per_100=0.6, mem=39, access=access, restart=restart,
        pods=4, sample=0.008, fail_sample=0.1, base_fail=0.0008, deploy_blip=0,
        fill=lambda r, p: p.replace("{id}", f"SP{r.randint(10**9, 10**10 - 1)}"),
        chatter=[
            Chatter(0.2, "WARN", "carriers/webhook.go:58", lambda r: ("carrier webhook rejected", {
                    "carrier": r.choice(["postnl", "dpd", "gls"]), "reason": "signature mismatch"})),
            Chatter(0.3, "WARN", "geo/geocode.go:90", lambda r: ("address not geocoded", {
                    "postcode": f"{r.randint(1000, 9999)} {b36(r, 2)}", "reason": "ambiguous"})),
            Chatter(0.05, "ERROR", "carriers/postnl/client.go:121", lambda r: ("label request failed", {
                    "status": 503, "error": "postnl: service temporarily unavailable", "attempt": r.randint(1, 3)})),
            Chatter(0.15, "WARN", "httpx/middleware.go:70", lambda r: ("slow request", {
                    "path": "/v1/parcels/export", "duration_ms": r.randint(3000, 9000)})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: ZapLocal(TZ), JOB: MigrateJob(TZ), SLOW: MysqlSlow()},
        "couriers' scanners failed to upload scans from about 10:20 (CEST) and merchants got errors creating parcels. "
        "seems fine again now?? what happened - the 4.12 deploy or the new DHL adapter?",
        truth_json(True, {"deploy": "v4.12.0", "commits": [b1]},
                   ["lock wait", "table lock", "metadata lock", "locked", "locking", "lock timeout", "migration",
                    "alter table", "tracking_number", "table copy"], "2030-06-11 08:18"),
    )


# ==== 5. the projector starts a synchronous HTTP lookup per message; 50 minutes later it falls behind the morning peak


@incident("receipts-projector-crm-lookup", "log4j pattern projector log + lag-exporter logfmt + winston JSON API log; "
          "v3.8.0 at 07:36Z makes the Kafka projector call crm-api once per message (~55 ms), capping it near 6.5k "
          "msgs/min; the morning peak passes that ~08:23Z, lag grows; from ~08:26Z fresh receipts take seconds, then "
          "404 after the 5 s long-poll, points look stale; v3.8.1 (PDF logo) at 08:09Z innocent; v3.8.2 at 09:20Z "
          "(cached, batched tiers) lets it catch up. Error rate counts the 404s")
def receipts_projector_crm_lookup() -> dict[str, bytes]:
    s = Sim(seed=450702, start="2030-07-02 06:30", minutes=270, service="receipts-api")
    g, rng = s.git, s.rng
    dom = "shopwise.example"
    kt = "projector/src/main/kotlin/com/shopwise/receipts/projector"
    z = g.commit("2030-07-01 10:05", f"ana.costa@{dom}", "API: include the store address on receipts",
                 ["api/src/routes/receipts.ts", "api/src/routes/receipts.test.ts"])
    g.deploy("v3.7.2", "2030-07-01 15:20", [z])
    a1 = g.commit("2030-07-01 16:12", f"bjorn.eriksen@{dom}", "Projector: stamp each receipt with the member's loyalty "
                  "tier from crm-api", [f"{kt}/ReceiptProjector.kt", f"{kt}/CrmTierClient.kt",
                                        "projector/src/main/resources/application.yaml"])
    a2 = g.commit("2030-07-02 07:05", f"ana.costa@{dom}", "API: paginate GET /v1/members/{id}/receipts",
                  ["api/src/routes/memberReceipts.ts", "api/src/routes/memberReceipts.test.ts"])
    g.deploy("v3.8.0", "2030-07-02 07:36", [a1, a2])
    b = g.commit("2030-07-02 07:51", f"ana.costa@{dom}", "Receipt PDF: embed the store logo",
                 ["api/src/pdf/render.ts", "api/src/pdf/assets.ts"])
    g.deploy("v3.8.1", "2030-07-02 08:09", [b])
    c = g.commit("2030-07-02 09:05", f"bjorn.eriksen@{dom}", "Projector: cache loyalty tiers for 10 min, look them up "
                 "once per batch", [f"{kt}/ReceiptProjector.kt", f"{kt}/CrmTierClient.kt", f"{kt}/TierCache.kt"])
    g.deploy("v3.8.2", "2030-07-02 09:20", [c])

    API, PJ, LAG = "receipts-api.log", "projector.log", "lag-exporter.log"
    n = s.n
    produce_fn = gen_data.trend(3200, 11500)
    noise = gen_data.ar_noise(random.Random(4507), n, 0.03, 0.6)
    crm_noise = gen_data.ar_noise(random.Random(4508), n, 0.025, 0.6)
    deps = {s.idx("07:36"): "v3.8.0", s.idx("08:09"): "v3.8.1", s.idx("09:20"): "v3.8.2"}
    slow_from, fixed_from = s.idx("07:37"), s.idx("09:21")
    E, CAP, B, LAGS, FS = [], [], [], [], []
    backlog = 0.0
    for i in range(n):
        e = produce_fn(i / (n - 1)) * (1 + noise[i])
        per_msg = 3.0 if (i < slow_from or i >= fixed_from) else 3.0 + 52.5 * (1 + crm_noise[i])
        cap = 6 * 60000 / per_msg * (0.85 if i in deps else 1.0)
        backlog = max(0.0, backlog + e - cap)
        lag_s = backlog / e * 60
        E.append(e)
        CAP.append(cap)
        B.append(backlog)
        LAGS.append(lag_s)
        FS.append(clamp((lag_s - 6) / 6, 0, 1))
    onset = first_minute(s, lambda i: i > slow_from and min(LAGS[i:i + 3]) > 4)  # receipts now take seconds to appear
    partitions = list(range(6))

    def watermark(t: datetime) -> str:
        i = s.idx(t.strftime("%H:%M"))
        w = t - timedelta(seconds=LAGS[i] + rng.uniform(0.2, 0.9))
        return f"{w:%Y-%m-%dT%H:%M:%S}.{ms(w)}Z"

    def not_found(t, rid, ep):
        s.log(t, "WARN", "", "receipt not found after waiting", API, receiptId=f"rc_{hexid(rng, 14)}", waitedMs=5000,
              projectionWatermark=watermark(t), requestId=rid)

    def each(i: int) -> None:
        # lag exporter, every minute
        s.log(s.when(i, 0, 2), "INFO", "", "consumer group lag", LAG, cluster="kafka-prod-eu", group="receipts-projector",
              topic="checkout.completed", partitions=6, lag=int(B[i] + rng.uniform(20, 140)),
              max_time_lag_s=round(max(LAGS[i], rng.uniform(0.3, 1.4)) * rng.uniform(1.0, 1.2), 1))
        if LAGS[i] > 30 and i % 5 == 0:
            s.log(s.when(i, 2, 4), "WARN", "", "consumer group lag above threshold", LAG, group="receipts-projector",
                  threshold_s=30, max_time_lag_s=round(LAGS[i], 1))
        # projector per-partition summaries
        slow = slow_from <= i < fixed_from
        done = min(E[i] + (B[i - 1] if i else 0), CAP[i])
        for p in partitions:
            per = done / 6 * rng.uniform(0.9, 1.1)
            avg = 60000 / max(per, 1) if slow and B[i] > 0 else (57 if slow else 3.0) * rng.uniform(0.9, 1.1)
            s.log(s.when(i, 50, 59), "INFO", "c.s.r.projector.ReceiptProjector", f"partition {p}: projected {int(per)} "
                  f"records in last 60s, avg {avg:.1f} ms/record", PJ, _thread=f"receipts-projector-{p}")
        if slow:
            for _ in range(poisson(rng, 1.4)):
                s.log(s.when(i), "WARN", "c.s.r.projector.CrmTierClient", f"tier lookup took {rng.randint(260, 790)} ms "
                      f"for member m_{rng.randint(10**7, 10**8 - 1)}", PJ,
                      _thread=f"receipts-projector-{rng.choice(partitions)}")
            for _ in range(poisson(rng, 0.25)):
                s.log(s.when(i), "ERROR", "c.s.r.projector.CrmTierClient", "tier lookup failed, using tier=STANDARD: "
                      "java.net.http.HttpTimeoutException: request timed out", PJ,
                      _thread=f"receipts-projector-{rng.choice(partitions)}")
        if i in deps:
            v = deps[i]
            for p in partitions:
                t = s.when(i, 5 + p * 6, 10 + p * 6)
                s.log(t, "INFO", "o.a.k.c.c.i.ConsumerCoordinator", f"[Consumer clientId=receipts-projector-{p}, "
                      "groupId=receipts-projector] Revoke previously assigned partitions checkout.completed-" + str(p), PJ,
                      _thread=f"receipts-projector-{p}")
            t = s.when(i, 45, 50)
            s.log(t, "INFO", "c.s.r.projector.Application", f"Started Application in 7.412 seconds (version {v})", PJ)
            if v in ("v3.8.0", "v3.8.2"):
                s.log(t + timedelta(milliseconds=20), "INFO", "c.s.r.projector.CrmTierClient", "crm tier client ready: "
                      "baseUrl=http://crm-api.crm.svc.cluster.local:8080 timeout=800ms"
                      + (" cache=caffeine(maxSize=200000, ttl=10m) batch=true" if v == "v3.8.2" else ""), PJ)
            for p in partitions:
                s.log(t + timedelta(seconds=2 + p * 0.1), "INFO", "o.a.k.c.c.i.ConsumerCoordinator",
                      f"[Consumer clientId=receipts-projector-{p}, groupId=receipts-projector] Adding newly assigned "
                      f"partitions: checkout.completed-{p}", PJ, _thread=f"receipts-projector-{p}")
        if rng.random() < 0.05:
            s.log(s.when(i), "WARN", "c.s.r.projector.ReceiptProjector", "skipping event with unknown schema version 7 "
                  f"(offset {rng.randint(10**8, 10**9)})", PJ, _thread=f"receipts-projector-{rng.choice(partitions)}")
        if rng.random() < 0.02:
            s.log(s.when(i), "ERROR", "c.s.r.projector.ReceiptProjector", "duplicate receipt id, keeping the first: "
                  f"rc_{hexid(rng, 14)}", PJ, _thread=f"receipts-projector-{rng.choice(partitions)}")

    def effect(i: int) -> Eff:
        fs = FS[i]
        wait_ms = max(0.0, min(5000.0, (LAGS[i] - 2.5) * 1000))
        return Eff(fail={"GET /v1/receipts/{id}": 0.8 * fs} if fs else {}, status=404, fail_ms=5000 + 12,
                   lat_add={"GET /v1/receipts/{id}": 0.8 * wait_ms * (1 - fs)}, cause=not_found)

    def access(t, method, path, status, took, rid, pod):
        s.log(t, level_of(status) if status != 404 else "INFO" if took < 4000 else "WARN", "",
              f"{method} {path} {status} - {took} ms", API, requestId=rid, pod=pod)

    def restart(t, old, new, version):
        s.log(t, "INFO", "", "SIGTERM received, draining", API, pod=old)
        s.log(t + timedelta(seconds=rng.uniform(4, 6)), "INFO", "", "receipts-api listening on :8080", API, pod=new,
              version=version)

    svc = Svc(
        name="receipts-api", file=API, comp="",
        endpoints=[("GET /v1/receipts/{id}", 0.3, 22), ("GET /v1/members/{id}/receipts", 0.25, 60),
                   ("GET /v1/members/{id}/points", 0.3, 14), ("GET /v1/stores/{id}", 0.1, 9), ("GET /healthz", 0.05, 1)],
        rate=lambda x: 0.42 * produce_fn(x), cpu=23, cpu_per_100=0.5, mem=49, access=access, restart=restart, pods=3,
        sample=0.006, fail_sample=0.08, base_fail=0.003, base_status=(404, 404, 404, 500),
        fill=lambda r, p: p.replace("{id}", f"m_{r.randint(10**7, 10**8 - 1)}" if "members" in p else
                                    f"rc_{hexid(r, 14)}" if "receipts" in p else str(r.randint(100, 999))),
        chatter=[
            Chatter(0.15, "WARN", "", lambda r: ("receipt PDF render slow", {"tookMs": r.randint(1500, 4200)})),
            Chatter(0.04, "ERROR", "", lambda r: ("points service call failed, serving cached balance", {
                    "err": "ECONNRESET"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {API: Winston("receipts-api"), PJ: Log4jPattern(), LAG: LagExporter()},
        "customers say their receipt doesn't show up in the app after paying ('receipt not found') and points "
        "balances are behind. started sometime this morning, maybe 8:30 UTC? we did ship 3.8.1 around then",
        truth_json(True, {"deploy": "v3.8.0", "commits": [a1]},
                   ["consumer lag", "lagging", "backlog", "synchronous", "crm", "loyalty tier", "per message",
                    "per-message", "falls behind", "fell behind", "falling behind", "throughput"], onset, tolerance=4),
    )


# ==== 6. false alarm: the nightly usage export fails loudly; the portal itself is fine


@incident("billing-nightly-export-false-alarm", "the seed's plain format (web) + Python logging (the export CronJob); "
          "v9.4.0 at 01:04Z (Django bump, SEPA mandates); the 02:00Z usage export (its own image, unchanged) cannot "
          "log in to the partner SFTP and writes ~1,300 ERROR lines, as it did the night before; portal traffic, "
          "errors and latency normal all night; no incident")
def billing_nightly_export_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=460318, start="2030-03-18 00:00", minutes=240, service="billing-portal")
    g, rng = s.git, s.rng
    dom = "acmebilling.example"
    z = g.commit("2030-03-16 14:10", f"irene.gallo@{dom}", "Invoices: print the customer's VAT ID on the PDF",
                 ["billing/invoices/pdf.py", "billing/invoices/templates/invoice.html", "billing/invoices/tests/test_pdf.py"])
    g.deploy("v9.3.2", "2030-03-17 10:05", [z])
    a1 = g.commit("2030-03-17 16:30", f"pavel.horak@{dom}", "Upgrade Django to 4.2.11",
                  ["requirements.txt", "requirements.lock"])
    a2 = g.commit("2030-03-17 17:02", f"irene.gallo@{dom}", "Payment methods: allow SEPA mandates for Dutch IBANs",
                  ["billing/payments/sepa.py", "billing/payments/forms.py", "billing/payments/tests/test_sepa.py"])
    g.deploy("v9.4.0", "2030-03-18 01:04", [a1, a2])
    b = g.commit("2030-03-18 02:51", f"pavel.horak@{dom}", "Dunning emails: fix typo in the subject line",
                 ["billing/dunning/templates/reminder_subject.txt"])
    g.deploy("v9.4.1", "2030-03-18 03:22", [b])

    WEB, JOB = "billing-web.log", "usage-export.log"
    run_at = at("2030-03-18 02:00:03")
    accounts = [f"acc_{hexid(rng, 8)}" for _ in range(642)]

    def export_run() -> None:
        t = run_at
        s.log(t, "INFO", "usage_export", "starting usage export for 2030-03-17 (image billing-usage-export:1.12.3, "
              f"accounts={len(accounts)}, workers=4)", JOB)
        s.log(t + timedelta(milliseconds=180), "INFO", "usage_export.state", "previous run 2030-03-17T02:00:04Z: failed "
              "(0/639 uploaded); last successful run 2030-03-16T02:00:03Z", JOB)
        s.log(t + timedelta(milliseconds=900), "INFO", "usage_export.query",
              f"usage rows aggregated: {rng.randint(2_100_000, 2_300_000)} "
              "in 41.2s", JOB)
        t = t + timedelta(seconds=42)
        workers = [t + timedelta(milliseconds=137 * k) for k in range(4)]
        for acc in accounts:
            w = min(range(4), key=lambda k: workers[k])
            tw = workers[w]
            name = f"usage-2030-03-17-{acc}.csv"
            size = f"{rng.uniform(2, 180):.1f} KiB"
            for attempt in (1, 2, 3):
                tw += timedelta(seconds=rng.uniform(1.1, 1.9))
                lvl = "WARN" if attempt < 3 else "ERROR"
                s.log(tw, lvl, f"usage_export.sftp[w{w}]", f"upload {name} ({size}) attempt {attempt}/3 failed: "
                      "paramiko.ssh_exception.AuthenticationException: Authentication failed.", JOB)
                if attempt < 3:
                    tw += timedelta(seconds=2 * attempt)
            s.log(tw + timedelta(milliseconds=3), "ERROR", f"usage_export[w{w}]", f"giving up on {acc}: could not upload "
                  f"{name} to sftp.ledgerhub.example:/inbound/acme-billing", JOB)
            workers[w] = tw + timedelta(milliseconds=rng.randint(5, 40))
        end = max(workers) + timedelta(seconds=1)
        s.log(end, "FATAL", "usage_export", f"usage export for 2030-03-17 finished with failures: 0/{len(accounts)} "
              f"uploaded, {len(accounts)} failed", JOB)
        s.log(end + timedelta(milliseconds=40), "INFO", "usage_export", "exit status 1", JOB)

    export_run()

    def each(i: int) -> None:
        t0 = s.minute(i)
        if t0.minute % 15 == 0:
            s.log(s.when(i, 0, 3), "INFO", "billing.tasks", f"invoice run: {rng.randint(0, 30)} invoices finalized, "
                  f"{rng.randint(0, 6)} payment retries scheduled", WEB)
        if rng.random() < 0.03:
            s.log(s.when(i), "ERROR", "billing.payments.webhooks", f"Stripe webhook rejected: signature verification "
                  f"failed (evt_{hexid(rng, 14)})", WEB)
        if rng.random() < 0.05:
            s.log(s.when(i), "WARN", "billing.invoices.pdf", f"PDF render for INV-2030-{rng.randint(10**6, 10**7 - 1)} "
                  "timed out after 20s, retrying", WEB)
        if rng.random() < 0.12:
            s.log(s.when(i), "WARN", "billing.payments", f"card payment declined for acc_{hexid(rng, 8)}: "
                  f"{rng.choice(['insufficient_funds', 'expired_card', 'do_not_honor'])}", WEB)
        if rng.random() < 0.01:
            s.log(s.when(i), "ERROR", "billing.tax", "VIES VAT check unavailable (MS_UNAVAILABLE), accepting VAT ID "
                  "provisionally", WEB)

    def access(t, method, path, status, took, rid, pod):
        if status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "django.request", f"Internal Server Error: {path}", WEB)
        s.log(t, level_of(status), "billing.access", f"{method} {path} {status} {took}ms rid={rid}", WEB)

    def restart(t, old, new, version):
        s.log(t, "INFO", "gunicorn", f"Handling signal: term ({old})", WEB)
        s.log(t + timedelta(seconds=rng.uniform(5, 8)), "INFO", "gunicorn", f"Booting billing-portal {version} on {new}",
              WEB)

    svc = Svc(
        name="billing-portal", file=WEB, comp="",
        endpoints=[("GET /invoices", 0.3, 110), ("GET /invoices/{id}", 0.25, 70), ("GET /invoices/{id}/pdf", 0.08, 600),
                   ("GET /usage", 0.15, 160), ("POST /payment-methods", 0.04, 420), ("GET /account", 0.13, 40),
                   ("GET /healthz", 0.05, 1)],
        rate=lambda x: 520 - 260 * smoothstep(x * 1.4) + 40 * math.exp(-((x - 0.9) / 0.1) ** 2), cpu=19, cpu_per_100=1.8,
        mem=52, access=access, restart=restart, pods=2, sample=0.08, fail_sample=1.0, base_fail=0.0015,
    )
    serve(s, svc, lambda i: Eff(), each)
    return bundle(
        s, {WEB: gen_data.Plain(ms=True), JOB: PyClassic()},
        "billing logs are exploding with errors since 2am, hundreds of them. we deployed 9.4.0 at 1am - is billing "
        "down?? should we roll back?",
        truth_json(False, None, [], None),
    )


# ==== 7. a Helm values change caps the autoscaler at 6 replicas; nothing happens until the afternoon rush


@incident("eta-service-hpa-max-replicas", "logrus text app log + AWS ALB access log + Kubernetes events JSON + "
          "'kubectl get hpa -w | ts'; chart-2.7.0 at 11:32Z lowers maxReplicas 20 -> 6 (namespace quota); the "
          "afternoon rush needs ~9 pods: from ~14:20Z CPU pegs, requests queue, load shedding 503s, until the chart "
          "is rolled back at 15:04Z; v5.19.0 (ETA model change) at 14:10Z is innocent")
def eta_service_hpa_max_replicas() -> dict[str, bytes]:
    s = Sim(seed=470814, start="2030-08-14 10:30", minutes=300, service="eta-service")
    g, rng = s.git, s.rng
    dom = "quickbite.example"
    h0 = g.commit("2030-07-30 10:00", f"platform-bot@{dom}", "eta-service: raise memory request to 768Mi",
                  ["deploy/helm/eta-service/values-production.yaml"])
    g.deploy("chart-2.6.4", "2030-07-30 10:31", [h0])
    z = g.commit("2030-08-13 09:40", f"yara.haddad@{dom}", "ETA: weight courier speed by hour of day",
                 ["internal/eta/speed.go", "internal/eta/speed_test.go"])
    g.deploy("v5.18.1", "2030-08-13 15:00", [z])
    a = g.commit("2030-08-14 09:55", f"lukas.weber@{dom}", "Expose /debug/pprof on the admin port",
                 ["cmd/eta-service/admin.go"])
    g.deploy("v5.18.2", "2030-08-14 10:51", [a])
    hc = g.commit("2030-08-14 11:05", f"femke.bakker@{dom}", "eta-service: cap HPA at 6 replicas to fit the new "
                  "namespace CPU quota", ["deploy/helm/eta-service/values-production.yaml"])
    g.deploy("chart-2.7.0", "2030-08-14 11:32", [hc], status="rolled_back")
    c = g.commit("2030-08-14 13:20", f"yara.haddad@{dom}", "ETA: factor in the courier's vehicle type",
                 ["internal/eta/model.go", "internal/eta/vehicle.go", "internal/eta/model_test.go"])
    g.deploy("v5.19.0", "2030-08-14 14:10", [c])
    g.deploy("chart-2.6.4", "2030-08-14 15:04", [h0], status="rollback")

    APP, ALB, EVT, HPA = "eta-service.log", "alb-access.log", "k8s-events.json", "hpa-watch.log"
    n = s.n

    def rate_fn(x: float) -> float:
        return 3000 + 1200 * math.exp(-(((x - 0.3) / 0.12) ** 2)) + 5200 * math.exp(-(((x - 0.86) / 0.2) ** 2))

    cap_from, cap_to = s.idx("11:33"), s.idx("15:05")
    app_deploys = {s.idx("10:51"), s.idx("14:10")}
    N, U, SHED, MAXR, DES = [], [], [], [], []
    reps, ready_at, hist = 4, {}, []
    noise = gen_data.ar_noise(random.Random(4708), n, 0.025, 0.7)
    for i in range(n):
        maxr = 6 if cap_from <= i < cap_to else 20
        ready = reps - sum(1 for k, v in ready_at.items() if v > i and k < reps)
        r = rate_fn(i / (n - 1)) * (1 + noise[i])
        u = 4 + 0.075 * r / max(ready, 1)
        want = reps if abs(u / 60 - 1) <= 0.1 or ready < reps else math.ceil(ready * u / 60)
        hist = (hist + [want])[-5:]
        new = max(want, reps) if want > reps else max(hist)
        new = max(3, min(maxr, new))
        if new > reps:
            for k in range(reps, new):
                ready_at[k] = i + 2
        N.append(reps)
        U.append(u)
        DES.append(want)
        MAXR.append(maxr)
        SHED.append(clamp((u - 92) / 40, 0, 0.6))
        reps = new
    onset = first_minute(s, lambda i: min(SHED[i:i + 3]) > 0.01)

    pods = [pod_of(rng, "eta-service") for _ in range(20)]

    def rho(i: int) -> float:
        return min(U[i], 99.0) / 100

    def shed(t, rid, ep):
        i = s.idx(t.strftime("%H:%M"))
        if rng.random() < 0.3:
            s.log(t, "WARN", "", "load shedding: rejecting request", APP, path=ep.split(" ")[1].split("{")[0],
                  inflight=64, limit=64, pod=rng.choice(pods[:N[i]]), request_id=rid)

    def each(i: int) -> None:
        t0 = s.minute(i)
        # HPA watch output every 2 minutes (and on changes)
        if i == 0:
            s.log(s.when(i, 0, 1), "INFO", "", "NAME          REFERENCE                TARGETS         MINPODS   MAXPODS   "
                  "REPLICAS   AGE", HPA)
        if i % 2 == 0 or (i and (N[i] != N[i - 1] or MAXR[i] != MAXR[i - 1])):
            s.log(s.when(i, 1, 4), "INFO", "", f"eta-service   Deployment/eta-service   cpu: {int(U[i] * 1.0)}%/60%   "
                  f"{' ' * (6 - len(str(int(U[i]))))}3         {MAXR[i]:<9} {N[i]:<10} 212d", HPA)
        if i and N[i] != N[i - 1]:
            up = N[i] > N[i - 1]
            s.log(s.when(i, 0, 10), "INFO", "HorizontalPodAutoscaler/eta-service", f"New size: {N[i]}; reason: cpu "
                  f"resource utilization (percentage of request) {'above' if up else 'below'} target", EVT,
                  _reason="SuccessfulRescale")
            if up:
                for k in range(N[i - 1], N[i]):
                    t = s.when(i, 10, 20)
                    s.log(t, "INFO", f"Pod/{pods[k]}", f"Successfully assigned delivery/{pods[k]} to "
                          f"ip-10-12-{rng.randint(0, 63)}-{rng.randint(2, 250)}.eu-west-1.compute.internal", EVT,
                          _reason="Scheduled", _src="default-scheduler")
                    s.log(t + timedelta(seconds=rng.uniform(8, 15)), "INFO", f"Pod/{pods[k]}", "Started container "
                          "eta-service", EVT, _reason="Started", _src="kubelet")
        if rng.random() < 0.02:
            s.log(s.when(i), "WARN", "HorizontalPodAutoscaler/eta-service", "failed to get cpu utilization: unable to get "
                  "metrics for resource cpu: no metrics returned from resource metrics API", EVT,
                  _reason="FailedGetResourceMetric")
        # per-pod worker pool stats from one pod a minute
        p = rng.choice(pods[:N[i]])
        busy = int(min(64, 64 * rho(i) * rng.uniform(0.85, 1.05)))
        queued = int(max(0, (U[i] - 85) * 6 * rng.uniform(0.7, 1.2))) if U[i] > 85 else rng.randint(0, 2)
        s.log(s.when(i, 0, 3), "WARN" if queued > 40 else "INFO", "", "worker pool", APP, pod=p, busy=busy, size=64,
              queued=queued, p99_queue_wait_ms=int(max(1, (rho(i) / (1 - rho(i)) - 1.5) * 180)) if rho(i) > 0.75 else
              rng.randint(0, 4))
        if t0.minute % 10 == 3:
            s.log(s.when(i), "INFO", "", "road graph tiles refreshed", APP, tiles=rng.randint(1800, 1900),
                  took_ms=rng.randint(2000, 5000), pod=p)
        if U[i] > 88:
            for _ in range(poisson(rng, 1.5)):
                s.log(after(s.when(i), s.minute(i)), "WARN", "", "slow ETA computation", APP,
                      took_ms=rng.randint(900, 4000), stage=rng.choice(["queue", "route", "queue", "queue"]), pod=p)

    def effect(i: int) -> Eff:
        rh = rho(i)
        lat = (1 + 0.12 * rh / (1 - rh)) / 1.18
        cpu = min(U[i], 97.0) + rng.gauss(0, 1.2) + (3 if i in app_deploys else 0)
        return Eff(fail={"": SHED[i]} if SHED[i] > 0 else {}, status=503, fail_ms=3 + 40 * SHED[i],
                   lat_mult={"": lat}, cpu_add=cpu, mem_add=2 * max(0.0, rh - 0.8), cause=shed)

    agents = ["QuickBite/9.14.0 (iPhone; iOS 17.6; Scale/3.00)", "QuickBite/9.14.0 (Android 14; SM-S918B)",
              "QuickBiteCourier/4.2.1 (Android 13)", "okhttp/4.12.0"]

    def access(t, method, path, status, took, rid, pod):
        tgt = f"10.12.{rng.randint(0, 63)}.{rng.randint(2, 250)}"
        s.log(t, level_of(status), "", "", ALB, client=f"{ip(rng, rng.choice(['85.', '92.', '178.', '31.']))}:"
              f"{rng.randint(20000, 65000)}", target=tgt, target_s=took / 1000, total_ms=took, status=status,
              tstatus=status, recv=rng.randint(300, 900), sent=rng.randint(400, 3000) if status < 400 else 162,
              method=method, path=path, ua=rng.choice(agents), rid=hexid(rng, 24))

    rolled: set[str] = set()

    def restart(t, old, new, version):
        if version.startswith("chart-") or version in rolled:
            return  # a chart change only touches the HPA object; an app rollout replaces every running pod once
        rolled.add(version)
        i = s.idx(t.strftime("%H:%M"))
        t0 = s.minute(i)
        for k in range(N[i]):
            tk = t0 + timedelta(seconds=4 + k * 50 / N[i] + rng.uniform(0, 2))
            fresh = pod_of(rng, "eta-service")
            s.log(tk, "INFO", "", "eta-service started", APP, pod=fresh, version=version, workers=64, admin_addr=":9090")
            s.log(tk + timedelta(seconds=rng.uniform(2, 4)), "INFO", "", "shutting down gracefully", APP, pod=pods[k],
                  signal="SIGTERM")
            pods[k] = fresh

    svc = Svc(
        name="eta-service", file=APP, comp="",
        endpoints=[("GET /v2/eta", 0.55, 38), ("POST /v2/eta/batch", 0.15, 120), ("GET /v2/couriers/{id}/eta", 0.25, 30),
                   ("GET /healthz", 0.05, 1)],
        rate=rate_fn, cpu=0, cpu_per_100=0, mem=47, access=access, restart=restart, pods=4, sample=0.0025,
        fail_sample=0.04, base_fail=0.0006, base_status=(500, 502), deploy_blip=0,
        fill=lambda r, p: p.replace("{id}", f"c{r.randint(100000, 999999)}") + (
            f"?order=o{r.randint(10**7, 10**8 - 1)}" if p == "/v2/eta" else ""),
        chatter=[
            Chatter(0.2, "WARN", "", lambda r: ("maps provider rate limited, using cached matrix", {
                    "provider": "osrm-cloud", "status": 429})),
            Chatter(0.3, "WARN", "", lambda r: ("courier location stale, falling back to last known", {
                    "courier": f"c{r.randint(100000, 999999)}", "age_s": r.randint(60, 400)})),
            Chatter(0.04, "ERROR", "", lambda r: ("restaurant prep-time model returned NaN, using default 12m", {
                    "restaurant": f"r{r.randint(1000, 99999)}"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: Logrus(), ALB: AlbAccess(), EVT: KubeEvents("delivery"), HPA: Stamped()},
        "ETA endpoint slow and throwing 503s for the customer and courier apps since ~14:20 UTC, right when the "
        "afternoon rush started. we deployed 5.19.0 (vehicle type in the ETA model) at 14:10 - roll it back?",
        truth_json(True, {"deploy": "chart-2.7.0", "commits": [hc]},
                   ["maxreplicas", "max replicas", "replica", "hpa", "autoscal", "scaling"], onset, tolerance=5),
    )


# ==== 8. a new cache key layout: every lookup misses, the database drowns


@incident("listings-cache-key-prefix", "gunicorn access log + Datadog JSON app log + PostgreSQL log; v12.4.0 at 13:46Z "
          "moves listing-detail cache keys from 'listing:{id}' to 'lst:{market}:{id}': hit ratio 0.95 -> ~0, "
          "Postgres saturates, statement timeouts and pool timeouts, 500s on detail pages; rolled back at 14:31Z "
          "(the old keys are still warm); v12.3.6 at 12:35Z innocent")
def listings_cache_key_prefix() -> dict[str, bytes]:
    s = Sim(seed=480922, start="2030-09-22 12:00", minutes=240, service="listings-api")
    g, rng = s.git, s.rng
    dom = "homefind.example"
    z = g.commit("2030-09-21 10:20", f"emma.laurent@{dom}", "Detail page: show energy label",
                 ["listings/views/detail.py", "listings/serializers.py", "tests/test_detail.py"])
    g.deploy("v12.3.5", "2030-09-21 16:00", [z])
    a = g.commit("2030-09-22 11:40", f"kofi.mensah@{dom}", "Search: boost listings that have a virtual tour",
                 ["listings/search/ranking.py", "tests/search/test_ranking.py"])
    g.deploy("v12.3.6", "2030-09-22 12:35", [a])
    b1 = g.commit("2030-09-22 12:58", f"emma.laurent@{dom}", "Cache listing detail per market (key lst:{market}:{id})",
                  ["listings/cache.py", "listings/views/detail.py", "tests/test_cache.py"])
    b2 = g.commit("2030-09-22 13:10", f"kofi.mensah@{dom}", "Detail page: add floor plan URLs",
                  ["listings/serializers.py", "listings/models.py", "tests/test_detail.py"])
    g.deploy("v12.4.0", "2030-09-22 13:46", [b1, b2], status="rolled_back")
    g.deploy("v12.3.6", "2030-09-22 14:31", [a], status="rollback")
    g.commit("2030-09-22 15:20", f"emma.laurent@{dom}", "Per-market cache keys again, with a warm-up job and dual reads",
             ["listings/cache.py", "listings/jobs/warm_cache.py", "tests/test_cache.py"])

    ACC, APP, PG = "gunicorn-access.log", "listings-api.json", "postgresql.log"
    n = s.n
    rate_fn = gen_data.bump(5200, 7600, 0.6, 0.5)
    dep = s.idx("13:46")
    first_bad = at("2030-09-22 13:46:15")
    pods = Pods(3)

    def share(i: int) -> float:
        return rollout_share(s, i, "2030-09-22 13:46", 3, 45) - rollout_share(s, i, "2030-09-22 14:31", 3, 45)

    HIT, UTIL, FAIL = [], [], []
    for i in range(n):
        sh = share(i)
        h_new = 0.6 * (1 - math.exp(-max(0, i - dep) / 25))
        hit = sh * h_new + (1 - sh) * 0.95
        r = rate_fn(i / (n - 1))
        load = r * 0.55 * (1 - hit) * 3 + 1500
        util = load / 3800
        HIT.append(hit)
        UTIL.append(util)
        FAIL.append(max(0.0, 1 - 1 / util) if util > 1 else 0.0)

    failed_ids: set[str] = set()

    def failed(t, rid, ep):
        failed_ids.add(rid)
        t = after(t, first_bad)
        lid = rng.randint(10**6, 10**7)
        if rng.random() < 0.65:
            err = "psycopg.errors.QueryCanceled: canceling statement due to statement timeout"
        else:
            err = "psycopg_pool.PoolTimeout: couldn't get a connection after 5.00 sec"
        s.log(t, "ERROR", "listings.views.detail" if "listings" in ep else "listings.views.leads",
              "listing detail load failed" if "listings" in ep else "lead insert failed", APP,
              listing_id=lid, error=err, _trace=str(rng.getrandbits(63)))

    def each(i: int) -> None:
        u = UTIL[i]
        # cache stats from each pod once a minute
        for pod in pods.cur:
            s.log(s.when(i, 0, 3), "INFO", "listings.cache", "cache stats", APP, pod=pod,
                  hit_ratio=round(clamp(HIT[i] + rng.gauss(0, 0.01), 0, 1), 3), gets=int(rate_fn(i / (n - 1)) * 0.55 / 3),
                  evictions=rng.randint(0, 30))
        # postgres: slow statements, timeouts, checkpoints
        slow_n = 0.4 + (40 * min(1.0, u - 0.9) if u > 0.9 else 0)
        for _ in range(poisson(rng, slow_n)):
            t = after(s.when(i), first_bad) if u > 1 else s.when(i)
            d = rng.uniform(1000, 2999) if u > 1 else rng.uniform(1000, 2600)
            pid = rng.randint(20000, 40000)
            s.log(t, "INFO", f"{pid} listings_api@homefind", f"duration: {d:.3f} ms  execute <unnamed>: SELECT l.*, "
                  "a.name, a.phone, o.logo_url FROM listings l JOIN agents a ON a.id = l.agent_id JOIN offices o ON "
                  "o.id = a.office_id WHERE l.id = $1", PG)
        for _ in range(poisson(rng, 25 * FAIL[i])):
            t = after(s.when(i), first_bad)
            pid = rng.randint(20000, 40000)
            s.log(t, "ERROR", f"{pid} listings_api@homefind", "canceling statement due to statement timeout", PG)
            s.log(t + timedelta(microseconds=40), "INFO", f"{pid} listings_api@homefind", "STATEMENT:  SELECT l.*, a.name, "
                  "a.phone, o.logo_url FROM listings l JOIN agents a ON a.id = l.agent_id JOIN offices o ON o.id = "
                  "a.office_id WHERE l.id = $1", PG)
        if FAIL[i] > 0.3 and rng.random() < 0.4:
            s.log(after(s.when(i), first_bad), "FATAL", f"{rng.randint(20000, 40000)} listings_api@homefind",
                  "remaining connection slots are reserved for non-replication superuser connections", PG)
        if s.minute(i).minute % 5 == 2:
            t = s.when(i, 0, 20)
            s.log(t, "INFO", "61", "checkpoint starting: time", PG)
            s.log(t + timedelta(seconds=rng.uniform(20, 40)), "INFO", "61", f"checkpoint complete: wrote "
                  f"{rng.randint(800, 6000) if u < 1 else rng.randint(6000, 20000)} buffers; distance="
                  f"{rng.randint(8000, 90000)} kB", PG)
        if rng.random() < 0.04:
            s.log(s.when(i), "INFO", str(rng.randint(20000, 40000)), "automatic vacuum of table "
                  f"\"homefind.public.{rng.choice(['listing_views', 'saved_searches', 'leads'])}\": index scans: 1", PG)
        if rng.random() < 0.03:
            s.log(s.when(i), "INFO", f"{rng.randint(20000, 40000)} listings_api@homefind", "could not receive data from "
                  "client: Connection reset by peer", PG)

    def effect(i: int) -> Eff:
        f, u = FAIL[i], UTIL[i]
        miss = 1 - HIT[i]
        db_ms = 18 + 2600 * clamp(u - 0.75, 0, 1.2)
        return Eff(fail={"GET /v1/listings/{id}": 0.97 * miss * f, "POST /v1/leads": 0.5 * f} if f else {},
                   status=500, fail_ms=3050, lat_add={"GET /v1/listings/{id}": miss * db_ms,
                                                     "POST /v1/leads": db_ms * 0.5, "GET /v1/search": 40 * clamp(u - 1, 0, 1)},
                   cpu_add=6 * (1 - HIT[i]) * share(i) + 4 * clamp(u - 1, 0, 1), cause=failed)

    agents = UA_BROWSERS + ["HomeFind/5.2.0 (iPhone; iOS 18.0)", "HomeFind/5.2.0 (Android 15)"]

    def access(t, method, path, status, took, rid, pod):
        pods.see(pod)
        if rid in failed_ids:
            t = after(t, first_bad)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=1), "ERROR", "django.request", f"Internal Server Error: {path.split('?')[0]}",
                  APP, error=rng.choice(["elasticsearch.ConnectionTimeout: ConnectionTimeout caused by - ReadTimeoutError"
                                         "(HTTPConnectionPool(host='es-listings', port=9200): Read timed out. (read "
                                         "timeout=2))", "AttributeError: 'NoneType' object has no attribute 'geometry'"]),
                  _trace=str(rng.getrandbits(63)))
        s.log(t, level_of(status), "", "", ACC, ip=f"10.8.{rng.randint(0, 15)}.{rng.randint(2, 250)}", method=method,
              path=path, status=status, size=rng.randint(800, 30000) if status < 400 else 141, ua=rng.choice(agents),
              secs=took / 1000)

    def restart(t, old, new, version):
        pods.swap(old, new)
        s.log(t, "INFO", "gunicorn.error", "Handling signal: term", APP, pod=old)
        t2 = t + timedelta(seconds=rng.uniform(5, 8))
        s.log(t2, "INFO", "gunicorn.error", "Booting worker", APP, pod=new, version=version, workers=8)
        s.log(t2 + timedelta(milliseconds=400), "INFO", "listings.cache", "redis cache ready", APP, pod=new,
              url="redis://listings-cache.prod.svc:6379/2", default_ttl_s=86400)

    svc = Svc(
        name="listings-api", file=APP, comp="",
        endpoints=[("GET /v1/listings/{id}", 0.55, 32), ("GET /v1/search", 0.3, 120), ("GET /v1/listings/{id}/photos", 0.1, 18),
                   ("POST /v1/leads", 0.03, 90), ("GET /healthz", 0.02, 1)],
        rate=rate_fn, cpu=34, cpu_per_100=0.3, mem=58, access=access, restart=restart, pods=3, sample=0.004,
        fail_sample=0.03, base_fail=0.0007,
        fill=lambda r, p: p.replace("{id}", str(r.randint(10**6, 10**7))) + (
            f"?q={r.choice(['utrecht', 'amsterdam+noord', 'haarlem', 'leiden'])}&page={r.randint(1, 4)}"
            if p == "/v1/search" else ""),
        chatter=[
            Chatter(0.3, "WARN", "listings.search", lambda r: ("search backend slow", {"took_ms": r.randint(800, 2200),
                    "index": "listings-v42"})),
            Chatter(0.06, "ERROR", "listings.views.detail", lambda r: ("listing not found in index but requested", {
                    "listing_id": r.randint(10**6, 10**7), "error": "Http404"})),
            Chatter(0.1, "WARN", "listings.geo", lambda r: ("geocoder fallback used", {"provider": "pdok",
                    "reason": "timeout"})),
            Chatter(0.04, "ERROR", "listings.images", lambda r: ("thumbnail generation failed", {
                    "error": "PIL.UnidentifiedImageError: cannot identify image file"})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {ACC: GunicornAccess(), APP: DatadogJson(), PG: PgLog()},
        "listing pages erroring / super slow since ~13:45 UTC, postgres CPU is pegged. 12.4.0 went out right before. "
        "we rolled it back at 14:31 and it's fine now - but what exactly broke?",
        truth_json(True, {"deploy": "v12.4.0", "commits": [b1]},
                   ["cache", "hit ratio", "hit rate", "key prefix", "cache key", "cold"], "2030-09-22 13:46"),
    )


# ==== 9. an internal name stops resolving for 25 minutes; our deploy two minutes earlier (and its rollback) are innocent


@incident("payouts-dns-risk-scoring", "python-json-logger and Go logfmt in local time (-05:00) + CoreDNS via "
          "'kubectl logs --timestamps' (UTC); 18:50-19:15Z risk-scoring.internal stops resolving after a CoreDNS "
          "config reload (an infra change, not in our git): 'Temporary failure in name resolution' / 'no such host', "
          "payout creation 503s; v5.3.0 (requests/urllib3 bump) at 18:48Z and its rollback at 19:06Z change nothing; "
          "NXDOMAIN noise for search-domain expansions all day")
def payouts_dns_risk_scoring() -> dict[str, bytes]:
    s = Sim(seed=491007, start="2030-10-07 17:00", minutes=210, service="payouts-api")
    g, rng = s.git, s.rng
    dom = "ledgerline.example"
    z = g.commit("2030-10-06 15:10", f"marcus.bell@{dom}", "Payouts: validate IBAN checksum before submitting",
                 ["payouts/validation.py", "tests/test_validation.py"])
    g.deploy("v5.2.3", "2030-10-06 20:00", [z])
    a1 = g.commit("2030-10-07 15:30", f"priya.iyer@{dom}", "Payout history: add currency column to the CSV export",
                  ["payouts/export.py", "tests/test_export.py"])
    a2 = g.commit("2030-10-07 16:05", f"marcus.bell@{dom}", "Bump requests to 2.32.3 and urllib3 to 2.2.3",
                  ["requirements.txt", "requirements.lock"])
    g.deploy("v5.3.0", "2030-10-07 18:48", [a1, a2], status="rolled_back")
    g.deploy("v5.2.3", "2030-10-07 19:06", [z], status="rollback")
    c = g.commit("2030-10-07 19:52", f"priya.iyer@{dom}", "Payout list: default page size 50",
                 ["payouts/api/list.py", "tests/test_list.py"])
    g.deploy("v5.3.1", "2030-10-07 20:05", [a1, a2, c])

    APP, WRK, DNS = "payouts-api.json", "payout-dispatcher.log", "coredns.log"
    TZ = zone(-5)
    down_a, down_b = at("2030-10-07 18:50:21"), at("2030-10-07 19:15:43")
    RISK = "risk-scoring.internal"
    CD = ("coredns-7db6d8ff4d-q4v9k", "coredns-7db6d8ff4d-m2x7p")

    def dns_share(i: int) -> float:
        a, b = max(s.minute(i), down_a), min(s.minute(i + 1), down_b)
        return max(0.0, (b - a).total_seconds() / 60)

    def resolve_err(r: random.Random) -> str:
        code = "[Errno -3] Temporary failure in name resolution" if r.random() < 0.85 else \
            "[Errno -2] Name or service not known"
        return (f"HTTPSConnectionPool(host='{RISK}', port=8443): Max retries exceeded with url: /v2/score (Caused by "
                f"NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f{hexid(r, 10)}>: Failed to "
                f"resolve '{RISK}' ({code})\"))")

    def refused(t, rid, ep):
        t = after(t, down_a)
        s.log(t, "ERROR", "payouts.risk", "risk check failed, refusing payout", APP, payout_id=f"po_{hexid(rng, 12)}",
              error=resolve_err(rng), request_id=rid)

    def each(i: int) -> None:
        v = dns_share(i)
        # CoreDNS: denial log for search-path expansions all day, plus the outage
        for _ in range(poisson(rng, 3.5)):
            t = s.when(i)
            name = rng.choice(["api.stripe.com.payouts.svc.cluster.local.", "bank-gw.internal.svc.cluster.local.",
                               "risk-scoring.internal.payouts.svc.cluster.local.", "sentry.io.cluster.local.",
                               "metadata.google.internal.", "risk-scoring.internal.svc.cluster.local."])
            s.log(t, "INFO", rng.choice(CD), f"[INFO] 10.40.{rng.randint(1, 6)}.{rng.randint(2, 250)}:"
                  f"{rng.randint(30000, 60000)} - {rng.randint(1, 65535)} \"{rng.choice(['A', 'AAAA'])} IN {name} udp "
                  f"{rng.randint(40, 80)} false 512\" NXDOMAIN qr,aa,rd {rng.randint(140, 180)} 0.000{rng.randint(100, 999)}s",
                  DNS)
        for _ in range(poisson(rng, 60 * v)):
            t = after(s.when(i), down_a)
            if t >= down_b:
                continue
            src = f"10.40.{rng.randint(1, 6)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)}"
            if rng.random() < 0.6:
                s.log(t, "INFO", rng.choice(CD), f"[INFO] {src} - {rng.randint(1, 65535)} \"A IN {RISK}. udp "
                      f"{rng.randint(40, 60)} false 512\" SERVFAIL qr,rd {rng.randint(40, 60)} 2.00{rng.randint(1000, 9999)}s",
                      DNS)
            else:
                s.log(t, "ERROR", rng.choice(CD), f"[ERROR] plugin/errors: 2 {RISK}. A: read udp "
                      f"{src}->10.40.250.10:53: i/o timeout", DNS)
        for when, sha in ((at("2030-10-07 18:50:14"), "7c1e0f4b9a"), (at("2030-10-07 19:15:37"), "d94b2a61e3")):
            if s.minute(i) <= when < s.minute(i + 1):
                for pod in CD:
                    t = when + timedelta(milliseconds=rng.randint(0, 900))
                    s.log(t, "INFO", pod, "[INFO] Reloading", DNS)
                    s.log(t + timedelta(milliseconds=12), "INFO", pod, f"[INFO] plugin/reload: Running configuration "
                          f"SHA512 = {sha}{''.join(hexid(rng, 16) for _ in range(7))}{hexid(rng, 6)}", DNS)
                    s.log(t + timedelta(milliseconds=15), "INFO", pod, "[INFO] Reloading complete", DNS)
        # the Go dispatcher: re-scores scheduled payouts, dispatches batches to the bank gateway
        for _ in range(poisson(rng, 2.0)):
            t = s.when(i)
            po = f"po_{hexid(rng, 12)}"
            if v and down_a <= t < down_b:
                s.log(t, "ERROR", "rescore", "rescore failed, payout stays on hold", WRK, payout=po,
                      err=f"Post \"https://{RISK}:8443/v2/score\": dial tcp: lookup {RISK} on 10.96.0.10:53: no such host")
            else:
                s.log(t, "INFO", "rescore", "payout re-scored", WRK, payout=po, score=round(rng.uniform(0.01, 0.4), 3),
                      took_ms=rng.randint(40, 180))
        if i % 5 == 0:
            s.log(s.when(i, 0, 10), "INFO", "dispatch", "batch sent to bank gateway", WRK, host="bank-gw.internal",
                  payouts=rng.randint(30, 140), took_ms=rng.randint(300, 1500))
        if rng.random() < 0.04:
            s.log(s.when(i), "WARN", "dispatch", "bank gateway slow", WRK, host="bank-gw.internal",
                  took_ms=rng.randint(3000, 8000))
        if rng.random() < 0.015:
            s.log(s.when(i), "ERROR", "dispatch", "payout rejected by bank", WRK, payout=f"po_{hexid(rng, 12)}",
                  reason=rng.choice(["AC04 closed account", "AM04 insufficient funds", "BE05 unrecognised initiating party"]))

    def effect(i: int) -> Eff:
        v = dns_share(i)
        return Eff(fail={"POST /v1/payouts": 0.96 * v, "GET /v1/payouts/{id}/risk": 0.96 * v}, status=503,
                   fail_ms=2650, cause=refused) if v else Eff()

    def access(t, method, path, status, took, rid, pod):
        if status == 503:
            t = after(t, down_a)
        s.log(t, level_of(status), "payouts.access", f"{method} {path} {status}", APP, duration_ms=took, request_id=rid,
              pod=pod)

    def restart(t, old, new, version):
        s.log(t, "INFO", "gunicorn.error", "Handling signal: term", APP, pod=old)
        t2 = t + timedelta(seconds=rng.uniform(4, 7))
        s.log(t2, "INFO", "payouts.app", "payouts-api started", APP, pod=new, version=version,
              risk_url=f"https://{RISK}:8443", risk_timeout_s=3)
        s.log(t2 + timedelta(seconds=1), "INFO", "main", "payout-dispatcher started", WRK, version=version,
              bank_gw="bank-gw.internal", risk=f"{RISK}:8443")

    svc = Svc(
        name="payouts-api", file=APP, comp="",
        endpoints=[("POST /v1/payouts", 0.12, 340), ("GET /v1/payouts", 0.3, 45), ("GET /v1/payouts/{id}", 0.25, 25),
                   ("GET /v1/payouts/{id}/risk", 0.03, 160), ("GET /v1/balances", 0.25, 30), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(700, 980, 0.45, 0.5), cpu=22, cpu_per_100=2.0, mem=44, access=access, restart=restart,
        pods=3, sample=0.05, fail_sample=0.4, base_fail=0.0012,
        fill=lambda r, p: p.replace("{id}", f"po_{hexid(r, 12)}"),
        chatter=[
            Chatter(0.3, "WARN", "payouts.validation", lambda r: ("payout rejected", {"reason": r.choice(
                    ["IBAN checksum invalid", "amount exceeds daily limit", "beneficiary name missing"])})),
            Chatter(0.05, "ERROR", "payouts.fx", lambda r: ("FX quote expired before confirmation", {
                    "pair": r.choice(["USD/EUR", "USD/GBP", "USD/MXN"])})),
            Chatter(0.08, "WARN", "payouts.risk", lambda r: ("risk score slow", {"took_ms": r.randint(900, 2400)})),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: PyJsonLocal(TZ), WRK: LogfmtLocal(TZ), DNS: KubectlTimestamps("coredns")},
        "payouts failing with 503 'risk check unavailable' since ~1:50pm CT, right after we shipped payouts-api 5.3.0 "
        "(requests/urllib3 bump). rolled back at 2:06 and it kept failing for a while, then came back by itself?",
        truth_json(True, None, ["dns", "name resolution", "resolv", "no such host", "nxdomain", "coredns", "servfail"],
                   "2030-10-07 18:50"),
    )


# ==== 10. hedged requests leave a goroutine behind each time; two hours later the pods crawl


@incident("pricing-engine-goroutine-leak", "Go standard log + per-pod runtime stats JSON + Traefik JSON access log; "
          "v7.2.0 at 07:08Z hedges surge-svc lookups with an unbuffered result channel, so the losing goroutine "
          "blocks forever: goroutines and heap climb, GC eats CPU, latency creeps up for two hours, then from ~09:04Z "
          "'context deadline exceeded' and Traefik 504s until the rollback at 09:47Z; v7.1.4 at 06:32Z innocent")
def pricing_engine_goroutine_leak() -> dict[str, bytes]:
    s = Sim(seed=500915, start="2030-09-15 06:00", minutes=300, service="pricing-engine")
    g, rng = s.git, s.rng
    dom = "rideo.example"
    z = g.commit("2030-09-14 10:00", f"hugo.lambert@{dom}", "Tolls: add the A13 gantry at Rijswijk",
                 ["internal/tolls/gantries.yaml", "internal/tolls/gantries_test.go"])
    g.deploy("v7.1.3", "2030-09-14 14:30", [z])
    a = g.commit("2030-09-15 05:40", f"sofia.rossi@{dom}", "Fare breakdown: round tolls to cents",
                 ["internal/fare/breakdown.go", "internal/fare/breakdown_test.go"])
    g.deploy("v7.1.4", "2030-09-15 06:32", [a])
    b1 = g.commit("2030-09-14 17:05", f"hugo.lambert@{dom}", "Hedge surge-svc lookups: send a second request after "
                  "80ms and take the first answer", ["internal/surge/hedge.go", "internal/surge/client.go",
                                                     "internal/surge/hedge_test.go"])
    b2 = g.commit("2030-09-15 06:50", f"sofia.rossi@{dom}", "Log fare estimate inputs at debug level",
                  ["internal/fare/estimate.go"])
    g.deploy("v7.2.0", "2030-09-15 07:08", [b1, b2], status="rolled_back")
    g.deploy("v7.1.4", "2030-09-15 09:47", [a], status="rollback")
    g.commit("2030-09-15 10:24", f"hugo.lambert@{dom}", "surge: buffer the hedge result channel",
             ["internal/surge/hedge.go", "internal/surge/hedge_test.go"])

    APP, RT_, TRK = "pricing-engine.log", "runtime-stats.jsonl", "traefik-access.json"
    n, P = s.n, 4
    rate_fn = gen_data.bump(2600, 5200, 0.45, 0.35)
    bad_from, bad_to = s.idx("07:09"), s.idx("09:48")
    mult = [0.92, 1.0, 1.07, 0.97]
    LEAK = 0.8  # leaked goroutines per hedged request that lost the race (some hedges never fire a second call)
    G = [[0.0] * P for _ in range(n)]
    HEAP, LAT, FAIL, GCF = [], [], [], []
    gor = [0.0] * P
    lat = 70.0
    for i in range(n):
        per_pod = rate_fn(i / (n - 1)) / P
        heaps = []
        for k in range(P):
            if i == bad_from or i == bad_to:
                gor[k] = 0.0
            if bad_from <= i < bad_to:
                hedged = 0.1 + 0.25 * clamp((lat - 70) / 400, 0, 1)
                gor[k] += per_pod * hedged * mult[k] * LEAK
            G[i][k] = gor[k]
            heaps.append(0.33 + 0.55 * math.tanh(gor[k] * 3.1e-5 / 0.55))
        x = clamp(sum(gor) / P * 3.1e-5 / 0.5, 0, 1.2)
        lat = 70 * (1 + 3.6 * x ** 2.6)
        HEAP.append(heaps)
        LAT.append(lat)
        GCF.append(0.02 + 0.3 * x ** 2)
        FAIL.append(clamp((lat - 240) / 500, 0, 0.45))
    onset = first_minute(s, lambda i: min(FAIL[i:i + 3]) > 0.004)
    pods = Pods(P)
    first_bad = s.minute(s.idx(onset[11:]))

    def deadline(t, rid, ep):
        t = after(t, first_bad)
        s.log(t, "ERROR", rng.choice(["estimate.go:131", "estimate.go:131", "quote.go:77"]), "estimate failed: surge "
              f"lookup for zone {rng.choice(['ams-centrum', 'ams-zuid', 'rtm-noord', 'dh-centrum', 'utr-oost'])}: "
              "context deadline exceeded", APP, req=rid)

    def each(i: int) -> None:
        for k, pod in enumerate(pods.cur if len(pods.cur) == P else []):
            gk = int(210 + G[i][k] + rng.uniform(-15, 15))
            s.log(s.when(i, 0, 2), "INFO", "", "", RT_, pod=pod, goroutines=gk,
                  heap_inuse_mb=int(2048 * HEAP[i][k] * rng.uniform(0.97, 1.02)), gc_cpu_fraction=round(GCF[i] * rng.uniform(
                      0.9, 1.1), 3), gc_pause_p99_ms=round(0.4 + 9 * GCF[i] * rng.uniform(0.8, 1.2), 2),
                  num_gc_1m=int(6 + 140 * GCF[i] * rng.uniform(0.9, 1.1)))
        if LAT[i] > 160:
            for _ in range(poisson(rng, 0.8 * min(1.0, LAT[i] / 600))):
                s.log(s.when(i), "WARN", "estimate.go:98", f"slow estimate: {int(LAT[i] * rng.uniform(2, 6))}ms (surge "
                      f"{int(LAT[i] * rng.uniform(1.2, 4))}ms)", APP)
        if s.minute(i).minute % 20 == 7:
            s.log(s.when(i), "INFO", "tolls.go:41", f"toll gantry table reloaded: {rng.randint(188, 190)} gantries", APP)

    def effect(i: int) -> Eff:
        x = LAT[i] / 70
        return Eff(fail={"GET /v1/estimate": FAIL[i], "POST /v1/quotes": FAIL[i] * 0.8} if FAIL[i] else {}, status=504,
                   fail_ms=2000, lat_mult={"GET /v1/estimate": x, "POST /v1/quotes": x, "GET /v1/zones": 1 + (x - 1) * 0.3},
                   cpu_add=55 * GCF[i], mem=100 * sum(HEAP[i]) / P + rng.gauss(0, 0.3), cause=deadline)

    def access(t, method, path, status, took, rid, pod):
        pods.see(pod)
        if status == 504:
            t = after(t, first_bad)
        else:
            s.log(t, level_of(status), "middleware.go:33", f"{method} {path.split('?')[0]} {status} {took}ms req={rid}", APP)
        s.log(t + timedelta(milliseconds=1), "INFO", "", "", TRK, ip=ip(rng, rng.choice(["84.", "77.", "145."])),
              port=rng.randint(20000, 65000), size=rng.randint(300, 2400) if status < 400 else 15, status=status,
              took=took, method=method, path=path, rid=rid,
              up=f"http://10.30.{rng.randint(0, 7)}.{rng.randint(2, 250)}:8080" if status != 504 else "")

    def restart(t, old, new, version):
        pods.swap(old, new)
        s.log(t, "INFO", "main.go:88", f"shutting down ({old})", APP)
        s.log(t + timedelta(seconds=rng.uniform(2, 4)), "INFO", "main.go:52", f"pricing-engine {version} listening on :8080 "
              f"({new}, GOMAXPROCS=2, GOMEMLIMIT=1800MiB)", APP)

    svc = Svc(
        name="pricing-engine", file=APP, comp="",
        endpoints=[("GET /v1/estimate", 0.6, 62), ("POST /v1/quotes", 0.25, 85), ("GET /v1/zones", 0.1, 9),
                   ("GET /healthz", 0.05, 1)],
        rate=rate_fn, cpu=24, cpu_per_100=0.45, mem=33, access=access, restart=restart, pods=P, sample=0.004,
        fail_sample=0.02, base_fail=0.0005, base_status=(500, 502),
        fill=lambda r, p: p + (f"?pickup={r.uniform(51.9, 52.4):.4f},{r.uniform(4.2, 5.0):.4f}&dropoff="
                               f"{r.uniform(51.9, 52.4):.4f},{r.uniform(4.2, 5.0):.4f}" if p == "/v1/estimate" else ""),
        chatter=[
            Chatter(0.3, "WARN", "maps.go:120", lambda r: f"distance matrix provider slow: {r.randint(600, 1800)}ms"),
            Chatter(0.1, "WARN", "estimate.go:64", lambda r: "invalid pickup coordinates (0,0) from client "
                    f"{r.choice(['android/8.3.0', 'ios/8.3.1'])}"),
            Chatter(0.03, "ERROR", "quote.go:140", lambda r: f"quote {hexid(r, 10)} expired before acceptance"),
        ],
    )
    serve(s, svc, effect, each)
    return bundle(
        s, {APP: GoStdLog(), RT_: FieldsJson(), TRK: TraefikJson()},
        "fare estimates timing out in the rider app (504s) for the last few minutes, latency dashboards have been "
        "creeping up all morning. nothing deployed in the last 2 hours afaik",
        truth_json(True, {"deploy": "v7.2.0", "commits": [b1]}, ["goroutine", "leak", "hedg"], onset, tolerance=5),
    )


# ==== driver


def main(argv: list[str]) -> int:
    return gen_data.run_registry(argv, RT, DEFAULT_OUT, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
