"""Lead writes (P11). Roles, regions and rules are checked in partners.leads.service."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.business_days import holidays
from partners.leads import service
from schema.core.access import ADMIN, access
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.enums import LeadAction, Region
from schema.core.errors import UserError
from schema.core.money import MoneyInput
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.accounts.types import AccountNode
from schema.deal_registrations.types import DealRegistrationNode
from schema.identity.types import PartnerNode
from schema.leads.access import LEAD_CREATORS, LEAD_PARTNERS, LEAD_SHARERS
from schema.leads.enums import LeadPriority
from schema.leads.moves import LeadMoveMutation
from schema.leads.payloads import LeadPayload, deal_size, lead_id, payload, payload_with_duplicates
from schema.leads.types import RegionHoliday
from schema.opportunities.types import OpportunityNode


@strawberry.input
class CreateLeadInput:
    company: str
    region: Region
    country: str = "US"
    contact_name: str = ""
    contact_email: str = ""
    product_interest: str = ""
    notes: str = ""
    source: str = strawberry.field(default="", description="Where it came from (default: staff).")
    priority: LeadPriority = LeadPriority.NORMAL
    account_id: strawberry.ID | None = strawberry.field(default=None, description="The end customer's account "
                                                        "(staff data: partner users read only its name).")
    deal_size: MoneyInput | None = strawberry.field(default=None, description="Exact; the currency defaults to the "
                                                    "account's, else the lead's country's.")


@strawberry.input(description="P11: without partnerId the cosell_lead_partner hook chooses (by default the "
                  "database choice among the AUTHORIZED partners serving the lead's region).")
class ShareLeadInput:
    id: strawberry.ID
    partner_id: strawberry.ID | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: accept within 5 business days; optionally link what the lead already is.")
class AcceptLeadInput:
    id: strawberry.ID
    note: str = ""
    deal_registration_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: a reason is required; the lead is shareable again.")
class RejectLeadInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: CONVERTED needs dealRegistrationId or opportunityId; DISQUALIFIED a reason.")
class RecordLeadActionInput:
    id: strawberry.ID
    action: LeadAction
    note: str = ""
    reason: str = ""
    deal_registration_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input
class AddRegionHolidayInput:
    region: Region
    day: date
    name: str = ""


@strawberry.input
class RemoveRegionHolidayInput:
    region: Region
    day: date


@strawberry.type
class AddRegionHolidayPayload:
    holiday: RegionHoliday | None
    errors: list[UserError]


_payload, _id = payload, lead_id


def _links(info: Info, input) -> tuple[int | None, int | None]:
    reg = decode_node_id(info, input.deal_registration_id, DealRegistrationNode, "dealRegistrationId") \
        if input.deal_registration_id else None
    opp = decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId") if input.opportunity_id else None
    return reg, opp


@strawberry.type
class LeadMutation(LeadMoveMutation):
    @strawberry.mutation(description="P11: a new lead (NEW, shareable). `warnings` name likely duplicates.",
                         extensions=[access(LEAD_CREATORS)])
    async def create_lead(self, info: Info, input: CreateLeadInput) -> LeadPayload:
        principal = require_principal(info)
        account = decode_node_id(info, input.account_id, AccountNode, "accountId") if input.account_id else None
        lead = service.NewLead(company=input.company, region=input.region, country=input.country,
                               contact_name=input.contact_name, contact_email=input.contact_email,
                               product_interest=input.product_interest, notes=input.notes, source=input.source,
                               priority=input.priority, account_id=account, deal_size=deal_size(input.deal_size))
        return await payload_with_duplicates(info, *await call_domain(service.create_lead(principal, lead)))

    @strawberry.mutation(description="P11: share a NEW lead with one AUTHORIZED partner (P1); the 5 and 10 "
                         "business-day clocks start.", extensions=[access(LEAD_SHARERS)])
    async def share_lead(self, info: Info, input: ShareLeadInput) -> LeadPayload:
        principal = require_principal(info)
        partner_id = decode_node_id(info, input.partner_id, PartnerNode, "partnerId") if input.partner_id else None
        return _payload(*await call_domain(service.share_lead(principal, info.context.plugins, _id(info, input.id),
                                                              partner_id, input.expected_version)))

    @strawberry.mutation(description="P11: the partner accepts a lead shared with it.",
                         extensions=[access(LEAD_PARTNERS)])
    async def accept_lead(self, info: Info, input: AcceptLeadInput) -> LeadPayload:
        principal = require_principal(info)
        reg, opp = _links(info, input)
        return _payload(*await call_domain(service.accept_lead(principal, _id(info, input.id), reg, opp, input.note,
                                                               input.expected_version)))

    @strawberry.mutation(description="P11: the partner rejects a lead (reason required).",
                         extensions=[access(LEAD_PARTNERS)])
    async def reject_lead(self, info: Info, input: RejectLeadInput) -> LeadPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(service.reject_lead(principal, _id(info, input.id), input.reason,
                                                               input.expected_version)))

    @strawberry.mutation(description="P11: contacted, meeting, converted or disqualified.",
                         extensions=[access(LEAD_PARTNERS)])
    async def record_lead_action(self, info: Info, input: RecordLeadActionInput) -> LeadPayload:
        principal = require_principal(info)
        reg, opp = _links(info, input)
        return _payload(*await call_domain(service.record_action(
            principal, _id(info, input.id), input.action, input.note, input.reason, reg, opp, input.expected_version)))

    @strawberry.mutation(description="P11: a day that is not a business day in a region (admins).",
                         extensions=[access(ADMIN)])
    async def add_region_holiday(self, info: Info, input: AddRegionHolidayInput) -> AddRegionHolidayPayload:
        principal = require_principal(info)
        row, errors = await call_domain(holidays.add_holiday(principal, input.region, input.day, input.name))
        holiday = RegionHoliday(region=Region(row["region"]), day=row["day"], name=row["name"]) if row else None
        return AddRegionHolidayPayload(holiday=holiday, errors=errors)

    @strawberry.mutation(description="P11: the day becomes a business day again in the region for shares made from "
                         "now on; deadlines already computed keep their values (admins).", extensions=[access(ADMIN)])
    async def remove_region_holiday(self, info: Info, input: RemoveRegionHolidayInput) -> AddRegionHolidayPayload:
        principal = require_principal(info)
        row, errors = await call_domain(holidays.remove_holiday(principal, input.region, input.day))
        holiday = RegionHoliday(region=Region(row["region"]), day=row["day"], name=row["name"]) if row else None
        return AddRegionHolidayPayload(holiday=holiday, errors=errors)
