"""Scoped row fetching shared by DataLoaders and `resolve_nodes`."""

from __future__ import annotations

from typing import Callable, Iterable

from piccolo.table import Table

from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.people.scoping import scoped
from schema.core.loaders import aligned

_by_ids: dict[tuple, PreparedQuery] = {}


async def scoped_rows_by_ids(table: type[Table], scope: Callable, principal, ids: Iterable[int]) -> list[dict | None]:
    """Rows of `table` with these ids that `scope(principal)` lets through, aligned to
    `ids`; one statement per (table, scope shape), prepared once (partners/infra/prepared.py)."""
    ids = list(ids)
    if not ids:
        return []
    prepared = _by_ids.get((table, scope))
    if prepared is None:
        prepared = _by_ids[(table, scope)] = PreparedQuery(
            lambda who, keys: scoped(table.select(), scope(who)).where(any_of(table.id, keys)))
    return aligned(ids, await prepared.run(principal, ids))
# Primary and foreign keys are SERIAL/INTEGER on PostgreSQL (32-bit): a larger id names
# no row, and sent to the driver it fails ("out of int32 range", on SQLite beyond 64 bits).
MAX_DATABASE_ID = 2**31 - 1


def database_id(node_id: str) -> int | None:
    """The row id inside a global id (ASCII digits up to MAX_DATABASE_ID), else None."""
    if not (isinstance(node_id, str) and node_id.isascii() and node_id.isdigit()) or len(node_id) > 10:
        return None
    pk = int(node_id)
    return pk if pk <= MAX_DATABASE_ID else None


def int_ids(node_ids: Iterable[str]) -> list[int]:
    """Node ids as integers; a non-numeric or out-of-range id matches nothing (-1)."""
    return [-1 if (pk := database_id(node_id)) is None else pk for node_id in node_ids]
