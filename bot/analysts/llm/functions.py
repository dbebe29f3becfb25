"""The tools as the model sees them: every server's tools in the function format, plus `submit_report`.

Arguments the model sends are checked against the tool's own input schema before anything is
run: a missing or unknown argument, or a value of the wrong type, comes back as a sentence the
model can act on, where the server would answer with a pydantic dump or silently ignore a
misspelt name (and the model would believe it had narrowed its query). Values a model commonly
sends as strings (`"50"`, `"true"`) are read as what the schema asks for.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from bot.engine.router import ToolSpec
from bot.safety.masking import Masker

SUBMIT_REPORT = "submit_report"

TRIGGER_TYPES = ("deploy", "commit", "config", "none", "unknown")

# The report's fields (rca-report.schema.json) as function parameters; the answer is parsed and
# repaired leniently (`answer.py`), so this schema guides the model more than it gates it.
SUBMIT_REPORT_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {
        "incident_detected": {
            "type": "boolean",
            "description": "false when the data shows nothing abnormal (a false alarm)",
        },
        "summary": {"type": "string", "description": "two or three sentences a responder reads first"},
        "root_cause": {
            "type": "object",
            "properties": {
                "description": {
                    "type": "string",
                    "description": "the mechanism in plain words: what failed and why (resource, dependency, code path)",
                },
                "service": {"type": ["string", "null"]},
                "trigger": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": list(TRIGGER_TYPES)},
                        "ref": {
                            "type": ["string", "null"],
                            "description": "the deployment version (deploy) or commit hash (commit) exactly as a "
                            "tool returned it; null for none/unknown",
                        },
                    },
                    "required": ["type", "ref"],
                },
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            },
            "required": ["description", "trigger", "confidence"],
        },
        "onset": {
            "type": ["string", "null"],
            "description": "ISO 8601 UTC time the impact began (2026-02-17T14:30:00Z); null when no incident",
        },
        "timeline": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "time": {"type": "string"},
                    "source": {"type": "string", "description": "logs, git, metrics, ..."},
                    "event": {"type": "string"},
                },
                "required": ["time", "source", "event"],
            },
        },
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "source": {"type": "string"},
                    "tool": {"type": "string", "description": "the tool whose result shows it"},
                    "finding": {"type": "string"},
                },
                "required": ["source", "finding"],
            },
        },
        "recommendations": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["incident_detected", "summary", "root_cause", "onset", "recommendations"],
}


def submit_report_function() -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": SUBMIT_REPORT,
            "description": "Finish the investigation: submit the root-cause report. Call it once, when the "
            "data supports your conclusion (or shows there is no incident).",
            "parameters": SUBMIT_REPORT_PARAMETERS,
        },
    }


def tool_function(spec: ToolSpec, masker: Masker | None = None) -> dict[str, Any]:
    """One MCP tool in the function format both wire formats share."""
    description = spec.description or f"{spec.tool} on the {spec.server} server"
    if masker is not None:
        description = masker.text(description)
    return {
        "type": "function",
        "function": {
            "name": spec.name,
            "description": description,
            "parameters": _strip_titles(spec.input_schema or {"type": "object", "properties": {}}),
        },
    }


def functions_for(specs: list[ToolSpec], masker: Masker | None = None) -> list[dict[str, Any]]:
    return [tool_function(s, masker) for s in specs if s.name != SUBMIT_REPORT] + [submit_report_function()]


def _strip_titles(schema: Any) -> Any:
    """pydantic titles every property ("Limit" for limit): noise the model pays for on every turn."""
    if isinstance(schema, dict):
        return {
            k: _strip_titles(v)
            for k, v in schema.items()
            if not (k == "title" and isinstance(v, str))
        }
    if isinstance(schema, list):
        return [_strip_titles(v) for v in schema]
    return schema


def unknown_tool_message(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    return (
        f"Error: there is no tool named {name!r}.{hint} Available tools: {', '.join(sorted(known))}, "
        f"and {SUBMIT_REPORT} to finish."
    )


# -- argument checking ----------------------------------------------------------------------------

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def check_arguments(schema: dict[str, Any], arguments: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The arguments as the tool should get them, and what is wrong with them (empty when nothing)."""
    props: dict[str, Any] = schema.get("properties") or {}
    required = [r for r in schema.get("required") or [] if isinstance(r, str)]
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in arguments.items():
        prop = props.get(name)
        if prop is None:
            if props and schema.get("additionalProperties") is not True:
                close = difflib.get_close_matches(name, list(props), n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(f"{name!r} is not an argument of this tool{hint}")
            else:
                out[name] = value
            continue
        if value is None and "null" not in _types(prop):
            continue  # a model's way of saying "not this one": leave it to the default
        ok, fitted = _fit(prop, value)
        if ok:
            out[name] = fitted
        else:
            problems.append(f"{name}={_short(value)} should be {_describe_type(prop)}")
    for name in required:
        if name not in out and not any(p.startswith(f"{name}=") for p in problems):
            problems.append(f"{name!r} is required ({_describe_type(props.get(name) or {})})")
    return out, problems


def describe_parameters(schema: dict[str, Any]) -> str:
    """`limit (integer, default 20), since (string or null)`: what to send instead."""
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    parts = []
    for name, prop in props.items():
        prop = prop if isinstance(prop, dict) else {}
        bits = [_describe_type(prop)]
        if name in required:
            bits.append("required")
        elif "default" in prop:
            bits.append(f"default {prop['default']!r}")
        parts.append(f"{name} ({', '.join(bits)})")
    return ", ".join(parts) or "no arguments"


def _types(prop: dict[str, Any]) -> set[str]:
    t = prop.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    out: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for sub in prop.get(key) or []:
            if isinstance(sub, dict):
                out |= _types(sub)
    return out


def _enum(prop: dict[str, Any]) -> list[Any] | None:
    if isinstance(prop.get("enum"), list):
        return prop["enum"]
    for key in ("anyOf", "oneOf"):
        for sub in prop.get(key) or []:
            if isinstance(sub, dict) and isinstance(sub.get("enum"), list):
                return sub["enum"]
    return None


def _fit(prop: dict[str, Any], value: Any) -> tuple[bool, Any]:
    types = _types(prop)
    enum = _enum(prop)
    if not types:
        return (enum is None or value in enum), value
    candidates = [value]
    if isinstance(value, str):
        text = value.strip()
        if "integer" in types and _INT.fullmatch(text):
            candidates.append(int(text))
        if "number" in types and _FLOAT.fullmatch(text):
            candidates.append(float(text))
        if "boolean" in types and text.lower() in ("true", "false"):
            candidates.append(text.lower() == "true")
    if isinstance(value, float) and value.is_integer() and "integer" in types:
        candidates.append(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool) and "string" in types:
        candidates.append(str(value))
    for c in candidates:
        if _is(c, types) and (enum is None or c in enum or (c is None and "null" in types)):
            return True, c
    return False, value


def _is(value: Any, types: set[str]) -> bool:
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
    }
    return any(checks[t](value) for t in types if t in checks)


def _describe_type(prop: dict[str, Any]) -> str:
    enum = _enum(prop)
    if enum:
        return "one of " + ", ".join(repr(e) for e in enum if e is not None)
    types = sorted(_types(prop) - {"null"}) or ["any value"]
    return " or ".join(types)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
