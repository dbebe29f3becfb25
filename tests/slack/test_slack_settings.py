"""Settings from the environment: every problem at once, each saying what to set; no token echoed."""

from __future__ import annotations

import pytest

from bot.slack.settings import DEFAULT_API_URL, Settings, SettingsError

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-2-secretbot", "SLACK_APP_TOKEN": "xapp-1-A1-2-secretapp"}


def problems(env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    text = str(info.value)
    assert "secretbot" not in text and "secretapp" not in text
    return text


def test_defaults() -> None:
    s = Settings.from_env(GOOD)
    assert (s.api_url, s.channels, s.allowed_users, s.max_concurrent, s.timeout_s) == (
        DEFAULT_API_URL, frozenset(), frozenset(), 3, 300.0
    )
    assert (s.analyst, s.servers_config, s.data_dir, s.tool_timeout_s) == ("auto", None, None, 30.0)


def test_everything_set() -> None:
    s = Settings.from_env({
        **GOOD, "SLACK_API_URL": "https://slack-gov.com/api", "RCA_CHANNELS": "C0AAA, C0BBB",
        "RCA_ALLOWED_USERS": "U0AAA;W0BBB", "RCA_MAX_CONCURRENT": "5", "RCA_TIMEOUT_S": "120",
        "RCA_ANALYST": "heuristic", "RCA_TOOL_TIMEOUT_S": "10", "RCA_SERVERS_CONFIG": "servers.json",
        "RCA_DATA_DIR": "/data",
    })
    assert s.api_url == "https://slack-gov.com/api/"
    assert s.channels == {"C0AAA", "C0BBB"} and s.allowed_users == {"U0AAA", "W0BBB"}
    assert (s.max_concurrent, s.timeout_s, s.analyst, s.tool_timeout_s) == (5, 120.0, "heuristic", 10.0)
    assert (s.servers_config, s.data_dir) == ("servers.json", "/data")


def test_missing_tokens_name_what_to_set() -> None:
    text = problems({})
    assert "SLACK_BOT_TOKEN is not set" in text and "SLACK_APP_TOKEN is not set" in text
    assert "OAuth & Permissions" in text and "connections:write" in text


def test_swapped_and_user_tokens_are_recognised() -> None:
    assert problems({"SLACK_BOT_TOKEN": "xapp-1-secretapp", "SLACK_APP_TOKEN": "xoxb-1-secretbot"}).count("look swapped") == 2
    assert "user token (xoxp-)" in problems({**GOOD, "SLACK_BOT_TOKEN": "xoxp-1-secretbot"})
    assert "SLACK_APP_TOKEN is malformed" in problems({**GOOD, "SLACK_APP_TOKEN": "xapp-"})


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("SLACK_API_URL", "slack.com/api", "is not a URL"),
        ("SLACK_API_URL", "http://slack.example.com/api/", "unencrypted"),
        ("RCA_CHANNELS", "#incidents", "channel ids"),
        ("RCA_ALLOWED_USERS", "alice", "user ids"),
        ("RCA_MAX_CONCURRENT", "0", "out of range"),
        ("RCA_MAX_CONCURRENT", "two", "not an integer"),
        ("RCA_TIMEOUT_S", "1", "out of range"),
        ("RCA_TIMEOUT_S", "nan", "out of range"),
        ("RCA_ANALYST", "gpt", "auto, heuristic, llm"),
    ],
)
def test_bad_values_say_what_to_set(name: str, value: str, says: str) -> None:
    text = problems({**GOOD, name: value})
    assert name in text and says in text


def test_plain_http_is_fine_on_this_machine() -> None:
    assert Settings.from_env({**GOOD, "SLACK_API_URL": "http://127.0.0.1:8080/api"}).api_url == "http://127.0.0.1:8080/api/"


def test_a_model_whose_retries_outlast_the_timeout_is_warned_about_at_start() -> None:
    from bot.analysts.choose import choose_analyst
    from bot.slack.service import timeout_warning

    model = {"OLLAMA_MODEL": "qwen3:8b"}
    defaults = timeout_warning(Settings.from_env(GOOD), choose_analyst("auto", model))
    assert defaults is not None  # 4 tries of 120 s + backoff > 300 s
    assert "RCA_TIMEOUT_S=300" in defaults and "LLM_TIMEOUT_S=120 x 4 tries" in defaults and "about 488 s" in defaults
    assert "deterministic report" in defaults

    short = {**model, "LLM_TIMEOUT_S": "30", "LLM_MAX_RETRIES": "2"}
    assert timeout_warning(Settings.from_env(GOOD), choose_analyst("auto", short)) is None
    assert timeout_warning(Settings.from_env(GOOD), choose_analyst("heuristic", model)) is None


def test_the_queue_limit() -> None:
    assert Settings.from_env(GOOD).max_queued == 50
    assert Settings.from_env({**GOOD, "RCA_MAX_QUEUED": "0"}).max_queued == 0  # refuse when at the limit
    assert "RCA_MAX_QUEUED=-1 is out of range" in problems({**GOOD, "RCA_MAX_QUEUED": "-1"})
