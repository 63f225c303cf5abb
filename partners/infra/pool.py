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
connections itself and never shares session state between clients either way)."""

from __future__ import annotations

import weakref

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
