from __future__ import annotations

import strawberry

from partners.people.scoping import scoped
from partners.webhooks.access import endpoint_scope
from partners.webhooks.tables import WebhookEndpoint
from schema.core.access import access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.filters import all_of
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode
from schema.webhooks.access import WEBHOOK_MANAGERS
from schema.webhooks.types import WebhookEndpointNode


@strawberry.input(description="All given criteria must match.")
class WebhookEndpointFilter:
    partner_id: strawberry.ID | None = None
    enabled: bool | None = None


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Webhook endpoints you manage (PARTNER_ADMINs: their own partner's), oldest first.",
                      extensions=[access(WEBHOOK_MANAGERS)])
    async def webhook_endpoints(self, info: Info, first: int | None = None, after: str | None = None,
                                filter: WebhookEndpointFilter | None = None) -> Connection[WebhookEndpointNode]:
        conditions = [endpoint_scope(info.context.principal)]
        if filter is not None:
            if filter.partner_id:
                conditions.append(WebhookEndpoint.partner == decode_node_id(
                    info, filter.partner_id, PartnerNode, "filter.partnerId"))
            if filter.enabled is not None:
                conditions.append(WebhookEndpoint.enabled == filter.enabled)
        condition = all_of(conditions)
        query = scoped(WebhookEndpoint.select(), condition).order_by(WebhookEndpoint.id)
        return await paginate(info, query, scoped(WebhookEndpoint.count(), condition), first=first, after=after,
                              to_node=WebhookEndpointNode.from_row)
