"""Discount writes: policy versions (admins) and reduction approvals (channel managers, admins)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import strawberry

from partners.discounts import policy as discount_policy, quotes as discounts
from partners.infra.errors import DomainError, Violation
from partners.people.enums import PartnerTrack as TrackEnum
from partners.registrations.enums import DealRegistrationType as RegTypeEnum
from schema.core.access import ADMIN, access, roles
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import DealRegistrationType, PartnerTrack
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.discounts.percent import pick_percent, rate_deprecated
from schema.discounts.types import DiscountApprovalNode, DiscountPolicyNode
from schema.identity.types import PartnerNode
from schema.opportunities.types import OpportunityNode

APPROVERS = roles(*discounts.APPROVERS, description="channel managers (of the customer's region, decided per "
                  "opportunity) and admins")


@strawberry.input
class DiscountProgramRateInput:
    track: PartnerTrack
    registration_type: DealRegistrationType = strawberry.field(description="RESALE, REFERRAL or MSP.")
    percent: Decimal | None = strawberry.field(default=None, description="Percent, 0–100, exact (required unless "
                                               "the deprecated rate is given).")
    rate: float | None = strawberry.field(default=None, description="Percent, 0–100.",
                                          deprecation_reason=rate_deprecated("percent"))


@strawberry.input
class DiscountPocRateInput:
    min_users: int
    max_users: int
    percent: Decimal | None = strawberry.field(default=None, description="Percent, 0–100, exact (required unless "
                                               "the deprecated rate is given).")
    rate: float | None = strawberry.field(default=None, description="Percent, 0–100.",
                                          deprecation_reason=rate_deprecated("percent"))


@strawberry.input(description="A new policy version. The open-ended version in effect on `effectiveFrom` is "
                  "closed that day; other overlaps are refused, and so is a start on or before today once a "
                  "policy applied then (history is fixed).")
class AddDiscountPolicyInput:
    effective_from: date
    effective_to: date | None = strawberry.field(default=None, description="Exclusive; null: open-ended.")
    co_sell_percent: Decimal | None = strawberry.field(default=None, description="D5, P7 (percent, exact; required "
                                                       "unless the deprecated coSellRate is given).")
    co_sell_rate: float | None = strawberry.field(default=None, deprecation_reason=rate_deprecated("coSellPercent"))
    program_rates: list[DiscountProgramRateInput] = strawberry.field(
        description="Every track × RESALE, REFERRAL, MSP, once each (D5).")
    services_attach_percent: Decimal | None = strawberry.field(
        default=None, description=f"P9 (percent, exact); default {discount_policy.SERVICES_ATTACH_RATE}.")
    services_attach_rate: float | None = strawberry.field(
        default=None, deprecation_reason=rate_deprecated("servicesAttachPercent"))
    services_attach_max_engagements: int = discount_policy.SERVICES_ATTACH_MAX_ENGAGEMENTS
    services_attach_window_months: int = discount_policy.SERVICES_ATTACH_WINDOW_MONTHS
    distributor_margin_percent: Decimal | None = strawberry.field(
        default=None, description=f"P10 (percent, exact); default {discount_policy.DISTRIBUTOR_MARGIN_RATE}.")
    distributor_margin_rate: float | None = strawberry.field(
        default=None, deprecation_reason=rate_deprecated("distributorMarginPercent"))
    poc_min_months: int = discount_policy.POC_MIN_MONTHS
    poc_min_users: int = discount_policy.POC_MIN_USERS
    poc_max_users: int = discount_policy.POC_MAX_USERS
    poc_rates: list[DiscountPocRateInput] = strawberry.field(default_factory=list)
    notes: str = ""


@strawberry.type
class DiscountPolicyPayload:
    discount_policy: DiscountPolicyNode | None
    errors: list[UserError]


@strawberry.input(description="P8: allow the partner discount on this opportunity to be reduced to `percent`.")
class ApproveDiscountReductionInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID
    percent: Decimal | None = strawberry.field(default=None, description="Percent, exact: the reduced rate a quote "
                                               "may then request (required unless the deprecated rate is given).")
    rate: float | None = strawberry.field(default=None, description="Percent, the reduced rate a quote may then "
                                          "request.", deprecation_reason=rate_deprecated("percent"))
    reason: str


@strawberry.type
class DiscountApprovalPayload:
    discount_approval: DiscountApprovalNode | None
    errors: list[UserError]


@strawberry.type
class DiscountMutation:
    @strawberry.mutation(description="Add a discount policy version (admins).", extensions=[access(ADMIN)])
    async def add_discount_policy(self, info: Info, input: AddDiscountPolicyInput) -> DiscountPolicyPayload:
        principal = require_principal(info)
        found: list[Violation] = []

        def percent(exact, legacy, path, exact_name, legacy_name, rule, default=None):
            value = pick_percent(exact, legacy, path, exact_name, legacy_name, required=default is None, rule=rule,
                                 found=found)
            return default if value is None and default is not None else value

        co_sell = percent(input.co_sell_percent, input.co_sell_rate, (), "coSellPercent", "coSellRate", "P7")
        program = [percent(r.percent, r.rate, ("programRates", str(i)), "percent", "rate", "D5")
                   for i, r in enumerate(input.program_rates)]
        bands = [percent(b.percent, b.rate, ("pocRates", str(i)), "percent", "rate", "D6")
                 for i, b in enumerate(input.poc_rates)]
        services = percent(input.services_attach_percent, input.services_attach_rate, (), "servicesAttachPercent",
                           "servicesAttachRate", "P9", discount_policy.SERVICES_ATTACH_RATE)
        margin = percent(input.distributor_margin_percent, input.distributor_margin_rate, (),
                         "distributorMarginPercent", "distributorMarginRate", "P10",
                         discount_policy.DISTRIBUTOR_MARGIN_RATE)
        if found:
            return DiscountPolicyPayload(discount_policy=None, errors=UserError.from_domain_error(DomainError(found)))
        p = discount_policy.PolicyInput(
            effective_from=input.effective_from, effective_to=input.effective_to, co_sell_rate=co_sell,
            program_rates=[discount_policy.ProgramRate(TrackEnum(r.track.value), RegTypeEnum(r.registration_type.value),
                                                       rate) for r, rate in zip(input.program_rates, program)],
            services_attach_rate=services,
            services_attach_max_engagements=input.services_attach_max_engagements,
            services_attach_window_months=input.services_attach_window_months,
            distributor_margin_rate=margin, poc_min_months=input.poc_min_months,
            poc_min_users=input.poc_min_users, poc_max_users=input.poc_max_users,
            poc_rates=[discount_policy.PocRate(b.min_users, b.max_users, rate) for b, rate in zip(input.poc_rates, bands)],
            notes=input.notes,
        )
        row, errors = await call_domain(_renamed(discount_policy.add_version(principal, p), _exact_names(input)))
        return DiscountPolicyPayload(discount_policy=DiscountPolicyNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="P8: record the approval of a reduced partner discount.",
                         extensions=[access(APPROVERS)])
    async def approve_discount_reduction(self, info: Info, input: ApproveDiscountReductionInput) -> DiscountApprovalPayload:
        principal = require_principal(info)
        found: list[Violation] = []
        rate = pick_percent(input.percent, input.rate, (), "percent", "rate", required=True, rule="P8", found=found)
        if found:
            return DiscountApprovalPayload(discount_approval=None, errors=UserError.from_domain_error(DomainError(found)))
        row, errors = await call_domain(discounts.approve_reduction(
            principal, decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId"),
            decode_node_id(info, input.partner_id, PartnerNode, "partnerId"), rate, input.reason,
            rate_field="rate" if input.rate is not None else "percent"))
        return DiscountApprovalPayload(discount_approval=DiscountApprovalNode.from_row(row) if row else None,
                                       errors=errors)


def _exact_names(input: AddDiscountPolicyInput) -> dict[tuple[str, ...], tuple[str, ...]]:
    """The domain names rates by their deprecated Float fields; errors name the Decimal
    field instead where the client gave that one."""
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    for legacy, exact, given in (("coSellRate", "coSellPercent", input.co_sell_rate),
                                 ("servicesAttachRate", "servicesAttachPercent", input.services_attach_rate),
                                 ("distributorMarginRate", "distributorMarginPercent", input.distributor_margin_rate)):
        if given is None:
            names[(legacy,)] = (exact,)
    for group, rows in (("programRates", input.program_rates), ("pocRates", input.poc_rates)):
        for i, row in enumerate(rows):
            if row.rate is None:
                names[(group, str(i), "rate")] = (group, str(i), "percent")
    return names


async def _renamed(call, names: dict[tuple[str, ...], tuple[str, ...]]):
    try:
        return await call
    except DomainError as exc:
        raise DomainError([replace(v, field=names.get(tuple(v.field), tuple(v.field))) for v in exc.violations]) from exc
