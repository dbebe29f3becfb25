"""Which model to ask and how much it may spend, read from the environment.

`from_env` returns None when no model is configured, so `--analyst auto` can fall back to the
deterministic analyst without the caller knowing any of these names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

PROVIDERS = ("ollama", "openai")
DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1"


class SettingsError(ValueError):
    """A model setting that cannot be used; the message says what to send instead."""


@dataclass(frozen=True)
class LLMSettings:
    provider: str  # ollama | openai
    model: str
    base_url: str  # Ollama: the host; OpenAI: the base ending in /v1 (or the provider's own path)
    api_key: str | None = None
    max_steps: int = 10  # model calls per investigation; the last one offers no tools
    tool_result_max_chars: int = 16_000  # ~4,500 tokens (JSON runs ~3.5 characters a token); larger are replaced, not cut
    conversation_max_chars: int = 80_000  # ~20,000 tokens; past it the model must answer
    timeout_s: float = 120.0  # one model request
    max_retries: int = 3  # after the first try, for timeouts, 5xx, 429, refused connections, bad bodies
    backoff_s: float = 1.0  # first wait between tries; doubles each time
    retry_after_max_s: float = 60.0  # a Retry-After longer than this is not waited for
    head_start: bool = True  # give the model the deterministic analyst's findings first
    temperature: float | None = 0.0
    num_ctx: int | None = None  # Ollama's context window; None: derived from the conversation budget

    @property
    def label(self) -> str:
        return f"llm:{self.model}"

    @property
    def request_budget_s(self) -> float:
        """The longest one model request can take: every try timing out, with the backoff between
        (Retry-After waits, up to LLM_RETRY_AFTER_MAX_S each, can add more)."""
        waits = sum(min(30.0, self.backoff_s * 2**i * 1.2) for i in range(self.max_retries))
        return (self.max_retries + 1) * self.timeout_s + waits

    @property
    def ollama_num_ctx(self) -> int:
        """Ollama's default context is a few thousand tokens and it truncates silently past it,
        so ask for one the conversation budget fits in (about 3 characters a token, plus room to answer)."""
        if self.num_ctx:
            return self.num_ctx
        need = self.conversation_max_chars // 3 + 4096
        return -(-need // 4096) * 4096

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMSettings | None:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        ollama = get("OLLAMA_MODEL") is not None
        openai = get("OPENAI_MODEL") is not None
        provider = (get("LLM_PROVIDER") or "").lower() or None
        if provider is not None and provider not in PROVIDERS:
            raise SettingsError(f"LLM_PROVIDER={provider!r}: use 'ollama' or 'openai'")
        if provider is None:
            provider = "ollama" if ollama else "openai" if openai else None
        if provider is None:
            return None  # no model configured: the deterministic analyst works alone
        if provider == "ollama" and not ollama:
            raise SettingsError("LLM_PROVIDER=ollama but OLLAMA_MODEL is not set; name the model to use")
        if provider == "openai" and not openai:
            raise SettingsError("LLM_PROVIDER=openai but OPENAI_MODEL is not set; name the model to use")
        tuning = dict(
            max_steps=_int(get, "LLM_MAX_STEPS", cls.max_steps, lo=2),
            tool_result_max_chars=_int(get, "LLM_TOOL_RESULT_MAX_CHARS", cls.tool_result_max_chars, lo=500),
            conversation_max_chars=_int(get, "LLM_CONVERSATION_MAX_CHARS", cls.conversation_max_chars, lo=4000),
            timeout_s=_float(get, "LLM_TIMEOUT_S", cls.timeout_s, lo=0.1),
            max_retries=_int(get, "LLM_MAX_RETRIES", cls.max_retries, lo=0),
            backoff_s=_float(get, "LLM_BACKOFF_S", cls.backoff_s, lo=0.0),
            retry_after_max_s=_float(get, "LLM_RETRY_AFTER_MAX_S", cls.retry_after_max_s, lo=0.0),
            head_start=_bool(get, "LLM_HEAD_START", cls.head_start),
            temperature=_float(get, "LLM_TEMPERATURE", 0.0, lo=0.0) if get("LLM_TEMPERATURE") != "default" else None,
            num_ctx=_int(get, "OLLAMA_NUM_CTX", 0, lo=0) or None,
        )
        if provider == "ollama":
            return cls(
                "ollama",
                get("OLLAMA_MODEL") or "",
                ollama_host(get("OLLAMA_HOST") or DEFAULT_OLLAMA_HOST),
                get("OLLAMA_API_KEY"),
                **tuning,
            )
        return cls(
            "openai",
            get("OPENAI_MODEL") or "",
            openai_base(get("OPENAI_BASE_URL") or DEFAULT_OPENAI_BASE_URL),
            get("OPENAI_API_KEY"),
            **tuning,
        )


NO_MODEL = (
    "no model is configured: set OLLAMA_MODEL to use Ollama (OLLAMA_HOST defaults to "
    f"{DEFAULT_OLLAMA_HOST}), or OPENAI_MODEL for an OpenAI-compatible server (with OPENAI_BASE_URL, "
    "unless it is OpenAI itself); LLM_PROVIDER=ollama|openai picks one when both are set"
)


def half_configured(env: Mapping[str, str] | None = None) -> str | None:
    """A model's address or key set without its model name: `auto` then runs the deterministic
    analyst, which is right, but the person who set them meant a model and should hear why not."""
    env = os.environ if env is None else env
    for provider, model, others in (
        ("Ollama", "OLLAMA_MODEL", ("OLLAMA_HOST", "OLLAMA_API_KEY")),
        ("an OpenAI-compatible server", "OPENAI_MODEL", ("OPENAI_BASE_URL", "OPENAI_API_KEY")),
    ):
        set_ = [n for n in others if (env.get(n) or "").strip()]
        if set_ and not (env.get(model) or "").strip():
            return (
                f"{' and '.join(set_)} {'is' if len(set_) == 1 else 'are'} set but {model} is not, so no model "
                f"is used: the deterministic analyst answers. Set {model} to use {provider}."
            )
    return None


def ollama_host(value: str) -> str:
    """Read OLLAMA_HOST as the ollama CLI does: no scheme means http on 11434; an explicit
    http:// or https:// without a port means 80 or 443; 0.0.0.0 (a bind address) means loopback."""
    value = value.strip().rstrip("/")
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest, default_port = "http", value, 11434
    else:
        scheme = scheme.lower()
        default_port = 443 if scheme == "https" else 80
    parts = urlsplit(f"{scheme}://{rest}")
    host = parts.hostname or "127.0.0.1"
    if host == "0.0.0.0":
        host = "127.0.0.1"
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}:{parts.port or default_port}{parts.path.rstrip('/')}"


def openai_base(value: str) -> str:
    """`http://host:8000` and `http://host:8000/v1` both mean the same server's /v1 API."""
    value = value.strip().rstrip("/")
    if "://" not in value:
        value = "http://" + value
    if urlsplit(value).path in ("", "/"):
        value += "/v1"
    return value


def _int(get, name: str, default: int, *, lo: int) -> int:  # noqa: ANN001
    raw = get(name)
    if raw is None:
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < lo:
        raise SettingsError(f"{name}={raw!r}: must be at least {lo}")
    return value


def _float(get, name: str, default: float, *, lo: float) -> float:  # noqa: ANN001
    raw = get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value < lo:
        raise SettingsError(f"{name}={raw!r}: must be at least {lo:g}")
    return value


def _bool(get, name: str, default: bool) -> bool:  # noqa: ANN001
    raw = get(name)
    if raw is None:
        return default
    low = raw.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: use true or false")
