"""The dated exchange rates (issue 40): what one unit of `base` was worth in `quote` on
`day`, as imported (`cosell rates import`) or fetched through the `cosell_exchange_rate`
hook (`cosell rates fetch`). One row per (day, base, quote); a later import replaces it."""

from __future__ import annotations

from piccolo.columns import Date, Timestamptz, Varchar
from piccolo.table import Table

from partners.money.columns import ExactDecimal


class ExchangeRate(Table, tablename="exchange_rate"):
    day = Date(index=True)
    base = Varchar(length=3)
    quote = Varchar(length=3)
    rate = ExactDecimal()  # 1 base = rate quote, exact as published
    source = Varchar(length=200, default="")  # the file imported, or the plugin that answered
    imported_at = Timestamptz()
