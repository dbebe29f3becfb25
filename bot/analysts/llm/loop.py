"""The tool-calling loop: ask the model, run the calls it makes, hand the results back, repeat.

One small class. Each step is one model call; the calls a model makes in one turn run together.
It stops when the model submits a report the judge accepts, or when the steps run out: the last
step offers no tools, so the model must answer (in JSON, the fallback the prompt describes).
What can go wrong with a call is answered as a tool result the model can correct, never raised:
an unknown tool, arguments that are not JSON or do not fit the schema, a repeated call, a result
too large for its budget. Everything handed to the model is masked first.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.analysts.llm.answer import extract_json, looks_like_report
from bot.analysts.llm.backends import Backend, Message, ModelTurn, ModelUnavailable, ToolCall
from bot.analysts.llm.budget import ConversationBudget, cap_result, compact
from bot.analysts.llm.facts import Facts
from bot.analysts.llm.functions import (
    SUBMIT_REPORT,
    check_arguments,
    describe_parameters,
    functions_for,
    unknown_tool_message,
)
from bot.analysts.llm.prompts import final_message, nudge_message, rejected_message
from bot.analysts.llm.settings import LLMSettings
from bot.engine.report import Report, Usage
from bot.engine.router import ToolResult, ToolSpec
from bot.engine.session import ToolSession
from bot.safety.masking import Masker

#: tool calls of one turn that run at once; a model asking for twenty at a time queues the rest,
#: so it cannot flood a server (or the Slack app's other investigations) in one turn
MAX_PARALLEL_CALLS = 4

# The judge turns submitted fields into a report, or says what the model must fix:
# judge(fields, can_retry=bool) -> Report | list[str]
Judge = Callable[..., Report | list[str]]
CallKey = tuple[str, str, str]


def call_key(spec: ToolSpec, arguments: dict[str, Any]) -> CallKey:
    return spec.server, spec.tool, json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str)


class ObservedTools:
    """The investigation's ToolSession, with every result kept: for the data check (`facts`) and
    so a call the head start already made can be handed to the model without running it again."""

    def __init__(self, session: ToolSession, facts: Facts) -> None:
        self.session = session
        self.facts = facts
        self.results: dict[CallKey, ToolResult] = {}
        self.order: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:  # has, note, tools, router, records, warnings
        return getattr(self.session, name)

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> ToolResult:
        arguments = dict(arguments or {})
        result = await self.session.call(name, arguments)
        self.facts.observe(name, result)
        try:
            spec = self.session.router.resolve(name)
        except LookupError:
            return result
        self.results[call_key(spec, arguments)] = result
        self.order.append((name, arguments))
        return result


@dataclass
class LoopResult:
    report: Report | None
    usage: Usage
    steps: int
    reason: str = ""  # why there is no report
    unavailable: bool = False  # the model could not be reached (as opposed to answering badly)
    out_of_time: bool = False  # stopped at the investigation's deadline
    crashed: bool = False  # stopped by an error nothing in the loop expected
    replaced_results: int = 0
    messages: list[Message] = field(default_factory=list)


class ToolLoop:
    def __init__(
        self,
        backend: Backend,
        tools: ObservedTools,
        settings: LLMSettings,
        judge: Judge,
        *,
        masker: Masker,
    ) -> None:
        self.backend = backend
        self.tools = tools
        self.settings = settings
        self.judge = judge
        self.masker = masker
        self.usage = Usage()
        self.seen: dict[CallKey, int] = {}  # calls the model has had a good result of, and at which step
        self.replaced = 0
        self.step = 0
        self.messages: list[Message] = []
        self._slots = asyncio.Semaphore(MAX_PARALLEL_CALLS)

    async def run(self, messages: list[Message]) -> LoopResult:
        self.messages = messages
        specs = list(self.tools.tools)
        functions = functions_for(specs, self.masker)
        known = [s.name for s in specs]
        budget = ConversationBudget(
            self.settings.conversation_max_chars, len(compact(functions)), self.settings.tool_result_max_chars
        )
        max_steps = self.settings.max_steps
        told_final = False
        step = 0
        while step < max_steps:
            step += 1
            self.step = step
            final = step == max_steps or budget.must_answer(messages)
            if final and not told_final:
                why = (
                    f"This is the last of your {max_steps} steps."
                    if step == max_steps
                    else "The conversation has reached its size budget."
                )
                messages.append({"role": "user", "content": final_message(why)})
                told_final = True
            await self.tools.note(f"asking the model (step {step} of {max_steps}{', answer only' if final else ''})")
            try:
                turn = await self.backend.chat(messages, [] if final else functions, final=final)
            except ModelUnavailable as e:
                return self._result(None, step - 1, messages, reason=str(e), unavailable=True)
            self._count(turn)
            await self._narrate(turn)
            calls = turn.tool_calls or ([] if final else _calls_in_text(turn.content, known))
            can_retry = step < max_steps
            if calls and not final:
                messages.append({"role": "assistant", "content": turn.content, "tool_calls": calls})
                report, replies = await self._run_calls(calls, step, can_retry)
                if report is not None:
                    return self._result(report, step, messages)
                for call, text in zip(calls, replies, strict=True):
                    text, replaced = budget.fit(text, messages, name=call.name)
                    if replaced:
                        self.replaced += 1
                    messages.append({"role": "tool", "tool_call_id": call.id, "name": call.name, "content": text})
                continue
            fields = extract_json(turn.content)
            if fields is None:  # a submit_report call on a step that offered none: take its arguments
                fields = next((c.arguments for c in calls if c.name == SUBMIT_REPORT and c.arguments), None)
            messages.append({"role": "assistant", "content": turn.content})
            if fields is not None and looks_like_report(fields):
                verdict = self.judge(fields, can_retry=can_retry)
                if isinstance(verdict, Report):
                    return self._result(verdict, step, messages)
                if not can_retry:
                    return self._result(None, step, messages, reason="its report was rejected: " + "; ".join(verdict))
                messages.append({"role": "user", "content": rejected_message(verdict)})
                await self.tools.note("the model's report did not hold up; asked it to correct: " + "; ".join(verdict))
                continue
            if calls:  # tool calls on the last step, when none were offered
                reason = "it kept calling tools after the last step"
            else:
                reason = "it answered in prose, not with a report"
            if not can_retry:
                return self._result(None, step, messages, reason=reason)
            messages.append({"role": "user", "content": nudge_message()})
        return self._result(None, step, messages, reason=f"no report within {max_steps} steps")

    # -- one turn's calls -------------------------------------------------------------------------

    async def _run_calls(self, calls: list[ToolCall], step: int, can_retry: bool) -> tuple[Report | None, list[str]]:
        replies: list[str | None] = [None] * len(calls)
        jobs: list[tuple[int, Coroutine[Any, Any, str]]] = []
        in_turn: dict[CallKey, str] = {}
        submitted = False
        for i, call in enumerate(calls):
            if call.name == SUBMIT_REPORT:
                if submitted:
                    replies[i] = f"Error: {SUBMIT_REPORT} was already called in this turn."
                    continue
                submitted = True
                verdict = self._submit(call, can_retry)
                if isinstance(verdict, Report):
                    return verdict, []
                await self.tools.note("the model's report did not hold up; asked it to correct: " + "; ".join(verdict))
                replies[i] = "Rejected: " + "; ".join(verdict) + f". Call {SUBMIT_REPORT} again with these corrected."
                continue
            if call.arguments is None:
                replies[i] = (
                    f"Error: the arguments of {call.name} could not be read: {call.error}. "
                    f"You sent: {_clip(call.raw or '', 300)}. Send one JSON object, e.g. {{\"limit\": 20}}."
                )
                continue
            if not self.tools.has(call.name):
                replies[i] = unknown_tool_message(call.name, [s.name for s in self.tools.tools])
                continue
            spec = self.tools.router.resolve(call.name)
            arguments, problems = check_arguments(spec.input_schema, call.arguments)
            if problems:
                replies[i] = (
                    f"Error: invalid arguments for {call.name}: {'; '.join(problems)}. "
                    f"It takes: {describe_parameters(spec.input_schema)}."
                )
                continue
            key = call_key(spec, arguments)
            if key in in_turn:
                replies[i] = f"Not run twice: the same {call.name} call is already in this turn."
                continue
            if key in self.seen:
                replies[i] = (
                    f"Not run again: you already called {call.name} with these arguments (step {self.seen[key]}); "
                    "its result is above. Ask something different, or call submit_report."
                )
                continue
            in_turn[key] = call.id
            earlier = self.tools.results.get(key)
            if earlier is not None and earlier.ok:
                self.seen[key] = step
                await self.tools.note(f"{call.name}: handed back the head start's result instead of calling again")
                replies[i] = self._hand_back(spec, arguments, earlier)
                continue
            jobs.append((i, self._call(spec, call.name, arguments, key, step)))
        if jobs:
            done = await asyncio.gather(*(job for _, job in jobs))
            for (i, _), text in zip(jobs, done, strict=True):
                replies[i] = text
        return None, [r or "" for r in replies]

    async def _call(self, spec: ToolSpec, name: str, arguments: dict[str, Any], key: CallKey, step: int) -> str:
        async with self._slots:
            result = await self.tools.call(name, arguments)
        if result.ok:  # a failed call may be tried again: the failure may have been passing
            self.seen[key] = step
        return self._hand_back(spec, arguments, result)

    def _hand_back(self, spec: ToolSpec, arguments: dict[str, Any], result: ToolResult) -> str:
        """What the model reads of a result: masked, and within its budget or replaced."""
        if not result.ok:
            return self.masker.text(f"Error from {spec.name}: {result.text or 'failed without a message'}")
        data = self.masker.data(result.data) if result.data is not None else None
        payload = compact(data) if data is not None else self.masker.text(result.text or "")
        text, replaced = cap_result(
            payload, spec=spec, arguments=arguments, data=data, max_chars=self.settings.tool_result_max_chars
        )
        if replaced:
            self.replaced += 1
        return text

    def _submit(self, call: ToolCall, can_retry: bool) -> Report | list[str]:
        if call.arguments is None:
            return [f"its arguments could not be read ({call.error}); send them as one JSON object"]
        return self.judge(call.arguments, can_retry=can_retry)

    # -- bookkeeping ------------------------------------------------------------------------------

    def _count(self, turn: ModelTurn) -> None:
        u = self.usage
        u.model_calls += 1
        u.chars_sent += turn.usage.chars_sent
        u.chars_received += turn.usage.chars_received
        if turn.usage.tokens_sent is not None:
            u.tokens_sent = (u.tokens_sent or 0) + turn.usage.tokens_sent
        if turn.usage.tokens_received is not None:
            u.tokens_received = (u.tokens_received or 0) + turn.usage.tokens_received

    async def _narrate(self, turn: ModelTurn) -> None:
        """What the model said alongside its calls is its reasoning: the responder sees it as progress."""
        thought = (turn.thinking or "").strip() or ((turn.content or "").strip() if turn.tool_calls else "")
        if thought:
            await self.tools.note("thinking: " + _clip(" ".join(thought.split()), 240))

    def stopped(self, reason: str, **flags: bool) -> LoopResult:
        """What there is when the loop is stopped from outside: out of time, or an error it did not expect."""
        return self._result(None, self.step, self.messages, reason=reason, **flags)

    def _result(self, report: Report | None, steps: int, messages: list[Message], **kw: Any) -> LoopResult:
        return LoopResult(report, self.usage, steps, replaced_results=self.replaced, messages=messages, **kw)


_text_ids = itertools.count(1)


def _calls_in_text(content: str, known: list[str]) -> list[ToolCall]:
    """A model without native tool calling writes the call as JSON in its text; take it as one."""
    call_id = f"text_call_{next(_text_ids)}"
    fields = extract_json(content or "")
    if not fields:
        return []
    name = fields.get("name") or fields.get("tool") or fields.get("function")
    args = fields.get("arguments", fields.get("parameters", {}))
    if not isinstance(name, str) or name not in known or name == SUBMIT_REPORT:
        return []
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except ValueError:
            return [ToolCall(call_id, name, None, args, "arguments are not valid JSON")]
    if not isinstance(args, dict):
        return [ToolCall(call_id, name, None, json.dumps(args), "arguments must be a JSON object")]
    return [ToolCall(call_id, name, args)]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
