"""Lists in due order: the work a caller may act on now, the next deadline first (issue 36).

The due time of a row may depend on its status (a lead waits to be accepted, then acted
on: two columns), so `paginate`'s keyset over columns does not fit. A `DueOrder` names the
due time as one SQL expression over the listed table's columns and the same as a function
of a row; the page orders by (due, id), only over rows whose due time is known (NULLs sort
differently on SQLite and PostgreSQL), and its cursors carry (due, id) like every keyset
cursor: pages neither repeat nor skip rows when the list changes between fetches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, TypeVar

from piccolo.columns.combination import WhereRaw
from piccolo.query import OrderByRaw

from partners import business_days
from schema.core.connection import (
    Connection,
    connection_from_rows,
    decode_cursor_payload,
    decode_error,
    encode_cursor_payload,
    page_size,
)

NodeT = TypeVar("NodeT")


@dataclass(frozen=True)
class DueOrder:
    """`name` goes into the cursors (a cursor of another order is refused); `sql` is the
    due time over the table's quoted columns, with no parameters; `of(row)` the same in
    Python, from a selected row."""

    name: str
    sql: str
    of: Callable[[dict], datetime]


def known_due(order: DueOrder) -> WhereRaw:
    return WhereRaw(f"({order.sql}) IS NOT NULL")


async def due_page(info, table, select, count, order: DueOrder, *, first: int | None, after: str | None,
                   to_node: Callable[[dict], NodeT]) -> Connection[NodeT]:
    """One page of `select` (scoped and filtered, not ordered) in due order, after the
    `after` cursor's row; `count` is its count query."""
    limit = page_size(info, first)
    kind = f"{table._meta.tablename}:due:{order.name}"
    key = f'"{table._meta.tablename}"."id"'
    query = select.where(known_due(order)).order_by(OrderByRaw(order.sql)).order_by(table.id)
    if after:
        raw = decode_cursor_payload(after, kind)
        try:
            due, row_id = datetime.fromisoformat(raw[0]), int(raw[1])
        except (ValueError, TypeError, IndexError):
            raise decode_error() from None
        if len(raw) != 2 or not -2 ** 31 <= row_id < 2 ** 31 or due.tzinfo is None:
            raise decode_error()
        query = query.where(WhereRaw(f"(({order.sql}) > {{}} OR (({order.sql}) = {{}} AND {key} > {{}}))",
                                     due, due, row_id))
    rows = await query.limit(limit + 1) if limit else []

    def cursor_of(row: dict) -> str:
        return encode_cursor_payload(kind, [order.of(row).isoformat(), row["id"]])

    return connection_from_rows(rows, limit=limit, cursor_of=cursor_of, to_node=to_node,
                                count_fn=count.where(known_due(order)).run, has_previous=bool(after))


def hours_left(due: datetime | None) -> float | None:
    """Calendar hours from now (`partners.business_days.now`, the clock tests set) until
    `due`, to two decimals; 0 once it passed, None without a due time."""
    if due is None:
        return None
    return round(max(0.0, (due - business_days.now()).total_seconds() / 3600), 2)


def hours_late(due: datetime | None) -> float | None:
    """Calendar hours since `due` passed, to two decimals; None while not late or without one."""
    at = business_days.now()
    return None if due is None or due > at else round((at - due).total_seconds() / 3600, 2)
