"""A scripted model for the end-to-end test and the head-start bench: it investigates by rule,
reading only what the loop sends it (the tools offered, the results handed back, the head start),
the way a tool-calling model would, so the conversation it produces has a realistic shape.

From scratch it takes three turns: an overview (error rates, anomalies, error signatures,
deployments), a closer look (the top new signature in the logs, recent commits), then its report
(the last deployment before the onset). Given a head start it checks the hypothesis with two
narrow calls (deployments and error rates around the claimed onset) and reports it, or reports
straight away when the hypothesis is that nothing is wrong.

It is not a model of intelligence: it never reads truth.json, and the bench's figures measure
what the conversation costs, not how well a real model reasons.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.model_server import Call, Reply, Request


def _t(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ScriptedSRE:
    def __call__(self, request: Request) -> Reply:
        offered = set(request.tool_names)
        turns = sum(1 for m in request.messages if m.get("role") == "assistant" and m.get("tool_calls"))
        head = next((m["content"] for m in request.messages
                     if m.get("role") == "user" and m["content"].startswith("A deterministic analysis")), None)
        results = self._results(request)
        if not offered:  # the last step: answer in JSON
            return Reply(json.dumps(self._report(results, head)))
        if head is not None:
            return self._with_head_start(head, turns, offered, results)
        return self._from_scratch(turns, offered, results)

    # -- from scratch ------------------------------------------------------------------------------

    def _from_scratch(self, turns: int, offered: set[str], results: dict[str, Any]) -> Reply:
        if turns == 0:
            wanted = [Call("get_error_rates", {}), Call("get_anomalies", {}),
                      Call("summarize_errors", {"limit": 10}), Call("get_deployments", {"limit": 10})]
            return Reply("Start with the impact and what shipped.", [c for c in wanted if c.name in offered])
        if turns == 1:
            calls = [Call("get_recent_commits", {"limit": 10})]
            top = self._top_signature(results)
            if top:
                words = re.findall(r"[A-Za-z]{3,}", top)[:4]
                calls.insert(0, Call("search_logs", {"pattern": ".*".join(words), "file": "*", "limit": 5}))
            return Reply("Look closer at the top new error and the commits.", [c for c in calls if c.name in offered])
        return Reply("", [Call("submit_report", self._report(results, None))])

    # -- with a head start -------------------------------------------------------------------------

    def _with_head_start(self, head: str, turns: int, offered: set[str], results: dict[str, Any]) -> Reply:
        claim = _hypothesis(head)
        if turns == 0 and claim["detected"] and claim["onset"]:
            onset = _t(claim["onset"])
            calls = [
                Call("get_deployments", {"since": _iso(onset - timedelta(hours=3)), "until": _iso(onset), "limit": 5}),
                Call("get_error_rates", {"since": _iso(onset - timedelta(minutes=15)),
                                         "until": _iso(onset + timedelta(minutes=15))}),
            ]
            return Reply("Check the claimed trigger and onset.", [c for c in calls if c.name in offered])
        return Reply("", [Call("submit_report", self._report(results, head))])

    # -- reading results ---------------------------------------------------------------------------

    @staticmethod
    def _results(request: Request) -> dict[str, Any]:
        """The latest parsed result of each tool, by the name it was called under."""
        names: dict[str, str] = {}
        for m in request.messages:
            for i, c in enumerate(m.get("tool_calls") or []):
                names[c.get("id") or f"{len(names)}:{i}"] = c["function"]["name"]
        out: dict[str, Any] = {}
        for m in request.tool_results():
            name = m.get("tool_name") or names.get(m.get("tool_call_id", ""), "")
            try:
                out[name] = json.loads(m["content"])
            except ValueError:
                continue
        return out

    @staticmethod
    def _top_signature(results: dict[str, Any]) -> str | None:
        sigs = (results.get("summarize_errors") or {}).get("signatures") or []
        errors = [s for s in sigs if s.get("level") in ("ERROR", "FATAL")]
        return (errors or sigs or [{}])[0].get("signature")

    def _report(self, results: dict[str, Any], head: str | None) -> dict[str, Any]:
        if head is not None:
            claim = _hypothesis(head)
            trigger = {"type": claim["trigger_type"], "ref": claim["trigger_ref"]}
            if not claim["detected"]:
                trigger = {"type": "none", "ref": None}
            return {
                "incident_detected": claim["detected"],
                "summary": claim["summary"],
                "root_cause": {"description": claim["root_cause"], "service": claim["service"],
                               "trigger": trigger, "confidence": claim["confidence"]},
                "onset": claim["onset"] if claim["detected"] else None,
                "timeline": [], "evidence": [],
                "recommendations": ["Confirm with the owning team before acting."],
            }
        anomalies = (results.get("get_anomalies") or {}).get("anomalies") or []
        impact = [a for a in anomalies if a.get("metric") in ("error_rate", "response_time_ms") and a.get("direction") == "up"]
        starts = sorted(t for t in (_t(a.get("start")) for a in impact) if t)
        if not starts:
            return {"incident_detected": False, "summary": "Nothing abnormal in the error rates or latency.",
                    "root_cause": {"description": "No incident: the metrics stay at their baseline.",
                                   "trigger": {"type": "none", "ref": None}, "confidence": 0.6},
                    "onset": None, "timeline": [], "evidence": [], "recommendations": []}
        onset = starts[0]
        deploys = (results.get("get_deployments") or {}).get("deployments") or []
        before = [d for d in deploys if (t := _t(d.get("deployed_at"))) and onset - timedelta(hours=3) <= t <= onset]
        culprit = max(before, key=lambda d: d["deployed_at"], default=None)
        top = self._top_signature(results) or "errors"
        trigger = {"type": "deploy", "ref": culprit["version"]} if culprit else {"type": "unknown", "ref": None}
        return {
            "incident_detected": True,
            "summary": f"Errors since {_iso(onset)}: {top}.",
            "root_cause": {"description": f"New errors: {top}.", "service": None, "trigger": trigger,
                           "confidence": 0.6 if culprit else 0.4},
            "onset": _iso(onset),
            "timeline": [{"time": _iso(onset), "source": "metrics", "event": "impact begins"}],
            "evidence": [{"source": "logs", "tool": "summarize_errors", "finding": top}],
            "recommendations": [f"Roll back {culprit['version']}" if culprit else "Keep investigating"],
        }


def _hypothesis(head: str) -> dict[str, Any]:
    """The head start's claims, read back from its lines (`- trigger: deploy v2.4.0`, ...)."""
    lines = {}
    for line in head.splitlines():
        m = re.match(r"- ([a-z ]+): (.*)", line)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = m.group(2).strip()
    trig = (lines.get("trigger") or "unknown").split()
    svc_conf = lines.get("service") or ""
    conf = re.search(r"confidence ([\d.]+)", svc_conf)
    service = svc_conf.split(";")[0].strip() or None
    onset = lines.get("onset")
    return {
        "detected": lines.get("incident detected", "true") == "true",
        "summary": lines.get("summary") or "See the root cause.",
        "root_cause": lines.get("root cause") or lines.get("summary") or "Unknown.",
        "trigger_type": trig[0] if trig else "unknown",
        "trigger_ref": trig[1] if len(trig) > 1 else None,
        "service": None if service in (None, "unknown") else service,
        "confidence": float(conf.group(1)) if conf else 0.5,
        "onset": None if onset in (None, "none") else onset,
    }
