"""Amounts converted to USD at the dated rate, for the rules whose thresholds are stated in
USD (O11's $5k/$10k…, A7's $30k cARR; issue 40).

The rate table is read once per request (a DataLoader with one key, over the process's
cached table: `partners.money.rates.current_rates`, one statement when nothing changed),
so a page of N records costs the same statements as one record. The pure rules take
the converted Decimal; a record whose amount has no known rate up to its day gets null
flags instead of a guess.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from partners.infra.clock import now
from partners.money import Conversion, Money, RateTable
from partners.money.currencies import USD
from partners.money.rates import current_rates

_KEY = "rates"


async def load_rate_tables(context, keys: list[str]) -> list[RateTable]:
    table = await current_rates()
    return [table for _ in keys]


async def rate_table(info) -> RateTable:
    return await info.context.loaders(load_rate_tables).load(_KEY)


def today() -> date:
    return now().date()


def record_day(closed_at: datetime | None) -> date:
    """The day an opportunity's amounts convert at: its close when it is closed, else today."""
    return closed_at.date() if closed_at is not None else today()


def in_usd(table: RateTable, amount: Decimal | None, currency: str, day: date) -> Conversion | None:
    """`amount` in USD at `day`'s rate (a USD amount: the identity, rate 1 on that day);
    None when there is no amount or no rate."""
    if amount is None:
        return None
    return table.convert(Money(amount, currency), USD, day)


class Unknown:
    """The USD value of an amount that has no rate: the flag it decides is null."""


UNKNOWN = Unknown()


def usd_value(table: RateTable, amount: Decimal | None, currency: str, day: date) -> Decimal | None | Unknown:
    """What a threshold rule compares: None when there is no amount (the rule reads 0),
    the converted Decimal, or UNKNOWN when no rate is known."""
    if amount is None:
        return None
    conversion = in_usd(table, amount, currency, day)
    return UNKNOWN if conversion is None else conversion.result.amount
