"""Deal-registration writes. Roles, regions and rules are checked in partners.registrations
(submit, approve)."""

from __future__ import annotations

from datetime import date

import strawberry

from partners.money.given import GivenAmount
from partners.registrations.approve import approve, dissolve, extend
from partners.registrations.rules import Prospect, Registration, Resubmission
from partners.registrations.submit import advance_review, deny, register, resubmit, return_to_partner, withdraw
from schema.accounts.types import AccountNode
from schema.core.access import access
from schema.core.context import Info
from schema.core.domain import call_domain, expected_version_field
from schema.core.enums import DealRegistrationType, Region
from schema.core.errors import UserError
from schema.core.money import MoneyInput, deprecated_amount, given_amount
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.deal_registrations.access import REGISTRATION_OWNERS, REGISTRATION_REVIEWERS, REGISTRATION_SUBMITTERS
from schema.deal_registrations.types import DealRegistrationNode
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.types import OpportunityNode


@strawberry.input(description="A new end customer; matched against existing accounts by website domain, then "
                  "by name (legal suffixes and punctuation ignored). On a match the registration links to that "
                  "account; otherwise a PROSPECT account is created. Partner users are shown what they typed "
                  "(name, region), never the matched account's data.")
class ProspectInput:
    name: str
    website: str = ""
    country: str = "US"
    region: Region = Region.AMER


@strawberry.input(description="Either an existing account (staff) or the prospect's details; without either, "
                  "the customer is the account of `opportunityId`.")
class EndCustomerInput:
    account_id: strawberry.ID | None = None
    prospect: ProspectInput | None = None


@strawberry.input(description="P3: one deal of one end customer.")
class RegisterDealInput:
    type: DealRegistrationType
    customer: EndCustomerInput | None = None
    products: list[str] = strawberry.field(description="Product codes; overlaps make conflicts (D2).")
    edition: str = strawberry.field(description="E.g. Premium, Ultimate (names the opportunity, O10).")
    seats: int
    currency: str | None = strawberry.field(default=None, description=(
        "ISO 4217 code of the estimated amount: partners often register in local currency (D5). By default the "
        "currency of estimatedAmountMoney, else the opportunity's, else the customer account's (a new prospect's: "
        "its country's). An approval that creates the opportunity creates it in this currency (issue 40)."))
    estimated_amount: float | None = strawberry.field(default=None,
                                                      deprecation_reason=deprecated_amount("estimatedAmountMoney"))
    estimated_amount_money: MoneyInput | None = strawberry.field(default=None, description=(
        "Not together with the deprecated estimatedAmount (AMBIGUOUS_AMOUNT); its currency, when given, is the "
        "registration's (another than `currency`: CURRENCY_MISMATCH)."))
    expected_close_date: date | None = None
    notes: str = ""
    opportunity_id: strawberry.ID | None = strawberry.field(
        default=None, description="The one opportunity it is for (required for SERVICES_ATTACH, closed won, P9).")
    partner_id: strawberry.ID | None = strawberry.field(
        default=None, description="Channel managers and admins: the alliance partner registered for.")


@strawberry.input
class DealRegistrationNoteInput:
    id: strawberry.ID
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.input(description="A reason is required (P4, P5).")
class DealRegistrationReasonInput:
    id: strawberry.ID
    reason: str
    expected_version: int | None = expected_version_field()


@strawberry.input(description="RETURNED → SUBMITTED with the information asked for; only given fields change.")
class ResubmitDealRegistrationInput:
    id: strawberry.ID
    notes: str | None = None
    seats: int | None = None
    estimated_amount: float | None = strawberry.field(default=None,
                                                      deprecation_reason=deprecated_amount("estimatedAmountMoney"))
    estimated_amount_money: MoneyInput | None = strawberry.field(default=None, description=(
        "In the registration's currency (another: CURRENCY_MISMATCH); not together with estimatedAmount."))
    expected_close_date: date | None = None
    expected_version: int | None = expected_version_field()


@strawberry.input(description="D1: assign the AE. Without an opportunity one is created for that AE (R2, O10); "
                  "with one, the AE defaults to its owner.")
class ApproveDealRegistrationInput:
    id: strawberry.ID
    account_executive_id: strawberry.ID | None = None
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.input(description="P6: channel managers once by up to 30 days; admins longer or again.")
class ExtendDealRegistrationInput:
    id: strawberry.ID
    days: int = 30
    note: str = ""
    expected_version: int | None = expected_version_field()


@strawberry.type
class DealRegistrationPayload:
    deal_registration: DealRegistrationNode | None
    errors: list[UserError]


def _payload(row: dict | None, errors: list[UserError]) -> DealRegistrationPayload:
    return DealRegistrationPayload(deal_registration=DealRegistrationNode.from_row(row) if row else None,
                                   errors=errors)


def _estimated(input) -> GivenAmount | None:
    """The estimated amount given (None: not given; these inputs do not clear it)."""
    given = given_amount(input.estimated_amount, input.estimated_amount_money, "estimatedAmount",
                         "estimatedAmountMoney")
    return None if given is None or (given.amount is None and given.other is None) else given


def _id(info: Info, value) -> int:
    return decode_node_id(info, value, DealRegistrationNode)


@strawberry.type
class DealRegistrationMutation:
    @strawberry.mutation(description="Register a deal (P1–P3). Partner users for their partner; channel managers "
                         "and admins for alliance partners.", extensions=[access(REGISTRATION_SUBMITTERS)])
    async def register_deal(self, info: Info, input: RegisterDealInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        c = input.customer or EndCustomerInput()
        prospect = Prospect(name=c.prospect.name, website=c.prospect.website, country=c.prospect.country,
                            region=c.prospect.region) if c.prospect else None
        reg = Registration(
            registration_type=input.type, products=input.products, edition=input.edition, seats=input.seats,
            estimated_amount=_estimated(input), currency=input.currency,
            expected_close_date=input.expected_close_date, notes=input.notes, prospect=prospect,
            account_id=decode_node_id(info, c.account_id, AccountNode, "customer.accountId") if c.account_id else None,
            opportunity_id=decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId")
            if input.opportunity_id else None,
            partner_id=decode_node_id(info, input.partner_id, PartnerNode, "partnerId") if input.partner_id else None,
        )
        return _payload(*await call_domain(register(principal, reg, info.context.rules.disabled_rules)))

    @strawberry.mutation(description="P4: SUBMITTED → PENDING_SALES_REVIEW (the first review) → "
                         "PENDING_MANAGER_REVIEW. Channel managers of the region, admins.",
                         extensions=[access(REGISTRATION_REVIEWERS)])
    async def advance_deal_registration_review(self, info: Info, input: DealRegistrationNoteInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(advance_review(principal, _id(info, input.id), input.note,
                                                          input.expected_version)))

    @strawberry.mutation(description="P4: back to the partner for more information (reason required).",
                         extensions=[access(REGISTRATION_REVIEWERS)])
    async def return_deal_registration(self, info: Info, input: DealRegistrationReasonInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(return_to_partner(principal, _id(info, input.id), input.reason,
                                                             input.expected_version)))

    @strawberry.mutation(description="P4: the partner answers a return; the review clocks restart.",
                         extensions=[access(REGISTRATION_OWNERS)])
    async def resubmit_deal_registration(self, info: Info, input: ResubmitDealRegistrationInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        changes = Resubmission(notes=input.notes, seats=input.seats, estimated_amount=_estimated(input),
                               expected_close_date=input.expected_close_date)
        return _payload(*await call_domain(resubmit(principal, _id(info, input.id), changes, input.expected_version)))

    @strawberry.mutation(description="P4: the partner withdraws a registration not yet decided.",
                         extensions=[access(REGISTRATION_OWNERS)])
    async def withdraw_deal_registration(self, info: Info, input: DealRegistrationNoteInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(withdraw(principal, _id(info, input.id), input.note, input.expected_version)))

    @strawberry.mutation(description="P4/P5: approve, assign the AE (D1), link or create the opportunity with the "
                         "registrant as primary DEAL_REGISTRANT (R2, R8); expires in 90 days (P6).",
                         extensions=[access(REGISTRATION_REVIEWERS)])
    async def approve_deal_registration(self, info: Info, input: ApproveDealRegistrationInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        ae_id = decode_node_id(info, input.account_executive_id, UserNode, "accountExecutiveId") \
            if input.account_executive_id else None
        return _payload(*await call_domain(approve(principal, info.context.rules, _id(info, input.id), ae_id, input.note,
                                                   input.expected_version)))

    @strawberry.mutation(description="P4: deny (reason required).", extensions=[access(REGISTRATION_REVIEWERS)])
    async def deny_deal_registration(self, info: Info, input: DealRegistrationReasonInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(deny(principal, _id(info, input.id), input.reason, input.expected_version)))

    @strawberry.mutation(description="P5: end an approved engagement (reason required); the registrations it held "
                         "are reconsidered in submission order.", extensions=[access(REGISTRATION_REVIEWERS)])
    async def dissolve_deal_registration(self, info: Info, input: DealRegistrationReasonInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(dissolve(principal, info.context.rules, _id(info, input.id), input.reason,
                                                    input.expected_version)))

    @strawberry.mutation(description="P6: extend an approved registration.", extensions=[access(REGISTRATION_REVIEWERS)])
    async def extend_deal_registration(self, info: Info, input: ExtendDealRegistrationInput) -> DealRegistrationPayload:
        principal = require_principal(info)
        return _payload(*await call_domain(extend(principal, _id(info, input.id), input.days, input.note,
                                                  input.expected_version)))
