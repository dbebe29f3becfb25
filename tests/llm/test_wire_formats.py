"""Both wire formats, streamed and not, as the fake serves them by their API references, read by
the backends: a server that streams although asked not to is still understood."""

from __future__ import annotations

import json

import httpx
import pytest

from bot.analysts.llm import LLMSettings
from bot.analysts.llm.backends import OllamaBackend, OpenAIBackend, parse_retry_after
from tests.fakes.model_server import OLLAMA_PATH, OPENAI_PATH, Call, Reply

TURN = Reply("Checking deployments.", [Call("get_deployments", {"limit": 5}), Call("search_logs", {"pattern": "pool"})],
             prompt_tokens=120, completion_tokens=30)


def post(fake, path: str, stream: bool | None) -> httpx.Response:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    if stream is not None:
        body["stream"] = stream
    return httpx.post(fake.base_url + path, json=body, timeout=5)


@pytest.mark.parametrize("stream", [False, None, True])
def test_ollama_answers_are_read_streamed_or_not(fake, stream):
    fake.script(TURN)
    response = post(fake, OLLAMA_PATH, stream)
    lines = [json.loads(line) for line in response.text.strip().splitlines()]
    if stream is False:  # one object
        assert len(lines) == 1 and response.headers["content-type"] == "application/json"
    else:  # NDJSON: chunks, then a last one with done and the counts
        assert len(lines) > 2 and response.headers["content-type"] == "application/x-ndjson"
        assert [x["done"] for x in lines] == [False] * (len(lines) - 1) + [True]
    calls = [c for x in lines for c in (x.get("message") or {}).get("tool_calls") or []]
    assert isinstance(calls[0]["function"]["arguments"], dict)

    backend = OllamaBackend(LLMSettings.from_env({"OLLAMA_MODEL": "m"}))
    turn = backend.parse(response, response.text)
    assert turn.content == "Checking deployments."
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [("get_deployments", {"limit": 5}), ("search_logs", {"pattern": "pool"})]
    assert (turn.usage.tokens_sent, turn.usage.tokens_received) == (120, 30)
    assert len({c.id for c in turn.tool_calls}) == 2  # Ollama sends no ids: we number them


@pytest.mark.parametrize("stream", [False, True])
def test_openai_answers_are_read_streamed_or_not(fake, stream):
    fake.script(TURN)
    response = post(fake, OPENAI_PATH, stream)
    if not stream:
        choice = response.json()["choices"][0]
        assert choice["finish_reason"] == "tool_calls"
        assert isinstance(choice["message"]["tool_calls"][0]["function"]["arguments"], str)
    else:
        assert response.text.rstrip().endswith("data: [DONE]")

    backend = OpenAIBackend(LLMSettings.from_env({"OPENAI_MODEL": "m"}))
    turn = backend.parse(response, response.text)
    assert turn.content == "Checking deployments."
    assert [(c.name, c.arguments) for c in turn.tool_calls] == [("get_deployments", {"limit": 5}), ("search_logs", {"pattern": "pool"})]
    assert all(c.id.startswith("call_") for c in turn.tool_calls)
    assert (turn.usage.tokens_sent, turn.usage.tokens_received, turn.finish_reason) == (120, 30, "tool_calls")


def test_the_fake_refuses_a_conversation_the_real_servers_would():
    from tests.fakes.model_server import FakeModel

    with FakeModel() as fake:
        bad = {"model": "m", "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "user", "content": "and?"},
        ]}
        response = httpx.post(fake.base_url + OPENAI_PATH, json=bad, timeout=5)
        assert response.status_code == 400
        assert "not answered by tool messages" in response.json()["error"]["message"]


@pytest.mark.parametrize(("value", "seconds"), [
    ("7", 7.0), ("0", 0.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
])
def test_retry_after_is_seconds_or_an_http_date(value, seconds):
    assert parse_retry_after(value) == seconds
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0
