"""Log lines as real loggers write them: plain, JSON lines and logfmt, read into one shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rca_servers.logs.formats import parse_json, parse_logfmt, parse_plain, sniff, time_reader
from rca_servers.logs.signatures import fold, headline

T = datetime(2026, 2, 17, 14, 45, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    "line, level, component, message",
    [
        ("2026-02-17 14:45:02 ERROR [db] Connection pool exhausted", "ERROR", "db", "Connection pool exhausted"),
        ("2026-02-17T14:45:02Z WARNING [api] slow request", "WARN", "api", "slow request"),
        ("2026-02-17 14:45:02,120 CRITICAL payments: gateway down", "FATAL", None, "payments: gateway down"),
        ("[2026-02-17 14:45:02] [error] [worker] job failed", "ERROR", "worker", "job failed"),
        ("2026-02-17 14:45:02 app.db - ERROR - deadlock detected", "ERROR", "app.db", "deadlock detected"),
        ("2026-02-17T16:45:02+02:00 INFO [api] started", "INFO", "api", "started"),
    ],
)
def test_plain_lines(line, level, component, message):
    e = parse_plain(line)
    assert e is not None
    assert (e.time.replace(microsecond=0), e.level, e.component, e.message) == (T, level, component, message)


def test_plain_rejects_what_is_not_a_log_line():
    assert parse_plain("Traceback (most recent call last):") is None
    assert parse_plain('  File "app/checkout/views.py", line 88, in pay') is None


@pytest.mark.parametrize(
    "line, level, component, words",
    [
        ('{"ts": "2026-02-17T14:45:02Z", "level": "error", "msg": "upstream timeout", "service": "pay"}',
         "ERROR", "pay", ["upstream timeout"]),
        ('{"@timestamp": "2026-02-17T14:45:02.000Z", "log": {"level": "WARN"}, "message": "retrying", "host": "h1"}',
         "WARN", None, ["retrying"]),
        ('{"time": 1771339502, "level": 50, "msg": "pino error", "err": "ECONNRESET"}',
         "ERROR", None, ["pino error", "err=ECONNRESET"]),
        ('{"timestamp": "2026-02-17 14:45:02", "severity": "CRITICAL", "message": "disk full", "path": "/var/data"}',
         "FATAL", None, ["disk full", "path=/var/data"]),
    ],
)  # fmt: skip
def test_json_lines(line, level, component, words):
    e = parse_json(line)
    assert e is not None
    assert e.time.replace(microsecond=0) == T
    assert (e.level, e.component) == (level, component)
    for w in words:
        assert w in e.message


@pytest.mark.parametrize(
    "line, level, component, words",
    [
        # Serilog's compact JSON: @l is absent for Information
        ('{"@t":"2026-02-17T14:45:02.1234567Z","@mt":"Payment {PaymentId} declined","PaymentId":42,"@l":"Error",'
         '"SourceContext":"Shop.Payments","@x":"System.TimeoutException: gateway"}',
         "ERROR", "Shop.Payments", ["Payment {PaymentId} declined", "TimeoutException"]),
        ('{"@t":"2026-02-17T14:45:02Z","@m":"started","SourceContext":"Shop.Api"}', "INFO", "Shop.Api", ["started"]),
        # .NET's JSON console logger: capitalised keys
        ('{"Timestamp":"2026-02-17T14:45:02Z","LogLevel":"Warning","Category":"Shop.Db","Message":"slow query"}',
         "WARN", "Shop.Db", ["slow query"]),
        # OpenTelemetry's JSON: nanoseconds since the epoch, severityText, body
        ('{"timeUnixNano":"1771339502000000000","severityText":"ERROR","body":"export failed"}',
         "ERROR", None, ["export failed"]),
    ],
)  # fmt: skip
def test_json_lines_of_other_loggers(line, level, component, words):
    e = parse_json(line)
    assert e is not None
    assert e.time.replace(microsecond=0) == T
    assert (e.level, e.component) == (level, component)
    for w in words:
        assert w in e.message


def test_json_status_is_not_a_level_but_says_how_the_request_went():
    e = parse_json('{"ts": "2026-02-17T14:45:02Z", "status": 503, "msg": "GET /pay"}')
    assert e is not None and e.level == "ERROR" and "status=503" in e.message
    e = parse_json('{"ts": "2026-02-17T14:45:02Z", "status": 200, "msg": "GET /pay"}')
    assert e is not None and e.level == "INFO"
    e = parse_json('{"ts": "2026-02-17T14:45:02Z", "level": "info", "status": 503, "msg": "GET /pay"}')
    assert e is not None and e.level == "INFO"  # a level the logger wrote wins


@pytest.mark.parametrize(
    "line, level, component, message",
    [
        ('time=2026-02-17T14:45:02Z level=error component=db msg="pool exhausted" waiting=12',
         "ERROR", "db", 'pool exhausted waiting=12'),
        ('ts="2026-02-17 14:45:02" lvl=warn logger=cache msg="evicting \\"hot\\" keys"',
         "WARN", "cache", 'evicting "hot" keys'),
    ],
)  # fmt: skip
def test_logfmt_lines(line, level, component, message):
    e = parse_logfmt(line)
    assert e is not None
    assert (e.time, e.level, e.component, e.message) == (T, level, component, message)


def test_sniff_picks_the_format_that_reads_the_file():
    plain = ["2026-02-17 14:45:02 INFO [api] ok"] * 5
    jsonl = ['{"ts": "2026-02-17T14:45:02Z", "level": "info", "msg": "ok"}'] * 5
    logfmt = ['time=2026-02-17T14:45:02Z level=info msg=ok'] * 5
    assert sniff(plain).format == "plain" and sniff(plain).simple_plain
    assert sniff(jsonl).format == "json"
    assert sniff(logfmt).format == "logfmt"
    assert sniff(["just some text", "more text"]).format == "unknown"


def test_time_readers_read_only_the_timestamp():
    assert time_reader("plain")(b"2026-02-17 14:45:02 INFO [x] y") == T
    assert time_reader("logfmt")(b'level=info time="2026-02-17T14:45:02Z" msg=x') == T
    assert time_reader("json")(b'{"ts": "2026-02-17T14:45:02Z", "msg": "x"}') == T
    assert time_reader("plain")(b"  at com.example.Foo(Foo.java:12)") is None


@pytest.mark.parametrize(
    "a, b",
    [
        ("Connection pool exhausted: 20/20 connections in use, 37 waiting",
         "Connection pool exhausted: 20/20 connections in use, 41 waiting"),
        ("order ord_8812X failed: request_id=7f3a9c2e11 took 5003ms",
         "order ord_1177Q failed: request_id=0b12ee45a9 took 4810ms"),
        ("call to 10.0.3.7:8443 failed (id 123e4567-e89b-12d3-a456-426614174000)",
         "call to 10.0.3.9:8443 failed (id 00000000-e89b-12d3-a456-426614174999)"),
    ],
)  # fmt: skip
def test_fold_merges_the_same_event(a, b):
    assert fold(a) == fold(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("GET /v1/orders/88123/tracking -> 503 request_id=2c38d1f8-9819-669d",
         "GET /v1/orders/771/tracking -> 503 request_id=ac3e0789-50c8"),
        ("OOMKilled pod/orders-worker-7d9f8b6c5-x2k4q container istio-proxy",
         "OOMKilled pod/orders-worker-5c6d7e8f9-p9w2z container istio-proxy"),
        ("request_id=64cfa5ca-5fbd", "request_id=3e459b29-22a0"),
        ('upstream prematurely closed connection, client: 10.1.2.3, request: "GET /api/cart?id=7 HTTP/1.1", '
         'upstream: "http://10.0.4.2:3000/api/cart", host: "www.shop.example"',
         'upstream prematurely closed connection, client: 10.9.8.7, request: "POST /api/checkout HTTP/1.1", '
         'upstream: "http://10.0.4.3:3000/api/checkout", host: "www.shop.example"'),
    ],
)  # fmt: skip
def test_fold_merges_dashed_ids_and_pod_names(a, b):
    assert fold(a) == fold(b)
    assert fold(a) != a and fold(b) != b  # something per-request was folded away


def test_fold_keeps_terms_that_mix_letters_and_digits():
    text = fold("x509: certificate signed by unknown authority; sha256 base64 http2 ipv4 HY000")
    for term in ("x509", "sha256", "base64", "http2", "ipv4", "HY000"):
        assert term in text


def test_fold_keeps_what_names_the_failure():
    assert "KeyError: 'currency'" in fold("KeyError: 'currency'")
    assert "api.stripe.com" in fold("POST https://api.stripe.com/v1/charges timed out after 30s")
    assert fold("KeyError: 'currency'") != fold("KeyError: 'amount'")


def test_headline_of_a_traceback_names_its_exception():
    msg = "Unhandled exception in POST /checkout\nTraceback (most recent call last):\n  File \"a.py\", line 3\nKeyError: 'currency'"
    assert headline(msg) == "Unhandled exception in POST /checkout | KeyError: 'currency'"


# Layouts real software writes, each with the time, level, component and message it must give.
T2 = datetime(2028, 3, 7, 9, 40, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "line, level, component, words",
    [
        # level first
        ("ERROR  2028-03-07 09:40:01 [billing] invoice run failed", "ERROR", "billing", ["invoice run failed"]),
        # RFC 5424 syslog: the PRI carries the severity (131 = local0.err)
        ("<131>1 2028-03-07T09:40:01.000Z web-3 checkout 4411 - - upstream reset", "ERROR", "checkout", ["upstream reset"]),
        # Ruby's Logger
        ("E, [2028-03-07T09:40:01.123456 #4411] ERROR -- orders: charge declined", "ERROR", "orders", ["charge declined"]),
        # Redis: '#' marks a warning
        ("1:M 07 Mar 2028 09:40:01.123 # OOM command not allowed when used memory > 'maxmemory'.", "WARN", None,
         ["OOM command not allowed"]),
        # nginx's error log
        ("2028/03/07 09:40:01 [error] 31#31: *4121 upstream timed out (110: Connection timed out)", "ERROR", None,
         ["upstream timed out"]),
        # oauth2-proxy / Go: a bracketed slash date, the message starts with "Error"
        ("[2028/03/07 09:40:01] [oauthproxy.go:812] Error redeeming code during OAuth2 callback", "ERROR",
         "oauthproxy.go:812", ["Error redeeming code"]),
        # Apache's combined access log: the status is the level
        ('10.0.0.1 - - [07/Mar/2028:09:40:01 +0000] "GET /tiles/3/4/5.png HTTP/1.1" 503 12 "-" "curl/8"', "ERROR", None,
         ["GET /tiles/3/4/5.png", "503"]),
        # JVM unified logging and Elasticsearch: brackets with no space after the time
        ("[2028-03-07T09:40:01.000+0000][warning][gc] Pause Young (G1 Evacuation Pause) 612M->580M", "WARN", "gc",
         ["Pause Young"]),
        ("[2028-03-07T09:40:01,000][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark exceeded",
         "WARN", "o.e.c.r.a.DiskThresholdMonitor", ["high disk watermark"]),
        # zap's console encoder: tab-separated
        ("2028-03-07T09:40:01.000Z\tERROR\tgrpc/server.go:88\tfinished call with error\t{\"code\": \"Unavailable\"}",
         "ERROR", None, ["finished call with error"]),
        # PostgreSQL and PgBouncer: a zone name and a pid before the level
        ("2028-03-07 09:40:01.000 UTC [4411] app@orders ERROR:  canceling statement due to statement timeout", "ERROR",
         None, ["canceling statement due to statement timeout"]),
        ("2028-03-07 10:40:01.000 CET [4411] WARNING C-0x55d1: orders/app@10.0.0.7:5432 closing because: pooler error",
         "WARN", None, ["closing because"]),
        # Sidekiq: the level after the job's fields
        ("2028-03-07T09:40:01.000Z pid=7 tid=2lm class=ExportJob jid=ab12cd elapsed=30.1 ERROR: Timeout::Error", "ERROR",
         None, ["class=ExportJob", "Timeout::Error"]),
        # logback: the logger, not the thread, is the component
        ("2028-03-07 09:40:01.000 [http-nio-8080-exec-7] ERROR c.e.tiles.TileController - render failed", "ERROR",
         "c.e.tiles.TileController", ["render failed"]),
        # Flask
        ("[2028-03-07 09:40:01,000] ERROR in app: Exception on /export [POST]", "ERROR", "app", ["Exception on /export"]),
    ],
)  # fmt: skip
def test_plain_lines_of_other_software(line, level, component, words):
    e = parse_plain(line)
    assert e is not None, line
    assert e.time.replace(microsecond=0) == T2
    assert (e.level, e.component) == (level, component)
    for w in words:
        assert w in e.message, (w, e.message)


def test_the_same_layouts_are_found_by_the_time_reader_and_as_entry_starts():
    from rca_servers.logs.formats import entry_start

    raw = b"E, [2028-03-07T09:40:01.123456 #4411] ERROR -- orders: charge declined"
    assert time_reader("plain")(raw).replace(microsecond=0) == T2
    assert entry_start("plain")(raw)
    assert not entry_start("plain")(b"  from /app/models/order.rb:12:in `charge'")


# ------------------------------------------------------------------ envelopes and nested objects


def test_docker_json_file_lines_are_read_as_the_line_they_wrap():
    line = ('{"log":"[2026-02-17 16:45:02.870 +0200] WARN (1 on gateway-7d9f): downstream slow {\\"dur_ms\\":1945}\\n",'
            '"stream":"stderr","time":"2026-02-17T14:45:02.870056017Z"}')
    e = parse_json(line)
    assert e is not None and (e.time.replace(microsecond=0), e.level) == (T, "WARN")
    assert e.message.startswith("(1 on gateway-7d9f): downstream slow")
    assert time_reader("plain")(b"[2026-02-17 16:45:02.870 +0200] WARN x") == T.replace(microsecond=870000)


def test_google_cloud_logging_exports_lift_the_payload_and_render_the_request():
    app = ('{"insertId":"33a3","jsonPayload":{"message":"SMS reminder failed","logger":"booking.notifications"},'
           '"logName":"projects/p/logs/run.googleapis.com%2Fstdout","resource":{"type":"cloud_run_revision"},'
           '"severity":"ERROR","timestamp":"2026-02-17T14:45:02Z","trace":"projects/p/traces/60be"}')
    e = parse_json(app)
    assert (e.level, e.component, e.message) == ("ERROR", "booking.notifications", "SMS reminder failed")
    req = ('{"insertId":"3194","httpRequest":{"requestMethod":"GET","requestUrl":"https://x.a.run.app/api/slots",'
           '"status":503,"latency":"0.039s"},"timestamp":"2026-02-17T14:45:02Z"}')
    e = parse_json(req)
    assert (e.level, e.message) == ("ERROR", "GET /api/slots status=503 latency=0.039s")


def test_log4j2_json_with_an_instant_and_a_thrown_exception():
    line = ('{"instant":{"epochSecond":1771339502,"nanoOfSecond":458000000},"thread":"worker-8","level":"ERROR",'
            '"loggerName":"com.shop.outbox.OutboxWriter","message":"Could not append batch to outbox",'
            '"thrown":{"name":"java.io.IOException","message":"No space left on device",'
            '"extendedStackTrace":"java.io.IOException: No space left on device\\n\\tat x.y(Z.java:1)"},'
            '"endOfBatch":false,"loggerFqcn":"org.slf4j.Logger","threadId":52,"contextMap":{"store":"S-0475"}}')
    e = parse_json(line)
    assert e is not None and e.time.replace(microsecond=0) == T and e.level == "ERROR"
    assert 'thrown="java.io.IOException: No space left on device"' in e.message
    assert "contextMap.store=S-0475" in e.message and "threadId" not in e.message


def test_kubernetes_events_and_a_code_location_object():
    event = ('{"metadata":{"name":"gw-10d0.1da1b373"},"involvedObject":{"kind":"Pod","name":"gw-10d0"},'
             '"reason":"ContainerTerminated","message":"Container gw terminated: OOMKilled (exit code 137)",'
             '"type":"Warning","lastTimestamp":"2026-02-17T14:45:02Z"}')
    e = parse_json(event)
    assert e is not None and (e.time, e.level) == (T, "WARN")
    assert e.message.startswith("Container gw terminated: OOMKilled") and "1da1b373" not in e.message
    slog = ('{"time":"2026-02-17T14:45:02Z","level":"ERROR","source":{"function":"github.com/x/y.(*H).List",'
            '"file":"/src/h.go","line":212},"msg":"handler failed","err":"pool timeout"}')
    assert parse_json(slog).message == "handler failed err=\"pool timeout\""


def test_a_long_tracebacks_example_keeps_the_exception_it_ends_with():
    from rca_servers.logs.scan import EXAMPLE_MAX, example

    frames = "\n".join(f'  File "/usr/lib/python3.12/site-packages/lib/mod{i}.py", line {i}, in f{i}' for i in range(40))
    message = f"Exception on /api/slots [GET]\nTraceback (most recent call last):\n{frames}\nKeyError: 'deck'"
    out = example(message)
    assert len(out) <= EXAMPLE_MAX
    assert out.startswith("Exception on /api/slots [GET]\n…\n") and out.endswith("KeyError: 'deck'")
    assert example("short line") == "short line"
