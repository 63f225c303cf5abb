"""Query cost budgets per principal per minute, counted in the database so that every
instance behind the load balancer draws from the same budget.

Fixed one-minute windows: one row per principal and window, incremented atomically with
an upsert that refuses to go over the budget (SQLite and PostgreSQL both speak it). Other
counts shared by the instances use the same table with their own principal prefix and
window (the anonymous partner applications: `apply:<network>` per hour).

Batched writes (issue 38 item 3: the upsert was a round trip in every request). A process
keeps, per budget row, the total it last read back from the database and what it granted
since without writing it (`pending`). A spend is granted in process, with no statement,
while all of these hold: the row was read less than `flush_seconds` ago (setting
COSELL_COST_BUDGET_FLUSH_MS, 200 ms by default), fewer than MAX_BATCH requests wait, the
read total plus the pending plus this cost is at most half of the limit, and the pending
plus this cost is at most a sixteenth of the limit. Otherwise the spend writes the pending
and its own cost in the one upsert that refuses to go over the budget, as before; near the
limit every spend is that upsert, so a caller is refused exactly when the shared total
runs out. The trade-off, across instances: another instance sees a spend up to
`flush_seconds` (or MAX_BATCH requests) late, and only while the caller is below half of
its budget; each instance holds at most a sixteenth of the limit unwritten. What a process
still holds is written when its app stops (`flush`) and when it next spends on any budget
after `flush_seconds`. `flush_seconds` 0 writes every spend at once.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from dataclasses import dataclass

from partners.infra.db import current_engine, uncounted
from partners.infra.prepared import PreparedStatement
from partners.infra.tables import CostBudget

log = logging.getLogger("cosell.budgets")
WINDOW_SECONDS = 60
MAX_BATCH = 64  # requests granted in process between two writes of one budget row

_SPEND = PreparedStatement(
    "INSERT INTO cost_budget (bucket, principal, window_start, used) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET used = cost_budget.used + excluded.used "
    "WHERE cost_budget.used + excluded.used <= {} "
    "RETURNING used", CostBudget)
# What a process granted already (batched): written whatever the total, never refused.
_ADD = PreparedStatement(
    "INSERT INTO cost_budget (bucket, principal, window_start, used) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET used = cost_budget.used + excluded.used "
    "RETURNING used", CostBudget)


def anonymous_bucket(client_host: str | None) -> str:
    """The budget of an anonymous caller: its IP address as the ASGI server saw it (behind
    a reverse proxy, uvicorn takes it from X-Forwarded-For of the trusted proxies)."""
    return f"ip:{client_host or 'unknown'}"[:64]


def client_network(client_host: str | None) -> str:
    """Who a per-address limit counts: an IPv4 address as it is, an IPv6 address by its /64
    (one subscriber's usual allocation: counting each /128 would give everyone 2^64 budgets).
    An IPv4-mapped IPv6 address is its IPv4 address."""
    try:
        address = ipaddress.ip_address((client_host or "").strip())
    except ValueError:
        return (client_host or "unknown")[:50]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class Spend:
    allowed: bool
    limit: int
    remaining: int
    reset_in: int  # seconds until the window ends


class _Row:
    """This process's view of one budget row (one principal, one window)."""

    __slots__ = ("principal", "window", "ends", "read", "read_at", "pending", "waiting", "writing")

    def __init__(self, principal: str, window: int, ends: int) -> None:
        self.principal, self.window, self.ends = principal, window, ends  # ends: time.time() of its end
        self.read = 0  # the row's total as last written or read by this process
        self.read_at = 0.0  # time.monotonic() of that
        self.pending = 0  # granted in process, not written yet
        self.waiting = 0  # requests in `pending`
        self.writing = 0  # being written right now (counted as spent meanwhile)

    def grants(self, cost: int, limit: int, clock: float) -> bool:
        return (clock - self.read_at < _flush[0] and self.waiting < MAX_BATCH
                and (self.pending + cost) * 16 <= limit
                and (self.read + self.writing + self.pending + cost) * 2 <= limit)


# (engine, bucket) -> _Row: a process may serve several databases (tests), never mixed.
_ROWS: dict[tuple[object, str], _Row] = {}
_flush = [0.2]  # seconds a read total is trusted for batching (0: every spend writes)
_swept = [0.0]


def configure(*, flush_ms: float) -> None:
    """The app's setting (COSELL_COST_BUDGET_FLUSH_MS): 0 turns batching off."""
    _flush[0] = max(0.0, flush_ms / 1000)


async def spend(principal: str, cost: int, limit: int, *, at: float | None = None,
                window_seconds: int = WINDOW_SECONDS) -> Spend:
    """Take `cost` points from the principal's budget of this window (a minute unless told),
    or refuse (taking nothing). `principal` is at most 64 characters. Granted in process
    (batched, see the module's docstring) while far from the limit."""
    at = time.time() if at is None else at
    window = int(at) // window_seconds * window_seconds
    reset_in = max(1, window + window_seconds - int(at))
    if cost > limit:
        return Spend(False, limit, 0, reset_in)
    clock = time.monotonic()
    engine = current_engine()
    bucket = f"{principal}:{window}"
    row = _ROWS.get((engine, bucket))
    if row is not None and row.grants(cost, limit, clock):
        row.pending += cost
        row.waiting += 1
        used = row.read + row.writing + row.pending
        if clock - _swept[0] >= _flush[0]:
            try:
                await _sweep(engine, clock)
            except Exception as exc:  # noqa: BLE001 - others' bookkeeping must not fail this request
                log.warning("cost budgets not written yet: %s", exc)  # kept: written by a later sweep
        return Spend(True, limit, max(0, limit - used), reset_in)
    if row is None:
        row = _ROWS[(engine, bucket)] = _Row(principal, window, window + window_seconds)
    pending, row.pending, row.waiting = row.pending, 0, 0
    row.writing += pending + cost
    try:
        with uncounted():
            rows = await _SPEND.run(bucket, principal, window, pending + cost, limit)
            if rows:
                used = rows[0]["used"]
            elif pending:  # refused: what was granted before is written all the same
                used = (await _ADD.run(bucket, principal, window, pending))[0]["used"]
            else:
                current = await CostBudget.select(CostBudget.used).where(CostBudget.bucket == bucket).first()
                used = current["used"] if current else limit
    except BaseException:
        row.pending += pending  # granted already: written by a later spend or `flush`
        raise
    finally:
        row.writing -= pending + cost
    row.read, row.read_at = used, time.monotonic()
    if not rows:
        return Spend(False, limit, max(0, limit - used - row.pending - row.writing), reset_in)
    if used == pending + cost:  # first spend of this window: forget the principal's old windows
        with uncounted():
            await CostBudget.delete().where((CostBudget.principal == principal) & (CostBudget.window_start < window))
        _forget_before(engine, principal, window)
    return Spend(True, limit, max(0, limit - used - row.pending - row.writing), reset_in)


def _forget_before(engine, principal: str, window: int) -> None:
    for key, row in list(_ROWS.items()):
        if key[0] is engine and row.principal == principal and row.window < window and not (row.pending or row.writing):
            del _ROWS[key]


async def _sweep(engine, clock: float) -> None:
    """Write what waits longer than `flush_seconds` in budgets nobody spent on since."""
    _swept[0] = clock
    stale = [(key, row) for key, row in _ROWS.items()
             if key[0] is engine and row.pending and clock - row.read_at >= _flush[0]]
    for key, row in stale:
        await _write(key[1], row)
    now = time.time()
    for key, row in list(_ROWS.items()):  # windows that ended, all written
        if row.ends <= now and not (row.pending or row.writing):
            del _ROWS[key]


async def _write(bucket: str, row: _Row) -> None:
    pending, row.pending, row.waiting = row.pending, 0, 0
    if not pending:
        return
    row.writing += pending
    try:
        with uncounted():
            used = (await _ADD.run(bucket, row.principal, row.window, pending))[0]["used"]
    except BaseException:
        row.pending += pending
        raise
    finally:
        row.writing -= pending
    row.read, row.read_at = used, time.monotonic()


async def flush() -> None:
    """Write everything this process granted without writing it, for the current engine,
    and forget its budget rows (the app's shutdown; tests)."""
    engine = current_engine()
    for key, row in list(_ROWS.items()):
        if key[0] is engine:
            await _write(key[1], row)
            if not row.pending and not row.writing:
                _ROWS.pop(key, None)
