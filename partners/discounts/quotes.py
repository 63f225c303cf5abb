"""Partner discount quotes (issue 7: D5, D6, P7–P10).

A quote is computed, never stored: for one partner on one opportunity, on one date, with
the policy version in effect on that date (`partners.discounts.policy`). The lines come
from the `cosell_partner_discount` hook: every implementation runs with plain dataclasses
(`QuotePartner`, `QuoteDeal`, `QuoteContext`); the built-in policy
(`plugins.builtin.discounts`, trylast) returns `standard_lines`, and a line a plugin
returns with the same `key` as a built-in line replaces it (`merge_lines`). P8 then
applies a requested rate: never above the partner discount line, below it only with an
approval record (`DiscountApproval`, recorded by a channel manager or an admin).

Loading is batched (`load_deals`): the facts of any number of (opportunity, partner)
pairs take a fixed number of statements, so a page of registrations with their quotes
does not grow the statement count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Iterable

from partners.infra.db import transaction
from partners.discounts.policy import PolicySnapshot, load_policies, policy_on
from partners.registrations.enums import DealRegistrationStatus, DealRegistrationType
from partners.discounts.enums import DiscountBasis, DiscountLineKind
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region, Role
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.people.principal import Principal
from partners.infra.clock import now
from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.discounts.scoping import discount_approval_scope
from partners.opportunities.scoping import opportunity_scope
from partners.people.scoping import partner_scope, scoped
from partners.registrations.tables import DealRegistration
from partners.discounts.tables import DiscountApproval
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.tables import Partner

APPROVERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
# The team roles that sell (D5, P7): brought in by sales, the partner gets the co-sell rate.
SELLING_ROLES = frozenset({OpportunityPartnerRole.RESELLER, OpportunityPartnerRole.FULFILLER,
                           OpportunityPartnerRole.DISTRIBUTOR, OpportunityPartnerRole.DEAL_REGISTRANT})
# How deep a chain of renewals is followed for "last year's discount" (P7).
RENEWAL_DEPTH = 4
KIND_ORDER = {kind: i for i, kind in enumerate(DiscountLineKind)}


# ---------------------------------------------------------------- what plugins see and return


@dataclass(frozen=True)
class DiscountLine:
    """One line of a quote. `rate` is a percentage of `basis_amount`; `amount` defaults to
    rate × basis (rounded to cents). Lines with the same `key` replace each other: the
    built-in uses `partner`, `services_attach`, `distributor_margin`, `paid_poc`."""

    kind: DiscountLineKind
    key: str
    label: str
    rate: float
    basis_amount: float
    amount: float | None = None
    rule: str | None = None  # the DOMAIN.md id (or a plugin's own id) that chose it
    basis: DiscountBasis | None = None  # why the partner discount line has its rate
    partner_id: int | None = None  # who receives it (None: the customer)
    source: str = ""  # "policy" for the built-in; plugins name themselves
    approval_id: int | None = None  # P8: a reduction's approval

    def __post_init__(self) -> None:
        if self.amount is None:
            object.__setattr__(self, "amount", round(self.basis_amount * self.rate / 100.0, 2))


@dataclass(frozen=True)
class QuotePartner:
    id: int
    name: str
    track: PartnerTrack
    partner_type: PartnerType
    status: PartnerStatus
    region: Region


@dataclass(frozen=True)
class SourcedRegistration:
    """The partner's approved partner-sourced registration of the deal (D5, P5)."""

    id: int
    registration_type: DealRegistrationType
    submitted_at: datetime


@dataclass(frozen=True)
class Renewal:
    """P7 on a RENEWAL opportunity: the incumbent is the primary partner of the deal it
    renews (its parent), and last year's discount is that partner's discount there."""

    renews_opportunity_id: int | None
    incumbent_partner_id: int | None
    incumbent_rate: float | None


@dataclass(frozen=True)
class Tender:
    """P7: the deal went to tender on `published_on`."""

    published_on: date


@dataclass(frozen=True)
class PaidPoc:
    """D6: a Paid POC subscription of `users` users for `months` months."""

    users: int
    months: int


@dataclass(frozen=True)
class QuoteDeal:
    opportunity_id: int
    name: str
    opportunity_type: OpportunityType
    stage: OpportunityStage
    account_region: Region
    list_amount: float  # the amount quoted (input, else the opportunity's amount)
    net_arr: float  # P9 basis
    team_role: OpportunityPartnerRole | None  # the quoted partner's role on the team
    registration: SourcedRegistration | None = None
    # P9: the partner's approved services-attach registration of this (closed-won) deal,
    # and the approval dates of all its services-attach engagements up to the quote date.
    services_attach_id: int | None = None
    services_attach_dates: tuple[date, ...] = ()
    renewal: Renewal | None = None
    tender: Tender | None = None
    paid_poc: PaidPoc | None = None
    distributor: QuotePartner | None = None  # P10: whom an OPEN partner buys through


@dataclass(frozen=True)
class QuoteContext:
    quote_date: date
    policy: PolicySnapshot


# ---------------------------------------------------------------- the built-in rules (pure)


def partner_discount_line(partner: QuotePartner, deal: QuoteDeal, policy: PolicySnapshot) -> DiscountLine | None:
    """The partner discount line (P8) with the rule that chose it, or None when the partner
    neither sourced nor sells the deal.

    Order: renewal (P7: incumbent keeps last year's discount, others list price), tender
    (P7: co-sell rate; sourced before the tender keeps the sourced rate), registered and
    sourced (D5: track × registration type), co-sell (D5, P7: on the team as a seller)."""
    reg = deal.registration

    def line(rate: float, basis: DiscountBasis, rule: str, label: str) -> DiscountLine:
        return DiscountLine(DiscountLineKind.PARTNER_DISCOUNT, "partner", label, rate, deal.list_amount, rule=rule,
                            basis=basis, partner_id=partner.id, source="policy")

    def sourced_rate() -> float:
        rate = policy.program_rate(partner.track, reg.registration_type)
        if rate is None:  # the policy input refuses incomplete matrices; older data may lack one
            raise DomainError.single("NO_PROGRAM_RATE", f"The policy has no rate for {partner.track.value} × "
                                     f"{reg.registration_type.value}.", "date", rule="D5")
        return rate

    if deal.renewal is not None:
        r = deal.renewal
        if r.incumbent_partner_id == partner.id and r.incumbent_rate is not None:
            return line(r.incumbent_rate, DiscountBasis.RENEWAL_INCUMBENT, "P7",
                        "Renewal: the incumbent partner keeps last year's discount")
        return line(0.0, DiscountBasis.RENEWAL_NON_INCUMBENT, "P7", "Renewal: not the incumbent, list price")
    if deal.tender is not None:
        if reg is not None and reg.submitted_at.date() < deal.tender.published_on:
            return line(sourced_rate(), DiscountBasis.TENDER_SOURCED, "P7",
                        f"Tender: sourced before the tender, keeps the {partner.track.value} "
                        f"{reg.registration_type.value} rate")
        return line(policy.co_sell_rate, DiscountBasis.TENDER, "P7", "Tender: every bidding partner gets the co-sell rate")
    if reg is not None:
        return line(sourced_rate(), DiscountBasis.REGISTERED, "D5",
                    f"Registered and sourced: {partner.track.value} {reg.registration_type.value} program discount")
    if deal.team_role in SELLING_ROLES:
        return line(policy.co_sell_rate, DiscountBasis.CO_SELL, "P7", "Co-sell: brought in by sales, no registration")
    return None


def services_attach_engagements(deal: QuoteDeal, context: QuoteContext) -> int:
    """P9: the partner's services-attach engagements approved within the stacking window
    (12 months) up to the quote date."""
    start = months_before(context.quote_date, context.policy.services_attach_window_months)
    return sum(1 for day in deal.services_attach_dates if start < day <= context.quote_date)


def services_attach_line(partner: QuotePartner, deal: QuoteDeal, context: QuoteContext) -> DiscountLine | None:
    """P9: 2.5 % of the linked deal's net ARR per engagement, stacked over the partner's
    engagements in the last 12 months, up to 3 (7.5 % at most)."""
    if deal.services_attach_id is None:
        return None
    policy = context.policy
    engagements = max(services_attach_engagements(deal, context), 1)
    counted = min(engagements, policy.services_attach_max_engagements)
    rate = min(policy.services_attach_rate * counted, policy.services_attach_cap)
    capped = f", capped at {policy.services_attach_max_engagements}" if engagements > counted else ""
    label = (f"Services attach: {engagements} engagement(s) in {policy.services_attach_window_months} months"
             f"{capped} × {policy.services_attach_rate:g}% of net ARR")
    return DiscountLine(DiscountLineKind.SERVICES_ATTACH, "services_attach", label, rate, deal.net_arr, rule="P9",
                        partner_id=partner.id, source="policy")


def buys_through_distributor(partner: QuotePartner) -> bool:
    """P10: OPEN partners buy through their region's active distributor; SELECT partners
    may buy direct; a distributor buys direct."""
    return partner.track is PartnerTrack.OPEN and partner.partner_type is not PartnerType.DISTRIBUTOR


def distributor_line(partner: QuotePartner, deal: QuoteDeal, policy: PolicySnapshot) -> DiscountLine | None:
    d = deal.distributor
    if d is None or not buys_through_distributor(partner):
        return None
    return DiscountLine(DiscountLineKind.DISTRIBUTOR_MARGIN, "distributor_margin",
                        f"Distributor route: {d.name}'s margin", policy.distributor_margin_rate, deal.list_amount,
                        rule="P10", partner_id=d.id, source="policy")


def paid_poc_violations(poc: PaidPoc, policy: PolicySnapshot) -> list[Violation]:
    """D6: at least 12 months, 5–20 users (as the policy in effect says)."""
    found = []
    if poc.months < policy.poc_min_months:
        found.append(Violation("PAID_POC_TOO_SHORT", f"A Paid POC is a subscription of at least "
                               f"{policy.poc_min_months} months.", ("paidPoc", "months"), "D6"))
    if not policy.poc_min_users <= poc.users <= policy.poc_max_users:
        found.append(Violation("PAID_POC_USERS", f"A Paid POC is for {policy.poc_min_users}–{policy.poc_max_users} "
                               "users.", ("paidPoc", "users"), "D6"))
    return found


def paid_poc_line(deal: QuoteDeal, policy: PolicySnapshot) -> DiscountLine | None:
    """D6: a customer discount from the matrix (a separate line, P8)."""
    if deal.paid_poc is None:
        return None
    rate = policy.poc_rate(deal.paid_poc.users) or 0.0
    return DiscountLine(DiscountLineKind.CUSTOMER_DISCOUNT, "paid_poc",
                        f"Paid POC: {deal.paid_poc.users} users, {deal.paid_poc.months} months (matrix)", rate,
                        deal.list_amount, rule="D6", source="policy")


def standard_lines(partner: QuotePartner, deal: QuoteDeal, context: QuoteContext) -> list[DiscountLine]:
    """Every built-in line for this partner and deal under the policy in effect."""
    policy = context.policy
    lines = [partner_discount_line(partner, deal, policy), services_attach_line(partner, deal, context)]
    if lines[0] is not None:  # the route matters only when the partner buys the software
        lines.append(distributor_line(partner, deal, policy))
    lines.append(paid_poc_line(deal, policy))
    return [line for line in lines if line is not None]


def merge_lines(results: Iterable[Any]) -> list[DiscountLine]:
    """Combine the hook's answers (in call order: plugins first, the trylast built-in last).
    The first line of each `key` wins, so a plugin replaces a built-in line by returning
    one with its key; other keys add lines. Ordered by kind, then as answered."""
    lines: dict[str, DiscountLine] = {}
    for result in results:
        for line in ([result] if isinstance(result, DiscountLine) else list(result or ())):
            if not isinstance(line, DiscountLine):
                raise TypeError(f"cosell_partner_discount must return partners.discounts.quotes.DiscountLine items, "
                                f"got {line!r}")
            lines.setdefault(line.key, line)
    return sorted(lines.values(), key=lambda line: KIND_ORDER[line.kind])


def requested_rate_violations(line: DiscountLine | None, requested: float, approval: dict | None,
                              approval_given: bool) -> list[Violation]:
    """P8: the partner discount may be reduced (with an approval for exactly that rate on
    this opportunity and partner) but never increased."""
    if not 0 <= requested <= 100:
        return [Violation("RATE_OUT_OF_RANGE", "A rate is a percentage from 0 to 100.", ("requestedRate",), "P8")]
    if line is None:
        return [Violation("NO_PARTNER_DISCOUNT", "This quote has no partner discount line to change.",
                          ("requestedRate",), "P8")]
    if requested > line.rate + 1e-9:
        return [Violation("DISCOUNT_INCREASE_REFUSED", f"The partner discount is never increased: at most "
                          f"{line.rate:g}% here.", ("requestedRate",), "P8")]
    if requested < line.rate - 1e-9:
        if not approval_given:
            return [Violation("APPROVAL_REQUIRED", "A reduced partner discount needs an approval (approvalId).",
                              ("approvalId",), "P8")]
        if approval is None:
            return [Violation("NOT_FOUND", "Discount approval not found.", ("approvalId",))]
        if abs(approval["rate"] - requested) > 1e-9:
            return [Violation("APPROVAL_MISMATCH", f"The approval is for {approval['rate']:g}%, not "
                              f"{requested:g}%.", ("approvalId",), "P8")]
    return []


def with_requested_rate(lines: list[DiscountLine], requested: float, approval_id: int | None) -> list[DiscountLine]:
    out = []
    for line in lines:
        if line.kind is DiscountLineKind.PARTNER_DISCOUNT and line.key == "partner" and requested < line.rate - 1e-9:
            line = replace(line, rate=requested, amount=None, approval_id=approval_id,
                           label=f"{line.label} — reduced from {line.rate:g}% with approval")
        out.append(line)
    return out


# ---------------------------------------------------------------- the quote


@dataclass(frozen=True)
class QuoteRequest:
    opportunity_id: int
    partner_id: int
    quote_date: date | None = None
    amount: float | None = None
    tender: Tender | None = None
    paid_poc: PaidPoc | None = None
    requested_rate: float | None = None
    approval_id: int | None = None


@dataclass(frozen=True)
class Quote:
    opportunity_id: int
    partner_id: int
    quote_date: date
    policy_id: int
    list_amount: float
    route: str  # PurchaseRoute value (P10)
    distributor_name: str | None
    lines: tuple[DiscountLine, ...]

    @property
    def total(self) -> float:
        return round(sum(line.amount for line in self.lines), 2)


def _request_violations(req: QuoteRequest) -> list[Violation]:
    found = []
    if req.amount is not None and req.amount < 0:
        found.append(Violation("NEGATIVE_AMOUNT", "Amounts cannot be negative.", ("amount",)))
    if req.paid_poc is not None and (req.paid_poc.users < 1 or req.paid_poc.months < 1):
        found.append(Violation("PAID_POC_USERS", "Give the Paid POC's users and months.", ("paidPoc",), "D6"))
    if req.approval_id is not None and req.requested_rate is None:
        found.append(Violation("REQUESTED_RATE_REQUIRED", "An approval applies to a requested (reduced) rate.",
                               ("requestedRate",), "P8"))
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
    result = compute(plugins, partner, deal, QuoteContext(day, policy), viewer=principal)
    if result is None:
        raise DomainError.single("NOT_ON_THE_DEAL", f"{partner.name} neither sourced nor sells this opportunity "
                                 "(no approved registration, not on its team as a seller).", "partnerId", rule="D5")
    if req.requested_rate is not None:
        line = next((l for l in result.lines if l.key == "partner" and l.kind is DiscountLineKind.PARTNER_DISCOUNT),
                    None)
        approval = await _visible_approval(principal, req) if req.approval_id is not None else None
        violations = requested_rate_violations(line, req.requested_rate, approval, req.approval_id is not None)
        if violations:
            raise DomainError(violations)
        result = replace(result, lines=tuple(with_requested_rate(list(result.lines), req.requested_rate,
                                                                 req.approval_id)))
    return result


async def _visible_approval(principal: Principal, req: QuoteRequest) -> dict | None:
    return await scoped(DiscountApproval.select(), discount_approval_scope(principal)).where(
        (DiscountApproval.id == req.approval_id) & (DiscountApproval.opportunity == req.opportunity_id)
        & (DiscountApproval.partner == req.partner_id)).first()


def compute(plugins: Any, partner: QuotePartner, deal: QuoteDeal, context: QuoteContext,
            viewer: Principal | None = None) -> Quote | None:
    """Ask every `cosell_partner_discount` implementation; None when nobody has a line."""
    if partner.status is PartnerStatus.DENIED:
        return None  # P1: a denied partner is out of the program
    results = plugins.hook.cosell_partner_discount(partner=partner, deal=deal, context=context)
    lines = merge_lines(results)
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
                out[(o, p)] = compute(plugins, partner, deal, QuoteContext(d, policy), viewer=principal)
            except DomainError:
                out[(o, p)] = None
    return out


# ---------------------------------------------------------------- loading the facts (batched)


Key = tuple[int, int, date]  # (opportunity, partner, quote date)


def _partner(row: dict) -> QuotePartner:
    return QuotePartner(row["id"], row["name"], PartnerTrack(row["track"]), PartnerType(row["partner_type"]),
                        PartnerStatus(row["status"]), Region(row["region"]))


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    raise ValueError(day)


async def load_deals(principal: Principal, keys: list[Key], policies: list[PolicySnapshot],
                     amounts: dict[Key, float | None] | None = None) -> dict[Key, tuple[QuotePartner | None, QuoteDeal]]:
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
    rates: dict[Key, float | None] = {}

    def incumbent_rate(key: Key, seen: frozenset = frozenset()) -> float | None:
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
    Opportunity.net_arr, Opportunity.close_date, Opportunity.created_at, Opportunity.parent,
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
        amount = amounts.get(key)
        deal = QuoteDeal(
            opportunity_id=opp_id, name=o["name"], opportunity_type=OpportunityType(o["opportunity_type"]),
            stage=OpportunityStage(o["stage"]), account_region=Region(o["account_region"]),
            list_amount=float(amount if amount is not None else (o["amount"] or 0.0)),
            net_arr=float(o["net_arr"] or 0.0), team_role=role_of.get((opp_id, partner_id)),
            registration=SourcedRegistration(sourced["id"], DealRegistrationType(sourced["registration_type"]),
                                             sourced["submitted_at"]) if sourced else None,
            services_attach_id=own_services["id"] if own_services else None,
            services_attach_dates=service_dates if own_services else (), distributor=distributor,
        )
        facts[key] = (partner, deal, parent_key)
    return next_keys


# ---------------------------------------------------------------- approvals of reductions (P8)


async def approve_reduction(principal: Principal, opportunity_id: int, partner_id: int, rate: float,
                            reason: str) -> dict:
    """P8: record that the partner's discount on this opportunity may be reduced to `rate`.
    Channel managers of the customer's region (as for registrations, D1) and admins."""
    require_roles(principal, *APPROVERS)
    violations = []
    if not 0 <= rate < 100:
        violations.append(Violation("RATE_OUT_OF_RANGE", "A reduced rate is a percentage from 0 to below 100.",
                                    ("rate",), "P8"))
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
