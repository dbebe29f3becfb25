"""A fake model server on 127.0.0.1 speaking both wire formats the model analyst uses.

- Ollama `POST /api/chat`: `message.tool_calls[].function.arguments` is an object; the answer is
  one JSON object when the request says `"stream": false`, NDJSON otherwise; usage is
  `prompt_eval_count` / `eval_count`; errors are `{"error": "..."}`.
- OpenAI `POST /v1/chat/completions`: `choices[0].message.tool_calls[]` with `id`, `type` and
  `function.arguments` as a JSON *string*, `finish_reason` `tool_calls` or `stop`, `usage`;
  server-sent events when `"stream": true`; errors are `{"error": {"message", "type", "code"}}`.

It checks requests the way the real servers do (a conversation whose tool calls are not each
answered, a tool message naming no call, arguments of the wrong JSON type: HTTP 400), records
every request body, and answers from a script: one step per request, each a `Reply`, a `Fail`,
a `Hang`, a `Garbage` body, or a function of the request that returns one (a scripted model
that reads what it was sent).
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OLLAMA_PATH = "/api/chat"
OPENAI_PATH = "/v1/chat/completions"


@dataclass
class Call:
    """A tool call the model makes. `arguments` as a str is sent verbatim (to test broken JSON)."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass
class Reply:
    content: str = ""
    tool_calls: list[Call] = field(default_factory=list)
    thinking: str = ""
    prompt_tokens: int | None = None  # default: about a token per 4 characters of the request
    completion_tokens: int | None = None


@dataclass
class Fail:
    status: int
    message: str = "failed"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hang:
    """Answer only after `seconds` (the client should have given up by then)."""

    seconds: float
    then: Reply | None = None


@dataclass
class Garbage:
    body: str
    content_type: str = "application/json"


Step = Reply | Fail | Hang | Garbage
Script = Step | Callable[["Request"], Step]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: str
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def format(self) -> str:
        return "ollama" if self.path == OLLAMA_PATH else "openai"

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages") or []

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.body.get("tools") or []]

    @property
    def tools(self) -> dict[str, dict[str, Any]]:
        return {t["function"]["name"]: t["function"] for t in self.body.get("tools") or []}

    def tool_results(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("role") == "tool"]

    def text(self) -> str:
        """Everything the model is shown, as one string (for 'is this secret in it' checks)."""
        return self.raw

    def last(self, role: str) -> dict[str, Any] | None:
        for m in reversed(self.messages):
            if m.get("role") == role:
                return m
        return None


class FakeModel:
    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[Request] = []
        self._script: deque[Script] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                owner._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                self.send_error(404)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-model", daemon=True
        )

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeModel:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeModel:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, provider: str, **extra: str) -> dict[str, str]:
        """Environment that points the bot at this server (and nothing else)."""
        if provider == "ollama":
            env = {"OLLAMA_HOST": self.base_url, "OLLAMA_MODEL": self.model, "LLM_PROVIDER": "ollama"}
        else:
            env = {"OPENAI_BASE_URL": self.base_url + "/v1", "OPENAI_MODEL": self.model, "LLM_PROVIDER": "openai"}
        return {**env, **extra}

    # -- scripting --------------------------------------------------------------------------------

    def script(self, *steps: Script) -> FakeModel:
        with self._lock:
            self._script.extend(steps)
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    # -- serving ----------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length).decode("utf-8", errors="replace")
        if h.path not in (OLLAMA_PATH, OPENAI_PATH):
            return self._json(h, 404, {"error": f"not found: {h.path}"})
        try:
            body = json.loads(raw)
        except ValueError:
            return self._error(h, h.path, 400, "request body is not JSON")
        request = Request(h.path, {k.lower(): v for k, v in h.headers.items()}, body, raw)
        with self._lock:
            self.requests.append(request)
            step: Script | None = self._script.popleft() if self._script else None
        problem = _check_request(request)
        if problem:
            return self._error(h, h.path, 400, problem)
        if step is None:
            return self._error(h, h.path, 500, "fake model: no scripted reply left")
        if callable(step):
            step = step(request)
        try:
            self._answer(h, request, step)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _answer(self, h: BaseHTTPRequestHandler, request: Request, step: Step) -> None:
        if isinstance(step, Hang):
            time.sleep(step.seconds)
            step = step.then or Reply("too late")
        if isinstance(step, Fail):
            return self._error(h, request.path, step.status, step.message, step.headers)
        if isinstance(step, Garbage):
            return self._send(h, 200, step.body.encode(), step.content_type)
        stream = request.body.get("stream")
        if request.format == "ollama":
            if stream is False:
                return self._json(h, 200, self._ollama(request, step))
            return self._ollama_stream(h, request, step)
        if stream is True:
            return self._openai_stream(h, request, step)
        return self._json(h, 200, self._openai(request, step))

    # Ollama ---------------------------------------------------------------------------------------

    def _ollama(self, request: Request, r: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": r.content}
        if r.thinking:
            message["thinking"] = r.thinking
        if r.tool_calls:
            message["tool_calls"] = [
                {"function": {"name": c.name, "arguments": _as_object(c.arguments)}} for c in r.tool_calls
            ]
        return {
            "model": self.model,
            "created_at": _now(),
            "message": message,
            "done_reason": "stop",
            "done": True,
            **self._ollama_counts(request, r),
        }

    def _ollama_counts(self, request: Request, r: Reply) -> dict[str, int]:
        return {
            "total_duration": 1_000_000,
            "load_duration": 1_000,
            "prompt_eval_count": r.prompt_tokens if r.prompt_tokens is not None else _tokens(request.raw),
            "prompt_eval_duration": 500_000,
            "eval_count": r.completion_tokens if r.completion_tokens is not None else _tokens(_said(r)),
            "eval_duration": 400_000,
        }

    def _ollama_stream(self, h: BaseHTTPRequestHandler, request: Request, r: Reply) -> None:
        lines = []
        for piece in _pieces(r.content):
            lines.append({"model": self.model, "created_at": _now(),
                          "message": {"role": "assistant", "content": piece}, "done": False})
        if r.tool_calls:
            lines.append({"model": self.model, "created_at": _now(), "done": False, "message": {
                "role": "assistant", "content": "",
                "tool_calls": [{"function": {"name": c.name, "arguments": _as_object(c.arguments)}}
                               for c in r.tool_calls]}})
        lines.append({"model": self.model, "created_at": _now(), "message": {"role": "assistant", "content": ""},
                      "done_reason": "stop", "done": True, **self._ollama_counts(request, r)})
        self._send(h, 200, "".join(json.dumps(x) + "\n" for x in lines).encode(), "application/x-ndjson")

    # OpenAI ---------------------------------------------------------------------------------------

    def _openai_calls(self, r: Reply) -> list[dict[str, Any]]:
        return [
            {
                "id": c.id or f"call_{next(self._ids):04d}",
                "type": "function",
                "function": {
                    "name": c.name,
                    "arguments": c.arguments if isinstance(c.arguments, str) else json.dumps(c.arguments),
                },
            }
            for c in r.tool_calls
        ]

    def _openai_usage(self, request: Request, r: Reply) -> dict[str, int]:
        p = r.prompt_tokens if r.prompt_tokens is not None else _tokens(request.raw)
        c = r.completion_tokens if r.completion_tokens is not None else _tokens(_said(r))
        return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}

    def _openai(self, request: Request, r: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": r.content or None, "refusal": None}
        if r.thinking:
            message["reasoning_content"] = r.thinking
        if r.tool_calls:
            message["tool_calls"] = self._openai_calls(r)
        return {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if r.tool_calls else "stop"}],
            "usage": self._openai_usage(request, r),
        }

    def _openai_stream(self, h: BaseHTTPRequestHandler, request: Request, r: Reply) -> None:
        cid, created = f"chatcmpl-{next(self._ids)}", int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict | None = None) -> str:
            doc = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": self.model,
                   "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            if usage:
                doc["usage"] = usage
            return f"data: {json.dumps(doc)}\n\n"

        out = [chunk({"role": "assistant", "content": ""})]
        out += [chunk({"content": p}) for p in _pieces(r.content)]
        for i, c in enumerate(self._openai_calls(r)):
            out.append(chunk({"tool_calls": [{"index": i, **c}]}))
        out.append(chunk({}, "tool_calls" if r.tool_calls else "stop", self._openai_usage(request, r)))
        out.append("data: [DONE]\n\n")
        self._send(h, 200, "".join(out).encode(), "text/event-stream")

    # plumbing -------------------------------------------------------------------------------------

    def _error(self, h: BaseHTTPRequestHandler, path: str, status: int, message: str,
               headers: dict[str, str] | None = None) -> None:
        if path == OLLAMA_PATH:
            body: dict[str, Any] = {"error": message}
        else:
            kind = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_exceeded"}
            body = {"error": {"message": message, "type": kind.get(status, "server_error"), "param": None,
                              "code": None}}
        self._json(h, status, body, headers)

    def _json(self, h: BaseHTTPRequestHandler, status: int, doc: Any, headers: dict[str, str] | None = None) -> None:
        self._send(h, status, json.dumps(doc).encode(), "application/json", headers)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)


def _check_request(r: Request) -> str | None:
    """What the real servers refuse with a 400."""
    b = r.body
    if not isinstance(b.get("model"), str) or not b["model"]:
        return "model is required"
    msgs = b.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "messages must be a non-empty list"
    for t in b.get("tools") or []:
        fn = t.get("function") if isinstance(t, dict) else None
        if t.get("type") != "function" or not isinstance(fn, dict) or not fn.get("name"):
            return "each tool must be {type: function, function: {name, description, parameters}}"
        if not isinstance(fn.get("parameters", {}), dict):
            return f"tool {fn.get('name')}: parameters must be a JSON schema object"
    open_calls: list[str] = []
    for i, m in enumerate(msgs):
        role = m.get("role")
        if role not in ("system", "user", "assistant", "tool"):
            return f"messages[{i}]: invalid role {role!r}"
        if role == "tool":
            if r.format == "openai":
                if m.get("tool_call_id") not in open_calls:
                    return f"messages[{i}]: tool message answers no open tool call ({m.get('tool_call_id')!r})"
                open_calls.remove(m["tool_call_id"])
            if not isinstance(m.get("content"), str):
                return f"messages[{i}]: tool content must be a string"
            continue
        if open_calls and r.format == "openai":
            return f"messages[{i}]: tool calls {open_calls} were not answered by tool messages"
        content = m.get("content")
        if role != "assistant" and not isinstance(content, str):
            return f"messages[{i}]: content must be a string"
        for c in m.get("tool_calls") or []:
            if role != "assistant":
                return f"messages[{i}]: only assistant messages carry tool_calls"
            args = c.get("function", {}).get("arguments")
            if r.format == "ollama" and not isinstance(args, dict):
                return f"messages[{i}]: tool call arguments must be an object"
            if r.format == "openai":
                if not isinstance(args, str) or not c.get("id") or c.get("type") != "function":
                    return f"messages[{i}]: tool calls need id, type function and arguments as a JSON string"
                open_calls.append(c["id"])
    if open_calls:
        return f"tool calls {open_calls} were not answered by tool messages"
    return None


def _as_object(arguments: dict[str, Any] | str) -> Any:
    return arguments  # a str here is a deliberately broken call (Ollama itself always sends objects)


def _said(r: Reply) -> str:
    return r.content + "".join(c.name + json.dumps(c.arguments) for c in r.tool_calls)


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
