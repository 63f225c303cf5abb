"""Per-request DataLoaders, keyed by their load function.

A load function takes the request context first (for scoping) and a list of keys:

    async def load_partners(context, ids: list[int]) -> list[Partner | None]: ...

    partner = await info.context.loaders(load_partners).load(partner_id)

One DataLoader per function per request: every field that asks for the same kind of
row within a request shares one batch, so a list of N items costs one query, not N.
"""

from __future__ import annotations

import asyncio
import weakref
from operator import itemgetter
from typing import Any, Awaitable, Callable, Hashable, Iterable, Mapping, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class WrongNumberOfResults(RuntimeError):
    """A load function returned a list whose length differs from its keys'."""


class RequestLoader:
    """A DataLoader (the load / load_many / prime / clear API of strawberry.dataloader):
    every key asked for within one turn of the event loop goes to one call of the load
    function, and each result is kept for the rest of the request.

    Results are kept as plain values, and `load_many` waits on one future for its whole
    list: prefetching a page of 50 rows costs one future, not one per key, which was a
    twentieth of a dashboard request's CPU (issue 17). `load` still returns a future (the
    same one each time for a key). A failed load function fails every key of its batch,
    and a result that is an exception fails its key; either is kept like a value, so
    every field that asks again meets the same error at its own path."""

    def __init__(self, load_fn: Callable[[list], Awaitable[list]]) -> None:
        self.load_fn = load_fn
        self._values: dict = {}  # key -> value, or the exception that failed it
        self._futures: dict = {}  # key -> the future `load` gave out for it
        self._in_flight: dict = {}  # key -> the batch (a future of {key: result}) loading it
        self._next: list | None = None  # keys of the batch that runs at the next turn
        self._next_done: asyncio.Future | None = None
        self._running: set[asyncio.Task] = set()

    def load(self, key: K) -> Awaitable[V]:
        future = self._futures.get(key)
        if future is None:
            future = self._futures[key] = asyncio.get_running_loop().create_future()
            if key in self._values:
                _settle(future, self._values[key])
            else:
                self._batch_for(key).add_done_callback(lambda batch: _settle(future, batch.result()[key]))
        return future

    def load_many(self, keys: Iterable[K]) -> Awaitable[list[V]]:
        # The keys join the batch now, as `load`'s do, not when the caller awaits.
        keys = list(keys)
        values = self._values
        return self._results(keys, {key: self._batch_for(key) for key in keys if key not in values})

    async def _results(self, keys: list, batches: dict) -> list:
        values = self._values
        for batch in set(batches.values()):
            await asyncio.shield(batch)  # a waiter's cancellation must not cancel the batch
        out = [batches[key].result()[key] if key in batches else values[key] for key in keys]
        for value in out:
            if isinstance(value, BaseException):
                raise value
        return out

    def prime(self, key: K, value: V, force: bool = False) -> None:
        self.prime_many({key: value}, force)

    def prime_many(self, data: Mapping[K, V], force: bool = False) -> None:
        for key, value in data.items():
            if force or key not in self._values:
                self._values[key] = value
                self._futures.pop(key, None)

    def clear(self, key: K) -> None:
        self._values.pop(key, None)
        self._futures.pop(key, None)
        self._in_flight.pop(key, None)

    def clear_many(self, keys: Iterable[K]) -> None:
        for key in keys:
            self.clear(key)

    def clear_all(self) -> None:
        self._values.clear()
        self._futures.clear()
        self._in_flight.clear()

    def _batch_for(self, key: K) -> asyncio.Future:
        batch = self._in_flight.get(key)
        if batch is None:
            if self._next is None:
                loop = asyncio.get_running_loop()
                self._next, self._next_done = [], loop.create_future()
                loop.call_soon(self._dispatch)
            self._next.append(key)
            batch = self._in_flight[key] = self._next_done
        return batch

    def _dispatch(self) -> None:
        keys, batch = self._next, self._next_done
        self._next = self._next_done = None
        task = asyncio.ensure_future(self._run(keys, batch))
        self._running.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._running.discard)

    async def _run(self, keys: list, batch: asyncio.Future) -> None:
        try:
            results = await self.load_fn(keys)
            if len(results) != len(keys):
                raise WrongNumberOfResults(
                    f"The load function returned {len(results)} results for {len(keys)} keys.")
        except BaseException as exc:  # noqa: BLE001 - every key of the batch fails with it
            self._finish(keys, [exc] * len(keys), batch, keep=isinstance(exc, Exception))
            if not isinstance(exc, Exception):
                raise  # cancelled or exiting: its waiters know, and so must the task
            return
        self._finish(keys, results, batch, keep=True)

    def _finish(self, keys: list, results: list, batch: asyncio.Future, *, keep: bool) -> None:
        by_key = dict(zip(keys, results))
        for key, value in by_key.items():
            if self._in_flight.get(key) is batch:  # not cleared or primed meanwhile
                del self._in_flight[key]
                if keep:
                    self._values.setdefault(key, value)
        batch.set_result(by_key)


def _settle(future: asyncio.Future, value: Any) -> None:
    if future.done():
        return
    if isinstance(value, BaseException):
        future.set_exception(value)
    else:
        future.set_result(value)


class Loaders:
    """The request's loaders. The context holds them and they reach it through a weak
    reference: without that cycle, a request's rows and nodes are freed as soon as the
    request ends instead of waiting for the cyclic garbage collector, whose collections
    then walk every row of the last requests (issue 38: a tenth of a page's CPU)."""

    def __init__(self, context: Any) -> None:
        self._context = weakref.ref(context)
        self._loaders: dict[Callable, RequestLoader] = {}

    def __call__(self, load_fn: Callable[[Any, list[K]], Awaitable[list[V]]]) -> RequestLoader:
        loader = self._loaders.get(load_fn)
        if loader is None:
            loader = RequestLoader(_with_context(load_fn, self._context))
            self._loaders[load_fn] = loader
        return loader


def _with_context(load_fn: Callable, context: weakref.ref) -> Callable[[list], Awaitable[list]]:
    def load(keys: list) -> Awaitable[list]:
        return load_fn(context(), keys)
    return load


_projections: dict[tuple, Callable] = {}


def projected(load_fn: Callable, columns: tuple[str, ...]) -> Callable:
    """A load function giving `load_fn`'s rows cut to `columns` (one per pair, kept): its
    own DataLoader, which a select that joined only those columns primes (a compiled
    plan's page, schema/compiled), so no other field ever meets a partial row. Keys it
    was not primed with go through `load_fn`'s own DataLoader: same rows, same scoping."""
    load = _projections.get((load_fn, columns))
    if load is None:
        async def load(context, keys: list) -> list:
            rows = await context.loaders(load_fn).load_many(keys)
            return [None if row is None else {c: row[c] for c in columns} for row in rows]
        _projections[(load_fn, columns)] = load
    return load


def aligned(keys: Iterable[K], rows: Iterable[dict], key: str = "id") -> list[dict | None]:
    """Rows in the order of `keys`, None where a key has no (visible) row."""
    by_key = {row[key]: row for row in rows}
    return [by_key.get(k) for k in keys]


def grouped(keys: Iterable[K], rows: Iterable[dict], key: str) -> list[list[dict]]:
    """For one-to-many loaders: the rows of each key, in the order of `keys`."""
    groups: dict[Any, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return [groups.get(k, []) for k in keys]


def joined_rows(rows: list[dict], name: str) -> dict:
    """The rows a select joined in under `name` (`Table.fk.all_columns()` gives their
    columns as `name.id`, `name.…`), by id, as that table's own select gives them: for
    priming the loader of that table when the caller may read every row of it."""
    if not rows or f"{name}.id" not in rows[0]:
        return {}
    prefix = f"{name}."
    keys = [key for key in rows[0] if key.startswith(prefix)]  # every row has the same keys
    columns, id_key = [key[len(prefix):] for key in keys], f"{name}.id"
    values_of = itemgetter(*keys)  # a table has more columns than its id: tuples
    return {row[name]: dict(zip(columns, values_of(row))) for row in rows if row[id_key] is not None}


async def read_joined(read: Callable[[bool], Awaitable[Any]], joined: bool) -> Any:
    """`read(joined)`, and `read(False)` if a joined read fails: without the join, a fault
    of the joined table stays at its own fields' paths and the rest of the query answers."""
    try:
        return await read(joined)
    except Exception:
        if not joined:
            raise
        return await read(False)
