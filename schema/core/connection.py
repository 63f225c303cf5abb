"""Relay connections over Piccolo queries, with a hard maximum page size.

Cursors are keyset cursors (issue 20): an edge's cursor holds the values of the query's
ORDER BY columns for its row (the primary key is always the last one, the tie breaker),
and the next page is `WHERE (order columns) > (those values)` in the query's own
directions. Rows inserted or deleted between two page fetches therefore never make a
page repeat or skip a row that was there before and is still there after.

A cursor is opaque (base64url of JSON) and validated: a version, the ordering it was made
for, values of the right types, and a checksum. Anything else — an edited, truncated or
hand-made cursor, one from another list or from before the keyset format (`offset:N`) —
is refused with the top-level error code INVALID_CURSOR. Cursors are not secrets: the
list's scope applies to every page whatever the cursor says.

`totalCount` runs its COUNT query only when the client asks for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Awaitable, Callable, Generic, Iterable, Sequence, TypeVar

import orjson
import strawberry
from piccolo.columns import Column
from piccolo.querystring import QueryString
from piccolo.columns.column_types import (
    BigInt,
    Boolean,
    Date,
    Integer,
    Numeric,
    Real,
    Serial,
    SmallInt,
    Text,
    Timestamp,
    Timestamptz,
    UUID,
    Varchar,
)

from partners.infra.prepared import PreparedQuery, template_principal
from partners.infra.row_counts import exact_count

from schema.core.errors import ExpectedError, InvalidArgument
from schema.core.selection import asks_for

NodeT = TypeVar("NodeT")
CURSOR_VERSION = 1


class InvalidCursor(ExpectedError):
    """`after` is not a cursor this list gave out (forged, edited, stale or from another list)."""

    code = "INVALID_CURSOR"


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    node: NodeT
    # The cursor is made when asked for: a portal paging by `pageInfo.endCursor` reads
    # `nodes` only, and encoding a cursor per row is a tenth of a page's CPU (issue 17).
    cursor_of: strawberry.Private[Callable[[], str]]

    @strawberry.field
    def cursor(self) -> str:
        return self.cursor_of()


def make_edge(node, cursor_of: Callable[[Any], str], row) -> Edge:
    return Edge(node=node, cursor_of=lambda: cursor_of(row))


@strawberry.type
class Connection(Generic[NodeT]):
    # Edges are made when asked for: a portal reads `nodes` (issue 17).
    @strawberry.field
    def edges(self) -> list[Edge[NodeT]]:
        cursor_of = self.cursor_of
        return [make_edge(node, cursor_of, row) for node, row in zip(self.node_list, self.rows)]

    page_info: PageInfo
    count_fn: strawberry.Private[Callable[[], Awaitable[int]]]
    node_list: strawberry.Private[list]  # the page's nodes, in order
    rows: strawberry.Private[list]  # the row behind each node, for its cursor
    cursor_of: strawberry.Private[Callable[[Any], str]]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        return await self.count_fn()

    @strawberry.field(description="The nodes of this page (a shortcut for edges { node }).")
    def nodes(self) -> list[NodeT]:
        return self.node_list


# --- the cursor format -------------------------------------------------------------------

def _checksum(body: bytes) -> str:
    return hashlib.sha256(b"cosell-cursor:" + body).hexdigest()[:12]


def encode_cursor_payload(kind: str, values: Sequence[Any]) -> str:
    """An opaque cursor: `kind` names what the values mean (an ordering, a query)."""
    body = orjson.dumps([CURSOR_VERSION, kind, list(values)])
    raw = body + b"." + _checksum(body).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor_payload(cursor: str, kind: str, field: Sequence[str] = ("after",)) -> list[Any]:
    """The values of a cursor made by `encode_cursor_payload(kind, …)`, or InvalidCursor."""
    def refuse(reason: str) -> InvalidCursor:
        return InvalidCursor(
            f"Invalid cursor ({reason}): pass an `endCursor` this list returned, or start again without `after`.",
            field=list(field), reason=reason)

    if not isinstance(cursor, str) or len(cursor) > 2048:
        raise refuse("malformed")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise refuse("malformed") from None
    if raw.startswith(b"offset:"):
        raise refuse("stale: offset cursors are no longer accepted")
    body, sep, checksum = raw.rpartition(b".")
    if not sep or checksum.decode("ascii", "replace") != _checksum(body):
        raise refuse("malformed")
    try:
        version, made_for, values = orjson.loads(body)
    except (orjson.JSONDecodeError, ValueError, TypeError):
        raise refuse("malformed") from None
    if version != CURSOR_VERSION:
        raise refuse("stale: made by another version")
    if made_for != kind or not isinstance(values, list):
        raise refuse("made for another list or ordering")
    return values


# --- keyset pages over Piccolo selects -------------------------------------------------------

_INT_TYPES = (Serial, Integer, BigInt, SmallInt)
_TEXT_TYPES = (Varchar, Text)


def _column_kind(column: Column) -> str:
    if isinstance(column, _INT_TYPES):
        # The column's range (PostgreSQL SERIAL/INTEGER are 32-bit): a forged cursor beyond
        # it is refused in _load, not by the driver (issue 16).
        return f"int{64 if isinstance(column, BigInt) else 16 if isinstance(column, SmallInt) else 32}"
    if isinstance(column, _TEXT_TYPES):
        return "str"
    if isinstance(column, (Timestamptz, Timestamp)):
        return "datetime"
    if isinstance(column, Date):
        return "date"
    if isinstance(column, Boolean):
        return "bool"
    if isinstance(column, (Numeric, Real)):
        return "number"
    if isinstance(column, UUID):
        return "str"
    raise TypeError(f"paginate: cannot order a keyset by {column._meta.name} ({type(column).__name__})")


def _dump(kind: str, value: Any) -> Any:
    if kind in ("datetime", "date"):
        return value.isoformat()
    if kind in ("number", "str"):
        return str(value)
    return value


def _load(kind: str, value: Any) -> Any:
    """A cursor value back to its column's Python type; ValueError if it is not one."""
    if kind.startswith("int") and isinstance(value, int) and not isinstance(value, bool) \
            and -2 ** (int(kind[3:]) - 1) <= value < 2 ** (int(kind[3:]) - 1):
        return value
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "number" and isinstance(value, str):
        return Decimal(value)
    raise ValueError(value)


class Keyset:
    """The ordering of a select, as (column, ascending) pairs ending with the primary key."""

    def __init__(self, query) -> None:
        items = query.order_by_delegate._order_by.order_by_items
        order: list[tuple[Column, bool]] = []
        for item in items:
            for column in item.columns:
                if not isinstance(column, Column) or column._meta.call_chain:
                    raise TypeError("paginate: order by columns of the listed table only")
                if column._meta.null:
                    # NULLs sort first on SQLite and last on PostgreSQL: no portable keyset.
                    raise TypeError(f"paginate: cannot order a keyset by nullable {column._meta.name}")
                order.append((column, item.ascending))
        primary_key = query.table._meta.primary_key
        names = [c._meta.name for c, _ in order]
        if primary_key._meta.name in names:
            order = order[: names.index(primary_key._meta.name) + 1]
        else:
            order.append((primary_key, True))
            query = query.order_by(primary_key)
        self.order = order
        self.kinds = [_column_kind(c) for c, _ in order]
        self.name = query.table._meta.tablename + ":" + ",".join(
            f"{c._meta.name}{'+' if asc else '-'}" for c, asc in order)
        self.query = self._with_order_columns(query)

    def _with_order_columns(self, query):
        selected = query.columns_delegate.selected_columns
        if not selected:
            return query  # all columns
        names = {getattr(getattr(c, "_meta", None), "name", None) for c in selected
                 if not getattr(getattr(c, "_meta", None), "call_chain", None)}
        missing = [c for c, _ in self.order if c._meta.name not in names]
        return query.columns(*missing) if missing else query

    def cursor(self, row: dict) -> str:
        return encode_cursor_payload(self.name, [_dump(k, row[c._meta.name]) for (c, _), k in zip(self.order, self.kinds)])

    def after(self, cursor: str):
        """The where condition of the rows after the cursor's row, in this ordering."""
        return self.condition(self.decode(cursor))

    def decode(self, cursor: str) -> list:
        """The cursor's row's values of the ordering columns (InvalidCursor if it is not one of ours)."""
        raw = decode_cursor_payload(cursor, self.name)
        if len(raw) != len(self.order):
            raise decode_error()
        try:
            return [_load(kind, value) for kind, value in zip(self.kinds, raw)]
        except (ValueError, TypeError):
            raise decode_error() from None

    def condition(self, values):
        """The rows after the row with these ordering values (values or Params)."""
        condition = None
        for i, ((column, ascending), value) in enumerate(zip(self.order, values)):
            step = (column > value) if ascending else (column < value)
            for earlier, earlier_value in zip(self.order[:i], values[:i]):
                step = step & (earlier[0] == earlier_value)
            condition = step if condition is None else condition | step
        return condition


def decode_error() -> InvalidCursor:
    return InvalidCursor("Invalid cursor (malformed): pass an `endCursor` this list returned, or start "
                         "again without `after`.", field=["after"], reason="malformed")


def page_size(info, first: int | None) -> int:
    """The page size asked for, refusing sizes over the maximum."""
    settings = info.context.settings
    if first is None:
        first = settings.default_page_size
    if first < 0 or first > settings.max_page_size:
        raise InvalidArgument(
            f"`first` must be between 0 and {settings.max_page_size}.",
            field="first",
            maxPageSize=settings.max_page_size,
        )
    return first


async def paginate(
    info,
    query,
    count_query,
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[dict], NodeT],
) -> Connection[NodeT]:
    """One page of an ordered Piccolo select, after the `after` cursor's row in the select's
    own ORDER BY (the primary key is appended as the tie breaker when missing), fetching one
    extra row to know if more follow. The ORDER BY columns must be non-null columns of the
    selected table."""
    limit = page_size(info, first)
    keyset = Keyset(query)
    query = keyset.query
    if after:
        query = query.where(keyset.after(after))
    rows = await query.limit(limit + 1) if limit else []
    return connection_from_rows(rows, limit=limit, cursor_of=keyset.cursor, to_node=to_node,
                                count_fn=exact_count(count_query).run, has_previous=bool(after))


def connection_from_rows(
    rows: Iterable[dict],
    *,
    limit: int,
    cursor_of: Callable[[dict], str],
    to_node: Callable[[dict], NodeT],
    count_fn: Callable[[], Awaitable[int]],
    has_previous: bool,
) -> Connection[NodeT]:
    rows = list(rows)
    has_next = len(rows) > limit
    rows = rows[:limit]
    return Connection(
        node_list=[to_node(row) for row in rows], rows=rows, cursor_of=cursor_of,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=has_previous,
            start_cursor=cursor_of(rows[0]) if rows else None,
            end_cursor=cursor_of(rows[-1]) if rows else None,
        ),
        count_fn=count_fn,
    )


class PreparedPage:
    """`paginate` for a list whose select and count are built once per (scope, shape)
    (partners/infra/prepared.py): `select(who, shape)` returns the ordered, scoped,
    filtered select and `count(who, shape)` its count, for a principal whose ids are
    placeholders. `shape` names everything that changes their SQL (which filters are
    given, with their enum values) and must come from a small set; every shape orders the
    same way. `page()` returns None when a shape cannot be prepared (e.g. a value that
    would be written into the SQL text): the caller then paginates as usual.

    When the connection is asked for its `totalCount`, the page's select carries the
    count as a scalar subquery (the count query itself, run once by the database): one
    statement instead of two. An empty page after a cursor says nothing of the total,
    so only then does `totalCount` run the count query."""

    def __init__(self, select: Callable[[Any, Any], Any], count: Callable[[Any, Any], Any]) -> None:
        self._select = select
        self._count_of = lambda who, shape: exact_count(count(who, shape))  # O(1) when unscoped (issue 38)
        self._keyset: Keyset | None = None
        self._rows = PreparedQuery(self._page_query, takes_shape=True)
        self._count = PreparedQuery(self._count_of, takes_shape=True)

    def _page_query(self, who, shape, *cursor_values):
        shape, _, with_total = shape
        keyset = Keyset(self._select(who, shape))
        query = keyset.query
        if with_total:
            columns = query.columns_delegate.selected_columns or query.table.all_columns()
            total = QueryString("({})", *self._count_of(who, shape).querystrings, alias=_TOTAL)
            query.columns_delegate.selected_columns = []
            query = query.columns(*columns, total)
        return query.where(keyset.condition(cursor_values)) if cursor_values else query

    def _keyset_of(self, principal, shape) -> Keyset:
        if self._keyset is None:
            self._keyset = Keyset(self._select(template_principal(principal), shape))
        return self._keyset

    async def page(self, info, shape, *, first: int | None, after: str | None,
                   to_node: Callable[[dict], NodeT]) -> Connection[NodeT] | None:
        principal = info.context.principal
        limit = page_size(info, first)
        keyset = self._keyset_of(principal, shape)
        values = keyset.decode(after) if after else ()
        with_total = bool(limit) and asks_for(info, "totalCount")
        rows_shape = (shape, bool(after), with_total)
        if not (self._rows.preparable(principal, len(values), rows_shape, limit + 1)
                and self._count.preparable(principal, 0, shape)):
            return None
        rows = await self._rows.run(principal, *values, shape=rows_shape, limit=limit + 1) if limit else []
        total = None
        if with_total and rows:
            total = rows[0][_TOTAL]
            for row in rows:
                del row[_TOTAL]
        elif with_total and not after:
            total = 0  # the first page is empty: so is the list

        async def count() -> int:
            return total if total is not None else await self._count.run(principal, shape=shape)

        return connection_from_rows(rows, limit=limit, cursor_of=keyset.cursor, to_node=to_node,
                                    count_fn=count, has_previous=bool(after))


_TOTAL = "cosell_total_count"
