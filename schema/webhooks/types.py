"""Webhook endpoints and deliveries as GraphQL types (issue 20)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.people.scoping import scoped
from partners.webhooks import access
from partners.webhooks.events import EventCategory
from partners.webhooks.tables import WebhookDelivery, WebhookDeliveryStatus as DeliveryStatus, WebhookEndpoint
from schema.core.access import node_access
from schema.core.connection import Connection, Keyset, connection_from_rows, page_size, paginate
from schema.core.context import Info
from schema.core.rows import int_ids
from schema.identity.loaders import load_partners
from schema.identity.types import PartnerNode
from schema.webhooks.loaders import (
    load_delivery_counts,
    load_first_deliveries,
    load_webhook_deliveries,
    load_webhook_endpoints,
)

WebhookEventType = strawberry.enum(EventCategory, name="WebhookEventType",
                                   description="What an endpoint subscribes to: the partner's deal registrations "
                                   "(every review step), or the tasks of its co-sell plans (created, updated, "
                                   "completed).")
WebhookDeliveryStatus = strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus",
                                        description="PENDING: not delivered yet (first attempt or retrying); "
                                        "SUCCEEDED: the endpoint answered 2xx; FAILED: given up.")


@strawberry.type(name="WebhookDelivery", description="One event sent (or being sent) to one endpoint.")
class WebhookDeliveryNode(relay.Node):
    id: relay.NodeID[int]
    event_id: str = strawberry.field(description="The event's id (also the Cosell-Event-Id header): the same for "
                                     "every endpoint and every redelivery, so receivers can drop duplicates.")
    event_type: str = strawberry.field(description="e.g. deal_registration.approved, cosell_task.completed.")
    status: WebhookDeliveryStatus
    attempts: int = strawberry.field(description="HTTP attempts made so far.")
    response_status: int | None = strawberry.field(description="The HTTP status of the last attempt's answer.")
    last_error: str = strawberry.field(description="Why the last attempt failed; empty after success.")
    body: str = strawberry.field(description="The exact JSON body sent (signed anew on every attempt).")
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    row: strawberry.Private[dict]

    @strawberry.field(description="The delivery this one sends again (redeliverWebhookDelivery), if any.")
    async def redelivery_of(self, info: Info) -> "WebhookDeliveryNode | None":
        if self.row["redelivery_of"] is None:
            return None
        row = await info.context.loaders(load_webhook_deliveries).load(self.row["redelivery_of"])
        return WebhookDeliveryNode.from_row(row) if row else None

    @strawberry.field
    async def endpoint(self, info: Info) -> "WebhookEndpointNode | None":
        row = await info.context.loaders(load_webhook_endpoints).load(self.row["endpoint"])
        return WebhookEndpointNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "WebhookDeliveryNode":
        return cls(id=row["id"], event_id=row["event_id"], event_type=row["event_type"],
                   status=WebhookDeliveryStatus(row["status"]), attempts=row["attempts"],
                   response_status=row["response_status"], last_error=row["last_error"], body=row["body"],
                   created_at=row["created_at"], last_attempt_at=row["last_attempt_at"],
                   delivered_at=row["delivered_at"], row=row)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_webhook_deliveries).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="WebhookEndpoint", description="A URL of a partner's system that receives the partner's "
                 "events, signed with the endpoint's secret (docs/api.md, \"Webhooks\"). The secret is shown "
                 "once, when it is made.")
class WebhookEndpointNode(relay.Node):
    id: relay.NodeID[int]
    url: str
    description: str
    event_types: list[WebhookEventType]
    enabled: bool
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field(description="The delivery log, newest first.")
    async def deliveries(self, info: Info, first: int | None = None,
                         after: str | None = None) -> Connection[WebhookDeliveryNode]:
        async def count() -> int:
            return await info.context.loaders(load_delivery_counts).load(self.id)

        query = scoped(WebhookDelivery.select(), access.delivery_scope(info.context.principal)).where(
            WebhookDelivery.endpoint == self.id).order_by(WebhookDelivery.id, ascending=False)
        if after is None:
            # The first page of every endpoint of a page loads in one batch (same order, same
            # keyset cursors as the query below).
            limit = page_size(info, first)
            rows = await info.context.loaders(load_first_deliveries).load((self.id, limit + 1)) if limit else []
            return connection_from_rows(rows, limit=limit, cursor_of=Keyset(query).cursor,
                                        to_node=WebhookDeliveryNode.from_row, count_fn=count, has_previous=False)
        page = await paginate(info, query, WebhookDelivery.count(), first=first, after=after,
                              to_node=WebhookDeliveryNode.from_row)
        page.count_fn = count
        return page

    @classmethod
    def from_row(cls, row: dict) -> "WebhookEndpointNode":
        return cls(id=row["id"], url=row["url"], description=row["description"],
                   event_types=[WebhookEventType(e) for e in row["event_types"] or []], enabled=row["enabled"],
                   created_at=row["created_at"], updated_at=row["updated_at"], row=row)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_webhook_endpoints).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(WebhookEndpointNode, WebhookEndpoint, access.endpoint_scope,
            "administrators: every endpoint; PARTNER_ADMINs: their own partner's (issue 20)")
node_access(WebhookDeliveryNode, WebhookDelivery, access.delivery_scope,
            "whoever reads the delivery's endpoint (issue 20)")
