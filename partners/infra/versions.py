"""Versions against lost updates (issue 10) on opportunities and deal registrations.

Every write to one of these rows starts by *claiming* it: one UPDATE that adds 1 to its
`version` and, when the client sent the version it last read (`expectedVersion`), only if
the row still has that version (compare-and-set). The claim comes before the reads the
write decides on:

- PostgreSQL: the UPDATE takes the row lock until commit. A concurrent writer of the same
  row waits, then re-evaluates its own condition against the committed row: with the same
  expected version it matches nothing (STALE_VERSION, nothing written); without one it
  goes ahead and reads what the first writer committed. So neither update is lost.
- SQLite: write transactions are IMMEDIATE (`partners.infra.db.transaction`), one at a time; the
  compare-and-set gives the same answers.

Writes that change *other* rows as a consequence (registrations put on hold or released,
upside children closed, owners moved by an account transfer, expiry) add `bumped(table)`
to their UPDATE instead. Either way a committed write moves a row's version by exactly one.
"""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from partners.infra.errors import DomainError, NotFound

FIELD = "expectedVersion"


def stale(what: str, expected: int) -> DomainError:
    return DomainError.single(
        "STALE_VERSION",
        f"The {what} changed since you read it (you sent version {expected}); reload it and retry.",
        FIELD,
    )


def invalid(expected: int) -> DomainError:
    return DomainError.single("INVALID_VERSION", "Versions start at 1.", FIELD)


async def claim(table: type[Table], row_id: int, expected: int | None = None, what: str = "record") -> dict:
    """Add 1 to the row's version (if it is still `expected`, when given); returns the row as
    it is now, with every column. Call it inside the write's transaction, after checking that
    the caller may see the row (so a stale version never reveals a hidden one)."""
    if expected is not None and expected < 1:
        raise invalid(expected)
    condition = table.id == row_id
    if expected is not None:
        condition &= table.version == expected
    rows = await table.update({table.version: table.version + 1}).where(condition).returning(*table.all_columns())
    if not rows:
        raise stale(what, expected) if expected is not None else NotFound.of(what.capitalize())
    return rows[0]


def bumped(table: type[Table]) -> dict[Any, Any]:
    """The SET entry of an UPDATE that changes rows nobody claimed: version + 1."""
    return {table.version: table.version + 1}
