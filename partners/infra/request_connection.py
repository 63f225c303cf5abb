"""One pooled PostgreSQL connection for the statements of a request (issue 17).

Outside a transaction Piccolo takes a connection from the pool for every statement and
gives it back after: a dashboard request did that a dozen times, ~1 ms of CPU in the
pool's bookkeeping. Within `request_connection(engine)`, statements outside a
transaction run on one connection instead, taken at the first of them and given back
when the request ends — as a hand-written endpoint does (bench/floor.py). The statements
of a request's concurrent DataLoader batches take turns on it (one lock): each runs in
autocommit as before and sees everything committed before it, and a transaction still
runs on a connection of its own.

No deadlock: a request that holds one may wait for another (a transaction), so at most
half of the pool is ever held this way (`share`); when that many are held, a request's
statements use the pool per statement as before. A task that outlives its request
(spawned during it, so it inherits the context) finds the connection given back and
uses the pool too."""

from __future__ import annotations

import asyncio
import contextvars
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import asyncpg

_current: contextvars.ContextVar["RequestConnection | None"] = contextvars.ContextVar(
    "cosell_request_connection", default=None)


class RequestConnection:
    def __init__(self, pool, holders: list[int], share: int) -> None:
        self.pool = pool
        self.connection = None
        self.closed = False
        self._lock = asyncio.Lock()
        self._holders = holders  # [connections held this way from this pool]
        self._share = share

    def usable(self) -> bool:
        return not self.closed and (self.connection is not None or self._holders[0] < self._share)

    async def fetch(self, query: str, args) -> Any:
        async with self._lock:
            if self.closed:
                raise _Closed
            if self.connection is None:
                if self._holders[0] >= self._share:  # taken by others meanwhile
                    raise _Closed
                self._holders[0] += 1
                try:
                    self.connection = await self.pool.acquire()
                except BaseException:
                    self._holders[0] -= 1
                    raise
            try:
                return await self.connection.fetch(query, *args)
            except asyncpg.PostgresError:
                raise  # the server refused the statement: the connection is fine
            except BaseException:
                # Broken (the server went away) or cancelled mid-exchange: it must not
                # serve the rest of the request; the pool checks or replaces it.
                await self._give_back()
                raise

    async def _give_back(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            self._holders[0] -= 1
            await self.pool.release(connection)

    async def close(self) -> None:
        self.closed = True
        # Shielded: a request cancelled while it ends must still give its connection back.
        await asyncio.shield(self._close())

    async def _close(self) -> None:
        async with self._lock:
            await self._give_back()


class _Closed(Exception):
    """The request ended, or its share of the pool is taken: run on the pool as usual."""


_holders_by_pool: dict[int, list[int]] = {}


@asynccontextmanager
async def request_connection(engine) -> AsyncIterator[None]:
    """Run this block's statements outside transactions on one pooled connection."""
    pool = getattr(engine, "pool", None)
    if pool is None:
        yield
        return
    holders = _holders_by_pool.setdefault(id(pool), [0])
    share = max(1, pool.get_max_size() // 2)
    held = RequestConnection(pool, holders, share)
    token = _current.set(held)
    try:
        yield
    finally:
        _current.reset(token)
        await held.close()


async def fetch_on_request_connection(pool, query: str, args) -> tuple[bool, Any]:
    """(True, rows) when the current request holds (or may take) a connection of `pool`
    and ran `query` on it; (False, None) when the caller must use the pool itself."""
    held = _current.get()
    if held is None or held.pool is not pool or not held.usable():
        return False, None
    try:
        return True, await held.fetch(query, args)
    except _Closed:
        return False, None
