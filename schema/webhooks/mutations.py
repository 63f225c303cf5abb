"""Webhook endpoint writes and redelivery (issue 20); the rules are in partners/webhooks/."""

from __future__ import annotations

from typing import Any

import strawberry

from partners.webhooks import delivery, endpoints
from schema.core.access import access
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode
from schema.webhooks.access import WEBHOOK_MANAGERS
from schema.webhooks.types import WebhookDeliveryNode, WebhookEndpointNode, WebhookEventType

UNSET: Any = strawberry.UNSET

SECRET_HELP = (f"The signing secret ({endpoints.SECRET_MIN} to {endpoints.SECRET_MAX} characters). Leave it out to "
               "have one generated; either way it is returned once, in this payload, and never readable again.")


@strawberry.input(description="A new endpoint for a partner's events.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="http:// or https://; it receives a signed POST per event.")
    event_types: list[WebhookEventType]
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose events (administrators must say; PARTNER_ADMINs: their own partner).")
    secret: str | None = strawberry.field(default=None, description=SECRET_HELP)
    description: str = ""


@strawberry.input(description="Only the given fields change.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = UNSET
    event_types: list[WebhookEventType] | None = UNSET
    description: str | None = UNSET
    enabled: bool | None = strawberry.field(
        default=UNSET, description="A disabled endpoint gets no new deliveries; queued ones fail.")


@strawberry.input
class RotateWebhookSecretInput:
    id: strawberry.ID
    secret: str | None = strawberry.field(default=None, description=SECRET_HELP)


@strawberry.input
class DeleteWebhookEndpointInput:
    id: strawberry.ID


@strawberry.input
class RedeliverWebhookDeliveryInput:
    id: strawberry.ID = strawberry.field(description="A delivery of the endpoint's log.")


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpointNode | None
    errors: list[UserError]


@strawberry.type
class WebhookEndpointSecretPayload:
    endpoint: WebhookEndpointNode | None
    secret: str | None = strawberry.field(description="The signing secret, shown this once.")
    errors: list[UserError]


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class RedeliverWebhookDeliveryPayload:
    delivery: WebhookDeliveryNode | None = strawberry.field(description="The new delivery (same event id and body).")
    errors: list[UserError]


def _secret_payload(result, errors) -> WebhookEndpointSecretPayload:
    if result is None:
        return WebhookEndpointSecretPayload(endpoint=None, secret=None, errors=errors)
    row, secret = result
    return WebhookEndpointSecretPayload(endpoint=WebhookEndpointNode.from_row(row), secret=secret, errors=[])


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(description="Register an endpoint for a partner's events; answers its secret once.",
                         extensions=[access(WEBHOOK_MANAGERS)])
    async def create_webhook_endpoint(self, info: Info, input: CreateWebhookEndpointInput) -> WebhookEndpointSecretPayload:
        principal = require_principal(info)
        partner_id = decode_node_id(info, input.partner_id, PartnerNode, "partnerId") if input.partner_id else None
        result, errors = await call_domain(endpoints.create(
            principal, partner_id=partner_id, url=input.url, event_types=list(input.event_types),
            secret=input.secret, description=input.description))
        return _secret_payload(result, errors)

    @strawberry.mutation(description="Change an endpoint's URL, event types, description or enabled flag.",
                         extensions=[access(WEBHOOK_MANAGERS)])
    async def update_webhook_endpoint(self, info: Info, input: UpdateWebhookEndpointInput) -> WebhookEndpointPayload:
        principal = require_principal(info)
        changes = {key: getattr(input, key) for key in ("url", "event_types", "description", "enabled")
                   if getattr(input, key) is not UNSET}
        if changes.get("event_types") is not None:
            changes["event_types"] = list(changes["event_types"])
        row, errors = await call_domain(endpoints.update(
            principal, decode_node_id(info, input.id, WebhookEndpointNode), changes))
        return WebhookEndpointPayload(endpoint=WebhookEndpointNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="A new signing secret (answered once); later deliveries are signed with it.",
                         extensions=[access(WEBHOOK_MANAGERS)])
    async def rotate_webhook_secret(self, info: Info, input: RotateWebhookSecretInput) -> WebhookEndpointSecretPayload:
        principal = require_principal(info)
        result, errors = await call_domain(endpoints.rotate_secret(
            principal, decode_node_id(info, input.id, WebhookEndpointNode), input.secret))
        return _secret_payload(result, errors)

    @strawberry.mutation(description="Remove an endpoint and its delivery log.", extensions=[access(WEBHOOK_MANAGERS)])
    async def delete_webhook_endpoint(self, info: Info, input: DeleteWebhookEndpointInput) -> DeleteWebhookEndpointPayload:
        principal = require_principal(info)
        row, errors = await call_domain(endpoints.delete(principal, decode_node_id(info, input.id, WebhookEndpointNode)))
        return DeleteWebhookEndpointPayload(deleted_id=input.id if row else None, errors=errors)

    @strawberry.mutation(description="Send a delivery's event to its endpoint again, now (a new delivery of the log).",
                         extensions=[access(WEBHOOK_MANAGERS)])
    async def redeliver_webhook_delivery(self, info: Info,
                                         input: RedeliverWebhookDeliveryInput) -> RedeliverWebhookDeliveryPayload:
        principal = require_principal(info)
        row, errors = await call_domain(delivery.redeliver(principal, decode_node_id(info, input.id, WebhookDeliveryNode)))
        return RedeliverWebhookDeliveryPayload(delivery=WebhookDeliveryNode.from_row(row) if row else None,
                                               errors=errors)
