"""Converting between currencies at dated rates (issue 40).

Rates are data (`ExchangeRate`): a conversion on a day uses the latest rate published on
or before that day, and says which day that was. A pair is found directly, inverted
(1 / rate), or crossed through a currency both are quoted against (the ECB publishes
every rate against EUR: JPY→USD = EUR→USD / EUR→JPY); a crossed rate carries the older
of its two days. The converted amount is rounded to the target currency's minor unit,
half up; the rate itself is kept exact (28 significant digits for inverted and crossed
rates).

The whole table is small (a central bank's daily rates for a few currencies over years
is some tens of thousands of rows) and changes by import: each process keeps it in
memory and re-reads it when one statement shows that it changed (`current_rates`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from partners.money.amounts import Money
from partners.money.tables import ExchangeRate

PIVOTS = ("EUR", "USD")  # tried first when crossing


@dataclass(frozen=True)
class Conversion:
    """`source` converted to `result` at `rate` (1 source currency = rate result
    currency), published on `rate_date`."""

    source: Money
    result: Money
    rate: Decimal
    rate_date: date


class RateTable:
    """The known rates, by pair, in day order (pure: no database)."""

    def __init__(self, rows: Iterable[tuple[date, str, str, Decimal]]) -> None:
        pairs: dict[tuple[str, str], dict[date, Decimal]] = {}
        for day, base, quote, rate in rows:
            pairs.setdefault((base, quote), {})[day] = rate
        self._days: dict[tuple[str, str], list[date]] = {}
        self._rates: dict[tuple[str, str], list[Decimal]] = {}
        for pair, by_day in pairs.items():
            days = sorted(by_day)
            self._days[pair] = days
            self._rates[pair] = [by_day[d] for d in days]
        self._bases: dict[str, set[str]] = {}
        for base, quote in pairs:
            self._bases.setdefault(quote, set()).add(base)

    def __len__(self) -> int:
        return sum(len(days) for days in self._days.values())

    def _published(self, base: str, quote: str, day: date) -> tuple[Decimal, date] | None:
        days = self._days.get((base, quote))
        if not days:
            return None
        i = bisect.bisect_right(days, day)
        return (self._rates[(base, quote)][i - 1], days[i - 1]) if i else None

    def _direct(self, base: str, quote: str, day: date) -> tuple[Decimal, date] | None:
        found = self._published(base, quote, day)
        if found is not None:
            return found
        inverse = self._published(quote, base, day)
        if inverse is not None and inverse[0] != 0:
            return Decimal(1) / inverse[0], inverse[1]
        return None

    def rate(self, base: str, quote: str, day: date) -> tuple[Decimal, date] | None:
        """1 `base` in `quote` on `day`, and the day it was published; None if unknown."""
        if base == quote:
            return Decimal(1), day
        found = self._direct(base, quote, day)
        if found is not None:
            return found
        pivots = [p for p in PIVOTS if p not in (base, quote)]
        pivots += sorted((self._bases.get(base, set()) & self._bases.get(quote, set())) - set(pivots))
        for pivot in pivots:
            leg_base, leg_quote = self._direct(pivot, base, day), self._direct(pivot, quote, day)
            if leg_base and leg_quote and leg_base[0] != 0:
                return leg_quote[0] / leg_base[0], min(leg_base[1], leg_quote[1])
        return None

    def convert(self, money: Money, to: str, day: date) -> Conversion | None:
        """`money` in `to` at the rate of `day`; None when no rate is known up to that day."""
        found = self.rate(money.currency, to, day)
        if found is None:
            return None
        rate, published = found
        return Conversion(money, Money.of(money.amount * rate, to), rate, published)


_cache: tuple[tuple, RateTable] | None = None


async def current_rates() -> RateTable:
    """The rate table, re-read only when the stored rates changed (one statement)."""
    global _cache
    mark = await ExchangeRate.raw("SELECT COUNT(*) AS n, MAX(id) AS last, MAX(imported_at) AS at "
                                  "FROM exchange_rate")
    key = tuple(mark[0].values()) if mark else ()
    if _cache is None or _cache[0] != key:
        rows = await ExchangeRate.select(ExchangeRate.day, ExchangeRate.base, ExchangeRate.quote, ExchangeRate.rate)
        _cache = (key, RateTable((r["day"], r["base"], r["quote"], r["rate"]) for r in rows))
    return _cache[1]
