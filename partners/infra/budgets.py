"""Query cost budgets per principal per minute, counted in the database so that every
instance behind the load balancer draws from the same budget.

Fixed one-minute windows: one row per principal and window, incremented atomically with
an upsert that refuses to go over the budget (SQLite and PostgreSQL both speak it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from partners.infra.db import uncounted
from partners.infra.prepared import PreparedStatement
from partners.infra.tables import CostBudget

WINDOW_SECONDS = 60

_SPEND = PreparedStatement(
    "INSERT INTO cost_budget (bucket, principal, window_start, used) VALUES ({}, {}, {}, {}) "
    "ON CONFLICT (bucket) DO UPDATE SET used = cost_budget.used + excluded.used "
    "WHERE cost_budget.used + excluded.used <= {} "
    "RETURNING used", CostBudget)


def anonymous_bucket(client_host: str | None) -> str:
    """The budget of an anonymous caller: its IP address as the ASGI server saw it (behind
    a reverse proxy, uvicorn takes it from X-Forwarded-For of the trusted proxies)."""
    return f"ip:{client_host or 'unknown'}"[:64]


@dataclass(frozen=True)
class Spend:
    allowed: bool
    limit: int
    remaining: int
    reset_in: int  # seconds until the window ends


async def spend(principal: str, cost: int, limit: int, *, at: float | None = None) -> Spend:
    """Take `cost` points from the principal's budget of this minute, or refuse (taking nothing)."""
    at = time.time() if at is None else at
    window = int(at) // WINDOW_SECONDS * WINDOW_SECONDS
    reset_in = max(1, window + WINDOW_SECONDS - int(at))
    if cost > limit:
        return Spend(False, limit, 0, reset_in)
    with uncounted():
        rows = await _SPEND.run(f"{principal}:{window}", principal, window, cost, limit)
        if not rows:
            current = await CostBudget.select(CostBudget.used).where(CostBudget.bucket == f"{principal}:{window}").first()
            used = current["used"] if current else limit
            return Spend(False, limit, max(0, limit - used), reset_in)
        used = rows[0]["used"]
        if used == cost:  # first spend of this window: forget the principal's old windows
            await CostBudget.delete().where((CostBudget.principal == principal) & (CostBudget.window_start < window))
    return Spend(True, limit, limit - used, reset_in)
