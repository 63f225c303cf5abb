"""A10 extension requests as mutations. Rules and roles are in partners.opportunities.holdover."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.opportunities import holdover as holdover_extensions
from partners.opportunities.holdover import DECIDERS
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.opportunities.access import OPPORTUNITY_WRITERS
from schema.opportunities.types import HoldoverExtensionNode, OpportunityNode

EXTENSION_DECIDERS = roles(*DECIDERS, description="ADMIN and SALES_OPS decide A10 extension requests")


@strawberry.input(description="A10: asked by day 120 after the opportunity's creation, by its owner.")
class RequestHoldoverExtensionInput:
    opportunity_id: strawberry.ID
    expected_close_date: date = strawberry.field(description="Evidence of close: within 90 days from today.")
    note: str = strawberry.field(description="Evidence of close: why the deal closes by then.")


@strawberry.input
class ApproveHoldoverExtensionInput:
    id: strawberry.ID
    note: str = ""


@strawberry.input
class RefuseHoldoverExtensionInput:
    id: strawberry.ID
    reason: str


@strawberry.type
class HoldoverExtensionPayload:
    extension: HoldoverExtensionNode | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> HoldoverExtensionPayload:
    return HoldoverExtensionPayload(extension=HoldoverExtensionNode.from_row(row) if row else None, errors=errors)


@strawberry.type
class HoldoverExtensionMutation:
    @strawberry.mutation(description="A10. The opportunity's owner (decided per opportunity).",
                         extensions=[access(OPPORTUNITY_WRITERS)])
    async def request_holdover_extension(self, info: Info,
                                         input: RequestHoldoverExtensionInput) -> HoldoverExtensionPayload:
        principal = require_principal(info)
        row, errors = await call_domain(holdover_extensions.request_extension(
            principal, decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId"),
            expected_close_date=input.expected_close_date, note=input.note))
        return _payload(row, errors)

    @strawberry.mutation(description="A10. ADMIN, SALES_OPS: the holdover ends 90 days later.",
                         extensions=[access(EXTENSION_DECIDERS)])
    async def approve_holdover_extension(self, info: Info,
                                         input: ApproveHoldoverExtensionInput) -> HoldoverExtensionPayload:
        principal = require_principal(info)
        row, errors = await call_domain(holdover_extensions.decide_extension(
            principal, decode_node_id(info, input.id, HoldoverExtensionNode), approve=True, note=input.note))
        return _payload(row, errors)

    @strawberry.mutation(description="A10. ADMIN, SALES_OPS; a reason is required.",
                         extensions=[access(EXTENSION_DECIDERS)])
    async def refuse_holdover_extension(self, info: Info,
                                        input: RefuseHoldoverExtensionInput) -> HoldoverExtensionPayload:
        principal = require_principal(info)
        row, errors = await call_domain(holdover_extensions.decide_extension(
            principal, decode_node_id(info, input.id, HoldoverExtensionNode), approve=False, note=input.reason))
        return _payload(row, errors)
