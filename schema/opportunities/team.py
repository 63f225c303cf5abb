"""The partner team of an opportunity (R5–R8). Rules run in partners.opportunities.team and
the rule plugins; partner users may not change teams (FORBIDDEN)."""

from __future__ import annotations

import strawberry

from partners.opportunities import team as opportunity_team
from schema.core.access import access
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.enums import OpportunityPartnerRole
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode
from schema.opportunities.access import OPPORTUNITY_TEAM_WRITERS
from schema.opportunities.mutations import OpportunityPayload
from schema.opportunities.types import OpportunityNode

NAME_HELP = "Rename the opportunity in the same write (R2: the primary authorized reseller's nickname and ' - ')."


@strawberry.input(description="Put a partner on the team (once per opportunity, R5). isPrimary is an explicit "
                  "choice of the primary partner (see setPrimaryPartner).")
class AddOpportunityPartnerInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID
    role: OpportunityPartnerRole
    is_primary: bool = False
    name: str | None = strawberry.field(default=None, description=NAME_HELP)
    expected_version: int | None = expected_version_field()


@strawberry.input
class RemoveOpportunityPartnerInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID
    name: str | None = strawberry.field(default=None, description=NAME_HELP)
    expected_version: int | None = expected_version_field()


@strawberry.input(description="partnerId: make this partner primary (valid under R6/R7 even against R8; the "
                  "reason reads `set by <user>`). null: forget explicit choices, the precedence (R8) decides.")
class SetPrimaryPartnerInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID | None = None
    name: str | None = strawberry.field(default=None, description=NAME_HELP)
    expected_version: int | None = expected_version_field()


def _payload(row: dict | None, errors: list[UserError]) -> OpportunityPayload:
    return OpportunityPayload(opportunity=OpportunityNode.from_row(row) if row else None, errors=errors)


def _ids(info: Info, input) -> tuple[int, int | None]:
    opportunity_id = decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId")
    partner_id = decode_node_id(info, input.partner_id, PartnerNode, "partnerId") if input.partner_id else None
    return opportunity_id, partner_id


@strawberry.type
class OpportunityTeamMutation:
    @strawberry.mutation(description="R5–R8; the primary partner is chosen again through cosell_primary_partner.",
                         extensions=[access(OPPORTUNITY_TEAM_WRITERS)])
    async def add_opportunity_partner(self, info: Info, input: AddOpportunityPartnerInput) -> OpportunityPayload:
        opportunity_id, partner_id = _ids(info, input)
        row, errors = await call_domain(opportunity_team.add_partner(
            require_principal(info), info.context.rules, opportunity_id, partner_id, input.role, input.is_primary,
            input.name, expected_version=input.expected_version))
        return _payload(row, errors)

    @strawberry.mutation(description="The primary partner is chosen again through cosell_primary_partner.",
                         extensions=[access(OPPORTUNITY_TEAM_WRITERS)])
    async def remove_opportunity_partner(self, info: Info, input: RemoveOpportunityPartnerInput) -> OpportunityPayload:
        opportunity_id, partner_id = _ids(info, input)
        row, errors = await call_domain(opportunity_team.remove_partner(
            require_principal(info), info.context.rules, opportunity_id, partner_id, input.name,
            expected_version=input.expected_version))
        return _payload(row, errors)

    @strawberry.mutation(description="Choose the primary partner explicitly, or return to the precedence (R6–R8).",
                         extensions=[access(OPPORTUNITY_TEAM_WRITERS)])
    async def set_primary_partner(self, info: Info, input: SetPrimaryPartnerInput) -> OpportunityPayload:
        opportunity_id, partner_id = _ids(info, input)
        row, errors = await call_domain(opportunity_team.set_primary(
            require_principal(info), info.context.rules, opportunity_id, partner_id, input.name,
            expected_version=input.expected_version))
        return _payload(row, errors)
