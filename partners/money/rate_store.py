"""Writing dated exchange rates (issue 40): an import or a fetch, in one transaction.

A rate already stored for the same day and pair is replaced when the new one differs
(a corrected publication), left alone when it is the same; the summary counts both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from partners.infra.clock import now
from partners.infra.db import transaction
from partners.money.tables import ExchangeRate

INSERT_BATCH = 500


@dataclass
class StoreSummary:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    pairs: set[tuple[str, str]] = field(default_factory=set)
    first_day: date | None = None
    last_day: date | None = None

    @property
    def rows(self) -> int:
        return self.added + self.replaced + self.unchanged

    def as_dict(self) -> dict:
        return {"added": self.added, "replaced": self.replaced, "unchanged": self.unchanged,
                "pairs": sorted(f"{b}/{q}" for b, q in self.pairs),
                "first_day": self.first_day.isoformat() if self.first_day else None,
                "last_day": self.last_day.isoformat() if self.last_day else None}


async def store_rates(rates: Iterable[tuple[date, str, str, Decimal]], source: str) -> StoreSummary:
    """Store `rates` (day, base, quote, rate), all or nothing; one rate per day and pair."""
    wanted = {(day, base, quote): rate for day, base, quote, rate in rates}
    summary = StoreSummary()
    if not wanted:
        return summary
    days = [key[0] for key in wanted]
    summary.first_day, summary.last_day = min(days), max(days)
    summary.pairs = {(base, quote) for _, base, quote in wanted}
    at = now()
    async with transaction():
        existing = await ExchangeRate.select(ExchangeRate.id, ExchangeRate.day, ExchangeRate.base, ExchangeRate.quote,
                                             ExchangeRate.rate).where(
            ExchangeRate.base.is_in(sorted({b for b, _ in summary.pairs}))
            & ExchangeRate.quote.is_in(sorted({q for _, q in summary.pairs}))
            & (ExchangeRate.day >= summary.first_day) & (ExchangeRate.day <= summary.last_day))
        stored = {(row["day"], row["base"], row["quote"]): row for row in existing}
        new_rows = []
        for key, rate in wanted.items():
            old = stored.get(key)
            if old is None:
                new_rows.append(ExchangeRate(day=key[0], base=key[1], quote=key[2], rate=rate, source=source[:200],
                                             imported_at=at))
                summary.added += 1
            elif str(old["rate"]) == str(rate):
                summary.unchanged += 1
            else:
                # imported_at moves too: `current_rates()` re-reads the table when it changes.
                await ExchangeRate.update({ExchangeRate.rate: rate, ExchangeRate.source: source[:200],
                                           ExchangeRate.imported_at: at}).where(ExchangeRate.id == old["id"])
                summary.replaced += 1
        for start in range(0, len(new_rows), INSERT_BATCH):
            await ExchangeRate.insert(*new_rows[start:start + INSERT_BATCH])
    return summary


async def latest_rates(*, base: str | None = None, quote: str | None = None, limit: int = 20) -> list[dict]:
    """The most recent stored rates, newest day first (for `cosell rates list`)."""
    query = ExchangeRate.select(ExchangeRate.day, ExchangeRate.base, ExchangeRate.quote, ExchangeRate.rate,
                                ExchangeRate.source).order_by(ExchangeRate.day, ascending=False).order_by(
        ExchangeRate.base, ExchangeRate.quote)
    if base:
        query = query.where(ExchangeRate.base == base)
    if quote:
        query = query.where(ExchangeRate.quote == quote)
    return await query.limit(limit)
