"""Tables of the discount policy and reduction approvals (D5, D6, P7-P10)."""

from __future__ import annotations

from decimal import Decimal

from piccolo.columns import Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from partners.money.columns import ExactDecimal
from partners.opportunities.tables import Opportunity
from partners.people.enums import PartnerTrack
from partners.people.tables import Partner, User
from partners.registrations.enums import DealRegistrationType

# Partner discounts (issue 7: D5, D6, P7–P10). Rules live in partners.discounts.rules and
# partners.discounts.policy. A policy is a version with an effective date range
# [effective_from, effective_to) (null = open-ended); versions never overlap and a change
# closes the current version and adds a new one, so a quote dated D always finds the
# policy that was in effect on D. Rates are exact percentages (issue 40).


class DiscountPolicy(Table, tablename="discount_policy"):
    effective_from = Date(index=True)
    effective_to = Date(null=True, default=None)  # exclusive; null = until replaced
    co_sell_rate = ExactDecimal(default=Decimal("0.0"))  # D5, P7 (percent)
    services_attach_rate = ExactDecimal(default=Decimal("2.5"))  # P9: per engagement, % of the linked deal's net ARR
    services_attach_max_engagements = Integer(default=3)  # P9: stackable up to 3 …
    services_attach_window_months = Integer(default=12)  # P9: … in 12 months
    distributor_margin_rate = ExactDecimal(default=Decimal("0.0"))  # P10 (percent of the list amount)
    poc_min_months = Integer(default=12)  # D6
    poc_min_users = Integer(default=5)  # D6
    poc_max_users = Integer(default=20)  # D6
    notes = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz()


class DiscountProgramRate(Table, tablename="discount_program_rate"):
    """D5: the program discount of a partner track for a registration type (percent)."""

    policy = ForeignKey(references=DiscountPolicy, on_delete=OnDelete.cascade, index=True)
    track = Varchar(length=32, choices=PartnerTrack)
    registration_type = Varchar(length=32, choices=DealRegistrationType)
    rate = ExactDecimal()


class DiscountPocRate(Table, tablename="discount_poc_rate"):
    """D6: the Paid POC matrix: a customer discount by number of users (inclusive band)."""

    policy = ForeignKey(references=DiscountPolicy, on_delete=OnDelete.cascade, index=True)
    min_users = Integer()
    max_users = Integer()
    rate = ExactDecimal()


class DiscountApproval(Table, tablename="discount_approval"):
    """P8: a channel manager's (or admin's) approval to reduce a partner's discount on one
    opportunity to `rate`; a quote asking for that reduced rate names it."""

    opportunity = ForeignKey(references=Opportunity, on_delete=OnDelete.cascade, index=True)
    partner = ForeignKey(references=Partner, on_delete=OnDelete.restrict, index=True)
    rate = ExactDecimal()
    reason = Text(default="")
    approved_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    approved_at = Timestamptz()
