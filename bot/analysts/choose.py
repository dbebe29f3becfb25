"""Pick the analyst: the model when one is configured (or asked for), else the deterministic one."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from bot.analysts.base import Analyst
from bot.analysts.heuristic import HeuristicAnalyst

MODES = ("auto", "heuristic", "llm")

log = logging.getLogger(__name__)


class AnalystUnavailable(RuntimeError):
    """`--analyst llm` with no model configured; the message says what to set."""


def choose_analyst(mode: str = "auto", env: Mapping[str, str] | None = None) -> Analyst:
    env = os.environ if env is None else env
    if mode not in MODES:
        raise ValueError(f"analyst must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "heuristic":
        return HeuristicAnalyst()
    from bot.analysts.llm import LLMSettings, build_llm_analyst  # the model analyst is optional
    from bot.analysts.llm.settings import NO_MODEL, half_configured

    settings = LLMSettings.from_env(env)
    if settings is None:
        if mode == "llm":
            raise AnalystUnavailable(NO_MODEL)
        hint = half_configured(env)
        if hint:
            log.warning("%s", hint)
        return HeuristicAnalyst()
    return build_llm_analyst(settings, fallback=HeuristicAnalyst())
