"""Exchange rates as GraphQL types (issue 40)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry


@strawberry.type(name="ExchangeRate", description="A published exchange rate: 1 `base` = `rate` `quote` on `date`.")
class ExchangeRateType:
    base: str = strawberry.field(description="ISO 4217 code.")
    quote: str = strawberry.field(description="ISO 4217 code.")
    rate: Decimal = strawberry.field(description="Exact, as published (never rounded).")
    day: date = strawberry.field(name="date", description="The day the rate was published for.")
    source: str = strawberry.field(description="The file it was imported from (or `--source`), or the plugin "
                                   "that answered `cosell_exchange_rate`.")

    @classmethod
    def from_row(cls, row: dict) -> "ExchangeRateType":
        return cls(base=row["base"], quote=row["quote"], rate=row["rate"], day=row["day"], source=row["source"])
