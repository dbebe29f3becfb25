"""What the model may read: one tool result at a time, and the conversation as a whole.

A result over its budget is replaced by a message that says how big it was, what it held, and
which arguments narrow it: the model learns to ask better instead of reading a silently cut
JSON document it cannot tell is incomplete. The conversation budget bounds what one request
carries; once spent, the model gets one last turn without tools and must answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.engine.router import ToolSpec

# Room kept for the last request's instructions and the answer itself.
ANSWER_RESERVE_CHARS = 4_000

_WINDOW = ("since", "until", "start", "end", "from", "to", "time_range", "window", "after", "before")
_LIMIT = ("limit", "max_results", "max", "count", "size", "top", "page_size", "n")
_PATTERN = ("pattern", "query", "regex", "filter", "search", "q", "match", "grep")
_LEVEL = ("level", "min_level", "severity", "min_severity")


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def narrowing_advice(spec: ToolSpec | None, arguments: dict[str, Any]) -> str:
    """Which of the tool's own parameters make the answer smaller."""
    props = (spec.input_schema.get("properties") if spec else None) or {}
    names = {n.lower(): n for n in props}
    tips = []
    window = [names[n] for n in _WINDOW if n in names]
    if window:
        tips.append(f"a narrower time window ({', '.join(window)}), e.g. the minutes around the onset")
    limits = [names[n] for n in _LIMIT if n in names]
    if limits:
        current = arguments.get(limits[0])
        now = f" (you sent {current})" if current is not None else ""
        tips.append(f"a smaller {limits[0]}{now}")
    patterns = [names[n] for n in _PATTERN if n in names]
    if patterns:
        tips.append(f"a more specific {patterns[0]}")
    levels = [names[n] for n in _LEVEL if n in names]
    if levels:
        tips.append(f"a higher {levels[0]} (e.g. ERROR)")
    for name, prop in props.items():
        if isinstance(prop, dict) and name not in window + limits + patterns + levels:
            if arguments.get(name) in ("all", "*") or "all" in (prop.get("enum") or []):
                tips.append(f"one value of {name} instead of all")
    if not tips:
        return "Ask for less: a more specific question, or another tool that summarises."
    return "Call it again with " + "; ".join(tips) + "."


def shape(value: Any, *, inline_max: int = 300) -> str:
    """What the oversized result held, in one line: keys, list sizes, small values."""
    if not isinstance(value, dict):
        return f"{len(value)} items" if isinstance(value, list) else ""
    parts = []
    for key, v in value.items():
        if isinstance(v, list):
            parts.append(f"{key}: {len(v)} items")
        elif isinstance(v, dict):
            text = compact(v)
            parts.append(f"{key}: {text}" if len(text) <= inline_max else f"{key}: {{{len(v)} keys}}")
        elif isinstance(v, str):
            parts.append(f"{key}: {v[:80]!r}")
        else:
            parts.append(f"{key}: {v}")
    return "; ".join(parts)


def cap_result(
    text: str, *, spec: ToolSpec | None, arguments: dict[str, Any], data: Any, max_chars: int
) -> tuple[str, bool]:
    """The text to hand back, and whether it had to be replaced."""
    if len(text) <= max_chars:
        return text, False
    name = spec.name if spec else "the tool"
    held = shape(data)
    message = (
        f"Result not shown: {name} returned {len(text):,} characters, more than the "
        f"{max_chars:,} one result may use. Nothing of it was cut and passed on. "
        + (f"It held: {held}. " if held else "")
        + narrowing_advice(spec, arguments)
    )
    return message, True


def message_chars(message: dict[str, Any]) -> int:
    size = len(message.get("content") or "")
    for call in message.get("tool_calls") or []:
        size += len(call.name) + len(compact(call.arguments if call.arguments is not None else call.raw or ""))
    return size


@dataclass
class ConversationBudget:
    """Characters one request may carry: the messages plus the tool definitions offered."""

    max_chars: int
    tools_chars: int = 0
    result_max_chars: int = 0

    def used(self, messages: list[dict[str, Any]]) -> int:
        return self.tools_chars + sum(message_chars(m) for m in messages)

    def left(self, messages: list[dict[str, Any]]) -> int:
        return self.max_chars - ANSWER_RESERVE_CHARS - self.used(messages)

    def must_answer(self, messages: list[dict[str, Any]]) -> bool:
        """True when one more full-size result might not fit: the next turn offers no tools."""
        return self.left(messages) < min(self.result_max_chars, self.max_chars // 4)

    def fit(self, text: str, messages: list[dict[str, Any]], *, name: str) -> tuple[str, bool]:
        left = self.left(messages)
        if len(text) <= left:
            return text, False
        return (
            f"Result not shown: {name} returned {len(text):,} characters and the conversation has "
            f"{max(0, left):,} left of its {self.max_chars:,} budget. Answer with what you have.",
            True,
        )
