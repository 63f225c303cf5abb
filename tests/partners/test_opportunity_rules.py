"""Pure opportunity rules (O2–O11), tested directly."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from partners.accounts.enums import ScreeningStatus, Segment
from partners.infra.errors import DomainError
from partners.opportunities.enums import (
    LossReason,
    OpportunityStage as S,
    OpportunityType as T,
    SalesQualifiedSource as Q,
)
from partners.opportunities.rules import (
    StageMove,
    counts_as_new_logo,
    opportunity_name,
    sales_qualified_source,
    stage_move_effects,
    stage_move_violations,
    threshold_flags,
    type_violations,
)
from partners.people.enums import PartnerStatus, Role

AT = datetime(2025, 3, 1, tzinfo=timezone.utc)


def opp(stage: S, **fields) -> dict:
    row = dict(id=1, stage=stage.value, amount=1000.0, net_arr=800.0, sales_accepted_at=None,
               sales_qualified=False, closed_at=None)
    row.update(fields)
    return row


def rules_of(row: dict, target: S, screening=ScreeningStatus.CLEAR, **move) -> list[str]:
    return [v.rule for v in stage_move_violations(row, StageMove(target=target, **move), account_screening=screening, at=AT)]


def test_o2_pre_opportunity_passes_through_pending_acceptance():
    assert rules_of(opp(S.PRE_OPPORTUNITY), S.DISCOVERY) == ["O2"]
    assert rules_of(opp(S.PRE_OPPORTUNITY), S.PENDING_ACCEPTANCE) == []


def test_o3_amount_and_unqualified_only_from_acceptance():
    assert rules_of(opp(S.PENDING_ACCEPTANCE, amount=None), S.DISCOVERY) == ["O3"]
    assert rules_of(opp(S.DISCOVERY), S.UNQUALIFIED) == ["O3"]
    assert rules_of(opp(S.PRE_OPPORTUNITY), S.UNQUALIFIED) == []
    effects = stage_move_effects(opp(S.PENDING_ACCEPTANCE), StageMove(S.DISCOVERY), AT)
    assert AT in effects.values()


def test_o4_leaving_discovery_qualifies_and_snapshots_iacv():
    effects = {c._meta.name: v for c, v in stage_move_effects(opp(S.DISCOVERY, sales_accepted_at=AT),
                                                               StageMove(S.SCOPING), AT).items()}
    assert effects["sales_qualified"] is True and effects["initial_iacv"] == 800.0


def test_o5_qualified_never_returns():
    row = opp(S.SCOPING, sales_qualified=True, sales_accepted_at=AT)
    assert rules_of(row, S.PENDING_ACCEPTANCE) == ["O5"]
    assert rules_of(row, S.DISCOVERY) == []


def test_o6_duplicate_needs_original_and_no_acceptance():
    assert rules_of(opp(S.PENDING_ACCEPTANCE), S.DUPLICATE) == ["O6"]
    assert rules_of(opp(S.PENDING_ACCEPTANCE), S.DUPLICATE, duplicate_of_id=2) == []
    assert rules_of(opp(S.DISCOVERY, sales_accepted_at=AT), S.DUPLICATE, duplicate_of_id=2) == ["O6"]


def test_o7_loss_reason_links_and_reopen_window():
    assert rules_of(opp(S.DISCOVERY), S.CLOSED_LOST) == ["O7"]
    assert rules_of(opp(S.DISCOVERY), S.CLOSED_LOST, loss_reason=LossReason.MERGED) == ["O7"]
    assert rules_of(opp(S.DISCOVERY), S.CLOSED_LOST, loss_reason=LossReason.COMPETITIVE_LOSS) == ["O7"]
    assert rules_of(opp(S.DISCOVERY), S.CLOSED_LOST, loss_reason=LossReason.COMPETITIVE_LOSS, competitor="X") == []
    recent = opp(S.CLOSED_LOST, closed_at=AT - timedelta(days=29))
    old = opp(S.CLOSED_LOST, closed_at=AT - timedelta(days=31))
    assert rules_of(recent, S.DISCOVERY) == []
    assert rules_of(old, S.DISCOVERY) == ["O7"]


def test_a6_only_clear_accounts_close_won():
    assert rules_of(opp(S.AWAITING_SIGNATURE), S.CLOSED_WON, screening=ScreeningStatus.ESCALATE) == ["A6"]
    assert rules_of(opp(S.AWAITING_SIGNATURE), S.CLOSED_WON) == []


def test_o8_parent_types():
    assert type_violations(T.ADD_ON, T.NEW_BUSINESS) == []
    assert type_violations(T.ADD_ON, T.RENEWAL) == []
    assert type_violations(T.ADD_ON, T.ADD_ON)[0].rule == "O8"
    assert type_violations(T.ADD_ON, None)[0].rule == "O8"
    assert type_violations(T.PROFESSIONAL_SERVICES, None)[0].rule == "O8"
    assert type_violations(T.NEW_BUSINESS, None) == []


def test_o9_sales_qualified_source():
    assert sales_qualified_source(sdr_id=3, owner_role=Role.ACCOUNT_EXECUTIVE) is Q.SDR_GENERATED
    assert sales_qualified_source(sdr_id=None, owner_role=Role.ACCOUNT_EXECUTIVE) is Q.AE_GENERATED
    assert sales_qualified_source(sdr_id=None, owner_role=Role.PARTNER_USER,
                                  owner_partner_status=PartnerStatus.AUTHORIZED) is Q.CHANNEL_GENERATED
    assert sales_qualified_source(sdr_id=None, owner_role=Role.PARTNER_USER,
                                  owner_partner_status=PartnerStatus.PROSPECT) is Q.OTHER
    assert sales_qualified_source(sdr_id=None, owner_role=Role.ADMIN) is Q.WEB_DIRECT_GENERATED
    assert sales_qualified_source(sdr_id=None, owner_role=Role.CHANNEL_MANAGER) is Q.OTHER


def test_o10_names():
    assert opportunity_name("Acme, Inc", T.NEW_BUSINESS, seats=50, product="Premium") == "Acme, Inc- 50 Premium"
    assert opportunity_name("Acme, Inc", T.ADD_ON, seats=25, product="Premium") == "Acme, Inc- Add 25 Premium"
    assert opportunity_name("Acme, Inc", T.RENEWAL, seats=50, product="Premium",
                            on=date(2017, 1, 31)) == "Acme, Inc- 50 Premium Renewal 01/17"
    assert opportunity_name("Acme, Inc", T.PROFESSIONAL_SERVICES,
                            on=date(2018, 6, 1)) == "Acme, Inc- Professional Services 06/18"
    with pytest.raises(DomainError) as exc:
        opportunity_name("Acme, Inc", T.NEW_BUSINESS)
    assert exc.value.violations[0].rule == "O10"


def test_o11_thresholds_by_segment():
    smb = threshold_flags(Segment.SMB, name="Acme- 50 Premium", amount_usd=D("5001"), net_arr_usd=D("10001"))
    assert smb.requires_close_plan and smb.requires_command_plan and smb.requires_opportunity_consult
    assert smb.in_red_green_review
    mm = threshold_flags(Segment.MID_MARKET, name="Acme- 50 Premium", amount_usd=D("10000"), net_arr_usd=D("19999"))
    assert not mm.requires_close_plan and not mm.requires_command_plan and not mm.requires_opportunity_consult
    assert mm.in_red_green_review
    assert not threshold_flags(Segment.MID_MARKET, name="x", amount_usd=D(0), net_arr_usd=D("6999")).in_red_green_review
    assert threshold_flags(Segment.MID_MARKET, name="x", amount_usd=None,
                           net_arr_usd=D("20000")).requires_opportunity_consult
    channel = threshold_flags(Segment.SMB, name="Acme- 50 Premium Channel-Managed", amount_usd=D(0),
                              net_arr_usd=D("50000"))
    assert not channel.requires_command_plan and channel.requires_opportunity_consult


def test_o11_thresholds_compare_exact_usd_cents():
    """Issue 40: the rules take the USD value (converted by the caller at the dated rate) as
    an exact Decimal: one cent over $5,000 is over, exactly $5,000 is not (O11)."""
    assert threshold_flags(Segment.SMB, name="x", amount_usd=D("5000.01"), net_arr_usd=None).requires_close_plan
    assert not threshold_flags(Segment.SMB, name="x", amount_usd=D("5000.00"), net_arr_usd=None).requires_close_plan
    flags = threshold_flags(Segment.SMB, name="x", amount_usd=None, net_arr_usd=D("1999.99"))
    assert not flags.in_red_green_review and not flags.requires_close_plan
    assert threshold_flags(Segment.SMB, name="x", amount_usd=None, net_arr_usd=D("2000.00")).in_red_green_review


def test_o11_new_logo():
    assert counts_as_new_logo(T.NEW_BUSINESS, D("1000.01"), 51)
    assert not counts_as_new_logo(T.NEW_BUSINESS, D("1000.00"), 51)
    assert not counts_as_new_logo(T.NEW_BUSINESS, None, 51)
    assert not counts_as_new_logo(T.NEW_BUSINESS, D(5_000), 50)
    assert not counts_as_new_logo(T.ADD_ON, D(5_000), 500)


def test_r2_without_prefix_drops_a_former_partners_nickname_only():
    """Issue 16: with no authorized partner left, a former registrant's nickname leaves the name (R2)."""
    from partners.opportunities.team import without_prefix

    assert without_prefix("ALPHA - Acme, Inc- 50 Premium", ["ALPHA - "]) == "Acme, Inc- 50 Premium"
    assert without_prefix("ALPHA - Acme", ["AL - ", "ALPHA - "]) == "Acme"
    assert without_prefix("Acme, Inc- 50 Premium", ["ALPHA - "]) == "Acme, Inc- 50 Premium"
    assert without_prefix("ALPHA - ", ["ALPHA - "]) == "ALPHA - ", "never an empty name (O10)"
