"""Relay connections over Piccolo queries, with a hard maximum page size.

Cursors are opaque (base64 of an offset). `totalCount` runs its COUNT query only
when the client asks for it.
"""

from __future__ import annotations

import base64
from typing import Awaitable, Callable, Generic, Iterable, TypeVar

import strawberry

from schema.core.errors import InvalidArgument

NodeT = TypeVar("NodeT")
_CURSOR_PREFIX = "offset:"
# Offsets beyond this cannot come from a real page (and would overflow the databases'
# 64-bit integers once the page's limit is added): an invalid cursor (issue 16).
MAX_OFFSET = 2**31 - 1


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count_fn: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items match, across all pages.")
    async def total_count(self) -> int:
        return await self.count_fn()

    @strawberry.field(description="The nodes of this page (a shortcut for edges { node }).")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.b64decode(cursor.encode(), validate=True).decode()
        if not raw.startswith(_CURSOR_PREFIX):
            raise ValueError(raw)
        digits = raw[len(_CURSOR_PREFIX) :]
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 10 or int(digits) > MAX_OFFSET:
            raise ValueError(raw)
        offset = int(digits)
        return offset
    except ValueError as exc:
        raise InvalidArgument("Invalid cursor.", field="after") from exc


def page_window(info, first: int | None, after: str | None) -> tuple[int, int]:
    """(offset, limit) for a page request, refusing sizes over the maximum."""
    settings = info.context.settings
    if first is None:
        first = settings.default_page_size
    if first < 0 or first > settings.max_page_size:
        raise InvalidArgument(
            f"`first` must be between 0 and {settings.max_page_size}.",
            field="first",
            maxPageSize=settings.max_page_size,
        )
    offset = decode_cursor(after) + 1 if after else 0
    return offset, first


async def paginate(
    info,
    query,
    count_query,
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[dict], NodeT],
) -> Connection[NodeT]:
    """One page of an ordered Piccolo select, fetching one extra row to know if more follow."""
    offset, limit = page_window(info, first, after)
    rows = await query.offset(offset).limit(limit + 1) if limit else []
    return connection_from_rows(rows, offset=offset, limit=limit, to_node=to_node, count_fn=count_query.run)


def connection_from_rows(
    rows: Iterable[dict],
    *,
    offset: int,
    limit: int,
    to_node: Callable[[dict], NodeT],
    count_fn: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    rows = list(rows)
    has_next = len(rows) > limit
    edges = [Edge(cursor=encode_cursor(offset + i), node=to_node(row)) for i, row in enumerate(rows[:limit])]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count_fn=count_fn,
    )
