"""Which model, where, and how much it may spend: read from the environment, refused with a reason."""

from __future__ import annotations

import pytest

from bot.analysts.choose import AnalystUnavailable, choose_analyst
from bot.analysts.heuristic import HeuristicAnalyst
from bot.analysts.llm import LLMAnalyst, LLMSettings, SettingsError


def test_nothing_configured_means_no_model():
    assert LLMSettings.from_env({}) is None
    assert LLMSettings.from_env({"OLLAMA_HOST": "127.0.0.1:11434"}) is None  # a host is not a model
    assert isinstance(choose_analyst("auto", {}), HeuristicAnalyst)
    with pytest.raises(AnalystUnavailable, match="OLLAMA_MODEL.*OPENAI_MODEL"):
        choose_analyst("llm", {})


def test_ollama_defaults_to_this_machine():
    s = LLMSettings.from_env({"OLLAMA_MODEL": "qwen2.5:7b"})
    assert (s.provider, s.model, s.base_url, s.api_key) == ("ollama", "qwen2.5:7b", "http://127.0.0.1:11434", None)
    assert s.label == "llm:qwen2.5:7b"
    assert isinstance(choose_analyst("auto", {"OLLAMA_MODEL": "qwen2.5:7b"}), LLMAnalyst)


@pytest.mark.parametrize(("host", "url"), [
    ("0.0.0.0", "http://127.0.0.1:11434"),
    ("gpu-box:8080", "http://gpu-box:8080"),
    ("https://ollama.com", "https://ollama.com:443"),
    ("http://[::1]:11434/", "http://[::1]:11434"),
])
def test_ollama_host_is_read_as_the_ollama_cli_reads_it(host, url):
    assert LLMSettings.from_env({"OLLAMA_MODEL": "m", "OLLAMA_HOST": host}).base_url == url


@pytest.mark.parametrize(("base", "url"), [
    (None, "https://api.openai.com/v1"),
    ("http://localhost:8000", "http://localhost:8000/v1"),
    ("http://localhost:8000/v1/", "http://localhost:8000/v1"),
    ("https://openrouter.ai/api/v1", "https://openrouter.ai/api/v1"),
])
def test_openai_base_url_with_or_without_v1(base, url):
    env = {"OPENAI_MODEL": "gpt-4o-mini", "OPENAI_API_KEY": "sk-x"}
    if base:
        env["OPENAI_BASE_URL"] = base
    s = LLMSettings.from_env(env)
    assert (s.provider, s.base_url, s.api_key) == ("openai", url, "sk-x")


def test_llm_provider_picks_one_when_both_are_set():
    both = {"OLLAMA_MODEL": "llama3.1", "OPENAI_MODEL": "gpt-4o-mini"}
    assert LLMSettings.from_env(both).provider == "ollama"
    assert LLMSettings.from_env({**both, "LLM_PROVIDER": "OpenAI"}).provider == "openai"


@pytest.mark.parametrize(("env", "message"), [
    ({"LLM_PROVIDER": "openai", "OLLAMA_MODEL": "m"}, "OPENAI_MODEL is not set"),
    ({"LLM_PROVIDER": "claude", "OLLAMA_MODEL": "m"}, "use 'ollama' or 'openai'"),
    ({"OLLAMA_MODEL": "m", "LLM_MAX_STEPS": "1"}, "must be at least 2"),
    ({"OLLAMA_MODEL": "m", "LLM_TIMEOUT_S": "soon"}, "is not a number"),
    ({"OLLAMA_MODEL": "m", "LLM_HEAD_START": "maybe"}, "use true or false"),
])
def test_a_bad_setting_says_what_to_send(env, message):
    with pytest.raises(SettingsError, match=message):
        LLMSettings.from_env(env)


def test_budgets_and_retries_are_tunable():
    s = LLMSettings.from_env({
        "OLLAMA_MODEL": "m", "LLM_MAX_STEPS": "6", "LLM_TOOL_RESULT_MAX_CHARS": "8_000",
        "LLM_CONVERSATION_MAX_CHARS": "40000", "LLM_TIMEOUT_S": "30", "LLM_MAX_RETRIES": "0",
        "LLM_BACKOFF_S": "2", "LLM_RETRY_AFTER_MAX_S": "10", "LLM_HEAD_START": "off", "LLM_TEMPERATURE": "default",
        "OLLAMA_NUM_CTX": "16384",
    })
    assert (s.max_steps, s.tool_result_max_chars, s.conversation_max_chars) == (6, 8000, 40000)
    assert (s.timeout_s, s.max_retries, s.backoff_s, s.retry_after_max_s) == (30.0, 0, 2.0, 10.0)
    assert s.head_start is False and s.temperature is None and s.ollama_num_ctx == 16384


@pytest.mark.parametrize(("env", "says"), [
    ({"OPENAI_BASE_URL": "http://gpu-box:8000/v1"}, "OPENAI_BASE_URL is set but OPENAI_MODEL is not"),
    ({"OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": "http://gpu-box:8000"}, "are set but OPENAI_MODEL is not"),
    ({"OLLAMA_HOST": "gpu-box"}, "OLLAMA_HOST is set but OLLAMA_MODEL is not"),
])
def test_an_address_without_a_model_is_said_not_silently_ignored(env, says, caplog):
    with caplog.at_level("WARNING", logger="bot.analysts.choose"):
        assert isinstance(choose_analyst("auto", env), HeuristicAnalyst)
    [record] = caplog.records
    assert says in record.getMessage() and "deterministic analyst" in record.getMessage()


def test_nothing_at_all_configured_is_quiet(caplog):
    with caplog.at_level("WARNING"):
        choose_analyst("auto", {})
    assert caplog.records == []


def test_the_llm_error_does_not_ask_for_what_has_a_default():
    with pytest.raises(AnalystUnavailable) as info:
        choose_analyst("llm", {})
    text = str(info.value)
    assert "set OLLAMA_MODEL" in text and "OLLAMA_HOST defaults to http://127.0.0.1:11434" in text
    assert "set OLLAMA_HOST and" not in text
