"""Partner discount quotes (issue 7: D5, D6, P7–P10).

A quote is computed, never stored: for one partner on one opportunity, on one date, with
the policy version in effect on that date (`partners.discounts.policy`). The lines come
from the `cosell_partner_discount` hook: every implementation runs with plain dataclasses
(`QuotePartner`, `QuoteDeal`, `QuoteContext`, in `partners.discounts.rules`); the built-in
policy (`plugins.builtin.discounts`, trylast) returns `standard_lines`, and a line a plugin
returns with the same `key` as a built-in line replaces it (`merge_lines`). P8 then
applies a requested rate: never above the partner discount line, below it only with an
approval record (`DiscountApproval`, recorded by a channel manager or an admin).

Loading is batched (`load_deals`): the facts of any number of (opportunity, partner)
pairs take a fixed number of statements, so a page of registrations with their quotes
does not grow the statement count.

Money (issue 40): a quote is in its opportunity's currency (`opportunity.currency`); an
amount asked for in another currency is refused (CURRENCY_MISMATCH, D5: no conversion is
implied). Lines are rounded half up to the currency's minor unit; the total is their
exact sum, never rounded again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from partners.discounts.bounds import bounded_by_policy
from partners.discounts.enums import DiscountLineKind
from partners.discounts.policy import PolicySnapshot, load_policies, policy_on
from partners.discounts.rules import (
    DiscountLine,
    PaidPoc,
    QuoteContext,
    QuoteDeal,
    QuotePartner,
    Renewal,
    SourcedRegistration,
    Tender,
    buys_through_distributor,
    merge_lines,
    paid_poc_violations,
    partner_discount_line,
    requested_rate_violations,
    with_requested_rate,
)
from partners.discounts.scoping import discount_approval_scope
from partners.discounts.tables import DiscountApproval
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.money import Money, to_decimal
from partners.money.amounts import amount_violations, total
from partners.money.currencies import currency_violation
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.people.principal import Principal
from partners.people.scoping import partner_scope, scoped
from partners.people.tables import Partner
from partners.registrations.enums import DealRegistrationStatus, DealRegistrationType
from partners.registrations.tables import DealRegistration

APPROVERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
# How deep a chain of renewals is followed for "last year's discount" (P7).
RENEWAL_DEPTH = 4


# ---------------------------------------------------------------- the quote


@dataclass(frozen=True)
class QuoteRequest:
    opportunity_id: int
    partner_id: int
    quote_date: date | None = None
    amount: "RequestedAmount | None" = None
    tender: Tender | None = None
    paid_poc: PaidPoc | None = None
    requested_rate: Decimal | None = None
    approval_id: int | None = None
    rate_field: str = "requestedRate"  # the input field that gave `requested_rate` (errors name it)


@dataclass(frozen=True)
class RequestedAmount:
    """The list amount a quote is asked for: `currency` None means the opportunity's."""

    value: Decimal
    currency: str | None = None
    field: str = "amount"


@dataclass(frozen=True)
class Quote:
    opportunity_id: int
    partner_id: int
    quote_date: date
    policy_id: int
    list_amount: Money
    route: str  # PurchaseRoute value (P10)
    distributor_name: str | None
    lines: tuple[DiscountLine, ...]

    @property
    def currency(self) -> str:
        return self.list_amount.currency

    @property
    def total(self) -> Money:
        """The exact sum of the lines (each already at the minor unit): never rounded again."""
        return total([line.amount for line in self.lines], self.currency)


def _request_violations(req: QuoteRequest) -> list[Violation]:
    found = []
    if req.paid_poc is not None and (req.paid_poc.users < 1 or req.paid_poc.months < 1):
        found.append(Violation("PAID_POC_USERS", "Give the Paid POC's users and months.", ("paidPoc",), "D6"))
    if req.approval_id is not None and req.requested_rate is None:
        found.append(Violation("REQUESTED_RATE_REQUIRED", "An approval applies to a requested (reduced) rate.",
                               (req.rate_field,), "P8"))
    return found


async def quote(principal: Principal, plugins: Any, req: QuoteRequest) -> Quote:
    """One quote through GraphQL's `discountQuote`: refusals are DomainErrors (P8, D6 …)."""
    violations = _request_violations(req)
    if violations:
        raise DomainError(violations)
    if principal.is_partner_user and req.partner_id != principal.partner_id:
        raise NotFound.of("Partner", "partnerId")  # partner users quote only their own partner
    day = req.quote_date or now().date()
    policies = await load_policies()
    policy = policy_on(policies, day)
    if policy is None:
        raise DomainError.single("NO_POLICY_IN_EFFECT", f"No discount policy is in effect on {day.isoformat()}.",
                                 "date", rule="D5")
    if req.paid_poc is not None:
        violations = paid_poc_violations(req.paid_poc, policy)
        if violations:
            raise DomainError(violations)
    key = (req.opportunity_id, req.partner_id, day)
    facts = await load_deals(principal, [key], policies, amounts={key: req.amount})
    if key not in facts:
        raise NotFound.of("Opportunity", "opportunityId")
    partner, deal = facts[key]
    if partner is None:
        raise NotFound.of("Partner", "partnerId")
    if partner.status is PartnerStatus.DENIED:
        raise DomainError.single("PARTNER_DENIED", f"{partner.name} is DENIED: no program discount.", "partnerId",
                                 rule="P1")
    deal = replace(deal, tender=req.tender, paid_poc=req.paid_poc)
    result = await compute(plugins, partner, deal, QuoteContext(day, policy), viewer=principal)
    if result is None:
        raise DomainError.single("NOT_ON_THE_DEAL", f"{partner.name} neither sourced nor sells this opportunity "
                                 "(no approved registration, not on its team as a seller).", "partnerId", rule="D5")
    if req.requested_rate is not None:
        line = next((l for l in result.lines if l.key == "partner" and l.kind is DiscountLineKind.PARTNER_DISCOUNT),
                    None)
        approval = await _visible_approval(principal, req) if req.approval_id is not None else None
        violations = requested_rate_violations(line, req.requested_rate, approval, req.approval_id is not None,
                                               field=req.rate_field)
        if violations:
            raise DomainError(violations)
        result = replace(result, lines=tuple(with_requested_rate(list(result.lines), req.requested_rate,
                                                                 req.approval_id)))
    return result


async def _visible_approval(principal: Principal, req: QuoteRequest) -> dict | None:
    return await scoped(DiscountApproval.select(), discount_approval_scope(principal)).where(
        (DiscountApproval.id == req.approval_id) & (DiscountApproval.opportunity == req.opportunity_id)
        & (DiscountApproval.partner == req.partner_id)).first()


async def compute(plugins: Any, partner: QuotePartner, deal: QuoteDeal, context: QuoteContext,
                  viewer: Principal | None = None) -> Quote | None:
    """Ask every `cosell_partner_discount` implementation (awaiting async ones, issue 41),
    bound their partner lines by the policy (P8, `bounds`); None when nobody has a line."""
    if partner.status is PartnerStatus.DENIED:
        return None  # P1: a denied partner is out of the program
    results = await plugins.acall("cosell_partner_discount", partner=partner, deal=deal, context=context)
    lines = merge_lines(results)
    if not getattr(plugins, "may_raise_discounts", False):
        lines = bounded_by_policy(lines, partner, deal, context)
    if not lines:
        return None
    if viewer is not None and viewer.is_partner_user:
        # Partner users see only their own partner's lines and the customer's (never a
        # distributor's margin, which is another partner's discount).
        lines = [l for l in lines if l.partner_id in (None, viewer.partner_id)]
    route = "DISTRIBUTOR" if deal.distributor is not None and buys_through_distributor(partner) else "DIRECT"
    return Quote(deal.opportunity_id, partner.id, context.quote_date, context.policy.id, deal.list_amount, route,
                 deal.distributor.name if route == "DISTRIBUTOR" else None, tuple(lines))


async def standard_quotes(principal: Principal, plugins: Any,
                          pairs: list[tuple[int, int]]) -> dict[tuple[int, int], Quote | None]:
    """Today's quotes of many (opportunity, partner) pairs, in a fixed number of
    statements (the registrations' `discountQuote`). Pairs the principal may not see,
    or without a policy or a line, answer None."""
    day = now().date()
    policies = await load_policies()
    policy = policy_on(policies, day)
    if policy is None or not pairs:
        return {pair: None for pair in pairs}
    keys = [(o, p, day) for o, p in pairs]
    if principal.is_partner_user:
        keys = [k for k in keys if k[1] == principal.partner_id]
    facts = await load_deals(principal, keys, policies)
    out: dict[tuple[int, int], Quote | None] = {pair: None for pair in pairs}
    for (o, p, d), (partner, deal) in facts.items():
        if partner is not None:
            try:
                out[(o, p)] = await compute(plugins, partner, deal, QuoteContext(d, policy), viewer=principal)
            except DomainError:
                out[(o, p)] = None
    return out


# ---------------------------------------------------------------- loading the facts (batched)


Key = tuple[int, int, date]  # (opportunity, partner, quote date)


def _partner(row: dict) -> QuotePartner:
    return QuotePartner(row["id"], row["name"], PartnerTrack(row["track"]), PartnerType(row["partner_type"]),
                        PartnerStatus(row["status"]), Region(row["region"]))


async def load_deals(principal: Principal, keys: list[Key], policies: list[PolicySnapshot],
                     amounts: dict[Key, RequestedAmount | None] | None = None) -> dict[Key, tuple[QuotePartner | None, QuoteDeal]]:
    """The facts of each (opportunity, partner, date) whose opportunity the principal may
    see (R9 for partner users). Renewals follow the deals they renew (as the system, for
    "last year's discount") up to RENEWAL_DEPTH levels; each level costs the same few
    statements whatever the number of keys."""
    amounts = amounts or {}
    facts: dict[Key, tuple[QuotePartner | None, QuoteDeal, int | None]] = {}
    level_keys, depth = list(dict.fromkeys(keys)), 0
    while level_keys and depth <= RENEWAL_DEPTH:
        # Below the first level the renewed deals are read as history (unscoped), not shown.
        parents = await _load_level(principal, level_keys, amounts, facts, parents_history=depth > 0)
        level_keys = [k for k in dict.fromkeys(parents) if k not in facts]
        depth += 1
    # "Last year's discount", deepest first: the incumbent's partner line on the renewed deal.
    rates: dict[Key, Decimal | None] = {}

    def incumbent_rate(key: Key, seen: frozenset = frozenset()) -> Decimal | None:
        if key in rates:
            return rates[key]
        if key not in facts or key in seen:
            return None
        partner, deal, _ = facts[key]
        policy = policy_on(policies, key[2])
        rate = None
        if partner is not None and policy is not None:
            deal = _with_renewal(deal, facts, key, lambda k: incumbent_rate(k, seen | {key}))
            try:
                line = partner_discount_line(partner, deal, policy)
            except DomainError:
                line = None
            rate = line.rate if line is not None else None
        rates[key] = rate
        return rate

    out = {}
    for key in keys:
        if key in facts:
            partner, deal, _ = facts[key]
            out[key] = (partner, _with_renewal(deal, facts, key, incumbent_rate))
    return out


def _with_renewal(deal: QuoteDeal, facts: dict, key: Key, rate_of) -> QuoteDeal:
    if deal.opportunity_type is not OpportunityType.RENEWAL:
        return deal
    parent_key = facts[key][2]
    if parent_key is None:
        return replace(deal, renewal=Renewal(None, None, None))
    return replace(deal, renewal=Renewal(parent_key[0], parent_key[1], rate_of(parent_key)))


# The statements of one level of quotes, built once per scope shape (partners/infra/prepared.py).
_QUOTED_OPPORTUNITIES = PreparedQuery(lambda who, history, ids: scoped(Opportunity.select(
    Opportunity.id, Opportunity.name, Opportunity.opportunity_type, Opportunity.stage, Opportunity.amount,
    Opportunity.net_arr, Opportunity.currency, Opportunity.close_date, Opportunity.created_at, Opportunity.parent,
    Opportunity.account.region.as_alias("account_region"),
), None if history else opportunity_scope(who)).where(any_of(Opportunity.id, ids)), takes_shape=True)

_TEAMS = PreparedQuery(lambda who, ids: OpportunityPartner.select(
    OpportunityPartner.opportunity, OpportunityPartner.partner, OpportunityPartner.role,
    OpportunityPartner.is_primary).where(any_of(OpportunityPartner.opportunity, ids)))

# The registrations that can source these deals (on these opportunities) and every
# services-attach one of these partners (P9 counts them across deals); oldest first.
_SOURCING_REGISTRATIONS = PreparedQuery(lambda who, partner_ids, opp_ids: DealRegistration.select(
    DealRegistration.id, DealRegistration.partner, DealRegistration.opportunity, DealRegistration.status,
    DealRegistration.registration_type, DealRegistration.submitted_at, DealRegistration.approved_at,
).where(any_of(DealRegistration.partner, partner_ids) & DealRegistration.approved_at.is_not_null()
        & DealRegistration.status.is_in([DealRegistrationStatus.APPROVED.value, DealRegistrationStatus.EXPIRED.value])
        & (any_of(DealRegistration.opportunity, opp_ids)
           | (DealRegistration.registration_type == DealRegistrationType.SERVICES_ATTACH.value))
        ).order_by(DealRegistration.id))

# The partners quoted, and the authorized distributors of the regions where one of them
# buys through a distributor (P10: OPEN partners that are not distributors).
_QUOTED_PARTNERS = PreparedQuery(lambda who, ids: Partner.select(
    Partner.id, Partner.name, Partner.track, Partner.partner_type, Partner.status, Partner.region,
).where(any_of(Partner.id, ids) | (
    (Partner.partner_type == PartnerType.DISTRIBUTOR.value) & (Partner.status == PartnerStatus.AUTHORIZED.value)
    & Partner.region.is_in(Partner.select(Partner.region).where(
        any_of(Partner.id, ids) & (Partner.track == PartnerTrack.OPEN.value)
        & (Partner.partner_type != PartnerType.DISTRIBUTOR.value))))))


async def _load_level(principal: Principal, keys: list[Key], amounts: dict, facts: dict,
                      parents_history: bool) -> list[Key]:
    """Load one level of keys into `facts`; returns the renewed deals' keys to load next.
    The first level's opportunities are the principal's to see (R9); the renewed deals
    below are history."""
    opp_ids = sorted({k[0] for k in keys})
    opps = {o["id"]: o for o in await _QUOTED_OPPORTUNITIES.run(principal, opp_ids, shape=parents_history)}
    keys = [k for k in keys if k[0] in opps]
    if not keys:
        return []
    renewed = sorted({o["parent"] for o in opps.values()
                      if o["opportunity_type"] == OpportunityType.RENEWAL.value and o["parent"] is not None})
    team = await _TEAMS.run(principal, sorted({*opps, *renewed}))
    partner_ids = sorted({k[1] for k in keys})
    services_attach = DealRegistrationType.SERVICES_ATTACH.value
    regs = await _SOURCING_REGISTRATIONS.run(principal, partner_ids, opp_ids)
    partners = {p["id"]: p for p in await _QUOTED_PARTNERS.run(principal, partner_ids)}
    role_of = {(t["opportunity"], t["partner"]): OpportunityPartnerRole(t["role"]) for t in team}
    primary_of = {t["opportunity"]: t["partner"] for t in team if t["is_primary"]}
    # Live registrations count for today's quotes; an expired one still tells who sourced a past deal.
    counted = (DealRegistrationStatus.APPROVED.value, DealRegistrationStatus.EXPIRED.value) if parents_history \
        else (DealRegistrationStatus.APPROVED.value,)
    sourcing: dict[tuple[int, int], list[dict]] = {}
    services_of: dict[int, list[dict]] = {}
    for r in regs:
        if r["registration_type"] == services_attach:
            services_of.setdefault(r["partner"], []).append(r)
        else:
            sourcing.setdefault((r["opportunity"], r["partner"]), []).append(r)
    distributors_in: dict[str, list[dict]] = {}  # by region, by id
    for p in sorted(partners.values(), key=lambda p: p["id"]):
        if p["partner_type"] == PartnerType.DISTRIBUTOR.value and p["status"] == PartnerStatus.AUTHORIZED.value:
            distributors_in.setdefault(p["region"], []).append(p)
    distributors_on_team: dict[int, set[int]] = {}
    for (opp, member), role in role_of.items():
        if role is OpportunityPartnerRole.DISTRIBUTOR:
            distributors_on_team.setdefault(opp, set()).add(member)
    next_keys = []
    for key in keys:
        opp_id, partner_id, day = key
        o = opps[opp_id]
        row = partners.get(partner_id)
        partner = _partner(row) if row else None
        sourced = next((r for r in sourcing.get((opp_id, partner_id), ())
                        if r["status"] in counted and r["approved_at"].date() <= day), None)
        services = services_of.get(partner_id, ())
        own_services = next((r for r in services if r["opportunity"] == opp_id and r["approved_at"].date() <= day),
                            None)
        service_dates = tuple(sorted(r["approved_at"].date() for r in services if r["approved_at"].date() <= day))
        distributor = None
        if partner is not None and buys_through_distributor(partner):
            # The region's distributor on the deal's team, else the region's first (by id).
            in_region = distributors_in.get(partner.region.value, ())
            on_team = distributors_on_team.get(opp_id, ())
            chosen = next((d for d in in_region if d["id"] in on_team and d["id"] != partner_id), None) \
                if on_team else None
            chosen = chosen or next((d for d in in_region if d["id"] != partner_id), None)
            distributor = _partner(chosen) if chosen else None
        parent_key = None
        if o["opportunity_type"] == OpportunityType.RENEWAL.value and o["parent"] in primary_of:
            parent_day = o["close_date"] or o["created_at"].date()  # the policy of the renewed deal's day
            parent_key = (o["parent"], primary_of[o["parent"]], parent_day if parent_day <= day else day)
            next_keys.append(parent_key)
        currency = o["currency"]
        list_amount = _list_amount(amounts.get(key), o["amount"], currency)
        deal = QuoteDeal(
            opportunity_id=opp_id, name=o["name"], opportunity_type=OpportunityType(o["opportunity_type"]),
            stage=OpportunityStage(o["stage"]), account_region=Region(o["account_region"]),
            list_amount=list_amount, net_arr=Money.of(o["net_arr"] or 0, currency), team_role=role_of.get((opp_id, partner_id)),
            registration=SourcedRegistration(sourced["id"], DealRegistrationType(sourced["registration_type"]),
                                             sourced["submitted_at"]) if sourced else None,
            services_attach_id=own_services["id"] if own_services else None,
            services_attach_dates=service_dates if own_services else (), distributor=distributor,
        )
        facts[key] = (partner, deal, parent_key)
    return next_keys


def _list_amount(asked: RequestedAmount | None, recorded: Decimal | None, currency: str) -> Money:
    """The amount quoted: the one asked for (in the opportunity's currency, at its minor
    unit: refused otherwise, never converted or rounded), else the opportunity's amount."""
    if asked is None:
        return Money.of(recorded or 0, currency)
    if asked.currency is not None and asked.currency != currency:
        invalid = currency_violation(asked.currency, (asked.field, "currency"))
        raise DomainError([invalid or Violation(
            "CURRENCY_MISMATCH", f"The opportunity is in {currency}: quote an amount in {currency}, not "
            f"{asked.currency} (no conversion is implied).", (asked.field,), "D5")])
    violations = amount_violations(asked.value, currency, asked.field, rule="D5")
    if violations:
        raise DomainError(violations)
    return Money.of(asked.value, currency)


# ---------------------------------------------------------------- approvals of reductions (P8)


async def approve_reduction(principal: Principal, opportunity_id: int, partner_id: int, rate: Decimal,
                            reason: str, rate_field: str = "rate") -> dict:
    """P8: record that the partner's discount on this opportunity may be reduced to `rate`.
    Channel managers of the customer's region (as for registrations, D1) and admins."""
    require_roles(principal, *APPROVERS)
    violations = []
    rate = to_decimal(rate)
    if not 0 <= rate < 100:
        violations.append(Violation("RATE_OUT_OF_RANGE", "A reduced rate is a percentage from 0 to below 100.",
                                    (rate_field,), "P8"))
    if not (reason or "").strip():
        violations.append(Violation("REASON_REQUIRED", "Say why the partner discount is reduced.", ("reason",), "P8"))
    if violations:
        raise DomainError(violations)
    async with transaction():
        opp = await scoped(Opportunity.select(Opportunity.id, Opportunity.account.region.as_alias("region")),
                           opportunity_scope(principal)).where(Opportunity.id == opportunity_id).first()
        if opp is None:
            raise NotFound.of("Opportunity", "opportunityId")
        if not principal.is_admin and Region(opp["region"]) not in principal.regions:
            raise DomainError.single("NOT_REGION_APPROVER", f"Only channel managers of {opp['region']} (or admins) "
                                     "approve discounts on this opportunity.", "opportunityId", rule="P8")
        if not await scoped(Partner.exists(), partner_scope(principal)).where(Partner.id == partner_id):
            raise NotFound.of("Partner", "partnerId")
        row = DiscountApproval(opportunity=opportunity_id, partner=partner_id, rate=rate, reason=reason.strip(),
                               approved_by=principal.user_id, approved_at=now())
        await row.save()
        return await DiscountApproval.select().where(DiscountApproval.id == row.id).first()
