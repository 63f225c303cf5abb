"""Which fields a connection's nodes are asked for, read from the query document.

A connection resolver uses it to fetch, for the whole page in one batched statement,
values that its nodes would otherwise each await through a DataLoader (see
`prefetch_page`): a plain value per node is far cheaper for the executor than an awaited
field per node (bench/RESULTS.md, issue 11). Fragments are followed; directives are not
evaluated, so a field under `@skip` may be prefetched for nothing, never missed.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Awaitable, Callable, Iterable, Iterator

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


def _fields(info, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(info, node.selection_set)
        elif isinstance(node, FragmentSpreadNode):
            fragment = info.fragments.get(node.name.value)
            if fragment is not None:
                yield from _fields(info, fragment.selection_set)


def _node_field_nodes(raw) -> Iterator[FieldNode]:
    """The field nodes asked for on a connection's `nodes` or `edges { node }`."""
    for field_node in raw.field_nodes:
        for child in _fields(raw, field_node.selection_set):
            if child.name.value == "nodes":
                yield from _fields(raw, child.selection_set)
            elif child.name.value == "edges":
                for edge_field in _fields(raw, child.selection_set):
                    if edge_field.name.value == "node":
                        yield from _fields(raw, edge_field.selection_set)


# Set by a compiled plan while its root fields resolve (schema/compiled/executor.py): by
# root response key, {field of the nodes: the columns the plan reads of that object}.
PLAN_COLUMNS: ContextVar[dict | None] = ContextVar("cosell_plan_columns", default=None)


def plan_columns(info, name: str) -> tuple[str, ...] | None:
    """The columns a compiled plan reads, straight from rows, of the object under the
    nodes' field `name` of the connection being resolved (schema/compiled/row_fields.py),
    so a join may select only those; None when no plan does (the generic executor)."""
    columns = PLAN_COLUMNS.get()
    return None if columns is None else columns.get(info.path.key, {}).get(name)


def selected_node_fields(info) -> set[str]:
    """GraphQL names of the fields asked for on a connection's `nodes` or `edges { node }`."""
    return {f.name.value for f in _node_field_nodes(info._raw_info)}


def selected_under_node_field(info, name: str) -> set[str]:
    """GraphQL names of the fields asked for under the nodes' field `name` (e.g. `partners`
    gives {"role", "partner"}), across every place the document asks for it."""
    raw = info._raw_info
    return {child.name.value for f in _node_field_nodes(raw) if f.name.value == name
            for child in _fields(raw, f.selection_set)}


def asks_for(info, name: str) -> bool:
    """Whether the field being resolved is asked for its sub-field `name` (fragments followed)."""
    raw = info._raw_info
    return any(child.name.value == name
               for field_node in raw.field_nodes for child in _fields(raw, field_node.selection_set))


async def prefetch_page(rows: Iterable[dict], key: Callable[[dict], object], into: str,
                        load_many: Callable[[list], Awaitable[list]]) -> None:
    """Store in each page row, under `into`, the value `load_many` gives for `key(row)`
    (one batched load through the same scoped DataLoader the field would use); rows whose
    key is None are left out. If the load fails, nothing is stored: each field then awaits
    the loader as before and meets the same failure (the DataLoader caches it), so errors
    keep their paths."""
    rows = [row for row in rows if key(row) is not None]
    if not rows:
        return
    try:
        values = await load_many([key(row) for row in rows])
    except Exception:  # noqa: BLE001 - reported by the fields, at their own paths
        return
    for row, value in zip(rows, values):
        row[into] = value


async def prefetch_selected(info, rows: list[dict],
                            wanted: Iterable[tuple[str, Callable[[dict], object], str, Callable]]) -> None:
    """For each (GraphQL field, key of a row, row entry, load function) whose field the page's
    nodes are asked for, `prefetch_page` through the request's DataLoader of that load
    function (the one the field itself uses: same scoping, one batch each)."""
    asked = selected_node_fields(info)
    loaders = info.context.loaders
    await asyncio.gather(*(prefetch_page(rows, key, into, loaders(load).load_many)
                           for field, key, into, load in wanted if field in asked))
