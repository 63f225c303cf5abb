"""Fetching exchange rates through plugins (issue 40): `cosell rates fetch` and its daily job.

For each currency in use (the distinct `currency` of accounts, opportunities and deal
registrations, plus USD, the currency O11's and A7's thresholds are stated in) the
`cosell_exchange_rate` hook is asked for 1 reporting currency (COSELL_REPORTING_CURRENCY)
in that currency on the day. The implementations are called one by one, in pluggy's order,
so that the first answer is stored with the name of the plugin that gave it (firstresult,
as the hookspec says). An answer must be an exact `Decimal` or a decimal string; a float
is refused (its binary value is not the published rate).

The daily job does not fetch itself: it enqueues one outbox message per day (dedupe key
`exchange-rates:<day>`), and the outbox's leased delivery runs the fetch in exactly one
instance, retrying with backoff when a plugin fails.
"""

from __future__ import annotations

import inspect
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable

from partners.infra import audit, outbox
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.tables import OutboxMessage
from partners.money.currencies import USD, Currencies, is_currency
from partners.money.rate_files import parse_rate
from partners.money.rate_store import StoreSummary, store_rates
from partners.money.tables import ExchangeRate

HOOK = "cosell_exchange_rate"
FETCH_KIND = "exchange_rate_fetch"
log = logging.getLogger("cosell.rates")


class RateAnswerError(ValueError):
    """A plugin answered something that is not an exact positive rate."""


@dataclass
class FetchReport:
    day: date
    stored: StoreSummary = field(default_factory=StoreSummary)
    sources: dict[str, str] = field(default_factory=dict)  # "USD/JPY" → plugin name
    unanswered: list[str] = field(default_factory=list)  # pairs no plugin knew


def implements_hook(plugins) -> bool:
    return bool(getattr(plugins.hook, HOOK).get_hookimpls())


async def currencies_in_use() -> list[str]:
    """The currencies of the records, read in one statement (the CLI/server layer's query:
    partners.money knows no domain table)."""
    rows = await ExchangeRate.raw("SELECT currency FROM account UNION SELECT currency FROM opportunity "
                                  "UNION SELECT currency FROM deal_registration")
    return sorted({row["currency"] for row in rows if is_currency(row["currency"])})


def exact_answer(answer: Any, plugin: str, pair: str) -> Decimal:
    """The rate a plugin gave, exactly: a Decimal or a decimal string; never a float."""
    if isinstance(answer, float):
        raise RateAnswerError(f"plugin {plugin!r} answered {pair} with the float {answer!r}: return a "
                              "decimal.Decimal or a string of digits, exactly as published")
    if isinstance(answer, Decimal):
        if answer.is_finite() and answer > 0:
            return answer
    elif isinstance(answer, str):
        parsed = parse_rate(answer)
        if parsed is not None:
            return parsed
    raise RateAnswerError(f"plugin {plugin!r} answered {pair} with {answer!r}: not a positive exact decimal")


async def _ask(plugins, base: str, quote: str, day: date) -> tuple[Any, str] | None:
    """The first non-None answer of the implementations, in pluggy's call order, and who gave it."""
    for impl in reversed(getattr(plugins.hook, HOOK).get_hookimpls()):
        kwargs = {"base": base, "quote": quote, "day": day}
        answer = impl.function(**{name: kwargs[name] for name in impl.argnames})
        if inspect.isawaitable(answer):
            answer = await answer
        if answer is not None:
            return answer, impl.plugin_name
    return None


async def fetch_rates(plugins, day: date | None = None, *, actor: str = "cli") -> FetchReport:
    """Ask the plugins for the day's rates and store the answers (all or nothing)."""
    day = day or now().date()
    report = FetchReport(day=day)
    reporting = Currencies.reporting
    found: dict[str, list[tuple[date, str, str, Decimal]]] = {}
    for currency in sorted(set(await currencies_in_use()) | {USD}):
        if currency == reporting:
            continue
        pair = f"{reporting}/{currency}"
        answered = await _ask(plugins, reporting, currency, day)
        if answered is None:
            report.unanswered.append(pair)
            continue
        answer, plugin = answered
        found.setdefault(plugin, []).append((day, reporting, currency, exact_answer(answer, plugin, pair)))
        report.sources[pair] = plugin
    async with transaction():
        for plugin, rates in found.items():
            summary = await store_rates(rates, plugin)
            report.stored.added += summary.added
            report.stored.replaced += summary.replaced
            report.stored.unchanged += summary.unchanged
            report.stored.pairs |= summary.pairs
        report.stored.first_day = report.stored.last_day = day if found else None
        await record_audit("rates fetch", {"day": day.isoformat(), **report.stored.as_dict(),
                                           "sources": report.sources, "unanswered": report.unanswered}, actor)
    return report


async def record_audit(action: str, arguments: dict, actor: str) -> None:
    """A system action in the audit log (no user: the command line or a background job)."""
    await audit.record(None, [audit.MutationCall(action, arguments, audit.Outcome(audit.OK))],
                       f"{actor}-{secrets.token_hex(6)}")


def fetch_handler(plugins) -> outbox.Handler:
    """The outbox delivery of the daily fetch: runs in one instance (leased), retried on failure."""

    async def handler(message: outbox.Message) -> None:
        report = await fetch_rates(plugins, date.fromisoformat(message.payload["day"]), actor="job")
        log.info("exchange rates fetched", extra={"day": message.payload["day"], **report.stored.as_dict(),
                                                  "unanswered": report.unanswered})

    return handler


def daily_fetch(plugins) -> Callable[[Callable[[], bool]], Any]:
    """The job's run: once a day (UTC), when a plugin implements the hook, enqueue the fetch."""

    async def run(should_stop: Callable[[], bool]) -> str | None:
        if not implements_hook(plugins):
            return None
        day = now().date().isoformat()
        key = f"exchange-rates:{day}"
        if await OutboxMessage.exists().where(OutboxMessage.dedupe_key == key):
            return None  # enqueued already today (by this instance or another)
        async with transaction():
            await outbox.enqueue(FETCH_KIND, {"day": day}, dedupe_key=key)
        return day

    return run
