"""The judgements an SRE makes beyond the first scenarios, each on the smallest data that shows it.

Whose failure it is (a provider's host, our own cluster, our own virtual host), what a line
means (a 429 we receive or one we send, a proxy's upstream, a descriptor limit, a backlog, a
starved executor, a node's NIC), when an impact is real (a traffic step on a daily curve, a
return after a surge, episodes with lulls), what explains what (a specific mode that came
first), and which change to name (the service a line names, a change that touches the kind of
thing that failed, a never-seen line at the rollout).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.analysts.heuristic.analyst import HeuristicAnalyst, _literal_pattern, decide, mechanism_scores
from bot.analysts.heuristic.culprit import (
    Failure,
    identifiers,
    rank,
    recovery,
    relevance,
    service_of,
    vocabulary,
    words,
)
from bot.analysts.heuristic.hosts import external_hosts, internal_targets
from bot.analysts.heuristic.impact import ChangePoint, Impact, NewSignature, assess, follows_traffic
from bot.analysts.heuristic.mechanisms import BY_KEY, classify, is_access_log, is_symptom
from bot.analysts.heuristic.narrative import incident, no_incident
from bot.analysts.heuristic.neighbours import other_clients, roles_in
from bot.analysts.heuristic.observe import Commit, Deploy, Observations, Signature, merge_families
from bot.analysts.heuristic.series import episodes, find_shift
from bot.analysts.heuristic.spread import where_failing
from bot.engine import Engine
from bot.engine.report import Report, RootCause
from bot.engine.servers import apply_data_dir, bundled_servers
from bot.engine.session import ToolSession

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def top(found: dict[str, float]) -> str:
    return max(found, key=found.get)


# ------------------------------------------------------------------------------------ hosts


def test_hosts_in_our_cluster_and_the_vhost_we_serve_are_not_a_provider():
    nginx = ('upstream prematurely closed connection, client: 10.0.2.149, server: www.shop.example, '
             'request: "GET /api/cart HTTP/1.1", upstream: "http://10.0.4.2:3000/api/cart", host: "www.shop.example"')
    assert external_hosts(nginx) == []
    assert "10.0.4.2" in internal_targets(nginx)
    assert external_hosts("reset reason: connection termination upstream=orders-worker.orders.svc.cluster.local:8080") == []
    assert external_hosts("node=ip-10-20-7-88.eu-west-1.compute.internal") == []
    assert external_hosts("fx quote failed url=https://api.fxquotes.example/v3/latest") == ["api.fxquotes.example"]


def test_a_stack_frame_is_not_a_host():
    assert external_hosts("at jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)") == []
    assert external_hosts("client certificate has expired cn=webhooks.shop.example") == []


# ------------------------------------------------------------------------------------ what a line means


def test_request_lines_in_more_shapes_are_symptoms():
    for line in (
        "GET /v1/orders/<n>/tracking -> <n> status=<n> elapsed_ms=<n>",
        '"GET /v1/exports/<n>/download" <n> <dur> rid=<hex>',
        "GET /images/<hex>/thumb status=<n> time=<dur>",
        "request finished method=GET url=/api/address/suggest statusCode=<n> responseTimeMs=<n>",
        '<ip> - - [<time>] "POST /checkout HTTP/1.1" <n> <n>',
    ):
        assert is_access_log(line) and is_symptom(line), line
    # a call we make to someone else's URL is not our access log
    assert not is_access_log("POST https://api.paygate.example/v1/authorize -> <n> Gateway Timeout")


def test_a_429_from_a_provider_is_their_limit_and_one_we_answer_is_ours():
    theirs = classify('geocoder request failed status=<n> provider=api.geo.example error="<n> Too Many Requests"')
    assert top(theirs) == "rate_limited" and "capacity" not in theirs
    ours = classify('rate limit exceeded client=<ip> ua="Mozilla/<n>" limit=<str>')
    assert top(ours) == "capacity" and "rate_limited" not in ours


def test_a_proxys_upstream_and_an_in_cluster_host_are_our_backend():
    nginx = classify("upstream prematurely closed connection while reading response header from upstream, "
                     "client: <ip>, server: www.shop.example")
    assert top(nginx) == "backend_conn" and "upstream" not in nginx
    envoy = classify("upstream connect error or disconnect/reset before headers. reset reason: connection "
                     "termination upstream=orders-worker.orders.svc.cluster.local:<n>")
    assert top(envoy) == "backend_conn"
    provider = classify("payment authorization failed: upstream api.paygate.example timed out")
    assert top(provider) == "upstream"


def test_running_out_of_descriptors_outranks_the_dependency_it_broke():
    found = classify("upload failed: EndpointConnectionError: Could not connect to the endpoint URL: <str> "
                     "([Errno <n>] Too many open files)", example='... "https://bucket.s3.amazonaws.com/x" ...')
    assert top(found) == "fd_exhaustion"
    assert top(classify("process stats open_fds=<n>/<n> rss_mb=<n>")) == "fd_exhaustion"


def test_lag_and_slow_message_handling_are_a_backlog():
    for line in ("consumer lag above threshold group=projector lag=<n> threshold=<n>",
                 "refusing to serve status: projection too far behind behind_s=<n>",
                 "slow message handling took_ms=<n> step=segment_lookup",
                 "member left group: poll interval exceeded, rebalancing"):
        assert top(classify(line)) == "backlog", line


def test_a_starved_executor_is_a_thread_pool_not_a_code_error():
    assert top(classify("Request <hex> failed java.util.concurrent.RejectedExecutionException: Task rejected from "
                        "java.util.concurrent.ThreadPoolExecutor")) == "thread_pool"
    busy = classify("executor render busy: active=<n>/<n> queued=<n>/<n>", example="executor render busy: active=32/32")
    assert top(busy) == "thread_pool"
    assert "thread_pool" not in classify("executor render: active=<n>/<n>", example="executor render: active=3/32")


def test_statement_timeouts_without_lock_words_are_database_overload():
    assert top(classify('query failed err="QueryCanceled: canceling statement due to statement timeout"')) == "db_overload"
    assert top(classify("canceling statement due to lock timeout: relation orders")) == "db_lock"


def test_kernel_nic_trouble_is_a_node_fault_and_pod_memory_pressure_is_memory():
    assert top(classify("kernel: ena <n>:<n> eth0: Found a Tx that wasn't completed on time, qid <n>")) == "node"
    assert top(classify("container memory above <n>% of limit reason=MemoryPressure container=istio-proxy")) == "memory"


# ------------------------------------------------------------------------------------ one message once


def sig(text: str, count: int, minutes: range, level: str = "ERROR", component: str | None = "nginx",
        example: str | None = None) -> Signature:
    per = [(at(m), max(1, count // len(minutes))) for m in minutes]
    return Signature(text, level, component, count, at(minutes[0]), at(minutes[-1]), per, example or text)


def test_one_message_with_per_request_variants_is_counted_once():
    base = "upstream prematurely closed connection, client: <ip>, request: "
    merged = merge_families([
        sig(base + '"GET /api/cart HTTP/<n>", upstream: "http://<ip>/api/cart"', 900, range(60, 90)),
        sig(base + '"GET /api/products/<id> HTTP/<n>", upstream: <str>', 800, range(60, 90)),
        sig(base + '"POST /api/cart/items HTTP/<n>", upst…', 300, range(60, 90)),
        sig("stale read refused request_id=<id>fbd", 6, range(70, 72), component="api"),
        sig("stale read refused request_id=<id>", 600, range(60, 90), component="api"),
        sig("GET /api/cart <n> status=<n>", 700, range(60, 90)),  # another message: stays apart
    ])
    counts = sorted(s.count for s in merged)
    assert counts == [606, 700, 2000]


# ------------------------------------------------------------------------------------ is it real, since when, until when


def series_obs(traffic: list[float], errors: list[float] | None = None, cpu: list[float] | None = None) -> Observations:
    obs = Observations(service="gateway")
    for i, rate in enumerate(traffic):
        obs.metric_points.append({
            "timestamp": at(i).isoformat(), "request_rate": rate,
            "error_rate": errors[i] if errors else 0.1, "response_time_ms": 50.0,
            "cpu_usage": cpu[i] if cpu else 30.0, "memory_usage": 40.0,
        })
        obs.metric_times.append(at(i))
    return obs


def test_a_traffic_step_down_on_a_daily_curve_is_impact():
    rng = random.Random(4)
    # the afternoon climb from 700 to 900 a minute, then 45% of clients can no longer connect
    traffic = [700 + 200 * min(i, 150) / 150 + rng.gauss(0, 25) for i in range(270)]
    traffic[150:] = [v * 0.53 for v in traffic[150:]]
    impact = assess(series_obs(traffic))
    assert impact.detected and impact.onset == at(150)
    assert [m.metric for m in impact.shifts] == ["request_rate"]


def test_the_evening_decline_and_traffic_falling_back_after_a_surge_are_not_drops():
    rng = random.Random(5)
    decline = [900 - 500 * i / 240 + rng.gauss(0, 20) for i in range(240)]
    assert not assess(series_obs(decline)).detected
    surge = [120 + rng.gauss(0, 4) for _ in range(60)] + [560 + rng.gauss(0, 15) for _ in range(70)]
    surge += [125 + rng.gauss(0, 4) for _ in range(30)]
    assert not any(m.metric == "request_rate" for m in assess(series_obs(surge)).shifts)


def test_episodes_that_come_back_within_minutes_are_one_incident():
    values = [0.1] * 60 + ([15.0] * 9 + [0.1] * 4) * 5 + [15.0] * 10
    kwargs = dict(z=6.0, min_run=3, min_baseline=10, abs_floor=0.1, min_delta=1.0)
    first = find_shift(values, direction="up", **kwargs)
    assert (first.start_index, first.end_index) == (60, 69)
    whole = episodes(values, first, max_gap=15, **kwargs)
    assert whole.start_index == 60 and whole.end_index is None


def test_a_shift_that_hovers_at_the_bar_has_not_ended():
    rng = random.Random(8)
    values = [0.05] * 60 + [max(0.3, rng.gauss(1.1, 0.3)) for _ in range(120)]
    shift = find_shift(values, direction="up", z=6.0, min_run=3, min_baseline=10, abs_floor=0.1, min_delta=1.0)
    assert shift is not None and shift.start_index == 60 and shift.end_index is None


def test_cpu_that_follows_traffic_is_no_first_sign_but_cpu_per_request_is():
    rng = random.Random(9)
    traffic = [500 + 300 * max(0, i - 60) / 120 + rng.gauss(0, 10) for i in range(200)]
    with_traffic = [5 + 0.05 * t + rng.gauss(0, 0.5) for t in traffic]
    assert follows_traffic(series_obs(traffic, cpu=with_traffic), at(70))
    flat = [600 + rng.gauss(0, 10) for _ in range(200)]
    heavier = [35 + rng.gauss(0, 0.5) if i < 70 else 60 + rng.gauss(0, 0.5) for i in range(200)]
    assert not follows_traffic(series_obs(flat, cpu=heavier), at(70))


# ------------------------------------------------------------------------------------ what explains what


def new_sig(text: str, during: int, began: int, level: str = "ERROR", component: str | None = None) -> NewSignature:
    s = sig(text, during, range(began, began + 30), level=level, component=component)
    return NewSignature(s, 0, during, classify(text, component), is_symptom(text, component), at(began))


def test_a_specific_mode_that_came_first_explains_the_broad_failures_after_it():
    resets = new_sig("upstream connect error or disconnect/reset before headers. reset reason: connection "
                     "termination upstream=orders.orders.svc.cluster.local:<n>", 1200, 52)
    killed = new_sig("Container istio-proxy terminated reason=OOMKilled exit_code=<n>", 60, 52, level="WARN")
    impact = Impact(True, at(52), None, new_signatures=[resets, killed])
    scores = mechanism_scores(Observations(), impact, None)
    assert top(scores) == "memory"
    # the same OOM kills starting well after the resets explain nothing
    late = new_sig("Container istio-proxy terminated reason=OOMKilled exit_code=<n>", 60, 80, level="WARN")
    scores = mechanism_scores(Observations(), Impact(True, at(52), None, new_signatures=[resets, late]), None)
    assert top(scores) == "backend_conn"


# ------------------------------------------------------------------------------------ which change


def deploy(version: str, minute: int, message: str, files: list[str]) -> Deploy:
    return Deploy(version, at(minute), "success", [Commit(f"{abs(hash(version)) % 16**7:07x}", message, files)])


def failure(mechanism: str, onset: int, failing: list[str], change_points=()) -> Failure:
    return Failure(
        mechanism=mechanism, onset=at(onset),
        word_weight=vocabulary([(t, t, None, 1.0) for t in failing], [], "shop"),
        paths=set(), change_points=[ChangePoint(at(onset), "the impact", "impact"), *change_points],
        impact_end=None, first_sign=at(onset), subjects=" ".join(failing),
    )


def test_structural_path_words_say_nothing():
    assert "internal" not in words("internal/cart/line.go") and "cart" in words("internal/cart/line.go")
    assert {"body", "bodies"} <= words("Capture request and response bodies")


def test_a_monorepo_deploy_is_tied_only_to_the_lines_of_its_own_service():
    warn = "container memory above <n>% of limit object=pod/orders-worker-<pod> container=istio-proxy"
    cp = ChangePoint(at(40), f"'{warn}'", "signature", None, ("memory",), warn, True)
    f = failure("memory", 52, [warn], [cp])
    cands, _ = rank([
        deploy("api-gateway@1.45.0", 40, "gateway: gzip JSON responses", ["services/api-gateway/src/compression.ts"]),
        deploy("orders-worker@2.9.0", 10, "Capture request and response bodies in the mesh",
               ["deploy/helm/orders-worker/values.yaml"]),
    ], f)
    by = {c.deploy.version: c for c in cands}
    assert cands[0].deploy.version == "orders-worker@2.9.0"
    assert "ships orders-worker" in " ".join(by["orders-worker@2.9.0"].reasons)
    assert by["api-gateway@1.45.0"].tie < 0.5  # the gateway's rollout at the same minute is a coincidence
    assert service_of(deploy("v3.2.0", 0, "x", ["services/cart/x.go"])) == "cart"


def quiet_then(failing: str, component: str, deploys: list[Deploy]) -> Observations:
    """Two quiet hours, then from minute 90 errors and one new signature."""
    rng = random.Random(11)
    obs = Observations(service="otp")
    for i in range(120):
        bad = i >= 90
        obs.metric_points.append({
            "timestamp": at(i).isoformat(), "error_rate": (40.0 if bad else 0.1) + rng.random() * 0.2,
            "response_time_ms": 200 + rng.random() * 10, "request_rate": 500 + rng.random() * 10,
            "cpu_usage": 30 + rng.random(), "memory_usage": 50 + rng.random(),
        })
        obs.metric_times.append(at(i))
        obs.volume.append((at(i), 40 + (30 if bad else 0), 30 if bad else 0, 1))
    obs.signatures = [Signature(failing, "ERROR", component, 900, at(90), at(119),
                                [(at(i), 30) for i in range(90, 120)], failing)]
    obs.deploys = deploys
    return obs


THROTTLED = 'sms send failed provider=smsgate status=<n> err="<n> Too Many Requests: throughput limit exceeded"'


def test_a_providers_throttling_after_a_template_edit_is_not_ours():
    obs = quiet_then(THROTTLED, "dispatch", [
        deploy("v6.4.0", 83, "Shorten the login code SMS to fit one segment", ["otp/templates/sms/login.txt", "otp/sms/render.py"]),
    ])
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "rate_limited" and verdict.trigger.type == "none"


def test_a_providers_throttling_when_our_client_config_changed_at_the_rollout_is_ours():
    obs = quiet_then(THROTTLED, "dispatch", [
        deploy("v6.4.0", 89, "Send every code twice for reliability", ["config/sms/client.yaml"]),
    ])
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "rate_limited" and (verdict.trigger.type, verdict.trigger.ref) == ("deploy", "v6.4.0")


def test_a_never_seen_line_at_the_rollout_names_the_deploy_without_shared_words():
    obs = quiet_then("Request <hex> failed java.util.concurrent.RejectedExecutionException from ThreadPoolExecutor",
                     "ImageController", [deploy("v7.4.0", 89, "misc fixes", ["src/Thing.java"])])
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "thread_pool" and verdict.trigger.ref == "v7.4.0"


def test_a_precursor_before_the_impact_is_part_of_the_vocabulary():
    obs = quiet_then("refusing to serve status: projection too far behind behind_s=<n>", "api.status", [
        deploy("v3.8.0", 20, "Enrich order events with customer segment", ["tracking/consumers/order_events.py"]),
        deploy("v3.8.1", 70, "Polish translations", ["tracking/i18n/pl.json"]),
    ])
    slow = "slow message handling took_ms=<n> step=customer_segment_lookup"
    obs.signatures.append(Signature(slow, "WARN", "consumers.order_events", 150, at(22), at(119),
                                    [(at(i), 1) for i in range(22, 120)], slow))
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "backlog" and verdict.trigger.ref == "v3.8.0"
    assert verdict.first_sign == at(22)
    assert [d.version for d, _ in verdict.ruled_out_late] == ["v3.8.1"]


def test_a_flag_flip_that_turns_on_code_shipped_dark_is_the_trigger():
    overloaded = ('recs call failed err="UNAVAILABLE: <n> load shed (queue full)" upstream=recs-ranker.prod.svc:<n>')
    obs = quiet_then(overloaded, "clients.recsRanker", [
        deploy("v8.1.0", -900, "Product page: call recs-ranker behind product_recs_v3", ["src/clients/recsRanker.ts"]),
        deploy("v8.2.0", 40, "Wishlist: share button", ["src/wishlist/share.ts"]),
        deploy("flags-0301a", 50, "flags: product_recs_v3 to 5% of users", ["config/flags/production.json"]),
        deploy("flags-0301b", 89, "flags: product_recs_v3 to 100%", ["config/flags/production.json"]),
    ])
    verdict = decide(obs, assess(obs))
    assert (verdict.trigger.type, verdict.trigger.ref) == ("deploy", "flags-0301b")
    assert "turns on what deploy v8.1.0 shipped (product_recs_v3)" in verdict.culprit.reasons[0]
    # the flip at 5% shared the flag too, but nothing moved when it shipped
    assert next(c for c in verdict.candidates if c.deploy.version == "flags-0301a").tie == 0
    # what links the two is a name a program uses, not hyphenated English
    assert identifiers("Fix sign-in redirect for read-only users") == set()
    assert identifiers("rollout newCheckoutFlow and search-v3-ranker") == {"new_checkout_flow", "search_v3_ranker"}


def test_in_a_short_history_what_most_commits_talk_about_still_counts():
    # three of four commits mention the search index: that is what the incident is about, not the
    # repository's everyday vocabulary (a handful of commits says nothing about word frequency)
    failing = "search query failed index=listings_v2 err=<str> shard unavailable"
    f = failure("upstream", 60, [failing], [ChangePoint(at(60), "x", "signature", None, (), failing, True)])
    cands, _ = rank([
        deploy("v2.0.0", -600, "Listings index: add listings_v2 mapping", ["search/index/listings.py"]),
        deploy("v2.0.1", -300, "Listings index: backfill listings_v2", ["search/index/backfill.py"]),
        deploy("v2.0.2", 59, "Search: read from the listings_v2 index", ["search/query.py"]),
        deploy("v2.0.3", 30, "Footer links", ["web/footer.tsx"]),
    ], f)
    assert cands[0].deploy.version == "v2.0.2"
    assert "listing" in cands[0].reasons[0] and cands[0].relevance >= 2.0


def test_a_function_word_shared_with_a_failing_line_ties_nothing():
    assert not words("canceling statement due to statement timeout") & words("Invoices: filter by due date")
    obs = quiet_then("[<n>] app_ro@db canceling statement due to statement timeout", None, [
        deploy("v7.10.0", -570, "Partner invoices: filter by due date", ["internal/invoices/filter.go"]),
    ])
    verdict = decide(obs, assess(obs))
    assert verdict.culprit is None


def test_an_access_line_whose_request_the_server_folded_is_a_symptom():
    assert is_symptom('<ip> "<request>" <n> <n> "-" "MapLibre Native Android/<n>.<n>" <n>')
    assert is_symptom('"<request>" <n> <dur> rid=<id>')


def test_a_change_of_the_mechanisms_kind_in_any_inflection_is_its_territory():
    f = failure("memory", 60, ["heap usage above <n>% of limit"])
    _, territory, _, reasons, touches = relevance(
        deploy("v1", 0, "Memoize resolved layers per request", ["src/style/LayerCache.java"]), f)
    assert touches and territory >= 0.6 and "memoize" in reasons[-1]
    # an unrelated word that only starts like one is not
    assert not relevance(deploy("v2", 0, "Storefront banner for the authors page", ["web/storefront.tsx"]),
                         failure("auth", 60, ["token rejected"]))[4]


def test_a_leak_seen_only_in_the_metrics_is_named_on_the_kind_of_change_not_the_slow_pages_words():
    # memory climbs from minute 70, no out-of-memory line yet; the pages that time out name the
    # street style, which a style edit also names; the memoization shipped an hour before the climb
    rng = random.Random(5)
    obs = Observations(service="tiles")
    for i in range(150):
        obs.metric_points.append({
            "timestamp": at(i).isoformat(), "error_rate": (30.0 if i >= 120 else 0.05) + rng.random() * 0.1,
            "response_time_ms": 120 + (max(0, i - 70) ** 2) * 0.5 + rng.random() * 5,
            "request_rate": 3000 + rng.random() * 20, "cpu_usage": 25 + rng.random(),
            "memory_usage": 44 + max(0, i - 70) * 0.45 + rng.random() * 0.2,
        })
        obs.metric_times.append(at(i))
        obs.volume.append((at(i), 300, 40 if i >= 120 else 0, 0))
    slow = "client went away before tile completed: /tiles/v2/streets/<n>/<n>/<n>.pbf after <dur>"
    obs.signatures = [Signature(slow, "ERROR", "tiles.http", 1200, at(120), at(149),
                                [(at(i), 40) for i in range(120, 150)], slow)]
    obs.deploys = [
        deploy("styles-1", 0, "Streets style: label ferry routes from z9", ["styles/streets-v11.json"]),
        deploy("v3.7.0", 10, "Memoize resolved style layers per request signature",
               ["tiles/src/style/StyleResolver.java", "tiles/src/style/LayerMemo.java"]),
    ]
    impact = assess(obs)
    verdict = decide(obs, impact)
    assert verdict.mechanism == "memory" and verdict.trigger.ref == "v3.7.0"
    # honest about what was seen: a climb, no out-of-memory kill in the logs
    report = incident("tiles are slow", obs, impact, verdict, [], "heuristic")
    assert "seen in the metrics only" in report.root_cause.description
    assert "out-of-memory" not in report.root_cause.description + report.summary


def test_a_slow_leak_is_a_shift_from_where_memory_began_and_ties_the_deploy_before_it():
    # memory from 35% to 95% over three hours from minute 40, no step anywhere; the pods are
    # killed at minute 220 and only then do requests fail
    rng = random.Random(21)
    obs = Observations(service="graphql")
    for i in range(270):
        obs.metric_points.append({
            "timestamp": at(i).isoformat(), "error_rate": (5.0 if 220 <= i < 240 else 0.05) + rng.random() * 0.1,
            "response_time_ms": 70 + rng.random() * 5, "request_rate": 900 + rng.random() * 30,
            "cpu_usage": 30 + rng.random(), "memory_usage": 35 + max(0, min(i, 220) - 40) / 3 + rng.gauss(0, 1.2),
        })
        obs.metric_times.append(at(i))
        obs.volume.append((at(i), 300, 60 if 220 <= i < 240 else 0, 0))
    killed = "Container gateway terminated: OOMKilled (exit code <n>) involvedObject.kind=Pod"
    obs.signatures = [Signature(killed, "WARN", None, 20, at(220), at(239), [(at(i), 1) for i in range(220, 240)],
                                killed)]
    obs.deploys = [
        deploy("v14.1.4", 12, "Bump @apollo/server to 4.11.0", ["package.json", "package-lock.json"]),
        deploy("v14.2.0", 40, "Persisted queries: keep parsed documents per client version",
               ["src/persisted/documentCache.ts", "src/persisted/plugin.ts"]),
    ]
    impact = assess(obs)
    memory = next(m for m in impact.leading if m.metric == "memory_usage")
    assert at(40) <= memory.start <= at(75)
    verdict = decide(obs, impact)
    assert verdict.mechanism == "memory" and verdict.trigger.ref == "v14.2.0"


def test_a_logger_named_like_a_domain_is_not_a_provider():
    found = classify("Exception on /api/availability [GET] | sqlalchemy.exc.ObjectNotExecutableError: Not an "
                     "executable object: <str>", "booking.app")
    assert top(found) == "code_error" and "upstream" not in found


def test_an_outside_looking_failure_names_the_commit_of_its_kind_in_a_mixed_deploy():
    full = 'Could not append batch B-<id> to outbox thrown="java.io.IOException: No space left on device"'
    f = failure("disk", 120, [full, "Rejected batch: receipt totals mismatch (expected <n>, got <n>)"])
    cands, _ = rank([Deploy("v3.4.0", at(0), "success", [
        Commit("3e362ad", "Reject batches whose receipt totals don't add up", ["src/validate/TotalsValidator.kt"]),
        Commit("ed8cb11", "Trace sync handshakes to chase duplicate receipts",
               ["src/main/resources/log4j2.xml", "src/handshake/HandshakeRoutes.kt"]),
    ])], f)
    assert cands[0].touches and cands[0].best_commit.hash == "ed8cb11"


def test_a_traceback_is_quoted_by_its_first_line_and_its_exception():
    from bot.analysts.heuristic.narrative import _quote

    tb = ("Exception on /api/slots [GET]\nTraceback (most recent call last):\n  File \"/app/x.py\", line 5, in f\n"
          "    rows = conn.execute(QUERY)\nsqlalchemy.exc.ObjectNotExecutableError: Not an executable object")
    assert _quote(tb, BY_KEY["code_error"]) == (
        "Exception on /api/slots [GET] … sqlalchemy.exc.ObjectNotExecutableError: Not an executable object")


async def test_users_who_vanish_with_no_error_are_explained_by_the_load_balancers_ordinary_lines(tmp_path: Path):
    # the public certificate expires at minute 120: a third of the traffic is left, nothing is
    # logged at WARN or worse; the load balancer's handshake failures, a few an hour from
    # scanners before, run at dozens a minute
    rng = random.Random(8)
    points, lb = [], []
    for i in range(180):
        t = T0 + timedelta(minutes=i)
        points.append({"timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "cpu_usage": 30 + rng.random(),
                       "memory_usage": 50 + rng.random(), "error_rate": 0.05 + rng.random() * 0.05,
                       "response_time_ms": 80 + rng.random() * 5, "request_rate": (1200 if i < 120 else 400) + rng.random() * 20})
        for k in range(6):
            lb.append(f"{t + timedelta(seconds=10 * k):%Y-%m-%dT%H:%M:%S}+00:00 lb-1 haproxy[2211]: 10.1.2.3:4{k} "
                      f"[x] https-in~ api/api-1 0/0/1/53/54 200 6421 \"GET /v1/refills HTTP/1.1\"")
        for k in range(40 if i >= 120 else (1 if i % 20 == 0 else 0)):
            lb.append(f"{t + timedelta(seconds=k):%Y-%m-%dT%H:%M:%S}+00:00 lb-1 haproxy[2211]: 31.199.1.{k}:5{k} "
                      "[x] https-in/1: SSL handshake failure")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "syslog").write_text("\n".join(sorted(lb)) + "\n")
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "metrics.json").write_text(json.dumps({"service": "refills-api", "metrics": points}))
    (tmp_path / "git").mkdir()
    (tmp_path / "git" / "recent_commits.json").write_text(json.dumps({"commits": [
        {"hash": "a1b2c3d4e5", "message": "Upgrade fastify to 4.27.0", "timestamp": "2026-03-01T09:00:00Z",
         "files_changed": ["package.json"], "author": "x"}],
        "deployments": [{"version": "v2.15.0", "deployed_at": "2026-03-01T09:10:00Z", "status": "success",
                         "commits": ["a1b2c3d4e5"]}]}))
    async with Engine(apply_data_dir(bundled_servers(), tmp_path), HeuristicAnalyst()) as engine:
        report = await engine.investigate("patient app traffic fell off a cliff")
    assert report.incident_detected and report.root_cause.trigger.type == "none"
    assert "TLS certificate" in report.root_cause.description and "SSL handshake failure" in report.root_cause.description
    assert any(c.tool == "summarize_errors" and c.arguments.get("min_level") == "INFO" for c in report.tool_calls)


def test_a_rollback_the_impact_outlived_by_ten_minutes_did_not_end_it():
    d = Deploy("v5.3.0", at(0), "rolled_back", [])
    f = failure("dns", 2, ["no such host"])
    f.impact_end = at(28)
    assert recovery(d, at(18), f)[0] < 1.0
    f.impact_end = at(21)
    assert recovery(d, at(18), f)[0] == 1.0
    # the failure went on 40 minutes after the old version was back: the rollback cleared it
    f.impact_end = at(58)
    score, reasons = recovery(d, at(18), f)
    assert score < 0 and "yet the failure went on for 40 min after" in reasons[0]


def test_with_no_two_sources_agreeing_the_error_rate_dates_the_impact():
    # latency creeps over its bar at about minute 92, the error rate steps up at 104; no logs
    rng = random.Random(17)
    obs = series_obs([600 + rng.gauss(0, 10) for _ in range(150)])
    for i, p in enumerate(obs.metric_points):
        p["response_time_ms"] = 60 + max(0, i - 60) * 3.5 + rng.gauss(0, 2)
        p["error_rate"] = 0.05 if i < 104 else 12.0
    assert assess(obs).onset == at(104)


def test_requests_timing_out_are_explained_by_what_they_waited_on():
    obs = quiet_then('idv request failed check=chk_<id> latency_ms=<n> error="Post https://api.idv.example/v3/checks: '
                     'context deadline exceeded"', "idv.client", [])
    for text, comp in (("WORKER TIMEOUT (pid:<n>) request_id=<id>", "gunicorn.error"),
                       ("verification step timed out after <dur> application=app_<id>", "onboarding.steps")):
        obs.signatures.append(Signature(text, "ERROR", comp, 900, at(90), at(119),
                                        [(at(i), 30) for i in range(90, 120)], text))
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "upstream" and verdict.trigger.type == "none"


def test_translations_and_copy_cannot_make_a_backend_fail():
    f = failure("rate_limited", 60, ["rate lookup failed status=<n> err=\"<n> Too Many Requests\""])
    message = "Copy: rephrase the 'rate locked' tooltip"
    rel, _, _, _, touches = relevance(deploy("v2.9.1", 55, message, ["web/i18n/en.json", "web/locales/de/messages.po"]), f)
    as_code = relevance(deploy("v2.9.1", 55, message, ["quotes/rates.py"]), f)
    assert not touches and as_code[4] and rel <= 0.3 * as_code[0] + 1e-9


def test_a_change_to_how_the_db_layer_holds_connections_is_pool_territory():
    f = failure("db_pool", 60, ["QueuePool limit of size <n> overflow <n> reached, connection timed out"])
    _, territory, _, reasons, touches = relevance(deploy(
        "v9.4.0", 0, "Reconciliation report: stream rows instead of building the whole file",
        ["ledger/recon/report.py", "ledger/db/session.py"]), f)
    assert touches and territory >= 0.6 and "ledger/db/session.py" in reasons[-1]


def test_cache_misses_that_came_first_explain_the_providers_throttling():
    assert top(classify("cache miss pair=USD-MXN req=<id>", "quotes.cache")) == "cache"
    obs = quiet_then('rate lookup failed pair=USD-MXN status=<n> err="<n> Too Many Requests"', "quotes.provider", [
        deploy("v2.9.0", 38, "Quotes: tighten freshness window", ["config/cache.yaml", "quotes/cache.py"]),
        deploy("v2.9.1", 83, "Docs: list supported corridors", ["README.md"]),
    ])
    miss = "cache miss pair=USD-MXN req=<id>"
    obs.signatures.append(Signature(miss, "WARN", "quotes.cache", 900, at(90), at(119),
                                    [(at(i), 30) for i in range(90, 120)], miss))
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "cache" and verdict.trigger.ref == "v2.9.0"


def test_an_error_never_seen_before_that_appears_with_the_impact_counts_however_few():
    # an hourly sync's three tracebacks at the onset, naming the file one deploy changed; the
    # failures they cause (no fare table) name no mechanism
    obs = quiet_then("cannot price journey <id>: no fare table loaded for operator <str>", "fares.search", [
        deploy("v8.4.0", 77, "Parse operator fare feeds with the streaming CSV reader", ["fares/sync/operator_feed.py"]),
        deploy("v8.4.1", 85, "Station search: match fuzzy names", ["fares/stations/search.py"]),
    ])
    tb = 'Traceback (most recent call last): File "fares/sync/operator_feed.py", line <n>, in parse_row ValueError: <str>'
    obs.signatures.append(Signature(tb, "ERROR", "fares.sync", 3, at(90), at(90), [(at(90), 3)], tb))
    verdict = decide(obs, assess(obs))
    assert any(n.sig.text == tb for n in verdict.cause_signatures)
    assert verdict.trigger.ref == "v8.4.0"


def test_more_threads_per_worker_than_the_pool_has_connections_is_pool_territory():
    f = failure("db_pool", 60, ["sqlalchemy.exc.TimeoutError: QueuePool limit of size <n> overflow <n> reached"])
    _, territory, _, _, touches = relevance(
        deploy("v5.9.0", 47, "Serve tracking pages with 16 threads per gunicorn worker", ["deploy/gunicorn.conf.py"]), f)
    assert touches and territory >= 0.6


def test_one_failed_request_a_minute_at_nights_traffic_is_not_an_outage():
    rng = random.Random(3)
    traffic = [95 + rng.gauss(0, 3) for _ in range(120)]
    errors = [1.08 if i in (95, 96, 97, 98) else 0.0 for i in range(120)]  # one of ~95 requests
    assert not assess(series_obs(traffic, errors)).detected


# ------------------------------------------------------------------------------------ honest reporting


def test_unreadable_logs_are_said_in_the_summary_and_evidence():
    obs = series_obs([500.0] * 60)
    obs.volume = [(at(i), 40, 0, 0) for i in range(60)]
    obs.missing["log files auth.bin"] = "in no log format the logs server can parse"
    report = no_incident("login broken?", obs, assess(obs), "heuristic", 0.6)
    assert "Not checked: log files auth.bin" in report.summary
    assert any("auth.bin" in e.finding for e in report.evidence)


def test_noise_is_called_steady_only_when_it_is():
    obs = series_obs([500.0] * 120)
    obs.volume = [(at(i), 40, 1, 1) for i in range(120)]
    steady = Signature("cache refresh failed", "WARN", "jobs", 24, at(0), at(115), [(at(i), 1) for i in range(0, 120, 5)], "cache refresh failed")
    rising = Signature("token refresh failed", "WARN", "auth", 70, at(3), at(119),
                       [(at(3), 1)] + [(at(i), 2) for i in range(85, 120)], "token refresh failed")
    obs.signatures = [rising, steady]
    report = no_incident("anything wrong?", obs, assess(obs), "heuristic", 0.8)
    text = " ".join(e.finding for e in report.evidence)
    assert "steady rate: 'cache refresh failed'" in text
    assert "'token refresh failed' ×70 became more frequent from 09:25" in text


# ------------------------------------------------------------------------------------ where failures come from


class WhereFailing:
    """A test analyst: runs the node check on a fixed impact and keeps its answer."""

    name = "probe"

    def __init__(self, impact: Impact) -> None:
        self.impact = impact
        self.found = None

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        self.found = await where_failing(tools, self.impact)
        return Report(incident, True, "probe", RootCause("probe"), None, analyst=self.name)


async def test_failures_from_one_node_are_found_by_sampling_the_lines(tmp_path: Path):
    nodes = ["ip-10-0-1-5.ec2.internal", "ip-10-0-2-6.ec2.internal", "ip-10-0-3-7.ec2.internal"]
    lines = []
    for i in range(120):
        t = (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(json.dumps({"ts": t, "level": "info", "msg": "node status ok", "node": nodes[i % 3]}))
        if i >= 90:
            for k in range(3):
                lines.append(json.dumps({"ts": t, "level": "error", "msg": "cart operation failed",
                                         "node": nodes[0], "error": f"read tcp 10.0.1.{k}:4000: connection reset"}))
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "cart.jsonl").write_text("\n".join(lines) + "\n")
    failing = new_sig(f"cart operation failed node={nodes[0]} error=\"read tcp <ip>: connection reset\"", 90, 90)
    probe = WhereFailing(Impact(True, at(90), None, new_signatures=[failing]))
    servers = [c for c in apply_data_dir(bundled_servers(), tmp_path) if c.name == "logs"]
    async with Engine(servers, probe) as engine:
        report = await engine.investigate("cart errors")
    assert probe.found is not None
    assert (probe.found.value, probe.found.usual, probe.found.share) == (nodes[0], 3, 1.0)
    assert [c.tool for c in report.tool_calls] == ["search_logs", "search_logs"]


class OtherClients:
    """A test analyst: runs the database neighbour check on a fixed impact and keeps its answer."""

    name = "probe"

    def __init__(self, impact: Impact, ours: set[str]) -> None:
        self.impact, self.ours, self.found = impact, ours, None

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        self.found = await other_clients(tools, self.impact, "db_overload", self.ours)
        return Report(incident, True, "probe", RootCause("probe"), None, analyst=self.name)


def pg_line(minute: float, role: str, level: str, text: str) -> str:
    t = T0 + timedelta(minutes=minute)
    return f"{t:%Y-%m-%d %H:%M:%S}.{int(minute * 1000) % 1000:03d} UTC [{4000 + int(minute)}] {role}@shop {level}:  {text}"


async def run_neighbour_check(tmp_path: Path, extra: list[str]) -> OtherClients:
    lines = [pg_line(i, "app_rw", "LOG", f"duration: {200 + i} ms  statement: SELECT * FROM orders WHERE id = $1")
             for i in range(0, 120, 7)]
    lines += [pg_line(90 + i / 3, "app_rw", "ERROR", "canceling statement due to statement timeout") for i in range(60)]
    lines += extra
    lines.sort()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "postgresql-main.log").write_text("\n".join(lines) + "\n")
    failing = new_sig("[<n>] app_rw@shop canceling statement due to statement timeout", 60, 90)
    probe = OtherClients(Impact(True, at(90), None, new_signatures=[failing]), roles_in(failing.sig.text))
    servers = [c for c in apply_data_dir(bundled_servers(), tmp_path) if c.name == "logs"]
    async with Engine(servers, probe) as engine:
        await engine.investigate("slow database")
    return probe


async def test_another_clients_heavy_query_just_before_the_timeouts_is_found(tmp_path: Path):
    copy = "statement: COPY (SELECT * FROM orders JOIN order_lines USING (order_id)) TO STDOUT WITH (FORMAT csv)"
    probe = await run_neighbour_check(tmp_path, [
        pg_line(87.5, "bi_export", "LOG", copy),
        pg_line(95, "bi_export", "LOG", 'temporary file: path "base/pgsql_tmp/pgsql_tmp1.0", size 998244352'),
    ])
    assert probe.ours == {"app_rw"}
    assert probe.found is not None and probe.found.role == "bi_export" and probe.found.began == at(87.5)
    assert "COPY" in probe.found.example


async def test_a_client_that_works_the_database_every_hour_is_not_what_changed(tmp_path: Path):
    copy = "statement: COPY (SELECT * FROM orders) TO STDOUT"
    probe = await run_neighbour_check(tmp_path, [pg_line(m, "bi_export", "LOG", copy) for m in (27.5, 57.5, 87.5)])
    assert probe.found is None


def test_the_confirming_search_uses_words_every_layout_keeps():
    # JSON fields are rendered as key=value after the message, PostgreSQL's level sits between role and text
    assert _literal_pattern('feed-ranker call failed name=mobile-bff err="UNAVAILABLE: <n> load shed"') == (
        r"feed\-ranker\s+call\s+failed")
    assert _literal_pattern("[<n>] app_ro@db canceling statement due to statement timeout") == (
        r"canceling\s+statement\s+due\s+to\s+statement\s+timeout")


def test_a_stray_failed_request_minutes_early_does_not_date_the_incident():
    obs = quiet_then("upstream prematurely closed connection while reading response header from upstream", "nginx", [])
    stray = "POST /api/cart/items <n> status=<n>"
    obs.signatures.append(Signature(stray, "ERROR", "nginx", 40, at(86), at(119),
                                    [(at(86), 1), (at(88), 1)] + [(at(i), 1) for i in range(91, 119)], stray))
    assert assess(obs).onset == at(90)
    # errors already running in earnest two minutes before the metrics saw them do move it
    obs.signatures[0].per_minute = [(at(i), 30) for i in range(88, 120)]
    assert assess(obs).onset == at(88)


def test_latency_creeping_up_before_the_errors_is_not_the_onset():
    rng = random.Random(12)
    obs = series_obs([600 + rng.gauss(0, 10) for _ in range(150)])
    for i, p in enumerate(obs.metric_points):
        p["response_time_ms"] = 60 + (max(0, i - 80) * 3 if i < 105 else 120) + rng.gauss(0, 3)
        p["error_rate"] = 0.05 if i < 105 else 15.0
    impact = assess(obs)
    latency = next(m for m in impact.shifts if m.metric == "response_time_ms")
    assert latency.start < at(100) and impact.onset == at(105)


def test_latency_over_the_bar_long_before_the_errors_is_not_confirmed_by_them():
    # a slow creep crosses the bar about minute 95; the errors step up at 105 with the logs: the
    # sources agree on 105, not on 95
    rng = random.Random(13)
    obs = series_obs([600 + rng.gauss(0, 10) for _ in range(150)])
    for i, p in enumerate(obs.metric_points):
        p["response_time_ms"] = (60 + max(0, i - 66) * 3.5 if i < 105 else 400) + rng.gauss(0, 2)
        p["error_rate"] = 0.05 if i < 105 else 15.0
    obs.volume = [(at(i), 300, 40 if i >= 105 else 0, 1) for i in range(150)]  # the logs see the errors too
    impact = assess(obs)
    latency = next(m for m in impact.shifts if m.metric == "response_time_ms")
    assert at(93) <= latency.impact_start <= at(98) and impact.onset == at(105)


def test_a_version_that_cannot_start_is_a_startup_failure():
    for line in ("Back-off restarting failed container api in pod checkout-<pod>",
                 "FATAL: missing required environment variable PAYMENTS_URL"):
        assert top(classify(line)) == "startup", line
    # a cloud SDK's throttling error is a provider's limit even with no host named
    assert top(classify("ProvisionedThroughputExceededException: rate of requests exceeds the allowed throughput")) == "rate_limited"


def test_a_one_minute_spike_is_named_not_called_normal():
    errors = [0.1] * 120
    errors[100] = 7.2
    obs = series_obs([500.0] * 120, errors=errors)
    report = no_incident("everything is down!!", obs, assess(obs), "heuristic", 0.8)
    assert "within their normal range" not in report.summary
    assert "error rate 7.2% at 09:40 for 1 min" in report.summary


def test_a_few_stray_specific_warnings_do_not_explain_a_thousand_failures():
    provider = new_sig("payment authorization failed: upstream api.paygate.example timed out after <n>ms", 1000, 52)
    stray = new_sig("disk usage on /var/lib/app at <n>% (threshold <n>%)", 3, 52, level="WARN")
    impact = Impact(True, at(52), None, new_signatures=[provider, stray])
    assert top(mechanism_scores(Observations(), impact, None)) == "upstream"


def test_a_crash_loop_after_a_config_change_is_the_change_not_the_proxy():
    obs = quiet_then("upstream connect error or disconnect/reset before headers. reset reason: connection failure "
                     "upstream=payments.payments.svc.cluster.local:<n>", "envoy", [
                         deploy("v4.2.0", 88, "Read the acquirer URL from the environment", ["deploy/helm/payments/values.yaml"]),
                     ])
    for text, level in (("Back-off restarting failed container payments in pod payments-<pod>", "WARN"),
                        ("FATAL: missing required environment variable ACQUIRER_URL", "ERROR")):
        obs.signatures.append(Signature(text, level, None, 60, at(89), at(119), [(at(i), 2) for i in range(89, 119)], text))
    verdict = decide(obs, assess(obs))
    assert verdict.mechanism == "startup" and verdict.trigger.ref == "v4.2.0"
