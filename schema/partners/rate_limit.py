"""The limit of anonymous self-service partner applications (`applyAsPartner`).

Counted in the database (`cost_budget`, the table of the query cost budgets,
partners/infra/budgets.py), so every instance behind the load balancer draws from the same
count and a restart does not clear it; per client network (an IPv4 address, an IPv6 /64:
`budgets.client_network`), per clock hour (fixed windows, as the budgets).
"""

from __future__ import annotations

from partners.infra import budgets

WINDOW_SECONDS = 3600


def client_host(request) -> str | None:
    """The client's address as the ASGI server saw it (behind a reverse proxy, uvicorn takes
    it from X-Forwarded-For of the trusted proxies, FORWARDED_ALLOW_IPS)."""
    client = getattr(request, "client", None)
    return client.host if client else None


async def spend_application(request, limit: int) -> budgets.Spend:
    """Count one application from the request's network this hour, or refuse (counting nothing)."""
    network = budgets.client_network(client_host(request))
    return await budgets.spend(f"apply:{network}", 1, limit, window_seconds=WINDOW_SECONDS)
