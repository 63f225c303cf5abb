"""Scoped row fetching shared by DataLoaders and `resolve_nodes`."""

from __future__ import annotations

from typing import Iterable

from piccolo.table import Table

from partners.scoping import scoped
from schema.core.loaders import aligned
from schema.core.sql import any_of


async def scoped_rows_by_ids(table: type[Table], scope, ids: Iterable[int]) -> list[dict | None]:
    """Rows of `table` with these ids that the scope lets through, aligned to `ids`."""
    ids = list(ids)
    if not ids:
        return []
    rows = await scoped(table.select(), scope).where(any_of(table.id, ids))
    return aligned(ids, rows)


def int_ids(node_ids: Iterable[str]) -> list[int]:
    """Node ids as integers; a non-numeric id matches nothing (-1)."""
    out = []
    for node_id in node_ids:
        try:
            out.append(int(node_id))
        except (TypeError, ValueError):
            out.append(-1)
    return out
