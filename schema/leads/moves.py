"""Lead moves of issue 34: edit, archive, take back, reassign, the named person at the
partner, and requests for more time. Roles, regions and rules are checked in
partners.leads.moves and partners.leads.extensions."""

from __future__ import annotations

from typing import Any

import strawberry

from partners.leads import extensions, moves
from partners.leads.links import KEEP
from partners.people.enums import Role
from schema.accounts.types import AccountNode
from schema.core.access import access, roles
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.enums import Region
from schema.core.money import MoneyInput
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.identity.types import PartnerNode, UserNode
from schema.leads.access import LEAD_CREATORS, LEAD_PARTNERS, LEAD_SHARERS
from schema.leads.enums import LeadPriority
from schema.leads.payloads import LeadExtensionPayload, LeadPayload, deal_size, lead_id, payload, payload_with_duplicates
from schema.leads.types import LeadExtensionRequest

UNSET: Any = strawberry.UNSET
CONTACT_CHOOSERS = roles(Role.PARTNER_ADMIN, Role.CHANNEL_MANAGER, Role.ADMIN, description="the admins of the "
                         "partner holding the lead, channel managers of its region, admins (decided per lead)")


@strawberry.input(description="Only the fields given change; accountId and dealSize given as null clear them.")
class UpdateLeadInput:
    id: strawberry.ID
    company: str | None = UNSET
    contact_name: str | None = UNSET
    contact_email: str | None = UNSET
    country: str | None = UNSET
    product_interest: str | None = UNSET
    notes: str | None = UNSET
    source: str | None = UNSET
    region: Region | None = strawberry.field(default=UNSET, description="Only while the lead is NEW "
                                             "(REGION_LOCKED).")
    priority: LeadPriority | None = UNSET
    account_id: strawberry.ID | None = UNSET
    deal_size: MoneyInput | None = UNSET
    expected_version: int | None = expected_version_field()


@strawberry.input
class ArchiveLeadInput:
    id: strawberry.ID
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: a reason is required; the lead is shareable again.")
class TakeBackLeadInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: a new share with another AUTHORIZED partner; its clocks start now.")
class ReassignLeadInput:
    id: strawberry.ID
    partner_id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="userId null clears the named person.")
class SetLeadPartnerContactInput:
    id: strawberry.ID
    user_id: strawberry.ID | None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: before the deadline, once per deadline of a share, 1 to 5 business days.")
class RequestLeadExtensionInput:
    id: strawberry.ID
    days: int
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P11: the lead's pending request; `days` (1 to 5, default: as asked) counts from "
                  "the current deadline.")
class DecideLeadExtensionInput:
    id: strawberry.ID
    approve: bool
    days: int | None = None
    note: str = ""
    expected_version: int | None = expected_version_field()


def _given(value: Any, convert=lambda v: v) -> Any:
    return KEEP if value is UNSET else convert(value)


def _text(value: Any) -> Any:
    return KEEP if value is UNSET or value is None else value


def _extension_payload(result, errors) -> LeadExtensionPayload:
    lead, extension = result if result else (None, None)
    return LeadExtensionPayload(lead=payload(lead, []).lead, extension=LeadExtensionRequest.from_row(extension)
                                if extension else None, errors=errors)


@strawberry.type
class LeadMoveMutation:
    @strawberry.mutation(description="Staff edit a lead's details (its share and deadlines stay). `warnings` name "
                         "likely duplicates.", extensions=[access(LEAD_CREATORS)])
    async def update_lead(self, info: Info, input: UpdateLeadInput) -> LeadPayload:
        principal = require_principal(info)
        edit = moves.LeadEdit(
            company=_text(input.company), contact_name=_text(input.contact_name),
            contact_email=_text(input.contact_email), country=_text(input.country),
            product_interest=_text(input.product_interest), notes=_text(input.notes), source=_text(input.source),
            region=_text(input.region), priority=_text(input.priority),
            account_id=_given(input.account_id, lambda v: None if v is None else decode_node_id(
                info, v, AccountNode, "accountId")),
            deal_size=_given(input.deal_size, deal_size))
        return await payload_with_duplicates(info, *await call_domain(moves.update_lead(
            principal, lead_id(info, input.id), edit, input.expected_version)))

    @strawberry.mutation(description="Staff archive a lead no partner holds (take it back first).",
                         extensions=[access(LEAD_CREATORS)])
    async def archive_lead(self, info: Info, input: ArchiveLeadInput) -> LeadPayload:
        principal = require_principal(info)
        return payload(*await call_domain(moves.archive_lead(principal, lead_id(info, input.id), True, input.note,
                                                             input.expected_version)))

    @strawberry.mutation(extensions=[access(LEAD_CREATORS)])
    async def unarchive_lead(self, info: Info, input: ArchiveLeadInput) -> LeadPayload:
        principal = require_principal(info)
        return payload(*await call_domain(moves.archive_lead(principal, lead_id(info, input.id), False, input.note,
                                                             input.expected_version)))

    @strawberry.mutation(description="P11: a channel manager of the region takes a lead back from its partner "
                         "early.", extensions=[access(LEAD_SHARERS)])
    async def take_back_lead(self, info: Info, input: TakeBackLeadInput) -> LeadPayload:
        principal = require_principal(info)
        return payload(*await call_domain(moves.take_back_lead(principal, lead_id(info, input.id), input.reason,
                                                               input.expected_version)))

    @strawberry.mutation(description="P11: a channel manager of the region gives a held lead to another AUTHORIZED "
                         "partner (P1); a new share.", extensions=[access(LEAD_SHARERS)])
    async def reassign_lead(self, info: Info, input: ReassignLeadInput) -> LeadPayload:
        principal = require_principal(info)
        partner = decode_node_id(info, input.partner_id, PartnerNode, "partnerId")
        return payload(*await call_domain(moves.reassign_lead(principal, lead_id(info, input.id), partner,
                                                              input.reason, input.expected_version)))

    @strawberry.mutation(description="The named person at the partner holding the lead (they are emailed).",
                         extensions=[access(CONTACT_CHOOSERS)])
    async def set_lead_partner_contact(self, info: Info, input: SetLeadPartnerContactInput) -> LeadPayload:
        principal = require_principal(info)
        user = decode_node_id(info, input.user_id, UserNode, "userId") if input.user_id else None
        return payload(*await call_domain(moves.set_partner_contact(principal, lead_id(info, input.id), user,
                                                                    input.expected_version)))

    @strawberry.mutation(description="P11: the partner holding the lead asks for more time on its current "
                         "deadline.", extensions=[access(LEAD_PARTNERS)])
    async def request_lead_extension(self, info: Info, input: RequestLeadExtensionInput) -> LeadExtensionPayload:
        principal = require_principal(info)
        return _extension_payload(*await call_domain(extensions.request_extension(
            principal, lead_id(info, input.id), input.days, input.reason, input.expected_version)))

    @strawberry.mutation(description="P11: a channel manager of the region approves or denies the pending request.",
                         extensions=[access(LEAD_SHARERS)])
    async def decide_lead_extension(self, info: Info, input: DecideLeadExtensionInput) -> LeadExtensionPayload:
        principal = require_principal(info)
        return _extension_payload(*await call_domain(extensions.decide_extension(
            principal, lead_id(info, input.id), input.approve, input.days, input.note, input.expected_version)))
