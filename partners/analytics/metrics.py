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

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from partners.analytics.enums import MetricsDimension as Dim
from partners.analytics.facts import AMOUNT_SCALE, MetricsFilter, facts, reviews_statement, statement
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
    groups: list[GroupMetrics]


def check_filter(f: MetricsFilter) -> None:
    if f.end < f.start:
        raise DomainError.single("INVALID_PERIOD", "`to` is before `from`.", ("filter", "to"))
    if (f.end - f.start).days > MAX_PERIOD_DAYS:
        raise DomainError.single("PERIOD_TOO_LONG", f"A period spans at most {MAX_PERIOD_DAYS} days.",
                                 ("filter", "to"))


def _key_of(row: dict, group_by: tuple[Dim, ...]) -> tuple:
    return tuple(row.get(column) for dim in group_by for column in KEY_COLUMNS[dim])


def _amount(value, engine_type: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if engine_type == "postgres":
        return Decimal(value)
    return Decimal(int(value)) / AMOUNT_SCALE


async def channel_metrics(principal: Principal, f: MetricsFilter, group_by: tuple[Dim, ...]) -> ChannelMetrics:
    check_filter(f)
    group_by = tuple(dict.fromkeys(group_by))  # each dimension once, in the order asked
    engine = current_engine()
    engine_type = engine.engine_type
    today = now().date()
    scope_where = partner_child_scope(principal, Partner.id)
    scope = None if scope_where is None else scope_where.querystring
    groups: dict[tuple, GroupMetrics] = {}

    def group(row: dict) -> GroupMetrics:
        key = _key_of(row, group_by)
        if key not in groups:
            groups[key] = GroupMetrics(key={column: row.get(column) for dim in group_by for column in KEY_COLUMNS[dim]})
        return groups[key]

    statements = [statement(fact, f, group_by, scope, engine_type, today)
                  for name, fact in facts(engine_type).items() if name != "reviews"]
    statements.append(reviews_statement(f, group_by, scope, engine_type, today))
    for query in statements:
        for row in await engine.run_querystring(query):
            names = [n for n in COUNTS if n in row]
            amounts = [n for n in AMOUNTS if n in row]
            if not group_by and all(not row[n] for n in names + amounts):
                continue  # the one row of an empty ungrouped aggregate
            target = group(row)
            for name in names:
                target.counts[name] += int(row[name] or 0)
            for name in HOURS:
                if row.get(name) is not None:
                    target.hours[name] = float(row[name]) / 3600
            for name in amounts:
                if row[name] is not None:
                    by_currency = target.amounts[name]
                    by_currency[row["currency"]] = by_currency.get(row["currency"], Decimal(0)) + _amount(
                        row[name], engine_type)
    converted_on = min(f.end, today)
    await _convert(groups.values(), converted_on)
    ordered = sorted(groups.values(), key=lambda g: tuple((v is None, str(v) if v is not None else "")
                                                           for v in g.key.values()))
    return ChannelMetrics(f, group_by, Currencies.reporting, converted_on, ordered)


async def _convert(groups, on: date) -> None:
    """Each currency's exact sum to the reporting currency at `on`'s rate, rounded, then added."""
    to = Currencies.reporting
    rates = await current_rates()  # always (one statement): the request's statements stay constant
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


__all__ = ["ChannelMetrics", "GroupMetrics", "MetricsFilter", "channel_metrics", "check_filter"]
