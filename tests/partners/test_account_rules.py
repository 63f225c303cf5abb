"""Pure account rules (A1–A4, A7–A10), tested directly."""

from datetime import datetime, timezone
from decimal import Decimal as D

from partners.accounts.enums import Ranking, Segment
from partners.accounts.rules import (
    effective_employee_count,
    hierarchy_segment,
    holdover_until,
    is_first_order_target,
    is_global_digital_smb,
    ranking_violations,
    segment_for_employees,
    territory_address,
)
from partners.people.enums import Region


def test_a1_segment_boundaries():
    assert segment_for_employees(None) is None
    assert segment_for_employees(0) is Segment.SMB
    assert segment_for_employees(99) is Segment.SMB
    assert segment_for_employees(100) is Segment.MID_MARKET
    assert segment_for_employees(1999) is Segment.MID_MARKET
    assert segment_for_employees(2000) is Segment.LARGE


def test_a2_hierarchy_takes_the_maximum_segment():
    assert hierarchy_segment([50, None, 2500, 300]) is Segment.LARGE
    assert hierarchy_segment([50, 120]) is Segment.MID_MARKET
    assert hierarchy_segment([None, None]) is None


def test_a3_override_then_datafox_then_zoominfo():
    assert effective_employee_count(120, 5000) == 120
    assert effective_employee_count(None, 5000) == 5000
    assert effective_employee_count(120, 5000, override=80) == 80
    assert effective_employee_count(None, None) is None


def test_a4_territory_address_priority():
    candidates = [{"source": "BILLING", "city": "b"}, {"source": "SHIPPING", "city": "s"},
                  {"source": "ZOOMINFO", "city": "z"}]
    assert territory_address(candidates)["city"] == "z"
    assert territory_address(candidates + [{"source": "DATAFOX", "city": "d"}])["city"] == "d"
    assert territory_address(candidates + [{"source": "ADMIN_OVERRIDE", "city": "a"}])["city"] == "a"
    assert territory_address([{"source": "BILLING", "city": "b"}])["city"] == "b"
    assert territory_address([]) is None


def test_a7_global_digital_smb():
    """The cARR is already in USD (issue 40: the caller converts at today's rate), exact."""
    assert is_global_digital_smb(D("29999.99"), 100, "US")
    assert not is_global_digital_smb(D("30000.00"), 100, "US")
    assert is_global_digital_smb(None, 100, "US"), "no cARR reads as 0"
    assert not is_global_digital_smb(D(10_000), 101, "US")
    assert not is_global_digital_smb(D(10_000), 20, "JP")
    assert not is_global_digital_smb(D(10_000), None, "US")


def test_a8_first_order_target():
    base = dict(segment=Segment.MID_MARKET, region=Region.AMER, country="US", first_order_available=True,
                employees=500, potential_users=None)
    assert is_first_order_target(**base)
    assert is_first_order_target(**{**base, "employees": 150, "potential_users": 100})
    assert not is_first_order_target(**{**base, "employees": 499, "potential_users": 99})
    assert is_first_order_target(**{**base, "region": Region.EMEA, "country": "DE"})
    assert not is_first_order_target(**{**base, "region": Region.AMER, "country": "BR"})
    assert not is_first_order_target(**{**base, "region": Region.APJ, "country": "JP"})
    assert not is_first_order_target(**{**base, "first_order_available": False})
    assert not is_first_order_target(**{**base, "segment": Segment.LARGE})


def test_a9_smb_ranking_needs_potential_users_or_note():
    assert ranking_violations(Segment.SMB, Ranking.RANK_1, None, "")[0].rule == "A9"
    assert ranking_violations(Segment.SMB, Ranking.RANK_1_5, 40, "") == []
    assert ranking_violations(Segment.SMB, Ranking.RANK_3, None, " ")[0].code == "RANKING_NOTE_REQUIRED"
    assert ranking_violations(Segment.SMB, Ranking.RANK_2, None, "dormant") == []
    assert ranking_violations(Segment.LARGE, Ranking.RANK_1, None, "") == []


def test_a10_holdover_is_180_days_after_creation():
    created = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert holdover_until(created) == datetime(2025, 6, 30, tzinfo=timezone.utc)
