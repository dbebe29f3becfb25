"""The engine: one per process. Keeps the servers open and runs investigations on them.

An investigation always ends in a report: a server that is down is reported and the analyst goes
on with the others; an analyst that fails yields a report that says so, with what was gathered.
"""

from __future__ import annotations

import logging
import time

from bot.engine.analyst import Analyst
from bot.engine.events import EventSink, InvestigationStarted, ReportReady, emit
from bot.engine.pool import ServerPool
from bot.engine.report import Report, RootCause, Trigger
from bot.engine.router import DEFAULT_CALL_TIMEOUT_S, Router
from bot.engine.servers import ServerConfig
from bot.engine.session import ToolSession

log = logging.getLogger(__name__)


class Engine:
    def __init__(
        self,
        servers: list[ServerConfig],
        analyst: Analyst,
        *,
        call_timeout_s: float = DEFAULT_CALL_TIMEOUT_S,
    ) -> None:
        self.pool = ServerPool(servers)
        self.router = Router(self.pool, call_timeout_s=call_timeout_s)
        self.analyst = analyst

    async def start(self) -> dict[str, str]:
        """Start all servers in parallel; returns the ones that failed, with why."""
        return await self.pool.ensure_started()

    async def aclose(self) -> None:
        await self.pool.aclose()

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def investigate(
        self,
        incident: str,
        on_event: EventSink | None = None,
        *,
        analyst: Analyst | None = None,
        deadline: float | None = None,
    ) -> Report:
        """`deadline` (time.monotonic() seconds; None: no limit) is when the caller stops waiting,
        e.g. the Slack app's RCA_TIMEOUT_S. The engine does not enforce it; it hands it to the
        analyst (as `ToolSession.deadline`), so a slow analyst can wrap up with a report in time
        instead of being cancelled with none."""
        analyst = analyst or self.analyst
        t0 = time.perf_counter()
        down = await self.pool.ensure_started()  # restarts any server that died since last time
        session = ToolSession(self.router, on_event, deadline=deadline)
        await emit(on_event, InvestigationStarted(incident, analyst.name, tuple(self.pool.names)))
        for name, why in down.items():
            await session.note(f"server {name!r} is unavailable ({why}); investigating with the others", "warning")
        try:
            report = await analyst.analyze(incident, session)
        except Exception as e:  # noqa: BLE001 - the responder still gets a report
            log.exception("analyst %s failed", analyst.name)
            await session.note(f"the analysis failed: {type(e).__name__}: {e}", "warning")
            report = failed_report(incident, analyst.name, f"{type(e).__name__}: {e}")
        blind = _blind(session, self.pool.names, self.pool.down())
        if blind and not report.failed:
            # no data reached the analyst: whatever it concluded, "nothing is wrong" is not known
            await session.note(f"no data source answered ({blind}); the report says so", "warning")
            report = failed_report(incident, analyst.name, f"no data source answered: {blind}")
        report.incident = incident
        report.tool_calls = list(session.records)
        report.duration_s = round(time.perf_counter() - t0, 3)
        report.warnings = list(dict.fromkeys([*session.warnings, *report.warnings]))
        await emit(on_event, ReportReady(report))
        return report


def _blind(session: ToolSession, names: list[str], down: dict[str, str]) -> str:
    """Why the analyst saw no data at all ('' when it saw some): every server down, or every call failed."""
    if names and set(down) >= set(names):
        return "; ".join(f"{n}: {why}" for n, why in down.items())[:500]
    if session.records and not any(c.ok for c in session.records):
        return "every tool call failed"
    return ""


def failed_report(incident: str, analyst: str, reason: str) -> Report:
    return Report(
        incident=incident,
        incident_detected=True,
        summary=f"The investigation could not finish ({reason}). Nothing below is a conclusion.",
        root_cause=RootCause(
            description="Unknown: the analysis failed before reaching a conclusion.",
            trigger=Trigger("unknown", None),
            confidence=0.0,
        ),
        onset=None,
        recommendations=[
            "Check the data sources: the servers' configuration (RCA_SERVERS_CONFIG, LOGS_DIR, GIT_*, METRICS_*/"
            "PROMETHEUS_*/DD_*) and that they can start; then run the investigation again.",
            "Meanwhile look at the raw data directly; the tool calls below show what was tried.",
        ],
        analyst=analyst,
        failed=True,
    )
