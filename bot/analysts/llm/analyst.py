"""The model as analyst: the same tools, routed the same way, ending in the same report.

With the head start (on by default, `LLM_HEAD_START`), the deterministic analysis runs first
through the same tools and its findings open the conversation as a hypothesis, so the model
spends its steps confirming or refuting it instead of rediscovering the basics; `bench/
llm_headstart.py` measures what that saves. Whatever happens to the model (unreachable,
rate-limited past its retries, never producing a usable report) the investigation ends in a
report: the deterministic one, labelled `llm:<model>+heuristic-fallback` and said so in the
progress stream.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.analysts.llm.answer import check, finalize, to_report
from bot.analysts.llm.backends import Backend, make_backend
from bot.analysts.llm.facts import Facts
from bot.analysts.llm.loop import ObservedTools, ToolLoop
from bot.analysts.llm.prompts import describe_call, head_start_message, incident_message, system_prompt
from bot.analysts.llm.settings import LLMSettings
from bot.engine.analyst import Analyst
from bot.engine.report import Report
from bot.engine.session import ToolSession
from bot.safety.masking import Masker

log = logging.getLogger(__name__)

MAX_CORRECTIONS = 1  # times the model is asked to fix claims the data does not hold, before they are dropped


class Judge:
    """Turns submitted fields into a checked report, or says what the model must fix first."""

    def __init__(self, facts: Facts, analyst: str) -> None:
        self.facts = facts
        self.analyst = analyst
        self.corrections = 0
        self.warnings: list[str] = []

    def __call__(self, fields: dict[str, Any], *, can_retry: bool) -> Report | list[str]:
        report, problems = to_report(fields, self.analyst)
        if report is None:
            return problems
        checked = check(report, self.facts)
        if not checked.ok and can_retry and self.corrections < MAX_CORRECTIONS:
            self.corrections += 1
            return [c.problem for c in checked.claims]
        self.warnings = finalize(report, self.facts, checked)
        return report


class LLMAnalyst:
    def __init__(self, settings: LLMSettings, fallback: Analyst) -> None:
        self.settings = settings
        self.fallback = fallback
        self.name = settings.label

    def backend(self, tools: ToolSession) -> Backend:
        async def on_retry(text: str) -> None:
            await tools.note(text)

        return make_backend(self.settings, on_retry=on_retry)

    async def analyze(self, incident: str, tools: ToolSession) -> Report:
        facts = Facts()
        observed = ObservedTools(tools, facts)
        masker = Masker()
        head = await self._head_start(incident, observed) if self.settings.head_start else None
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system_prompt()},
            {"role": "user", "content": masker.text(incident_message(incident))},
        ]
        if head is not None:
            calls = [describe_call(name, args) for name, args in observed.order]
            messages.append({"role": "user", "content": masker.text(head_start_message(head, calls))})
        judge = Judge(facts, self.name)
        backend = self.backend(tools)
        try:
            result = await ToolLoop(backend, observed, self.settings, judge, masker=masker).run(messages)
        finally:
            await backend.aclose()
        if masker.total:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(masker.counts.items()))
            await tools.note(f"masked {masker.total} secret(s) before anything went to the model ({kinds})")
        if result.report is not None:
            report = result.report
            report.usage = result.usage
            for warning in judge.warnings:
                await tools.note(warning, "warning")
            return report
        why = "could not be reached" if result.unavailable else "gave no usable report"
        await tools.note(
            f"the model {why} ({result.reason}); falling back to the deterministic analysis", "warning"
        )
        report = head if head is not None else await self.fallback.analyze(incident, observed)  # type: ignore[arg-type]
        report.analyst = f"{self.name}+heuristic-fallback"
        report.usage = result.usage
        return report

    async def _head_start(self, incident: str, tools: ObservedTools) -> Report | None:
        await tools.note("head start: the deterministic analysis runs first; the model then checks it")
        try:
            return await self.fallback.analyze(incident, tools)  # type: ignore[arg-type]
        except Exception as e:  # noqa: BLE001 - the model can still start from scratch
            log.exception("head start failed")
            await tools.note(f"the head start failed ({type(e).__name__}: {e}); the model starts from scratch", "warning")
            return None


def build_llm_analyst(settings: LLMSettings, fallback: Analyst | None = None) -> LLMAnalyst:
    if fallback is None:
        from bot.analysts.heuristic import HeuristicAnalyst

        fallback = HeuristicAnalyst()
    return LLMAnalyst(settings, fallback)
