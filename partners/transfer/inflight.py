"""PostgreSQL: a batch's write in flight while the next batch is read (issue 35 item 2).

The import and its database took turns: the importing process waited while the server
wrote a batch, the server waited while the process read, resolved and checked the next.
On PostgreSQL (each batch's transaction on a connection of its own, from the import's pool
of two) the write of batch N now runs as a task while batch N+1 is taken from the parsing
process and its external ids are looked up; before N+1's rules are checked, N's write has
committed (`drain`), so every check sees what the earlier batches wrote, as before. A batch
whose rows name records of their own entity (an account's parent) waits for the write in
flight before its lookups too. At most one write is in flight; the file's passes, its
end and any error wait for it (or cancel it) first.

Not on SQLite (one writer at a time: nothing to overlap) nor inside an outer transaction
(a dry run: one connection).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Awaitable

from partners.infra.db import current_engine


def possible() -> bool:
    engine = current_engine()
    return engine.engine_type == "postgres" and engine.current_transaction.get() is None


class InFlight:
    def __init__(self) -> None:
        self.task: asyncio.Future | None = None

    async def drain(self) -> None:
        """Wait for the write in flight, if any; its error is raised here."""
        task, self.task = self.task, None
        if task is not None:
            await task

    async def start(self, write: Awaitable[None]) -> None:
        await self.drain()
        self.task = asyncio.ensure_future(write)

    async def cancel(self) -> None:
        """On an error elsewhere: the write in flight is stopped (its transaction rolls back)."""
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
