"""Reading one log line in any of the three formats we serve, and telling which one a file uses.

Real log files come from whatever the service's logger writes: the seed's plain layout, JSON
lines from structured loggers (each with its own key names), or logfmt. A file's format is
sniffed once from its first lines; every line of it is then read with that parser. A line that
does not parse (a traceback's continuation, a banner) is not an error: callers attach it to the
entry before it or count it as unparsed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rca_servers.isotime import iso

LEVELS = ("DEBUG", "INFO", "WARN", "ERROR", "FATAL")
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}

# Every spelling loggers use, folded onto the five levels the tools speak.
LEVEL_ALIASES: dict[str, str] = {
    "TRACE": "DEBUG", "DEBUG": "DEBUG", "DBG": "DEBUG", "FINE": "DEBUG", "FINER": "DEBUG",
    "FINEST": "DEBUG", "VERBOSE": "DEBUG",
    "INFO": "INFO", "INF": "INFO", "INFORMATION": "INFO", "NOTICE": "INFO", "CONFIG": "INFO",
    "WARN": "WARN", "WARNING": "WARN", "WRN": "WARN",
    "ERROR": "ERROR", "ERR": "ERROR", "EROR": "ERROR", "SEVERE": "ERROR",
    "FATAL": "FATAL", "CRITICAL": "FATAL", "CRIT": "FATAL", "FTL": "FATAL", "ALERT": "FATAL",
    "EMERG": "FATAL", "EMERGENCY": "FATAL", "PANIC": "FATAL",
}  # fmt: skip
# Single letters are too ambiguous at the start of a plain message ("A user ..."), but in a
# field that is named `level` they can only mean one thing.
_LETTER_LEVELS = {"T": "DEBUG", "D": "DEBUG", "I": "INFO", "W": "WARN", "E": "ERROR", "F": "FATAL", "C": "FATAL"}

FORMATS = ("plain", "json", "logfmt")
MAX_MESSAGE = 2000  # characters of one line's message we hand back; the rest is marked as cut


def normalise_level(value: Any, *, field: bool = True) -> str | None:
    """Map a level as any logger spells it (or numbers it) to DEBUG|INFO|WARN|ERROR|FATAL.

    Numbers: pino/bunyan style (10..60) or syslog severities (0..7).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        n = int(value)
        if 10 <= n <= 60:  # pino: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal
            return "DEBUG" if n < 30 else "INFO" if n < 40 else "WARN" if n < 50 else "ERROR" if n < 60 else "FATAL"
        if 0 <= n <= 7:  # syslog: 0 emerg .. 7 debug
            return ("FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG")[n]
        return None
    text = str(value).strip().upper()
    if not text:
        return None
    level = LEVEL_ALIASES.get(text)
    if level is None and field:
        if text.isdigit():
            return normalise_level(int(text))
        level = _LETTER_LEVELS.get(text)
    return level


def parse_level_arg(value: str | None, *, name: str = "level") -> str | None:
    """A level given by a caller; unknown names are refused with the list of valid ones."""
    from rca_servers.common import ToolError  # here, not at the top: workers never need it

    if value is None or not str(value).strip():
        return None
    level = normalise_level(value, field=False)
    if level is None:
        raise ToolError(
            f"{name}={value!r} is not a log level I know; send one of {', '.join(LEVELS)} "
            "(WARNING, CRITICAL and ERR are accepted too)."
        )
    return level


_TZ = re.compile(r"([+-])(\d\d):?(\d\d)?$")


def parse_timestamp(text: str) -> datetime | None:
    """ISO-ish timestamp text -> aware UTC datetime; naive means UTC. None when it is not one."""
    s = text.strip()
    if len(s) < 19:
        return None
    if "," in s:
        s = s.replace(",", ".")
    if s[-1] in "Zz":
        s = s[:-1] + "+00:00"
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        return None
    if t.tzinfo is None:
        return t.replace(tzinfo=UTC)
    return t.astimezone(UTC)


def epoch_to_datetime(value: float) -> datetime | None:
    """Epoch seconds, or milli/micro/nanoseconds told apart by magnitude."""
    v = float(value)
    if v > 1e17:
        v /= 1e9
    elif v > 1e14:
        v /= 1e6
    elif v > 1e11:
        v /= 1e3
    if not 0 < v < 1e10:
        return None
    return datetime.fromtimestamp(v, UTC)


def _time_value(value: Any) -> datetime | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dict) and isinstance(value.get("epochSecond"), int | float):  # log4j2's instant
        return epoch_to_datetime(value["epochSecond"] + (value.get("nanoOfSecond") or 0) / 1e9)
    if isinstance(value, int | float):
        return epoch_to_datetime(value)
    if isinstance(value, str):
        t = parse_timestamp(value)
        if t is None and re.fullmatch(r"\d{9,19}(?:\.\d+)?", value.strip()):
            return epoch_to_datetime(float(value))
        return t
    return None


def cut(text: str, limit: int = MAX_MESSAGE) -> str:
    """Shorten overlong text visibly, never silently."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters cut]"


@dataclass(slots=True)
class Entry:
    """One parsed log entry. `offset` is where its first line starts (for cursors)."""

    time: datetime
    level: str
    component: str | None
    message: str
    file: str = ""
    offset: int = -1

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "level": self.level,
            "component": self.component,
            "message": cut(self.message, MAX_MESSAGE * 2),
            "file": self.file,
        }


# ---------------------------------------------------------------- plain


# The timestamp may be bracketed, use T or a space, carry fractions (. or ,) and Z or an offset.
TS_TEXT = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[Zz]|[+-]\d\d(?::?\d\d)?)?"
# Zone names loggers print after the time (PostgreSQL: `2026-02-17 14:45:02.120 UTC`); ambiguous
# ones (CST, IST) are left out rather than guessed.
ZONES = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
    "HST": -10, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip
# a zone name, or a numeric offset after a space (pino-pretty: `[2029-10-03 05:01:07.870 +0000]`)
_ZONE = r"(?:\s(?P<zone>" + "|".join(sorted(ZONES, key=len, reverse=True)) + r"|[+-]\d\d:?\d\d)\b)?"
_PLAIN = re.compile(rf"^\[?(?P<ts>{TS_TEXT}){_ZONE}\]?(?:\s+(?P<rest>.*))?$", re.S)
_PYLOGGING = re.compile(r"^(?:-\s+)?(?P<comp>[\w.\-/]+)\s+-\s+(?P<level>[A-Za-z]+)\s+-\s+(?P<msg>.*)$", re.S)
_WORD_END = re.compile(r"\s")


def _plain_rest(rest: str) -> tuple[str | None, str | None, str, bool]:
    """Split what follows the timestamp into (level, component, message, level_first)."""
    m = _PYLOGGING.match(rest)
    if m and normalise_level(m["level"], field=False):
        return normalise_level(m["level"], field=False), m["comp"], m["msg"], False
    level: str | None = None
    comp: str | None = None
    level_first = False
    for i in range(4):
        if not rest:
            break
        if rest[0] == "[":
            close = rest.find("]")
            if close < 1:
                break
            token = rest[1:close].strip()
            lv = normalise_level(token, field=False) if level is None else None
            if lv:
                level, level_first = lv, i == 0
            elif token.isdigit():  # a process id, not a component
                pass
            elif comp is None and 0 < len(token) <= 80:
                comp = token
            else:
                break
            rest = rest[close + 1 :].lstrip(" \t:")
            continue
        parts = _WORD_END.split(rest, maxsplit=1)
        word, after = parts[0], (parts[1] if len(parts) > 1 else "")
        if word == "-":
            rest = after.lstrip()
            continue
        lv = normalise_level(word.rstrip(":"), field=False) if level is None else None
        if lv:
            level, level_first = lv, i == 0
            rest = after.lstrip()
            continue
        break
    return level, comp, rest, level_first


# The layout most plain logs use, `TIMESTAMP LEVEL [component] message`, read in one match;
# anything else (and any doubt) goes the general way below, which gives the same answer.
_COMMON = re.compile(
    r"^(?P<ts>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?Z?) (?P<lv>[A-Za-z]+) "
    r"\[(?P<comp>[^\[\]]{1,80})\] (?P<msg>(?![ \t:]|-(?: |$)).*)$",
    re.S,
)


def parse_plain(line: str) -> Entry | None:
    c = _COMMON.match(line)
    if c is not None:
        level = normalise_level(c["lv"], field=False)
        t = parse_timestamp(c["ts"]) if level else None
        if t is not None:
            return Entry(t, level, c["comp"], cut(c["msg"]))
    m = _PLAIN.match(line)
    if not m:
        return parse_other_layout(line)
    t = _zoned(parse_timestamp(m["ts"]), m["zone"])
    if t is None:
        return None
    rest = m["rest"] or ""
    level, comp, msg, _ = _plain_rest(rest)
    if level is None:  # the level further in (PostgreSQL after its pid, Sidekiq after its fields)
        level, msg = _level_further_in(rest, msg)
    comp, msg = _logger_or_module(comp, msg)
    return Entry(t, level or _status_level(line) or "INFO", comp, cut(msg))


def _zoned(t: datetime | None, zone: str | None) -> datetime | None:
    if t is None or not zone:
        return t
    if zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        offset = timedelta(hours=hours, minutes=minutes) * (1 if zone[0] == "+" else -1)
    else:
        offset = timedelta(hours=ZONES[zone])
    return (t.replace(tzinfo=None) - offset).replace(tzinfo=UTC)


# ---------------------------------------------------------------- plain, other layouts

# Other time grammars, found anywhere in a line's first characters (level-first lines, syslog,
# Ruby's Logger, Apache's access log, Redis, nginx's error log, bracketed JVM and Elasticsearch lines).
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_OTHER_TIMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"(?P<ts>{TS_TEXT}){_ZONE}"), "iso"),
    (re.compile(r"(?P<y>\d{4})/(?P<mo>\d\d)/(?P<d>\d\d)[ T](?P<hms>\d\d:\d\d:\d\d(?:[.,]\d+)?)" + _ZONE), "slash"),
    (re.compile(r"(?P<d>\d\d)/(?P<mon>[A-Z][a-z]{2})/(?P<y>\d{4}):(?P<hms>\d\d:\d\d:\d\d)(?: (?P<off>[+-]\d{4}))?"), "apache"),
    (re.compile(r"(?P<d>\d{1,2}) (?P<mon>[A-Z][a-z]{2}) (?P<y>\d{4}) (?P<hms>\d\d:\d\d:\d\d(?:\.\d+)?)" + _ZONE), "dmy"),
)  # fmt: skip
_HEAD = 64  # a timestamp further in than this is part of the message, not the line's time
_SYSLOG_PRI = re.compile(r"^<(\d{1,3})>(1 )?")
_RUBY = re.compile(r"^([DIWEFA]), \[$")
_REDIS_MARK = re.compile(r"^\s*([.\-*#])\s")
_TOKEN = re.compile(r"\s*(?:\[([^\[\]]{0,100})\]|(\S+))")
_LOUD = {"ERROR", "WARN", "FATAL"}


def _other_time(m: re.Match[str], kind: str) -> datetime | None:
    g = m.groupdict()
    try:
        if kind == "iso":
            return _zoned(parse_timestamp(g["ts"]), g.get("zone"))
        if kind == "slash":
            return _zoned(parse_timestamp(f"{g['y']}-{g['mo']}-{g['d']}T{g['hms'].replace(',', '.')}"), g.get("zone"))
        month = _MONTHS.get(g["mon"])
        if month is None:
            return None
        t = parse_timestamp(f"{g['y']}-{month:02d}-{int(g['d']):02d}T{g['hms']}")
        if kind == "apache" and g.get("off") and t is not None:
            off = g["off"]
            t -= timedelta(hours=int(off[1:3]), minutes=int(off[3:])) * (1 if off[0] == "+" else -1)
        return _zoned(t, g.get("zone")) if kind == "dmy" else t
    except ValueError:
        return None


def find_time(line: str) -> tuple[datetime, int, int] | None:
    """The line's time from any grammar above, near its start: (time, start, end of the match)."""
    head = line[: _HEAD + 40]
    best: tuple[re.Match[str], str] | None = None
    for rx, kind in _OTHER_TIMES:
        m = rx.search(head)
        if m and m.start() <= _HEAD and (best is None or m.start() < best[0].start()):
            best = (m, kind)
    if best is None:
        return None
    m, kind = best
    before = line[m.start() - 1] if m.start() else " "
    if not (before.isspace() or before in "[(<|:," or m.start() == 0):
        return None  # inside a word: not the line's time
    t = _other_time(m, kind)
    return (t, m.start(), m.end()) if t is not None else None


def parse_other_layout(line: str) -> Entry | None:
    """Lines whose time is not their first token, or not ISO: read time, level, component apart."""
    found = find_time(line)
    if found is None:
        return None
    t, a, b = found
    pre, rest = line[:a], line[b:]
    level = comp = None
    pri = _SYSLOG_PRI.match(pre)
    if pri:  # RFC 5424: <PRI>1 TIME HOST APP PROCID MSGID SD MSG
        level = ("FATAL", "FATAL", "FATAL", "ERROR", "WARN", "INFO", "INFO", "DEBUG")[int(pri[1]) % 8]
        if pri[2]:
            fields = rest.split(maxsplit=4)
            if len(fields) == 5:
                comp = fields[1] if fields[1] != "-" else None
                sd_msg = fields[4]
                rest = sd_msg[2:] if sd_msg.startswith("- ") else sd_msg
                return Entry(t, level, comp, cut(rest.strip()))
    ruby = _RUBY.match(pre)
    if ruby:
        level = normalise_level(ruby[1], field=True)
    marks = _REDIS_MARK.match(rest)
    if marks and level is None:
        level = {".": "DEBUG", "-": "DEBUG", "*": "INFO", "#": "WARN"}[marks[1]]
        rest = rest[marks.end() :]
    rest = rest.lstrip("] \t")
    if ruby:  # `#pid] LEVEL -- progname: message`: the level was the line's first letter
        rest = re.sub(r"^#\d+\]\s*(?:[A-Z]+\s+)?", "", rest)
    kept: list[str] = []
    for w in re.split(r"[\s\[\]]+", pre):
        if not w or w in ("-", ",") or _SYSLOG_PRI.match(w) or _RUBY.match(w + " ["):
            continue
        lv = normalise_level(w.rstrip(":"), field=False)
        if lv and level is None and (w.isupper() or w.endswith(":")):
            level = lv  # level first: `ERROR  2028-03-07 09:40:01 ...`
            continue
        kept.append(w)
    pos, msg_from, n, words_seen = 0, 0, 0, 0
    while n < 8 and pos < len(rest):
        m = _TOKEN.match(rest, pos)
        if not m or m.end() == pos:
            break
        bracket, word = m.group(1), m.group(2)
        token = (bracket if bracket is not None else word.rstrip(":")).strip()
        lv = normalise_level(token, field=False) if level is None else None
        first_word = bracket is None and words_seen == 0
        if lv and (bracket is not None or token.isupper() or (word and word.endswith(":")) or (first_word and lv in _LOUD)):
            level = lv
            keep_word = first_word and not token.isupper() and not word.endswith(":")
            msg_from = m.start(2) if keep_word else m.end()
            pos = m.end()
            n += 1
            if keep_word:  # "Error redeeming code": the word is the sentence's, keep it
                break
            words_seen += bracket is None
            continue
        words_seen += bracket is None
        if bracket is not None and comp is None and not token.isdigit() and 0 < len(token) <= 80:
            comp, msg_from = token, m.end()
        elif bracket is not None and token.isdigit():
            msg_from = m.end()
        elif level is not None:
            break
        pos = m.end()
        n += 1
    msg = rest[msg_from:]
    if ruby:  # `ERROR -- progname: message`
        mm = re.match(r"^\s*--\s*(\S+?):\s*(.*)$", msg, re.S)
        if mm:
            comp, msg = mm[1], mm[2]
    msg = msg.lstrip(" \t:-")
    if not msg and kept:
        msg = " ".join(kept)
    comp, msg = _logger_or_module(comp, msg)
    if level is None:
        level = _status_level(line)
        if level is not None:  # an access log line: the client and the request are the message
            msg = (" ".join(kept) + " " + rest.lstrip()).strip()
    return Entry(t, level or "INFO", comp, cut(msg))


_LOGGER_DASH = re.compile(r"^([\w$]+(?:\.[\w$]+)+)\s+-\s+(.*)$", re.S)  # logback: `c.e.tiles.TileController - msg`
_FLASK_IN = re.compile(r"^in ([\w.]+):\s*(.*)$", re.S)  # Flask: `ERROR in app: Exception on /x`


def _logger_or_module(comp: str | None, msg: str) -> tuple[str | None, str]:
    """A logger named after the level wins over a bracketed thread name as the component."""
    m = _LOGGER_DASH.match(msg) or _FLASK_IN.match(msg)
    if m:
        return m[1], m[2]
    return comp, msg


_LEVEL_TOKEN = re.compile(r"(?:^|\s)\[?([A-Za-z]+)\]?:?(?=\s|$)")


def _level_further_in(rest: str, msg: str) -> tuple[str | None, str]:
    """A level word among the first few tokens, loud (ERROR), bracketed or with a colon (`ERROR:`)."""
    for n, m in enumerate(_LEVEL_TOKEN.finditer(rest)):
        if n >= 8:
            break
        word = m[1]
        lv = normalise_level(word, field=False)
        raw = m.group(0).strip()
        if lv and (word.isupper() or raw.startswith("[") or raw.endswith(":")):
            return lv, (rest[: m.start()] + " " + rest[m.end() :]).strip()
    return None, msg


_STATUS_IN_LINE = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) [^"]*" ([1-5]\d\d)\b')


def _status_level(line: str) -> str | None:
    """An access log line has no level: its HTTP status says how it went (5xx ERROR, 4xx WARN)."""
    m = _STATUS_IN_LINE.search(line)
    return status_level(int(m[1])) if m else None


def status_level(status: int) -> str | None:
    return "ERROR" if 500 <= status <= 599 else "WARN" if 400 <= status <= 499 else None


# ---------------------------------------------------------------- JSON lines

# Key names as loggers spell them (matched without regard to case): Python/structlog, pino,
# bunyan, zap, logrus, winston, Logstash/ECS, Serilog's compact JSON (@t @l @m @mt @x), .NET's
# JSON console, Google Cloud Logging, OpenTelemetry's JSON.
JSON_TIME_KEYS = ("ts", "time", "timestamp", "@timestamp", "@t", "datetime", "date", "t", "eventtime",
                  "timeunixnano", "observedtimeunixnano", "logged_at", "created", "asctime",
                  "instant", "timemillis",  # log4j2's JsonTemplateLayout / JsonLayout
                  "lasttimestamp", "firsttimestamp")  # Kubernetes events
JSON_LEVEL_KEYS = ("level", "severity", "lvl", "loglevel", "log_level", "log.level", "levelname", "@l",
                   "severitytext", "status", "type")  # a Kubernetes event's type: Warning / Normal
JSON_MESSAGE_KEYS = ("msg", "message", "event", "text", "log", "@m", "renderedmessage", "@mt",
                     "messagetemplate", "body", "textpayload")
JSON_COMPONENT_KEYS = ("component", "logger", "service", "module", "logger_name", "name", "service.name",
                       "app", "sourcecontext", "logger.name", "category")
# With no level, an HTTP status says how a request went (access logs, CDN and proxy logs).
JSON_STATUS_KEYS = ("status", "status_code", "statuscode", "http_status", "http.status_code", "response_status",
                    "http.response.status_code", "sc-status", "edge_response_status")


def _status_field_level(obj: dict[str, Any], keys: Iterable[str]) -> str | None:
    _, v = _first(obj, keys)
    if isinstance(v, str) and v.isdigit():
        v = int(v)
    return status_level(v) if isinstance(v, int) and not isinstance(v, bool) else None


# Keys that change on every line and say nothing about what happened: process ids, hosts,
# threads, log4j2's bookkeeping, Google Cloud Logging's envelope, a Kubernetes object's metadata.
_NOISE_KEYS = {"pid", "hostname", "host", "v", "thread", "thread_name", "threadName", "process",
               "threadId", "threadPriority", "endOfBatch", "loggerFqcn",
               "insertId", "logName", "receiveTimestamp", "resource", "labels", "trace", "spanId",
               "traceSampled", "sourceLocation", "metadata",
               "headers"}  # a request's HTTP headers: the host we serve is no callee
_MAX_EXTRAS = 12
# a code location (slog's AddSource, a caller object): where the line was logged, not what happened
_CODE_LOCATION = {"function", "func", "file", "line", "method", "class", "module", "filename", "lineno"}
# an exception as an object (log4j2's thrown, ECS's error, pino's err): its type and message
_EXC_NAME = ("name", "type", "class", "kind", "exception_class")
_EXC_MESSAGE = ("message", "localizedMessage", "msg", "reason")


def _first(obj: dict[str, Any], keys: Iterable[str]) -> tuple[str | None, Any]:
    """The first of `keys` (lowercase) that the object has, in any case, with a value."""
    if any(k != k.lower() for k in obj):
        lowered = {k.lower(): k for k in obj}
        keys = [lowered[k] for k in keys if k in lowered]
    for k in keys:
        if k in obj:
            v = obj[k]
            if isinstance(v, dict) and "epochSecond" not in v:  # log4j2's instant is read whole
                v = v.get("name", v.get("level"))  # ECS: {"service": {"name": ...}}, {"log": {"level": ...}}
            if v is not None and v != "":
                return k, v
    return None, None


def _scalar_text(v: Any) -> str:
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), default=str)


def _exception_text(v: dict[str, Any]) -> str | None:
    """'java.io.IOException: No space left on device' from an exception object, if it is one."""
    name = next((v[k] for k in _EXC_NAME if isinstance(v.get(k), str) and v[k]), None)
    message = next((v[k] for k in _EXC_MESSAGE if isinstance(v.get(k), str) and v[k]), None)
    if name and message:
        return f"{name}: {message}"
    return None


def _fields(obj: dict[str, Any], used: set[str | None]) -> Iterable[tuple[str, Any]]:
    """The fields worth showing: objects opened one level (contextMap.store=...), exceptions as
    their type and message, code locations and noise left out."""
    for k, v in obj.items():
        if k in used or k in _NOISE_KEYS or v is None or v == "":
            continue
        if isinstance(v, dict):
            exc = _exception_text(v)
            if exc is not None:
                yield k, exc
            elif v and set(v) <= _CODE_LOCATION:
                continue
            else:
                for sub, sv in v.items():
                    if sv is not None and sv != "" and sub not in _NOISE_KEYS:
                        yield f"{k}.{sub}", sv
            continue
        yield k, v


def _extras(obj: dict[str, Any], used: set[str | None]) -> str:
    """Fields beyond time/level/message/component, as ` key=value`, so errors keep their detail."""
    parts = []
    for k, v in _fields(obj, used):
        if len(parts) >= _MAX_EXTRAS:
            parts.append("…")
            break
        text = _scalar_text(v)
        if " " in text or not text:
            text = json.dumps(text)
        parts.append(f"{k}={text[:300]}")
    return " ".join(parts)


def _http_request(req: dict[str, Any]) -> str:
    """Google Cloud Logging's httpRequest as an access line: 'GET /api/slots status=503 latency=0.04s'."""
    url = str(req.get("requestUrl") or "")
    path = re.sub(r"^[a-z]+://[^/]+", "", url) or url
    parts = [str(req.get("requestMethod") or ""), path]
    for key in ("status", "latency"):
        if req.get(key) not in (None, ""):
            parts.append(f"{key}={req[key]}")
    return " ".join(p for p in parts if p)


def _unwrap(obj: dict[str, Any]) -> tuple[dict[str, Any], Entry | None]:
    """The line inside an envelope: Docker's json-file `{"log": "<line>", "stream", "time"}`
    (parsed as a line of its own), Google Cloud Logging's `jsonPayload` (its fields lifted) and
    `httpRequest` (rendered as an access line)."""
    log = obj.get("log")
    if isinstance(log, str) and ("stream" in obj or set(obj) <= {"log", "time", "stream", "attrs", "tag"}):
        inner_text = log.rstrip("\n")
        inner = parse_json(inner_text) or parse_logfmt(inner_text) or parse_plain(inner_text)
        return obj, inner
    payload = obj.get("jsonPayload")
    if isinstance(payload, dict):
        obj = {**{k: v for k, v in obj.items() if k != "jsonPayload"}, **payload}
    req = obj.get("httpRequest")
    if isinstance(req, dict):
        obj = {k: v for k, v in obj.items() if k != "httpRequest"}
        obj.setdefault("message", _http_request(req))
        status = req.get("status")
        level = status_level(int(status)) if str(status).isdigit() else None
        if level and _first(obj, JSON_LEVEL_KEYS)[0] is None:
            obj["severity"] = level  # a request log with no severity: its status says how it went
    return obj, None


def parse_json(line: str) -> Entry | None:
    s = line.strip()
    if not s.startswith("{"):
        return None
    try:
        obj = json.loads(s)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    log = obj.get("log")
    if isinstance(log, dict) and "level" in log:  # ECS nests the level
        obj = {**obj, "log.level": log["level"]}
        obj.pop("log")
    obj, inner = _unwrap(obj)
    tk, tv = _first(obj, JSON_TIME_KEYS)
    t = _time_value(tv)
    if inner is not None:  # the wrapped line speaks for itself; the envelope's time is the surer one
        return Entry(t or inner.time, inner.level, inner.component, inner.message)
    if t is None:
        return None
    lk, lv = _first(obj, JSON_LEVEL_KEYS)
    level = normalise_level(lv)
    if level is None:
        lk = None  # e.g. an HTTP "status": 200 is not a level; keep it as an extra
        level = _status_field_level(obj, JSON_STATUS_KEYS)
    mk, mv = _first(obj, JSON_MESSAGE_KEYS)
    ck, cv = _first(obj, JSON_COMPONENT_KEYS)
    message = _scalar_text(mv) if mk else ""
    extras = _extras(obj, {tk, lk, mk, ck, "log.level"} - {None})
    if extras:
        message = f"{message} {extras}" if message else extras
    return Entry(t, level or "INFO", _scalar_text(cv) if ck else None, cut(message))


# ---------------------------------------------------------------- logfmt

_LOGFMT_PAIR = re.compile(r'(?:^|(?<=\s))([A-Za-z_@][\w.\-/@]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)')
LOGFMT_TIME_KEYS = ("time", "ts", "timestamp", "@timestamp", "t", "datetime", "date")
LOGFMT_LEVEL_KEYS = ("level", "lvl", "severity", "loglevel", "log.level")
LOGFMT_MESSAGE_KEYS = ("msg", "message", "event", "text")
LOGFMT_COMPONENT_KEYS = ("component", "logger", "service", "module", "caller_component", "name", "app")


def _unquote(v: str) -> str:
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        try:
            out = json.loads(v)
            if isinstance(out, str):
                return out
        except ValueError:
            pass
        return re.sub(r"\\(.)", r"\1", v[1:-1])
    return v


def logfmt_pairs(line: str) -> dict[str, str]:
    return {m[1]: _unquote(m[2]) for m in _LOGFMT_PAIR.finditer(line)}


def parse_logfmt(line: str) -> Entry | None:
    if "=" not in line:
        return None
    pairs = logfmt_pairs(line)
    if len(pairs) < 2:
        return None
    tk, tv = _first(pairs, LOGFMT_TIME_KEYS)
    t = _time_value(tv)
    if t is None:
        return None
    lk, lv = _first(pairs, LOGFMT_LEVEL_KEYS)
    level = normalise_level(lv) or _status_field_level(pairs, JSON_STATUS_KEYS)
    mk, mv = _first(pairs, LOGFMT_MESSAGE_KEYS)
    ck, cv = _first(pairs, LOGFMT_COMPONENT_KEYS)
    used = {tk, lk if normalise_level(lv) else None, mk, ck} - {None}
    extras = " ".join(
        f"{k}={json.dumps(v) if (' ' in v or not v) else v}"
        for k, v in list(pairs.items())
        if k not in used and k not in _NOISE_KEYS
    )[:1000]
    message = mv or ""
    if extras:
        message = f"{message} {extras}" if message else extras
    return Entry(t, level or "INFO", cv, cut(message))


# ---------------------------------------------------------------- dispatch and sniffing

PARSERS: dict[str, Callable[[str], Entry | None]] = {
    "plain": parse_plain,
    "json": parse_json,
    "logfmt": parse_logfmt,
}


def _never(line: str) -> Entry | None:
    return None


def parser_for(fmt: str) -> Callable[[str], Entry | None]:
    return PARSERS.get(fmt, _never)


_PLAIN_TS_BYTES = re.compile(rb"^\[?(" + TS_TEXT.encode() + rb")")
_ZONE_AFTER = re.compile(rb"\s(?:" + "|".join(sorted(ZONES, key=len, reverse=True)).encode() + rb"|[+-]\d\d:?\d\d)\b")
_LOGFMT_TIME_BYTES = re.compile(rb'(?:^|\s)(?:time|ts|timestamp|@timestamp|t|datetime|date)=("(?:[^"\\]|\\.)*"|\S+)')


def time_reader(fmt: str) -> Callable[[bytes], datetime | None]:
    """A fast `raw line -> time` for one format: bisection reads only the timestamp."""
    if fmt == "plain":

        def plain_time(raw: bytes) -> datetime | None:
            m = _PLAIN_TS_BYTES.match(raw)
            if m and not _ZONE_AFTER.match(raw, m.end()):
                return parse_timestamp(m[1].decode("ascii"))
            found = find_time(raw[:160].decode("utf-8", "replace"))
            return found[0] if found else None

        return plain_time
    if fmt == "logfmt":

        def logfmt_time(raw: bytes) -> datetime | None:
            m = _LOGFMT_TIME_BYTES.search(raw)
            return _time_value(_unquote(m[1].decode("utf-8", "replace"))) if m else None

        return logfmt_time
    parse = parser_for(fmt)

    def any_time(raw: bytes) -> datetime | None:
        e = parse(raw.decode("utf-8", "replace"))
        return e.time if e else None

    return any_time


_PLAIN_LEVEL_BYTES = re.compile(rb"^\[?" + TS_TEXT.encode() + rb"\]?\s+\[?([A-Za-z]+)")
_JSON_LEVEL_BYTES = re.compile(
    rb'"(?:level|severity|lvl|loglevel|log_level|levelname|@l|severitytext)"\s*:\s*"?([A-Za-z0-9]+)', re.I
)
_LOGFMT_LEVEL_BYTES = re.compile(rb'(?:^|\s)(?:level|lvl|severity|loglevel)="?([A-Za-z0-9]+)')
_LEVEL_PEEKS = {"plain": _PLAIN_LEVEL_BYTES, "json": _JSON_LEVEL_BYTES, "logfmt": _LOGFMT_LEVEL_BYTES}


def entry_start(fmt: str) -> Callable[[bytes], bool]:
    """A cheap `raw line -> does it begin an entry` (rather than continue a traceback)."""
    if fmt == "plain":
        return lambda raw: _PLAIN_TS_BYTES.match(raw) is not None or find_time(raw[:160].decode("utf-8", "replace")) is not None
    if fmt == "json":
        return lambda raw: raw.lstrip()[:1] == b"{"
    if fmt == "logfmt":
        return lambda raw: _LOGFMT_TIME_BYTES.search(raw) is not None
    return lambda raw: False


def level_peek(fmt: str) -> Callable[[bytes], str | None]:
    """A fast `raw line -> level` that reads only the level field.

    None means "cannot tell from a glance" (a continuation line, a level elsewhere in the
    line), never "low": callers then parse the line in full.
    """
    rx = _LEVEL_PEEKS.get(fmt)

    def peek(raw: bytes) -> str | None:
        m = rx.match(raw) if fmt == "plain" else rx.search(raw) if rx else None
        if m is None:
            return None
        word = m[1].decode("ascii", "replace")
        return normalise_level(int(word) if word.isdigit() else word, field=fmt != "plain")

    return peek


@dataclass(frozen=True, slots=True)
class Sniffed:
    format: str  # plain | json | logfmt | unknown
    # For plain files: every sampled line is `TIMESTAMP LEVEL ...` with a UTC (naive or Z)
    # timestamp of one width, so bulk counting can read minute and level at fixed places.
    simple_plain: bool = False
    ts_width: int = 0


_UTC_TS = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?[Zz]?$")


def sniff(lines: list[str]) -> Sniffed:
    """Pick the format that reads the most of the first lines; ties favour the stricter one."""
    sample = [ln for ln in lines if ln.strip()][:200]
    if not sample:
        return Sniffed("unknown")
    best, best_n = "unknown", 0
    for fmt in ("json", "logfmt", "plain"):
        n = sum(1 for ln in sample if PARSERS[fmt](ln) is not None)
        if n > best_n:
            best, best_n = fmt, n
    if best != "plain":
        return Sniffed(best)
    widths = set()
    simple = True
    for ln in sample:
        m = _PLAIN.match(ln)
        if not m:
            if parse_other_layout(ln) is not None:
                simple = False  # some lines have their time elsewhere: no fixed columns
            continue
        ts = m["ts"]
        if ln.startswith("[") or not _UTC_TS.match(ts) or not _plain_rest(m["rest"] or "")[3]:
            simple = False
        widths.add(len(ts))
    simple = simple and len(widths) == 1
    return Sniffed("plain", simple_plain=simple, ts_width=widths.pop() if simple else 0)


def minute_floor(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def bucket_floor(t: datetime, seconds: int) -> datetime:
    if seconds == 60:
        return t.replace(second=0, microsecond=0)
    epoch = int(t.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


ONE_SECOND = timedelta(seconds=1)
