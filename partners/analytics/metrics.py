"""Channel metrics (issue 36): registrations, P4 review times, partner-sourced pipeline,
co-sell tasks (D3), lead SLAs (P11) and case SLAs (D9) per group, aggregated in SQL.

`channel_metrics` runs a fixed set of GROUP BY statements (one per fact of `facts`, the
review changes with their percentiles in one, and the exchange-rate check of `current_rates`), whatever the
number of groups or rows, and merges their group rows by group key. Each statement carries
the caller's scope: a partner user's (and partner admin's) figures are their own partner's
only, by the `partner_child_scope` of `partners.people.scoping` on the partner column of
each fact — the condition every partner-owned entity's scope function applies — so a
partner's own row equals what staff read for that partner.

Amounts are summed per currency in SQL, then each currency's sum is converted to the
reporting currency (`Currencies.reporting`) at the dated rate of the conversion day (the
period's last day, or today when the period ends later) and rounded to its minor unit;
the groups' converted sums are added. A currency without a known rate leaves the amount
null and is named in `unconverted_currencies`.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from piccolo.querystring import QueryString

from partners.analytics.enums import MetricsDimension as Dim
from partners.analytics.facts import AMOUNT_SCALE, MetricsFilter, facts, reviews_statement, statement
from partners.analytics.ranking import (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, ORDERABLE, MetricsOrder, conversion_rates,
                                        count_statement, key_aliases, page_restriction, ranking_statement)
from partners.infra.clock import now
from partners.infra.db import current_engine
from partners.infra.errors import DomainError
from partners.money.amounts import Money
from partners.money.currencies import Currencies
from partners.money.rates import current_rates
from partners.people.principal import Principal
from partners.people.scoping import partner_child_scope
from partners.people.tables import Partner

MAX_PERIOD_DAYS = 3 * 366  # a bounded scan: three years at most per request
KEY_COLUMNS = {Dim.PARTNER: ("partner_id", "partner_name"), Dim.REGION: ("region",), Dim.TRACK: ("track",),
               Dim.TYPE: ("type",), Dim.MONTH: ("month",), Dim.QUARTER: ("quarter",)}
COUNTS = ("submitted", "approved", "denied", "returned", "withdrawn", "expired", "first_reviews",
          "first_review_missed", "decisions", "decision_missed", "won", "lost", "tasks_done", "tasks_overdue",
          "leads_shared", "leads_accepted_in_time", "leads_acted_in_time", "leads_recalled", "cases_opened",
          "cases_picked_up_in_time", "cases_closed_in_time")
AMOUNTS = ("open_pipeline", "won_net_arr")
HOURS = ("first_review_median", "first_review_p90", "decision_median", "decision_p90")


@dataclass
class GroupMetrics:
    """One group's figures (docs/api.md, "Channel metrics", defines each)."""

    key: dict
    counts: dict = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    amounts: dict = field(default_factory=lambda: {name: {} for name in AMOUNTS})  # name -> {currency: Decimal}
    hours: dict = field(default_factory=dict)  # "first_review_median" … -> float hours
    converted: dict = field(default_factory=dict)  # name -> Money | None
    unconverted_currencies: list = field(default_factory=list)

    def rate(self, numerator: str, other: str) -> float | None:
        total = self.counts[numerator] + self.counts[other]
        return self.counts[numerator] / total if total else None

    @property
    def approval_rate(self) -> float | None:
        return self.rate("approved", "denied")

    @property
    def win_rate(self) -> float | None:
        return self.rate("won", "lost")


@dataclass
class ChannelMetrics:
    filter: MetricsFilter
    group_by: tuple[Dim, ...]
    currency: str
    converted_on: date
    groups: list[GroupMetrics]  # the page's groups, in the order asked
    order: MetricsOrder = MetricsOrder()
    offset: int = 0
    has_next: bool = False
    total: int | None = None  # known when every group was computed (no ranking)


def check_filter(f: MetricsFilter) -> None:
    if f.end < f.start:
        raise DomainError.single("INVALID_PERIOD", "`to` is before `from`.", ("filter", "to"))
    if (f.end - f.start).days > MAX_PERIOD_DAYS:
        raise DomainError.single("PERIOD_TOO_LONG", f"A period spans at most {MAX_PERIOD_DAYS} days.",
                                 ("filter", "to"))


def check_page(first: int, offset: int, order: MetricsOrder) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise DomainError.single("INVALID_PAGE_SIZE", f"`first` is between 1 and {MAX_PAGE_SIZE}.", ("first",))
    if offset < 0:
        raise DomainError.single("INVALID_CURSOR", "The cursor is not one of this list's.", ("after",))
    if order.by != "KEY" and order.by not in ORDERABLE:
        raise DomainError.single("INVALID_ORDER", f"Unknown ordering {order.by}.", ("orderBy", "by"))


def _key_of(row: dict, group_by: tuple[Dim, ...]) -> tuple:
    return tuple(row.get(column) for dim in group_by for column in KEY_COLUMNS[dim])


def _amount(value, engine_type: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if engine_type == "postgres":
        return Decimal(value)
    return Decimal(int(value)) / AMOUNT_SCALE


@asynccontextmanager
async def _one_snapshot(engine):
    """PostgreSQL: the ranking and the page's figures read one snapshot (REPEATABLE READ, read
    only), so a write between them cannot make a page disagree with its order; and without
    JIT: the ranking's plan includes the union branch that runs only when the page needs it,
    whose estimate alone exceeds `jit_above_cost`, and compiling costs seconds of CPU for
    statements of milliseconds; with 32 MB of work_mem (the ranking's grouping and sorts
    stay in memory). Two more statements, whatever the groups. SQLite: as is."""
    if engine.engine_type != "postgres" or engine.current_transaction.get() is not None:
        yield
        return
    async with engine.transaction():
        await engine.run_querystring(QueryString("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        # jit off; and work_mem for this transaction only: the ranking's per-currency sums of a
        # year (~26,000 groups, 13 MB) and sorts spilled to disk at the default 4 MB (issue 36 item 2).
        await engine.run_querystring(QueryString("SELECT set_config('jit', 'off', true), "
                                                 "set_config('work_mem', '32MB', true)"))
        yield


async def channel_metrics(principal: Principal, f: MetricsFilter, group_by: tuple[Dim, ...],
                          order: MetricsOrder = MetricsOrder(), first: int = DEFAULT_PAGE_SIZE,
                          offset: int = 0) -> ChannelMetrics:
    """One page of groups. Grouped by partner (thousands of groups): a ranking statement picks
    the page's keys, then each fact's statement computes only those groups
    (`partners.analytics.ranking`). Otherwise the groups are few (regions, tracks, types,
    months of at most three years and their combinations): the fact statements compute them
    all and the page is cut from them here, in the same order."""
    check_filter(f)
    check_page(first, offset, order)
    group_by = tuple(dict.fromkeys(group_by))  # each dimension once, in the order asked
    engine = current_engine()
    engine_type = engine.engine_type
    today = now().date()
    scope_where = partner_child_scope(principal, Partner.id)
    scope = None if scope_where is None else scope_where.querystring
    converted_on = min(f.end, today)
    ranks = Dim.PARTNER in group_by
    aliases = key_aliases(group_by)
    keys: list[tuple] = []
    groups: dict[tuple, GroupMetrics] = {}
    async with _one_snapshot(engine):
        rate_table = await current_rates()  # always (one statement): the request's statements stay constant
        if ranks:
            rates = conversion_rates(rate_table, Currencies.reporting, converted_on)
            ranked = await engine.run_querystring(ranking_statement(
                f, group_by, order, first, offset, scope, engine_type, today, rates, Currencies.reporting))
            keys = [tuple(row[a] for a in aliases) for row in ranked[:first]]
            groups = {key: GroupMetrics(key=dict(zip(aliases, key))) for key in keys}
        all_facts = facts(engine_type)

        def restrict(name: str):
            return page_restriction(all_facts[name], group_by, keys, engine_type) if ranks else None

        statements = [statement(fact, f, group_by, scope, engine_type, today, restrict(name))
                      for name, fact in all_facts.items() if name != "reviews"]
        statements.append(reviews_statement(f, group_by, scope, engine_type, today, restrict("reviews")))
        for query in statements:
            for row in await engine.run_querystring(query):
                _add(row, group_by, groups, ranks, engine_type)
    _convert(groups.values(), converted_on, rate_table)
    if ranks:
        return ChannelMetrics(f, group_by, Currencies.reporting, converted_on, [groups[k] for k in keys], order,
                              offset, len(ranked) > first)
    ordered = _ordered(list(groups.values()), group_by, order)
    return ChannelMetrics(f, group_by, Currencies.reporting, converted_on, ordered[offset:offset + first], order,
                          offset, len(ordered) > offset + first, total=len(ordered))


def _add(row: dict, group_by: tuple[Dim, ...], groups: dict, ranked: bool, engine_type: str) -> None:
    """A statement's group row into its group (a ranked page's groups only)."""
    names = [n for n in COUNTS if n in row]
    amounts = [n for n in AMOUNTS if n in row]
    if not group_by and all(not row[n] for n in names + amounts) and not any(row.get(h) for h in HOURS):
        return  # the one row of an empty ungrouped aggregate
    key = _key_of(row, group_by)
    target = groups.get(key)
    if target is None:
        if ranked:
            return  # a group of the restriction's cross product, not of the page
        target = groups[key] = GroupMetrics(key={column: row.get(column) for dim in group_by
                                                 for column in KEY_COLUMNS[dim]})
    for name in names:
        target.counts[name] += int(row[name] or 0)
    for name in HOURS:
        if row.get(name) is not None:
            target.hours[name] = float(row[name]) / 3600
    for name in amounts:
        if row[name] is not None:
            by_currency = target.amounts[name]
            by_currency[row["currency"]] = by_currency.get(row["currency"], Decimal(0)) + _amount(row[name],
                                                                                                   engine_type)


def _ordered(groups: list[GroupMetrics], group_by: tuple[Dim, ...], order: MetricsOrder) -> list[GroupMetrics]:
    """The order of `partners.analytics.ranking`, for groups without a partner: the key (each
    value by code point, nulls last), or a figure (an amount as the row shows it, unconverted
    counting 0) then the key ascending."""
    def key_order(g: GroupMetrics) -> tuple:
        return tuple((g.key[c] is None, g.key[c] or "") for dim in group_by for c in KEY_COLUMNS[dim])

    by_key = sorted(groups, key=key_order)
    if order.by == "KEY":
        return by_key[::-1] if order.descending else by_key
    _, measure, is_amount = ORDERABLE[order.by]

    def figure(g: GroupMetrics):
        if is_amount:
            money = g.converted.get(measure)
            return money.amount if money is not None else Decimal(0)
        return g.counts[measure]
    return sorted(by_key, key=lambda g: -figure(g) if order.descending else figure(g))


async def count_groups(principal: Principal, f: MetricsFilter, group_by: tuple[Dim, ...]) -> int:
    """How many groups the period has (every page's together): one statement."""
    engine = current_engine()
    scope_where = partner_child_scope(principal, Partner.id)
    scope = None if scope_where is None else scope_where.querystring
    async with _one_snapshot(engine):
        rows = await engine.run_querystring(count_statement(f, tuple(dict.fromkeys(group_by)), scope,
                                                            engine.engine_type, now().date()))
    return int(rows[0]["n"])


def _convert(groups, on: date, rates) -> None:
    """Each currency's exact sum to the reporting currency at `on`'s rate, rounded, then added."""
    to = Currencies.reporting
    for g in groups:
        missing: set[str] = set()
        for name in AMOUNTS:
            total = Money.of(Decimal(0), to)
            for currency, amount in sorted(g.amounts[name].items()):
                if currency == to:
                    total = Money.of(total.amount + amount, to)
                    continue
                conversion = rates.convert(Money.of(amount, currency), to, on)
                if conversion is None:
                    missing.add(currency)
                else:
                    total = Money.of(total.amount + conversion.result.amount, to)
            g.converted[name] = None if missing & set(g.amounts[name]) else total
        g.unconverted_currencies = sorted(missing)


__all__ = ["ChannelMetrics", "GroupMetrics", "MetricsFilter", "MetricsOrder", "channel_metrics", "check_filter",
           "count_groups"]
