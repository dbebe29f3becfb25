"""The two wire formats a model is reached through: Ollama's `/api/chat` and OpenAI's
`/v1/chat/completions` (vLLM, llama.cpp's server, LM Studio, OpenAI itself).

The loop speaks one neutral conversation (OpenAI-shaped dicts whose assistant `tool_calls` are
`ToolCall`s); each backend turns it into its wire format and the answer back into a `ModelTurn`.
Transient trouble (timeouts, 5xx, 429, refused connections, bodies that are not what the API
defines) is retried with backoff a bounded number of times; then `ModelUnavailable` is raised
and the analyst falls back to the deterministic analysis.
"""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import json
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.analysts.llm.settings import LLMSettings

Message = dict[str, Any]


@dataclass
class ToolCall:
    """One function call the model asked for. `arguments` is None when they could not be read;
    `raw` then holds what was sent, so the model can be told exactly what was wrong."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    raw: str | None = None
    error: str | None = None


@dataclass
class TurnUsage:
    chars_sent: int = 0
    chars_received: int = 0
    tokens_sent: int | None = None
    tokens_received: int | None = None


@dataclass
class ModelTurn:
    content: str
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: TurnUsage = field(default_factory=TurnUsage)
    finish_reason: str | None = None
    thinking: str = ""  # a reasoning model's thoughts (Ollama `thinking`, `reasoning_content`), if sent


class ModelError(RuntimeError):
    """One failed request. `retryable` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ModelUnavailable(RuntimeError):
    """The model could not be used for this investigation (after retries, or not at all)."""


Sleep = Callable[[float], Awaitable[None]]
Notify = Callable[[str], Awaitable[None]]


class Backend:
    """Retries, usage counting and the HTTP client; subclasses hold one wire format each."""

    path = ""

    def __init__(
        self,
        settings: LLMSettings,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Sleep = asyncio.sleep,
        on_retry: Notify | None = None,
    ) -> None:
        self.settings = settings
        self.url = settings.base_url.rstrip("/") + self.path
        self._client = client
        self._own_client = client is None
        self._sleep = sleep
        self.on_retry = on_retry
        self._ids = itertools.count(1)

    def headers(self) -> dict[str, str]:
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.settings.api_key:
            h["Authorization"] = f"Bearer {self.settings.api_key}"
        return h

    def body(self, messages: list[Message], tools: list[dict[str, Any]], *, final: bool) -> dict[str, Any]:
        raise NotImplementedError

    def parse(self, response: httpx.Response, text: str) -> ModelTurn:
        raise NotImplementedError

    async def aclose(self) -> None:
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            timeout = httpx.Timeout(self.settings.timeout_s, connect=min(10.0, self.settings.timeout_s))
            # a proxy from the environment is right for a hosted API, never for a model on this machine
            self._client = httpx.AsyncClient(timeout=timeout, trust_env=not _is_loopback(self.url))
        return self._client

    async def chat(self, messages: list[Message], tools: list[dict[str, Any]], *, final: bool = False) -> ModelTurn:
        """One model turn, retried on transient trouble. Raises ModelUnavailable when it gives up."""
        payload = json.dumps(self.body(messages, tools, final=final), ensure_ascii=False)
        attempts = self.settings.max_retries + 1
        last: ModelError | None = None
        for attempt in range(attempts):
            try:
                turn = await self._once(payload)
                turn.usage.chars_sent = len(payload)
                return turn
            except ModelError as e:
                last = e
                if not e.retryable or attempt == attempts - 1:
                    break
                wait = self._wait(attempt, e.retry_after)
                if wait is None:
                    last = ModelError(
                        f"{e} (asked to wait {e.retry_after:g} s, more than LLM_RETRY_AFTER_MAX_S="
                        f"{self.settings.retry_after_max_s:g})",
                        retryable=False,
                    )
                    break
                if self.on_retry is not None:
                    await self.on_retry(f"model request failed ({e}); retry {attempt + 1} of "
                                        f"{attempts - 1} in {wait:.1f} s")
                await self._sleep(wait)
        tries = "" if last is not None and not last.retryable else f" after {attempts} tries"
        raise ModelUnavailable(f"{self.settings.provider} at {self.url}: {last}{tries}")

    def _wait(self, attempt: int, retry_after: float | None) -> float | None:
        if retry_after is not None:
            if retry_after > self.settings.retry_after_max_s:
                return None
            return max(0.0, retry_after)
        base = self.settings.backoff_s * (2**attempt)
        return min(30.0, base * (0.8 + 0.4 * random.random()))

    async def _once(self, payload: str) -> ModelTurn:
        try:
            # httpx's timeout is per read; a server that trickles bytes must not hold us longer
            async with asyncio.timeout(self.settings.timeout_s):
                response = await self._http().post(self.url, content=payload.encode("utf-8"), headers=self.headers())
                text = response.text
        except (httpx.TimeoutException, TimeoutError):
            raise ModelError(f"no answer within {self.settings.timeout_s:g} s", retryable=True) from None
        except httpx.TransportError as e:  # refused, reset, DNS: the server may be starting
            raise ModelError(f"cannot reach the server: {type(e).__name__}: {e}".rstrip(": "), retryable=True) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise ModelError(
                f"HTTP {status}: {_excerpt(text)}",
                retryable=True,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
        if status >= 400:  # a wrong model name, a model without tool support, a bad key: no retry
            raise ModelError(f"HTTP {status}: {_excerpt(text)}", retryable=False)
        try:
            turn = self.parse(response, text)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as e:
            raise ModelError(f"malformed response body ({e}): {_excerpt(text)}", retryable=True) from None
        turn.usage.chars_received = len(text)
        return turn

    def _next_id(self) -> str:
        return f"call_{next(self._ids)}"


class OllamaBackend(Backend):
    """Ollama's native API: arguments are objects, the tool result names its tool, NDJSON when streamed."""

    path = "/api/chat"

    def body(self, messages: list[Message], tools: list[dict[str, Any]], *, final: bool) -> dict[str, Any]:
        options: dict[str, Any] = {"num_ctx": self.settings.ollama_num_ctx}
        if self.settings.temperature is not None:
            options["temperature"] = self.settings.temperature
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [self._wire(m) for m in messages],
            "stream": False,
            "options": options,
        }
        if tools:
            body["tools"] = tools
        return body

    @staticmethod
    def _wire(m: Message) -> dict[str, Any]:
        if m["role"] == "assistant" and m.get("tool_calls"):
            return {
                "role": "assistant",
                "content": m.get("content") or "",
                "tool_calls": [
                    {"function": {"name": c.name, "arguments": c.arguments if c.arguments is not None else {}}}
                    for c in m["tool_calls"]
                ],
            }
        if m["role"] == "tool":
            return {"role": "tool", "content": m["content"], "tool_name": m.get("name", "")}
        return {"role": m["role"], "content": m.get("content") or ""}

    def parse(self, response: httpx.Response, text: str) -> ModelTurn:
        chunks = _json_lines(text)
        content: list[str] = []
        thinking: list[str] = []
        calls: list[ToolCall] = []
        last: dict[str, Any] = {}
        for chunk in chunks:
            if not isinstance(chunk, dict):
                raise ValueError("expected JSON objects")
            if chunk.get("error"):
                raise ValueError(f"error in stream: {chunk['error']}")
            msg = chunk.get("message")
            if msg is None and not chunk.get("done"):
                raise KeyError("message")
            if msg is not None:
                content.append(msg.get("content") or "")
                thinking.append(msg.get("thinking") or "")
                for raw in msg.get("tool_calls") or []:
                    calls.append(self._call(raw))
            last = chunk
        if not chunks or not last.get("done", True):
            raise ValueError("the answer ended before done")
        usage = TurnUsage(tokens_sent=_int_or_none(last.get("prompt_eval_count")),
                          tokens_received=_int_or_none(last.get("eval_count")))
        return ModelTurn("".join(content), calls, usage, last.get("done_reason"), "".join(thinking))

    def _call(self, raw: dict[str, Any]) -> ToolCall:
        fn = raw["function"]
        name = str(fn["name"])
        args = fn.get("arguments", {})
        call_id = str(raw.get("id") or self._next_id())
        if isinstance(args, dict):
            return ToolCall(call_id, name, args)
        return _decode_arguments(call_id, name, args)


class OpenAIBackend(Backend):
    """OpenAI's chat completions: each call has an id, arguments are a JSON string, results cite the id."""

    path = "/chat/completions"

    def body(self, messages: list[Message], tools: list[dict[str, Any]], *, final: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": [self._wire(m) for m in messages],
            "stream": False,
        }
        if self.settings.temperature is not None:
            body["temperature"] = self.settings.temperature
        if tools:
            body["tools"] = tools
            body["tool_choice"] = "auto"
        return body

    @staticmethod
    def _wire(m: Message) -> dict[str, Any]:
        if m["role"] == "assistant" and m.get("tool_calls"):
            return {
                "role": "assistant",
                "content": m.get("content") or None,
                "tool_calls": [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {
                            "name": c.name,
                            # broken arguments are replayed as {}: some servers re-parse the history;
                            # the tool result quotes what was sent, so the model can still correct it
                            "arguments": json.dumps(c.arguments or {}, ensure_ascii=False),
                        },
                    }
                    for c in m["tool_calls"]
                ],
            }
        if m["role"] == "tool":
            return {"role": "tool", "tool_call_id": m["tool_call_id"], "content": m["content"]}
        return {"role": m["role"], "content": m.get("content") or ""}

    def parse(self, response: httpx.Response, text: str) -> ModelTurn:
        if "text/event-stream" in response.headers.get("content-type", "") or text.lstrip().startswith("data:"):
            return self._parse_sse(text)
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("expected a JSON object")
        if doc.get("error"):
            raise ValueError(f"error: {doc['error']}")
        choice = doc["choices"][0]
        msg = choice["message"]
        calls = []
        for raw in msg.get("tool_calls") or []:
            fn = raw["function"]
            call_id = str(raw.get("id") or self._next_id())
            calls.append(_decode_arguments(call_id, str(fn["name"]), fn.get("arguments")))
        usage = doc.get("usage") or {}
        return ModelTurn(
            msg.get("content") or "",
            calls,
            TurnUsage(tokens_sent=_int_or_none(usage.get("prompt_tokens")),
                      tokens_received=_int_or_none(usage.get("completion_tokens"))),
            choice.get("finish_reason"),
            str(msg.get("reasoning_content") or msg.get("reasoning") or ""),
        )

    def _parse_sse(self, text: str) -> ModelTurn:
        """A server that streams although asked not to: assemble the deltas."""
        content: list[str] = []
        partial: dict[int, dict[str, Any]] = {}
        finish = None
        usage: dict[str, Any] = {}
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                content.append(delta.get("content") or "")
                for tc in delta.get("tool_calls") or []:
                    slot = partial.setdefault(int(tc.get("index", len(partial))), {"id": None, "name": "", "args": ""})
                    slot["id"] = tc.get("id") or slot["id"]
                    fn = tc.get("function") or {}
                    slot["name"] += fn.get("name") or ""
                    slot["args"] += fn.get("arguments") or ""
                finish = choice.get("finish_reason") or finish
        calls = [
            _decode_arguments(s["id"] or self._next_id(), s["name"], s["args"] or "{}")
            for _, s in sorted(partial.items())
        ]
        return ModelTurn(
            "".join(content),
            calls,
            TurnUsage(tokens_sent=_int_or_none(usage.get("prompt_tokens")),
                      tokens_received=_int_or_none(usage.get("completion_tokens"))),
            finish,
        )


def make_backend(settings: LLMSettings, **kwargs: Any) -> Backend:
    return (OllamaBackend if settings.provider == "ollama" else OpenAIBackend)(settings, **kwargs)


def _decode_arguments(call_id: str, name: str, args: Any) -> ToolCall:
    if isinstance(args, dict):
        return ToolCall(call_id, name, args)
    if args is None or (isinstance(args, str) and not args.strip()):
        return ToolCall(call_id, name, {})
    if not isinstance(args, str):
        return ToolCall(call_id, name, None, json.dumps(args), "arguments must be a JSON object")
    try:
        value = json.loads(args)
    except json.JSONDecodeError as e:
        return ToolCall(call_id, name, None, args, f"arguments are not valid JSON ({e.msg} at position {e.pos})")
    if isinstance(value, str):  # some servers double-encode
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            pass
    if not isinstance(value, dict):
        return ToolCall(call_id, name, None, args, "arguments must be a JSON object")
    return ToolCall(call_id, name, value)


def _json_lines(text: str) -> list[Any]:
    """One JSON object (stream: false) or NDJSON (a stream): both are a list of objects here."""
    text = text.strip()
    if not text:
        raise ValueError("empty body")
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Retry-After is seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _is_loopback(url: str) -> bool:
    host = (httpx.URL(url).host or "").strip("[]").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text[:limit] + ("…" if len(text) > limit else "") if text else "(empty body)"
