"""Row leasing: many workers share a table of work, each row is worked on by one at a time.

A leasable table has two columns, `leased_until` (Timestamptz, null) and `lease_owner`
(Varchar, null). A worker *claims* due rows whose lease is free or expired: it writes its
lease token and an expiry, in a short transaction that is committed before any work starts.

- PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks the rows, so concurrent claimers in
  any number of instances skip each other's rows instead of waiting or taking them twice.
- SQLite: the claim runs in an IMMEDIATE transaction (`partners.infra.db.transaction`), so
  claimers are serialised by the database's single writer lock.

When a worker crashes, its lease expires and the next claim picks the row up. Every claim
gets a new token, so `finish` (settle the row) succeeds only for the holder of the latest
claim: a worker whose lease expired and was taken over gets `False` and must not assume
its result counted. A worker whose lease expired but was not taken over may still finish.

Times come from the instances' clocks (UTC): keep them NTP-synchronised; leases last
minutes, so seconds of skew do not matter.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from piccolo.columns import Column
from piccolo.columns.combination import Combinable
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from partners.infra.db import transaction


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_worker_id() -> str:
    """A name for this worker, unique across instances and restarts (shown in lease_owner)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Lease:
    token: str
    until: datetime

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.until - (now or utcnow())


class LeasingError(RuntimeError):
    pass


def _in_transaction(table: type[Table]) -> bool:
    return table._meta.db.current_transaction.get() is not None


async def claim(
    table: type[Table],
    *,
    due: Combinable,
    worker: str,
    limit: int,
    lease_for: timedelta,
    order_by: Sequence[Column] = (),
    also_set: dict[Column, Any] | None = None,
    now: datetime | None = None,
) -> tuple[Lease, list[dict]]:
    """Lease up to `limit` rows matching `due` whose lease is free or expired.

    Returns the lease and the claimed rows (as dicts, after the update; `also_set` lets
    the caller count an attempt in the same statement). Must not run inside another
    transaction: the lease has to be committed before the work starts, and on SQLite
    the write lock must not be held while working.
    """
    if _in_transaction(table):
        raise LeasingError("claim() must run outside a transaction: the lease is committed before work starts")
    now = now or utcnow()
    lease = Lease(token=f"{worker}/{secrets.token_hex(4)}", until=now + lease_for)
    pk = table._meta.primary_key
    free = table.leased_until.is_null() | (table.leased_until <= now)
    async with transaction():
        pick = table.select(pk).where(due & free).limit(limit)
        if order_by:
            pick = pick.order_by(*order_by)
        if isinstance(table._meta.db, PostgresEngine):
            pick = pick.lock_rows("UPDATE", skip_locked=True, of=(table,))
        ids = [row[pk._meta.name] for row in await pick]
        if not ids:
            return lease, []
        values = {table.leased_until: lease.until, table.lease_owner: lease.token, **(also_set or {})}
        # `free` again: the row locks make it redundant on PostgreSQL, but correctness should
        # not rest on them alone.
        rows = await table.update(values).where(pk.is_in(ids) & free).returning(*table._meta.columns)
    order = {row_id: index for index, row_id in enumerate(ids)}
    rows.sort(key=lambda row: order[row[pk._meta.name]])
    return lease, rows


async def finish(table: type[Table], row_id: Any, lease: Lease, values: dict[Column, Any]) -> bool:
    """Write `values` and release the lease, only if `lease` still holds the row.

    One conditional UPDATE, atomic on both engines. False means another worker has
    claimed the row since (our lease expired): nothing was written.
    """
    pk = table._meta.primary_key
    values = {**values, table.leased_until: None, table.lease_owner: None}
    rows = await table.update(values).where((pk == row_id) & (table.lease_owner == lease.token)).returning(pk)
    return bool(rows)


async def release(
    table: type[Table], row_ids: Sequence[Any], lease: Lease, values: dict[Column, Any] | None = None
) -> int:
    """Give rows back, not worked on (e.g. shutdown, or too little lease left to start);
    `values` can undo what the claim's `also_set` wrote."""
    if not row_ids:
        return 0
    pk = table._meta.primary_key
    rows = (
        await table.update({**(values or {}), table.leased_until: None, table.lease_owner: None})
        .where(pk.is_in(list(row_ids)) & (table.lease_owner == lease.token))
        .returning(pk)
    )
    return len(rows)

