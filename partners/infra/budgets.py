"""Query cost budgets per principal per minute, counted in the database so that every
instance behind the load balancer draws from the same budget.

Fixed one-minute windows: one row per principal and window, incremented atomically with
an upsert that refuses to go over the budget (SQLite and PostgreSQL both speak it). Other
counts shared by the instances use the same table with their own principal prefix and
window (the anonymous partner applications: `apply:<network>` per hour).
"""

from __future__ import annotations

import ipaddress
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


async def spend(principal: str, cost: int, limit: int, *, at: float | None = None,
                window_seconds: int = WINDOW_SECONDS) -> Spend:
    """Take `cost` points from the principal's budget of this window (a minute unless told),
    or refuse (taking nothing). `principal` is at most 64 characters."""
    at = time.time() if at is None else at
    window = int(at) // window_seconds * window_seconds
    reset_in = max(1, window + window_seconds - int(at))
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
