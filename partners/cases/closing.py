"""Closing and reopening cases (D10, D12, D13, D14) and the resolution-action dictionary."""

from __future__ import annotations

from datetime import timedelta

from partners import business_days
from partners.cases import rules
from partners.cases.enums import CaseHistoryEvent, CaseStatus as Status
from partners.cases.scoping import case_scope
from partners.cases.service import (
    CLOSERS, announce, history, lock_advocate, open_for_write, opportunity_guard, refuse_at_capacity,
    require_held, require_owner, update,
)
from partners.cases.tables import CaseResolutionAction, CustomerAdminContact, PartnerCase
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, require_roles
from partners.opportunities.enums import OpportunityStage
from partners.opportunities.tables import Opportunity
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.tables import User

DEFAULT_FISCAL_YEAR_START_MONTH = 2  # February, as the handbook's FY26 (COSELL_FISCAL_YEAR_START_MONTH)


# ---------------------------------------------------------------- the dictionary (D12)


async def resolution_actions(include_inactive: bool = False) -> list[dict]:
    """The dictionary, in the order added; the seed's values while the table is empty."""
    rows = await CaseResolutionAction.select().order_by(CaseResolutionAction.id)
    if not rows:
        return [{"id": None, "code": code, "label": label, "active": True}
                for code, label in rules.SEED_RESOLUTION_ACTIONS]
    return [r for r in rows if include_inactive or r["active"]]


async def is_known_action(code: str) -> bool:
    return any(a["code"] == code for a in await resolution_actions())


async def add_resolution_action(principal: Principal, code: str, label: str) -> dict:
    """D12: an admin adds a value to the dictionary (the seed's values are written first when
    the table is still empty)."""
    require_roles(principal, Role.ADMIN)
    code, label = code.strip().upper(), " ".join(label.split())
    violations = rules.resolution_action_code_violations(code, label)
    if violations:
        raise DomainError(violations)
    async with transaction():
        at = business_days.now()
        if not await CaseResolutionAction.exists():
            await CaseResolutionAction.insert(*[CaseResolutionAction(code=c, label=lbl, active=True, created_at=at)
                                                for c, lbl in rules.SEED_RESOLUTION_ACTIONS])
        if await CaseResolutionAction.exists().where(CaseResolutionAction.code == code):
            raise DomainError.single("DUPLICATE_CODE", "The dictionary already has this code.", "code", rule="D12")
        await CaseResolutionAction.insert(CaseResolutionAction(code=code, label=label[:100], active=True,
                                                               created_at=at)).run()
        return await CaseResolutionAction.select().where(CaseResolutionAction.code == code).first()


# ---------------------------------------------------------------- close and reopen


async def close(principal: Principal, case_id: int, *, status: Status = Status.CLOSED_RESOLVED,
                resolution_action: str = "", feedback: str = "", resolution: str = "", duplicate_of: int | None = None,
                expected_version: int | None = None,
                fiscal_year_start_month: int = DEFAULT_FISCAL_YEAR_START_MONTH) -> dict:
    """D10/D12/D13/D14: the owner (or an admin) closes a held case."""
    require_roles(principal, *CLOSERS)
    action = (resolution_action or "").strip().upper()
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        require_held(row)
        require_owner(principal, row, "closes")
        at = business_days.now()
        violations = rules.closing_violations(
            row, status, action, feedback or "", known_action=await is_known_action(action) if action else False,
            today=at.date(), at=at, duplicate_of=duplicate_of, fiscal_start_month=fiscal_year_start_month)
        if violations:
            raise DomainError(violations)
        if status is Status.CLOSED_DUPLICATE:
            await _check_duplicate_of(principal, row, duplicate_of)
        else:
            await _opportunity_closed(row)
        updated = await update(row, {
            PartnerCase.status: status.value, PartnerCase.closed_at: at, PartnerCase.resolution_action: action,
            PartnerCase.feedback: feedback.strip(), PartnerCase.resolution: (resolution or "").strip(),
            PartnerCase.waiting_on: "",
            PartnerCase.duplicate_of: duplicate_of if status is Status.CLOSED_DUPLICATE else None})
        await history(updated, CaseHistoryEvent.CLOSED, principal, before=row, reason=action)
        await announce(updated, "CLOSED")
        return updated


async def _check_duplicate_of(principal: Principal, row: dict, duplicate_of: int) -> None:
    if duplicate_of == row["id"]:
        raise DomainError.single("DUPLICATE_OF_ITSELF", "A case does not duplicate itself.", "duplicateOfId",
                                 rule="D10")
    if not await scoped(PartnerCase.exists(), case_scope(principal)).where(PartnerCase.id == duplicate_of):
        raise NotFound.of("Case", "duplicateOfId")


async def _opportunity_closed(row: dict) -> None:
    """D13: closing the case means its opportunity is closed won or lost; won needs the
    customer's admin contact on the account."""
    if row["opportunity"] is None:
        return
    opp = await Opportunity.select(Opportunity.stage, Opportunity.account).where(
        Opportunity.id == row["opportunity"]).first()
    if opp is None:
        return
    if opp["stage"] not in (OpportunityStage.CLOSED_WON.value, OpportunityStage.CLOSED_LOST.value):
        raise DomainError.single("OPPORTUNITY_NOT_CLOSED", "Close the linked opportunity (won or lost) first.",
                                 "opportunityId", rule="D13")
    if opp["stage"] == OpportunityStage.CLOSED_WON.value and not await CustomerAdminContact.exists().where(
            CustomerAdminContact.account == opp["account"]):
        raise DomainError.single("CUSTOMER_ADMIN_REQUIRED", "A closed won opportunity needs the customer's admin "
                                 "contact on the account (setCustomerAdminContact).", "opportunityId", rule="D13")


async def reopen(principal: Principal, case_id: int, reason: str, expected_version: int | None = None) -> dict:
    """D10 (our rule): within 30 days of closing, the advocate who held the case (or an admin)
    reopens it, with a reason; it comes back IN_PROGRESS to that advocate (who must still be
    an active advocate under the 50) with the closing fields cleared."""
    require_roles(principal, *CLOSERS)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError.single("REASON_REQUIRED", "Say why the case reopens.", "reason", rule="D10")
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        if not rules.is_closed(row["status"]):
            raise DomainError.single("CASE_NOT_CLOSED", f"The case is {row['status']}.", "id", rule="D10")
        require_owner(principal, row, "reopens")
        at = business_days.now()
        if row["closed_at"] + timedelta(days=rules.REOPEN_DAYS) < at:
            raise DomainError.single("REOPEN_WINDOW_PASSED", f"A case reopens within {rules.REOPEN_DAYS} days of "
                                     "closing; open a new case.", "id", rule="D10")
        owner = await User.select(User.role, User.active).where(User.id == row["advocate"]).first()
        if owner is None or not owner["active"] or owner["role"] != Role.SMB_ADVOCATE.value:
            raise DomainError.single("OWNER_UNAVAILABLE", "The advocate who held the case no longer works cases; open "
                                     "a new case.", "id", rule="D10")
        await lock_advocate(row["advocate"])
        await refuse_at_capacity(row["advocate"], "id", "The advocate already holds")
        reopened = {**row, "status": Status.IN_PROGRESS.value}
        await opportunity_guard(reopened)
        updated = await update(row, {
            PartnerCase.status: Status.IN_PROGRESS.value, PartnerCase.closed_at: None,
            PartnerCase.resolution_action: "", PartnerCase.feedback: "", PartnerCase.duplicate_of: None})
        await history(updated, CaseHistoryEvent.REOPENED, principal, before=row, reason=reason)
        await announce(updated, "REOPENED", {"reason": reason})
        return updated

