#!/usr/bin/env python3
"""Red-team set 6: twelve held-out incidents in the shared scenarios' own style, with harder twists.

Written without looking at the analyst. Deterministic (fixed seeds), standard library only. Reuses
gen_data's `Sim`, `Git` and `truth_json` and gen_blind's request simulator (`serve`, `Svc`, `Eff`,
`Chatter`, `bundle`). Every incident has one logs/app.log in the seed's plain layout
`YYYY-MM-DD HH:MM:SS LEVEL [component] message` (access lines `GET /path 200 123ms`, failures with a
request_id, a traceback as one line), two to three hours of data, and other services and wording
than the shared eight. The twists: an onset 12 minutes into the data; an incident still going when
the data ends; holes and nulls in the metrics around the onset; two plausible deploys just before
the onset; a rolled-back deploy that was not the cause; a culprit 80 minutes before an OOM crash
loop with a config release 5 minutes before; false alarms (constant scary errors after a release,
the nightly traffic decline); a backfill migration in the second commit of a deploy; a worker's
disk filled by a log shipper that stopped rotating; a blocking call that exhausts the request
threads; a stack trace naming the file of a deploy's second commit, the first being a dependency bump.

    python3 scripts/gen_redteam6.py                  # every incident to /tmp/redteam6/<name>/
    python3 scripts/gen_redteam6.py NAME ...         # only these
    python3 scripts/gen_redteam6.py --out DIR        # somewhere else
    python3 scripts/gen_redteam6.py --list           # names and one line on each

Layout per incident: incident.txt, logs/app.log, git/recent_commits.json, metrics/metrics.json,
truth.json (scorer only; onset is when user impact begins in the data, UTC like the metrics).
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_blind import Chatter, Eff, Svc, _tail, bundle, level_of, ramp, rollout_share, serve  # noqa: E402
from gen_data import Sim, at, b36, clamp, hexid, poisson, registry, run_registry, trend, truth_json  # noqa: E402
from gen_redteam3 import after  # noqa: E402

DEFAULT_OUT = Path("/tmp/redteam6")
LOG = "app.log"


# ---- the seed's layout


class SeedLine:
    """`YYYY-MM-DD HH:MM:SS LEVEL [component] message`, no milliseconds (fields, if any, appended as k=v)."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%d %H:%M:%S} {level} [{comp}] {_tail(msg, kv)}"


FORMATS = {LOG: SeedLine()}


class Front:
    """Seed-style access lines: `GET /path 200 87ms`, and `... 500 31ms request_id=N` for failures.

    A failure's cause may be moved later (it cannot precede what caused it: `lo`, or the window a
    cause lives in); its access line then moves with it."""

    def __init__(self, s: Sim, comp: str, lo: datetime | None = None):
        self.s, self.comp, self.lo = s, comp, lo
        self.moved: dict[str, datetime] = {}

    def fail_at(self, t: datetime, rid: str, t2: datetime | None = None) -> datetime:
        t2 = t2 if t2 is not None else after(t, self.lo)
        self.moved[rid] = t2 + timedelta(milliseconds=self.s.rng.randint(2, 40))
        return t2

    def access(self, t, method, path, status, took, rid, pod):
        t = self.moved.pop(rid, t)
        if status >= 400:
            self.s.log(t, level_of(status), self.comp, f"{method} {path} {status} {took}ms request_id={rid}", LOG)
        else:
            self.s.log(t, "INFO", self.comp, f"{method} {path} {status} {took}ms", LOG)


def num_rid(r: random.Random) -> str:
    return str(r.randint(10_000_000, 99_999_999))


def quiet(t, old, new, version) -> None:
    """The shared scenarios' logs say nothing when pods restart."""


def boot(s: Sim, svc: str, extra: Callable[[datetime, str], None] | None = None) -> Callable:
    """A restart callback logging one short boot line per new pod (and `extra(t, version)`)."""

    def restart(t, old, new, version):
        t2 = t + timedelta(seconds=s.rng.uniform(4, 9))
        s.log(t2, "INFO", "boot", f"{svc} {version} started on {new}", LOG)
        if extra:
            extra(t2 + timedelta(milliseconds=s.rng.randint(200, 900)), version)

    return restart


def frac(s: Sim, i: int, lo: datetime, hi: datetime) -> float:
    """The share of minute i inside [lo, hi)."""
    a, b = max(s.minute(i), lo), min(s.minute(i + 1), hi)
    return max(0.0, (b - a).total_seconds() / 60.0)


def squeeze(t: datetime, lo: datetime, hi: datetime) -> datetime:
    """A time drawn anywhere in its minute, moved (order kept) into the part of that minute inside [lo, hi)."""
    m0 = t.replace(second=0, microsecond=0)
    a, b = max(m0, lo), min(m0 + timedelta(minutes=1), hi)
    if a >= b or (a == m0 and b == m0 + timedelta(minutes=1)):
        return t
    return a + (t - m0) * ((b - a) / timedelta(minutes=1))


def ms(n: float) -> timedelta:
    return timedelta(milliseconds=n)


RT, incident = registry()


# ==== 1. the onset is 12 minutes into the data: a time-zone comparison breaks availability


@incident("tablebook-tz-early-onset", "tablebook-api; data begins 07:00 and v4.7.0 lands at 07:12 (twelve minutes of "
          "baseline): its first commit compares slot times in the restaurant's zone and raises TypeError offset-naive "
          "vs offset-aware; availability + booking 500s")
def tablebook_tz_early_onset() -> dict[str, bytes]:
    s = Sim(seed=600101, start="2032-02-14 07:00", minutes=140, service="tablebook-api")
    g, rng = s.git, s.rng
    dom = "tablebook.example"
    a = g.commit("2032-02-13 10:20", f"carla.mendes@{dom}", "Return waitlist position with each reservation",
                 ["reservations/api/waitlist.py", "reservations/api/tests/test_waitlist.py"])
    g.deploy("v4.6.2", "2032-02-13 16:40", [a])
    b1 = g.commit("2032-02-14 06:18", f"jonas.weber@{dom}", "Compare slot start times in the restaurant's local time zone",
                  ["reservations/availability/slots.py", "reservations/availability/tz.py"])
    b2 = g.commit("2032-02-14 06:41", f"carla.mendes@{dom}", "Valentine's banner on the booking page",
                  ["web/booking/banner.html", "web/booking/banner.css"])
    g.deploy("v4.7.0", "2032-02-14 07:12", [b1, b2])
    front = Front(s, "api", lo=at("2032-02-14 07:12:15"))
    AV, RES = "GET /v2/restaurants/{id}/availability", "POST /v2/reservations"

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        fn = "list_slots" if ep == AV else "create_reservation"
        s.log(t, "ERROR", "availability", f"Unhandled exception in {fn}: TypeError: can't compare offset-naive and "
              "offset-aware datetimes", LOG)
        if rng.random() < 0.9:
            s.log(t + ms(1), "ERROR", "availability", 'Traceback (most recent call last): File '
                  f'"reservations/availability/tz.py", line 31, in to_local_slot (request_id={rid})', LOG)

    svc = Svc(
        name="tablebook-api", file=LOG, comp="api",
        endpoints=[(AV, 0.34, 140), (RES, 0.12, 210), ("GET /v2/reservations/{id}", 0.18, 60),
                   ("GET /v2/restaurants/{id}", 0.24, 80), ("DELETE /v2/reservations/{id}", 0.04, 90),
                   ("GET /healthz", 0.08, 3)],
        rate=trend(150, 260), cpu=24, cpu_per_100=4, mem=47, access=front.access, restart=quiet, pods=3,
        sample=0.09, fail_sample=0.12, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0, "INFO", "cache", lambda r: f"restaurant cache refreshed ({r.randint(3100, 3180)} restaurants)",
                    every=5, phase=2),
            Chatter(0.15, "INFO", "notify", lambda r: f"reminder SMS queued for reservation r{r.randint(400000, 499999)}"),
            Chatter(0.08, "WARN", "availability", lambda r: f"slot lookup slow for restaurant {r.randint(1000, 9999)}: "
                    f"{r.randint(1200, 2600)}ms (floor plan has {r.randint(40, 90)} tables)"),
            Chatter(0.05, "WARN", "payments", lambda r: f"deposit hold declined for reservation "
                    f"r{r.randint(400000, 499999)}: card_declined"),
            Chatter(0, "ERROR", "pos-sync", lambda r: f"POS sync for restaurant {r.choice([4412, 5120, 7781])} failed: "
                    "partner API returned 502, retrying in 5 min", every=20, phase=5),
        ],
    )

    def effect(i: int) -> Eff:
        sh = rollout_share(s, i, "2032-02-14 07:12", 3, 30)
        if not sh:
            return Eff()
        return Eff(fail={AV: 0.88 * sh, RES: 0.55 * sh}, status=500, fail_ms=38, cause=bad)

    serve(s, svc, effect)
    return bundle(
        s, FORMATS, "Valentine's day and the booking widget is erroring for lots of diners, restaurants are calling us",
        truth_json(True, {"deploy": "v4.7.0", "commits": [b1]},
                   ["offset-naive", "naive", "timezone", "time zone", "datetime"], "2032-02-14 07:12"),
    )


# ==== 2. still going when the data ends: a 400ms client timeout against a slower pricing engine


@incident("quotes-timeout-ongoing", "insurance-quotes; v12.1.0 at 11:10 tightens the pricing-engine client to 400ms "
          "and no retries while the engine's p95 is 500-800ms; quote/bind 504s, growing with user retries, until the "
          "data ends at 11:30 (twenty minutes in); v12.0.3 at 09:52 harmless")
def quotes_timeout_ongoing() -> dict[str, bytes]:
    s = Sim(seed=600202, start="2032-03-09 09:10", minutes=140, service="insurance-quotes")
    g, rng = s.git, s.rng
    dom = "coverly.example"
    a = g.commit("2032-03-08 14:02", f"ama.owusu@{dom}", "Vehicle lookup: accept lowercase registration plates",
                 ["quotes/vehicles/lookup.py"])
    g.deploy("v12.0.2", "2032-03-08 16:15", [a])
    b = g.commit("2032-03-09 08:31", f"ryan.cole@{dom}", "Add postcode district to the quote audit log",
                 ["quotes/audit.py", "quotes/tests/test_audit.py"])
    g.deploy("v12.0.3", "2032-03-09 09:52", [b])
    c1 = g.commit("2032-03-09 10:05", f"ama.owusu@{dom}", "Pricing client: tighter timeouts so quote pages never hang",
                  ["quotes/clients/pricing_engine.py", "config/clients.yaml"])
    c2 = g.commit("2032-03-09 10:26", f"ryan.cole@{dom}", "Quote PDF: insurer logo in the header",
                  ["quotes/pdf/render.py", "quotes/pdf/assets/logo.svg"])
    g.deploy("v12.1.0", "2032-03-09 11:10", [c1, c2])
    onset = s.idx("11:10")
    front = Front(s, "api", lo=at("2032-03-09 11:10:15"))
    Q, BIND = "POST /v1/quotes", "POST /v1/quotes/{id}/bind"

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        s.log(t - ms(rng.randint(1, 5)), "ERROR", "pricing-client", "POST http://pricing-engine.internal/v3/price "
              "timed out after 400ms (attempt 1 of 1)", LOG)
        what = "quote" if ep == Q else "bind"
        s.log(t, "ERROR", "quotes", f"{what} q_{hexid(rng, 10)} failed: pricing engine unavailable, returning 504", LOG)

    def client_cfg(t, version):
        if version == "v12.1.0":
            s.log(t, "INFO", "pricing-client", "pricing-engine client configured: timeout=400ms retries=0", LOG)
        else:
            s.log(t, "INFO", "pricing-client", "pricing-engine client configured: timeout=2500ms retries=2", LOG)

    svc = Svc(
        name="insurance-quotes", file=LOG, comp="api",
        endpoints=[(Q, 0.42, 690), ("GET /v1/quotes/{id}", 0.3, 45), (BIND, 0.08, 820),
                   ("GET /v1/vehicles/lookup", 0.14, 120), ("GET /healthz", 0.06, 2)],
        rate=trend(170, 300), cpu=29, cpu_per_100=5, mem=53, access=front.access,
        restart=boot(s, "insurance-quotes", client_cfg), pods=3, sample=0.11, fail_sample=0.15, base_fail=0.0009,
        rid=num_rid,
        chatter=[
            Chatter(0.45, "WARN", "pricing-client", lambda r: f"pricing-engine slow: {r.randint(520, 1500)}ms for "
                    "POST /v3/price"),
            Chatter(0, "INFO", "pricing-client", lambda r: f"pricing-engine latency last 5m: p50={r.randint(280, 340)}ms "
                    f"p95={r.randint(540, 790)}ms", every=5, phase=1),
            Chatter(0.1, "WARN", "vehicles", lambda r: f"DVLA lookup returned no match for plate {b36(r, 7)}"),
            Chatter(0, "ERROR", "events", lambda r: "failed to publish quote events to kafka: broker "
                    "kafka-2.internal:9092 not available, buffered 250 events", every=25, phase=11),
            Chatter(0, "INFO", "cache", lambda r: f"rating tables cache hit ratio {r.uniform(0.9, 0.97):.2f}", every=5),
        ],
    )

    def effect(i: int) -> Eff:
        sh = rollout_share(s, i, "2032-03-09 11:10", 3, 40)
        if not sh:
            return Eff()
        sev = sh * (0.48 + 0.22 * ramp(i, onset, 15))
        return Eff(fail={Q: sev, BIND: sev}, status=504, fail_ms=404, rate_mult=1 + 0.18 * ramp(i, onset, 12),
                   cause=bad)

    serve(s, svc, effect)
    return bundle(
        s, FORMATS, "quotes are failing for a big chunk of users right now, started maybe 15-20 min ago and it looks like "
        "it's getting worse",
        truth_json(True, {"deploy": "v12.1.0", "commits": [c1]},
                   ["timeout", "timed out", "pricing-engine", "pricing engine"], "2032-03-09 11:10"),
    )


# ==== 3. holes and nulls in the metrics around the onset: more threads, same DB pool


@incident("parcels-pool-metric-gaps", "parcel-tracking-api; v5.9.0 at 10:44 runs 16 threads per worker with the "
          "SQLAlchemy pool still at 10+5; from 10:56 QueuePool timeouts and 500s; the metrics miss 10:21-10:23 and "
          "10:53-10:56 (the onset) and have nulls at 10:35, 10:52, 10:57, 10:59, 11:02")
def parcels_pool_metric_gaps() -> dict[str, bytes]:
    s = Sim(seed=600303, start="2032-04-21 10:00", minutes=150, service="parcel-tracking-api")
    g, rng = s.git, s.rng
    dom = "parcelhub.example"
    a = g.commit("2032-04-20 11:40", f"lotte.jansen@{dom}", "Expose estimated delivery window in tracking events",
                 ["tracking/api/events.py", "tracking/tests/test_events.py"])
    g.deploy("v5.8.4", "2032-04-20 15:05", [a])
    c1 = g.commit("2032-04-21 09:12", f"pawel.nowak@{dom}", "Serve tracking pages with 16 threads per gunicorn worker",
                  ["deploy/gunicorn.conf.py"])
    c2 = g.commit("2032-04-21 09:50", f"lotte.jansen@{dom}", "Carrier logo URL in the tracking response",
                  ["tracking/api/serializers.py", "tracking/static/carriers.json"])
    g.deploy("v5.9.0", "2032-04-21 10:44", [c1, c2])
    on = s.idx("10:56")
    front = Front(s, "api")
    P, EV, HOOK = "GET /v1/parcels/{id}", "GET /v1/parcels/{id}/events", "POST /v1/webhooks/carrier"
    qp = ("sqlalchemy.exc.TimeoutError: QueuePool limit of size 10 overflow 5 reached, connection timed out, "
          "timeout 10.00")

    def sev(i: int) -> float:
        return ramp(i, on, 4) * clamp(0.55 + 0.004 * (i - on), 0.0, 0.8)

    def bad(t, rid, ep):
        front.fail_at(t, rid)
        s.log(t, "ERROR", "db", f"{qp} (request_id={rid})", LOG)

    def threads(t, version):
        s.log(t, "INFO", "boot", f"gunicorn: booting worker with pid {rng.randint(900, 9000)} "
              f"(threads={16 if version == 'v5.9.0' else 4})", LOG)

    def each(i: int) -> None:
        sv = sev(i)
        if s.idx("10:54") <= i < on:
            for _ in range(poisson(rng, 1.2 + 1.2 * (i - s.idx("10:54")))):
                s.log(s.when(i), "WARN", "db", f"waited {rng.randint(1200, 4800)}ms for a connection from the pool "
                      "(size=10 overflow=5 checked_out=15)", LOG)
        if sv > 0:
            for _ in range(poisson(rng, 1.5 * sv)):
                s.log(s.when(i), "ERROR", "worker", f"carrier event batch {hexid(rng, 8)} failed: {qp}; retry in 30s",
                      LOG)
        if i % 5 == 0:
            if sv > 0:
                co, ov, wt = 15, 5, int(20 + 60 * sv + rng.uniform(-5, 8))
            elif i >= s.idx("10:45"):
                co, ov, wt = rng.randint(11, 14), rng.randint(1, 4), 0
            else:
                co, ov, wt = rng.randint(3, 8), 0, 0
            s.log(s.when(i, 0, 2), "INFO", "db", f"pool stats: size=10 checked_out={co} overflow={ov}/5 waiting={wt}",
                  LOG)

    svc = Svc(
        name="parcel-tracking-api", file=LOG, comp="api",
        endpoints=[(P, 0.55, 95), (EV, 0.24, 130), (HOOK, 0.15, 60), ("GET /healthz", 0.06, 2)],
        rate=trend(190, 380), cpu=27, cpu_per_100=4, mem=49, access=front.access,
        restart=boot(s, "parcel-tracking-api", threads), pods=3, sample=0.08, fail_sample=0.08, base_fail=0.0008,
        rid=num_rid,
        chatter=[
            Chatter(0.3, "WARN", "carriers", lambda r: f"carrier {r.choice(['dpd', 'gls', 'postnl'])} webhook "
                    f"signature missing, accepted from allow-listed IP 203.0.113.{r.randint(2, 250)}"),
            Chatter(0, "INFO", "cache", lambda r: f"parcel cache hit ratio {r.uniform(0.78, 0.86):.2f}", every=5,
                    phase=2),
            Chatter(0.06, "WARN", "api", lambda r: f"slow request GET /v1/parcels/{r.randint(10000, 9999999)} took "
                    f"{r.randint(2100, 3900)}ms"),
            Chatter(0, "ERROR", "geo", lambda r: "geocoder quota warning: 91% of daily requests used, falling back to "
                    "postcode centroids", every=30, phase=17),
        ],
    )

    def effect(i: int) -> Eff:
        sv = sev(i)
        if not sv:
            return Eff()
        return Eff(fail={P: 0.7 * sv, EV: 0.7 * sv, HOOK: 0.6 * sv}, status=500, fail_ms=10020,
                   lat_add={P: 1800 * sv, EV: 1800 * sv, HOOK: 1800 * sv}, cause=bad)

    serve(s, svc, effect, each)
    missing = {"10:21", "10:22", "10:23", "10:53", "10:54", "10:55", "10:56"}
    nulls = {"10:35": ["request_rate"], "10:52": ["cpu_usage"], "10:57": ["error_rate"],
             "10:59": ["response_time_ms"], "11:02": ["request_rate", "error_rate"]}
    kept = []
    for p in s.metrics:
        hhmm = p["timestamp"][11:16]
        if hhmm in missing:
            continue
        for k in nulls.get(hhmm, []):
            p[k] = None
        kept.append(p)
    s.metrics = kept
    return bundle(
        s, FORMATS, "parcel tracking pages are throwing 500s. grafana has holes in the graphs so not sure exactly when "
        "it started",
        truth_json(True, {"deploy": "v5.9.0", "commits": [c1]}, ["connection pool", "queuepool", "pool"],
                   "2032-04-21 10:56"),
    )


# ==== 4. two plausible deploys just before the onset; the earlier one's feed parser breaks the 14:00 sync


@incident("fares-two-deploys-feed-parser", "fare-quotes; v8.4.0 at 13:47 (streaming CSV parser for operator fare "
          "feeds) and v8.4.1 at 13:55 (station search on a trigram index + migration); the 14:00 hourly sync rejects "
          "three feeds (decimal comma, traceback in fares/sync/operator_feed.py), their fare tables are dropped and "
          "fare searches for them 500; station search stays healthy")
def fares_two_deploys_feed_parser() -> dict[str, bytes]:
    s = Sim(seed=600404, start="2032-05-18 13:00", minutes=150, service="fare-quotes")
    g, rng = s.git, s.rng
    dom = "railpass.example"
    a = g.commit("2032-05-17 10:30", f"siobhan.kelly@{dom}", "Railcard discounts for 16-25 on advance fares",
                 ["fares/discounts/railcards.py", "fares/discounts/tests/test_railcards.py"])
    g.deploy("v8.3.6", "2032-05-17 15:10", [a])
    c1 = g.commit("2032-05-18 11:02", f"dev.mukherjee@{dom}", "Parse operator fare feeds with the streaming CSV reader",
                  ["fares/sync/operator_feed.py", "fares/sync/tests/test_operator_feed.py"])
    g.deploy("v8.4.0", "2032-05-18 13:47", [c1])
    c2 = g.commit("2032-05-18 12:40", f"siobhan.kelly@{dom}", "Station search: match fuzzy names with a trigram index",
                  ["fares/stations/search.py", "migrations/0042_station_trgm.py"])
    g.deploy("v8.4.1", "2032-05-18 13:55", [c2])
    drop = at("2032-05-18 14:00:41")
    end = at("2032-05-18 16:00")
    front = Front(s, "api", lo=drop)
    SEARCH, JF = "POST /v1/fares/search", "GET /v1/journeys/{id}/fares"
    broken = ["CXR", "MWL", "NRT"]
    ops = broken + ["AWC", "EMR", "GTR", "HXE", "LOR", "NTH", "SEB", "SWR", "TPE", "WMR", "XCR"]

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        s.log(t, "ERROR", "fares.pricing", f"cannot price journey j{rng.randint(1_000_000, 9_999_999)}: no fare table "
              f"loaded for operator {rng.choice(broken)}", LOG)

    def each(i: int) -> None:
        t = s.minute(i)
        if t.minute == 0:
            s.log(t + timedelta(seconds=2), "INFO", "fares.sync", f"hourly fare sync started ({len(ops)} operators)", LOG)
            if t < at("2032-05-18 14:00"):
                s.log(t + timedelta(seconds=43), "INFO", "fares.sync", f"hourly fare sync finished: {len(ops)} "
                      f"operators, 0 failed, {rng.randint(1_270_000, 1_290_000):,} fares in 41s", LOG)
            else:
                for k, op in enumerate(broken):
                    tt = t + timedelta(seconds=9 + 8 * k + rng.uniform(0, 3))
                    s.log(tt, "ERROR", "fares.sync", f"operator feed {op} rejected: decimal.InvalidOperation: "
                          "[<class 'decimal.ConversionSyntax'>] in column fare_amount (value '12,40')", LOG)
                    s.log(tt + ms(3), "ERROR", "fares.sync", 'Traceback (most recent call last): File '
                          '"fares/sync/operator_feed.py", line 64, in parse_row', LOG)
                    s.log(tt + ms(40), "WARN", "fares.sync", f"fare table for {op} dropped: feed rejected, no valid rows",
                          LOG)
                s.log(t + timedelta(seconds=42), "INFO", "fares.sync", f"hourly fare sync finished: {len(ops)} "
                      f"operators, 3 failed, {rng.randint(1_040_000, 1_060_000):,} fares in 40s", LOG)

    def migrate(t, version):
        if version == "v8.4.1" and not getattr(migrate, "done", False):
            migrate.done = True
            s.log(t, "INFO", "migrate", "Applying stations.0042_station_trgm... OK (2.4s)", LOG)

    svc = Svc(
        name="fare-quotes", file=LOG, comp="api",
        endpoints=[(SEARCH, 0.42, 180), (JF, 0.2, 120), ("GET /v1/stations", 0.22, 25), ("GET /v1/journeys/{id}", 0.1, 40),
                   ("GET /healthz", 0.06, 2)],
        rate=trend(200, 280), cpu=31, cpu_per_100=4, mem=58, access=front.access,
        restart=boot(s, "fare-quotes", migrate), pods=3, sample=0.11, fail_sample=0.12, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0.25, "WARN", "fares.pricing", lambda r: f"no through fare between {b36(r, 3)} and {b36(r, 3)}, "
                    "pricing as split ticket"),
            Chatter(0.1, "WARN", "api", lambda r: f"slow request POST /v1/fares/search took {r.randint(2100, 4200)}ms"),
            Chatter(0, "INFO", "cache", lambda r: f"timetable cache hit ratio {r.uniform(0.88, 0.95):.2f}", every=5,
                    phase=3),
            Chatter(0, "ERROR", "seatmap", lambda r: "seat reservation provider returned 500 for train "
                    f"{r.randint(1000, 9999)}, seat selection disabled for it", every=15, phase=8),
        ],
    )

    def effect(i: int) -> Eff:
        f = frac(s, i, drop, end)
        if not f:
            return Eff()
        return Eff(fail={SEARCH: 0.38 * f, JF: 0.42 * f}, status=500, fail_ms=22, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "fare search failing for some routes since about 2pm. we shipped two releases right before that, "
        "which one do we roll back?",
        truth_json(True, {"deploy": "v8.4.0", "commits": [c1]},
                   ["fare feed", "operator feed", "fare table", "decimal", "parse", "sync"], "2032-05-18 14:00"),
    )


# ==== 5. a release rolled back during an SMS provider outage; the errors outlive the rollback


@incident("otp-rollback-provider-outage", "login-otp; SMS provider textwave fails 09:31-10:26 (503s and read "
          "timeouts); v4.1.0 at 09:24 (OTP sender on the bulk endpoint, 2s timeout) is rolled back at 09:43 and the "
          "errors go on until the provider recovers; no change of ours caused it")
def otp_rollback_provider_outage() -> dict[str, bytes]:
    s = Sim(seed=600505, start="2032-06-07 08:40", minutes=150, service="login-otp")
    g, rng = s.git, s.rng
    dom = "mybank.example"
    a = g.commit("2032-06-06 10:10", f"tiago.rocha@{dom}", "Localise the OTP SMS text for pt-BR",
                 ["otp/sms/templates/pt_BR.txt"])
    g.deploy("v4.0.3", "2032-06-06 15:00", [a])
    b1 = g.commit("2032-06-07 08:02", f"hannah.schmidt@{dom}", "Send OTP SMS through textwave's bulk endpoint with a "
                  "2s timeout", ["otp/sms/sender.py", "otp/sms/textwave_client.py"])
    b2 = g.commit("2032-06-07 08:20", f"tiago.rocha@{dom}", "Rate-limit the resend button to once per 30s",
                  ["otp/api/resend.py"])
    g.deploy("v4.1.0", "2032-06-07 09:24", [b1, b2], status="rolled_back")
    g.deploy("v4.0.3", "2032-06-07 09:43", [], status="rollback")
    out0, out1 = at("2032-06-07 09:31:20"), at("2032-06-07 10:26:30")
    rb = at("2032-06-07 09:43:40")  # the rollback has replaced every pod by then
    front = Front(s, "api")
    SEND, LOGIN = "POST /v1/otp/send", "POST /v1/login"

    def bad(t, rid, ep):
        t = front.fail_at(t, rid, squeeze(t, out0, out1))
        if t < rb:
            err = (f"read timeout after 2000ms (attempt {rng.randint(1, 2)}/2)" if rng.random() < 0.4 else
                   "POST https://api.textwave.example/v2/bulk/messages -> 503 Service Unavailable (attempt 2/2)")
        else:
            err = ("read timeout after 5000ms (attempt 3/3)" if rng.random() < 0.4 else
                   "POST https://api.textwave.example/v2/messages -> 503 Service Unavailable (attempt 3/3)")
        s.log(t, "ERROR", "sms", f"textwave send failed: {err}", LOG)
        if ep == LOGIN:
            s.log(t + ms(2), "ERROR", "login", f"login step-up failed for user u{rng.randint(10000, 99999)}: could not "
                  "deliver one-time code", LOG)

    def each(i: int) -> None:
        f = frac(s, i, out0, out1)
        if f and i % 2 == 0:
            s.log(squeeze(s.when(i, 0, 10), out0, out1), "WARN", "sms", "circuit breaker 'textwave' is OPEN "
                  f"(error ratio {rng.uniform(0.86, 0.99):.2f} over 60s)", LOG)
        if s.minute(i) <= out1 < s.minute(i + 1):
            s.log(out1 + timedelta(seconds=4), "INFO", "sms", "circuit breaker 'textwave' CLOSED after a successful "
                  "probe", LOG)

    svc = Svc(
        name="login-otp", file=LOG, comp="api",
        endpoints=[(SEND, 0.28, 420), ("POST /v1/otp/verify", 0.28, 35), (LOGIN, 0.2, 160), ("GET /v1/session", 0.18, 12),
                   ("GET /healthz", 0.06, 2)],
        rate=trend(240, 330), cpu=22, cpu_per_100=3, mem=41, access=front.access, restart=quiet, pods=3,
        sample=0.09, fail_sample=0.1, base_fail=0.0007, rid=num_rid,
        chatter=[
            Chatter(0.5, "WARN", "otp", lambda r: f"one-time code expired before verification for user "
                    f"u{r.randint(10000, 99999)}"),
            Chatter(0.12, "WARN", "sms", lambda r: f"textwave delivery receipt: undeliverable to +44 7{r.randint(100, 999)} "
                    "*** *** (handset off)"),
            Chatter(0, "INFO", "sms", lambda r: f"textwave balance: {r.randint(81000, 82000)} credits", every=15, phase=4),
            Chatter(0.08, "ERROR", "login", lambda r: f"account u{r.randint(10000, 99999)} locked after 5 failed "
                    "password attempts"),
        ],
    )

    def effect(i: int) -> Eff:
        f = frac(s, i, out0, out1)
        if not f:
            return Eff()
        slow = 2000 if s.minute(i) < rb else 5000
        return Eff(fail={SEND: 0.92 * f, LOGIN: 0.45 * f}, status=502, fail_ms=slow * 1.02, cause=bad,
                   rate_mult=1 + 0.12 * f)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "users couldn't log in this morning (no OTP text arriving). we rolled back v4.1.0 at 09:43 - was it "
        "the release?",
        truth_json(True, None, ["textwave", "sms provider", "upstream", "provider"], "2032-06-07 09:31"),
    )


# ==== 6. a memo cache shipped 80 minutes before the OOM crash loop; a flag release 5 minutes before


@incident("reports-oom-late-crashloop", "reporting-api; v6.0.0 at 10:05 memoises compiled chart templates per "
          "tenant/locale/theme and memory climbs 44%->95%; from 11:25 workers are OOM-killed in a loop, 503s; v6.0.1 "
          "at 11:20 only turns on a feature flag (hot-reloaded, no restart)")
def reports_oom_late_crashloop() -> dict[str, bytes]:
    s = Sim(seed=600606, start="2032-07-12 09:40", minutes=160, service="reporting-api")
    g, rng = s.git, s.rng
    dom = "insightly.example"
    a = g.commit("2032-07-11 13:10", f"olga.petrova@{dom}", "CSV export: quote fields containing newlines",
                 ["reports/export/csv.py"])
    g.deploy("v5.9.3", "2032-07-11 16:00", [a])
    c1 = g.commit("2032-07-12 08:44", f"marcus.lee@{dom}", "Memoise compiled chart templates per tenant, locale and theme",
                  ["reports/render/templates.py", "reports/render/cache.py"])
    c2 = g.commit("2032-07-12 09:12", f"olga.petrova@{dom}", "Add a 'last 90 days' preset to the date picker",
                  ["web/reports/DatePicker.tsx"])
    g.deploy("v6.0.0", "2032-07-12 10:05", [c1, c2])
    c3 = g.commit("2032-07-12 11:02", f"marcus.lee@{dom}", "Enable the quarterly summary report for EU tenants",
                  ["config/flags.yaml"])
    g.deploy("v6.0.1", "2032-07-12 11:20", [c3])
    leak0, oom = s.idx("10:06"), s.idx("11:25")
    front = Front(s, "api", lo=at("2032-07-12 11:25:10"))
    mem0 = 44.0

    def mem(i: int) -> float:
        if i < leak0:
            return mem0 + rng.gauss(0, 0.35)
        if i < oom:
            return mem0 + 51.0 * (i - leak0) / (oom - leak0) + rng.gauss(0, 0.4)
        return 82.0 + 12.0 * abs(math.sin((i - oom) / 2.3)) + rng.uniform(-2, 2)

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        if rng.random() < 0.5:
            s.log(t, "ERROR", "proxy", f"upstream worker closed the connection before responding (request_id={rid})", LOG)

    def restart(t, old, new, version):
        if version == "v6.0.1":
            if not getattr(restart, "done", False):
                restart.done = True
                s.log(t, "INFO", "config", "feature flags reloaded from release v6.0.1 without restart "
                      "(quarterly_summary: eu=on)", LOG)
            return
        s.log(t + timedelta(seconds=rng.uniform(4, 9)), "INFO", "boot", f"reporting-api {version} started on {new} "
              "(6 workers, memory limit 2GiB)", LOG)

    def each(i: int) -> None:
        if leak0 + 40 <= i < oom and i % 3 == 0:
            m = mem0 + 51.0 * (i - leak0) / (oom - leak0)
            s.log(s.when(i), "WARN", "runtime", f"worker {rng.randint(1, 6)} rss {2 * m / 100:.2f}GiB "
                  f"({m:.0f}% of 2GiB limit)", LOG)
        if i >= oom:
            for k in range(poisson(rng, 1.4) + (1 if i == oom else 0)):
                t = s.clock("11:25:04") if i == oom and k == 0 else after(s.when(i), at("2032-07-12 11:25:05"))
                pid = rng.randint(2000, 30000)
                s.log(t, "ERROR", "runtime", f"worker pid {pid} killed by the OOM killer (rss {rng.uniform(1.95, 2.0):.2f}GiB, "
                      "limit 2GiB)", LOG)
                s.log(t + timedelta(seconds=rng.uniform(1, 3)), "WARN", "supervisor",
                      f"restarting worker {rng.randint(1, 6)} after signal 9 (restart #{i - oom + rng.randint(1, 3)})", LOG)

    svc = Svc(
        name="reporting-api", file=LOG, comp="api",
        endpoints=[("GET /v2/dashboards/{id}", 0.34, 240), ("GET /v2/charts/{id}/render", 0.3, 310),
                   ("POST /v2/reports/{id}/export", 0.08, 900), ("GET /v2/tenants/{id}/usage", 0.2, 60),
                   ("GET /healthz", 0.08, 2)],
        rate=trend(140, 210), cpu=33, cpu_per_100=6, mem=mem0, access=front.access, restart=restart, pods=3,
        sample=0.16, fail_sample=0.12, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0, "INFO", "cache", lambda r: f"query cache hit ratio {r.uniform(0.7, 0.8):.2f}", every=5, phase=1),
            Chatter(0.15, "WARN", "warehouse", lambda r: f"warehouse query slow: {r.randint(3000, 9000)}ms for tenant "
                    f"t{r.randint(100, 999)}"),
            Chatter(0, "ERROR", "export", lambda r: "scheduled export for tenant t417 failed: SFTP host "
                    "sftp.clientco.example refused connection, retrying at next run", every=30, phase=9),
            Chatter(0.06, "WARN", "api", lambda r: f"slow request GET /v2/dashboards/{r.randint(1000, 99999)} took "
                    f"{r.randint(2500, 6000)}ms"),
        ],
    )

    def effect(i: int) -> Eff:
        m = mem(i)
        if i < oom:
            return Eff(mem=m)
        return Eff(mem=m, fail={"": 0.16 + 0.1 * rng.random()}, status=503, fail_ms=rng.uniform(2500, 6000),
                   lat_mult={"": 2.4}, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "reports API returning 503s and workers keep restarting. we switched on quarterly summaries for EU "
        "at 11:20, could that be it?",
        truth_json(True, {"deploy": "v6.0.0", "commits": [c1]}, ["memory", "oom", "out of memory", "rss", "leak"],
                   "2032-07-12 11:25"),
    )


# ==== 7. false alarm: scary errors at the same rate all day, a release in the window


@incident("loyalty-constant-errors-false-alarm", "loyalty-points; v3.8.0 at 14:05; a retired /v1/redeem endpoint "
          "500s with NotImplementedError (~1.3% of requests), CRM export 401s and balance-mismatch errors, all at the "
          "same rate before and after; metrics flat apart from the restart blip; no incident")
def loyalty_constant_errors_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=600707, start="2032-08-03 13:00", minutes=150, service="loyalty-points")
    g = s.git
    dom = "pointsclub.example"
    a = g.commit("2032-08-02 11:25", f"nia.brooks@{dom}", "Partner offers: hide expired offers",
                 ["loyalty/offers/listing.py"])
    g.deploy("v3.7.4", "2032-08-02 16:30", [a])
    c1 = g.commit("2032-08-03 10:48", f"emil.strand@{dom}", "Show the points expiry date in the member profile",
                  ["loyalty/api/profile.py", "loyalty/api/tests/test_profile.py"])
    c2 = g.commit("2032-08-03 11:30", f"nia.brooks@{dom}", "Bump sentry-sdk to 2.10.0", ["requirements.txt"])
    g.deploy("v3.8.0", "2032-08-03 14:05", [c1, c2])
    front = Front(s, "api")
    LEGACY = "POST /v1/redeem"

    def legacy(t, rid, ep):
        front.fail_at(t, rid)
        s.log(t, "ERROR", "api", "Unhandled exception in redeem_v1: NotImplementedError: /v1/redeem was retired in "
              "v3.0, clients must use /v2/redemptions", LOG)
        s.log(t + ms(1), "ERROR", "api", 'Traceback (most recent call last): File "loyalty/api/legacy.py", line 12, '
              "in redeem_v1", LOG)

    svc = Svc(
        name="loyalty-points", file=LOG, comp="api",
        endpoints=[("GET /v2/members/{id}/balance", 0.38, 40), ("POST /v2/earn", 0.22, 85), ("POST /v2/redemptions", 0.1, 140),
                   ("GET /v2/members/{id}/history", 0.15, 110), (LEGACY, 0.014, 20), ("GET /v2/offers", 0.076, 60),
                   ("GET /healthz", 0.06, 2)],
        rate=trend(300, 330), cpu=26, cpu_per_100=4, mem=50, access=front.access, restart=quiet, pods=3,
        sample=0.08, fail_sample=0.25, base_fail=0.0006, rid=num_rid,
        chatter=[
            Chatter(0.8, "ERROR", "crm-sync", lambda r: f"export of member m{r.randint(100000, 999999)} to "
                    "crm.partner.example failed: 401 Unauthorized (token expired), will retry"),
            Chatter(0.15, "ERROR", "ledger", lambda r: f"balance check mismatch for member m{r.randint(100000, 999999)}: "
                    f"expected {(b := r.randint(10, 400) * 10)} got {b - r.choice([10, 50, 100])}, queued for "
                    "reconciliation"),
            Chatter(0, "INFO", "cache", lambda r: f"offers cache refreshed ({r.randint(180, 190)} offers)", every=5),
            Chatter(0.1, "WARN", "api", lambda r: f"slow request GET /v2/members/{r.randint(100000, 999999)}/history took "
                    f"{r.randint(2000, 3500)}ms"),
            Chatter(0, "INFO", "crm-sync", lambda r: f"crm sync run: {r.randint(40, 70)} exported, {r.randint(40, 60)} "
                    "failed (401)", every=10, phase=6),
        ],
    )
    serve(s, svc, lambda i: Eff(fail={LEGACY: 0.95}, status=500, fail_ms=18, cause=legacy))
    return bundle(
        s, FORMATS, "loyalty-points logs are FULL of errors since the 14:05 release - NotImplementedError, CRM 401s, "
        "balance mismatches. did v3.8.0 break it?",
        truth_json(False, None, [], None),
    )


# ==== 8. false alarm: the evening decline in orders, read as an outage


@incident("orders-night-decline-false-alarm", "meal-orders-api 21:00-01:00; request rate falls ~560 -> ~85/min with "
          "the normal evening curve (hourly stats match last week), CPU follows it down; v10.4.0 at 22:40 harmless; "
          "a payout batch at midnight; error rate and latency flat; no incident")
def orders_night_decline_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=600808, start="2032-09-16 21:00", minutes=240, service="meal-orders-api")
    g, rng = s.git, s.rng
    dom = "dinedash.example"
    a = g.commit("2032-09-16 09:40", f"femke.devries@{dom}", "Courier tips: round up to whole euros",
                 ["orders/tips.py", "orders/tests/test_tips.py"])
    g.deploy("v10.3.9", "2032-09-16 11:30", [a])
    c1 = g.commit("2032-09-16 16:05", f"yusuf.demir@{dom}", "Show allergen icons on menu items",
                  ["web/menu/AllergenIcons.tsx", "orders/menus/serializers.py"])
    g.deploy("v10.4.0", "2032-09-16 22:40", [c1])
    front = Front(s, "api")

    def rate(x: float) -> float:
        return 55 + 505 * math.exp(-2.9 * x)

    order_share = 0.16
    payout0, payout1 = s.idx("2032-09-17 00:00"), s.idx("2032-09-17 00:07")

    def each(i: int) -> None:
        t = s.minute(i)
        if t.minute == 0 and i > 0:
            placed = sum(rate((k) / (s.n - 1)) for k in range(i - 60, i) if k >= 0) * order_share
            placed = int(placed * 60 / min(60, i) * rng.uniform(0.97, 1.03))
            last = int(placed * rng.uniform(0.95, 1.06))
            h0 = (t - timedelta(hours=1)).strftime("%H:%M")
            s.log(t + timedelta(seconds=5), "INFO", "stats", f"orders placed {h0}-{t:%H:%M}: {placed:,} "
                  f"(same hour last Thursday: {last:,})", LOG)
        if t.hour >= 22 or t.hour < 2:
            if i % 15 == 4:
                s.log(s.when(i), "INFO", "restaurants", f"{rng.randint(30, 90)} restaurants switched to closed "
                      "(opening hours)", LOG)
        if i % 10 == 0:
            s.log(s.when(i, 0, 5), "INFO", "couriers", f"couriers online: {int(rate(i / (s.n - 1)) * 0.9 + rng.randint(-8, 8))}",
                  LOG)
        if i == payout0:
            s.log(s.when(i, 0, 3), "INFO", "payouts", "nightly restaurant payout batch started (4,212 restaurants)", LOG)
        if i == payout1:
            s.log(s.when(i, 20, 30), "INFO", "payouts", "nightly restaurant payout batch finished in 7m12s", LOG)

    svc = Svc(
        name="meal-orders-api", file=LOG, comp="api",
        endpoints=[("GET /v1/restaurants", 0.3, 90), ("GET /v1/restaurants/{id}/menu", 0.26, 70),
                   ("POST /v1/orders", order_share, 240), ("GET /v1/orders/{id}", 0.2, 30), ("GET /healthz", 0.08, 2)],
        rate=rate, cpu=41, cpu_per_100=5.5, mem=55, access=front.access, restart=quiet, pods=4,
        sample=0.05, fail_sample=0.3, base_fail=0.0009, rid=num_rid,
        chatter=[
            Chatter(0.2, "WARN", "dispatch", lambda r: f"no courier accepted order o{r.randint(1_000_000, 9_999_999)} "
                    "within 90s, widening radius"),
            Chatter(0.08, "WARN", "payments", lambda r: f"payment declined for order o{r.randint(1_000_000, 9_999_999)}: "
                    "insufficient_funds"),
            Chatter(0, "INFO", "cache", lambda r: f"menu cache hit ratio {r.uniform(0.9, 0.96):.2f}", every=5, phase=2),
            Chatter(0, "ERROR", "pos", lambda r: f"restaurant tablet {r.randint(1000, 9999)} unreachable, order "
                    "forwarded by phone call", every=35, phase=13),
        ],
    )

    def effect(i: int) -> Eff:
        if payout0 <= i <= payout1:
            return Eff(cpu_add=6.0)
        return Eff(lat_mult={"": 1 - 0.08 * (i / (s.n - 1))})

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "order volume has fallen off a cliff over the last few hours, request rate is down like 80%. is the "
        "orders API down??",
        truth_json(False, None, [], None),
    )


# ==== 9. a backfill migration in the deploy's second commit: deadlocks and lock timeouts on stock writes


@incident("warehouse-backfill-deadlock", "warehouse-api; v11.0.0 at 15:41 ships three commits, the second a migration "
          "backfilling stock_movements.reason_code in big batches (15:41-16:08): stock moves, pick confirms and "
          "receipts fail with 'deadlock detected' / lock timeouts; two benign deadlocks on pallet_labels earlier")
def warehouse_backfill_deadlock() -> dict[str, bytes]:
    s = Sim(seed=600909, start="2032-10-05 15:00", minutes=140, service="warehouse-api")
    g, rng = s.git, s.rng
    dom = "stockroom.example"
    a = g.commit("2032-10-04 12:20", f"ivan.horvat@{dom}", "Print pallet labels in batches of 50",
                 ["warehouse/labels/printer.py"])
    g.deploy("v10.9.1", "2032-10-04 17:00", [a])
    c1 = g.commit("2032-10-05 09:35", f"grace.otieno@{dom}", "Show the bin location in the pick list",
                  ["warehouse/picking/picklist.py", "warehouse/picking/tests/test_picklist.py"])
    c2 = g.commit("2032-10-05 11:10", f"ivan.horvat@{dom}", "Backfill stock_movements.reason_code and index it",
                  ["migrations/0088_backfill_reason_code.py", "warehouse/stock/models.py"])
    c3 = g.commit("2032-10-05 13:42", f"grace.otieno@{dom}", "Bump boto3 to 1.34.140", ["requirements.txt"])
    g.deploy("v11.0.0", "2032-10-05 15:41", [c1, c2, c3])
    m0, m1 = at("2032-10-05 15:41:06"), at("2032-10-05 16:08:41")
    front = Front(s, "api")
    MOVE, PICK, REC = "POST /v1/stock/moves", "POST /v1/picks/{id}/confirm", "POST /v1/receipts"
    total_rows = 1_840_000

    def bad(t, rid, ep):
        t = front.fail_at(t, rid, squeeze(t, m0, m1))
        if rng.random() < 0.4:
            p1, p2 = rng.randint(3000, 9000), rng.randint(3000, 9000)
            s.log(t, "ERROR", "db", f"deadlock detected: Process {p1} waits for ShareLock on transaction "
                  f"{rng.randint(8_800_000, 8_900_000)}; blocked by process {p2} (statement: UPDATE stock_movements "
                  f"SET ... WHERE sku = $1) request_id={rid}", LOG)
        else:
            s.log(t, "ERROR", "db", "canceling statement due to lock timeout: INSERT INTO stock_movements "
                  f"(sku, qty, bin, reason_code) ... (5000ms) request_id={rid}", LOG)
        if ep == PICK and rng.random() < 0.5:
            s.log(t + ms(3), "ERROR", "picking", f"pick p{rng.randint(100000, 999999)} confirm failed: database lock "
                  "wait, scanner told to retry", LOG)

    def each(i: int) -> None:
        t = s.minute(i)
        if i in (s.idx("15:12"), s.idx("15:27")):
            tt = s.when(i)
            s.log(tt, "ERROR", "db", f"deadlock detected: Process {rng.randint(3000, 9000)} waits for ShareLock on "
                  f"transaction {rng.randint(8_700_000, 8_790_000)}; blocked by process {rng.randint(3000, 9000)} "
                  "(statement: UPDATE pallet_labels SET printed_at = now() WHERE id = $1)", LOG)
            s.log(tt + timedelta(seconds=1), "INFO", "labels", "label print job retried after deadlock: ok", LOG)
        if t <= m0 < t + timedelta(minutes=1):
            s.log(m0, "INFO", "migrate", "Applying stock.0088_backfill_reason_code...", LOG)
        f = frac(s, i, m0, m1)
        if f:
            done = int(total_rows * min(1.0, (t + timedelta(seconds=50) - m0).total_seconds() / (m1 - m0).total_seconds()))
            if i % 2 == 0:
                s.log(squeeze(s.when(i, 40, 55), m0, m1), "INFO", "migrate", "backfill stock_movements.reason_code: "
                      f"{max(0, done):,}/{total_rows:,} rows (batch 50,000)", LOG)
            for _ in range(poisson(rng, 1.5 * f)):
                s.log(squeeze(s.when(i), m0, m1), "WARN", "db", f"slow query {rng.randint(2000, 4999)}ms: UPDATE "
                      "stock_levels SET qty = qty - $1 WHERE sku = $2 (waiting for lock)", LOG)
        if t <= m1 < t + timedelta(minutes=1):
            s.log(m1, "INFO", "migrate", f"Applying stock.0088_backfill_reason_code... OK ({(m1 - m0).total_seconds():.1f}s)",
                  LOG)
            s.log(m1 + timedelta(seconds=4), "INFO", "migrate", "CREATE INDEX CONCURRENTLY stock_movements_reason_idx ... "
                  "OK (3.9s)", LOG)

    svc = Svc(
        name="warehouse-api", file=LOG, comp="api",
        endpoints=[(MOVE, 0.22, 70), (PICK, 0.2, 90), (REC, 0.06, 120), ("GET /v1/stock/{id}", 0.3, 20),
                   ("GET /v1/picklists/{id}", 0.16, 60), ("GET /healthz", 0.06, 2)],
        rate=trend(170, 220), cpu=28, cpu_per_100=5, mem=52, access=front.access, restart=quiet, pods=3,
        sample=0.13, fail_sample=0.14, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0.3, "WARN", "picking", lambda r: f"scanner {r.randint(100, 180)} scanned unknown barcode "
                    f"{r.randint(10**11, 10**12 - 1)}"),
            Chatter(0, "INFO", "cache", lambda r: f"bin map cache refreshed ({r.randint(41000, 41200)} bins)", every=5,
                    phase=3),
            Chatter(0.06, "WARN", "api", lambda r: f"slow request GET /v1/picklists/{r.randint(10000, 99999)} took "
                    f"{r.randint(2000, 3000)}ms"),
            Chatter(0, "ERROR", "carrier", lambda r: "manifest upload to carrier SFTP failed: timeout after 30s, will "
                    "retry", every=30, phase=21),
        ],
    )

    def effect(i: int) -> Eff:
        f = frac(s, i, m0, m1)
        if not f:
            return Eff()
        return Eff(fail={MOVE: 0.55 * f, PICK: 0.5 * f, REC: 0.45 * f}, lat_add={MOVE: 3500 * f, PICK: 3500 * f,
                   REC: 3500 * f}, status=500, fail_ms=5010, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "pickers' scanners showing errors when confirming picks, stock moves failing",
        truth_json(True, {"deploy": "v11.0.0", "commits": [c2]}, ["deadlock", "lock", "migration", "backfill"],
                   "2032-10-05 15:41"),
    )


# ==== 10. a worker's disk fills because the log shipper stopped rotating; a deploy in between


@incident("exports-disk-full-log-shipper", "exports-worker; the log-shipper sidecar stops rotating app.log at 08:14 "
          "(rename fails, output retries buffer to disk) and /var/lib/exports fills 64%->100% by 10:02; export jobs "
          "then fail with ENOSPC and POST /v1/exports 500s; v2.14.0 at 09:38 (XLSX column widths) unrelated")
def exports_disk_full_log_shipper() -> dict[str, bytes]:
    s = Sim(seed=601010, start="2032-11-08 08:00", minutes=160, service="exports-worker")
    g, rng = s.git, s.rng
    dom = "tallybooks.example"
    a = g.commit("2032-11-07 10:15", f"ruth.adler@{dom}", "Exports: include the cost-centre column",
                 ["exports/columns.py", "exports/tests/test_columns.py"])
    g.deploy("v2.13.2", "2032-11-07 15:40", [a])
    c1 = g.commit("2032-11-08 07:20", f"kwame.asante@{dom}", "XLSX exports: auto-fit column widths",
                  ["exports/formats/xlsx.py", "exports/formats/tests/test_xlsx.py"])
    g.deploy("v2.14.0", "2032-11-08 09:38", [c1])
    stuck, full = s.idx("08:14"), s.idx("10:02")
    front = Front(s, "api", lo=at("2032-11-08 10:02:10"))
    NEW, PREV = "POST /v1/exports", "GET /v1/exports/{id}/preview"

    def disk(i: int) -> float:
        if i < stuck:
            return 63.8 + 0.01 * i
        return min(100.0, 63.8 + 0.01 * stuck + (100.0 - 63.8 - 0.01 * stuck) * (i - stuck) / (full - stuck))

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        job = f"exp_{hexid(rng, 10)}"
        s.log(t, "ERROR", "export", f"job {job} failed: OSError: [Errno 28] No space left on device: "
              f"'/var/lib/exports/tmp/{job}.{rng.choice(['csv', 'xlsx'])}.part'", LOG)

    def each(i: int) -> None:
        d = disk(i)
        if i == stuck:
            s.log(s.when(i, 10, 20), "WARN", "log-shipper", "rotate: cannot rename /var/log/exports/app.log: device or "
                  "resource busy, will retry", LOG)
            s.log(s.when(i, 30, 40), "ERROR", "log-shipper", "output 'loki' retry limit reached, keeping chunks in "
                  "/var/lib/exports/.shipper-buffer", LOG)
        if i > stuck and i % 5 == 4:
            gib = 0.4 + 14.6 * (i - stuck) / (full - stuck)
            s.log(s.when(i, 0, 10), "WARN", "log-shipper", f"rotation still pending since 08:14; app.log is "
                  f"{min(gib, 15.0):.1f}GiB, buffer {int(40 + 25 * (i - stuck))}MiB", LOG)
        if i % 5 == 0:
            lvl = "WARN" if d >= 85 else "INFO"
            s.log(s.when(i, 0, 3), lvl, "health", f"disk /var/lib/exports {d:.0f}% used" +
                  (" (threshold 85%)" if d >= 85 else ""), LOG)
        if i >= full:
            for _ in range(poisson(rng, 0.6)):
                s.log(after(s.when(i), at("2032-11-08 10:02:05")), "ERROR", "log-shipper",
                      "failed to write buffer chunk: no space left on device", LOG)
        for _ in range(poisson(rng, 2.2 if i < full else 0.5)):
            s.log(s.when(i), "INFO", "export", f"job exp_{hexid(rng, 10)} finished: {rng.randint(200, 90000)} rows, "
                  f"uploaded to s3 in {rng.randint(300, 4000)}ms", LOG)

    svc = Svc(
        name="exports-worker", file=LOG, comp="api",
        endpoints=[(NEW, 0.18, 160), (PREV, 0.12, 240), ("GET /v1/exports/{id}", 0.36, 25),
                   ("GET /v1/exports/{id}/download", 0.26, 60), ("GET /healthz", 0.08, 2)],
        rate=trend(120, 190), cpu=30, cpu_per_100=7, mem=57, access=front.access, restart=quiet, pods=2,
        sample=0.15, fail_sample=0.2, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0.12, "WARN", "export", lambda r: f"job exp_{hexid(r, 10)} exceeded 60s, {r.randint(200000, 900000)} "
                    "rows so far"),
            Chatter(0, "INFO", "queue", lambda r: f"export queue depth {r.randint(0, 9)}, workers busy "
                    f"{r.randint(1, 6)}/8", every=5, phase=2),
            Chatter(0, "ERROR", "export", lambda r: "job for tenant t88 failed: report definition references deleted "
                    "column 'region_old'", every=25, phase=7),
        ],
    )

    def effect(i: int) -> Eff:
        if i < full:
            return Eff()
        return Eff(fail={NEW: 0.85, PREV: 0.6}, status=500, fail_ms=110, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "customers' data exports are failing with 'Export failed, try again later'",
        truth_json(True, None, ["disk", "no space", "rotat", "log-shipper", "log shipping"], "2032-11-08 10:02"),
    )


# ==== 11. a synchronous call on the request path exhausts the Tomcat threads ten minutes after the deploy


@incident("catalog-blocking-call-threads", "catalog-service; v7.12.0 at 16:20 adds a live stock badge fetched from "
          "inventory-service synchronously on the request thread; busy threads climb and from 16:30 all 200 are "
          "taken: 503 rejections and multi-second latency; rolled back at 17:04, recovered by 17:05")
def catalog_blocking_call_threads() -> dict[str, bytes]:
    s = Sim(seed=601111, start="2032-12-02 15:40", minutes=150, service="catalog-service")
    g, rng = s.git, s.rng
    dom = "gardenly.example"
    pkg = "src/main/java/com/gardenly/catalog"
    a = g.commit("2032-12-01 11:05", f"bea.lopez@{dom}", "Return plant hardiness zone in the product DTO",
                 [f"{pkg}/dto/ProductDto.java"])
    g.deploy("v7.11.2", "2032-12-01 16:20", [a])
    c1 = g.commit("2032-12-02 13:30", f"tobias.klein@{dom}", "Live stock badge on product pages",
                  [f"{pkg}/web/ProductController.java", f"{pkg}/inventory/InventoryClient.java"])
    c2 = g.commit("2032-12-02 14:02", f"bea.lopez@{dom}", "Document the product JSON schema", ["docs/api/product.md"])
    g.deploy("v7.12.0", "2032-12-02 16:20", [c1, c2], status="rolled_back")
    g.deploy("v7.11.2", "2032-12-02 17:04", [], status="rollback")
    on = s.idx("16:30")
    front = Front(s, "http", lo=at("2032-12-02 16:30:05"))

    def new_share(i: int) -> float:
        return rollout_share(s, i, "2032-12-02 16:20", 3, 40) * (1 - rollout_share(s, i, "2032-12-02 17:04", 3, 40))

    def busy(i: int) -> float:
        """Share of the 200 request threads in use."""
        sh = new_share(i)
        if i < on:
            return 0.15 + 0.6 * sh * clamp((i - s.idx("16:20")) / 10, 0, 1)
        return 0.15 + 0.85 * sh

    def sev(i: int) -> float:
        return ramp(i, on, 2) * new_share(i)

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        if rng.random() < 0.6:
            s.log(t, "ERROR", "tomcat", "http-nio-8080: all 200 request threads busy and accept queue full "
                  f"(acceptCount=100), rejecting request_id={rid} with 503", LOG)

    def each(i: int) -> None:
        sh = new_share(i)
        if sh:
            for _ in range(poisson(rng, 1.0 + 3.0 * sev(i))):
                took = rng.randint(900, 2400) if sev(i) < 0.3 else rng.randint(2500, 9000)
                s.log(s.when(i), "WARN", "inventory-client", f"GET http://inventory-service.internal/v1/stock/"
                      f"{rng.randint(100000, 999999)} took {took}ms on request thread http-nio-8080-exec-"
                      f"{rng.randint(1, 200)}", LOG)
        if i % 5 == 0 or (sev(i) > 0.5 and i % 2 == 0):
            b = busy(i)
            q = int(60 + 40 * sev(i) + rng.randint(-5, 5)) if sev(i) > 0.3 else 0
            s.log(s.when(i, 0, 3), "WARN" if b > 0.8 else "INFO", "tomcat", f"thread pool http-nio-8080: "
                  f"busy={min(200, int(200 * b + rng.randint(-4, 4)))}/200 queued={max(0, q)}", LOG)

    svc = Svc(
        name="catalog-service", file=LOG, comp="http",
        endpoints=[("GET /api/products/{id}", 0.5, 70), ("GET /api/categories/{id}/products", 0.26, 110),
                   ("GET /api/search", 0.16, 130), ("GET /actuator/health", 0.08, 3)],
        rate=trend(260, 330), cpu=34, cpu_per_100=5, mem=61, access=front.access,
        restart=boot(s, "catalog-service"), pods=3, sample=0.08, fail_sample=0.1, base_fail=0.0008, rid=num_rid,
        chatter=[
            Chatter(0, "INFO", "cache", lambda r: f"category tree cache refreshed ({r.randint(1400, 1420)} nodes)",
                    every=5, phase=1),
            Chatter(0.12, "WARN", "search", lambda r: f"search backend slow: {r.randint(900, 2000)}ms for "
                    f"q={r.choice(['roses', 'compost', 'tomato seeds', 'hedge trimmer'])}"),
            Chatter(0, "INFO", "jvm", lambda r: f"G1 Young Generation pause {r.randint(9, 30)}ms", every=2),
            Chatter(0, "ERROR", "images", lambda r: f"image resize failed for asset a{r.randint(10000, 99999)}: "
                    "unsupported colour profile CMYK, serving original", every=20, phase=6),
        ],
    )

    def effect(i: int) -> Eff:
        sv = sev(i)
        pre = new_share(i) * clamp((i - s.idx("16:20")) / 10, 0, 1) if i < on else 0.0
        if not sv:
            return Eff(lat_add={"": 10 * pre}, cpu_add=-2 * pre)
        return Eff(fail={"": 0.34 * sv}, lat_add={"": 3800 * sv}, status=503, fail_ms=45, cpu_add=-7 * sv,
                   mem_add=4 * sv, rate_mult=1 - 0.08 * sv, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "product pages were timing out from about half four until a bit after five. what happened?",
        truth_json(True, {"deploy": "v7.12.0", "commits": [c1]},
                   ["thread pool", "thread", "blocking", "synchronous"], "2032-12-02 16:30"),
    )


# ==== 12. the traceback names the second commit's file; the first commit is a dependency bump


@incident("subscriptions-proration-zerodiv", "subscriptions-api; v9.3.0 at 11:05 = [pydantic bump, proration by "
          "remaining days, email typo]; plan changes and previews 500 with ZeroDivisionError, traceback in "
          "subs/billing/proration.py; pydantic deprecation warnings appear after the deploy (harmless)")
def subscriptions_proration_zerodiv() -> dict[str, bytes]:
    s = Sim(seed=601212, start="2033-01-17 10:30", minutes=130, service="subscriptions-api")
    g, rng = s.git, s.rng
    dom = "streamly.example"
    a = g.commit("2033-01-16 12:00", f"zoe.martin@{dom}", "Gift subscriptions: allow a personal message",
                 ["subs/gifts/models.py", "subs/gifts/api.py"])
    g.deploy("v9.2.7", "2033-01-16 16:45", [a])
    c1 = g.commit("2033-01-17 08:15", "renovate[bot]@users.noreply.github.com",
                  "Bump pydantic to 2.8.2 and pydantic-core to 2.20.1", ["requirements.txt", "requirements.lock"])
    c2 = g.commit("2033-01-17 09:20", f"raj.iyer@{dom}", "Prorate downgrades by the days left in the billing period",
                  ["subs/billing/proration.py", "subs/billing/tests/test_proration.py"])
    c3 = g.commit("2033-01-17 09:48", f"zoe.martin@{dom}", "Fix typo in the cancellation email",
                  ["templates/email/cancel.txt"])
    g.deploy("v9.3.0", "2033-01-17 11:05", [c1, c2, c3])
    front = Front(s, "api", lo=at("2033-01-17 11:05:15"))
    CHANGE, PREVIEW = "POST /v1/subscriptions/{id}/change-plan", "POST /v1/subscriptions/{id}/preview-change"

    def bad(t, rid, ep):
        t = front.fail_at(t, rid)
        fn = "change_plan" if ep == CHANGE else "preview_change"
        s.log(t, "ERROR", "billing", f"Unhandled exception in {fn}: ZeroDivisionError: division by zero", LOG)
        s.log(t + ms(1), "ERROR", "billing", 'Traceback (most recent call last): File "subs/billing/proration.py", '
              "line 57, in prorate_by_days", LOG)

    def each(i: int) -> None:
        sh = rollout_share(s, i, "2033-01-17 11:05", 3, 45)
        for _ in range(poisson(rng, 0.6 * sh)):
            s.log(after(s.when(i), at("2033-01-17 11:05:15")), "WARN", "api", "PydanticDeprecatedSince20: The `dict` "
                  "method is deprecated; use `model_dump` instead (subs/api/schemas.py:88)", LOG)

    svc = Svc(
        name="subscriptions-api", file=LOG, comp="api",
        endpoints=[("GET /v1/subscriptions/{id}", 0.4, 30), ("GET /v1/plans", 0.2, 15), (CHANGE, 0.06, 220),
                   (PREVIEW, 0.07, 160), ("POST /v1/subscriptions", 0.05, 260), ("POST /v1/subscriptions/{id}/cancel", 0.03, 120),
                   ("GET /v1/invoices", 0.13, 70), ("GET /healthz", 0.06, 2)],
        rate=trend(230, 280), cpu=25, cpu_per_100=4, mem=48, access=front.access, restart=quiet, pods=3,
        sample=0.1, fail_sample=0.3, base_fail=0.0007, rid=num_rid,
        chatter=[
            Chatter(0.3, "WARN", "payments", lambda r: f"card declined for subscription s{r.randint(100000, 999999)}: "
                    "do_not_honor, dunning step 1"),
            Chatter(0, "INFO", "cache", lambda r: f"plan catalogue cache refreshed ({r.randint(24, 26)} plans)", every=5,
                    phase=4),
            Chatter(0, "ERROR", "webhooks", lambda r: "partner webhook https://hooks.bundlepartner.example/subs returned "
                    "410 Gone, disabling after 3 attempts", every=30, phase=12),
            Chatter(0.07, "WARN", "api", lambda r: f"slow request GET /v1/invoices took {r.randint(2000, 3200)}ms"),
        ],
    )

    def effect(i: int) -> Eff:
        sh = rollout_share(s, i, "2033-01-17 11:05", 3, 45)
        if not sh:
            return Eff()
        return Eff(fail={CHANGE: 0.72 * sh, PREVIEW: 0.72 * sh}, status=500, fail_ms=26, cause=bad)

    serve(s, svc, effect, each)
    return bundle(
        s, FORMATS, "customers changing their plan get an error page since late morning",
        truth_json(True, {"deploy": "v9.3.0", "commits": [c2]}, ["zerodivision", "division by zero", "prorat"],
                   "2033-01-17 11:05"),
    )


# ---- CLI


def main(argv: list[str]) -> int:
    return run_registry(argv, RT, DEFAULT_OUT, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
