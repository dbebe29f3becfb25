"""Investigations as tasks the Slack app owns: kept, queued at a concurrency limit, timed out, cancellable.

A listener acks and hands a `Request` to `Runner.submit`, which returns at once. The task then
posts the parent message, the progress message in its thread, waits for a slot, runs the engine
under an overall timeout, and ends with the report in the thread and the verdict on the parent.
Whatever happens (a failure, the timeout, a shutdown) the thread gets a message saying so:
a responder is never left watching a spinner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.engine.events import Event, EventSink, ReportReady
from bot.engine.report import Report
from bot.safety.masking import Masker
from bot.slack import blocks
from bot.slack.progress import InvestigationProgress, ThrottledMessage

log = logging.getLogger(__name__)

NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
REFUSED_BLOCKS = frozenset({"invalid_blocks", "invalid_blocks_format", "msg_too_long", "msg_blocks_too_long"})
GOODBYE_TIMEOUT_S = 5.0
#: links in reports (a deploy's URL, an endpoint in a log line) must not grow previews in the thread
NO_UNFURL = {"unfurl_links": False, "unfurl_media": False}


class Investigator(Protocol):
    """What the runner needs of the engine (`bot.engine.Engine` is one)."""

    async def investigate(
        self, incident: str, on_event: EventSink | None = None, *, deadline: float | None = None
    ) -> Report:
        """`deadline` (time.monotonic()) is when the runner stops waiting: the analyst wraps up before it."""
        ...


@dataclass(frozen=True)
class Request:
    incident: str
    channel: str
    user: str | None
    source: Literal["command", "mention"]
    thread_ts: str | None = None  # a mention: answer in this thread
    response_url: str | None = None  # a command: where to tell the user privately


@dataclass(eq=False)
class Job:
    request: Request
    progress: InvestigationProgress
    slot: asyncio.Future[None] | None = None  # set while queued; resolved when a slot is handed over
    holds_slot: bool = False
    parent_ts: str | None = None
    thread_ts: str | None = None
    message: ThrottledMessage | None = None
    report: Report | None = None
    report_posted: bool = False  # from here on a shutdown must not overwrite the outcome
    outcome: str = "pending"  # done | failed | timed_out | stopped | undeliverable
    task: asyncio.Task[None] | None = None

    @property
    def queued(self) -> bool:
        return self.progress.phase == "queued"


def masked(report: Report) -> Report:
    """The report as a thread may show it: evidence quotes log lines, and a log line can carry a
    password or a token; a channel is no place for them (the same rules as for the model)."""
    return Report.from_dict(Masker().data(report.to_dict()))


class QueueFull(RuntimeError):
    """As many investigations wait as may: this one is refused, not queued."""


class Runner:
    def __init__(
        self,
        engine: Investigator,
        client: AsyncWebClient,
        *,
        max_concurrent: int,
        timeout_s: float,
        max_queued: int = 50,
        progress_interval: float = 1.0,
    ) -> None:
        self.engine = engine
        self.client = client
        self.max_concurrent = max_concurrent
        self.max_queued = max_queued
        self.timeout_s = timeout_s
        self.progress_interval = progress_interval
        self.running = 0
        self.peak_running = 0
        self.closing = False
        self._waiting: deque[Job] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self.finished: list[Job] = []  # recent endings, newest last (bounded), for the curious and the tests

    # -- intake ----------------------------------------------------------------------------------

    def submit(self, request: Request) -> Job:
        """Take an investigation; returns at once, without awaiting anything, so a listener can
        submit and still ack well inside Slack's 3 s. Its place in the queue is fixed here, in order.
        """
        if self.closing:
            raise RuntimeError("the runner is shutting down")
        starts_now = self.running < self.max_concurrent and not self._waiting
        if not starts_now and len(self._waiting) >= self.max_queued:
            raise QueueFull(f"{self.running} running, {len(self._waiting)} waiting")
        job = Job(request, InvestigationProgress(request.incident))
        if starts_now:
            self._take_slot(job)
        else:
            job.slot = asyncio.get_running_loop().create_future()
            self._waiting.append(job)
            job.progress.phase = "queued"
            job.progress.ahead = len(self._waiting) - 1
            job.progress.running = self.running
        job.task = asyncio.create_task(self._run(job), name=f"rca:{request.channel}:{request.incident[:40]}")
        self._tasks.add(job.task)
        job.task.add_done_callback(self._tasks.discard)
        return job

    @property
    def queued(self) -> int:
        return len(self._waiting)

    @property
    def active(self) -> int:
        return len(self._tasks)

    async def aclose(self, grace_s: float = 15.0) -> None:
        """Stop every investigation, each saying so in its thread, and wait for them to finish."""
        self.closing = True
        tasks = list(self._tasks)
        for t in tasks:
            t.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for t in pending:
                log.warning("investigation task %s did not stop within %.0f s", t.get_name(), grace_s)

    async def join(self) -> None:
        """Wait for every investigation taken so far (tests and benches use this)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- slots -----------------------------------------------------------------------------------

    def _take_slot(self, job: Job) -> None:
        job.holds_slot = True
        self.running += 1
        self.peak_running = max(self.peak_running, self.running)

    def _release_slot(self, job: Job) -> None:
        if not job.holds_slot:
            return
        job.holds_slot = False
        self.running -= 1
        while self._waiting and self.running < self.max_concurrent:
            nxt = self._waiting.popleft()
            if nxt.slot is not None and not nxt.slot.done():
                self._take_slot(nxt)
                nxt.slot.set_result(None)
        self._announce_queue()

    def _leave_queue(self, job: Job) -> None:
        with contextlib.suppress(ValueError):
            self._waiting.remove(job)
            self._announce_queue()

    def _announce_queue(self) -> None:
        """Tell everyone still waiting how many are ahead of them now."""
        for i, job in enumerate(self._waiting):
            if job.progress.ahead != i or job.progress.running != self.running:
                job.progress.ahead = i
                job.progress.running = self.running
                if job.message is not None:
                    job.message.push(blocks.progress_message(job.progress))

    async def _wait_for_slot(self, job: Job) -> None:
        if job.slot is None:
            return
        try:
            await job.slot
        except asyncio.CancelledError:
            self._leave_queue(job)
            raise
        finally:
            job.slot = None
        job.progress.phase = "starting"
        if job.message is not None:
            job.message.push(blocks.progress_message(job.progress))

    # -- one investigation -----------------------------------------------------------------------

    async def _run(self, job: Job) -> None:
        req = job.request
        try:
            if not await self._open_thread(job):
                job.outcome = "undeliverable"
                return
            await self._wait_for_slot(job)
            t0 = time.perf_counter()
            timer = asyncio.timeout(self.timeout_s)
            deadline = time.monotonic() + self.timeout_s
            try:
                async with timer:
                    job.report = await self.engine.investigate(
                        req.incident, lambda e: self._on_event(job, e), deadline=deadline
                    )
            except TimeoutError:
                if not timer.expired():
                    raise
                await self._end_timed_out(job, time.perf_counter() - t0)
                return
            finally:
                self._release_slot(job)
            job.report = masked(job.report)
            await self._end_with_report(job, job.report)
        except asyncio.CancelledError:
            if job.report_posted:  # stopped while tidying up after the report: finish that, say nothing else
                await self._finish_done(job)
            else:
                await self._end_stopped(job)
            raise
        except Exception as e:  # noqa: BLE001 - the thread must hear about it, whatever it was
            log.exception("investigation of %r failed", req.incident)
            if job.report_posted:  # the thread has its answer; only the tidying up failed
                await self._finish_done(job)
            else:
                await self._end_failed(job, f"{type(e).__name__}: {e}" if str(e) else type(e).__name__)
        finally:
            self._release_slot(job)
            self._leave_queue(job)
            if job.message is not None:
                await job.message.aclose()
            self.finished.append(job)
            del self.finished[:-200]

    async def _open_thread(self, job: Job) -> bool:
        """Post the parent and the progress message; False when the bot cannot post here."""
        req = job.request
        parent = blocks.parent_message(req.incident, req.user)
        try:
            resp = await self.client.chat_postMessage(channel=req.channel, thread_ts=req.thread_ts, **NO_UNFURL, **parent)
        except SlackApiError as e:
            error = e.response.get("error", "")
            log.warning("cannot post in %s: %s", req.channel, error)
            await self._tell_user(req, blocks.not_in_channel(req.channel, error) if error in NOT_A_MEMBER
                                  else f"I could not post in this channel: Slack said `{error}`.")
            return False
        job.parent_ts = resp["ts"]
        job.thread_ts = req.thread_ts or resp["ts"]
        resp = await self.client.chat_postMessage(
            channel=req.channel, thread_ts=job.thread_ts, **NO_UNFURL, **blocks.progress_message(job.progress)
        )
        job.message = ThrottledMessage(self.client, req.channel, resp["ts"], interval=self.progress_interval)
        job.message.mark_sent()
        return True

    def _on_event(self, job: Job, event: Event) -> None:
        if isinstance(event, ReportReady):
            return  # the report gets a message of its own
        job.progress.apply(event)
        if job.message is not None:
            job.message.push(blocks.progress_message(job.progress))

    async def _end_with_report(self, job: Job, report: Report) -> None:
        req = job.request
        job.progress.finish("done", duration_s=report.duration_s)
        self._show_progress(job)
        try:
            await self.client.chat_postMessage(
                channel=req.channel, thread_ts=job.thread_ts, **NO_UNFURL, **blocks.report_message(report)
            )
        except SlackApiError as e:
            if e.response.get("error") not in REFUSED_BLOCKS:
                raise
            log.error("Slack refused the report blocks (%s); posting it as text", e.response.get("error"))
            await self.client.chat_postMessage(
                channel=req.channel, thread_ts=job.thread_ts, **NO_UNFURL, **blocks.report_text_only(report)
            )
        job.report_posted = True
        job.outcome = "done"
        await self._update_parent(job, "done", report.verdict)
        if job.message is not None:
            await job.message.flush()

    async def _end_timed_out(self, job: Job, elapsed: float) -> None:
        calls = job.progress.calls.values()
        finished = sum(1 for c in calls if c.status != "running")
        # a model analyst with no tool call running was waiting on the model: say so, it is what to fix
        model = job.progress.analyst if (job.progress.analyst or "").startswith("llm:") and all(
            c.status != "running" for c in calls) else None
        job.progress.finish("timed_out", duration_s=elapsed, detail=f"stopped after {self.timeout_s:g} s")
        self._show_progress(job)
        await self._post_in_thread(job, blocks.timed_out_message(self.timeout_s, finished, slow_model=model))
        await self._update_parent(job, "timed_out", f"no answer within {self.timeout_s:g} s")
        if job.message is not None:
            await job.message.flush()
        job.outcome = "timed_out"

    async def _end_failed(self, job: Job, reason: str) -> None:
        job.outcome = "failed"
        with contextlib.suppress(Exception):
            async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                if job.thread_ts is None:
                    await self._tell_user(job.request, f"The investigation could not start: {reason}")
                    return
                job.progress.finish("failed", detail=reason)
                self._show_progress(job)
                await self._post_in_thread(job, blocks.failed_message(reason))
                await self._update_parent(job, "failed", reason)
                if job.message is not None:
                    await job.message.flush()

    async def _finish_done(self, job: Job) -> None:
        """The report is in the thread and the app is stopping: put the verdict on the parent and the
        final state on the progress message at once (no waiting for the throttle), nothing more."""
        report = job.report
        with contextlib.suppress(Exception):
            async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                if job.message is not None:
                    await job.message.aclose()
                    await self.client.chat_update(
                        channel=job.request.channel, ts=job.message.ts, **blocks.progress_message(job.progress)
                    )
                if report is not None:
                    await self._update_parent(job, "done", report.verdict)

    async def _end_stopped(self, job: Job) -> None:
        """The app is shutting down (or the task was cancelled): say so where the user looks."""
        job.outcome = "stopped"
        try:
            async with asyncio.timeout(GOODBYE_TIMEOUT_S):
                if job.thread_ts is None:
                    await self._tell_user(job.request, blocks.shutting_down())
                    return
                job.progress.finish("stopped", detail="the bot is shutting down")
                if job.message is not None:
                    await job.message.aclose()  # no waiting for the throttle now: one last edit
                    with contextlib.suppress(Exception):
                        await self.client.chat_update(
                            channel=job.request.channel, ts=job.message.ts, **blocks.progress_message(job.progress)
                        )
                await self._post_in_thread(job, blocks.stopped_message())
                await self._update_parent(job, "stopped", "the bot shut down before it finished")
        except Exception:  # noqa: BLE001 - best effort on the way out
            log.warning("could not say goodbye in %s", job.thread_ts, exc_info=True)

    # -- Slack helpers ---------------------------------------------------------------------------

    def _show_progress(self, job: Job) -> None:
        if job.message is not None:
            job.message.push(blocks.progress_message(job.progress))

    async def _post_in_thread(self, job: Job, msg: dict[str, Any]) -> None:
        await self.client.chat_postMessage(channel=job.request.channel, thread_ts=job.thread_ts, **NO_UNFURL, **msg)

    async def _update_parent(self, job: Job, status: str, detail: str) -> None:
        if job.parent_ts is None:
            return
        msg = blocks.parent_message(job.request.incident, job.request.user, status=status, detail=detail)
        try:
            await self.client.chat_update(channel=job.request.channel, ts=job.parent_ts, **msg)
        except SlackApiError as e:  # the thread already has the outcome; the parent is a courtesy
            log.warning("could not update the parent message: %s", e.response.get("error"))

    async def _tell_user(self, req: Request, text: str) -> None:
        """A private word to whoever asked: through the command's response_url, else ephemeral."""
        try:
            if req.response_url:
                await AsyncWebhookClient(req.response_url).send(text=text, response_type="ephemeral")
            elif req.user:
                await self.client.chat_postEphemeral(
                    channel=req.channel, user=req.user, text=text, thread_ts=req.thread_ts
                )
        except Exception:  # noqa: BLE001 - nowhere left to say it
            log.warning("could not tell %s: %s", req.user, text, exc_info=True)
