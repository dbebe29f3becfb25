#!/usr/bin/env python3
"""Red-team set 5: twelve held-out incidents shaped like the eight shared scenario families.

Written without looking at the analyst. Deterministic (fixed seeds), standard library only. Reuses
gen_data's `Sim`, `Git` and `truth_json` and gen_blind's request simulator (`serve`, `Svc`, `Eff`,
`Chatter`, `bundle`). Each incident is one of the shared families (bad code deploy, false alarm,
memory leak after a deploy, migration table lock, connection-pool exhaustion, rollback that
recovered, traffic surge, upstream payment/provider outage) with other services and wording, in
the three layouts the README promises (JSON lines under several key conventions, logfmt
variants, the seed's plain format) in files not called app.log, and with traps: red-herring
deploys just before the onset, culprits shipped 45-90 minutes before the impact, culprit commits
that are not the first of their deploy and whose message does not name the failure, responders
who insist a harmless deploy broke something, and benign errors that recur all along.

    python3 scripts/gen_redteam5.py                  # every incident to /tmp/redteam5/<name>/
    python3 scripts/gen_redteam5.py NAME ...         # only these
    python3 scripts/gen_redteam5.py --out DIR        # somewhere else
    python3 scripts/gen_redteam5.py --list           # names and one line on each

Layout per incident: incident.txt, logs/*, git/recent_commits.json, metrics/metrics.json,
truth.json (scorer only; onset is when user impact begins in the data, UTC like the metrics).
"""

from __future__ import annotations

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
    Chatter,
    Eff,
    Svc,
    _q,
    _tail,
    bundle,
    ip,
    iso_ms_z,
    iso_us_z,
    kvs,
    level_of,
    pub,
    rollout_share,
    serve,
)
from gen_data import Sim, at, clamp, hexid, iso_z, poisson, registry, smoothstep, truth_json  # noqa: E402
from gen_redteam3 import after, jd  # noqa: E402

DEFAULT_OUT = Path("/tmp/redteam5")


# ---- time styles


def iso_off_ms(t: datetime) -> str:
    """`2031-05-06T09:12:03.123+00:00`"""
    return t.isoformat(timespec="milliseconds")


def epoch_s(t: datetime) -> float:
    """zap's production `ts`: epoch seconds as a float."""
    return round(t.timestamp(), 6)


# ---- log layouts: JSON lines with configurable keys, logfmt variants, the seed's plain format


class JsonKeys:
    """One JSON object per line: time, level and message under the given keys, then the fields."""

    def __init__(self, time_key: str, level_key: str, msg_key: str, comp_key: str | None = None,
                 time_fmt: Callable[[datetime], object] = iso_ms_z, levels: dict[str, str] | None = None,
                 static: dict | None = None, compact: bool = False):
        self.tk, self.lk, self.mk, self.ck = time_key, level_key, msg_key, comp_key
        self.time_fmt = time_fmt
        self.levels = levels if levels is not None else {}
        self.static = static or {}
        self.compact = compact

    def line(self, t, level, comp, msg, kv):
        obj = {self.tk: self.time_fmt(t), self.lk: self.levels.get(level, level.lower()), self.mk: msg}
        if self.ck and comp:
            obj[self.ck] = comp
        obj.update(self.static)
        obj.update(pub(kv))
        return jd(obj) if self.compact else json.dumps(obj)


UPPER = {"WARN": "WARNING", "FATAL": "CRITICAL"}  # Python logging names, upper case
SHORT = {"WARN": "warn", "ERROR": "error", "INFO": "info", "DEBUG": "debug", "FATAL": "fatal"}


class LogfmtKeys:
    """logfmt with a per-file head: `order` lists (key, field) with field one of time/level/msg/comp."""

    def __init__(self, order: list[tuple[str, str]], time_fmt: Callable[[datetime], str] = iso_ms_z,
                 levels: dict[str, str] | None = None, quote_time: bool = False):
        self.order = order
        self.time_fmt = time_fmt
        self.levels = levels or {}
        self.quote_time = quote_time

    def line(self, t, level, comp, msg, kv):
        vals = {"time": self.time_fmt(t), "level": self.levels.get(level, level.lower()), "msg": msg, "comp": comp}
        parts = []
        for key, f in self.order:
            if f == "comp" and not comp:
                continue
            v = vals[f]
            parts.append(f'{key}="{v}"' if f == "time" and self.quote_time else f"{key}={_q(v)}")
        extra = kvs(kv)
        return " ".join(parts) + (" " + extra if extra else "")


class PlainSeed:
    """The seed's layout `YYYY-MM-DD HH:MM:SS LEVEL [component] message` (fields, if any, appended as k=v)."""

    def line(self, t, level, comp, msg, kv):
        return f"{t:%Y-%m-%d %H:%M:%S} {level} [{comp}] {_tail(msg, kv)}"


# ---- small helpers


RT, incident = registry()


def rid_uuid(r: random.Random) -> str:
    return f"{hexid(r, 8)}-{hexid(r, 4)}-4{hexid(r, 3)}-{r.choice('89ab')}{hexid(r, 3)}-{hexid(r, 12)}"


def window_frac(s: Sim, i: int, lo: datetime, hi: datetime) -> float:
    """The share of minute i that lies inside [lo, hi)."""
    m0, m1 = s.minute(i), s.minute(i + 1)
    a, b = max(m0, lo), min(m1, hi)
    return max(0.0, (b - a).total_seconds() / 60.0)


def squeeze(t: datetime, lo: datetime, hi: datetime) -> datetime:
    """A failure drawn anywhere in its minute, moved (order kept) into the part of that minute inside [lo, hi)."""
    m0 = t.replace(second=0, microsecond=0)
    m1 = m0 + timedelta(minutes=1)
    a, b = max(m0, lo), min(m1, hi)
    if a >= b or (a == m0 and b == m1):
        return t
    return a + (t - m0) * ((b - a) / timedelta(minutes=1))


def finish(s: Sim, formats: dict[str, object], text: str, truth: str, per_point_service: bool = False
           ) -> dict[str, bytes]:
    """bundle(), optionally repeating the service name in every metrics point."""
    if per_point_service:
        for p in s.metrics:
            p["service"] = s.service
    return bundle(s, formats, text, truth)


def k8s_restart(s: Sim, file: str, comp: str, svc: str, kv_style: bool) -> Callable:
    """A rolling-restart callback for serve(): drain, start, ready."""

    def restart(t, old, new, version):
        t2 = t + timedelta(seconds=s.rng.uniform(4, 8))
        t3 = t2 + timedelta(seconds=s.rng.uniform(1, 3))
        if kv_style:
            s.log(t, "INFO", comp, "received SIGTERM, draining", file, pod=old)
            s.log(t2, "INFO", comp, f"starting {svc}", file, pod=new, version=version)
            s.log(t3, "INFO", comp, "ready", file, pod=new, port=8080)
        else:
            s.log(t, "INFO", comp, f"received SIGTERM on {old}, draining in-flight requests", file)
            s.log(t2, "INFO", comp, f"{svc} {version} starting on {new}", file)
            s.log(t3, "INFO", comp, f"{new} ready, listening on :8080", file)

    return restart


# ==== 1. bad code deploy: the 2nd of three commits rounds by currency and trips on invoices without one


@incident("invoicing-finalize-keyerror", "JSON lines {ts, level, msg} in invoicing-api.jsonl + pdf-worker.jsonl; "
          "v4.8.0 at 13:18 ships three commits, the middle one rounds line totals by the currency's minor units and "
          "raises KeyError: None on legacy invoices without a currency: finalize/preview/send 500; the pdf worker "
          "logs KeyError 'legacy_tax_code' all along (benign); v4.7.3 at 12:31 (deps + docs) is harmless")
def invoicing_finalize_keyerror() -> dict[str, bytes]:
    s = Sim(seed=500101, start="2031-02-04 12:00", minutes=160, service="invoicing-api")
    g, rng = s.git, s.rng
    dom = "ledgerly.example"
    a0 = g.commit("2031-02-03 15:12", f"nina.berg@{dom}", "Validate VAT IDs for NO and CH customers",
                  ["invoicing/vat.py", "invoicing/tests/test_vat.py"])
    g.deploy("v4.7.2", "2031-02-03 17:30", [a0])
    b1 = g.commit("2031-02-04 09:05", "renovate[bot]@users.noreply.example", "chore(deps): update structlog to 24.2.0",
                  ["requirements.txt", "requirements.lock"])
    b2 = g.commit("2031-02-04 09:40", f"tom.ashby@{dom}", "Docs: explain the webhook retry schedule", ["docs/webhooks.md"])
    g.deploy("v4.7.3", "2031-02-04 12:31", [b1, b2])
    c1 = g.commit("2031-02-04 10:20", f"nina.berg@{dom}", "Invoice list: filter by due date range",
                  ["invoicing/views/list.py", "invoicing/filters.py", "invoicing/tests/test_list.py"])
    c2 = g.commit("2031-02-04 11:08", f"omar.haddad@{dom}", "Totals: round each line in the currency's minor units",
                  ["invoicing/totals.py", "invoicing/money.py", "invoicing/tests/test_totals.py"])
    c3 = g.commit("2031-02-04 11:46", f"tom.ashby@{dom}", "Reword the 'invoice sent' email",
                  ["templates/email/invoice_sent.html", "templates/email/invoice_sent.txt"])
    g.deploy("v4.8.0", "2031-02-04 13:18", [c1, c2, c3])

    API, PDF = "invoicing-api.jsonl", "pdf-worker.jsonl"
    first_bad = at("2031-02-04 13:18") + timedelta(seconds=16)
    failed: set[str] = set()
    tb = ('Traceback (most recent call last):\n  File "/app/invoicing/views/finalize.py", line 41, in finalize\n'
          '    totals = compute_totals(invoice)\n  File "/app/invoicing/totals.py", line 88, in compute_totals\n'
          '    lines = [round_line(l, invoice.currency) for l in invoice.lines]\n  File "/app/invoicing/money.py", '
          'line 23, in round_line\n    exp = MINOR_UNITS[currency]\nKeyError: None')

    def share(i: int) -> float:
        return rollout_share(s, i, "2031-02-04 13:18", 3, 40)

    def bad(t, rid, ep):
        failed.add(rid)
        t = after(t, first_bad)
        inv = f"in_{hexid(rng, 14)}"
        what = {"POST /v1/invoices/{id}/finalize": "finalize", "GET /v1/invoices/{id}/preview": "preview"}.get(ep, "send")
        s.log(t, "ERROR", "invoicing.views", f"unhandled exception in {what}_invoice", API, invoice_id=inv,
              customer_id=f"cus_{hexid(rng, 12)}", currency=None, error="KeyError: None", exc_info=tb, request_id=rid)

    benign_5xx = ["psycopg.errors.QueryCanceled: canceling statement due to statement timeout",
                  "httpx.ReadTimeout: tax-rates.internal:443 read timed out (2.0s)",
                  "redis.exceptions.ConnectionError: Error 104 while writing to socket. Connection reset by peer."]

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = after(t, first_bad)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=3), "ERROR", "invoicing.views", "request failed", API,
                  error=rng.choice(benign_5xx), path=path, request_id=rid)
        s.log(t, level_of(status), "http", "request completed", API, method=method, path=path, status=status,
              duration_ms=took, request_id=rid, pod=pod)

    def each(i: int) -> None:
        for _ in range(poisson(rng, 2.2)):
            s.log(s.when(i), "INFO", "pdf.render", "invoice pdf rendered", PDF, invoice_id=f"in_{hexid(rng, 14)}",
                  pages=rng.randint(1, 4), took_ms=rng.randint(300, 2400))
        if i % 10 == 4:
            s.log(s.when(i, 0, 3), "INFO", "pdf.queue", "queue depth", PDF, depth=rng.randint(0, 12), workers=4)

    svc = Svc(
        name="invoicing-api", file=API, comp="http",
        endpoints=[("GET /v1/invoices", 0.2, 55), ("GET /v1/invoices/{id}", 0.25, 28), ("POST /v1/invoices", 0.08, 90),
                   ("POST /v1/invoices/{id}/finalize", 0.08, 140), ("GET /v1/invoices/{id}/preview", 0.07, 120),
                   ("POST /v1/invoices/{id}/send", 0.04, 160), ("GET /v1/customers/{id}", 0.16, 24),
                   ("GET /healthz", 0.05, 2)],
        rate=gen_data.trend(880, 1120), cpu=23, cpu_per_100=1.8, mem=52, access=access,
        restart=k8s_restart(s, API, "invoicing.boot", "invoicing-api", True), pods=3, sample=0.02, fail_sample=0.2,
        base_fail=0.001,
        chatter=[
            Chatter(0.25, "ERROR", "pdf.render", lambda r: ("pdf render failed", {
                "invoice_id": f"in_{hexid(r, 14)}", "error": "KeyError: 'legacy_tax_code'",
                "hint": "invoice created before 2029 tax migration"}), file=PDF),
            Chatter(0.2, "WARN", "pdf.render", lambda r: ("render slower than 20s", {"took_ms": r.randint(20000, 29000),
                                                                                      "pages": r.randint(30, 90)}), file=PDF),
            Chatter(0.3, "WARN", "invoicing.webhooks", lambda r: ("webhook delivery failed, will retry", {
                "endpoint": r.choice(["https://erp.acme.example/hooks/inv", "https://hooks.northwind.example/ledgerly"]),
                "status": r.choice([410, 502, 504]), "attempt": r.randint(1, 5)})),
            Chatter(0.15, "WARN", "invoicing.views", lambda r: ("validation failed", {
                "error": r.choice(["due_date before issue_date", "unknown tax code 'EXEMPT2'", "line quantity must be > 0"]),
                "status": 422})),
        ],
    )

    def effect(i: int) -> Eff:
        sh = share(i)
        if not sh:
            return Eff()
        return Eff(fail={"POST /v1/invoices/{id}/finalize": 0.55 * sh, "GET /v1/invoices/{id}/preview": 0.45 * sh,
                         "POST /v1/invoices/{id}/send": 0.3 * sh}, status=500, fail_ms=48, cause=bad)

    serve(s, svc, effect, each)
    return finish(
        s, {API: JsonKeys("ts", "level", "msg", "logger", levels=SHORT), PDF: JsonKeys("ts", "level", "msg", "logger",
                                                                                          levels=SHORT)},
        "finance ops says invoices won't finalize since early afternoon, they get 'Something went wrong' and some "
        "previews are blank too. can you find what broke?",
        truth_json(True, {"deploy": "v4.8.0", "commits": [c2]},
                   ["keyerror", "currency", "minor unit", "rounding"], "2031-02-04 13:18"),
    )


# ==== 2. false alarm: a ranking release, a responder sure it broke search, and the usual noisy errors


@incident("search-ranking-false-alarm", "logfmt (time= level= msg= component=) in search-api.log + indexer.log; "
          "v2.14.0 at 10:02 (SKU boost, synonyms, placeholder copy); error rate, latency, zero-hit share unchanged; "
          "ES shard rejections, query-parse warnings, a synonym reload error every 30 min and mapper rejections recur "
          "all along; the responder insists search broke; no incident")
def search_ranking_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=500202, start="2031-03-11 09:00", minutes=150, service="catalog-search")
    g, rng = s.git, s.rng
    dom = "homewares.example"
    a = g.commit("2031-03-10 14:30", f"lena.vogt@{dom}", "Suggest: dedupe brand suggestions", ["search/suggest.py"])
    g.deploy("v2.13.4", "2031-03-10 16:45", [a])
    c1 = g.commit("2031-03-10 17:05", f"arjun.rao@{dom}", "Ranking: boost exact SKU matches",
                  ["search/ranking/profile.py", "search/ranking/tests/test_profile.py", "config/ranking.yaml"])
    c2 = g.commit("2031-03-11 08:12", f"lena.vogt@{dom}", "Synonyms: sofa/couch/settee, wardrobe/armoire",
                  ["config/synonyms_en.txt"])
    c3 = g.commit("2031-03-11 08:40", f"mei.tanaka@{dom}", "Search box: new placeholder copy", ["web/i18n/en.json"])
    g.deploy("v2.14.0", "2031-03-11 10:02", [c1, c2, c3])

    API, IDX = "search-api.log", "indexer.log"
    queries = ["sofa", "oak table", "lamp shade", "wardrobe white", "SKU 4471-22", "rug 160x230", "bath towel",
               "desk chair", "mirror round", "curtains blackout", "bed frame king", "plant pot"]

    def access(t, method, path, status, took, rid, pod):
        kv = {"method": method, "path": path, "status": status, "dur_ms": took, "req_id": rid}
        if path.startswith("/v2/search") and status < 400:
            kv["hits"] = 0 if rng.random() < 0.055 else rng.randint(1, 480)
        if status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "es", "search backend error", API,
                  err=rng.choice(["es_rejected_execution_exception: rejected execution of coordinating operation",
                                  "circuit_breaking_exception: [parent] Data too large"]), req_id=rid)
        s.log(t, level_of(status), "http", "request", API, **kv)

    def each(i: int) -> None:
        if i % 30 == 7:
            s.log(s.when(i, 0, 5), "ERROR", "synonyms", "synonym reload failed", API,
                  err="open /etc/search/synonyms_de.txt: no such file or directory", keep="previous set")
        for _ in range(poisson(rng, 2.5)):
            s.log(s.when(i), "INFO", "indexer", "indexed batch", IDX, docs=rng.randint(40, 600),
                  took_ms=rng.randint(80, 900), index="products_v41")
        if rng.random() < 0.15:
            s.log(s.when(i), "ERROR", "indexer", "document rejected", IDX, doc_id=f"P{rng.randint(100000, 999999)}",
                  err="mapper_parsing_exception: failed to parse field [dimensions.depth_cm] of type [float]")
        if i % 15 == 0:
            s.log(s.when(i, 0, 5), "INFO", "indexer", "refresh done", IDX, index="products_v41",
                  docs_total=1_842_000 + i * 37)

    svc = Svc(
        name="search-api", file=API, comp="http",
        endpoints=[("GET /v2/search", 0.55, 85), ("GET /v2/suggest", 0.3, 18), ("GET /v2/facets", 0.1, 40),
                   ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(1500, 2300, 0.75, 0.45), cpu=31, cpu_per_100=1.1, mem=61, access=access,
        restart=k8s_restart(s, API, "boot", "search-api", True), pods=4, sample=0.012, fail_sample=0.3,
        base_fail=0.0012, base_status=(500, 503),
        chatter=[
            Chatter(0.6, "WARN", "query", lambda r: ("query parse error, falling back to simple query", {
                "reason": r.choice(["unbalanced quotes", "unexpected ')'", "too many clauses"]),
                "q": r.choice(queries) + r.choice(['"', ")", " AND OR"])})),
            Chatter(0.1, "WARN", "es", lambda r: ("scroll context expired", {"scroll_id": hexid(r, 20)})),
            Chatter(0.25, "ERROR", "es", lambda r: ("shard failure, retried on replica", {
                "index": "products_v41", "shard": r.randint(0, 11),
                "err": "es_rejected_execution_exception: rejected execution (queue capacity 1000)"})),
        ],
    )
    orig_restart = svc.restart

    def restart(t, old, new, version):
        orig_restart(t, old, new, version)
        if version == "v2.14.0":
            s.log(t + timedelta(seconds=9), "INFO", "ranking", "loaded ranking profile", API, profile="default_v7",
                  exact_sku_boost=3.0, synonyms=1284)

    svc.restart = restart
    serve(s, svc, lambda i: Eff(), each)
    lf = LogfmtKeys([("time", "time"), ("level", "level"), ("msg", "msg"), ("component", "comp")])
    return finish(
        s, {API: lf, IDX: lf},
        "search has been broken since the v2.14.0 deploy around 10:00. customers on chat say they can't find "
        "products and search-api is full of errors. we need the bad commit so we can revert ASAP",
        truth_json(False, None, [], None),
    )


# ==== 3. false alarm: a CPU alert after a release is the daily digest batch, as every day


@incident("notify-digest-cpu-false-alarm", "the seed's plain format in notifier.log + scheduler.log; v7.3.0 at 13:52; "
          "at 14:30 the daily digest cron (same time yesterday, same duration) lifts CPU to ~55% for 12 min; error "
          "rate and latency flat; APNs BadDeviceToken / FCM not-found / SMTP 451 recur all along (more of them while "
          "the digest sends); the responder blames the release's template loader; no incident")
def notify_digest_cpu_false_alarm() -> dict[str, bytes]:
    s = Sim(seed=500303, start="2031-04-22 13:00", minutes=150, service="notify-service")
    g, rng = s.git, s.rng
    dom = "pingbox.example"
    a = g.commit("2031-04-21 11:02", f"kofi.mensah@{dom}", "Quiet hours: respect user time zone", ["notify/quiet.py"])
    g.deploy("v7.2.5", "2031-04-21 15:20", [a])
    c1 = g.commit("2031-04-22 09:14", f"ines.duarte@{dom}", "Slack channel preference for team alerts",
                  ["notify/prefs/slack.py", "notify/prefs/tests/test_slack.py"])
    c2 = g.commit("2031-04-22 10:50", f"kofi.mensah@{dom}", "Load templates from the bundle instead of S3 on boot",
                  ["notify/templates/loader.py", "notify/templates/bundle.py"])
    c3 = g.commit("2031-04-22 11:31", f"ines.duarte@{dom}", "Fix typo in unsubscribe footer", ["templates/footer.html"])
    g.deploy("v7.3.0", "2031-04-22 13:52", [c1, c2, c3])

    N, SCH = "notifier.log", "scheduler.log"
    d0, d1 = s.idx("14:30"), s.idx("14:42")

    def digest(i: int) -> float:
        if i < d0 or i > d1:
            return 0.0
        return smoothstep((i - d0 + 1) / 2) * smoothstep((d1 - i + 1) / 2)

    def access(t, method, path, status, took, rid, pod):
        if status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "api", f"unhandled error on {path}: "
                  + rng.choice(["OperationalError: server closed the connection unexpectedly",
                                "TimeoutError: preferences cache read timed out"]), N)
        s.log(t, level_of(status), "api", f"{method} {path} {status} {took}ms", N)

    def each(i: int) -> None:
        if i % 5 == 0:
            s.log(s.when(i, 0, 2), "INFO", "cron", "job cleanup-expired-tokens started (*/5 * * * *)", SCH)
            s.log(s.when(i, 3, 8), "INFO", "cron", f"job cleanup-expired-tokens finished, removed {rng.randint(20, 300)}", SCH)
        if i % 15 == 3:
            s.log(s.when(i, 0, 3), "INFO", "cron", "job retry-failed-emails started (3-59/15 * * * *)", SCH)
            s.log(s.when(i, 20, 40), "INFO", "cron", f"job retry-failed-emails finished, resent {rng.randint(0, 40)}", SCH)
        if i == d0:
            s.log(s.clock("14:30:00"), "INFO", "cron", "job daily-digest started (30 14 * * *); last run "
                  "2031-04-21 14:30:01 took 11m48s", SCH)
        dg = digest(i)
        if dg:
            k = i - d0 + 1
            s.log(s.when(i, 30, 40), "INFO", "digest", f"digest batch {min(4 * k, 48)}/48 sent={rng.randint(58000, 66000)} "
                  f"skipped_quiet_hours={rng.randint(900, 2100)}", SCH)
        if i == d1:
            s.log(s.clock("14:42:14"), "INFO", "cron", "job daily-digest finished in 11m52s (sent 741,208, "
                  "failed 0, next run 2031-04-23 14:30)", SCH)
        mult = 1 + 1.3 * dg
        for _ in range(poisson(rng, 3.5 * mult)):
            s.log(s.when(i), "INFO", "sender", f"sent {rng.choice(['push', 'push', 'email', 'sms'])} "
                  f"template={rng.choice(['order_shipped', 'new_message', 'weekly_digest', 'price_drop'])} "
                  f"to user u{rng.randint(10000, 999999)}", N)
        for _ in range(poisson(rng, 0.8 * mult)):
            s.log(s.when(i), "ERROR", "apns", f"BadDeviceToken for device {hexid(rng, 16)}, unregistering", N)
        for _ in range(poisson(rng, 0.4 * mult)):
            s.log(s.when(i), "ERROR", "fcm", "Requested entity was not found (registration token expired), "
                  f"unregistering {hexid(rng, 12)}", N)
        for _ in range(poisson(rng, 0.3 * mult)):
            s.log(s.when(i), "WARN", "smtp", f"451 4.7.1 temporary failure from mx{rng.randint(1, 4)}.mailhost.example, "
                  "will retry in 300s", N)

    svc = Svc(
        name="notify-service", file=N, comp="api",
        endpoints=[("POST /v1/notifications", 0.35, 35), ("GET /v1/preferences/{id}", 0.3, 12),
                   ("PUT /v1/preferences/{id}", 0.07, 20), ("POST /v1/devices", 0.08, 18),
                   ("GET /v1/inbox/{id}", 0.15, 28), ("GET /healthz", 0.05, 1)],
        rate=gen_data.trend(700, 760), cpu=24, cpu_per_100=2.0, mem=48, access=access,
        restart=k8s_restart(s, N, "boot", "notify-service", False), pods=3, sample=0.02, fail_sample=0.4,
        base_fail=0.0008,
        chatter=[Chatter(0.2, "WARN", "api", lambda r: f"rate limit hit for client app-{r.randint(10, 99)}, 429 returned")],
    )

    def effect(i: int) -> Eff:
        dg = digest(i)
        return Eff(cpu_add=30 * dg, mem_add=5 * dg, lat_mult={"": 1 + 0.04 * dg})

    serve(s, svc, effect, each)
    return finish(
        s, {N: PlainSeed(), SCH: PlainSeed()},
        "CPU alert on notify-service fired after today's release (v7.3.0 went out just before 2pm). I'm pretty sure "
        "the new template loader is burning CPU and probably breaking sends. which commit do we revert?",
        truth_json(False, None, [], None),
    )


# ==== 4. memory leak: v6.2.0 keeps signed avatar URLs forever; the first OOM kill comes ~70 min later


@incident("profile-avatar-url-leak", "JSON lines {timestamp, severity, message, logger} in profile-api.jsonl + "
          "kube-events.jsonl, {ts, level, msg} in edge-access.jsonl; v6.2.0 at 08:58, 2nd of three commits reuses "
          "signed avatar URLs across requests (never evicted): memory climbs ~0.75%/min per pod, GC stalls then "
          "OOMKilled pods from ~10:07 with 502/504 bursts, again from ~11:17; no errors for 65 min after the deploy; "
          "avatar 404s and client rate limits recur all along")
def profile_avatar_url_leak() -> dict[str, bytes]:
    s = Sim(seed=500404, start="2031-05-06 08:30", minutes=180, service="profile-api")
    g, rng = s.git, s.rng
    dom = "kindred.example"
    a1 = g.commit("2031-05-05 10:12", f"yusuf.demir@{dom}", "Export: include pronouns in GDPR export",
                  ["profile/export.py", "profile/tests/test_export.py"])
    a2 = g.commit("2031-05-05 13:40", f"hana.sato@{dom}", "Bump uvicorn to 0.29.0", ["requirements.txt"])
    g.deploy("v6.1.9", "2031-05-05 16:10", [a1, a2])
    c1 = g.commit("2031-05-05 17:22", f"hana.sato@{dom}", "Settings: move privacy section above notifications",
                  ["web/src/settings/Layout.tsx", "web/src/settings/Privacy.tsx"])
    c2 = g.commit("2031-05-06 07:48", f"yusuf.demir@{dom}", "Reuse signed avatar URLs across requests",
                  ["profile/avatars.py", "profile/signing.py", "profile/tests/test_avatars.py"])
    c3 = g.commit("2031-05-06 08:05", "renovate[bot]@users.noreply.example", "Bump pydantic from 2.6.3 to 2.6.4",
                  ["requirements.txt", "requirements.lock"])
    g.deploy("v6.2.0", "2031-05-06 08:58", [c1, c2, c3])

    APP, EDGE, EV = "profile-api.jsonl", "edge-access.jsonl", "kube-events.jsonl"
    LIMIT_MB, BASE, OOM = 2048, 43.5, 96.0
    rates = [0.75, 0.742, 0.735]
    pods = [f"profile-api-6f8d9c{hexid(rng, 3)}-{gen_data.b36(rng, 5).lower()}" for _ in range(3)]
    end = s.minute(s.n)

    # each pod's lives on the leaking build: (start, leak %/min); a kill ends a life, the container restarts in 35 s
    lives: list[list[tuple[datetime, float]]] = [[(s.t0 - timedelta(hours=16), 0.0)] for _ in range(3)]
    kills: list[tuple[datetime, int]] = []
    for k in range(3):
        t = at("2031-05-06 08:58") + timedelta(seconds=15 + 40 * k)
        lives[k].append((t, rates[k]))
        while True:
            t_kill = t + timedelta(minutes=(OOM - BASE) / rates[k])
            if t_kill >= end:
                break
            kills.append((t_kill, k))
            t = t_kill + timedelta(seconds=35)
            lives[k].append((t, rates[k]))
    kills.sort()

    def pod_mem(k: int, t: datetime) -> float | None:
        """Memory % of pod k at t (None while the container is restarting)."""
        cur = None
        for start, r in lives[k]:
            if start <= t:
                cur = (start, r)
        for tk, kk in kills:
            if kk == k and cur and cur[0] <= tk <= t < tk + timedelta(seconds=35):
                return None
        start, r = cur
        return BASE + r * (t - start).total_seconds() / 60.0

    def stress(m: float | None) -> float:
        return 0.0 if m is None else smoothstep((m - 91.5) / 4.5)

    kill_min: dict[int, list[int]] = {}
    for tk, k in kills:
        kill_min.setdefault(int((tk - s.t0).total_seconds() // 60), []).append(k)

    culprit_ix = [0]  # which pod the next failure belongs to

    def fail_cause(t, rid, ep):
        k = culprit_ix[0]
        fail_pod[rid] = k

    fail_pod: dict[str, int] = {}
    warned: set[tuple[int, int]] = set()
    deploy_count = [0]

    def restart(t, old, new, version):
        k = deploy_count[0] % 3
        deploy_count[0] += 1
        s.log(t, "INFO", "uvicorn.error", "Shutting down", APP, pod=pods[k])
        pods[k] = new
        t2 = t + timedelta(seconds=rng.uniform(5, 8))
        s.log(t2, "INFO", "profile.boot", "profile-api started", APP, pod=new, version=version, workers=4,
              memory_limit_mb=LIMIT_MB)
        s.log(t2, "INFO", "kubelet", f"Started container profile-api in pod {new}", EV, reason="Started",
              kind="Pod", pod=new)

    def each(i: int) -> None:
        mid = s.minute(i) + timedelta(seconds=30)
        for k in range(3):
            m = pod_mem(k, mid)
            if m is None:
                continue
            life = sum(1 for st, _ in lives[k] if st <= mid)
            if i % 5 == k + 1:
                st = stress(m)
                s.log(s.when(i, 0, 10), "INFO", "profile.runtime", "runtime stats", APP, pod=pods[k],
                      rss_mb=int(m / 100 * LIMIT_MB + rng.uniform(-6, 6)), gc_gen2_collections=int(40 + 900 * st + life),
                      gc_pause_ms_p99=int(18 + 1400 * st + rng.uniform(-3, 3)), open_fds=rng.randint(60, 80))
            if m >= 85 and (k, life) not in warned:
                warned.add((k, life))
                s.log(s.when(i), "WARN", "profile.runtime", "memory usage above 85% of container limit", APP,
                      pod=pods[k], rss_mb=int(m / 100 * LIMIT_MB), limit_mb=LIMIT_MB)
            if stress(m) > 0.2 and rng.random() < stress(m):
                s.log(s.when(i), "WARN", "profile.runtime", "long garbage collection pause", APP, pod=pods[k],
                      pause_ms=int(600 + 2400 * stress(m) * rng.uniform(0.7, 1.2)), generation=2)
            if stress(m) > 0.5 and rng.random() < stress(m) * 0.8:
                s.log(s.when(i), "WARN", "kubelet", f"Readiness probe failed: Get \"http://{ip(rng, '10.42.')}:8080/"
                      "ready\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", EV,
                      reason="Unhealthy", kind="Pod", pod=pods[k])
        for k in kill_min.get(i, []):
            tk = next(t for t, kk in kills if kk == k and int((t - s.t0).total_seconds() // 60) == i)
            n_kill = sum(1 for t, kk in kills if kk == k and t <= tk)
            s.log(tk, "WARN", "kubelet", f"Container profile-api in pod {pods[k]} was OOMKilled (exit code 137), "
                  "restarting", EV, reason="OOMKilling", kind="Pod", pod=pods[k], restart_count=n_kill)
            t2 = tk + timedelta(seconds=35)
            s.log(t2, "INFO", "kubelet", f"Started container profile-api in pod {pods[k]}", EV, reason="Started",
                  kind="Pod", pod=pods[k])
            s.log(t2 + timedelta(seconds=2), "INFO", "profile.boot", "profile-api started", APP, pod=pods[k],
                  version="v6.2.0", workers=4, memory_limit_mb=LIMIT_MB)

    def access(t, method, path, status, took, rid, pod):
        k = fail_pod.get(rid, rng.randrange(3))
        up = f"{pods[k]}:8080"
        if status == 502:
            s.log(t, "ERROR", "edge", "upstream prematurely closed connection while reading response header", EDGE,
                  method=method, path=path, status=502, upstream=up, duration_ms=took, request_id=rid)
        elif status == 504:
            s.log(t, "ERROR", "edge", "upstream timed out (110: Connection timed out) while reading response header",
                  EDGE, method=method, path=path, status=504, upstream=up, duration_ms=took, request_id=rid)
        else:
            if status >= 500:
                s.log(t - timedelta(milliseconds=3), "ERROR", "profile.api", "unhandled exception", APP, pod=pods[k],
                      error=rng.choice(["asyncpg.exceptions.QueryCanceledError: canceling statement due to statement "
                                        "timeout", "httpx.ConnectError: [Errno 111] Connection refused (pronouns-svc)"]),
                      request_id=rid)
            s.log(t, level_of(status), "edge", "request", EDGE, method=method, path=path, status=status,
                  upstream=up, duration_ms=took, request_id=rid)

    svc = Svc(
        name="profile-api", file=APP, comp="profile.api",
        endpoints=[("GET /v1/profiles/{id}", 0.42, 35), ("GET /v1/profiles/{id}/avatar", 0.25, 22),
                   ("PATCH /v1/profiles/{id}", 0.08, 60), ("GET /v1/me", 0.18, 25), ("GET /healthz", 0.07, 1)],
        rate=gen_data.bump(1300, 1750, 0.55, 0.5), cpu=27, cpu_per_100=1.5, mem=BASE, access=access, restart=restart,
        pods=3, sample=0.015, fail_sample=0.25, base_fail=0.0007,
        chatter=[
            Chatter(0.3, "ERROR", "profile.avatars", lambda r: ("avatar object missing in storage, serving default", {
                "key": f"avatars/{hexid(r, 2)}/{hexid(r, 24)}.webp", "status": 404})),
            Chatter(0.4, "WARN", "profile.api", lambda r: ("rate limit exceeded", {
                "client_id": f"app_{hexid(r, 6)}", "limit_per_min": 600})),
        ],
    )

    def effect(i: int) -> Eff:
        mid = s.minute(i) + timedelta(seconds=30)
        end_m = s.minute(i) + timedelta(seconds=59)
        mems = [pod_mem(k, mid) for k in range(3)]
        st = [stress(m) for m in mems]
        killed = kill_min.get(i, [])
        fail = sum(x * x for x in st) * 0.16 / 3 + 0.07 * len(killed)
        down = sum(1 for m in mems if m is None)
        lat = 1 + sum(st) * 2.3 / 3 + 0.25 * (down + len(killed))
        ends = [pod_mem(k, end_m) for k in range(3)]
        mem = sum(BASE if m is None else m for m in ends) / 3 + rng.gauss(0, 0.3)
        if killed:
            culprit_ix[0] = killed[0]
        else:
            culprit_ix[0] = max(range(3), key=lambda k: st[k])
        if fail < 0.002:
            return Eff(mem=mem, lat_mult={"": lat})
        return Eff(mem=mem, lat_mult={"": lat}, fail={"": fail}, status=502 if killed else 504,
                   fail_ms=30 if killed else 5000, cause=fail_cause, cpu_add=6 * sum(st))

    serve(s, svc, effect, each)
    sev = JsonKeys("timestamp", "severity", "message", "logger", time_fmt=iso_off_ms, levels={
        "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR", "DEBUG": "DEBUG", "FATAL": "CRITICAL"})
    return finish(
        s, {APP: sev, EV: sev, EDGE: JsonKeys("ts", "level", "msg", None, levels=SHORT, compact=True)},
        "profile pages keep failing on and off (502s) and the profile-api pods keep restarting. the last deploy was "
        "hours ago I think. what's going on?",
        truth_json(True, {"deploy": "v6.2.0", "commits": [c2]},
                   ["memory", "leak", "oom", "out of memory"], "2031-05-06 10:05"),
        per_point_service=True,
    )


# ==== 5. migration table lock: widening a column rewrites the shipments table under an exclusive lock


@incident("shipments-weight-column-rewrite", "logfmt (ts= lvl= caller= msg=) in shipments-api.log + migrate.log; "
          "v3.30.0 at 14:47: its pre-upgrade migration job runs 0086 (nullable column, instant) then 0087 from the "
          "2nd commit ('allow freight parcels over 2.1 t': weight_grams integer -> bigint, a table rewrite under "
          "ACCESS EXCLUSIVE) for 18 min: shipment queries wait and time out (504) until 15:05, then the pods roll; "
          "slow report queries, webhook signature and label-font errors recur all along")
def shipments_weight_column_rewrite() -> dict[str, bytes]:
    s = Sim(seed=500505, start="2031-06-17 14:00", minutes=150, service="shipments-api")
    g, rng = s.git, s.rng
    dom = "parcelhub.example"
    a = g.commit("2031-06-16 15:30", f"eva.lind@{dom}", "Carriers: add PostNord service codes",
                 ["internal/carriers/postnord.go", "internal/carriers/postnord_test.go"])
    g.deploy("v3.29.2", "2031-06-16 17:05", [a])
    c1 = g.commit("2031-06-17 09:12", f"eva.lind@{dom}", "Expose carrier tracking URL on shipment responses",
                  ["migrations/0086_tracking_url.up.sql", "migrations/0086_tracking_url.down.sql",
                   "internal/shipments/dto.go", "internal/shipments/dto_test.go"])
    c2 = g.commit("2031-06-17 11:37", f"jonas.weber@{dom}", "Allow freight parcels over 2.1 t",
                  ["migrations/0087_weight_bigint.up.sql", "migrations/0087_weight_bigint.down.sql",
                   "internal/shipments/model.go", "internal/rates/weight.go"])
    c3 = g.commit("2031-06-17 12:02", f"eva.lind@{dom}", "README: local dev with docker compose", ["README.md"])
    g.deploy("v3.30.0", "2031-06-17 14:47", [c1, c2, c3])

    API, MIG = "shipments-api.log", "migrate.log"
    t_start = s.clock("14:47:07")
    first_bad = t_start + timedelta(seconds=5)
    t_end = s.clock("15:05:29")
    pods = [f"shipments-api-7c4f{hexid(rng, 5)}-{gen_data.b36(rng, 5).lower()}" for _ in range(4)]

    def frac(i: int) -> float:
        return window_frac(s, i, first_bad, t_end)

    s.log(s.clock("14:47:02"), "INFO", "migrate/main.go:41", "starting migrations", MIG, version="v3.30.0",
          pending=2, dsn="postgres://shipments@pg-main.parcelhub.internal:5432/shipments")
    s.log(s.clock("14:47:03"), "INFO", "migrate/main.go:66", "applying", MIG, migration="0086_tracking_url.up.sql")
    s.log(s.clock("14:47:04"), "INFO", "migrate/main.go:71", "applied", MIG, migration="0086_tracking_url.up.sql",
          duration="212ms")
    s.log(t_start, "INFO", "migrate/main.go:66", "applying", MIG, migration="0087_weight_bigint.up.sql")
    s.log(t_start + timedelta(milliseconds=40), "DEBUG", "migrate/main.go:68", "exec", MIG,
          sql="ALTER TABLE shipments ALTER COLUMN weight_grams TYPE bigint")
    s.log(t_end, "INFO", "migrate/main.go:71", "applied", MIG, migration="0087_weight_bigint.up.sql", duration="18m22.4s")
    s.log(t_end + timedelta(seconds=1), "INFO", "migrate/main.go:80", "migrations complete", MIG, version="v3.30.0")
    roll = t_end + timedelta(seconds=20)
    new_pods = []
    for k in range(4):
        t = roll + timedelta(seconds=25 * k)
        new = f"shipments-api-59b2{hexid(rng, 5)}-{gen_data.b36(rng, 5).lower()}"
        s.log(t, "INFO", "cmd/api/main.go:88", "shutting down", API, pod=pods[k], signal="terminated")
        s.log(t + timedelta(seconds=6), "INFO", "cmd/api/main.go:52", "listening", API, pod=new, addr=":8080",
              version="v3.30.0")
        new_pods.append(new)

    def pod_at(t: datetime) -> str:
        k = rng.randrange(4)
        return new_pods[k] if t >= roll + timedelta(seconds=25 * k + 6) else pods[k]

    failed: set[str] = set()
    queries = {"GET /v1/shipments/{id}": "SELECT ... FROM shipments WHERE id = $1",
               "GET /v1/shipments": "SELECT ... FROM shipments WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50",
               "POST /v1/shipments": "INSERT INTO shipments (...) VALUES (...)",
               "PATCH /v1/shipments/{id}": "UPDATE shipments SET status = $2, updated_at = now() WHERE id = $1",
               "POST /v1/shipments/{id}/labels": "SELECT ... FROM shipments WHERE id = $1 FOR UPDATE",
               "GET /v1/carriers": "SELECT ... FROM carriers WHERE active"}

    def bad(t, rid, ep):
        failed.add(rid)
        t = squeeze(t, first_bad, t_end)
        if ep == "GET /v1/carriers":
            s.log(t, "ERROR", "internal/db/pool.go:57", "acquire connection", API, err="context deadline exceeded",
                  pool_total=30, pool_acquired=30, req_id=rid)
            return
        err = "timeout: context deadline exceeded" if rng.random() < 0.7 else \
            "ERROR: canceling statement due to statement timeout (SQLSTATE 57014)"
        s.log(t, "ERROR", "internal/shipments/repo.go:112", "query failed", API, err=err, query=queries[ep],
              waited_ms=rng.randint(5000, 5012), req_id=rid)

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = squeeze(t, first_bad, t_end)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "internal/carriers/client.go:140", "carrier api call failed",
                  API, carrier=rng.choice(["dhl", "ups", "gls"]), err="unexpected status 502", req_id=rid)
        s.log(t, level_of(status), "internal/httpserver/log.go:33",
              "request", API, method=method, path=path, status=status, dur=f"{took}ms", req_id=rid,
              pod=pod_at(t))

    def each(i: int) -> None:
        t = s.when(i, 0, 2)
        locked = first_bad <= t < t_end
        acquired = 30 if locked else int(clamp(6 + rng.gauss(0, 1.5), 2, 30))
        waiting = int(rng.uniform(35, 80)) if locked else 0
        s.log(t, "INFO", "internal/db/pool.go:91", "pool stats", API, total=30, acquired=acquired,
              idle=30 - acquired, waiting=waiting, pod=pod_at(s.minute(i)))

    svc = Svc(
        name="shipments-api", file=API, comp="internal/httpserver/log.go:33",
        endpoints=[("GET /v1/shipments/{id}", 0.3, 18), ("GET /v1/shipments", 0.14, 45), ("POST /v1/shipments", 0.14, 60),
                   ("PATCH /v1/shipments/{id}", 0.1, 30), ("POST /v1/shipments/{id}/labels", 0.08, 220),
                   ("GET /v1/carriers", 0.08, 8), ("GET /v1/reports/daily", 0.02, 900), ("GET /healthz", 0.06, 1)],
        rate=gen_data.trend(1250, 1400), cpu=19, cpu_per_100=1.4, mem=38, access=access,
        restart=lambda t, old, new, version: None, pods=4, sample=0.015, fail_sample=0.15, base_fail=0.0009,
        chatter=[
            Chatter(0.2, "WARN", "internal/db/slowlog.go:22", lambda r: ("slow query", {
                "dur": f"{r.randint(1800, 6400)}ms", "query": "SELECT carrier, count(*) ... FROM shipment_events GROUP BY 1"})),
            Chatter(0.2, "ERROR", "internal/webhooks/verify.go:48", lambda r: ("carrier webhook signature mismatch", {
                "carrier": r.choice(["dhl", "postnord", "dpd"]), "remote": ip(r, "52.")})),
            Chatter(0.1, "ERROR", "internal/labels/render.go:203", lambda r: ("label render failed", {
                "err": "font not found: NotoSansThai-Regular.ttf", "shipment": f"shp_{hexid(r, 10)}"})),
        ],
    )

    def effect(i: int) -> Eff:
        fr = frac(i)
        if not fr:
            return Eff()
        ship = {k: 0.88 * fr for k in queries if k != "GET /v1/carriers"}
        return Eff(fail={**ship, "GET /v1/carriers": 0.12 * fr}, status=504, fail_ms=5006,
                   lat_add={"GET /v1/carriers": 900 * fr}, cause=bad, cpu_add=-4 * fr)

    serve(s, svc, effect, each)
    lf = LogfmtKeys([("ts", "time"), ("lvl", "level"), ("caller", "comp"), ("msg", "msg")], levels=SHORT)
    return finish(
        s, {API: lf, MIG: lf},
        "shipments API was throwing 504s for about 20 minutes this afternoon, warehouse scanners couldn't create or "
        "update shipments, then it recovered on its own. root cause please",
        truth_json(True, {"deploy": "v3.30.0", "commits": [c2]},
                   ["lock", "alter table", "migration", "access exclusive", "table rewrite"], "2031-06-17 14:47"),
    )


# ==== 6. pool exhaustion at peak: v9.4.0 streams reconciliation reports while holding a DB connection


@incident("ledger-recon-stream-pool", "the seed's plain format in ledger-api.log + jobs.log; v9.4.0 at 11:02, 2nd of "
          "three commits streams reconciliation reports while holding a pooled connection for minutes; as finance "
          "users pile in towards noon the SQLAlchemy pool (12+6 per pod) runs out at ~12:02 (60 min later): QueuePool "
          "timeouts, 500s and 10 s waits until the peak passes ~12:40; v9.4.1 at 11:51 (copy + CSS) is a red "
          "herring; stale FX rates, slow statements and webhook retries recur all along")
def ledger_recon_stream_pool() -> dict[str, bytes]:
    s = Sim(seed=500606, start="2031-07-08 10:30", minutes=170, service="ledger-api")
    g, rng = s.git, s.rng
    dom = "fintrail.example"
    a = g.commit("2031-07-07 14:18", f"priya.nair@{dom}", "Interest accrual: handle leap years",
                 ["ledger/interest/accrual.py", "ledger/interest/tests/test_accrual.py"])
    g.deploy("v9.3.7", "2031-07-07 16:40", [a])
    c1 = g.commit("2031-07-07 17:55", f"priya.nair@{dom}", "Statement export: configurable CSV delimiter",
                  ["ledger/statements/export.py", "ledger/statements/tests/test_export.py"])
    c2 = g.commit("2031-07-08 08:31", f"lucas.moreau@{dom}", "Reconciliation report: stream rows instead of building "
                  "the whole file", ["ledger/recon/report.py", "ledger/recon/views.py", "ledger/db/session.py"])
    c3 = g.commit("2031-07-08 09:10", f"priya.nair@{dom}", "Remove the recon_v1 feature flag",
                  ["ledger/flags.py", "ledger/recon/legacy.py"])
    g.deploy("v9.4.0", "2031-07-08 11:02", [c1, c2, c3])
    d1 = g.commit("2031-07-08 10:45", f"sofia.reyes@{dom}", "Statement page: clearer copy for pending transactions",
                  ["web/templates/statements/pending.html", "web/i18n/en.po"])
    d2 = g.commit("2031-07-08 11:20", f"sofia.reyes@{dom}", "CSS: right-align the totals column",
                  ["web/static/css/statements.css"])
    g.deploy("v9.4.1", "2031-07-08 11:51", [d1, d2])

    API, JOBS = "ledger-api.log", "jobs.log"
    POOL = 18
    rate = gen_data.bump(520, 1150, 0.66, 0.28)
    dep = s.idx("11:02")

    def demand(i: int) -> float:
        r = rate(i / (s.n - 1))
        u = (r - 520) / 630
        recon = 0.4 + 4.2 * u
        hold = 2.6 * rollout_share(s, i, "2031-07-08 11:02", 4, 30) if i >= dep else 0.0
        return 2.5 + 5.5 * r / 1150 + recon * max(hold, 0.05)

    def wait_ms(i: int) -> float:
        return 6000 * smoothstep((demand(i) - 17.4) / 1.0)

    def pfail(i: int) -> float:
        return clamp((demand(i) - 17.9) * 0.25, 0.0, 0.5)

    onset = gen_data.iso_z(s.minute(next(i for i in range(s.n) if wait_ms(i) > 400 or pfail(i) > 0.01)))
    failed: set[str] = set()
    pods = [f"ledger-api-5d7b{hexid(rng, 5)}-{gen_data.b36(rng, 5).lower()}" for _ in range(4)]

    def bad(t, rid, ep):
        failed.add(rid)
        s.log(t, "ERROR", "db", f"QueuePool limit of size 12 overflow 6 reached, connection timed out, timeout 10.00 "
              f"(Background on this error at: https://sqlalche.me/e/20/3o7r) request_id={rid}", API)

    def access(t, method, path, status, took, rid, pod):
        if status >= 500 and rid not in failed:
            s.log(t - timedelta(milliseconds=2), "ERROR", "api", rng.choice([
                "upstream fx-rates returned 503 while pricing transfer, giving up",
                "psycopg.errors.SerializationFailure: could not serialize access due to concurrent update"])
                + f" request_id={rid}", API)
        s.log(t, level_of(status), "api", f"{method} {path} {status} {took}ms", API)

    def each(i: int) -> None:
        d = demand(i) + rng.gauss(0, 0.5)
        out = int(clamp(round(d), 1, POOL))
        waiting = max(0, int(round((d - POOL) * rng.uniform(6, 10)))) if d > POOL - 0.3 else 0
        s.log(s.when(i, 0, 3), "INFO", "db", f"pool status: {out}/{POOL} checked out, {waiting} waiting "
              f"({rng.choice(pods)})", API)
        r = rate(i / (s.n - 1))
        recon = (0.4 + 4.2 * (r - 520) / 630) * 4
        for _ in range(poisson(rng, recon * 0.25)):
            acc = f"acc_{hexid(rng, 10)}"
            rows = rng.randint(4000, 220000)
            t = s.when(i)
            if i >= dep and t >= at("2031-07-08 11:02:30"):
                s.log(t, "INFO", "recon", f"streaming reconciliation report account={acc} format=csv", API)
                s.log(t + timedelta(seconds=rng.uniform(70, 230)), "INFO", "recon",
                      f"reconciliation stream finished account={acc} rows={rows}", API)
            else:
                s.log(t, "INFO", "recon", f"reconciliation report built account={acc} rows={rows} in "
                      f"{rows / 90000 + rng.uniform(0.2, 0.6):.1f}s", API)
        if i % 5 == 2:
            s.log(s.when(i, 0, 5), "INFO", "scheduler", "job fx-refresh started", JOBS)
            s.log(s.when(i, 6, 15), "INFO", "scheduler", f"job fx-refresh finished, {rng.randint(150, 162)} pairs updated",
                  JOBS)
        if i % 15 == 9:
            s.log(s.when(i, 0, 5), "INFO", "scheduler", "job interest-accrual started", JOBS)
            s.log(s.when(i, 30, 55), "INFO", "scheduler", f"job interest-accrual finished, {rng.randint(9000, 9500)} "
                  "accounts", JOBS)

    svc = Svc(
        name="ledger-api", file=API, comp="api",
        endpoints=[("GET /v2/accounts/{id}/balance", 0.34, 28), ("GET /v2/accounts/{id}/transactions", 0.22, 70),
                   ("POST /v2/transfers", 0.12, 110), ("GET /v2/statements/{id}", 0.1, 160),
                   ("GET /v2/recon/report", 0.04, 300), ("GET /v2/fx/rates", 0.12, 15), ("GET /healthz", 0.06, 1)],
        rate=rate, cpu=22, cpu_per_100=1.6, mem=49, access=access,
        restart=k8s_restart(s, API, "boot", "ledger-api", False), pods=4, sample=0.015, fail_sample=0.2,
        base_fail=0.0009,
        chatter=[
            Chatter(0.25, "ERROR", "fx", lambda r: f"rate provider returned stale rate for {r.choice(['TRY', 'ARS', 'NGN'])}"
                    f", using cached value from {r.randint(3, 9)}m ago", file=JOBS),
            Chatter(0.3, "WARN", "api", lambda r: f"slow request GET /v2/statements/{r.randint(10**6, 10**7)} took "
                    f"{r.randint(3000, 7000)}ms"),
            Chatter(0.2, "WARN", "webhooks", lambda r: f"delivery to https://hooks.{r.choice(['acme', 'globex', 'initech'])}"
                    f".example/ledger failed: 503, retry {r.randint(1, 5)}/5"),
        ],
    )
    db_eps = [ep for ep, _w, _m in svc.endpoints if ep not in ("GET /healthz", "GET /v2/fx/rates")]

    def effect(i: int) -> Eff:
        w, f = wait_ms(i), pfail(i)
        if w < 1 and f <= 0:
            return Eff()
        return Eff(lat_add={ep: w for ep in db_eps}, fail={ep: f for ep in db_eps}, status=500, fail_ms=10012,
                   cause=bad, cpu_add=-3 * smoothstep(f * 3))

    serve(s, svc, effect, each)
    return finish(
        s, {API: PlainSeed(), JOBS: PlainSeed()},
        "ledger API is throwing 500s and timing out since around noon. we shipped v9.4.1 just before that, it was "
        "only copy and CSS but who knows. what's the root cause?",
        truth_json(True, {"deploy": "v9.4.0", "commits": [c2]}, ["connection pool", "pool", "queuepool"], onset),
    )


# ==== 7. rollback that recovered: a shared address normaliser chokes on addresses without a region


@incident("orders-address-normaliser-rollback", "JSON lines {@timestamp, log.level, message} (ECS-style dotted keys) "
          "in orders-api.jsonl + edge-gateway.jsonl; v12.7.0 at 13:38, 2nd of three commits moves address "
          "normalisation into a shared package: AttributeError on addresses without a region, ~35% of order "
          "placements 500; rolled back to v12.6.4 at 13:57, recovered; v12.7.1 (the fix) at 15:12 is clean; fraud "
          "timeouts and webhook signature warnings recur all along")
def orders_address_normaliser_rollback() -> dict[str, bytes]:
    s = Sim(seed=500707, start="2031-08-19 13:00", minutes=170, service="orders-api")
    g, rng = s.git, s.rng
    dom = "basketful.example"
    a1 = g.commit("2031-08-18 10:02", f"chen.wei@{dom}", "Order history: show carrier name",
                  ["orders/history/serializers.py"])
    a2 = g.commit("2031-08-18 12:40", f"anna.kowalski@{dom}", "Upgrade Django to 5.0.8", ["requirements.txt"])
    g.deploy("v12.6.4", "2031-08-18 16:20", [a1, a2])
    c1 = g.commit("2031-08-18 17:30", f"chen.wei@{dom}", "Checkout: dark-mode colour tokens",
                  ["web/src/theme/tokens.ts", "web/src/theme/dark.ts"])
    c2 = g.commit("2031-08-19 10:15", f"anna.kowalski@{dom}", "Move address normalisation into the shared addressing "
                  "package", ["orders/checkout/address.py", "libs/addressing/normalize.py", "libs/addressing/__init__.py",
                              "orders/checkout/tests/test_address.py"])
    c3 = g.commit("2031-08-19 11:02", f"chen.wei@{dom}", "Add Grafana dashboard for the order funnel",
                  ["ops/dashboards/order-funnel.json"])
    g.deploy("v12.7.0", "2031-08-19 13:38", [c1, c2, c3], status="rolled_back")
    g.deploy("v12.6.4", "2031-08-19 13:57", [], status="rollback")
    f1 = g.commit("2031-08-19 14:40", f"anna.kowalski@{dom}", "addressing: treat a missing region as empty",
                  ["libs/addressing/normalize.py", "libs/addressing/tests/test_normalize.py"])
    g.deploy("v12.7.1", "2031-08-19 15:12", [f1])

    APP, EDGE = "orders-api.jsonl", "edge-gateway.jsonl"
    first_bad = at("2031-08-19 13:38") + timedelta(seconds=15)
    failed: set[str] = set()
    tb = ('Traceback (most recent call last):\n  File "/srv/orders/checkout/views.py", line 212, in place_order\n'
          '    shipping = normalize_address(payload["shipping_address"])\n  File "/srv/libs/addressing/normalize.py", '
          'line 57, in normalize_address\n    region = addr.region.strip().upper()\n'
          "AttributeError: 'NoneType' object has no attribute 'strip'")

    def share(i: int) -> float:
        return max(0.0, rollout_share(s, i, "2031-08-19 13:38", 3, 40) - rollout_share(s, i, "2031-08-19 13:57", 3, 40))

    def bad(t, rid, ep):
        failed.add(rid)
        t = after(t, first_bad)
        s.log(t, "ERROR", "orders.checkout.views", "unhandled exception while placing order" if ep.startswith("POST")
              else "unhandled exception while updating shipping address", APP,
              **{"error.type": "AttributeError", "error.message": "'NoneType' object has no attribute 'strip'",
                 "error.stack_trace": tb, "trace.id": rid,
                 "labels.country": rng.choice(["IE", "NZ", "SG", "HK", "AE", "GB"])})

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = after(t, first_bad)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=4), "ERROR", "orders.api", "request failed", APP, **{
                "error.type": rng.choice(["OperationalError", "ReadTimeout"]),
                "error.message": rng.choice(["could not obtain lock on row in relation \"inventory_reservations\"",
                                             "HTTPSConnectionPool(host='tax.internal', port=443): Read timed out."]),
                "trace.id": rid})
        s.log(t, level_of(status), "edge", f"{method} {path} {status}", EDGE, **{
            "http.request.method": method, "url.path": path, "http.response.status_code": status,
            "event.duration": took * 1_000_000 + rng.randint(0, 999_999), "upstream.address": f"{pod}:8000",
            "client.ip": ip(rng, "100.64."), "trace.id": rid})

    def restart(t, old, new, version):
        s.log(t, "INFO", "gunicorn.error", "Handling signal: term", APP, **{"host.name": old})
        s.log(t + timedelta(seconds=rng.uniform(5, 8)), "INFO", "orders.boot", "orders-api started", APP,
              **{"host.name": new, "service.version": version})

    svc = Svc(
        name="orders-api", file=APP, comp="orders.api",
        endpoints=[("POST /v2/orders", 0.12, 180), ("GET /v2/orders/{id}", 0.3, 30), ("GET /v2/orders", 0.16, 60),
                   ("PUT /v2/orders/{id}/shipping-address", 0.05, 70), ("POST /v2/carts/{id}/items", 0.22, 40),
                   ("GET /v2/carts/{id}", 0.1, 22), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(1000, 1350, 0.4, 0.6), cpu=26, cpu_per_100=1.7, mem=55, access=access, restart=restart,
        pods=3, sample=0.015, fail_sample=0.2, base_fail=0.0008,
        chatter=[
            Chatter(0.3, "ERROR", "orders.fraud", lambda r: ("fraud score timed out, order sent to manual review", {
                "order.id": f"ord_{hexid(r, 10)}", "event.duration": r.randint(2_000, 2_100) * 1_000_000})),
            Chatter(0.25, "WARN", "orders.webhooks", lambda r: ("payment webhook signature invalid, ignoring", {
                "source.ip": ip(r, "54.")})),
            Chatter(0.5, "INFO", "orders.inventory", lambda r: ("inventory reservation expired", {
                "order.id": f"ord_{hexid(r, 10)}", "labels.sku": gen_data.b36(r, 8)})),
        ],
    )

    def effect(i: int) -> Eff:
        sh = share(i)
        if not sh:
            return Eff()
        return Eff(fail={"POST /v2/orders": 0.36 * sh, "PUT /v2/orders/{id}/shipping-address": 0.4 * sh}, status=500,
                   fail_ms=95, cause=bad)

    serve(s, svc, effect)
    ecs = JsonKeys("@timestamp", "log.level", "message", "log.logger", time_fmt=iso_ms_z, levels=SHORT,
                   static={"service.name": "orders-api", "ecs.version": "1.6.0"})
    edge = JsonKeys("@timestamp", "log.level", "message", "log.logger", time_fmt=iso_ms_z, levels=SHORT,
                    static={"service.name": "edge-gateway", "ecs.version": "1.6.0"})
    return finish(
        s, {APP: ecs, EDGE: edge},
        "order placement failed for a bunch of customers after lunch, we rolled back and it stopped. v12.7.1 is out "
        "now with a fix attempt. what actually happened, and is the new one OK?",
        truth_json(True, {"deploy": "v12.7.0", "commits": [c2]},
                   ["attributeerror", "nonetype", "address", "normaliz", "normalis", "region"], "2031-08-19 13:38"),
        per_point_service=True,
    )


# ==== 8. upstream payment outage: the PSP fails for 37 minutes, seven minutes after a copy-only deploy


@incident("checkout-psp-outage-after-copy-deploy", "logrus text (time=\"...\" level= msg=) in checkout.log + plain "
          "logfmt (time= level= msg=) in payments-client.log; PayWay (api.payway.example) answers 503/times out "
          "17:21-17:58, circuit breaker flaps, POST .../pay 502; v5.1.2 at 17:14 (footer links + button copy) is a red "
          "herring the responder blames; card declines and 3DS abandonments recur all along")
def checkout_psp_outage_after_copy_deploy() -> dict[str, bytes]:
    s = Sim(seed=500808, start="2031-09-23 16:30", minutes=150, service="checkout-service")
    g, rng = s.git, s.rng
    dom = "trolley.example"
    a1 = g.commit("2031-09-22 11:45", f"mateo.silva@{dom}", "Apple Pay: show merchant name", ["web/src/pay/ApplePay.tsx"])
    a2 = g.commit("2031-09-22 14:10", f"olga.ivanova@{dom}", "Retry idempotent PSP captures once",
                  ["internal/payments/capture.go", "internal/payments/capture_test.go"])
    g.deploy("v5.1.1", "2031-09-22 16:05", [a1, a2])
    b1 = g.commit("2031-09-23 10:30", f"mateo.silva@{dom}", "Footer: update legal links for DE/AT",
                  ["web/src/layout/Footer.tsx", "web/i18n/de.json"])
    b2 = g.commit("2031-09-23 15:02", f"mateo.silva@{dom}", "Copy: 'Place order' button text (A/B winner)",
                  ["web/i18n/en.json", "web/i18n/de.json"])
    g.deploy("v5.1.2", "2031-09-23 17:14", [b1, b2])

    CO, PC = "checkout.log", "payments-client.log"
    o0, o1 = at("2031-09-23 17:21:18"), at("2031-09-23 17:58:05")

    def frac(i: int) -> float:
        return window_frac(s, i, o0, o1)

    def breaker_open(t: datetime) -> bool:
        for a, b in (("17:23:02", "17:23:32"), ("17:31:10", "17:31:40"), ("17:44:05", "17:44:35")):
            if at(f"2031-09-23 {a}") <= t < at(f"2031-09-23 {b}"):
                return True
        return False

    for a, b in (("17:23:02", "17:23:32"), ("17:31:10", "17:31:40"), ("17:44:05", "17:44:35")):
        s.log(at(f"2031-09-23 {a}"), "WARN", "breaker", "circuit breaker state changed", PC, name="payway-authorize",
              **{"from": "closed", "to": "open"}, failures=rng.randint(20, 40))
        s.log(at(f"2031-09-23 {b}"), "INFO", "breaker", "circuit breaker state changed", PC, name="payway-authorize",
              **{"from": "open", "to": "half-open"})
        s.log(at(f"2031-09-23 {b}") + timedelta(seconds=2), "WARN", "breaker", "circuit breaker state changed", PC,
              name="payway-authorize", **{"from": "half-open", "to": "closed"}, probe="failed, reclosing after backoff")
    s.log(at("2031-09-23 17:58:40"), "INFO", "psp", "payway health probe ok", PC, status=200, latency_ms=212)

    failed: set[str] = set()

    def bad(t, rid, ep):
        failed.add(rid)
        t = squeeze(t, o0, o1)
        order = f"ord_{hexid(rng, 10)}"
        if breaker_open(t):
            s.log(t, "ERROR", "psp", "authorize rejected by open circuit breaker", PC, psp="payway", order=order,
                  err="circuit breaker is open")
            reason = "payment provider unavailable (circuit open)"
        elif rng.random() < 0.6:
            s.log(t, "ERROR", "psp", "authorize failed", PC, psp="payway", order=order, status=503,
                  err="503 Service Unavailable", latency_ms=rng.randint(40, 300),
                  url="https://api.payway.example/v2/authorizations")
            reason = "psp error: 503 Service Unavailable"
        else:
            s.log(t, "ERROR", "psp", "authorize failed", PC, psp="payway", order=order,
                  err="Post \"https://api.payway.example/v2/authorizations\": context deadline exceeded "
                      "(Client.Timeout exceeded while awaiting headers)", latency_ms=8000)
            reason = "psp error: timeout after 8s"
        s.log(t + timedelta(milliseconds=3), "ERROR", "checkout", "payment could not be processed", CO, order=order,
              reason=reason, request_id=rid)

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = squeeze(t, o0, o1)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "checkout", "request failed", CO, request_id=rid,
                  err=rng.choice(["redis: connection pool timeout", "pq: canceling statement due to user request"]))
        s.log(t, level_of(status), "http", "handled request", CO, method=method, path=path, status=status,
              duration=f"{took}ms", request_id=rid)

    def each(i: int) -> None:
        fr = frac(i)
        for _ in range(poisson(rng, 9 * (1 - 0.85 * fr))):
            t = s.when(i)
            if rng.random() < 0.86:
                s.log(t, "INFO", "psp", "authorize ok", PC, psp="payway", order=f"ord_{hexid(rng, 10)}",
                      latency_ms=rng.randint(180, 900), amount_minor=rng.randint(800, 40000), currency="EUR")
            else:
                s.log(t, "WARN", "psp", "authorize declined", PC, psp="payway", order=f"ord_{hexid(rng, 10)}",
                      decline_code=rng.choice(["insufficient_funds", "do_not_honor", "expired_card", "card_velocity"]),
                      latency_ms=rng.randint(200, 700))
        if rng.random() < 0.3:
            s.log(s.when(i), "WARN", "checkout", "3DS challenge abandoned by customer", CO,
                  order=f"ord_{hexid(rng, 10)}", after_s=rng.randint(60, 600))

    svc = Svc(
        name="checkout-service", file=CO, comp="http",
        endpoints=[("GET /v1/checkout/{id}", 0.34, 40), ("POST /v1/checkout/{id}/address", 0.12, 55),
                   ("POST /v1/checkout/{id}/shipping", 0.1, 45), ("POST /v1/checkout/{id}/pay", 0.1, 650),
                   ("GET /v1/checkout/{id}/summary", 0.28, 30), ("GET /healthz", 0.06, 1)],
        rate=gen_data.bump(620, 900, 0.55, 0.5), cpu=18, cpu_per_100=1.9, mem=41, access=access,
        restart=k8s_restart(s, CO, "main", "checkout-service", True), pods=3, sample=0.02, fail_sample=0.35,
        base_fail=0.0008,
        chatter=[Chatter(0.2, "WARN", "checkout", lambda r: ("coupon rejected", {
            "code": r.choice(["WELCOME10", "AUTUMN25", "FREESHIP"]), "reason": r.choice(["expired", "min basket"])}))],
    )

    def effect(i: int) -> Eff:
        fr = frac(i)
        if not fr:
            return Eff()
        return Eff(fail={"POST /v1/checkout/{id}/pay": 0.84 * fr}, status=502, fail_ms=3100,
                   lat_add={"POST /v1/checkout/{id}/pay": 1500 * fr}, cause=bad, ep_rate={"POST /v1/checkout/{id}/pay":
                                                                                        1 + 0.25 * fr})

    serve(s, svc, effect, each)
    return finish(
        s, {CO: LogfmtKeys([("time", "time"), ("level", "level"), ("msg", "msg")], time_fmt=iso_z, quote_time=True),
            PC: LogfmtKeys([("time", "time"), ("level", "level"), ("msg", "msg"), ("component", "comp")])},
        "checkout conversion fell off a cliff around 17:20, customers get 'payment could not be processed'. v5.1.2 "
        "went out a few minutes before that — please confirm it's the deploy and tell me which commit",
        truth_json(True, None, ["payway", "payment provider", "payment gateway", "psp", "upstream"],
                   "2031-09-23 17:21"),
    )


# ==== 9. traffic surge: a marketing push quadruples feed traffic nine minutes after a harmless release


@incident("feed-push-campaign-surge", "JSON lines {time, lvl, event} in feed-api.jsonl + autoscaler.jsonl; a push "
          "campaign at 19:44 sends ~4x traffic (requests tagged src=push), CPU pegs, latency x6, load-shedding 503s "
          "until the HPA scales 6 -> 10 -> 16 pods (~19:53), traffic decays over the next hour; v8.0.3 at 19:35 "
          "(lint bump, copy typo, a flag-gated badge) is a red herring; thumbnail 404s and redis resets recur")
def feed_push_campaign_surge() -> dict[str, bytes]:
    s = Sim(seed=500909, start="2031-10-05 18:30", minutes=160, service="feed-api")
    g, rng = s.git, s.rng
    dom = "snapfolk.example"
    a = g.commit("2031-10-04 12:10", f"bea.costa@{dom}", "Feed: cache author avatars for 10 minutes",
                 ["feed/authors.py"])
    g.deploy("v8.0.2", "2031-10-04 15:30", [a])
    c1 = g.commit("2031-10-05 09:40", "renovate[bot]@users.noreply.example", "Bump eslint to 9.12 and prettier to 3.3",
                  ["web/package.json", "web/package-lock.json"])
    c2 = g.commit("2031-10-05 11:05", f"bea.costa@{dom}", "Onboarding: fix typo in the welcome card",
                  ["web/src/onboarding/Welcome.tsx"])
    c3 = g.commit("2031-10-05 14:22", f"dev.patel@{dom}", "Pinned badge on feed cards (behind feed_pinned_badge, off)",
                  ["feed/cards.py", "feed/flags.py", "web/src/feed/Card.tsx"])
    g.deploy("v8.0.3", "2031-10-05 19:35", [c1, c2, c3])

    API, HPA = "feed-api.jsonl", "autoscaler.jsonl"
    s0 = s.idx("19:44")
    PER_POD = 700.0
    steps = [(0, 6), (s.idx("19:48"), 10), (s.idx("19:52"), 16), (s.idx("20:42"), 12), (s.idx("20:55"), 9)]

    def mult(i: int) -> float:
        if i < s0:
            return 1.0
        rise = smoothstep((i - s0 + 1) / 2)
        decay = math.exp(-max(0, i - s0 - 2) / 26)
        return 1 + 3.3 * rise * decay

    def replicas(i: int) -> int:
        return [r for k, r in steps if k <= i][-1]

    base = gen_data.trend(2300, 2500)

    def util(i: int) -> float:
        return base(i / (s.n - 1)) * mult(i) / (replicas(i) * PER_POD)

    def access(t, method, path, status, took, rid, pod):
        i = int((t - s.t0).total_seconds() // 60)
        m = mult(i)
        src = "push" if rng.random() < (m - 1) / m else rng.choice(["app", "app", "app", "web"])
        lvl = level_of(status)
        if status == 503:
            s.log(t, "WARN", "feed.http", "load shed: in-flight limit reached", API, path=path, inflight=256,
                  status=503, request_id=rid, src=src)
            return
        if status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "feed.http", "unhandled exception", API, path=path,
                  exc=rng.choice(["TimeoutError: ranker did not answer in 800ms",
                                  "psycopg.OperationalError: SSL SYSCALL error: EOF detected"]), request_id=rid)
        s.log(t, lvl, "feed.http", "request finished", API, method=method, path=path, status=status, dur_ms=took,
              request_id=rid, src=src, pod=pod)

    def each(i: int) -> None:
        for k, r in steps[1:]:
            if i == k - 1:
                prev = replicas(i)
                s.log(s.when(i, 40, 50), "INFO", "hpa", "New size", HPA, hpa="feed-api", old=prev, new=r,
                      reason="cpu resource utilization (percentage of request) above target" if r > prev
                      else "All metrics below target", cpu_pct=int(min(util(i), 1.6) * 62 + 8))
                if r > prev:
                    for n in range(r - prev):
                        s.log(s.when(i + 1, 10, 55), "INFO", "scheduler", "Successfully assigned pod", HPA,
                              pod=f"feed-api-84c{hexid(rng, 6)}-{gen_data.b36(rng, 5).lower()}",
                              node=f"ip-10-20-{rng.randint(1, 60)}-{rng.randint(2, 250)}.eu-west-1.compute.internal",
                              n=n + 1)
        if i % 2 == 0:
            s.log(s.when(i, 0, 5), "INFO", "hpa", "metrics", HPA, hpa="feed-api", replicas=replicas(i),
                  cpu_pct=int(min(util(i), 1.6) * 62 + 8 + rng.gauss(0, 2)), target_pct=65)
        if i % 10 == 3:
            s.log(s.when(i, 0, 5), "INFO", "feed.ranker", "model refreshed", API, version="ranker-2031-10-05a",
                  features=412)

    svc = Svc(
        name="feed-api", file=API, comp="feed.http",
        endpoints=[("GET /v3/feed", 0.5, 110), ("GET /v3/feed/next", 0.2, 90), ("GET /v3/posts/{id}", 0.15, 30),
                   ("POST /v3/posts/{id}/like", 0.1, 25), ("GET /healthz", 0.05, 1)],
        rate=base, cpu=0, cpu_per_100=0, mem=52, access=access,
        restart=k8s_restart(s, API, "feed.boot", "feed-api", True), pods=6, sample=0.004, fail_sample=0.05,
        base_fail=0.0008,
        chatter=[
            Chatter(0.5, "WARN", "feed.media", lambda r: ("thumbnail fetch failed", {
                "status": 404, "url": f"https://media.snapfolk.example/t/{hexid(r, 16)}.jpg"})),
            Chatter(0.15, "ERROR", "feed.cache", lambda r: ("redis error, reconnecting", {
                "err": "ConnectionResetError: [Errno 104] Connection reset by peer"})),
            Chatter(0.3, "WARN", "feed.ranker", lambda r: ("ranker slow, using fallback ordering", {
                "took_ms": r.randint(55, 90), "budget_ms": 50})),
        ],
    )

    def effect(i: int) -> Eff:
        u = util(i)
        cpu = 8 + 62 * min(u, 1.48) + (4 if u > 1 else 0)
        over = max(0.0, u - 0.75)
        lat = 1 + 4.2 * over if u <= 1.05 else 1 + 4.2 * 0.3 + 3.0 * (u - 1.05)
        f = clamp(0.5 * (1 - 1.05 / u), 0, 0.3) if u > 1.05 else 0.0
        e = Eff(rate_mult=mult(i), cpu_add=cpu, mem_add=6 * smoothstep(u - 0.6), lat_mult={"": lat})
        if f:
            e.fail = {"": f}
            e.status = 503
            e.fail_ms = 1200
        return e

    serve(s, svc, effect, each)
    j = JsonKeys("time", "lvl", "event", "module", time_fmt=iso_us_z, levels=SHORT)
    return finish(
        s, {API: j, HPA: j},
        "feed-api is melting — p99 through the roof and 503s since ~19:45. the 19:35 release (v8.0.3) is the only "
        "change today, should we roll it back?",
        truth_json(True, None, ["traffic", "surge", "request rate", "push", "load spike"], "2031-10-05 19:44"),
        per_point_service=True,
    )


# ==== 10. a cache TTL cut bites when the morning warm-up's entries expire, 52 minutes after the deploy


@incident("fx-quotes-cache-ttl", "logfmt, level first (level= ts= logger= msg=), in quotes-api.log + cache-warmer.log; "
          "v2.9.0 at 07:58, 2nd of three commits ('tighten freshness window') cuts the quote cache TTL 3600 s -> "
          "300 s; the 07:50 warm-up's entries keep their hour and expire at 08:50, then the hit ratio falls 0.97 -> "
          "~0.55, the rates provider throttles (429), quotes 503 and slow; v2.9.1 at 08:43 (docs + tooltip) is a red "
          "herring; a few 429s, stale-quote warnings and websocket drops recur all along")
def fx_quotes_cache_ttl() -> dict[str, bytes]:
    s = Sim(seed=501010, start="2031-11-12 07:30", minutes=170, service="quotes-api")
    g, rng = s.git, s.rng
    dom = "remitly-labs.example"
    a = g.commit("2031-11-11 13:20", f"ade.okoye@{dom}", "Corridors: enable EUR->PLN", ["config/corridors.yaml"])
    g.deploy("v2.8.6", "2031-11-11 15:45", [a])
    c1 = g.commit("2031-11-11 16:30", f"ade.okoye@{dom}", "Move cache client to the redis-py 5 API",
                  ["quotes/cache_client.py", "requirements.txt"])
    c2 = g.commit("2031-11-12 06:55", f"lin.zhou@{dom}", "Quotes: tighten freshness window",
                  ["config/cache.yaml", "quotes/cache.py"])
    c3 = g.commit("2031-11-12 07:20", f"ade.okoye@{dom}", "Metrics: label quote latency by corridor",
                  ["quotes/metrics.py"])
    g.deploy("v2.9.0", "2031-11-12 07:58", [c1, c2, c3])
    d1 = g.commit("2031-11-12 08:05", f"lin.zhou@{dom}", "Docs: list supported corridors in the README", ["README.md"])
    d2 = g.commit("2031-11-12 08:22", f"mara.hill@{dom}", "Copy: rephrase the 'rate locked' tooltip",
                  ["web/i18n/en.json"])
    g.deploy("v2.9.1", "2031-11-12 08:43", [d1, d2])

    API, WARM = "quotes-api.log", "cache-warmer.log"
    w0, w1 = s.clock("07:50:02"), at("2031-11-12 07:51:41")
    x0, x1 = w0 + timedelta(hours=1), w1 + timedelta(hours=1)
    rate = gen_data.bump(1500, 2400, 0.72, 0.4)
    PROVIDER_PER_MIN = 420

    def expired(i: int) -> float:
        """Share of the warm-up's keys expired by the end of minute i."""
        t = s.minute(i) + timedelta(seconds=59)
        return clamp((t - x0).total_seconds() / (x1 - x0).total_seconds(), 0, 1)

    def hit(i: int) -> float:
        e = expired(i)
        r = rate(i / (s.n - 1))
        return 0.97 - e * (0.40 + 0.06 * (r - 1500) / 900)

    def quotes_rate(i: int) -> float:
        return rate(i / (s.n - 1)) * 0.62

    def throttle(i: int) -> float:
        misses = quotes_rate(i) * (1 - hit(i))
        return max(0.0, misses - PROVIDER_PER_MIN) / quotes_rate(i)

    s.log(w0, "INFO", "warmer", "warm-up started", WARM, corridors=1840, schedule="50 7 * * *")
    for k in range(1, 10):
        s.log(w0 + (w1 - w0) * k / 10, "INFO", "warmer", "warm-up progress", WARM, written=184 * k, ttl_s=3600)
    s.log(w1, "INFO", "warmer", "warm-up finished", WARM, written=1840, ttl_s=3600, took_s=round((w1 - w0).total_seconds(), 1),
          next_run="2031-11-13T07:50:00Z")
    failed: set[str] = set()
    pairs = ["EUR-PLN", "GBP-INR", "USD-MXN", "EUR-TRY", "USD-PHP", "GBP-NGN", "EUR-RON", "USD-BRL"]

    def bad(t, rid, ep):
        failed.add(rid)
        pair = rng.choice(pairs)
        s.log(t, "ERROR", "quotes.provider", "rate lookup failed", API, pair=pair, status=429,
              err="429 Too Many Requests", retry_after_s=1, req=rid)
        s.log(t + timedelta(milliseconds=2), "WARN", "quotes.cache", "cache miss", API, pair=pair, req=rid)

    def access(t, method, path, status, took, rid, pod):
        if status >= 500 and rid not in failed:
            s.log(t - timedelta(milliseconds=2), "ERROR", "quotes.api", "request failed", API, req=rid,
                  err=rng.choice(["pricing rules not loaded for corridor USD-VES", "redis: i/o timeout"]))
        s.log(t, level_of(status), "quotes.http", "request", API, method=method, path=path, status=status,
              dur_ms=took, req=rid)

    def each(i: int) -> None:
        q = quotes_rate(i)
        h = clamp(hit(i) + rng.gauss(0, 0.004), 0, 1)
        s.log(s.when(i, 0, 2), "INFO", "quotes.cache", "cache stats", API, window="60s", gets=int(q),
              hits=int(q * h), misses=int(q * (1 - h)), hit_ratio=round(h, 3),
              keys=int(1840 - 1100 * expired(i) * rng.uniform(0.95, 1.0)))
        if rng.random() < 0.05:
            s.log(s.when(i), "ERROR", "quotes.provider", "rate lookup failed", API, pair=rng.choice(pairs), status=429,
                  err="429 Too Many Requests", retry_after_s=1)

    def restart(t, old, new, version):
        s.log(t, "INFO", "quotes.main", "shutting down", API, pod=old)
        t2 = t + timedelta(seconds=rng.uniform(4, 7))
        s.log(t2, "INFO", "quotes.main", "config loaded", API, pod=new, version=version, quote_ttl_s=300,
              provider_timeout_ms=800, redis="quotes-cache.internal:6379")
        s.log(t2 + timedelta(seconds=1), "INFO", "quotes.main", "ready", API, pod=new)

    svc = Svc(
        name="quotes-api", file=API, comp="quotes.http",
        endpoints=[("GET /v1/quotes", 0.62, 38), ("POST /v1/quotes/{id}/lock", 0.12, 60), ("GET /v1/corridors", 0.12, 8),
                   ("GET /v1/limits", 0.09, 14), ("GET /healthz", 0.05, 1)],
        rate=rate, cpu=21, cpu_per_100=1.2, mem=46, access=access, restart=restart, pods=4, sample=0.01,
        fail_sample=0.12, base_fail=0.0008,
        chatter=[
            Chatter(0.3, "WARN", "quotes.provider", lambda r: ("stale quote discarded", {
                "pair": r.choice(["USD-ARS", "EUR-ARS", "USD-EGP"]), "age_s": r.randint(62, 140)})),
            Chatter(0.4, "ERROR", "quotes.ws", lambda r: ("websocket client disconnected abnormally", {
                "code": 1006, "client": f"app_{hexid(r, 6)}"})),
        ],
    )

    def effect(i: int) -> Eff:
        e = expired(i)
        if not e:
            return Eff()
        miss_extra = 0.97 - hit(i)
        th = throttle(i)
        return Eff(lat_add={"GET /v1/quotes": 420 * miss_extra * 2.4, "POST /v1/quotes/{id}/lock": 300 * miss_extra},
                   fail={"GET /v1/quotes": th, "POST /v1/quotes/{id}/lock": th * 0.5}, status=503, fail_ms=820,
                   cause=bad, cpu_add=9 * miss_extra)

    serve(s, svc, effect, each)
    lf = LogfmtKeys([("level", "level"), ("ts", "time"), ("logger", "comp"), ("msg", "msg")], levels=SHORT)
    return finish(
        s, {API: lf, WARM: lf},
        "quotes API slow and returning errors since about 08:50. we deployed v2.9.1 at 08:43 (docs and a tooltip) — "
        "roll it back?",
        truth_json(True, {"deploy": "v2.9.0", "commits": [c2]},
                   ["cache", "ttl", "hit ratio", "cache miss", "expir"], "2031-11-12 08:50"),
    )


# ==== 11. upstream provider outage: the ID-verification vendor slows to timeouts after an unrelated release


@incident("onboarding-idv-vendor-timeouts", "JSON lines {timestamp, severity, message, logger} in onboarding-api.jsonl "
          "+ zap-style {level, ts (epoch s), caller, msg} in kyc-gateway.jsonl; the ID-verification vendor VeriDoc "
          "slows to 10 s timeouts 10:51-11:38: /verify 504, workers tie up, the rest slows; v3.12.0 at 10:42 "
          "(referral code field, funnel timings) is the responder's suspect and a red herring; unreadable-document "
          "results and SMTP 421 errors recur all along")
def onboarding_idv_vendor_timeouts() -> dict[str, bytes]:
    s = Sim(seed=501111, start="2031-12-02 10:00", minutes=150, service="onboarding-api")
    g, rng = s.git, s.rng
    dom = "neobank.example"
    a = g.commit("2031-12-01 14:12", f"tariq.aziz@{dom}", "Address step: postcode lookup for IE",
                 ["onboarding/address.py"])
    g.deploy("v3.11.4", "2031-12-01 16:30", [a])
    c1 = g.commit("2031-12-02 08:50", f"julia.santos@{dom}", "Signup: optional referral code field",
                  ["onboarding/signup/forms.py", "onboarding/signup/views.py", "onboarding/referrals.py",
                   "onboarding/migrations/0071_referral_code.py"])
    c2 = g.commit("2031-12-02 09:35", f"tariq.aziz@{dom}", "Track time spent per onboarding step",
                  ["onboarding/telemetry.py"])
    g.deploy("v3.12.0", "2031-12-02 10:42", [c1, c2])

    APP, GW = "onboarding-api.jsonl", "kyc-gateway.jsonl"
    o0, o1 = at("2031-12-02 10:51:12"), at("2031-12-02 11:38:30")

    def frac(i: int) -> float:
        return window_frac(s, i, o0, o1)

    failed: set[str] = set()

    def bad(t, rid, ep):
        failed.add(rid)
        t = squeeze(t, o0, o1)
        app = f"app_{hexid(rng, 10)}"
        if ep.endswith("/verify"):
            s.log(t - timedelta(milliseconds=30), "ERROR", "veridoc/client.go:131", "veridoc request failed", GW,
                  check_id=f"chk_{hexid(rng, 12)}", application=app, latency_ms=10000,
                  error="Post \"https://api.veridoc.example/v3/checks\": context deadline exceeded "
                        "(Client.Timeout exceeded while awaiting headers)")
            s.log(t, "ERROR", "onboarding.kyc", "identity verification failed", APP, application_id=app,
                  error="kyc-gateway: upstream timeout (veridoc)", status=504, request_id=rid)
        else:
            s.log(t, "ERROR", "gunicorn.error", f"WORKER TIMEOUT (pid:{rng.randint(20, 90)})", APP, request_id=rid)

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = squeeze(t, o0, o1)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=3), "ERROR", "onboarding.api", "request failed", APP, request_id=rid,
                  error=rng.choice(["psycopg2.errors.LockNotAvailable: could not obtain lock on row",
                                    "botocore.exceptions.ReadTimeoutError: s3 read timed out"]))
        s.log(t, level_of(status), "onboarding.access", f"{method} {path} {status}", APP, method=method, path=path,
              status=status, duration_ms=took, request_id=rid)

    def each(i: int) -> None:
        fr = frac(i)
        for _ in range(poisson(rng, 4.2 * (1 - 0.7 * fr))):
            t = s.when(i)
            if fr and o0 <= t < o1:
                lat = rng.randint(6500, 9900)
            else:
                lat = int(gen_data.lognorm(rng, 850, 0.3))
            res = rng.choices(["clear", "document_unreadable", "consider"], [0.86, 0.1, 0.04])[0]
            s.log(t, "INFO", "veridoc/client.go:118", "veridoc check completed", GW, check_id=f"chk_{hexid(rng, 12)}",
                  result=res, latency_ms=lat)
            if res == "document_unreadable":
                s.log(t + timedelta(milliseconds=5), "WARN", "onboarding.kyc", "document unreadable, asking the "
                      "applicant to retake the photo", APP, application_id=f"app_{hexid(rng, 10)}")
        if i % 5 == 0:
            s.log(s.when(i, 0, 3), "INFO", "pool/stats.go:40", "http client pool", GW, host="api.veridoc.example",
                  active=int(4 + 60 * min(1.0, fr * 3) + rng.uniform(0, 3)), idle=int(12 * (1 - min(1.0, fr * 3))),
                  max=64)

    svc = Svc(
        name="onboarding-api", file=APP, comp="onboarding.access",
        endpoints=[("POST /v1/applications", 0.16, 120), ("GET /v1/applications/{id}", 0.3, 30),
                   ("PATCH /v1/applications/{id}", 0.2, 60), ("POST /v1/applications/{id}/documents", 0.1, 450),
                   ("POST /v1/applications/{id}/verify", 0.08, 1100), ("GET /v1/countries", 0.1, 5),
                   ("GET /healthz", 0.06, 1)],
        rate=gen_data.bump(380, 560, 0.5, 0.5), cpu=24, cpu_per_100=3.0, mem=50, access=access,
        restart=k8s_restart(s, APP, "onboarding.boot", "onboarding-api", True), pods=3, sample=0.04,
        fail_sample=0.35, base_fail=0.0009,
        chatter=[
            Chatter(0.15, "ERROR", "onboarding.mail", lambda r: ("failed to send welcome email", {
                "error": "SMTPDataError: (421, b'4.7.0 Try again later')", "application_id": f"app_{hexid(r, 10)}"})),
            Chatter(0.2, "WARN", "onboarding.sanctions", lambda r: ("partial sanctions match, queued for manual review",
                                                                    {"score": round(r.uniform(0.6, 0.79), 2)})),
        ],
    )

    def effect(i: int) -> Eff:
        fr = frac(i)
        if not fr:
            return Eff()
        return Eff(fail={"POST /v1/applications/{id}/verify": 0.78 * fr, "": 0.012 * fr}, status=504, fail_ms=10010,
                   lat_add={"": 380 * fr, "POST /v1/applications/{id}/verify": 6000 * fr}, cause=bad, cpu_add=-3 * fr)

    serve(s, svc, effect, each)
    return finish(
        s, {APP: JsonKeys("timestamp", "severity", "message", "logger", time_fmt=iso_off_ms, levels={
                "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR", "DEBUG": "DEBUG", "FATAL": "CRITICAL"}),
            GW: JsonKeys("ts", "level", "msg", "caller", time_fmt=epoch_s, levels=SHORT, compact=True)},
        "onboarding is stuck — new customers can't get through ID verification since ~10:50 and the app feels slow. "
        "v3.12.0 shipped at 10:42 with the referral code field; did that break it? which commit?",
        truth_json(True, None, ["veridoc", "identity verification", "kyc", "vendor", "upstream", "provider"],
                   "2031-12-02 10:51"),
    )


# ==== 12. migration lock: a plain CREATE INDEX blocks session writes for 13 minutes


@incident("accounts-session-index-lock", "the seed's plain format in accounts.log + migrations.log; v15.2.0 at 08:44, "
          "3rd of three commits ('speed up the signed-in devices page') adds a migration running CREATE INDEX (not "
          "CONCURRENTLY) on the 90M-row sessions table: logins, token refreshes and logouts block and 503 for 13 "
          "minutes, reads stay fine; mail bounces, SAML clock-skew errors and IP throttling recur all along")
def accounts_session_index_lock() -> dict[str, bytes]:
    s = Sim(seed=501212, start="2031-12-16 08:00", minutes=150, service="accounts-service")
    g, rng = s.git, s.rng
    dom = "workdeck.example"
    a = g.commit("2031-12-15 13:05", f"noor.haddad@{dom}", "SCIM: accept userName with plus addressing",
                 ["accounts/scim/users.py", "accounts/scim/tests/test_users.py"])
    g.deploy("v15.1.3", "2031-12-15 17:10", [a])
    c1 = g.commit("2031-12-15 15:40", f"felix.bauer@{dom}", "Login page: new illustration",
                  ["web/static/img/login.svg", "web/templates/login.html"])
    c2 = g.commit("2031-12-15 16:20", f"noor.haddad@{dom}", "Password reset: per-IP rate limit",
                  ["accounts/reset.py", "accounts/tests/test_reset.py"])
    c3 = g.commit("2031-12-16 07:58", f"felix.bauer@{dom}", "Speed up the signed-in devices page",
                  ["accounts/migrations/0142_session_device_idx.py", "accounts/devices.py",
                   "accounts/tests/test_devices.py"])
    g.deploy("v15.2.0", "2031-12-16 08:44", [c1, c2, c3])

    API, MIG = "accounts.log", "migrations.log"
    t_start = s.clock("08:44:21")
    first_bad = t_start + timedelta(seconds=3)
    t_end = s.clock("08:57:47")
    s.log(s.clock("08:44:19"), "INFO", "migrate", "Operations to perform: Apply all migrations: accounts, admin, auth, "
          "sessions", MIG)
    s.log(t_start, "INFO", "migrate", "Applying accounts.0142_session_device_idx...", MIG)
    s.log(t_start + timedelta(milliseconds=30), "DEBUG", "migrate", "CREATE INDEX \"sessions_device_id_idx\" ON "
          "\"accounts_session\" (\"device_id\", \"last_seen_at\");", MIG)
    s.log(t_end, "INFO", "migrate", "Applying accounts.0142_session_device_idx... OK (806.2s)", MIG)
    writes = {"POST /oauth/token": "INSERT INTO accounts_session", "POST /login": "INSERT INTO accounts_session",
              "POST /sessions/refresh": "UPDATE accounts_session SET last_seen_at",
              "POST /logout": "DELETE FROM accounts_session"}
    failed: set[str] = set()

    def frac(i: int) -> float:
        return window_frac(s, i, first_bad, t_end)

    def bad(t, rid, ep):
        failed.add(rid)
        t = squeeze(t, first_bad, t_end)
        s.log(t, "ERROR", "db", f"canceling statement due to statement timeout: {writes[ep]} ... (8000ms) "
              f"request_id={rid}", API)

    def access(t, method, path, status, took, rid, pod):
        if rid in failed:
            t = squeeze(t, first_bad, t_end)
        elif status >= 500:
            s.log(t - timedelta(milliseconds=2), "ERROR", "api", rng.choice([
                "LDAP bind to ldap.northwind.example timed out", "redis: READONLY You can't write against a read only "
                "replica."]) + f" request_id={rid}", API)
        s.log(t, level_of(status), "api", f"{method} {path} {status} {took}ms", API)

    def each(i: int) -> None:
        fr = frac(i)
        for _ in range(poisson(rng, 3 * fr)):
            t = squeeze(s.when(i), first_bad, t_end)
            s.log(t, "WARN", "db", f"slow query {rng.randint(2000, 7999)}ms: "
                  f"{rng.choice(list(writes.values()))} ... (waiting for lock)", API)
        if i % 10 == 6:
            s.log(s.when(i, 0, 5), "INFO", "sessions", f"expired sessions purged: {rng.randint(800, 3000)}", API)

    svc = Svc(
        name="accounts-service", file=API, comp="api",
        endpoints=[("POST /oauth/token", 0.2, 70), ("POST /login", 0.08, 160), ("POST /sessions/refresh", 0.1, 25),
                   ("POST /logout", 0.02, 20), ("GET /me", 0.3, 12), ("GET /orgs/{id}/members", 0.12, 45),
                   ("GET /.well-known/jwks.json", 0.13, 2), ("GET /healthz", 0.05, 1)],
        rate=gen_data.bump(900, 1700, 0.35, 0.35), cpu=20, cpu_per_100=1.5, mem=44, access=access,
        restart=k8s_restart(s, API, "boot", "accounts-service", False), pods=3, sample=0.015, fail_sample=0.2,
        base_fail=0.0007,
        chatter=[
            Chatter(0.2, "ERROR", "mailer", lambda r: f"bounce from mx{r.randint(1, 3)}.{r.choice(['gmail.example', 'corp.example'])}"
                    f": 550 5.1.1 user unknown <{hexid(r, 6)}@{r.choice(['gmail.example', 'corp.example'])}>"),
            Chatter(0.5, "WARN", "ratelimit", lambda r: f"throttled ip={ip(r, '203.0.')} route=/login "
                    f"({r.randint(11, 40)} attempts/min)"),
            Chatter(0.1, "ERROR", "sso", lambda r: f"SAML assertion rejected for tenant {r.choice(['northwind', 'globex'])}: "
                    f"NotOnOrAfter in the past (clock skew {r.randint(200, 400)}s)"),
        ],
    )

    def effect(i: int) -> Eff:
        fr = frac(i)
        if not fr:
            return Eff()
        return Eff(fail={k: 0.9 * fr for k in writes}, lat_add={k: 7000 * fr for k in writes}, status=503,
                   fail_ms=8010, cause=bad)

    serve(s, svc, effect, each)
    return finish(
        s, {API: PlainSeed(), MIG: PlainSeed()},
        "login errors spiked this morning for maybe 15 minutes (users stuck on 'signing you in…'), then it went away "
        "by itself. what caused it?",
        truth_json(True, {"deploy": "v15.2.0", "commits": [c3]}, ["lock", "create index", "index", "migration"],
                   "2031-12-16 08:44"),
    )


# ---- CLI


def main(argv: list[str]) -> int:
    return gen_data.run_registry(argv, RT, DEFAULT_OUT, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
