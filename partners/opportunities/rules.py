"""Opportunities (O1–O11): the pure rules (no database, no awaits).

Stages and their moves (O1–O7, A6 for closing won), types and parents (O8), the sales
qualified source (O9), names (O10) and the thresholds (O11). The writes that apply them, in
transactions, are in `partners.opportunities.service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partners.accounts.enums import ScreeningStatus, Segment
from partners.infra.errors import DomainError, Violation
from partners.opportunities.enums import (
    LossReason,
    OpportunityStage as Stage,
    OpportunityType,
    SalesQualifiedSource,
)
from partners.opportunities.tables import Opportunity
from partners.people.enums import PARTNER_ROLES, PartnerStatus, Role

STAGE_ORDER = list(Stage)
OPEN_STAGES = frozenset(STAGE_ORDER[: STAGE_ORDER.index(Stage.AWAITING_SIGNATURE) + 1])
CLOSED_STAGES = frozenset({Stage.CLOSED_WON, Stage.CLOSED_LOST, Stage.UNQUALIFIED, Stage.DUPLICATE})
START_STAGES = frozenset({Stage.PRE_OPPORTUNITY, Stage.PENDING_ACCEPTANCE})
# Open stages after acceptance, plus won: what "leaving 0" (O3) and qualifying (O4) lead to.
ACCEPTED_STAGES = frozenset(STAGE_ORDER[STAGE_ORDER.index(Stage.DISCOVERY): STAGE_ORDER.index(Stage.CLOSED_WON) + 1])
QUALIFIED_STAGES = ACCEPTED_STAGES - {Stage.DISCOVERY}
REOPEN_DAYS = 30
CHANNEL_MANAGED_MARKER = "Channel-Managed"


def type_violations(opp_type: OpportunityType, parent_type: OpportunityType | None) -> list[Violation]:
    """O8: an add-on's parent is New Business or Renewal; professional services need a parent."""
    if opp_type is OpportunityType.ADD_ON:
        if parent_type is None:
            return [Violation("PARENT_REQUIRED", "An add-on needs its New Business or Renewal parent.", ("parentId",), "O8")]
        if parent_type not in (OpportunityType.NEW_BUSINESS, OpportunityType.RENEWAL):
            return [Violation("INVALID_PARENT_TYPE", "An add-on's parent is New Business or Renewal, never an add-on.",
                              ("parentId",), "O8")]
    if opp_type is OpportunityType.PROFESSIONAL_SERVICES and parent_type is None:
        return [Violation("PARENT_REQUIRED", "Professional services need a parent opportunity.", ("parentId",), "O8")]
    return []


def sales_qualified_source(
    *, sdr_id: int | None, owner_role: Role | None, owner_partner_status: PartnerStatus | None = None
) -> SalesQualifiedSource:
    """O9. AE/RD/AM are all ACCOUNT_EXECUTIVE here; "the sales admin" is the ADMIN role."""
    if sdr_id is not None:
        return SalesQualifiedSource.SDR_GENERATED
    if owner_role is Role.ACCOUNT_EXECUTIVE:
        return SalesQualifiedSource.AE_GENERATED
    if owner_role in PARTNER_ROLES and owner_partner_status is PartnerStatus.AUTHORIZED:
        return SalesQualifiedSource.CHANNEL_GENERATED
    if owner_role is Role.ADMIN:
        return SalesQualifiedSource.WEB_DIRECT_GENERATED
    return SalesQualifiedSource.OTHER


def opportunity_name(
    account_name: str, opp_type: OpportunityType, *, seats: int | None = None, product: str = "",
    on: date | None = None,
) -> str:
    """O10: `Acme, Inc- 50 Premium`, `Acme, Inc- Add 25 Premium`,
    `Acme, Inc- 50 Premium Renewal 01/17`, `Acme, Inc- Professional Services 06/18`."""
    on = on or date.today()
    month = on.strftime("%m/%y")
    if opp_type is OpportunityType.PROFESSIONAL_SERVICES:
        return f"{account_name}- Professional Services {month}"
    if not seats or not product.strip():
        raise DomainError.single("NAME_PARTS_REQUIRED", "Seats and product are needed to name this opportunity.",
                                 ("seats",), rule="O10")
    licence = f"{seats} {product.strip()}"
    return {
        OpportunityType.NEW_BUSINESS: f"{account_name}- {licence}",
        OpportunityType.ADD_ON: f"{account_name}- Add {licence}",
        OpportunityType.RENEWAL: f"{account_name}- {licence} Renewal {month}",
        OpportunityType.UPSIDE_IACV: f"{account_name}- Upside {licence}",
    }[opp_type]


@dataclass(frozen=True)
class Thresholds:
    """O11's thresholds, in USD (as the handbook states them): amounts in another currency
    are compared at their USD value on the record's day (the schema layer converts)."""

    close_plan_amount: Decimal
    command_plan_net_arr: Decimal
    consult_net_arr: Decimal
    red_green_net_arr: Decimal


# O11 (001). LARGE uses the mid-market figures; an unknown segment the (stricter) SMB ones.
SMB_THRESHOLDS = Thresholds(close_plan_amount=Decimal(5_000), command_plan_net_arr=Decimal(10_000),
                            consult_net_arr=Decimal(10_000), red_green_net_arr=Decimal(2_000))
MID_MARKET_THRESHOLDS = Thresholds(close_plan_amount=Decimal(10_000), command_plan_net_arr=Decimal(20_000),
                                   consult_net_arr=Decimal(20_000), red_green_net_arr=Decimal(7_000))
NEW_LOGO_MIN_ARR = Decimal(1_000)  # USD
NEW_LOGO_MIN_SEATS = 50


@dataclass(frozen=True)
class ThresholdFlags:
    requires_close_plan: bool
    requires_command_plan: bool
    requires_opportunity_consult: bool
    in_red_green_review: bool


def thresholds_for(segment: Segment | None) -> Thresholds:
    return MID_MARKET_THRESHOLDS if segment in (Segment.MID_MARKET, Segment.LARGE) else SMB_THRESHOLDS


def threshold_flags(segment: Segment | None, *, name: str, amount_usd: Decimal | None,
                    net_arr_usd: Decimal | None) -> ThresholdFlags:
    """O11: close plan over the amount threshold; command plan over the net-ARR threshold
    except for channel-managed opportunities; consult and red/green review at their thresholds.
    The amounts are already in USD (None: no amount, read as 0)."""
    t = thresholds_for(segment)
    amount, net_arr = amount_usd or Decimal(0), net_arr_usd or Decimal(0)
    return ThresholdFlags(
        requires_close_plan=amount > t.close_plan_amount,
        requires_command_plan=net_arr > t.command_plan_net_arr and CHANNEL_MANAGED_MARKER not in name,
        requires_opportunity_consult=net_arr >= t.consult_net_arr,
        in_red_green_review=net_arr >= t.red_green_net_arr,
    )


def counts_as_new_logo(opp_type: OpportunityType, net_arr_usd: Decimal | None, potential_users: int | None) -> bool:
    """O11 (000): a new logo counts above $1,000 ARR (in USD) with more than 50 seats potential."""
    return (opp_type is OpportunityType.NEW_BUSINESS and (net_arr_usd or 0) > NEW_LOGO_MIN_ARR
            and (potential_users or 0) > NEW_LOGO_MIN_SEATS)


@dataclass(frozen=True)
class StageMove:
    """What the caller asked for, with what closing needs (O6, O7)."""

    target: Stage
    loss_reason: LossReason | None = None
    competitor: str = ""
    merged_into_id: int | None = None
    duplicate_of_id: int | None = None


def stage_move_violations(opp: dict, move: StageMove, *, account_screening: ScreeningStatus,
                          at: datetime) -> list[Violation]:
    """O1–O7 and A6 for moving `opp` (a row) to `move.target`."""
    current, target = Stage(opp["stage"]), move.target

    def v(code: str, message: str, rule: str, field: str = "stage") -> list[Violation]:
        return [Violation(code, message, (field,), rule)]

    if target is current:
        return v("SAME_STAGE", f"The opportunity is already at {current.value}.", "O1")
    if current is Stage.CLOSED_WON:
        return v("CLOSED_WON_IS_FINAL", "A closed-won opportunity does not move; open a new one.", "O1")
    if current in CLOSED_STAGES and target not in CLOSED_STAGES:
        closed_at = opp["closed_at"]
        if closed_at is None or at - closed_at > timedelta(days=REOPEN_DAYS):
            return v("REOPEN_WINDOW_PASSED", "Reopening is allowed within 30 days of the loss; open a new opportunity.",
                     "O7")
    if current is Stage.PRE_OPPORTUNITY and target in ACCEPTED_STAGES:
        return v("MUST_PASS_PENDING_ACCEPTANCE", "An opportunity passes through 0-Pending Acceptance first.", "O2")
    if opp["sales_qualified"] and target in (Stage.PRE_OPPORTUNITY, Stage.PENDING_ACCEPTANCE, Stage.UNQUALIFIED):
        return v("ALREADY_QUALIFIED", "A sales-qualified opportunity never returns to 00, 0 or 9.", "O5")
    if target is Stage.UNQUALIFIED and current not in START_STAGES:
        return v("UNQUALIFIED_ONLY_FROM_ACCEPTANCE", "9-Unqualified is reachable only from 0 (or 00).", "O3")
    if current is Stage.PENDING_ACCEPTANCE and target in ACCEPTED_STAGES and not opp["amount"]:
        return v("AMOUNT_REQUIRED", "Accepting an opportunity (leaving 0) needs an amount.", "O3", "amount")
    if target is Stage.DUPLICATE:
        if move.duplicate_of_id is None:
            return v("DUPLICATE_OF_REQUIRED", "Name the opportunity this one duplicates.", "O6", "duplicateOfId")
        if move.duplicate_of_id == opp["id"]:
            return v("DUPLICATE_OF_ITSELF", "An opportunity cannot duplicate itself.", "O6", "duplicateOfId")
        if opp["sales_accepted_at"] is not None:
            return v("ACCEPTED_CANNOT_BE_DUPLICATE", "An accepted opportunity is closed lost, not a duplicate.", "O6")
    if target is Stage.CLOSED_LOST:
        if move.loss_reason is None:
            return v("LOSS_REASON_REQUIRED", "Closing lost needs a reason.", "O7", "lossReason")
        if move.loss_reason is LossReason.MERGED and move.merged_into_id is None:
            return v("MERGED_INTO_REQUIRED", "Name the opportunity it was merged into.", "O7", "mergedIntoId")
        if move.loss_reason is LossReason.MERGED and move.merged_into_id == opp["id"]:
            return v("MERGED_INTO_ITSELF", "An opportunity cannot be merged into itself.", "O7", "mergedIntoId")
        if move.loss_reason is LossReason.COMPETITIVE_LOSS and not move.competitor.strip():
            return v("COMPETITOR_REQUIRED", "A competitive loss names the competitor.", "O7", "competitor")
    if target is Stage.CLOSED_WON and account_screening is not ScreeningStatus.CLEAR:
        return v("ACCOUNT_NOT_CLEARED", f"Only CLEAR accounts close won (this one is {account_screening.value}).", "A6")
    return []


def stage_move_effects(opp: dict, move: StageMove, at: datetime) -> dict:
    """The columns a valid move sets: dates of O3/O4, the IACV snapshot, closing facts."""
    current, target = Stage(opp["stage"]), move.target
    changes: dict[Any, Any] = {Opportunity.stage: target.value}
    if current is Stage.PENDING_ACCEPTANCE and target in ACCEPTED_STAGES and opp["sales_accepted_at"] is None:
        changes[Opportunity.sales_accepted_at] = at  # O3
    # O4: leaving Discovery for a later open or won stage qualifies it (skipping Discovery too).
    if target in QUALIFIED_STAGES and not opp["sales_qualified"]:
        changes[Opportunity.sales_qualified] = True
        changes[Opportunity.sales_qualified_at] = at
        changes[Opportunity.initial_iacv] = opp["net_arr"] if opp["net_arr"] is not None else opp["amount"]
        if opp["sales_accepted_at"] is None:
            changes[Opportunity.sales_accepted_at] = at
    if target in CLOSED_STAGES:
        changes[Opportunity.closed_at] = at
    else:
        changes.update({Opportunity.closed_at: None, Opportunity.loss_reason: None, Opportunity.competitor: "",
                        Opportunity.merged_into: None, Opportunity.duplicate_of: None})
    if target is Stage.CLOSED_LOST:
        changes[Opportunity.loss_reason] = move.loss_reason.value if move.loss_reason else None
        changes[Opportunity.competitor] = move.competitor.strip()
        changes[Opportunity.merged_into] = move.merged_into_id if move.loss_reason is LossReason.MERGED else None
    if target is Stage.DUPLICATE:
        changes[Opportunity.duplicate_of] = move.duplicate_of_id
    return changes
