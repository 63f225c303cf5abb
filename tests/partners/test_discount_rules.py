"""Pure discount rules (issue 7): policy ranges (history fixed, no overlaps), the policy
input, line merging for the hook, P8 requested rates, P9 stacking, D6."""

from datetime import date

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


def _rates(rate=10.0):
    return [ProgramRate(t, k, rate) for t in PartnerTrack for k in (RegType.RESALE, RegType.REFERRAL, RegType.MSP)]


def test_policy_input_rates_are_percentages_and_the_matrix_is_complete():
    assert input_violations(PolicyInput(date(2026, 7, 1), 7.5, _rates())) == []
    bad = PolicyInput(date(2026, 7, 1), 101.0, _rates()[:-1] + [ProgramRate(PartnerTrack.OPEN, RegType.SERVICES_ATTACH, 5)],
                      services_attach_rate=40.0, poc_rates=[PocRate(1, 30, 5.0)])
    found = {(v.code, v.rule) for v in input_violations(bad)}
    assert found == {("RATE_OUT_OF_RANGE", "P7"), ("NOT_A_PROGRAM_TYPE", "P9"), ("MISSING_RATE", "D5"),
                     ("RATE_OUT_OF_RANGE", "P9"), ("INVALID_POC_BAND", "D6")}


def _policy(**fields) -> PolicySnapshot:
    return PolicySnapshot(1, date(2025, 1, 1), None, 7.5, tuple(_rates()), **fields)


def _deal(**fields) -> QuoteDeal:
    values = dict(opportunity_id=1, name="Acme", opportunity_type=OpportunityType.NEW_BUSINESS,
                  stage=OpportunityStage.CLOSED_WON, account_region=Region.AMER, list_amount=10000.0, net_arr=40000.0,
                  team_role=None)
    return QuoteDeal(**{**values, **fields})


ALPHA = QuotePartner(1, "Alpha", PartnerTrack.OPEN, PartnerType.RESELLER, PartnerStatus.AUTHORIZED, Region.AMER)


@pytest.mark.parametrize("dates, rate", [
    ((date(2026, 6, 1),), 2.5),
    ((date(2026, 1, 1), date(2026, 6, 1)), 5.0),
    ((date(2025, 9, 1), date(2026, 1, 1), date(2026, 6, 1)), 7.5),
    ((date(2025, 8, 1), date(2025, 9, 1), date(2026, 1, 1), date(2026, 6, 1)), 7.5),  # cap: 3 engagements
    ((date(2025, 6, 15), date(2026, 6, 1)), 2.5),  # 12 months ago to the day: outside the window
])
def test_p9_services_attach_stacks_within_12_months_up_to_3(dates, rate):
    line = services_attach_line(ALPHA, _deal(services_attach_id=9, services_attach_dates=dates),
                                QuoteContext(TODAY, _policy()))
    assert (line.rate, line.amount, line.rule) == (rate, round(40000 * rate / 100, 2), "P9")


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2026, 6, 15), 12) == date(2025, 6, 15)


def test_d6_paid_poc_bounds():
    policy = _policy()
    assert paid_poc_violations(PaidPoc(5, 12), policy) == []
    assert codes(paid_poc_violations(PaidPoc(4, 11), policy)) == ["PAID_POC_TOO_SHORT", "PAID_POC_USERS"]


def _line(key, rate=10.0, kind=Kind.PARTNER_DISCOUNT, source="policy"):
    return DiscountLine(kind, key, key, rate, 1000.0, source=source)


def test_hook_answers_merge_by_key_plugins_first():
    builtin = [_line("partner"), _line("distributor_margin", 3.0, Kind.DISTRIBUTOR_MARGIN)]
    plugin = [_line("distributor_margin", 4.0, Kind.DISTRIBUTOR_MARGIN, "acme"), _line("promo", 2.0, Kind.PROMOTION, "acme")]
    merged = merge_lines([plugin, None, builtin])
    assert [(l.key, l.rate, l.source) for l in merged] == [
        ("partner", 10.0, "policy"), ("distributor_margin", 4.0, "acme"), ("promo", 2.0, "acme")]
    assert merge_lines([_line("partner")])[0].amount == 100.0
    with pytest.raises(TypeError):
        merge_lines([["not a line"]])


def test_p8_requested_rate_never_above_below_only_with_the_matching_approval():
    line = _line("partner", 10.0)
    assert codes(requested_rate_violations(line, 10.5, None, False)) == ["DISCOUNT_INCREASE_REFUSED"]
    assert requested_rate_violations(line, 10.0, None, False) == []
    assert codes(requested_rate_violations(line, 8.0, None, False)) == ["APPROVAL_REQUIRED"]
    assert codes(requested_rate_violations(line, 8.0, {"rate": 7.0}, True)) == ["APPROVAL_MISMATCH"]
    assert requested_rate_violations(line, 8.0, {"rate": 8.0}, True) == []
    assert codes(requested_rate_violations(None, 8.0, None, False)) == ["NO_PARTNER_DISCOUNT"]
    assert codes(requested_rate_violations(line, -1.0, None, False)) == ["RATE_OUT_OF_RANGE"]
