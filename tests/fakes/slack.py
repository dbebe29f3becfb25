"""A fake Slack on loopback: the Web API over HTTP and Socket Mode over WebSocket, real protocols both.

The real slack_sdk / slack_bolt client connects to it exactly as to slack.com: `SLACK_API_URL`
points the Web API here, `apps.connections.open` answers `ws://127.0.0.1:<port>/link/?ticket=...`,
the WebSocket says `hello`, and the fake pushes `slash_commands` and `events_api` envelopes and
records each ack with the time it took. Every Web API call is recorded with its body.

Like Slack, it checks what it is sent: the token kind per method, that a message exists before it
is updated, that a bot posts only where it is a member (`not_in_channel` elsewhere), and that blocks
pass Slack's limits (50 blocks, text lengths, via slack_sdk's own validation) -- `invalid_blocks`
otherwise. On demand it answers a method with 429 + Retry-After or with an error.

Only 127.0.0.1 is ever bound or contacted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

BOT_TOKEN = "xoxb-1111-2222-fakebottoken"
APP_TOKEN = "xapp-1-A0FAKEAPP-3333-fakeapptoken"

BOT_METHODS = frozenset(
    {"auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "chat.delete", "conversations.info"}
)
APP_METHODS = frozenset({"apps.connections.open"})
MAX_BLOCKS = 50

Matcher = Callable[[dict[str, Any]], bool] | None


@dataclass
class ApiCall:
    method: str
    body: dict[str, Any]
    token: str | None
    at: float  # time.monotonic() when it arrived
    status: int = 200
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.answer.get("ok"))


@dataclass
class Message:
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]] | None
    user: str
    versions: list[dict[str, Any]] = field(default_factory=list)  # every content it had, first to last

    @property
    def in_thread(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    sent_at: float
    acked_at: float | None = None
    ack_payload: dict[str, Any] | None = None
    retry_attempt: int = 0

    @property
    def ack_latency(self) -> float | None:
        return None if self.acked_at is None else self.acked_at - self.sent_at


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    when: Callable[[dict[str, Any]], bool] | None = None  # only calls whose body matches


class FakeSlack:
    def __init__(
        self,
        *,
        bot_token: str = BOT_TOKEN,
        app_token: str = APP_TOKEN,
        bot_user_id: str = "U0RCABOT1",
        bot_id: str = "B0RCABOT1",
        team_id: str = "T0FAKETEAM",
        app_id: str = "A0FAKEAPP",
    ) -> None:
        self.bot_token, self.app_token = bot_token, app_token
        self.bot_user_id, self.bot_id, self.team_id, self.app_id = bot_user_id, bot_id, team_id, app_id
        self.calls: list[ApiCall] = []
        self.messages: dict[tuple[str, str], Message] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # what was posted to response_url
        self.envelopes: dict[str, Envelope] = {}
        self.not_member: set[str] = set()  # channels the bot is not in
        self.connections = 0
        self.socket_url: str | None = None  # what apps.connections.open answers; None: this fake's socket
        self._scripted: dict[str, deque[_Scripted]] = {}
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._connected = asyncio.Event()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- life -------------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_get("/link/", self._socket)
        app.router.add_post("/commands/{hook}", self._response_url)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- knobs ------------------------------------------------------------------------------------

    def rate_limit_next(self, method: str, *, retry_after: int = 1, times: int = 1, when: Matcher = None) -> None:
        """The next `times` calls of `method` (whose body matches `when`, if given) get 429 with
        Retry-After, as Slack's rate limiter answers."""
        for _ in range(times):
            self._script(method, _Scripted(429, _error("ratelimited"), {"Retry-After": str(retry_after)}, when))

    def fail_next(self, method: str, error: str, *, times: int = 1, when: Matcher = None) -> None:
        """The next `times` calls of `method` (whose body matches `when`, if given) fail with `error`."""
        for _ in range(times):
            self._script(method, _Scripted(200, _error(error), {}, when))

    def _script(self, method: str, scripted: _Scripted) -> None:
        self._scripted.setdefault(method, deque()).append(scripted)

    # -- pushing requests over Socket Mode ----------------------------------------------------------

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self._connected.wait(), timeout)

    def new_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    def command_payload(
        self, text: str, *, user: str = "U0ALICE01", channel: str = "C0INCIDENT", command: str = "/rca"
    ) -> dict[str, Any]:
        hook = uuid.uuid4().hex
        return {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": "fake-team",
            "channel_id": channel,
            "channel_name": "incidents",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": f"http://127.0.0.1:{self.port}/commands/{hook}",
            "trigger_id": f"{next(self._ts)}.{hook[:12]}",
        }

    async def command(self, text: str, **kw: Any) -> Envelope:
        return await self.push("slash_commands", self.command_payload(text, **kw), accepts_response_payload=True)

    def mention_payload(
        self,
        text: str,
        *,
        user: str = "U0ALICE01",
        channel: str = "C0INCIDENT",
        thread_ts: str | None = None,
        bot_id: str | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        ts = self.new_ts()
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
            "event_ts": ts,
            "team": self.team_id,
            "client_msg_id": str(uuid.uuid4()),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        if bot_id:
            event["bot_id"] = bot_id
        # The mention is a message in the channel, like any other.
        self.messages[(channel, ts)] = Message(channel, ts, thread_ts, text, None, user)
        return self.event_payload(event, event_id=event_id)

    def event_payload(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "api_app_id": self.app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"enterprise_id": None, "team_id": self.team_id, "user_id": self.bot_user_id,
                 "is_bot": True, "is_enterprise_install": False}
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    async def mention(self, text: str, **kw: Any) -> Envelope:
        return await self.push("events_api", self.mention_payload(text, **kw))

    async def push(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> Envelope:
        """Send one envelope over the newest connection, as Slack does."""
        await self.wait_connected()
        ws = self._sockets[-1]
        env = Envelope(str(uuid.uuid4()), type_, payload, time.monotonic(), retry_attempt=retry_attempt)
        self.envelopes[env.envelope_id] = env
        frame: dict[str, Any] = {
            "envelope_id": env.envelope_id,
            "payload": payload,
            "type": type_,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api":
            frame["retry_attempt"] = retry_attempt
            frame["retry_reason"] = retry_reason
        await ws.send_str(json.dumps(frame))
        return env

    async def redeliver(self, env: Envelope, reason: str = "timeout") -> Envelope:
        """Slack's retry: the same payload (same event_id) in a new envelope."""
        return await self.push(
            env.type, env.payload, accepts_response_payload=env.type == "slash_commands",
            retry_attempt=env.retry_attempt + 1, retry_reason=reason,
        )

    async def wait_acked(self, env: Envelope, timeout: float = 5.0) -> Envelope:
        await self.wait_until(lambda: env.acked_at is not None, timeout)
        return env

    async def wait_until(self, predicate: Any, timeout: float = 10.0) -> None:
        """Wait until `predicate()` holds; it is re-checked whenever anything arrives."""
        async def loop() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        await asyncio.wait_for(loop(), timeout)

    # -- reading what happened ----------------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    def top_level(self, channel: str | None = None) -> list[Message]:
        """Messages the bot posted outside any thread."""
        return [
            m for m in self.messages.values()
            if m.user == self.bot_user_id and not m.in_thread and (channel is None or m.channel == channel)
        ]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The replies in a thread, oldest first."""
        return sorted(
            (m for m in self.messages.values() if m.channel == channel and m.in_thread and m.thread_ts == thread_ts),
            key=lambda m: float(m.ts),
        )

    # -- the Web API -------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            ctype = request.content_type
            if ctype == "application/json":
                body.update(json.loads(raw))
            else:
                body.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or body.pop("token", None)
        call = ApiCall(method, body, token, time.monotonic())
        self.calls.append(call)
        status, answer, headers = self._answer(method, body, token)
        call.status, call.answer = status, answer
        await self._notify()
        return web.json_response(answer, status=status, headers=headers)

    def _answer(self, method: str, body: dict[str, Any], token: str | None) -> tuple[int, dict[str, Any], dict[str, str]]:
        for s in self._scripted.get(method, ()):
            if s.when is None or s.when(body):
                self._scripted[method].remove(s)
                return s.status, s.body, s.headers
        if method in APP_METHODS:
            if token != self.app_token:
                return 200, _error("not_allowed_token_type" if token == self.bot_token else "invalid_auth"), {}
        elif method in BOT_METHODS:
            if token != self.bot_token:
                return 200, _error("not_allowed_token_type" if token == self.app_token else "invalid_auth"), {}
        else:
            return 404, _error("unknown_method"), {}
        return 200, getattr(self, "_" + method.replace(".", "_"))(body), {}

    def _auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake-team.slack.test/", "team": "Fake Team", "user": "rca-bot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": self.bot_id,
                "is_enterprise_install": False}

    def _apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url:  # a WebSocket URL of the test's choosing (one that will not open, say)
            return {"ok": True, "url": self.socket_url}
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id={self.app_id}"}

    def _chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        if channel in self.not_member:
            return _error("not_in_channel")
        problem = _content_problem(body)
        if problem:
            return _error(problem)
        ts = self.new_ts()
        thread_ts = body.get("thread_ts") or None
        msg = Message(channel, ts, thread_ts, body.get("text") or "", _blocks(body), self.bot_user_id)
        msg.versions.append({"text": msg.text, "blocks": msg.blocks})
        self.messages[(channel, ts)] = msg
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
                            "text": msg.text, "ts": ts, **({"thread_ts": thread_ts} if thread_ts else {})}}

    def _chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel") or ""), str(body.get("ts") or "")
        msg = self.messages.get((channel, ts))
        if msg is None:
            return _error("message_not_found")
        if msg.user != self.bot_user_id:
            return _error("cant_update_message")
        problem = _content_problem(body)
        if problem:
            return _error(problem)
        if "text" in body:
            msg.text = body.get("text") or ""
        if "blocks" in body:
            msg.blocks = _blocks(body)
        msg.versions.append({"text": msg.text, "blocks": msg.blocks})
        return {"ok": True, "channel": channel, "ts": ts, "text": msg.text}

    def _chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if channel in self.not_member:
            return _error("not_in_channel")
        if not body.get("user"):
            return _error("user_not_found")
        problem = _content_problem(body)
        if problem:
            return _error(problem)
        self.ephemeral.append(body)
        return {"ok": True, "message_ts": self.new_ts()}

    def _chat_delete(self, body: dict[str, Any]) -> dict[str, Any]:
        msg = self.messages.pop((str(body.get("channel")), str(body.get("ts"))), None)
        return {"ok": True} if msg else _error("message_not_found")

    def _conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        return {"ok": True, "channel": {"id": channel, "is_member": channel not in self.not_member}}

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append({"hook": request.match_info["hook"], **body})
        await self._notify()
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        self._sockets.append(ws)
        await ws.send_str(json.dumps({
            "type": "hello",
            "num_connections": len(self._sockets),
            "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }))
        self._connected.set()
        try:
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                ack = json.loads(frame.data)
                env = self.envelopes.get(ack.get("envelope_id", ""))
                if env is not None and env.acked_at is None:
                    env.acked_at = time.monotonic()
                    env.ack_payload = ack.get("payload")
                await self._notify()
        finally:
            self._sockets.remove(ws)
            if not self._sockets:
                self._connected.clear()
        return ws

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()


def _error(code: str) -> dict[str, Any]:
    return {"ok": False, "error": code}


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    blocks = body.get("blocks")
    if isinstance(blocks, str):  # form-encoded callers send JSON text
        blocks = json.loads(blocks)
    return blocks


def _content_problem(body: dict[str, Any]) -> str | None:
    """What Slack would refuse in a message body, as its error code."""
    blocks = _blocks(body)
    if not blocks and not body.get("text"):
        return "no_text"
    if blocks is None:
        return None
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    return None if all(block_is_valid(b) for b in blocks) else "invalid_blocks"


def block_is_valid(block: dict[str, Any]) -> bool:
    """slack_sdk's own validation (it checks lengths in to_dict) plus what it does not model."""
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return False
        parsed.to_dict()
    except (SlackObjectFormationError, KeyError, TypeError, ValueError):
        return False
    return True


# -- by hand: `python -m tests.fakes.slack` -----------------------------------------------------------

async def _demo(port: int, question: str) -> None:
    """Serve a fake Slack, wait for `python -m bot` to connect, ask it once by /rca and once by
    mention, print the threads as they end."""
    fake = await FakeSlack().start(port)
    print("fake Slack listening. In another shell, from the repository:\n"
          f"  SLACK_API_URL={fake.api_url} SLACK_BOT_TOKEN={fake.bot_token} "
          f"SLACK_APP_TOKEN={fake.app_token} .venv/bin/python -m bot", flush=True)
    try:
        await fake.wait_connected(timeout=600)
        for env in (await fake.command(question), await fake.mention(f"<@{fake.bot_user_id}> {question}", channel="C0OTHER")):
            await fake.wait_acked(env, 10)
            print(f"\n{env.type} acked in {env.ack_latency * 1000:.0f} ms: {(env.ack_payload or {}).get('text', '')}")

        def done() -> bool:
            return sum(1 for m in fake.messages.values() if m.blocks and m.blocks[0]["type"] == "header") >= 2

        await fake.wait_until(done, 300)
        await asyncio.sleep(1.5)  # the last progress edits
        for m in sorted(fake.messages.values(), key=lambda m: float(m.ts)):
            where = f"thread {m.thread_ts}" if m.in_thread else "channel"
            print(f"\n[{m.channel} {where} ts={m.ts}]\n{m.text}")
    finally:
        await fake.close()


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="A fake Slack on 127.0.0.1 for trying `python -m bot` by hand.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: any free one)")
    p.add_argument("question", nargs="?", default="500 errors on checkout")
    a = p.parse_args()
    asyncio.run(_demo(a.port, a.question))
