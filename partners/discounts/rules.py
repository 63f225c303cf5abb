"""Partner discounts (D5, D6, P7–P10): the pure rules (no database, no awaits).

What the `cosell_partner_discount` hook's implementations see and return, as plain frozen
dataclasses (`QuotePartner`, `QuoteDeal`, `QuoteContext`, `DiscountLine`; plugins import
them from `partners.discounts`), the built-in lines under the policy in effect
(`standard_lines`: D5, D6, P7, P9, P10), how the hook's answers merge (`merge_lines`) and
what a requested rate may be (P8). Quotes themselves (loading the facts, asking the hook,
approvals) are in `partners.discounts.quotes`.

Money (issue 40): rates are exact `Decimal` percentages, amounts are `partners.money.Money`
in the deal's currency. A line's amount is its basis × rate / 100 rounded half up to the
currency's minor unit (`Money.percent`); a quote's total is the exact sum of its lines.
Every comparison of rates (P8 "never increased", P9's cap) is exact.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable

from partners.discounts.enums import DiscountBasis, DiscountLineKind
from partners.discounts.policy import PolicySnapshot
from partners.infra.errors import DomainError, Violation
from partners.money import CurrencyMismatch, Money, round_to_minor, to_decimal
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.registrations.enums import DealRegistrationType

# The team roles that sell (D5, P7): brought in by sales, the partner gets the co-sell rate.
SELLING_ROLES = frozenset({OpportunityPartnerRole.RESELLER, OpportunityPartnerRole.FULFILLER,
                           OpportunityPartnerRole.DISTRIBUTOR, OpportunityPartnerRole.DEAL_REGISTRANT})
KIND_ORDER = {kind: i for i, kind in enumerate(DiscountLineKind)}
ZERO = Decimal(0)
log = logging.getLogger("cosell.plugins")
# (source, key) of the lines already warned about a float rate: one warning per line kind and process.
_FLOAT_RATE_WARNED: set[tuple[str, str]] = set()


def pct(rate: Decimal) -> str:
    """A percentage for a label or a message: 12.5, 10, 7.25 (no exponent, no trailing zeros)."""
    return format(rate.normalize(), "f") if rate else "0"


def exact_rate(value: object, source: str = "", key: str = "") -> Decimal:
    """A line's rate as an exact Decimal. A float (the hook's contract before issue 40) is
    read by its repr for one deprecation cycle, with a warning naming the line's source."""
    if isinstance(value, float):
        if (source, key) not in _FLOAT_RATE_WARNED:
            _FLOAT_RATE_WARNED.add((source, key))
            log.warning("DiscountLine %r of %r has a float rate (%r), read as %s: return a decimal.Decimal "
                        "(floats are deprecated, issue 40).", key, source or "?", value, to_decimal(value),
                        extra={"plugin": source, "line_key": key})
        return to_decimal(value)
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"DiscountLine.rate must be a decimal.Decimal percentage, got {value!r}")
    return to_decimal(value)


# ---------------------------------------------------------------- what plugins see and return


@dataclass(frozen=True)
class DiscountLine:
    """One line of a quote. `rate` is an exact percentage (`Decimal`) of `basis_amount`, a
    `Money` in the deal's currency; `amount` defaults to `basis_amount.percent(rate)`: rate ×
    basis / 100 rounded half up to the currency's minor unit. A given `amount` is a `Money`
    of the basis's currency at its minor unit (`Money.of` rounds). Lines with the same `key`
    replace each other: the built-in uses `partner`, `services_attach`,
    `distributor_margin`, `paid_poc`."""

    kind: DiscountLineKind
    key: str
    label: str
    rate: Decimal
    basis_amount: Money
    amount: Money | None = None
    rule: str | None = None  # the DOMAIN.md id (or a plugin's own id) that chose it
    basis: DiscountBasis | None = None  # why the partner discount line has its rate
    partner_id: int | None = None  # who receives it (None: the customer)
    source: str = ""  # "policy" for the built-in; plugins name themselves
    approval_id: int | None = None  # P8: a reduction's approval

    def __post_init__(self) -> None:
        rate = exact_rate(self.rate, self.source, self.key)
        object.__setattr__(self, "rate", rate)
        basis = self.basis_amount
        if not isinstance(basis, Money):
            raise TypeError(f"DiscountLine.basis_amount must be a partners.money.Money (issue 40), got {basis!r}")
        if self.amount is None:
            object.__setattr__(self, "amount", basis.percent(rate))
            return
        amount = self.amount
        if not isinstance(amount, Money):
            raise TypeError(f"DiscountLine.amount must be a partners.money.Money or None (issue 40), got {amount!r}")
        if amount.currency != basis.currency:
            raise CurrencyMismatch.of(basis.currency, amount.currency, "amount")
        if amount.amount != round_to_minor(amount.amount, amount.currency):
            raise ValueError(f"DiscountLine.amount {amount} has more decimals than {amount.currency} "
                             "(build it with Money.of, which rounds half up)")


    def derive(self, **changes: Any) -> "DiscountLine":
        """This line with `changes` (any field): a new `rate` or `basis_amount` recomputes the
        amount unless an `amount` is given too. Use it rather than `dataclasses.replace`, which
        keeps the old amount (issue 41): `line.derive(rate=Decimal("12"), source="acme")`."""
        if "amount" not in changes and ("rate" in changes or "basis_amount" in changes):
            changes["amount"] = None
        return replace(self, **changes)


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
    incumbent_rate: Decimal | None


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
    list_amount: Money  # the amount quoted (input, else the opportunity's amount), in its currency
    net_arr: Money  # P9 basis, in the opportunity's currency
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

    @property
    def currency(self) -> str:
        """The opportunity's currency (ISO 4217): every line of its quotes is in it (D5)."""
        return self.list_amount.currency


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

    def line(rate: Decimal, basis: DiscountBasis, rule: str, label: str) -> DiscountLine:
        return DiscountLine(DiscountLineKind.PARTNER_DISCOUNT, "partner", label, rate, deal.list_amount, rule=rule,
                            basis=basis, partner_id=partner.id, source="policy")

    def sourced_rate() -> Decimal:
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
        return line(ZERO, DiscountBasis.RENEWAL_NON_INCUMBENT, "P7", "Renewal: not the incumbent, list price")
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
    engagements in the last 12 months, up to 3 (7.5 % at most, exactly: Decimal rates)."""
    if deal.services_attach_id is None:
        return None
    policy = context.policy
    engagements = max(services_attach_engagements(deal, context), 1)
    counted = min(engagements, policy.services_attach_max_engagements)
    rate = min(policy.services_attach_rate * counted, policy.services_attach_cap)
    capped = f", capped at {policy.services_attach_max_engagements}" if engagements > counted else ""
    label = (f"Services attach: {engagements} engagement(s) in {policy.services_attach_window_months} months"
             f"{capped} × {pct(policy.services_attach_rate)}% of net ARR")
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
    rate = policy.poc_rate(deal.paid_poc.users) or ZERO
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
                raise TypeError(f"cosell_partner_discount must return partners.discounts.DiscountLine items, "
                                f"got {line!r}")
            lines.setdefault(line.key, line)
    return sorted(lines.values(), key=lambda line: KIND_ORDER[line.kind])


def requested_rate_violations(line: DiscountLine | None, requested: Decimal, approval: dict | None,
                              approval_given: bool, field: str = "requestedRate") -> list[Violation]:
    """P8: the partner discount may be reduced (with an approval for exactly that rate on
    this opportunity and partner) but never increased. Rates compare exactly (Decimal):
    12.5 requested on a 12.5 line is no reduction; 12.49 needs an approval of 12.49."""
    requested = to_decimal(requested)
    if not 0 <= requested <= 100:
        return [Violation("RATE_OUT_OF_RANGE", "A rate is a percentage from 0 to 100.", (field,), "P8")]
    if line is None:
        return [Violation("NO_PARTNER_DISCOUNT", "This quote has no partner discount line to change.",
                          (field,), "P8")]
    if requested > line.rate:
        return [Violation("DISCOUNT_INCREASE_REFUSED", f"The partner discount is never increased: at most "
                          f"{pct(line.rate)}% here.", (field,), "P8")]
    if requested < line.rate:
        if not approval_given:
            return [Violation("APPROVAL_REQUIRED", "A reduced partner discount needs an approval (approvalId).",
                              ("approvalId",), "P8")]
        if approval is None:
            return [Violation("NOT_FOUND", "Discount approval not found.", ("approvalId",))]
        if to_decimal(approval["rate"]) != requested:
            return [Violation("APPROVAL_MISMATCH", f"The approval is for {pct(to_decimal(approval['rate']))}%, not "
                              f"{pct(requested)}%.", ("approvalId",), "P8")]
    return []


def with_requested_rate(lines: list[DiscountLine], requested: Decimal, approval_id: int | None) -> list[DiscountLine]:
    """P8: the partner line at the (lower) requested rate, its amount recomputed from it."""
    requested = to_decimal(requested)
    out = []
    for line in lines:
        if line.kind is DiscountLineKind.PARTNER_DISCOUNT and line.key == "partner" and requested < line.rate:
            line = replace(line, rate=requested, amount=None, approval_id=approval_id,
                           label=f"{line.label} — reduced from {pct(line.rate)}% with approval")
        out.append(line)
    return out


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier (the month's last day when it is shorter): the
    start of P9's stacking window."""
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(y, m, d)
        except ValueError:
            continue
    raise ValueError(day)
