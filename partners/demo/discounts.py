"""The example discount policy (discounts domain): `cosell demo load` writes it, and so can
a test that needs a policy without the rest of the world."""

from __future__ import annotations

from datetime import date

from partners.discounts import policy as dp
from partners.people.enums import PartnerTrack
from partners.registrations.enums import DealRegistrationType

# EXAMPLE discount percentages (D5, D6, P7–P10). The vendor's real percentages per track are
# not public: these only make the demo's quotes believable. Replace them with
# `addDiscountPolicy` (admins) in a real installation.
EXAMPLE_PROGRAM_RATES = {
    "OPEN": {"RESALE": 10.0, "REFERRAL": 5.0, "MSP": 8.0},
    "SELECT": {"RESALE": 20.0, "REFERRAL": 10.0, "MSP": 15.0},
    "SELECT_SERVICES": {"RESALE": 18.0, "REFERRAL": 9.0, "MSP": 12.0},
}


async def create_example_discount_policy() -> None:
    """One open-ended policy version from 2025-01-01, marked EXAMPLE in its notes."""
    await dp.add_version(None, dp.PolicyInput(
        effective_from=date(2025, 1, 1), co_sell_rate=7.5,
        program_rates=[dp.ProgramRate(PartnerTrack(t), DealRegistrationType(k), r)
                       for t, by_type in EXAMPLE_PROGRAM_RATES.items() for k, r in by_type.items()],
        services_attach_rate=2.5, services_attach_max_engagements=3, services_attach_window_months=12,  # P9
        distributor_margin_rate=3.0,  # P10
        poc_rates=[dp.PocRate(5, 10, 10.0), dp.PocRate(11, 20, 15.0)],  # D6
        notes="EXAMPLE values for the demo, not the vendor's real percentages (they are not public).",
    ))
