"""The model as analyst: the same tools, routed the same way, ending in the same report.

With the head start (on by default, `LLM_HEAD_START`), the deterministic analysis runs first
through the same tools and its findings open the conversation as a hypothesis, so the model
spends its steps confirming or refuting it instead of rediscovering the basics; `bench/
llm_headstart.py` measures what that saves. Whatever happens to the model (unreachable,
rate-limited past its retries, never producing a usable report) the investigation ends in a
report: the deterministic one, labelled `llm:<model>+heuristic-fallback` and said so in the
progress stream.

Time: when the investigation has a deadline (the Slack app's RCA_TIMEOUT_S, handed down by the
engine as `ToolSession.deadline`), the model gets what is left of it minus a reserve, and is
stopped there: a slow or hanging model then ends in the deterministic report, in time, instead
of being cancelled by the caller with no report at all. The CLI has no deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from bot.analysts.llm.answer import check, finalize, to_report
from bot.analysts.llm.backends import Backend, make_backend
from bot.analysts.llm.facts import Facts
from bot.analysts.llm.loop import LoopResult, ObservedTools, ToolLoop
from bot.analysts.llm.prompts import describe_call, head_start_message, incident_message, system_prompt
from bot.analysts.llm.settings import LLMSettings
from bot.engine.analyst import Analyst
from bot.engine.report import Report, Usage
from bot.engine.session import ToolSession
from bot.safety.masking import Masker

log = logging.getLogger(__name__)

MAX_CORRECTIONS = 1  # times the model is asked to fix claims the data does not hold, before they are dropped
MIN_MODEL_S = 1.0  # less time than this left for the model: do not start it


def model_deadline(deadline: float | None, started: float, *, have_head_start: bool) -> float | None:
    """When to stop asking the model, so the report is ready before `deadline`.

    The reserve covers what comes after the model: with the head start, only handing its report
    over; without, the deterministic analysis itself, which then has to run from scratch.
    """
    if deadline is None:
        return None
    budget = max(0.0, deadline - started)
    if have_head_start:
        reserve = min(10.0, max(1.0, 0.05 * budget))
    else:
        reserve = min(60.0, max(5.0, 0.2 * budget))
    return deadline - reserve


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


def fill_from_head_start(report: Report, head: Report | None) -> list[str]:
    """A model that names a cause but no evidence (or no timeline) leaves the responder with a
    claim and nothing to check it by. When it confirms the head start's trigger, the head start's
    entries are that evidence; otherwise the gap is said, not hidden. Returns warnings."""
    confirmed = (
        head is not None
        and report.incident_detected == head.incident_detected
        and (report.root_cause.trigger.type, report.root_cause.trigger.ref)
        == (head.root_cause.trigger.type, head.root_cause.trigger.ref)
    )
    warnings = []
    for section in ("evidence", "timeline"):
        if getattr(report, section) or not report.incident_detected:
            continue
        if confirmed and head is not None and getattr(head, section):
            setattr(report, section, list(getattr(head, section)))
            warnings.append(f"the model gave no {section}; the {section} shown is the deterministic analysis', "
                            "whose trigger it confirmed")
        else:
            warnings.append(f"the model's report gives no {section}: check its claims against the tool calls")
    return warnings


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
        started = time.monotonic()
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
        stop_at = model_deadline(getattr(tools, "deadline", None), started, have_head_start=head is not None)
        if stop_at is not None and stop_at - time.monotonic() < MIN_MODEL_S:
            result = LoopResult(None, Usage(), 0, reason="no time was left for it within the investigation's limit",
                                out_of_time=True)
        else:
            result = await self._converse(tools, observed, judge, masker, messages, stop_at)
        if masker.total:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(masker.counts.items()))
            await tools.note(f"masked {masker.total} secret(s) before anything went to the model ({kinds})")
        if result.report is not None:
            report = result.report
            report.usage = result.usage
            for warning in [*judge.warnings, *fill_from_head_start(report, head)]:
                await tools.note(warning, "warning")
            return report
        why = (
            "did not finish in time" if result.out_of_time
            else "could not be used" if result.crashed
            else "could not be reached" if result.unavailable
            else "gave no usable report"
        )
        await tools.note(
            f"the model {why} ({result.reason}); falling back to the deterministic analysis", "warning"
        )
        report = head if head is not None else await self.fallback.analyze(incident, observed)  # type: ignore[arg-type]
        report.analyst = f"{self.name}+heuristic-fallback"
        report.usage = result.usage
        return report

    async def _converse(
        self,
        tools: ToolSession,
        observed: ObservedTools,
        judge: Judge,
        masker: Masker,
        messages: list[dict[str, Any]],
        stop_at: float | None,
    ) -> LoopResult:
        """The tool loop, stopped at `stop_at`; whatever goes wrong in it ends in a result, never raised."""
        backend = self.backend(tools)
        loop = ToolLoop(backend, observed, self.settings, judge, masker=masker)
        timer = asyncio.timeout_at(stop_at)
        try:
            async with timer:
                return await loop.run(messages)
        except TimeoutError as e:
            if not timer.expired():
                log.exception("the model conversation failed")
                return loop.stopped(f"the conversation failed: {type(e).__name__}: {e}", crashed=True)
            left = getattr(tools, "deadline", None)
            return loop.stopped(
                f"stopped at step {loop.step} of {self.settings.max_steps}, with "
                f"{max(0.0, (left or 0) - time.monotonic()):.0f} s left of the investigation's time limit",
                out_of_time=True,
            )
        except Exception as e:  # noqa: BLE001 - a bug or a surprise in the conversation: the report still comes
            log.exception("the model conversation failed")
            return loop.stopped(f"the conversation failed: {type(e).__name__}: {str(e)[:200]}", crashed=True)
        finally:
            await backend.aclose()

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
