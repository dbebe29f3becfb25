"""The deterministic analyst's pieces on constructed data: change points, mechanisms, culprits.

The scenario tests show the whole works on realistic incidents; these pin each judgement on
the smallest data that shows it, so a regression names the piece that broke.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.analysts.heuristic.analyst import decide
from bot.analysts.heuristic.culprit import Failure, rank, vocabulary, words
from bot.analysts.heuristic.impact import ChangePoint, assess
from bot.analysts.heuristic.mechanisms import classify, is_symptom
from bot.analysts.heuristic.observe import Commit, Deploy, Observations, Signature
from bot.analysts.heuristic.series import count_change, find_shift

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


# ------------------------------------------------------------------------------------ series


def test_find_shift_dates_a_sustained_step_and_ignores_one_noisy_minute():
    rng = random.Random(7)
    values = [100 + rng.gauss(0, 3) for _ in range(60)]
    values[20] = 180  # one bad minute
    values[40:] = [260 + rng.gauss(0, 5) for _ in range(20)]
    shift = find_shift(values, direction="up", z=6, min_run=3, min_baseline=10, rel_floor=0.05)
    assert shift is not None and shift.start_index == 40
    assert shift.end_index is None and shift.ratio() > 2


def test_find_shift_sees_the_end_of_an_episode():
    values = [1.0] * 30 + [20.0] * 10 + [1.0] * 20
    shift = find_shift(values, direction="up", z=6, min_run=3, min_baseline=10, abs_floor=0.1)
    assert (shift.start_index, shift.end_index) == (30, 40)


def test_a_steady_trickle_has_no_step():
    rng = random.Random(3)
    trickle = [1 if rng.random() < 0.3 else 0 for _ in range(300)]
    step = count_change(trickle)
    assert step is None or not step.significant()


def test_a_burst_is_dated_to_its_first_event():
    rng = random.Random(5)
    counts = [1 if rng.random() < 0.02 else 0 for _ in range(200)] + [0, 0, 4, 7, 5, 6] + [5] * 40
    step = count_change(counts)
    assert step.significant() and step.index == 202
    assert step.rate_after > 10 * max(step.rate_before, 0.01)


# ------------------------------------------------------------------------------------ mechanisms


def test_a_named_failure_mode_outranks_the_dependency_it_came_from():
    line = 'webhook delivery failed dest=ledger.partnerbank.example error="remote error: tls: expired certificate"'
    found = classify(line)
    assert max(found, key=found.get) == "tls"
    found = classify('notification send failed error="getaddrinfo EAI_AGAIN smtp-relay.mail.internal"')
    assert max(found, key=found.get) == "dns"


def test_timeout_words_do_not_hide_the_lock():
    found = classify("Lock wait timeout exceeded; try restarting transaction")
    assert max(found, key=found.get) == "db_lock"


def test_a_worker_pool_is_capacity_not_the_database_pool():
    found = classify("worker pool exhausted, shedding request busy=<n>")
    assert max(found, key=found.get) == "capacity"
    assert "db_pool" in classify("Connection pool exhausted: <n>/<n> connections in use")


def test_request_lines_in_any_format_are_symptoms():
    assert is_symptom("POST /v1/events <n> <dur> request_id=<hex>")
    assert is_symptom("request completed method=GET path=/v2/search status=<n> duration_ms=<n>")
    assert is_symptom('http request method=POST path="/v1/stock" status=<n>')
    assert not is_symptom("KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full.")


# ------------------------------------------------------------------------------------ culprit


def deploy(version: str, minute: int, message: str, files: list[str], status: str = "success") -> Deploy:
    return Deploy(version, at(minute), status, [Commit(f"{abs(hash(version)) % 16**7:07x}", message, files)])


def failure(mechanism: str, onset: int, failing: list[str], change_points=(), first_sign: int | None = None,
            background: tuple[str, ...] = ()) -> Failure:
    return Failure(
        mechanism=mechanism,
        onset=at(onset),
        word_weight=vocabulary([(t, t, None, 1.0) for t in failing], background, "orders-api"),
        paths=set(),
        change_points=[ChangePoint(at(onset), "the impact", "impact"), *change_points],
        impact_end=None,
        first_sign=at(first_sign) if first_sign is not None else at(onset),
        first_sign_what="warnings" if first_sign is not None else "the impact",
    )


def test_words_split_code_names_and_keep_singulars():
    assert {"claims", "cache", "claim"} <= words("ClaimsCache.java")
    assert {"process"} <= words("process") and "proces" not in words("process")


def test_the_failing_lines_everyday_words_and_field_names_say_little():
    weight = vocabulary(
        [('Lock wait timeout exceeded table=accounts client=reconcile_balances', "", None, 1.0)],
        ["order accepted for accounts team"],
        "ledger",
    )
    assert weight["reconcile"] == 1.0
    assert weight["table"] < 0.5  # a field name
    assert weight["accounts"] < 0.5  # seen every day


def test_an_unrelated_deploy_just_before_loses_to_the_change_that_explains_it():
    f = failure("db_pool", 120, ["Timeout acquiring a connection from the pool"])
    cands, _ = rank([
        deploy("v2", 117, "Add alt text to product images", ["web/ProductCard.tsx"]),
        deploy("v1", 50, "Lower the database pool size to 4 per worker", ["config/database.yaml"]),
    ], f)
    assert cands[0].deploy.version == "v1"
    assert cands[0].relevance > 1 and cands[1].relevance < 0.2


def test_a_deploy_after_the_first_signs_cannot_have_started_it():
    f = failure("disk", 120, ["no space left on device"], first_sign=70)
    cands, late = rank([deploy("v2", 110, "Tune log rotation", ["config/logging.yaml"])], f)
    assert not cands and [d.version for d, _ in late] == ["v2"]


def test_the_mechanism_starting_right_after_a_deploy_ties_it_without_shared_words():
    climb = ChangePoint(at(12), "memory usage shift", "metric", "memory_usage")
    f = failure("memory", 150, ["java.lang.OutOfMemoryError: Java heap space"], [climb], first_sign=12)
    cands, _ = rank([
        deploy("v7", 10, "Keep decoded claims per request for the replay endpoint", ["src/ReplayController.java"]),
        deploy("v6", -40, "Tune upstream keep-alive", ["config/application.yaml"]),
    ], f)
    assert cands[0].deploy.version == "v7" and cands[0].tie > 0.8
    assert "memory usage shift" in cands[0].tie_what


# ------------------------------------------------------------------------------------ the decision


def observations(deploys: list[Deploy], failing_text: str, component: str) -> Observations:
    """Two hours of quiet metrics and logs; from minute 90 errors and a new signature."""
    rng = random.Random(11)
    obs = Observations(service="notifier")
    for i in range(120):
        bad = i >= 90
        obs.metric_points.append({
            "timestamp": at(i).isoformat(), "error_rate": (40.0 if bad else 0.1) + rng.random() * 0.2,
            "response_time_ms": 200 + rng.random() * 10, "request_rate": 500 + rng.random() * 10,
            "cpu_usage": 30 + rng.random(), "memory_usage": 50 + rng.random(),
        })
        obs.metric_times.append(at(i))
        obs.volume.append((at(i), 40 + (30 if bad else 0), 30 if bad else 0, 1))
    noise = [(at(i), 1) for i in range(0, 120, 7)]
    obs.signatures = [
        Signature(failing_text, "ERROR", component, 900, at(90), at(119), [(at(i), 30) for i in range(90, 120)], failing_text),
        Signature("retrying request to inventory (attempt <n>)", "WARN", "api", len(noise), at(0), at(119), noise,
                  "retrying request to inventory (attempt 1)"),
    ]
    obs.deploys = deploys
    return obs


def test_an_outside_failure_after_an_unrelated_deploy_is_nobodys_change():
    obs = observations([deploy("v3", 85, "Add quiet hours to preferences", ["app/preferences.py"])],
                       "send failed: getaddrinfo EAI_AGAIN smtp-relay.internal", "sender")
    impact = assess(obs)
    verdict = decide(obs, impact)
    assert impact.onset == at(90) and verdict.mechanism == "dns"
    assert verdict.trigger.type == "none" and verdict.culprit is None


def test_an_outside_looking_failure_our_change_set_off_is_ours():
    obs = observations([deploy("v3", 89, "Point the SMTP relay hostname at the new resolver search domain",
                               ["config/smtp.yaml", "deploy/resolv.conf"])],
                       "send failed: getaddrinfo EAI_AGAIN smtp-relay.internal", "sender")
    verdict = decide(obs, assess(obs))
    assert verdict.trigger.type == "deploy" and verdict.trigger.ref == "v3"


def test_nothing_abnormal_is_no_incident():
    obs = observations([], "x", "y")
    for p in obs.metric_points:
        p["error_rate"] = 0.1
    obs.volume = [(t, 40, 0, 1) for t, *_ in obs.volume]
    obs.signatures = obs.signatures[1:]
    assert not assess(obs).detected


def test_errors_only_in_the_logs_while_requests_are_fine_are_not_an_incident():
    obs = observations([], "analytics flush failed: batch upload timed out after <dur>", "worker")
    for p in obs.metric_points:
        p["error_rate"] = 0.1
    impact = assess(obs)
    assert impact.log_errors is not None and impact.log_errors.start == at(90)
    assert not impact.detected


def test_missed_scrapes_do_not_hide_a_metric():
    obs = observations([deploy("v3", 89, "Point the SMTP relay at the new resolver", ["config/smtp.yaml"])],
                       "send failed: getaddrinfo EAI_AGAIN smtp-relay.internal", "sender")
    for i in (5, 40, 91, 92, 100):
        obs.metric_points[i]["error_rate"] = None
    del obs.metric_points[60]["response_time_ms"]
    impact = assess(obs)
    assert [m.metric for m in impact.shifts] == ["error_rate"] and impact.onset == at(90)


def test_with_no_deployments_each_commit_is_weighed_and_named_as_a_commit():
    obs = observations([], "send failed: getaddrinfo EAI_AGAIN smtp-relay.internal", "sender")
    obs.commits = [
        Commit("9c1e77a0b2", "Point the SMTP relay hostname at the new resolver search domain", ["deploy/resolv.conf"],
               timestamp=at(60), deployed_at=at(89)),
        Commit("41d0c3e5aa", "Add quiet hours to preferences", ["app/preferences.py"], timestamp=at(30)),
    ]
    verdict = decide(obs, assess(obs))
    assert (verdict.trigger.type, verdict.trigger.ref) == ("commit", "9c1e77a0b2")
