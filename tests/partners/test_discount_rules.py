"""Pure discount rules (issue 7): policy ranges (history fixed, no overlaps), the policy
input, line merging for the hook, P8 requested rates, P9 stacking, D6."""

from datetime import date
from decimal import Decimal as D

import pytest

from partners.discounts.enums import DiscountLineKind as Kind
from partners.discounts.policy import (
    PocRate,
    PolicyInput,
    PolicySnapshot,
    ProgramRate,
    VersionRange,
    input_violations,
    range_violations,
)
from partners.discounts.rules import (
    DiscountLine,
    PaidPoc,
    QuoteContext,
    QuoteDeal,
    QuotePartner,
    merge_lines,
    months_before,
    paid_poc_violations,
    requested_rate_violations,
    services_attach_line,
)
from partners.money import Money
from partners.opportunities.enums import OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, PartnerTrack, PartnerType, Region
from partners.registrations.enums import DealRegistrationType as RegType

TODAY = date(2026, 6, 15)
V1 = VersionRange(1, date(2025, 1, 1), None)


def codes(violations):
    return [v.code for v in violations]


def test_d5_a_change_closes_the_open_version_and_starts_tomorrow_at_the_earliest():
    violations, closing = range_violations(date(2026, 6, 16), None, [V1], TODAY)
    assert violations == [] and closing == V1
    assert codes(range_violations(TODAY, None, [V1], TODAY)[0]) == ["POLICY_HISTORY_IS_FIXED"]
    assert codes(range_violations(date(2024, 1, 1), date(2024, 12, 31), [V1], TODAY)[0]) == []  # before any policy
    # The very first version may start in the past: there is no history yet.
    assert range_violations(date(2020, 1, 1), None, [], TODAY) == ([], None)


def test_d5_ranges_never_overlap_except_the_open_version_being_closed():
    future = VersionRange(2, date(2026, 7, 1), date(2026, 8, 1))
    closed_v1 = VersionRange(1, date(2025, 1, 1), date(2026, 7, 1))
    assert codes(range_violations(date(2026, 7, 15), None, [closed_v1, future], TODAY)[0]) == ["POLICY_RANGES_OVERLAP"]
    assert codes(range_violations(date(2026, 8, 1), None, [closed_v1, future], TODAY)[0]) == []
    assert codes(range_violations(date(2026, 6, 20), date(2026, 7, 2), [closed_v1, future], TODAY)[0]) == [
        "POLICY_RANGES_OVERLAP"]


def _rates(rate=D("10")):
    return [ProgramRate(t, k, rate) for t in PartnerTrack for k in (RegType.RESALE, RegType.REFERRAL, RegType.MSP)]


def test_policy_input_rates_are_percentages_and_the_matrix_is_complete():
    assert input_violations(PolicyInput(date(2026, 7, 1), D("7.5"), _rates())) == []
    bad = PolicyInput(date(2026, 7, 1), D("100.01"),
                      _rates()[:-1] + [ProgramRate(PartnerTrack.OPEN, RegType.SERVICES_ATTACH, D(5))],
                      services_attach_rate=D("40"), poc_rates=[PocRate(1, 30, D("5"))])
    found = {(v.code, v.rule) for v in input_violations(bad)}
    assert found == {("RATE_OUT_OF_RANGE", "P7"), ("NOT_A_PROGRAM_TYPE", "P9"), ("MISSING_RATE", "D5"),
                     ("RATE_OUT_OF_RANGE", "P9"), ("INVALID_POC_BAND", "D6")}


def _policy(**fields) -> PolicySnapshot:
    return PolicySnapshot(1, date(2025, 1, 1), None, D("7.5"), tuple(_rates()), **fields)


def _deal(**fields) -> QuoteDeal:
    values = dict(opportunity_id=1, name="Acme", opportunity_type=OpportunityType.NEW_BUSINESS,
                  stage=OpportunityStage.CLOSED_WON, account_region=Region.AMER, list_amount=Money.of("10000", "USD"),
                  net_arr=Money.of("40000", "USD"),
                  team_role=None)
    return QuoteDeal(**{**values, **fields})


ALPHA = QuotePartner(1, "Alpha", PartnerTrack.OPEN, PartnerType.RESELLER, PartnerStatus.AUTHORIZED, Region.AMER)


@pytest.mark.parametrize("dates, rate", [
    ((date(2026, 6, 1),), "2.5"),
    ((date(2026, 1, 1), date(2026, 6, 1)), "5.0"),
    ((date(2025, 9, 1), date(2026, 1, 1), date(2026, 6, 1)), "7.5"),
    ((date(2025, 8, 1), date(2025, 9, 1), date(2026, 1, 1), date(2026, 6, 1)), "7.5"),  # cap: 3 engagements
    ((date(2025, 6, 15), date(2026, 6, 1)), "2.5"),  # 12 months ago to the day: outside the window
])
def test_p9_services_attach_stacks_within_12_months_up_to_3(dates, rate):
    line = services_attach_line(ALPHA, _deal(services_attach_id=9, services_attach_dates=dates),
                                QuoteContext(TODAY, _policy()))
    assert (line.rate, line.amount, line.rule) == (D(rate), Money(D(40000) * D(rate) / 100, "USD"), "P9")
    assert line.amount.amount == (D(40000) * D(rate) / 100).quantize(D("0.01"))


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 6, 15), 12) == date(2025, 6, 15)


def test_d6_paid_poc_bounds():
    policy = _policy()
    assert paid_poc_violations(PaidPoc(5, 12), policy) == []
    assert codes(paid_poc_violations(PaidPoc(4, 11), policy)) == ["PAID_POC_TOO_SHORT", "PAID_POC_USERS"]


def _line(key, rate=D(10), kind=Kind.PARTNER_DISCOUNT, source="policy"):
    return DiscountLine(kind, key, key, D(rate), Money.of(1000, "USD"), source=source)


def test_hook_answers_merge_by_key_plugins_first():
    builtin = [_line("partner"), _line("distributor_margin", 3, Kind.DISTRIBUTOR_MARGIN)]
    plugin = [_line("distributor_margin", 4, Kind.DISTRIBUTOR_MARGIN, "acme"), _line("promo", 2, Kind.PROMOTION, "acme")]
    merged = merge_lines([plugin, None, builtin])
    assert [(l.key, l.rate, l.source) for l in merged] == [
        ("partner", 10, "policy"), ("distributor_margin", 4, "acme"), ("promo", 2, "acme")]
    assert merge_lines([_line("partner")])[0].amount == Money.of("100.00", "USD")
    with pytest.raises(TypeError):
        merge_lines([["not a line"]])


def test_p8_requested_rate_never_above_below_only_with_the_matching_approval():
    line = _line("partner", D("10"))
    assert codes(requested_rate_violations(line, D("10.5"), None, False)) == ["DISCOUNT_INCREASE_REFUSED"]
    assert requested_rate_violations(line, D("10.00"), None, False) == []  # the same rate, whatever its scale
    assert codes(requested_rate_violations(line, D("8"), None, False)) == ["APPROVAL_REQUIRED"]
    assert codes(requested_rate_violations(line, D("8"), {"rate": D("7")}, True)) == ["APPROVAL_MISMATCH"]
    assert requested_rate_violations(line, D("8"), {"rate": D("8.0")}, True) == []
    assert codes(requested_rate_violations(None, D("8"), None, False)) == ["NO_PARTNER_DISCOUNT"]
    assert codes(requested_rate_violations(line, D("-1"), None, False)) == ["RATE_OUT_OF_RANGE"]


def test_p8_comparisons_are_exact_no_epsilon():
    """12.5 on a 12.5 line is no reduction; 12.4999999999 is one (a float epsilon of 1e-9
    used to let it pass), and 12.5000000001 an increase; an approval matches exactly."""
    line = _line("partner", D("12.5"))
    assert requested_rate_violations(line, D("12.5"), None, False) == []
    assert codes(requested_rate_violations(line, D("12.4999999999"), None, False)) == ["APPROVAL_REQUIRED"]
    assert codes(requested_rate_violations(line, D("12.5000000001"), None, False)) == ["DISCOUNT_INCREASE_REFUSED"]
    assert codes(requested_rate_violations(line, D("12.49"), {"rate": D("12.490000001")}, True)) == [
        "APPROVAL_MISMATCH"]
    assert requested_rate_violations(line, D("12.49"), {"rate": D("12.49")}, True) == []


def test_issue40_lines_take_decimal_rates_and_money_a_float_rate_is_read_by_its_repr_with_a_warning(caplog):
    line = DiscountLine(Kind.PROMOTION, "promo_float", "Promo", 2.3, Money.of("999.99", "USD"), source="acme-float")
    assert line.rate == D("2.3") and line.amount == Money.of("23.00", "USD")  # 22.99977 half up
    assert "float rate" in caplog.text and "acme-float" in caplog.text
    jpy = DiscountLine(Kind.PROMOTION, "promo", "Promo", D("12.5"), Money.of(1001, "JPY"))
    assert jpy.amount == Money(D(125), "JPY")  # 125.125 → 125 yen
    with pytest.raises(TypeError, match="Money"):
        DiscountLine(Kind.PROMOTION, "promo", "Promo", D(2), 1000.0)
    with pytest.raises(TypeError, match="Money"):
        DiscountLine(Kind.PROMOTION, "promo", "Promo", D(2), Money.of(1000, "USD"), amount=20.0)
    with pytest.raises(TypeError, match="Decimal"):
        DiscountLine(Kind.PROMOTION, "promo", "Promo", "2", Money.of(1000, "USD"))
    with pytest.raises(Exception) as mismatch:
        DiscountLine(Kind.PROMOTION, "promo", "Promo", D(2), Money.of(1000, "USD"), amount=Money.of(20, "EUR"))
    assert mismatch.value.violations[0].code == "CURRENCY_MISMATCH"
    with pytest.raises(ValueError, match="Money.of"):
        DiscountLine(Kind.PROMOTION, "promo", "Promo", D(2), Money.of(1000, "USD"), amount=Money(D("20.001"), "USD"))


def test_issue40_the_hook_contract_refuses_a_line_in_another_currency_than_the_deal():
    from plugins.contracts import RESULT_CHECKS

    check = RESULT_CHECKS["cosell_partner_discount"]
    deal = _deal(list_amount=Money.of(1000, "EUR"), net_arr=Money.of(0, "EUR"))
    ok = DiscountLine(Kind.PROMOTION, "promo", "Promo", D(2), deal.list_amount)
    usd = DiscountLine(Kind.PROMOTION, "promo_usd", "Promo", D(2), Money.of(1000, "USD"))
    assert check([ok], {"deal": deal}) is None and check(ok, {"deal": deal}) is None
    assert "CURRENCY_MISMATCH" in check([ok, usd], {"deal": deal})
    assert "CURRENCY_MISMATCH" in check(usd, {"deal": deal})
