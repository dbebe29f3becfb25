#!/usr/bin/env python3
"""Held-out incidents for red-teaming the analyst: a set written independently of the shared
scenarios and of tests/scenarios, to measure how the analysis generalizes.

Deterministic (fixed seeds), standard library only; reuses gen_data's simulation framework
(`Sim`, `Git`, `run_service`, the log writers) but its own services, wording, file names, log
formats, timings and incident shapes.

    python3 scripts/gen_holdout.py                    # write every incident to /work/holdout/<name>/
    python3 scripts/gen_holdout.py --out DIR          # somewhere else
    python3 scripts/gen_holdout.py NAME [NAME ...]    # only these
    python3 scripts/gen_holdout.py --list             # names and one line on each
    python3 scripts/gen_holdout.py --tests            # into tests/scenarios/, the long ones cut short
    python3 scripts/gen_holdout.py --tests --check    # exit 1 if tests/scenarios/ differs from what it writes

With --tests the incidents join our own scenarios (tests/analysis/test_scenarios.py runs every
directory there): the same data, with the hours after the story that only add megabytes of the
same failing lines left out (TEST_SPANS), so the repository stays small.

Layout per incident, like the shared scenarios: incident.txt, logs/*, git/recent_commits.json,
metrics/metrics.json (one point a minute, some values null where the agent missed a scrape) and
truth.json (for the scorer only; onset is when user impact begins in the data).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_data import (  # noqa: E402
    JsonLines,
    Minute,
    Noise,
    Plain,
    Profile,
    Sim,
    at,
    b36,
    bump,
    clamp,
    hexid,
    iso_ms_z,
    iso_z,
    lognorm,
    poisson,
    rollout,
    run_service,
    trend,
    truth_json,
)

DEFAULT_OUT = Path("/work/holdout")
TESTS_OUT = Path(__file__).resolve().parents[1] / "tests" / "scenarios"
# minutes of data per incident in tests/scenarios/: every deploy, the onset and the recovery (if
# any) stay inside; only the long ongoing tail goes
TEST_SPANS = {
    "tracking-consumer-lag": 200,
    "checkout-geocoder-429-config": 240,
    "media-thumbnail-pool-misc-fixes": 200,
    "storefront-keepalive-502s": 180,
    "exports-fd-leak": 220,
    "otp-sms-provider-throttling": 225,
}
_span_cap: int | None = None  # set while an incident is written for the tests


# --------------------------------------------------------------------------------------------
# writers the framework does not have: logfmt with its own key names, Python's logging layout,
# time styles (.NET's seven fraction digits, local offsets, epoch seconds)
# --------------------------------------------------------------------------------------------


def _lf(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".")
    s = str(v)
    if s == "" or any(c in s for c in ' ="\\'):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s


class KeyLogfmt:
    """logfmt with per-service key names and order, e.g. go-kit's `ts=... caller=... level=... msg=...`."""

    def __init__(self, keys: dict[str, str], order: tuple[str, ...], names: dict[str, str] | None = None,
                 time_fmt: Callable[[datetime], str] = iso_ms_z):
        self.keys, self.order, self.names, self.time_fmt = keys, order, names or {}, time_fmt

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        vals = {"time": self.time_fmt(t), "level": self.names.get(level, level.lower()), "msg": msg, "comp": comp}
        parts = [f"{self.keys[k]}={_lf(vals[k])}" for k in self.order if not (k == "comp" and not comp)]
        parts += [f"{k}={_lf(v)}" for k, v in kv.items()]
        return " ".join(parts)


class PyLogging:
    """Python's logging with `%(asctime)s %(levelname)s [%(name)s] %(message)s`: comma milliseconds,
    WARNING/CRITICAL spelled out, extra fields appended as key=value."""

    def line(self, t: datetime, level: str, comp: str, msg: str, kv: dict) -> str:
        stamp = t.strftime("%Y-%m-%d %H:%M:%S") + f",{t.microsecond // 1000:03d}"
        lvl = {"WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level)
        extra = " ".join(f"{k}={v}" for k, v in kv.items())
        return f"{stamp} {lvl} [{comp}] {msg}" + (f" {extra}" if extra else "")


def dotnet_time(t: datetime) -> str:
    """Serilog's round-trip format: seven fraction digits and an offset."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}0+00:00"


def local_time(hours: int) -> Callable[[datetime], str]:
    """ISO time in a fixed local offset (logs written in the office's time zone)."""
    tz = timezone(timedelta(hours=hours))
    return lambda t: t.astimezone(tz).isoformat(timespec="milliseconds")


def epoch_s(t: datetime) -> float:
    """zap's default `ts`: epoch seconds as a float."""
    return round(t.timestamp(), 6)


def iso_s_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def naive_us(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")


# --------------------------------------------------------------------------------------------
# output: files by time (rotations, date-named files), metrics with gaps, truth
# --------------------------------------------------------------------------------------------


def render(s: Sim, formats: dict[str, object], splits: dict[str, list[tuple[str, str]]] | None = None
           ) -> dict[str, bytes]:
    """Log files as {name: bytes}. splits maps a file to [(cut time, older file), ...]: lines before a
    cut go to the older file (gzip-compressed when its name ends in .gz). Multi-line messages
    (stack traces) stay with their first line."""
    cuts = {f: sorted((at(c), name) for c, name in lst) for f, lst in (splits or {}).items()}
    out: dict[str, list[str]] = {}
    for name in formats:
        out.setdefault(name, [])
        for _c, older in cuts.get(name, []):
            out.setdefault(older, [])
    for t, _seq, file, level, comp, msg, kv in sorted(s.events, key=lambda e: (e[0], e[1])):
        target = file
        for c, older in cuts.get(file, []):
            if t < c:
                target = older
                break
        out[target].append(formats[file].line(t, level, comp, msg, kv))
    files: dict[str, bytes] = {}
    for name, lines in out.items():
        data = ("\n".join(lines) + "\n").encode() if lines else b""
        files[name] = gzip.compress(data, compresslevel=9, mtime=0) if name.endswith(".gz") else data
    return files


def null_points(s: Sim, spans: list[tuple[str, str]], fields: tuple[str, ...] | None = None) -> None:
    """The agent missed these scrapes: the points stay, their values are null."""
    for a, b in spans:
        for p in s.metrics:
            if at(a) <= at(p["timestamp"].replace("Z", "")) <= at(b):
                for k in fields or ("cpu_usage", "memory_usage", "request_rate", "error_rate", "response_time_ms"):
                    p[k] = None


def drop_points(s: Sim, times: list[str]) -> None:
    """Points missing altogether."""
    gone = {iso_z(at(t)) for t in times}
    s.metrics[:] = [p for p in s.metrics if p["timestamp"] not in gone]


def bundle(s: Sim, formats: dict[str, object], incident: str, truth: str,
           splits: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, bytes]:
    if _span_cap is not None and _span_cap < s.n:
        # the story is simulated over its whole span (traffic curves and backlogs depend on it);
        # only what is written stops early, so the minutes kept are the holdout's minutes
        stop = s.minute(_span_cap)
        s.events[:] = [e for e in s.events if e[0] < stop]
        s.metrics[:] = [p for p in s.metrics if p["timestamp"] < iso_z(stop)]
    out = {f"logs/{k}": v for k, v in render(s, formats, splits).items()}
    out["incident.txt"] = (incident.strip() + "\n").encode()
    out["git/recent_commits.json"] = s.git.to_json().encode()
    out["metrics/metrics.json"] = (json.dumps({"service": s.service, "metrics": s.metrics}, indent=2) + "\n").encode()
    out["truth.json"] = truth.encode()
    return out


HOLDOUT: dict[str, tuple[str, Callable[[], dict[str, bytes]]]] = {}


def holdout(name: str, what: str):
    def register(fn):
        HOLDOUT[name] = (what, fn)
        return fn
    return register


def first_minute(s: Sim, pred: Callable[[int], bool]) -> str:
    """'YYYY-MM-DD HH:MM' of the first minute where pred holds (for onsets computed from the model)."""
    for i in range(s.n):
        if pred(i):
            return s.minute(i).strftime("%Y-%m-%d %H:%M")
    raise ValueError("never")


def pod_name(rng: random.Random, svc: str) -> str:
    return f"{svc}-{hexid(rng, 9)[:9]}-{b36(rng, 5).lower()}"


# --------------------------------------------------------------------------------------------
# 1. upstream FX provider outage; an unrelated deploy four minutes before the first failure
# --------------------------------------------------------------------------------------------


@holdout("pricing-fx-provider-outage", "go-kit logfmt (+.gz); FX provider times out 15:06-15:53, cached rates "
         "cover 2 min; deploy v4.22.0 at 15:02 is a red herring; a 1-minute redis blip at 13:37 is noise")
def pricing_fx_provider_outage() -> dict[str, bytes]:
    s = Sim(seed=3090309, start="2027-03-09 12:00", minutes=300, service="pricing-service")
    g, rng = s.git, s.rng
    a = g.commit("2027-03-08 10:12", "a.novak@retail.example", "Add price floor rule for clearance items",
                 ["internal/rules/floor.go", "internal/rules/floor_test.go"])
    g.deploy("v4.21.0", "2027-03-08 16:40", [a])
    b = g.commit("2027-03-09 11:20", "r.okafor@retail.example", "Cache compiled promotion rules per storefront",
                 ["internal/promotions/cache.go", "internal/promotions/cache_test.go"])
    g.deploy("v4.21.1", "2027-03-09 13:05", [b])
    c1 = g.commit("2027-03-09 14:01", "m.silva@retail.example", "Return strikethrough price in basket pricing response",
                  ["internal/api/basket.go", "internal/api/basket_test.go", "api/openapi.yaml"])
    c2 = g.commit("2027-03-09 14:25", "a.novak@retail.example", "Bump golang.org/x/text to v0.22.0", ["go.mod", "go.sum"])
    g.deploy("v4.22.0", "2027-03-09 15:02", [c1, c2])
    g.commit("2027-03-09 16:31", "r.okafor@retail.example", "WIP promotion stacking limits",
             ["internal/promotions/stacking.go"])
    out_from, out_to = s.idx("15:06"), s.idx("15:53")
    blip = s.idx("13:37")
    pairs = ["EUR/GBP", "EUR/USD", "EUR/CHF", "EUR/SEK", "EUR/PLN"]
    F = "pricing.log"

    def fx_fail(t: datetime, rid: str, ep: str) -> None:
        pair = rng.choice(pairs)
        s.log(t, "ERROR", "api/prices.go:71", "cannot localize price", F, pair=pair, sku=b36(rng, 8),
              err=f"no fx rate for {pair}: cached rate expired and refresh failed", req=rid)

    def redis_fail(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "store/redis.go:52", "promotion lookup failed", F, err="redis: connection pool timeout", req=rid)

    def incident(i: int) -> Minute:
        t = s.minute(i)
        if out_from <= i < out_to:
            for _ in range(2 if i > out_from + 1 else 1):
                s.log(s.when(i), "ERROR", "fx/client.go:118", "fx quote request failed", F, provider="fxquotes",
                      url="https://api.fxquotes.example/v3/latest?base=EUR",
                      err='Get "https://api.fxquotes.example/v3/latest?base=EUR": context deadline exceeded '
                          "(Client.Timeout exceeded while awaiting headers)", attempt="3/3")
            if i % 3 == 0:
                s.log(s.when(i), "WARN", "fx/client.go:131", "fx provider status check", F,
                      status=503, body='{"error":"service_unavailable","incident":"INC-88412"}')
        elif t.minute % 2 == 0:
            s.log(s.when(i, 0, 3), "INFO", "fx/refresher.go:40", "fx rates refreshed", F, pairs=len(pairs) + 26,
                  source="fxquotes", took_ms=int(lognorm(rng, 140)))
        if out_from + 2 <= i < out_to + 1:
            return Minute(fail=0.94, affects=("GET /v1/prices/{sku}/localized", "POST /v1/baskets"), status=502,
                          fail_ms=3000, cause=fx_fail)
        if i == blip:
            return Minute(fail=0.035, status=500, fail_ms=1000, cause=redis_fail)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return "request", {"method": method, "path": path, "code": status, "dur_ms": took, "req": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "main.go:88", "shutdown signal received, draining", F, pod=pod)
        t2 = t + timedelta(seconds=rng.uniform(4, 8))
        sim.log(t2, "INFO", "main.go:61", "server starting", F, version=version, addr=":8080", pod=pod)
        sim.log(t2 + timedelta(seconds=1.2), "INFO", "fx/refresher.go:40", "fx rates refreshed", F, pairs=31,
                source="fxquotes", took_ms=int(lognorm(rng, 160)))

    prof = Profile(
        service="pricing-service", file=F, comp="http/server.go:204",
        endpoints=[("GET /v1/prices/{sku}", 0.45, 9), ("GET /v1/prices/{sku}/localized", 0.3, 14),
                   ("POST /v1/baskets/{id}/price", 0.2, 38), ("GET /healthz", 0.05, 1)],
        rate=bump(520, 880, 0.45, 0.35), rt_ms=17, cpu=23, cpu_per_100=3.2, mem=37, access=access,
        sample=0.02, fail_sample=0.15, pods=4, restart=restart, rid=lambda r: hexid(r, 12),
        noise=[
            Noise(0.35, "WARN", "promotions/eval.go:97", lambda r: ("promotion evaluation slow", {
                "storefront": r.choice(["de", "uk", "fr", "nl"]), "rules": r.randint(40, 160),
                "took_ms": r.randint(250, 900)})),
            Noise(0.05, "ERROR", "api/prices.go:44", lambda r: ("invalid currency code", {"currency": r.choice(
                ["XBT", "EURO", "usd "]), "client": "partner-feed"})),
            Noise(0.1, "WARN", "store/redis.go:77", lambda r: ("slow redis command", {"cmd": "MGET",
                  "keys": r.randint(20, 80), "took_ms": r.randint(30, 90)})),
            Noise(0, "INFO", "catalog/sync.go:30", lambda r: ("price list sync done", {"skus": r.randint(180000, 190000),
                  "changed": r.randint(0, 400)}), every=15),
        ],
    )
    run_service(s, prof, incident)
    fmt = KeyLogfmt({"time": "ts", "comp": "caller", "level": "level", "msg": "msg"}, ("time", "comp", "level", "msg"))
    return bundle(
        s, {F: fmt}, "prices not loading for UK and US shoppers, basket says 'price unavailable'",
        truth_json(True, None, ["fx", "exchange rate", "currency rate", "provider", "upstream", "third-party",
                                "third party", "external", "dependency", "fxquotes"], "2027-03-09 15:08"),
        splits={F: [("2027-03-09 14:00", "pricing.log.1.gz")]},
    )


# --------------------------------------------------------------------------------------------
# 2. Kafka consumer lag: the culprit 90 minutes before the impact, a benign deploy in between
# --------------------------------------------------------------------------------------------

LAG_CAP_AFTER = 1170  # events a minute the projector handles after the change (was ~6,000)
LAG_BUDGET_S = 180


@holdout("tracking-consumer-lag", "python-json-logger JSON (timestamp +00:00/WARNING/message/logger) in two files "
         "(+.gz); v3.8.0 adds a per-event HTTP lookup, consumer lag grows, stale-read 503s ~90 min later; "
         "v3.8.1 (i18n) lands in between")
def tracking_consumer_lag() -> dict[str, bytes]:
    s = Sim(seed=4140414, start="2027-04-14 07:00", minutes=300, service="order-tracking")
    g, rng = s.git, s.rng
    a = g.commit("2027-04-13 10:02", "h.berg@parcel.example", "Paginate shipment events in the tracking API",
                 ["tracking/api/events.py", "tracking/api/tests/test_events.py"])
    g.deploy("v3.7.4", "2027-04-13 15:10", [a])
    c1 = g.commit("2027-04-14 07:31", "d.mensah@parcel.example", "Enrich order events with customer segment for the tracking page",
                  ["tracking/consumers/order_events.py", "tracking/clients/customers.py"])
    c2 = g.commit("2027-04-14 07:48", "h.berg@parcel.example", "Add Grafana dashboard for the tracking API",
                  ["ops/dashboards/tracking.json"])
    g.deploy("v3.8.0", "2027-04-14 08:12", [c1, c2])
    d = g.commit("2027-04-14 08:55", "l.kowalczyk@parcel.example", "Polish translations for delivery status labels",
                 ["tracking/i18n/pl.json", "tracking/api/labels.py"])
    g.deploy("v3.8.1", "2027-04-14 09:24", [d])
    g.commit("2027-04-14 10:52", "d.mensah@parcel.example", "Batch customer segment lookups in the projector",
             ["tracking/consumers/order_events.py", "tracking/clients/customers.py"])

    rate_fn = trend(700, 1350)
    n = s.n
    culprit = s.idx("08:13")
    produce = [rate_fn(i / (n - 1)) * 1.25 for i in range(n)]
    lag, stale, acc = [], [], 0.0
    for i in range(n):
        cap = 6000 if i < culprit else LAG_CAP_AFTER
        acc = max(0.0, acc + produce[i] - cap)
        lag.append(acc)
        stale.append(acc / cap * 60)
    onset = first_minute(s, lambda i: stale[i] > LAG_BUDGET_S)
    API, PJ = "tracking-api.log", "projector.log"

    def stale_read(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "tracking.api.status", "refusing to serve tracking status: projection too far behind", API,
              behind_s=int(stale[s.idx(t.strftime("%H:%M"))]), budget_s=LAG_BUDGET_S, request_id=rid)

    def incident(i: int) -> Minute:
        s.log(s.when(i, 0, 4), "INFO", "tracking.projector", "consumer group stats", PJ,
              group="orders-projector", topic="order-events", partitions=12, lag=int(lag[i]),
              processed_per_min=int(min(produce[i], 6000 if i < culprit else LAG_CAP_AFTER)))
        if i >= culprit:
            for _ in range(poisson(rng, 0.8)):
                s.log(s.when(i), "WARN", "tracking.consumers.order_events", "slow message handling", PJ,
                      took_ms=rng.randint(45, 140), step="customer_segment_lookup")
            for _ in range(poisson(rng, 0.07)):
                s.log(s.when(i), "ERROR", "tracking.clients.customers", "customer segment lookup timed out; using 'unknown'",
                      PJ, customer_id=rng.randint(10_000_000, 99_999_999), timeout_ms=500)
        if lag[i] > 2000 and i % 3 == 0:
            s.log(s.when(i, 0, 5), "WARN", "tracking.projector", "consumer lag above threshold", PJ,
                  group="orders-projector", lag=int(lag[i]), threshold=2000)
        if lag[i] > 25000 and i % 17 == 0:
            s.log(s.when(i), "WARN", "kafka.consumer", "member left group: poll interval exceeded, rebalancing", PJ,
                  group="orders-projector", member=f"projector-{rng.randint(0, 5)}", max_poll_interval_ms=300000)
        if stale[i] > LAG_BUDGET_S:
            f = clamp(0.25 + (stale[i] - LAG_BUDGET_S) / 500, 0.25, 0.9)
            return Minute(fail=f, affects=("GET /v1/orders/{id}/tracking",), status=503, fail_ms=4, cause=stale_read)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f"{method} {path} -> {status}", {"status": status, "elapsed_ms": took, "request_id": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "gunicorn.error", f"Handling signal: term ({pod})", API)
        sim.log(t + timedelta(seconds=rng.uniform(5, 9)), "INFO", "gunicorn.error",
                f"Booting worker with pid: {rng.randint(8, 60)} ({pod}, {version})", API)
        sim.log(t + timedelta(seconds=rng.uniform(10, 14)), "INFO", "kafka.consumer",
                "partitions assigned after rebalance", PJ, group="orders-projector",
                partitions=",".join(str(p) for p in sorted(rng.sample(range(12), 4))))

    prof = Profile(
        service="order-tracking", file=API, comp="tracking.api.access",
        endpoints=[("GET /v1/orders/{id}/tracking", 0.6, 35), ("GET /v1/orders/{id}/events", 0.25, 48),
                   ("POST /v1/webhooks/carrier", 0.15, 20)],
        rate=rate_fn, rt_ms=36, cpu=24, cpu_per_100=2.5, mem=46, access=access, sample=0.02, fail_sample=0.12,
        restart=restart, rid=lambda r: f"{hexid(r, 8)}-{hexid(r, 4)}",
        noise=[
            Noise(0, "INFO", "tracking.projector", lambda r: ("offsets committed", {"group": "orders-projector",
                  "partitions": 12}), file=PJ, every=1),
            Noise(0.05, "ERROR", "tracking.consumers.carrier", lambda r: ("carrier webhook payload invalid, sent to DLQ",
                  {"carrier": r.choice(["dpd", "gls", "inpost"]), "reason": "missing tracking_number"}), file=PJ),
            Noise(0.25, "WARN", "tracking.api.status", lambda r: ("order not found in projection",
                  {"order_id": r.randint(70_000_000, 79_999_999), "hint": "created < 5s ago?"})),
            Noise(0.1, "WARN", "tracking.api.access", lambda r: ("slow request", {"path": "/v1/orders/{id}/events",
                  "elapsed_ms": r.randint(800, 2200)})),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("timestamp", "level", "message", "logger", time_fmt=lambda t: t.isoformat(timespec="microseconds"),
                    names={"WARN": "WARNING", "FATAL": "CRITICAL"}, first=("time", "level", "comp", "msg"))
    return bundle(
        s, {API: fmt, PJ: fmt}, "order tracking page shows old statuses and the app gets 503s on tracking",
        truth_json(True, {"deploy": "v3.8.0", "commits": [c1]},
                   ["lag", "kafka", "backlog", "consumer", "falling behind", "stale", "throughput"], onset, tolerance=5),
        splits={PJ: [("2027-04-14 09:00", "projector.log.1.gz")]},
    )


# --------------------------------------------------------------------------------------------
# 3. false alarm: a deploy, a restart blip and a noisy but steady error background
# --------------------------------------------------------------------------------------------


@holdout("reports-deploy-false-alarm", "plain (ms) in two files; steady ~1.2% 5xx and failing exports all day; "
         "deploy v9.4.0 at 15:02 with a restart blip; nothing changed")
def reports_deploy_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=5180518, start="2027-05-18 12:30", minutes=270, service="reporting-api")
    g, rng = s.git, s.rng
    a = g.commit("2027-05-17 09:14", "k.yamada@ledgerly.example", "Cache tenant fiscal calendars for an hour",
                 ["reporting/calendars.py", "reporting/tests/test_calendars.py"])
    g.deploy("v9.3.2", "2027-05-17 14:30", [a])
    b = g.commit("2027-05-18 08:50", "f.adebayo@ledgerly.example", "Fix off-by-one in week numbers for ISO years",
                 ["reporting/dates.py"])
    g.deploy("v9.3.3", "2027-05-18 13:10", [b])
    c1 = g.commit("2027-05-18 13:40", "k.yamada@ledgerly.example", "Add a column chooser to the sales report",
                  ["reporting/api/sales.py", "reporting/api/schemas.py", "web/reports/ColumnChooser.vue"])
    c2 = g.commit("2027-05-18 14:12", "f.adebayo@ledgerly.example", "Retry export uploads once on 5xx from storage",
                  ["reporting/exports/upload.py"])
    g.deploy("v9.4.0", "2027-05-18 15:02", [c1, c2])
    API, EXP = "reporting-api.log", "exporter.log"
    dep = s.idx("15:02")

    def incident(i: int) -> Minute:
        if i == dep:
            for _ in range(3):
                s.log(s.when(i, 5, 50), "WARN", "kubelet", "readiness probe failed: HTTP probe failed with statuscode: 503", API)
        return Minute()

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "uvicorn", f"Shutting down ({pod})", API)
        sim.log(t + timedelta(seconds=rng.uniform(6, 10)), "INFO", "uvicorn", f"Started server process [{rng.randint(1, 9)}] {pod} {version}", API)
        sim.log(t + timedelta(seconds=rng.uniform(11, 13)), "INFO", "uvicorn", "Application startup complete.", API)

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f'"{method} {path} HTTP/1.1" {status} {took}ms rid={rid}', {}

    prof = Profile(
        service="reporting-api", file=API, comp="access",
        endpoints=[("GET /api/reports/sales", 0.3, 420), ("GET /api/reports/inventory", 0.2, 380),
                   ("POST /api/exports", 0.1, 90), ("GET /api/exports/{id}", 0.25, 25), ("GET /api/dashboards/{id}", 0.15, 160)],
        rate=bump(160, 260, 0.5, 0.4), rt_ms=210, cpu=31, cpu_per_100=9, mem=62, access=access,
        base_fail=0.012, sample=0.06, fail_sample=0.6, restart=restart,
        noise=[
            Noise(0.9, "ERROR", "exports", lambda r: f"export {r.randint(200000, 299999)} failed: canceling statement due to "
                  f"statement timeout (report=sales_by_sku tenant=t-{r.randint(100, 999)})", file=EXP),
            Noise(2.5, "INFO", "exports", lambda r: f"export {r.randint(200000, 299999)} done: {r.randint(100, 90000)} rows "
                  f"in {r.randint(2, 80)}s", file=EXP),
            Noise(0.3, "WARN", "db", lambda r: f"slow query {r.randint(2000, 9000)}ms: SELECT ... FROM sales_facts WHERE tenant_id = $1"),
            Noise(0.15, "ERROR", "pdf", lambda r: "PDF render failed: font 'Noto Sans CJK' not found, falling back"),
            Noise(0.2, "ERROR", "api", lambda r: f"unhandled exception in GET /api/reports/sales: KeyError: 'region' "
                  f"(tenant=t-{r.randint(100, 999)})"),
            Noise(0, "INFO", "scheduler", lambda r: f"materialized view refresh sales_daily done in {r.randint(20, 70)}s",
                  file=EXP, every=20),
        ],
    )
    run_service(s, prof, incident)
    return bundle(
        s, {API: Plain(ms=True), EXP: Plain(ms=True)},
        "did the 3pm reporting release break exports? finance says an export errored",
        truth_json(False, None, [], None),
    )


# --------------------------------------------------------------------------------------------
# 4. false alarm in alarming words: night traffic, a one-minute blip, a metrics gap
# --------------------------------------------------------------------------------------------


@holdout("identity-false-alarm-urgent", "Serilog compact JSON (@t 7 digits/@l/@m) in date-named files across "
         "midnight; nothing wrong: falling night traffic, steady failed logins, a 1-minute redis blip, "
         "a scrape gap (null points) and a missing point; the responder shouts")
def identity_false_alarm_urgent() -> dict[str, bytes]:
    s = Sim(seed=6110611, start="2027-06-10 23:40", minutes=240, service="identity")
    g, rng = s.git, s.rng
    a = g.commit("2027-06-09 11:00", "s.ivanova@bank.example", "Upgrade Duende IdentityServer to 7.0.6",
                 ["src/Identity/Identity.csproj"])
    g.deploy("2027.06.09.2", "2027-06-09 15:45", [a])
    b = g.commit("2027-06-10 10:30", "p.costa@bank.example", "Show last login time on the account page",
                 ["src/Identity/Pages/Account/Index.cshtml", "src/Identity/Services/LoginHistory.cs"])
    g.deploy("2027.06.10.1", "2027-06-10 16:20", [b])
    blip = s.idx("2027-06-11 02:47")

    def redis(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "Identity.Sessions.RedisTicketStore",
              "StackExchange.Redis.RedisTimeoutException: Timeout performing GET (5000ms), inst: 1, qs: 14", "x", RequestId=rid)

    def incident(i: int) -> Minute:
        if i == blip:
            return Minute(fail=0.06, status=500, fail_ms=5000, cause=redis)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return (f"HTTP {method} {path} responded {status} in {took}.{rng.randint(0, 9999):04d} ms",
                {"RequestMethod": method, "RequestPath": path, "StatusCode": status, "Elapsed": took, "RequestId": rid})

    prof = Profile(
        service="identity", file="x", comp="Serilog.AspNetCore.RequestLoggingMiddleware",
        endpoints=[("POST /connect/token", 0.45, 85), ("GET /connect/authorize", 0.2, 40), ("POST /account/login", 0.15, 210),
                   ("GET /.well-known/openid-configuration", 0.2, 3)],
        rate=trend(900, 140), rt_ms=70, cpu=19, cpu_per_100=1.6, mem=54, access=access, sample=0.02,
        fail_sample=0.5, rid=lambda r: f"0HN{b36(r, 7)}:{r.randint(1, 99):08X}",
        noise=[
            Noise(1.2, "WARN", "Identity.Pages.Account.Login", lambda r: (f"Login failed for user {r.randint(10**6, 10**7)}: "
                  "invalid credentials", {"Reason": "invalid_password"})),
            Noise(0.08, "WARN", "Identity.Pages.Account.Login", lambda r: ("User account locked out", {"UserId": r.randint(10**6, 10**7)})),
            Noise(0.15, "ERROR", "Duende.IdentityServer.Validation.TokenRequestValidator",
                  lambda r: ("Invalid refresh token", {"ClientId": r.choice(["mobile-ios", "mobile-android"]),
                                                       "error": "invalid_grant"})),
            Noise(0, "INFO", "Identity.Keys.KeyRotation", lambda r: ("Signing key cache refreshed", {"Keys": 2}), every=30),
        ],
    )
    run_service(s, prof, incident)
    for e in range(len(s.events)):  # one logical log, split into the day's files below
        t, seq, _f, lvl, comp, msg, kv = s.events[e]
        s.events[e] = (t, seq, "identity-20270611.json", lvl, comp, msg, kv)
    null_points(s, [("2027-06-11 03:05", "2027-06-11 03:09")])
    drop_points(s, ["2027-06-11 01:30"])
    fmt = JsonLines("@t", "@l", "@m", "SourceContext", time_fmt=dotnet_time,
                    names={"DEBUG": "Debug", "INFO": "Information", "WARN": "Warning", "ERROR": "Error", "FATAL": "Fatal"},
                    first=("time", "msg", "level", "comp"))
    return bundle(
        s, {"identity-20270611.json": fmt},
        "URGENT!!! nobody can log in, login is completely DOWN, CEO is escalating - is the auth database dead??",
        truth_json(False, None, [], None),
        splits={"identity-20270611.json": [("2027-06-11 00:00", "identity-20270610.json")]},
    )


# --------------------------------------------------------------------------------------------
# 5. a config-only change (no debounce) overruns a third party's rate limit: 429s
# --------------------------------------------------------------------------------------------


@holdout("checkout-geocoder-429-config", "JSON with local +02:00 times; a config-only commit "
         "(config/geocoder/client.yaml, 'feel instant') multiplies geocoder calls; provider 429s until a "
         "fix-forward deploy; a deploy during the incident fixes nothing")
def checkout_geocoder_429_config() -> dict[str, bytes]:
    s = Sim(seed=7060706, start="2027-07-06 09:30", minutes=300, service="checkout-bff")
    g, rng = s.git, s.rng
    a = g.commit("2027-07-05 09:40", "t.lehmann@shop.example", "Lazy-load payment methods on the review step",
                 ["src/payments/methods.ts", "src/payments/methods.test.ts"])
    g.deploy("v5.11.0", "2027-07-05 15:00", [a])
    b = g.commit("2027-07-06 08:15", "e.rossi@shop.example", "Fix rounding of shipping costs in the order summary",
                 ["src/summary/shipping.ts", "src/summary/shipping.test.ts"])
    g.deploy("v5.11.1", "2027-07-06 09:55", [b])
    c1 = g.commit("2027-07-06 10:48", "j.okoro@shop.example", "Make address autocomplete feel instant",
                  ["config/geocoder/client.yaml"])
    c2 = g.commit("2027-07-06 11:02", "e.rossi@shop.example", "Update copy on the delivery slot picker",
                  ["src/delivery/SlotPicker.copy.json"])
    g.deploy("v5.12.0", "2027-07-06 11:34", [c1, c2])
    d = g.commit("2027-07-06 12:10", "t.lehmann@shop.example", "Tag Sentry events with the release name",
                 ["src/observability/sentry.ts"])
    g.deploy("v5.12.1", "2027-07-06 12:31", [d])
    f = g.commit("2027-07-06 13:01", "j.okoro@shop.example", "Restore 250 ms debounce for address suggestions",
                 ["config/geocoder/client.yaml"])
    g.deploy("v5.12.2", "2027-07-06 13:08", [f])
    F = "checkout-bff.log"

    def throttled(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "address.geocoder", "geocoder request failed", F, status=429,
              provider="api.geoprovider.example", error="429 Too Many Requests: rate limit of 50 requests/second "
              "exceeded for key pk_live_4f2a", retryAfter=1, requestId=rid)

    def share_new(i: int) -> float:
        if i < s.idx("11:34"):
            return 0.0
        if i < s.idx("13:08"):
            return rollout(s, i, "11:34")
        return 1 - rollout(s, i, "13:08")

    def incident(i: int) -> Minute:
        sh = share_new(i)
        if sh >= 0.6:
            return Minute(fail=0.6 + 0.1 * rng.random(), affects=("GET /api/address/suggest", "POST /api/checkout/address"),
                          status=502, fail_ms=35, cause=throttled)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return "request finished", {"method": method, "url": path, "statusCode": status, "responseTimeMs": took,
                                    "requestId": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "server", "SIGTERM received, closing server", F, pod=pod)
        t2 = t + timedelta(seconds=rng.uniform(5, 8))
        sim.log(t2, "INFO", "server", "checkout-bff listening", F, port=3000, version=version, pod=pod)
        instant = version in ("v5.12.0", "v5.12.1")
        sim.log(t2 + timedelta(milliseconds=400), "INFO", "address.geocoder", "geocoder client initialised", F,
                config="config/geocoder/client.yaml", debounceMs=0 if instant else 250,
                prefetchTopSuggestion=instant, provider="api.geoprovider.example")

    prof = Profile(
        service="checkout-bff", file=F, comp="http",
        endpoints=[("GET /api/address/suggest", 0.3, 120), ("POST /api/checkout/address", 0.1, 160), ("GET /api/cart", 0.3, 40),
                   ("POST /api/checkout/submit", 0.1, 300), ("GET /api/delivery/slots", 0.2, 60)],
        rate=bump(600, 1150, 0.42, 0.3), rt_ms=95, cpu=28, cpu_per_100=2.2, mem=51, access=access,
        sample=0.015, fail_sample=0.12, restart=restart, rid=lambda r: f"{hexid(r, 8)}-{hexid(r, 4)}-{hexid(r, 4)}",
        noise=[
            Noise(0.03, "WARN", "address.geocoder", lambda r: ("geocoder throttled, retrying", {"status": 429,
                  "attempt": 1})),
            Noise(0.3, "WARN", "payments", lambda r: ("payment method lookup slow", {"provider": "adyen",
                  "ms": r.randint(900, 2500)})),
            Noise(0.08, "ERROR", "http", lambda r: ("unhandled rejection in /api/cart", {"err": "TypeError: Cannot read "
                  "properties of undefined (reading 'sku')", "stack": "at mapLine (src/cart/map.ts:41:19)"})),
            Noise(0, "INFO", "flags", lambda r: ("feature flags refreshed", {"count": 48}), every=10),
        ],
    )
    run_service(s, prof, incident)
    fmt = JsonLines("timestamp", "level", "message", "logger", time_fmt=local_time(2),
                    names={k: k.lower() for k in ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")})
    return bundle(
        s, {F: fmt}, "address step in checkout broken for many customers since before lunch",
        truth_json(True, {"deploy": "v5.12.0", "commits": [c1]},
                   ["rate limit", "rate-limit", "ratelimit", "429", "too many requests", "quota", "throttl"],
                   first_minute(s, lambda i: share_new(i) >= 0.6)),
    )


# --------------------------------------------------------------------------------------------
# 6. thread pool starvation; the culprit's message is "misc fixes", its files are in the traces
# --------------------------------------------------------------------------------------------


@holdout("media-thumbnail-pool-misc-fixes", "plain (ms) Java with multi-line stack traces; v7.4.0 'misc fixes' "
         "renders thumbnails on a bounded executor; under the rising morning load it starves (Rejected"
         "ExecutionException); v7.4.1 (message text) lands 7 min before the onset")
def media_thumbnail_pool_misc_fixes() -> dict[str, bytes]:
    s = Sim(seed=7200720, start="2027-07-20 08:30", minutes=300, service="media-service")
    g, rng = s.git, s.rng
    J = "media-service/src/main/java/com/shop/media"
    a = g.commit("2027-07-19 10:20", "b.horvath@shop.example", "Support AVIF uploads",
                 [f"{J}/codecs/AvifDecoder.java", f"{J}/codecs/DecoderRegistry.java"])
    g.deploy("v7.3.0", "2027-07-19 16:05", [a])
    b = g.commit("2027-07-20 07:40", "n.achterberg@shop.example", "Add alt-text field to the image metadata API",
                 [f"{J}/api/MetadataController.java", f"{J}/model/ImageMetadata.java"])
    g.deploy("v7.3.1", "2027-07-20 08:50", [b])
    c1 = g.commit("2027-07-20 09:12", "b.horvath@shop.example", "misc fixes",
                  [f"{J}/thumbnails/ThumbnailService.java", f"{J}/thumbnails/ThumbnailExecutorConfig.java",
                   f"{J}/api/ImageController.java"])
    c2 = g.commit("2027-07-20 09:20", "b.horvath@shop.example", "cleanup",
                  ["media-service/src/test/java/com/shop/media/thumbnails/ThumbnailServiceTest.java", "README.md"])
    c3 = g.commit("2027-07-20 09:31", "n.achterberg@shop.example", "Bump jackson-databind to 2.18.2", ["media-service/pom.xml"])
    g.deploy("v7.4.0", "2027-07-20 10:20", [c1, c2, c3])
    d = g.commit("2027-07-20 10:25", "n.achterberg@shop.example", "Clarify the upload size error message",
                 [f"{J}/api/UploadController.java", "media-service/src/main/resources/messages.properties"])
    g.deploy("v7.4.1", "2027-07-20 10:41", [d])
    rate_fn = trend(700, 1900)
    n = s.n
    cul = s.idx("10:21")
    T = rate_fn(s.idx("10:48") / (n - 1)) - 0.5
    F = "media-service.log"

    def load(i: int) -> float:
        return rate_fn(i / (n - 1)) / T if i >= cul else 0.0

    def rejected(t: datetime, rid: str, ep: str) -> None:
        obj = hexid(rng, 8)
        trace = (f"Request {rid} failed\n"
                 f"java.util.concurrent.RejectedExecutionException: Task java.util.concurrent.FutureTask@{obj}"
                 f"[Not completed] rejected from java.util.concurrent.ThreadPoolExecutor@4b1c9f0e[Running, pool size = 32, "
                 f"active threads = 32, queued tasks = 256, completed tasks = {rng.randint(1_800_000, 1_900_000)}]\n"
                 "\tat java.base/java.util.concurrent.ThreadPoolExecutor$AbortPolicy.rejectedExecution(ThreadPoolExecutor.java:2081)\n"
                 "\tat java.base/java.util.concurrent.ThreadPoolExecutor.reject(ThreadPoolExecutor.java:841)\n"
                 "\tat java.base/java.util.concurrent.ThreadPoolExecutor.execute(ThreadPoolExecutor.java:1376)\n"
                 "\tat com.shop.media.thumbnails.ThumbnailService.renderVariants(ThumbnailService.java:142)\n"
                 "\tat com.shop.media.api.ImageController.thumbnail(ImageController.java:77)\n"
                 "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n"
                 "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)")
        s.log(t, "ERROR", "ImageController", trace, F)

    def incident(i: int) -> Minute:
        x = load(i)
        if x > 0.86 and i % 2 == 0:
            s.log(s.when(i, 0, 5), "WARN", "ExecutorMetrics", f"executor thumbnail-render busy: active=32/32 "
                  f"queued={int(clamp(256 * (x - 0.8) * 4, 20, 256))}/256", F)
        if x >= 1.0:
            return Minute(fail=clamp(0.12 + (x - 1) * 2.2, 0.12, 0.7), affects=("GET /images",), status=503,
                          fail_ms=30, lat_mult=3.5, cpu_add=9, cause=rejected)
        if x > 0:
            return Minute(lat_mult=1 + 1.6 * x ** 6, cpu_add=6 * x)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f'{method} {path} status={status} time={took}ms rid={rid}', {}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "GracefulShutdown", f"Commencing graceful shutdown. Waiting for active requests to complete ({pod})", F)
        t2 = t + timedelta(seconds=rng.uniform(14, 20))
        sim.log(t2, "INFO", "MediaServiceApplication", f"Started MediaServiceApplication {version} in "
                f"{rng.uniform(11, 16):.3f} seconds (process running for {rng.uniform(12, 17):.3f}) on {pod}", F)

    def broken_pipe(r: random.Random) -> str:
        return ("Client aborted the download\norg.apache.catalina.connector.ClientAbortException: java.io.IOException: "
                "Broken pipe\n\tat org.apache.catalina.connector.OutputBuffer.realWriteBytes(OutputBuffer.java:353)\n"
                "\tat com.shop.media.api.ImageController.original(ImageController.java:121)")

    prof = Profile(
        service="media-service", file=F, comp="AccessLog",
        endpoints=[("GET /images/{hex}/thumb", 0.55, 35), ("GET /images/{hex}", 0.3, 60), ("POST /uploads", 0.05, 700),
                   ("GET /metadata/{hex}", 0.1, 12)],
        rate=rate_fn, rt_ms=60, cpu=34, cpu_per_100=1.8, mem=66, access=access, sample=0.008, fail_sample=0.05, pods=4,
        restart=restart,
        noise=[
            Noise(0.3, "WARN", "S3Storage", lambda r: f"slow GET from bucket media-originals: {r.randint(1200, 3800)}ms"),
            Noise(0.1, "ERROR", "ImageController", broken_pipe),
            Noise(0.06, "ERROR", "UploadController", lambda r: "upload rejected: unsupported format image/heic"),
            Noise(0, "INFO", "ImageCache", lambda r: f"cache stats: hit={r.uniform(0.88, 0.93):.2f} "
                  f"evictions={r.randint(200, 900)}", every=5),
            Noise(0, "INFO", "gc", lambda r: f"GC({r.randint(1000, 9999)}) Pause Young (Normal) (G1 Evacuation Pause) {r.randint(6, 20)}ms", every=3),
        ],
    )
    run_service(s, prof, incident)
    return bundle(
        s, {F: Plain(ms=True)}, "image thumbnails failing on product pages, lots of broken images",
        truth_json(True, {"deploy": "v7.4.0", "commits": [c1]},
                   ["thread pool", "threadpool", "executor", "starv", "saturat", "rejectedexecution", "worker threads"],
                   first_minute(s, lambda i: load(i) >= 1.0)),
    )


# --------------------------------------------------------------------------------------------
# 7. sidecar OOM: two JSON-lines services with different keys, k8s events in logfmt, a .gz,
#    metrics under another service name, monorepo deploy names
# --------------------------------------------------------------------------------------------


@holdout("orders-sidecar-oom", "api-gateway.jsonl (@timestamp/severity/message) + orders-worker.jsonl "
         "(time/lvl/msg) + k8s-events.log logfmt (+.gz); orders-worker@2.9.0 turns on body capture in the "
         "mesh, the istio-proxy sidecar OOMs 42 min later; api-gateway@1.45.0 lands 12 min before; metrics "
         "service 'orders-prod'")
def orders_sidecar_oom() -> dict[str, bytes]:
    s = Sim(seed=8170817, start="2027-08-17 12:30", minutes=270, service="orders-prod")
    g, rng = s.git, s.rng
    a = g.commit("2027-08-16 11:30", "c.dubois@shop.example", "gateway: allow the partner portal origin in CORS",
                 ["services/api-gateway/src/cors.ts"])
    g.deploy("api-gateway@1.44.1", "2027-08-16 17:10", [a])
    b = g.commit("2027-08-17 10:40", "v.petrov@shop.example", "orders: retry idempotent inventory reservations once",
                 ["services/orders-worker/internal/reservations/retry.go"])
    g.deploy("orders-worker@2.8.3", "2027-08-17 13:05", [b])
    c1 = g.commit("2027-08-17 13:22", "v.petrov@shop.example", "Capture request and response bodies in the mesh for the audit trail",
                  ["deploy/helm/orders-worker/values.yaml", "deploy/mesh/orders-worker-telemetry.yaml"])
    c2 = g.commit("2027-08-17 13:35", "m.haddad@shop.example", "orders: export status endpoint",
                  ["services/orders-worker/internal/api/export_status.go", "services/orders-worker/internal/api/routes.go"])
    g.deploy("orders-worker@2.9.0", "2027-08-17 14:10", [c1, c2])
    d = g.commit("2027-08-17 14:15", "c.dubois@shop.example", "gateway: gzip JSON responses over 1 KiB",
                 ["services/api-gateway/src/compression.ts", "services/api-gateway/src/server.ts"])
    g.deploy("api-gateway@1.45.0", "2027-08-17 14:40", [d])
    GW, WK, EV = "api-gateway.jsonl", "orders-worker.jsonl", "k8s-events.log"
    cul, oom_from = s.idx("14:11"), s.idx("14:52")
    workers = [pod_name(rng, "orders-worker") for _ in range(4)]
    # each worker pod's sidecar climbs to its 256Mi limit at its own time, then restarts and climbs again
    first_oom = [oom_from, oom_from + 3, oom_from + 7, oom_from + 12]
    kills: dict[int, list[str]] = {}
    for k, p in enumerate(workers):
        m = first_oom[k]
        while m < s.n:
            kills.setdefault(m, []).append(p)
            m += rng.randint(6, 10)
    frac_down = {i: len(kills.get(i, [])) for i in range(s.n)}

    def reset(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "envoy", "upstream connect error or disconnect/reset before headers. reset reason: "
              "connection termination", GW, upstream="orders-worker.orders.svc.cluster.local:8080", request_id=rid)

    def incident(i: int) -> Minute:
        if cul <= i < oom_from and i % 5 == 0:
            for k, p in enumerate(workers):
                pct = clamp(38 + 60 * (i - cul) / (first_oom[k] - cul), 0, 99)
                if pct > 75:
                    s.log(s.when(i, 0, 8), "WARN", "", "container memory above 75% of limit", EV, reason="MemoryPressure",
                          object=f"pod/{p}", container="istio-proxy", usage_pct=int(pct), limit="256Mi")
        for p in kills.get(i, []):
            t = s.when(i)
            s.log(t, "WARN", "", "Memory cgroup out of memory: Killed process (envoy)", EV, reason="OOMKilling",
                  object=f"pod/{p}", container="istio-proxy", anon_rss_kb=rng.randint(258000, 262000))
            s.log(t + timedelta(seconds=2), "WARN", "", "Container istio-proxy terminated", EV, reason="OOMKilled",
                  object=f"pod/{p}", exit_code=137, restart_count=rng.randint(1, 6))
            s.log(t + timedelta(seconds=rng.uniform(1, 3)), "ERROR", "publisher", "publish order event failed", WK,
                  pod=p, err="dial tcp 127.0.0.1:15001: connect: connection refused", topic="orders.v1")
            s.log(t + timedelta(seconds=rng.uniform(20, 40)), "INFO", "", "Started container istio-proxy", EV,
                  reason="Started", object=f"pod/{p}", container="istio-proxy")
        down = frac_down[i] + 0.5 * frac_down.get(i - 1, 0)
        if down:
            return Minute(fail=clamp(0.22 * down, 0, 0.6), affects=("POST /v2/orders", "GET /v2/orders"), status=503,
                          fail_ms=rng.uniform(8, 40), cause=reset)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f"{method} {path} {status}", {"http.status_code": status, "duration_ms": took,
                                             "upstream_cluster": "orders-worker" if "/orders" in path else "catalog",
                                             "request_id": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        svc = version.split("@")[0]
        p = pod_name(rng, svc)
        sim.log(t, "INFO", "", "Scaled up replica set", EV, reason="ScalingReplicaSet", object=f"deployment/{svc}",
                version=version)
        sim.log(t + timedelta(seconds=8), "INFO", "", "Successfully pulled image", EV, reason="Pulled", object=f"pod/{p}",
                image=f"registry.shop.example/{svc}:{version.split('@')[1]}")
        if svc == "orders-worker":
            sim.log(t + timedelta(seconds=12), "INFO", "main", "orders-worker started", WK, pod=p, version=version)

    prof = Profile(
        service="api-gateway", file=GW, comp="gateway",
        endpoints=[("POST /v2/orders", 0.12, 180), ("GET /v2/orders/{id}", 0.22, 30), ("GET /v2/catalog/{sku}", 0.46, 22),
                   ("GET /v2/me", 0.2, 12)],
        rate=bump(1300, 2100, 0.45, 0.4), rt_ms=40, cpu=41, cpu_per_100=1.3, mem=58, access=access,
        sample=0.006, fail_sample=0.1, pods=2, restart=restart,
        noise=[
            Noise(2.0, "INFO", "consumer", lambda r: ("order processed", {"order_id": r.randint(10**8, 10**9 - 1),
                  "took_ms": r.randint(30, 400)}), file=WK),
            Noise(0.12, "WARN", "reservations", lambda r: ("inventory reservation retried", {"sku": b36(r, 8),
                  "err": "409 conflict"}), file=WK),
            Noise(0.04, "ERROR", "consumer", lambda r: ("order rejected by fraud check", {"order_id": r.randint(10**8, 10**9 - 1),
                  "score": round(r.uniform(0.91, 0.99), 2)}), file=WK),
            Noise(0.2, "WARN", "gateway", lambda r: ("rate limited client", {"client_id": f"app-{r.randint(1, 40)}",
                  "limit": "100/s"})),
            Noise(0.05, "ERROR", "envoy", lambda r: ("upstream request timeout", {"upstream": "catalog.catalog.svc.cluster.local:8080"})),
            Noise(0, "INFO", "", lambda r: ("Successfully assigned pod", {"reason": "Scheduled", "object": f"pod/batch-export-{hexid(r, 5)}"}),
                  file=EV, every=30),
            Noise(0.02, "WARN", "", lambda r: ("Readiness probe failed: Get \"http://10.2.3.4:8080/ready\": context deadline exceeded",
                  {"reason": "Unhealthy", "object": f"pod/{pod_name(r, 'catalog')}"}), file=EV),
        ],
    )
    run_service(s, prof, incident)
    null_points(s, [("2027-08-17 13:41", "2027-08-17 13:42")])
    null_points(s, [("2027-08-17 15:20", "2027-08-17 15:20")], fields=("memory_usage", "cpu_usage"))
    gw = JsonLines("@timestamp", "severity", "message", "logger", time_fmt=iso_ms_z, names={"WARN": "WARNING"},
                   first=("time", "level", "comp", "msg"))
    wk = JsonLines("time", "lvl", "msg", "component", time_fmt=naive_us, names={k: k.lower() for k in ("INFO", "WARN", "ERROR")})
    ev = KeyLogfmt({"time": "time", "level": "level", "msg": "msg", "comp": "source"}, ("time", "level", "msg"),
                   names={"WARN": "warning"})
    return bundle(
        s, {GW: gw, WK: wk, EV: ev}, "orders API throwing 503s intermittently, roughly one order in six fails",
        truth_json(True, {"deploy": "orders-worker@2.9.0", "commits": [c1]},
                   ["oom", "out of memory", "out-of-memory", "sidecar", "istio-proxy", "envoy", "memory limit"],
                   "2027-08-17 14:52"),
        splits={GW: [("2027-08-17 14:00", "api-gateway.jsonl.1.gz")]},
    )


# --------------------------------------------------------------------------------------------
# 8. cache stampede after cache keys change (effectively a flush); rollback ends it
# --------------------------------------------------------------------------------------------


@holdout("catalog-cache-stampede-rollback", "logfmt (level first, ts, logger) (+.gz); v11.3.0 renames every "
         "product cache key: all misses, database overwhelmed, 504s until the rollback at 10:58")
def catalog_cache_stampede_rollback() -> dict[str, bytes]:
    s = Sim(seed=9070907, start="2027-09-07 08:30", minutes=240, service="catalog-api")
    g, rng = s.git, s.rng
    a = g.commit("2027-09-06 13:05", "o.friedman@shop.example", "Add material facet to category pages",
                 ["catalog/api/facets.py", "catalog/search/facets.py"])
    g.deploy("v11.2.0", "2027-09-06 16:30", [a])
    b = g.commit("2027-09-07 08:10", "w.zhang@shop.example", "Log slow Elasticsearch queries above 500 ms",
                 ["catalog/search/client.py"])
    g.deploy("v11.2.1", "2027-09-07 09:40", [b])
    c1 = g.commit("2027-09-07 09:52", "o.friedman@shop.example", "Namespace product cache keys by locale and currency",
                  ["catalog/cache/keys.py", "catalog/cache/tests/test_keys.py"])
    c2 = g.commit("2027-09-07 10:05", "w.zhang@shop.example", "Add 'new arrivals' sort option", ["catalog/api/sorting.py"])
    g.deploy("v11.3.0", "2027-09-07 10:30", [c1, c2], status="rolled_back")
    g.deploy("v11.2.1", "2027-09-07 10:58", [], status="rollback")
    g.commit("2027-09-07 11:40", "o.friedman@shop.example", "Warm the product cache before switching key namespace",
             ["catalog/cache/warmup.py", "catalog/cache/keys.py"])
    F = "catalog-api.log"

    def share(i: int) -> float:
        if s.idx("10:30") <= i < s.idx("10:58"):
            return rollout(s, i, "10:30")
        if s.idx("10:58") <= i <= s.idx("11:00"):
            return 1 - rollout(s, i, "10:58")
        return 0.0

    def timeout(t: datetime, rid: str, ep: str) -> None:
        s.log(t, "ERROR", "catalog.db", "product query failed", F, err="QueryCanceled: canceling statement due to statement timeout",
              statement_timeout_ms=3000, request_id=rid)

    def incident(i: int) -> Minute:
        sh = share(i)
        hit = 0.94 - 0.9 * sh + (0.03 * rng.random() if sh else 0)
        s.log(s.when(i, 0, 2), "INFO", "catalog.cache", "cache stats", F, hit_ratio=round(hit, 3),
              misses_per_min=int((1 - hit) * 14000 * rng.uniform(0.95, 1.05)), keys=rng.randint(410000, 420000))
        if sh:
            if rng.random() < 0.7:
                s.log(s.when(i), "WARN", "catalog.db", "connection pool saturated", F, in_use=40, max=40,
                      waiting=rng.randint(60, 200))
            return Minute(fail=0.35 * sh + 0.1, affects=("GET /v1/products", "GET /v1/categories"), status=504,
                          fail_ms=3050, lat_mult=1 + 12 * sh, cpu_add=14 * sh, cause=timeout)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return "handled request", {"method": method, "path": path, "status": status, "latency_ms": took, "request_id": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "gunicorn", "worker exiting", F, pod=pod)
        sim.log(t + timedelta(seconds=rng.uniform(6, 9)), "INFO", "catalog.app", "app ready", F, pod=pod, version=version,
                cache_namespace="p3:{locale}:{currency}" if version == "v11.3.0" else "p2")

    prof = Profile(
        service="catalog-api", file=F, comp="catalog.http",
        endpoints=[("GET /v1/products/{sku}", 0.5, 18), ("GET /v1/categories/{id}/products", 0.3, 45),
                   ("GET /v1/search", 0.15, 90), ("GET /v1/health", 0.05, 1)],
        rate=bump(1100, 1700, 0.4, 0.4), rt_ms=30, cpu=29, cpu_per_100=1.8, mem=49, access=access,
        sample=0.01, fail_sample=0.08, pods=3, restart=restart,
        noise=[
            Noise(0.3, "WARN", "catalog.search", lambda r: ("elasticsearch query slow", {"took_ms": r.randint(520, 1400),
                  "index": "products-v42"})),
            Noise(0.06, "ERROR", "catalog.images", lambda r: ("image CDN purge failed", {"status": 502, "retry_in_s": 30})),
            Noise(0.15, "WARN", "catalog.http", lambda r: ("unknown sort parameter, using default", {"sort": r.choice(["popular", "rel"])})),
        ],
    )
    run_service(s, prof, incident)
    fmt = KeyLogfmt({"time": "ts", "level": "level", "msg": "msg", "comp": "logger"}, ("level", "time", "comp", "msg"),
                    time_fmt=iso_s_z)
    return bundle(
        s, {F: fmt}, "product and category pages timed out for half an hour this morning, why?",
        truth_json(True, {"deploy": "v11.3.0", "commits": [c1]},
                   ["cache", "stampede", "thundering herd", "cold cache"], "2027-09-07 10:30"),
        splits={F: [("2027-09-07 10:00", "catalog-api.log.1.gz")]},
    )


# --------------------------------------------------------------------------------------------
# 9. infrastructure, no deploy at all: one node's network drops and resets connections
# --------------------------------------------------------------------------------------------


@holdout("cart-node-network-no-deploy", "zap JSON (epoch-second ts, caller) + node-problem-detector logfmt; "
         "no deployments in the data; pods on one node lose packets 03:48-04:41 until it is cordoned")
def cart_node_network_no_deploy() -> dict[str, bytes]:
    s = Sim(seed=10051005, start="2027-10-05 02:30", minutes=210, service="cart-service")
    s.git.null_undeployed = True
    g, rng = s.git, s.rng
    g.commit("2027-10-04 15:22", "g.nakamura@shop.example", "Expire abandoned carts after 30 days",
             ["internal/cart/expiry.go", "internal/cart/expiry_test.go"])
    g.commit("2027-10-04 17:05", "r.alvarez@shop.example", "Add gift-wrap option to cart line items",
             ["internal/cart/line.go", "api/cart.proto"])
    bad_node = "ip-10-20-7-88.eu-west-1.compute.internal"
    nodes = [bad_node, "ip-10-20-3-14.eu-west-1.compute.internal", "ip-10-20-9-201.eu-west-1.compute.internal"]
    pods = [(pod_name(rng, "cart"), nodes[k % 3]) for k in range(6)]
    out_from, out_to = s.idx("03:48"), s.idx("04:41")
    C, NPD = "cart.log", "node-problem-detector.log"

    def reset(t: datetime, rid: str, ep: str) -> None:
        pod = rng.choice([p for p, nd in pods if nd == bad_node])
        src = f"10.20.7.{rng.randint(130, 160)}:{rng.randint(30000, 60000)}"
        err = rng.choice([f"read tcp {src}->10.20.31.5:6379: read: connection reset by peer",
                          "dial tcp 10.20.31.5:6379: i/o timeout",
                          f"write tcp {src}->10.20.40.12:5432: write: broken pipe"])
        s.log(t, "ERROR", "store/redis.go:88", "cart operation failed", C, pod=pod, node=bad_node, error=err, request_id=rid)

    def incident(i: int) -> Minute:
        if out_from - 2 <= i < out_to:
            for _ in range(poisson(rng, 0.7)):
                s.log(s.when(i), "WARN", "kernel-monitor", "kernel: ena 0000:00:06.0 eth0: Found a Tx that wasn't completed on time, "
                      f"qid {rng.randint(0, 7)}, index {rng.randint(0, 1023)}", NPD, node=bad_node)
        if i == out_to - 3:
            s.log(s.clock("04:38:12"), "INFO", "kubelet", "node cordoned", NPD, node=bad_node, by="kubectl (oncall)")
            for p, nd in pods:
                if nd == bad_node:
                    s.log(s.clock("04:38:40"), "INFO", "kubelet", "evicting pod", NPD, node=bad_node, pod=p)
        if i == out_to:
            for k, (_p, nd) in enumerate(pods):
                if nd == bad_node:
                    np_ = pod_name(rng, "cart")
                    pods[k] = (np_, nodes[1 + k % 2])
                    s.log(s.clock("04:40:30"), "INFO", "main.go:44", "cart-service started", C, pod=np_, node=pods[k][1],
                          version="v12.7.3")
        if out_from <= i < out_to:
            return Minute(fail=0.29 + 0.05 * rng.random(), status=503, fail_ms=rng.uniform(1500, 3000), lat_mult=1.6, cause=reset)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        pod = rng.choice(pods)[0]
        return "request", {"method": method, "path": path, "status": status, "duration": took / 1000, "pod": pod,
                           "request_id": rid}

    prof = Profile(
        service="cart-service", file=C, comp="http/middleware.go:57",
        endpoints=[("POST /v1/carts/{id}/items", 0.35, 25), ("GET /v1/carts/{id}", 0.5, 8), ("DELETE /v1/carts/{id}/items/{sku}", 0.15, 14)],
        rate=bump(260, 120, 0.7, 0.35), rt_ms=14, cpu=14, cpu_per_100=4, mem=33, access=access, sample=0.04,
        fail_sample=0.25, pods=6, rid=lambda r: hexid(r, 16),
        noise=[
            Noise(0.1, "WARN", "cart/pricing.go:120", lambda r: ("price changed since item was added", {"sku": b36(r, 8)})),
            Noise(0.03, "ERROR", "cart/coupons.go:66", lambda r: ("coupon validation failed", {"error": "coupon expired"})),
            Noise(0, "INFO", "store/redis.go:30", lambda r: ("redis pool stats", {"active": r.randint(2, 9), "idle": r.randint(10, 20)}),
                  every=5),
            Noise(0, "INFO", "kubelet", lambda r: ("node status ok", {"node": r.choice(nodes), "conditions": "Ready"}), file=NPD, every=10),
        ],
    )
    run_service(s, prof, incident)
    null_points(s, [("2027-10-05 03:20", "2027-10-05 03:21")])
    zap = JsonLines("ts", "level", "msg", "caller", time_fmt=epoch_s, names={k: k.lower() for k in ("INFO", "WARN", "ERROR")},
                    first=("level", "time", "comp", "msg"))
    npd = KeyLogfmt({"time": "time", "level": "level", "msg": "msg", "comp": "source"}, ("time", "level", "comp", "msg"),
                    names={"WARN": "warning"}, time_fmt=iso_s_z)
    return bundle(
        s, {C: zap, NPD: npd}, "add to cart flaky overnight, roughly a third of calls failing - was it the release?",
        truth_json(True, None, ["node", "network", "packet loss", "nic", "infrastructure", "eth0"], "2027-10-05 03:48"),
    )


# --------------------------------------------------------------------------------------------
# 10. certificate chain: the served chain misses its intermediate; traffic drops, no 5xx
# --------------------------------------------------------------------------------------------


@holdout("partner-api-cert-chain", "logfmt; v1.19.0 serves a renewed certificate without its intermediate: "
         "45% of partners fail the TLS handshake, request rate drops, error rate flat; fixed by v1.19.1")
def partner_api_cert_chain() -> dict[str, bytes]:
    s = Sim(seed=10191019, start="2027-10-19 13:30", minutes=270, service="partner-gateway")
    g, rng = s.git, s.rng
    a = g.commit("2027-10-18 09:50", "i.sorensen@shop.example", "Rate limit per partner API key",
                 ["internal/ratelimit/partner.go", "internal/ratelimit/partner_test.go"])
    g.deploy("v1.18.4", "2027-10-18 14:00", [a])
    b = g.commit("2027-10-19 11:05", "y.cohen@shop.example", "Add OpenAPI examples for order cancellation",
                 ["api/partner-openapi.yaml"])
    g.deploy("v1.18.5", "2027-10-19 14:40", [b])
    c1 = g.commit("2027-10-19 15:20", "i.sorensen@shop.example", "Serve the renewed partners certificate",
                  ["deploy/k8s/partner-gateway/ingress-tls.yaml", "certs/partners-wildcard.pem"])
    c2 = g.commit("2027-10-19 15:31", "y.cohen@shop.example", "Include the request id in partner error responses",
                  ["internal/api/errors.go"])
    g.deploy("v1.19.0", "2027-10-19 16:02", [c1, c2])
    d = g.commit("2027-10-19 17:01", "i.sorensen@shop.example", "Serve the full chain (leaf + intermediate)",
                 ["certs/partners-wildcard.pem"])
    g.deploy("v1.19.1", "2027-10-19 17:12", [d])
    F = "partner-gateway.log"
    partners = [f"198.51.100.{k}" for k in (23, 41, 77, 102, 160, 201)] + [f"203.0.113.{k}" for k in (9, 58, 144)]

    def share(i: int) -> float:
        if s.idx("16:02") <= i < s.idx("17:12"):
            return rollout(s, i, "16:02")
        if s.idx("17:12") <= i <= s.idx("17:14"):
            return 1 - rollout(s, i, "17:12")
        return 0.0

    def incident(i: int) -> Minute:
        sh = share(i)
        if sh:
            for _ in range(poisson(rng, 14 * sh)):
                ip = rng.choice(partners[:5])
                s.log(s.when(i), "WARN", "http", f"http: TLS handshake error from {ip}:{rng.randint(30000, 65000)}: remote "
                      f"error: tls: {rng.choice(['unknown certificate authority', 'bad certificate'])}", F)
            return Minute(rate_mult=1 - 0.45 * sh)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return "request", {"method": method, "path": path, "status": status, "ms": took,
                           "partner": rng.choice(["acme-retail", "northwind", "globex", "initech", "umbrella"]), "rid": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "main", "shutting down", F, pod=pod)
        t2 = t + timedelta(seconds=rng.uniform(4, 7))
        sim.log(t2, "INFO", "main", "listening", F, addr=":8443", tls=True, version=version, pod=pod)

    prof = Profile(
        service="partner-gateway", file=F, comp="http",
        endpoints=[("POST /partner/v1/orders", 0.25, 140), ("GET /partner/v1/orders/{id}", 0.35, 25),
                   ("GET /partner/v1/catalog/{sku}", 0.4, 18)],
        rate=bump(640, 900, 0.5, 0.4), rt_ms=55, cpu=22, cpu_per_100=2.5, mem=35, access=access, sample=0.03,
        fail_sample=0.5, restart=restart,
        noise=[
            Noise(0.4, "WARN", "ratelimit", lambda r: ("partner over rate limit", {"partner": r.choice(["globex", "initech"]),
                  "limit": "50/s"})),
            Noise(0.1, "WARN", "http", lambda r: (f"http: TLS handshake error from 192.0.2.{r.randint(1, 254)}:"
                  f"{r.randint(30000, 65000)}: EOF", {})),
            Noise(0.05, "ERROR", "orders", lambda r: ("order rejected: unknown SKU", {"partner": "umbrella", "sku": b36(r, 8)})),
            Noise(0, "INFO", "certs", lambda r: ("certificate watcher: no change", {"secret": "partners-wildcard-tls"}), every=30),
        ],
    )
    run_service(s, prof, incident)
    fmt = KeyLogfmt({"time": "time", "level": "level", "msg": "msg", "comp": "component"}, ("time", "level", "msg", "comp"))
    return bundle(
        s, {F: fmt}, "several partners report they cannot reach the partner API since this afternoon",
        truth_json(True, {"deploy": "v1.19.0", "commits": [c1]},
                   ["certificate", "cert", "tls", "x509", "chain", "intermediate", "handshake"], "2027-10-19 16:02"),
    )


# --------------------------------------------------------------------------------------------
# 11. keep-alive mismatch: the proxy reuses connections the new runtime already closed
# --------------------------------------------------------------------------------------------


@holdout("storefront-keepalive-502s", "winston JSON bff.log + ingress-nginx.jsonl; v3.41.0 moves to Node 20 and "
         "drops the custom keepAliveTimeout: ~1% 502s 'upstream prematurely closed connection' for hours; "
         "the app logs nothing; metrics service 'ingress-storefront'")
def storefront_keepalive_502s() -> dict[str, bytes]:
    s = Sim(seed=11091109, start="2027-11-09 07:40", minutes=300, service="ingress-storefront")
    g, rng = s.git, s.rng
    a = g.commit("2027-11-08 10:30", "q.martin@shop.example", "Prefetch category tiles on hover",
                 ["src/components/CategoryTile.tsx"])
    g.deploy("v3.40.2", "2027-11-08 16:15", [a])
    b = g.commit("2027-11-09 07:20", "q.martin@shop.example", "Fix breadcrumb for nested categories",
                 ["src/components/Breadcrumb.tsx", "src/routes/category.ts"])
    g.deploy("v3.40.3", "2027-11-09 08:02", [b])
    c1 = g.commit("2027-11-09 08:21", "z.ahmed@shop.example", "Upgrade to Node 20 LTS and simplify the server bootstrap",
                  ["Dockerfile", ".nvmrc", "package.json", "src/server.ts"])
    c2 = g.commit("2027-11-09 08:37", "q.martin@shop.example", "Eco badge on product tiles",
                  ["src/components/EcoBadge.tsx", "src/components/ProductTile.tsx"])
    g.deploy("v3.41.0", "2027-11-09 09:05", [c1, c2])
    d = g.commit("2027-11-09 09:50", "q.martin@shop.example", "Fix Swiss franc symbol placement",
                 ["src/i18n/de-CH.json", "src/format/currency.ts"])
    g.deploy("v3.41.1", "2027-11-09 10:12", [d])
    ING, BFF = "ingress-nginx.jsonl", "bff.log"

    def new_runtime(i: int) -> float:
        return rollout(s, i, "09:05") if i >= s.idx("09:05") else 0.0

    def premature(t: datetime, rid: str, ep: str) -> None:
        path = fill(rng, ep.split(" ", 1)[1])
        up = f"10.1.4.{rng.randint(10, 60)}:3000"
        s.log(t, "ERROR", "nginx", f"upstream prematurely closed connection while reading response header from upstream, "
              f"client: 10.0.{rng.randint(0, 3)}.{rng.randint(2, 250)}, server: www.shop.example, request: \"{ep.split(' ')[0]} "
              f"{path} HTTP/1.1\", upstream: \"http://{up}{path}\", host: \"www.shop.example\"", ING, req_id=rid)

    def incident(i: int) -> Minute:
        sh = new_runtime(i)
        if sh:
            return Minute(fail=0.011 * sh * rng.uniform(0.7, 1.3), status=502, fail_ms=2, cause=premature)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f"{method} {path} {status}", {"status": status, "request_time": round(took / 1000, 3),
                                             "upstream_addr": f"10.1.4.{rng.randint(10, 60)}:3000" if status != 502 else "-",
                                             "req_id": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        node = "v20.11.1" if version in ("v3.41.0", "v3.41.1") else "v18.19.0"
        sim.log(t, "INFO", "server", "received SIGTERM, shutting down", BFF, pod=pod)
        sim.log(t + timedelta(seconds=rng.uniform(5, 8)), "INFO", "server", "server listening", BFF, port=3000,
                node=node, version=version, pod=pod)

    prof = Profile(
        service="storefront-bff", file=ING, comp="nginx",
        endpoints=[("GET /api/products/{sku}", 0.4, 45), ("GET /api/categories/{id}", 0.25, 70), ("GET /api/cart", 0.2, 30),
                   ("POST /api/cart/items", 0.1, 60), ("GET /api/session", 0.05, 8)],
        rate=bump(1500, 2600, 0.55, 0.4), rt_ms=48, cpu=30, cpu_per_100=1.1, mem=44, access=access, sample=0.01,
        fail_sample=0.6, base_fail=0.0004, pods=6, restart=restart, rid=lambda r: hexid(r, 32),
        noise=[
            Noise(0.4, "WARN", "catalog-client", lambda r: ("catalog upstream slow", {"ms": r.randint(800, 2400)}), file=BFF),
            Noise(0.06, "ERROR", "reco-client", lambda r: ("failed to fetch recommendations", {"err": "ETIMEDOUT"}), file=BFF),
            Noise(0.2, "WARN", "graphql", lambda r: ("query complexity high", {"score": r.randint(900, 1400)}), file=BFF),
            Noise(0.04, "ERROR", "nginx", lambda r: ("upstream timed out (110: Connection timed out) while reading response "
                  "header from upstream", {"upstream": f"10.1.4.{r.randint(10, 60)}:3000"})),
            Noise(0, "INFO", "server", lambda r: ("heap stats", {"heapUsedMb": r.randint(180, 260)}), file=BFF, every=5),
        ],
    )
    run_service(s, prof, incident)
    ing = JsonLines("time", "level", "msg", "logger", time_fmt=iso_s_z, names={k: k.lower() for k in ("INFO", "WARN", "ERROR")})
    bff = JsonLines("timestamp", "level", "message", "logger", names={k: k.lower() for k in ("INFO", "WARN", "ERROR")},
                    first=("level", "msg", "time", "comp"))
    return bundle(
        s, {ING: ing, BFF: bff}, "intermittent 502s on the storefront all morning, maybe 1 request in 100",
        truth_json(True, {"deploy": "v3.41.0", "commits": [c1]},
                   ["keep-alive", "keepalive", "idle timeout", "connection reset", "prematurely closed", "connection reuse"],
                   "2027-11-09 09:05"),
    )


def fill(rng: random.Random, path: str) -> str:
    for k, fn in (("{id}", lambda: str(rng.randint(1000, 99999))), ("{sku}", lambda: b36(rng, 8)),
                  ("{hex}", lambda: hexid(rng, 10))):
        while k in path:
            path = path.replace(k, fn(), 1)
    return path


# --------------------------------------------------------------------------------------------
# 12. file descriptor leak: the culprit 82 minutes before, a benign deploy 27 minutes before
# --------------------------------------------------------------------------------------------


@holdout("exports-fd-leak", "Python logging (comma ms, WARNING) (+.gz) + scheduler.log; v2.6.0 makes an S3 "
         "client per export and never closes it; open files climb to the limit; EMFILE on the three pods in turn")
def exports_fd_leak() -> dict[str, bytes]:
    s = Sim(seed=12011201, start="2027-12-01 08:30", minutes=300, service="export-service")
    g, rng = s.git, s.rng
    a = g.commit("2027-11-30 10:00", "u.lindqvist@fin.example", "Stream CSV rows instead of building the file in memory",
                 ["exports/writers/csv_writer.py", "exports/tests/test_csv_writer.py"])
    g.deploy("v2.5.0", "2027-11-30 15:30", [a])
    c1 = g.commit("2027-12-01 08:55", "x.moreau@fin.example", "Upload finished exports straight to S3 from the worker",
                  ["exports/storage/s3.py", "exports/worker.py"])
    c2 = g.commit("2027-12-01 09:05", "u.lindqvist@fin.example", "Add tenant id to the export audit log", ["exports/audit.py"])
    g.deploy("v2.6.0", "2027-12-01 09:40", [c1, c2])
    d = g.commit("2027-12-01 10:02", "x.moreau@fin.example", "Use the new logo in export notification emails",
                 ["exports/templates/email/export_ready.html", "exports/static/logo.png"])
    g.deploy("v2.6.1", "2027-12-01 10:35", [d])
    F, SCH = "exports.log", "scheduler.log"
    leak_from = s.idx("09:41")
    limit = 4096
    full = [s.idx("11:02"), s.idx("11:09"), s.idx("11:16")]
    pods = [pod_name(rng, "export-worker") for _ in range(3)]

    def fds(k: int, i: int) -> int:
        if i < leak_from:
            return 180 + rng.randint(-10, 15)
        return int(min(limit, 180 + (limit - 180) * ((i - leak_from) / (full[k] - leak_from)) ** 1.15))

    def emfile(t: datetime, rid: str, ep: str) -> None:
        k = rng.choice([j for j in range(3) if full[j] <= s.idx(t.strftime("%H:%M"))])
        if rng.random() < 0.5:
            s.log(t, "ERROR", "exports.worker", f"export {rng.randint(500000, 599999)} failed: OSError: [Errno 24] Too many open "
                  f"files: '/tmp/exports/export-{rng.randint(500000, 599999)}.csv'", F, pod=pods[k])
        else:
            s.log(t, "ERROR", "exports.storage.s3", "upload failed: botocore.exceptions.EndpointConnectionError: Could not "
                  "connect to the endpoint URL: \"https://exports-eu.s3.eu-west-1.amazonaws.com/\" ([Errno 24] Too many open files)",
                  F, pod=pods[k])

    def incident(i: int) -> Minute:
        if i % 5 == 0:
            for k, p in enumerate(pods):
                n = fds(k, i)
                s.log(s.when(i, 0, 3), "WARN" if n > 0.8 * limit else "INFO", "exports.health",
                      f"process stats open_fds={n}/{limit} rss_mb={410 + int(0.03 * n)}", F, pod=p)
        if i >= leak_from:
            for _ in range(poisson(rng, 0.5)):
                s.log(s.when(i), "WARN", "urllib3.connectionpool", "Connection pool is full, discarding connection: "
                      "exports-eu.s3.eu-west-1.amazonaws.com. Connection pool size: 10", F)
        down = sum(1 for f in full if i >= f)
        if down:
            return Minute(fail=0.3 * down * rng.uniform(0.85, 1.0), affects=("POST /v1/exports", "GET /v1/exports/{id}/download"),
                          status=500, fail_ms=40, mem=44 + 4 * down, cause=emfile)
        if i >= leak_from:
            return Minute(mem=41 + 7 * (i - leak_from) / (full[0] - leak_from))
        return Minute(mem=41 + rng.gauss(0, 0.3))

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return f'"{method} {path}" {status} {took}ms', {"rid": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "gunicorn.error", f"Handling signal: term ({pod})", F)
        sim.log(t + timedelta(seconds=rng.uniform(4, 8)), "INFO", "exports.app", f"export-service {version} ready on {pod}", F)

    prof = Profile(
        service="export-service", file=F, comp="exports.access",
        endpoints=[("POST /v1/exports", 0.2, 120), ("GET /v1/exports/{id}", 0.5, 15), ("GET /v1/exports/{id}/download", 0.3, 90)],
        rate=bump(220, 420, 0.55, 0.35), rt_ms=55, cpu=26, cpu_per_100=6, mem=41, access=access, sample=0.05,
        fail_sample=0.4, restart=restart,
        noise=[
            Noise(1.5, "INFO", "exports.worker", lambda r: f"export {r.randint(500000, 599999)} finished: {r.randint(10, 200000)} rows"),
            Noise(0.12, "ERROR", "exports.worker", lambda r: f"export {r.randint(500000, 599999)} failed: tenant "
                  f"t-{r.randint(100, 999)} has no data for the selected period"),
            Noise(0.25, "WARN", "exports.db", lambda r: f"slow query {r.randint(1500, 6000)}ms on ledger_entries"),
            Noise(0, "INFO", "beat", lambda r: "Scheduler: Sending due task cleanup_expired_exports", file=SCH, every=10),
            Noise(0.02, "ERROR", "beat", lambda r: "Task cleanup_expired_exports raised: S3 DeleteObjects partial failure (3 keys)",
                  file=SCH),
        ],
    )
    run_service(s, prof, incident)
    return bundle(
        s, {F: PyLogging(), SCH: PyLogging()}, "export downloads failing with 500s since late morning",
        truth_json(True, {"deploy": "v2.6.0", "commits": [c1]},
                   ["file descriptor", "too many open files", "errno 24", "emfile", "open files", "descriptor leak", "socket leak"],
                   "2027-12-01 11:02"),
        splits={F: [("2027-12-01 10:00", "exports.log.1.gz")]},
    )


# --------------------------------------------------------------------------------------------
# 13. the SMS provider throttles us (429) on its own; our deploy 7 minutes before touched SMS text
# --------------------------------------------------------------------------------------------


@holdout("otp-sms-provider-throttling", "logfmt in two files; the SMS provider returns 429 19:10-20:22 at "
         "unchanged traffic; v6.4.0 at 19:03 shortened the SMS template (red herring sharing the words 'sms')")
def otp_sms_provider_throttling() -> dict[str, bytes]:
    s = Sim(seed=12141214, start="2027-12-14 17:00", minutes=240, service="otp-service")
    g, rng = s.git, s.rng
    a = g.commit("2027-12-13 11:11", "k.mwangi@bank.example", "Lock out after five failed code attempts",
                 ["otp/verify.py", "otp/tests/test_verify.py"])
    g.deploy("v6.3.0", "2027-12-13 16:00", [a])
    b = g.commit("2027-12-14 15:20", "a.jensen@bank.example", "Danish translations for the login screen", ["otp/i18n/da.json"])
    g.deploy("v6.3.1", "2027-12-14 17:40", [b])
    c = g.commit("2027-12-14 18:22", "a.jensen@bank.example", "Shorten the login code SMS to fit one segment",
                 ["otp/templates/sms/login_code.txt", "otp/sms/render.py", "otp/tests/test_render.py"])
    g.deploy("v6.4.0", "2027-12-14 19:03", [c])
    API, SMS = "otp-api.log", "sms-dispatch.log"
    out_from, out_to = s.idx("19:10"), s.idx("20:22")

    def failed(t: datetime, rid: str, ep: str) -> None:
        s.log(t - timedelta(milliseconds=rng.randint(200, 1200)), "ERROR", "dispatch", "sms send failed", SMS,
              provider="smsgate", status=429, err="429 Too Many Requests: account throughput limit exceeded",
              retry_after_s=rng.choice([1, 2, 5]), attempt="3/3", request_id=rid)
        s.log(t, "ERROR", "otp", "could not deliver login code", API, channel="sms", request_id=rid)

    def incident(i: int) -> Minute:
        if out_from <= i < out_to:
            for _ in range(poisson(rng, 2)):
                s.log(s.when(i), "WARN", "dispatch", "provider throttled, backing off", SMS, provider="smsgate",
                      status=429, backoff_ms=rng.choice([500, 1000, 2000]))
            return Minute(fail=0.82, affects=("POST /v1/otp/send/sms",), status=503, fail_ms=4200, cause=failed)
        return Minute()

    def access(method: str, path: str, status: int, took: int, rid: str) -> tuple[str, dict]:
        return "http", {"method": method, "path": path, "status": status, "took_ms": took, "request_id": rid}

    def restart(sim: Sim, t: datetime, pod: str, version: str) -> None:
        sim.log(t, "INFO", "server", "worker shutting down", API, pod=pod)
        sim.log(t + timedelta(seconds=rng.uniform(5, 9)), "INFO", "server", "worker ready", API, pod=pod, version=version)

    prof = Profile(
        service="otp-service", file=API, comp="http",
        endpoints=[("POST /v1/otp/send/sms", 0.45, 900), ("POST /v1/otp/send/email", 0.15, 300), ("POST /v1/otp/verify", 0.4, 20)],
        rate=bump(300, 520, 0.5, 0.35), rt_ms=420, cpu=18, cpu_per_100=4, mem=39, access=access, sample=0.05,
        fail_sample=0.3, restart=restart,
        noise=[
            Noise(2.5, "INFO", "dispatch", lambda r: ("sms accepted by provider", {"provider": "smsgate", "segments": 1,
                  "msg_id": f"SM{hexid(r, 12)}"}), file=SMS),
            Noise(0.3, "WARN", "receipts", lambda r: ("delivery receipt: undelivered", {"reason": r.choice(["handset off",
                  "absent subscriber"])}), file=SMS),
            Noise(0.1, "ERROR", "dispatch", lambda r: ("sms rejected by provider", {"status": 400, "err": "invalid 'To' number"}),
                  file=SMS),
            Noise(0.02, "WARN", "dispatch", lambda r: ("provider throttled, backing off", {"provider": "smsgate", "status": 429,
                  "backoff_ms": 500}), file=SMS),
            Noise(0.5, "WARN", "otp", lambda r: ("wrong code entered", {"attempt": r.randint(1, 4)})),
        ],
    )
    run_service(s, prof, incident)
    fmt = KeyLogfmt({"time": "time", "level": "level", "msg": "msg", "comp": "component"}, ("time", "level", "comp", "msg"),
                    names={"WARN": "warn"})
    return bundle(
        s, {API: fmt, SMS: fmt}, "users are not getting their login codes by SMS this evening, support queue exploding",
        truth_json(True, None, ["rate limit", "rate-limit", "429", "too many requests", "throttl", "quota", "sms provider",
                                "smsgate", "provider", "upstream", "third-party", "third party"], "2027-12-14 19:10"),
    )


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------


def incident_files(name: str, *, for_tests: bool = False) -> dict[str, bytes]:
    """One incident's files; cut to its test span when it is written for tests/scenarios/."""
    global _span_cap
    _span_cap = TEST_SPANS.get(name) if for_tests else None
    try:
        return HOLDOUT[name][1]()
    finally:
        _span_cap = None


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="only these incidents (default: all)")
    ap.add_argument("--out", type=Path, default=None, help=f"output directory (default {DEFAULT_OUT})")
    ap.add_argument("--list", action="store_true", help="list the incidents and exit")
    ap.add_argument("--tests", action="store_true", help=f"write into {TESTS_OUT} with the shorter test spans")
    ap.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = ap.parse_args(argv)
    if args.list:
        for name, (what, _fn) in HOLDOUT.items():
            print(f"{name:34s} {what}")
        return 0
    unknown = [n for n in args.names if n not in HOLDOUT]
    if unknown:
        print(f"unknown incident(s): {', '.join(unknown)}; see --list", file=sys.stderr)
        return 2
    out = args.out or (TESTS_OUT if args.tests else DEFAULT_OUT)
    if args.check:
        bad = []
        for name in args.names or list(HOLDOUT):
            d = out / name
            files = incident_files(name, for_tests=args.tests)
            bad += [d / rel for rel, data in files.items() if not (d / rel).is_file() or (d / rel).read_bytes() != data]
            if d.exists():
                bad += [p for p in d.rglob("*") if p.is_file() and str(p.relative_to(d)) not in files]
        for p in bad:
            print(f"out of date: {p}")
        print(f"{len(args.names or HOLDOUT)} incidents checked, {len(bad)} files out of date")
        return 1 if bad else 0
    total = 0
    for name in args.names or list(HOLDOUT):
        d = out / name
        files = incident_files(name, for_tests=args.tests)
        if d.exists():
            for p in sorted(d.rglob("*"), reverse=True):
                if p.is_file() and str(p.relative_to(d)) not in files:
                    p.unlink()
        for rel, data in files.items():
            p = d / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            total += len(data)
        print(f"{name}: {len(files)} files")
    print(f"wrote {total / 1e6:.2f} MB under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
