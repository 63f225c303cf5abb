"""Property tests (issue 40, Hypothesis) of exact money on the pure discount rules: random
amounts, currencies of 0, 2 and 3 decimals (JPY, USD, BHD) and policies.

- D5/P8: a quote's lines sum exactly to its total (never rounded again);
- P8: a reduction never increases a line nor the total;
- P9: services-attach stacking caps at exactly the policy's cap (7.5 % with the defaults);
- every line equals a reference computation in Decimal (basis × rate / 100 half up);
- Money: CURRENCY_MISMATCH on mixed currencies, rounding is idempotent.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings, strategies as st

from partners.discounts.enums import DiscountLineKind as Kind
from partners.discounts.policy import PocRate, PolicySnapshot, ProgramRate
from partners.discounts.quotes import Quote
from partners.discounts.rules import (
    DiscountLine,
    PaidPoc,
    QuoteContext,
    QuoteDeal,
    QuotePartner,
    SourcedRegistration,
    merge_lines,
    requested_rate_violations,
    services_attach_line,
    standard_lines,
    with_requested_rate,
)
from partners.money import CurrencyMismatch, Money, minor_units, round_to_minor
from partners.money.amounts import total
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.registrations.enums import DealRegistrationType as RegType

SETTINGS = settings(max_examples=200, deadline=None)
CURRENCIES = ("JPY", "USD", "BHD")  # 0, 2, 3 decimals
TODAY = date(2026, 6, 15)

currencies = st.sampled_from(CURRENCIES)
# Percentages with up to 4 decimals, 0–100 (policies accept any exact decimal in range).
rates = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)
small_rates = st.decimals(min_value=0, max_value=30, places=3, allow_nan=False, allow_infinity=False)


@st.composite
def money(draw, currency: str | None = None, max_value: int = 10**12) -> Money:
    """An amount at the currency's minor unit (as the API accepts them)."""
    code = currency or draw(currencies)
    units = draw(st.integers(min_value=0, max_value=max_value * 10 ** minor_units(code)))
    return Money(Decimal(units).scaleb(-minor_units(code)), code)


@st.composite
def policies(draw) -> PolicySnapshot:
    program = tuple(ProgramRate(t, k, draw(rates)) for t in PartnerTrack
                    for k in (RegType.RESALE, RegType.REFERRAL, RegType.MSP))
    return PolicySnapshot(
        1, date(2020, 1, 1), None, draw(rates), program,
        services_attach_rate=draw(small_rates),
        services_attach_max_engagements=draw(st.integers(min_value=1, max_value=3)),
        distributor_margin_rate=draw(rates),
        poc_rates=(PocRate(5, 10, draw(rates)), PocRate(11, 20, draw(rates))),
    )


@st.composite
def quotes(draw):
    """A partner, a deal (any currency), a context: the inputs of `standard_lines`."""
    currency = draw(currencies)
    track = draw(st.sampled_from(list(PartnerTrack)))
    partner = QuotePartner(1, "Alpha", track, PartnerType.RESELLER, PartnerStatus.AUTHORIZED, Region.AMER)
    registered = draw(st.booleans())
    engagements = draw(st.integers(min_value=0, max_value=6))
    deal = QuoteDeal(
        opportunity_id=1, name="Acme", opportunity_type=OpportunityType.NEW_BUSINESS,
        stage=OpportunityStage.CLOSED_WON, account_region=Region.AMER, list_amount=draw(money(currency)),
        net_arr=draw(money(currency)),
        team_role=OpportunityPartnerRole.RESELLER if draw(st.booleans()) else None,
        registration=SourcedRegistration(7, draw(st.sampled_from([RegType.RESALE, RegType.REFERRAL, RegType.MSP])),
                                         TODAY - timedelta(days=30)) if registered else None,
        services_attach_id=9 if engagements else None,
        services_attach_dates=tuple(TODAY - timedelta(days=20 * i) for i in range(engagements)),
        paid_poc=PaidPoc(draw(st.integers(min_value=5, max_value=20)), 12) if draw(st.booleans()) else None,
        distributor=QuotePartner(2, "Gamma", PartnerTrack.SELECT, PartnerType.DISTRIBUTOR, PartnerStatus.AUTHORIZED,
                                 Region.AMER) if draw(st.booleans()) else None,
    )
    return partner, deal, QuoteContext(TODAY, draw(policies()))


def reference(basis: Money, rate: Decimal) -> Decimal:
    """The line amount computed independently: basis × rate / 100, half up to the minor unit."""
    quantum = Decimal(1).scaleb(-minor_units(basis.currency))
    return (basis.amount * rate / Decimal(100)).quantize(quantum, rounding=ROUND_HALF_UP)


def as_quote(deal: QuoteDeal, lines) -> Quote:
    return Quote(deal.opportunity_id, 1, TODAY, 1, deal.list_amount, "DIRECT", None, tuple(lines))


@SETTINGS
@given(quotes())
def test_lines_equal_the_reference_and_sum_exactly_to_the_total(case):
    partner, deal, context = case
    lines = merge_lines([standard_lines(partner, deal, context)])
    for line in lines:
        assert line.amount.currency == line.basis_amount.currency == deal.currency
        assert line.amount.amount == reference(line.basis_amount, line.rate)
        # At the minor unit, exactly (JPY 0 decimals, USD 2, BHD 3).
        assert line.amount.amount == round_to_minor(line.amount.amount, deal.currency)
    quote = as_quote(deal, lines)
    assert quote.total == Money(sum((l.amount.amount for l in lines), Decimal(0)), deal.currency)
    assert quote.total.amount == round_to_minor(quote.total.amount, deal.currency), "a sum is never re-rounded"


@SETTINGS
@given(quotes(), st.data())
def test_p8_a_reduction_never_increases_a_line_nor_the_total(case, data):
    partner, deal, context = case
    lines = merge_lines([standard_lines(partner, deal, context)])
    partner_line = next((l for l in lines if l.key == "partner"), None)
    if partner_line is None:
        return
    requested = data.draw(st.decimals(min_value=0, max_value=partner_line.rate, places=4, allow_nan=False,
                                      allow_infinity=False) if partner_line.rate else st.just(Decimal(0)))
    approval = {"rate": requested}
    assert requested_rate_violations(partner_line, requested, approval, True) == []
    reduced = with_requested_rate(lines, requested, 42)
    assert len(reduced) == len(lines)
    for before, after in zip(lines, reduced):
        assert after.amount <= before.amount and after.rate <= before.rate
        if after.key == "partner":
            assert after.rate == requested and after.amount.amount == reference(after.basis_amount, requested)
        else:
            assert after == before
    assert as_quote(deal, reduced).total <= as_quote(deal, lines).total
    # Anything above the line, by however little, is an increase (P8: exact, no epsilon).
    above = partner_line.rate + Decimal("0.0001")
    codes = [v.code for v in requested_rate_violations(partner_line, above, None, False)]
    assert codes == (["DISCOUNT_INCREASE_REFUSED"] if above <= 100 else ["RATE_OUT_OF_RANGE"])


@SETTINGS
@given(quotes(), st.integers(min_value=1, max_value=40))
def test_p9_stacking_caps_at_exactly_the_cap(case, engagements):
    partner, deal, context = case
    deal = QuoteDeal(**{**deal.__dict__, "services_attach_id": 9,
                        "services_attach_dates": tuple(TODAY - timedelta(days=i % 300) for i in range(engagements))})
    policy = context.policy
    line = services_attach_line(partner, deal, context)
    counted = min(engagements, policy.services_attach_max_engagements)
    assert line.rate == policy.services_attach_rate * counted
    assert line.rate <= policy.services_attach_cap
    assert line.amount.amount == reference(deal.net_arr, line.rate)


@SETTINGS
@given(st.integers(min_value=3, max_value=500), money())
def test_p9_defaults_cap_at_exactly_7_5_percent(engagements, net_arr):
    policy = PolicySnapshot(1, date(2020, 1, 1), None, Decimal("7.5"), ())
    partner = QuotePartner(1, "Alpha", PartnerTrack.OPEN, PartnerType.RESELLER, PartnerStatus.AUTHORIZED, Region.AMER)
    deal = QuoteDeal(1, "Acme", OpportunityType.NEW_BUSINESS, OpportunityStage.CLOSED_WON, Region.AMER, net_arr,
                     net_arr, None, services_attach_id=9,
                     services_attach_dates=tuple(TODAY - timedelta(days=i % 360) for i in range(engagements)))
    line = services_attach_line(partner, deal, QuoteContext(TODAY, policy))
    assert line.rate == Decimal("7.5") and str(policy.services_attach_cap) == "7.5"
    assert line.amount.amount == reference(net_arr, Decimal("7.5"))


@SETTINGS
@given(st.lists(st.tuples(rates, st.text(alphabet="abcdef", min_size=1, max_size=3)), max_size=8),
       currencies, st.data())
def test_plugin_lines_merge_and_sum_exactly_whatever_their_rates(answers, currency, data):
    basis = data.draw(money(currency))
    lines = [DiscountLine(Kind.PROMOTION, key, key, rate, basis, source="prop") for rate, key in answers]
    merged = merge_lines([lines])
    assert len(merged) == len({key for _, key in answers})
    assert as_quote(QuoteDeal(1, "x", OpportunityType.NEW_BUSINESS, OpportunityStage.DISCOVERY, Region.AMER, basis,
                              basis, None), merged).total.amount == sum((l.amount.amount for l in merged), Decimal(0))


# ---------------------------------------------------------------- Money itself


@SETTINGS
@given(money(), money())
def test_money_refuses_mixed_currencies(a, b):
    if a.currency == b.currency:
        assert (a + b).amount == a.amount + b.amount and (a + b) - b == a
        return
    for operation in (lambda: a + b, lambda: a - b, lambda: a < b, lambda: total([a, b], a.currency)):
        with pytest.raises(CurrencyMismatch) as refused:
            operation()
        assert refused.value.violations[0].code == "CURRENCY_MISMATCH"


@SETTINGS
@given(st.decimals(min_value=-10**12, max_value=10**12, places=6, allow_nan=False, allow_infinity=False), currencies)
def test_rounding_is_half_up_and_idempotent(value, currency):
    once = Money.of(value, currency)
    assert Money.of(once.amount, currency) == once and once.rounded() == once
    assert abs(once.amount - value) <= Decimal(1).scaleb(-minor_units(currency)) / 2
    assert once.amount == round_to_minor(value, currency)
    assert once.amount == value.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


@SETTINGS
@given(money(), rates)
def test_percent_of_money_is_the_reference(basis, rate):
    assert basis.percent(rate).amount == reference(basis, rate)
    assert basis.percent(rate) <= basis if rate <= 100 else True
