"""Per-request loaders for webhook endpoints and deliveries; each applies its scope."""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from partners.people.scoping import scoped
from partners.webhooks.access import delivery_scope, endpoint_scope
from partners.webhooks.tables import WebhookDelivery, WebhookEndpoint
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_webhook_endpoints(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(WebhookEndpoint, endpoint_scope, context.principal, ids)


async def load_webhook_deliveries(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(WebhookDelivery, delivery_scope, context.principal, ids)


async def load_first_deliveries(context, keys: list[tuple[int, int]]) -> list[list[dict]]:
    """(endpoint id, n) → the endpoint's n newest deliveries: one query per distinct n
    (a page of endpoints asks with one n), however many endpoints."""
    by_limit: dict[int, set[int]] = {}
    for endpoint_id, n in keys:
        by_limit.setdefault(n, set()).add(int(endpoint_id))
    found: dict[tuple[int, int], list[dict]] = {}
    for n, endpoint_ids in by_limit.items():
        ids = ", ".join(str(i) for i in sorted(endpoint_ids))
        newest = WhereRaw(
            "id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY endpoint ORDER BY id DESC) AS rn "
            f"FROM webhook_delivery WHERE endpoint IN ({ids})) AS ranked WHERE rn <= {int(n)})")
        rows = await scoped(WebhookDelivery.select(), delivery_scope(context.principal)).where(newest).order_by(
            WebhookDelivery.id, ascending=False)
        for endpoint_id, group in zip(sorted(endpoint_ids), grouped(sorted(endpoint_ids), rows, "endpoint")):
            found[(endpoint_id, n)] = group
    return [found[(int(e), n)] for e, n in keys]


async def load_delivery_counts(context, endpoint_ids: list[int]) -> list[int]:
    rows = await scoped(WebhookDelivery.select(WebhookDelivery.endpoint, Count(alias="n")),
                        delivery_scope(context.principal)).where(
        WebhookDelivery.endpoint.is_in(sorted(set(endpoint_ids)))).group_by(WebhookDelivery.endpoint)
    counts = {row["endpoint"]: row["n"] for row in rows}
    return [counts.get(e, 0) for e in endpoint_ids]
