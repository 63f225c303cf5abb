"""What asyncpg's pool does when a connection is released (issue 17).

By default asyncpg sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET
ALL;` after every release: one more round trip per statement outside a transaction
(~1 ms of CPU per dashboard request, bench/RESULTS.md). That statement undoes
*session-level* state. cosell creates none:
- every `SET` it sends is `SET LOCAL` (ends with the transaction);
- it takes row locks (`SELECT … FOR UPDATE`), which end with the transaction, never
  advisory locks;
- it never LISTENs and never declares a cursor WITH HOLD.
What a transaction leaves behind is still undone: asyncpg rolls back an open transaction
and drops listener callbacks on every release whatever `reset` is (`Connection._reset`).
So the reset query is sent only for a connection marked with `mark_session_state`; code
that adds session-level state must call it (pgbouncer in transaction mode resets server
connections itself and never shares session state between clients either way).

With COSELL_METRICS on, the pool is a `MeteredPool` (issue 42): its waits and size as metrics."""

from __future__ import annotations

import time
import weakref

import asyncpg

from partners.infra.metrics import DB_POOL_CONNECTIONS, DB_POOL_WAIT_SECONDS

_with_session_state: "weakref.WeakSet" = weakref.WeakSet()


def mark_session_state(connection) -> None:
    """`connection` (an asyncpg connection, or the pool's proxy for one) has session-level
    state (SET, LISTEN, advisory lock, WITH HOLD cursor): reset it fully on release."""
    raw = getattr(connection, "_con", None) or connection
    _with_session_state.add(raw)


async def reset_on_release(connection) -> None:
    """The pool's `reset`: the full reset query only after session-level state."""
    if connection in _with_session_state:
        _with_session_state.discard(connection)
        query = connection.get_reset_query()
        if query:
            await connection.execute(query)


_OPEN, _IN_USE = DB_POOL_CONNECTIONS.labels("open"), DB_POOL_CONNECTIONS.labels("in_use")


class MeteredPool(asyncpg.Pool):
    """The pool with COSELL_METRICS on (issue 42): each acquire observes how long it waited
    for a connection (connecting a new one included), and each acquire and release sets
    the open and in-use gauges. `CosellPostgresEngine` gives its pool this class."""

    __slots__ = ()

    async def _acquire(self, timeout):
        started = time.perf_counter()
        connection = await super()._acquire(timeout)
        DB_POOL_WAIT_SECONDS.observe(time.perf_counter() - started)
        self.measure()
        return connection

    async def release(self, connection, *, timeout=None):
        try:
            return await super().release(connection, timeout=timeout)
        finally:
            self.measure()

    def measure(self) -> None:
        size = self.get_size()
        _OPEN.set(size)
        _IN_USE.set(size - self.get_idle_size())
