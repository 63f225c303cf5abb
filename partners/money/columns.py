"""The column type of exact amounts and rates on both engines.

PostgreSQL stores them as NUMERIC without a fixed scale, which keeps the scale written
(12.30 stays 12.30) and sums exactly. SQLite has no exact decimal type: a column declared
NUMERIC turns '12.30' into the float 12.3. So on SQLite the column is declared
`DECIMALTEXT` (TEXT affinity: the digits are kept as written) and read back as a Decimal
by a converter of that declared type. Piccolo's SQLite engine adapts Decimal parameters
to float; they are adapted to their exact text instead (for NUMERIC-affinity columns
SQLite converts that text to a number as it did the float).

Both engines therefore return the same `Decimal` for the same data (12.30, not 12.3 on
one and 12.300000000000001 on the other); nothing sorts or filters on these columns in
SQL, where text would compare as text.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import piccolo.engine.sqlite  # noqa: F401  (its adapters are registered first, ours replace them)
from piccolo.columns import Numeric

SQLITE_TYPE = "DECIMALTEXT"


class ExactDecimal(Numeric):
    """An exact decimal (amounts, percentages, exchange rates): see the module docstring."""

    @property
    def column_type(self) -> str:
        return SQLITE_TYPE if self._meta.engine_type == "sqlite" else "NUMERIC"


def _decimal_out(raw: bytes) -> Decimal:
    return Decimal(raw.decode())


sqlite3.register_adapter(Decimal, str)
sqlite3.register_converter(SQLITE_TYPE, _decimal_out)
