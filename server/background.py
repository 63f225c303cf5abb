"""Background jobs: periodic work in every server process (and in `cosell outbox send`).

Every instance runs every job; jobs that work on shared rows lease them
(`partners.infra.leasing`), so each item is processed once however many instances run. Each job
runs in its own task every `interval` seconds (first run at start); an error is logged and
the job simply runs again next time, it never takes the server down. `stop()` lets a run
in progress finish (up to a timeout) before the database pool closes.

The one place to declare work: `background_jobs()` (e.g. registration expiry, review-due
reminders) and `outbox_handlers()` (one handler per outbox message kind).

Every run counts in the job metrics of `partners.infra.metrics` (runs by outcome, duration,
last success, and lag: how late a periodic run started after it was due).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Awaitable, Callable

from partners.cases import service as cases
from partners.infra import mail, outbox, row_counts, tracing
from partners.infra.leasing import new_worker_id
from partners.infra.metrics import JOB_LAG_SECONDS, JOB_LAST_SUCCESS, JOB_RUNS, JOB_SECONDS
from partners.leads import deadlines as lead_deadlines, rules as lead_rules
from partners.opportunities import holdover, outbox_events as opportunity_events
from partners.opportunities.reseller import RuleSet
from partners.registrations import reminders as review_reminders
from partners.registrations.expire import close_unanswered_returns, expire_due
from partners.registrations.rules import EVENT_KIND as REGISTRATION_EVENT_KIND
from partners.webhooks import delivery as webhooks
from plugins.envelope import envelope_of
from plugins.manager import CosellPluginManager, PluginError
from server import rates
from server.settings import Settings

log = logging.getLogger("cosell.background")


@dataclass(frozen=True)
class Job:
    name: str
    # Called with `should_stop()`: a long run checks it between items and returns early at
    # shutdown, leaving the rest to the next run (or another instance).
    run: Callable[[Callable[[], bool]], Awaitable[Any]]
    interval: float  # seconds between the end of a run and the start of the next


def outbox_policy(settings: Settings) -> outbox.OutboxPolicy:
    return outbox.OutboxPolicy(
        batch=settings.outbox_batch,
        lease=timedelta(seconds=settings.outbox_lease),
        max_attempts=settings.outbox_max_attempts,
        backoff_base=timedelta(seconds=settings.outbox_backoff),
        backoff_max=timedelta(seconds=settings.outbox_backoff_max),
    )


def outbox_handlers(settings: Settings, plugins: CosellPluginManager) -> dict[str, outbox.Handler]:
    """Every outbox kind and how it is delivered. Domain kinds are added here, e.g. a
    "deal_registration_event" handler awaiting `cosell_deal_registration_event` (`plugins.acall`),
    each implementation in turn, with the message's `plugins.EventEnvelope` (issue 41)."""
    handlers = {
        mail.EMAIL: mail.email_handler(settings),
        REGISTRATION_EVENT_KIND: deal_registration_event_handler(plugins),
        lead_rules.EVENT_KIND: lead_event_handler(plugins),
        cases.EVENT_KIND: case_event_handler(plugins),
        opportunity_events.EVENT_KIND: opportunity_event_handler(plugins),
        rates.FETCH_KIND: rates.fetch_handler(plugins),
    }
    # Every webhook event source kind also fans out to the partner's endpoints (issue 20).
    handlers = webhooks.handlers(handlers, webhook_policy(settings))
    _add_plugin_handlers(handlers, plugins)
    return handlers


def _add_plugin_handlers(handlers: dict[str, outbox.Handler], plugins: CosellPluginManager) -> None:
    """The kinds plugins deliver themselves (`cosell_outbox_handlers`, issue 39); a kind
    that repeats one already handled is refused (PluginError naming the plugin)."""
    for impl in reversed(plugins.hook.cosell_outbox_handlers.get_hookimpls()):
        answer = impl.function() or {}
        for kind, handler in answer.items():
            if kind in handlers:
                raise PluginError(f"Plugin {impl.plugin_name!r} is invalid: cosell_outbox_handlers: the outbox kind "
                                  f"{kind!r} is already handled")
            handlers[kind] = handler


def webhook_policy(settings: Settings) -> webhooks.SendPolicy:
    return webhooks.SendPolicy(timeout=settings.webhook_timeout,
                               allow_private_addresses=settings.webhook_allow_private,
                               max_attempts=settings.outbox_max_attempts)


def lead_event_handler(plugins: CosellPluginManager) -> outbox.Handler:
    """After commit: `cosell_lead_event` (P11); a plugin that raises makes the message retry."""

    async def handler(message: outbox.Message) -> None:
        await plugins.acall("cosell_lead_event", event=message.payload["event"], lead=message.payload["lead"],
                            envelope=envelope_of(message))

    return handler


def opportunity_event_handler(plugins: CosellPluginManager) -> outbox.Handler:
    """After commit: `cosell_opportunity_event` (issue 39); a plugin that raises makes the message retry."""

    async def handler(message: outbox.Message) -> None:
        await plugins.acall("cosell_opportunity_event", event=message.payload["event"],
                            opportunity=message.payload["opportunity"], envelope=envelope_of(message))

    return handler


def case_event_handler(plugins: CosellPluginManager) -> outbox.Handler:
    """After commit: `cosell_case_event` (D9); a plugin that raises makes the message retry."""

    async def handler(message: outbox.Message) -> None:
        await plugins.acall("cosell_case_event", event=message.payload["event"], case=message.payload["case"],
                            envelope=envelope_of(message))

    return handler


def deal_registration_event_handler(plugins: CosellPluginManager) -> outbox.Handler:
    """After commit: tell the plugins (`cosell_deal_registration_event`); a plugin that
    raises makes the message retry (D1, P4)."""

    async def handler(message: outbox.Message) -> None:
        await plugins.acall("cosell_deal_registration_event", event=message.payload["event"],
                            registration=message.payload["registration"], envelope=envelope_of(message))

    return handler


def registration_expiry_job(settings: Settings, plugins: CosellPluginManager) -> Job:
    """P6: expire approved registrations past `expiresAt` (safe in every instance at once);
    the registrant leaves the team, the precedence plugins pick who is primary next (R8)."""
    rules = RuleSet(plugins, frozenset(settings.disabled_rules))

    async def run(should_stop: Callable[[], bool]) -> int:
        return await expire_due(rules, should_stop=should_stop)

    return Job("registration-expiry", run, max(settings.background_interval, 60.0))


def review_reminders_job(settings: Settings, worker: str) -> Job:
    """P4: one digest per reviewer per business day of the registrations past their review
    target (outbox dedupe key per reviewer and day: safe in every instance at once)."""

    async def run(should_stop: Callable[[], bool]) -> int:
        return await review_reminders.send_due(worker=worker, should_stop=should_stop)

    return Job("review-reminders", run, max(settings.background_interval, 60.0))


def returned_registrations_job(settings: Settings, worker: str) -> Job:
    """P4: close returned registrations the partner did not resubmit in time (leased rows,
    compare-and-set: each is closed once, however many instances run)."""

    async def run(should_stop: Callable[[], bool]) -> int:
        return await close_unanswered_returns(worker=worker, should_stop=should_stop)

    return Job("returned-registrations", run, max(settings.background_interval, 60.0))


def lead_deadlines_job(settings: Settings, worker: str) -> Job:
    """P11: recall leads past their deadlines and remind partners before them (leased rows,
    conditional settles, outbox dedupe keys: exactly once in every instance at once)."""

    async def run(should_stop: Callable[[], bool]) -> lead_deadlines.DeadlineReport:
        return await lead_deadlines.run(worker=worker, should_stop=should_stop)

    return Job("lead-deadlines", run, max(settings.background_interval, 60.0))


def outbox_job(settings: Settings, plugins: CosellPluginManager, worker: str) -> Job:
    handlers = outbox_handlers(settings, plugins)
    policy = outbox_policy(settings)

    async def send(should_stop: Callable[[], bool]) -> outbox.DeliveryReport:
        return await outbox.deliver_due(handlers, worker=worker, policy=policy, should_stop=should_stop)

    return Job("outbox", send, settings.background_interval)


def exchange_rates_job(settings: Settings, plugins: CosellPluginManager) -> Job:
    """Issue 40: once a day, when a plugin implements `cosell_exchange_rate`, fetch the
    day's rates. The job only enqueues the day's fetch (one outbox message a day, dedupe
    key): the outbox delivery runs it in one instance, with retries."""
    return Job("exchange-rates", rates.daily_fetch(plugins), max(settings.background_interval, RATES_INTERVAL))


# Checked hourly: the day's fetch is enqueued within an hour of midnight (UTC).
RATES_INTERVAL = 3600.0
# A10 hand-overs are due by the day: checking every few minutes is plenty.
HOLDOVER_INTERVAL = 300.0


async def _hand_over_holdovers(should_stop: Callable[[], bool]) -> int:
    return await holdover.hand_over_expired_holdovers(should_stop=should_stop)


def background_jobs(settings: Settings, plugins: CosellPluginManager, worker: str | None = None) -> list[Job]:
    worker = worker or new_worker_id()
    return [
        outbox_job(settings, plugins, worker),
        Job("a10_holdover", _hand_over_holdovers, max(settings.background_interval, HOLDOVER_INTERVAL)),
        registration_expiry_job(settings, plugins),
        review_reminders_job(settings, worker),
        returned_registrations_job(settings, worker),
        lead_deadlines_job(settings, worker),
        exchange_rates_job(settings, plugins),
        # Issue 38: the maintained row counts' delta rows summed (PostgreSQL; bounded batches).
        Job("row-counts", row_counts.fold, settings.background_interval),
        *plugin_jobs(settings, plugins),
    ]


def plugin_jobs(settings: Settings, plugins: CosellPluginManager) -> list[Job]:
    """The plugins' periodic work (`cosell_background_jobs`, issue 39), `<plugin>:<name>`."""
    jobs = []
    for impl in reversed(plugins.hook.cosell_background_jobs.get_hookimpls()):
        for job in impl.function() or ():
            jobs.append(Job(f"{impl.plugin_name}:{job.name}", job.run, max(settings.background_interval, job.interval)))
    return jobs


class BackgroundRunner:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self._stopping.clear()
        self._tasks = [asyncio.create_task(self._loop(job), name=f"cosell-job-{job.name}") for job in self.jobs]
        if self.jobs:
            log.info("background jobs started", extra={"jobs": [job.name for job in self.jobs]})

    async def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if not self._tasks:
            return
        done, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            log.warning("background job did not stop in time; cancelled", extra={"task": task.get_name()})
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        log.info("background jobs stopped")

    async def run_once(self) -> dict[str, Any]:
        """Run every job once, now (tests, `--once`); errors propagate."""
        return {job.name: await run_measured(job, lambda: False) for job in self.jobs}

    async def _loop(self, job: Job) -> None:
        due = time.monotonic()  # the first run is due at start
        while not self._stopping.is_set():
            try:
                result = await run_measured(job, self._stopping.is_set, due=due)
                if result:
                    log.info("background job ran", extra={"job": job.name, "result": repr(result)})
            except Exception:  # noqa: BLE001 - a failing job is logged and retried next time
                log.exception("background job failed", extra={"job": job.name})
            due = time.monotonic() + job.interval
            try:
                await asyncio.wait_for(self._stopping.wait(), job.interval)
            except asyncio.TimeoutError:
                pass


async def run_measured(job: Job, should_stop: Callable[[], bool], *, due: float | None = None) -> Any:
    """`job.run(should_stop)`, counted in the job metrics and, when tracing is on, in a root
    span of its own (issue 42): the statements it runs are its children; outbox deliveries
    continue their request's trace and link to it. `due` (time.monotonic()) is when a
    periodic run was due, for its lag (an explicit run is due when asked: lag 0). Errors
    propagate after they are counted."""
    started = time.monotonic()
    JOB_LAG_SECONDS.labels(job.name).set(max(started - due, 0.0) if due is not None else 0.0)
    outcome = "error"
    try:
        with tracing.span(f"job {job.name}", {"cosell.job": job.name}, parent=tracing.ROOT):
            result = await job.run(should_stop)
        outcome = "ok"
        JOB_LAST_SUCCESS.labels(job.name).set(time.time())
        return result
    finally:
        JOB_SECONDS.labels(job.name).observe(time.monotonic() - started)
        JOB_RUNS.labels(job.name, outcome).inc()
