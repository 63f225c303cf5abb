"""Deal registrations: the decision to approve and what follows it (P5, P6, R2, R8).

approve links the opportunity (or converts the registration into a new one, R2/O10), puts
the registrant on its team as primary DEAL_REGISTRANT (R8), starts the 90 days (P6) and
holds the other pending registrations of the same scope (D2, P5); dissolve ends the
engagement and reconsiders the held ones in submission order (P5); extend (P6). The team
placement, the partners' counters and the release of held registrations are also what
`expire` uses when an approved registration ends otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from partners.accounts.tables import Account
from partners.infra import versions
from partners.infra.clock import now
from partners.infra.db import is_unique_violation, transaction
from partners.infra.errors import DomainError, NotFound, require_roles
from partners.money.given import GivenAmount
from partners.opportunities import reseller, team as opportunity_team
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.opportunities.rules import CLOSED_STAGES
from partners.opportunities.service import insert_opportunity
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.tables import Partner, User
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType
from partners.registrations.records import (
    claim_customer,
    get_visible,
    open_for_write,
    record,
    require_reviewer,
    required_text,
    transition,
)
from partners.registrations.rules import (
    APPROVAL_DAYS,
    EXTENSION_DAYS,
    HELD_NOTE,
    MAX_ADMIN_EXTENSION_DAYS,
    PENDING,
    REOPENED_NOTE,
    REVIEWERS,
    conflicts_sql,
    registered_opportunity_name,
    review_targets,
    transition_violation,
)
from partners.registrations.tables import DealRegistration


def _already_approved() -> DomainError:
    """P5: one approved partner-sourced registration per opportunity."""
    return DomainError.single("OPPORTUNITY_ALREADY_REGISTERED",
                              "Another registration is already approved for this opportunity; "
                              "only one partner sourced it.", "id", rule="P5")


async def _assign_ae(ae_id: int | None, opportunity: dict | None) -> int:
    """D1: the account executive an approved registration is assigned to (the linked
    opportunity's owner unless another is named; named when a new opportunity is made)."""
    if ae_id is None:
        if opportunity is None:
            raise DomainError.single("ACCOUNT_EXECUTIVE_REQUIRED",
                                     "Assign the account executive who takes the new opportunity.",
                                     "accountExecutiveId", rule="D1")
        return opportunity["owner"]
    ae = await User.select(User.id, User.role, User.active).where(User.id == ae_id).first()
    if ae is None or not ae["active"]:
        raise NotFound.of("User", "accountExecutiveId")
    if ae["role"] != Role.ACCOUNT_EXECUTIVE.value:
        raise DomainError.single("NOT_AN_ACCOUNT_EXECUTIVE", "Assign a user with the ACCOUNT_EXECUTIVE role.",
                                 "accountExecutiveId", rule="D1")
    return ae_id


async def put_registrant_on_team(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                                 partner_id: int, at: datetime) -> None:
    """R8: the registrant joins the team as DEAL_REGISTRANT; any explicit primary choice
    gives way, the precedence hook picks the primary (the registrant, with the built-in),
    the name follows it (R2) and the reseller rules check the result (R1–R7)."""
    existing = await OpportunityPartner.select(OpportunityPartner.id).where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)).first()
    if existing:
        await OpportunityPartner.update({OpportunityPartner.role: OpportunityPartnerRole.DEAL_REGISTRANT.value}).where(
            OpportunityPartner.id == existing["id"])
    else:
        await OpportunityPartner(opportunity=opportunity_id, partner=partner_id,
                                 role=OpportunityPartnerRole.DEAL_REGISTRANT.value, created_at=at).save()
    await opportunity_team.clear_choices(opportunity_id)
    await opportunity_team.settle(principal, rules, opportunity_id, "approveDealRegistration",
                                  align_name_from=await _former_registrant_prefixes(opportunity_id, partner_id))


async def _former_registrant_prefixes(opportunity_id: int, partner_id: int) -> list[str]:
    """R2 prefixes of the other partners registered on this opportunity: a reconsidered
    registration taking the deal over (P5) puts its nickname in place of theirs."""
    rows = await DealRegistration.select(DealRegistration.partner.name.as_alias("name"),
                                         DealRegistration.partner.nickname.as_alias("nickname")).where(
        (DealRegistration.opportunity == opportunity_id) & (DealRegistration.partner != partner_id))
    return list(dict.fromkeys(f"{r['nickname'] or r['name']} - " for r in rows))


async def remove_registrant_from_team(principal: Principal | None, rules: reseller.RuleSet, opportunity_id: int,
                                      partner_id: int, operation: str = "dissolveDealRegistration",
                                      validate: bool = True) -> None:
    """P5 dissolution, P6 expiry and closing: the partner's registrant place on the team goes
    (so, R9, the partner no longer sees the deal); the precedence picks the next primary and
    the name follows it (R2, R8)."""
    partner = await Partner.select(Partner.name, Partner.nickname).where(Partner.id == partner_id).first()
    await OpportunityPartner.delete().where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
        & (OpportunityPartner.role == OpportunityPartnerRole.DEAL_REGISTRANT.value))
    former = [f"{partner['nickname'] or partner['name']} - "] if partner else []
    await opportunity_team.settle(principal, rules, opportunity_id, operation, align_name_from=former,
                                  validate=validate)


async def _conflicting_ids(registration_ids: list[int], other_statuses: Iterable[Status]) -> dict[int, list[int]]:
    """D2: for each registration, the other registrations of the same end customer with an
    overlapping product whose status is one of `other_statuses`, in submission order."""
    if not registration_ids:
        return {}
    rows = await DealRegistration.raw(conflicts_sql(len(registration_ids), other_statuses), *registration_ids)
    out: dict[int, list[int]] = {}
    for row in rows:
        out.setdefault(row["id"], []).append(row["other"])
    return out


async def approve(principal: Principal, rules: reseller.RuleSet, registration_id: int, ae_id: int | None = None,
                  note: str = "", expected_version: int | None = None) -> dict:
    """P4 decision: link the opportunity (or create one per R2/O10 for the assigned AE),
    put the registrant on it as primary DEAL_REGISTRANT (R8), start the 90 days (P6), and
    hold the other pending registrations of the same scope (P5)."""
    try:
        async with transaction():
            row = await get_visible(principal, registration_id)
            await claim_customer(row)
            row = await open_for_write(principal, registration_id, expected_version)  # as it is now we hold it
            require_reviewer(principal, row)
            if row["status"] == Status.ON_HOLD.value:
                raise _already_approved()
            violation = transition_violation(Status(row["status"]), "APPROVED")
            if violation:
                raise DomainError([violation])
            services = row["registration_type"] == RegType.SERVICES_ATTACH.value
            at = now()
            opportunity = None
            if row["opportunity"] is not None:
                opportunity = await Opportunity.select(Opportunity.id, Opportunity.owner).where(
                    Opportunity.id == row["opportunity"]).first()
                if not services and await DealRegistration.exists().where(
                    (DealRegistration.opportunity == row["opportunity"])
                    & (DealRegistration.status == Status.APPROVED.value)
                    & (DealRegistration.registration_type != RegType.SERVICES_ATTACH.value)
                ):
                    raise _already_approved()
            ae_id = await _assign_ae(ae_id, opportunity)
            opportunity_id = row["opportunity"]
            if opportunity_id is None:
                opportunity_id = await _convert(principal, rules, row, ae_id, at)
            updated = await transition(row, "APPROVED", principal, note, {
                DealRegistration.opportunity: opportunity_id, DealRegistration.assigned_ae: ae_id,
                DealRegistration.decided_by: principal.user_id, DealRegistration.decided_at: at,
                DealRegistration.approved_at: at, DealRegistration.expires_at: at + timedelta(days=APPROVAL_DAYS),
                DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
                DealRegistration.reason: "",
            }, at)
            if not services:
                await put_registrant_on_team(principal, rules, opportunity_id, row["partner"], at)
                await adjust_counters({row["partner"]: 1})
                await _hold_conflicting(principal, updated, at)
            return updated
    except Exception as exc:
        if is_unique_violation(exc):
            raise _already_approved() from exc
        raise


async def _convert(principal: Principal, rules: reseller.RuleSet, row: dict, ae_id: int, at: datetime) -> int:
    """A new opportunity on the end customer's account (R1), named per R2 + O10, owned by the AE,
    in the registration's currency (the partner's, often local: D5)."""
    account = await Account.select(Account.name).where(Account.id == row["account"]).first()
    partner = await Partner.select(Partner.nickname).where(Partner.id == row["partner"]).first()
    name = registered_opportunity_name(partner["nickname"], account["name"], row["seats"], row["edition"],
                                       row["expected_close_date"] or at.date())
    opp = await insert_opportunity(
        principal, rules, account_id=row["account"], opp_type=OpportunityType.NEW_BUSINESS, name=name,
        currency=row["currency"], amount=GivenAmount(row["estimated_amount"], None, ("estimatedAmount",)),
        close_date=row["expected_close_date"], owner_id=ae_id)
    return opp["id"]


async def _hold_conflicting(principal: Principal, approved: dict, at: datetime) -> None:
    """P5: the other pending registrations of the same scope wait ON_HOLD behind this one."""
    others = (await _conflicting_ids([approved["id"]], PENDING)).get(approved["id"], [])
    same_opportunity = [r["id"] for r in await DealRegistration.select(DealRegistration.id).where(
        (DealRegistration.opportunity == approved["opportunity"]) & (DealRegistration.id != approved["id"])
        & DealRegistration.status.is_in([s.value for s in PENDING])
        & (DealRegistration.registration_type != RegType.SERVICES_ATTACH.value))]
    ids = list(dict.fromkeys([*others, *same_opportunity]))
    if not ids:
        return
    rows = await DealRegistration.select().where(DealRegistration.id.is_in(ids)).order_by(
        DealRegistration.submitted_at).order_by(DealRegistration.id)
    for other in rows:
        updated = await DealRegistration.update({
            DealRegistration.status: Status.ON_HOLD.value, DealRegistration.held_by: approved["id"],
            DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
            **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == other["id"]) & (DealRegistration.status == other["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            # The note is shown to the held registration's partner: never the other's id (R9).
            await record(updated[0], "ON_HOLD", other["status"], principal, HELD_NOTE, at)


async def adjust_counters(deltas: dict[int, int]) -> None:
    """`Partner.approved_registrations` counts the partner's registrations APPROVED now."""
    for partner_id, delta in deltas.items():
        if delta:
            await Partner.update({Partner.approved_registrations: Partner.approved_registrations + delta}).where(
                Partner.id == partner_id)


async def dissolve(principal: Principal, rules: reseller.RuleSet, registration_id: int, reason: str,
                   expected_version: int | None = None) -> dict:
    """P5: the approved engagement ends; the registrations it held are reconsidered in
    order of submission (back to PENDING_MANAGER_REVIEW, with fresh P4 targets)."""
    reason = required_text(reason, "reason", "P5", "Dissolving a registration")
    async with transaction():
        row = await get_visible(principal, registration_id)
        await claim_customer(row)
        row = await open_for_write(principal, registration_id, expected_version)
        require_reviewer(principal, row)
        at = now()
        updated = await transition(row, "DISSOLVED", principal, reason, {
            DealRegistration.reason: reason, DealRegistration.expires_at: None}, at)
        if row["registration_type"] != RegType.SERVICES_ATTACH.value:
            await remove_registrant_from_team(principal, rules, row["opportunity"], row["partner"])
            await adjust_counters({row["partner"]: -1})
        await release_held(principal, updated, at)
        return updated


async def release_held(principal: Principal | None, approved: dict, at: datetime) -> None:
    """P5: the registrations `approved` held are reconsidered in submission order. They are
    for the same deal, so those without an opportunity take over the one `approved` had
    (while it is open): approving one then renames that opportunity (R2, O10) and makes its
    partner the primary registrant (R8) instead of creating a second opportunity."""
    held = await DealRegistration.select().where(
        (DealRegistration.held_by == approved["id"]) & (DealRegistration.status == Status.ON_HOLD.value)
    ).order_by(DealRegistration.submitted_at).order_by(DealRegistration.id)
    deal = None
    if approved["opportunity"] is not None and held:
        stage = await Opportunity.select(Opportunity.stage).where(Opportunity.id == approved["opportunity"]).first()
        if stage and OpportunityStage(stage["stage"]) not in CLOSED_STAGES:
            deal = approved["opportunity"]
    for position, other in enumerate(held):
        # Fresh P4 targets, staggered by a second so the review queue keeps submission order.
        review_due, decision_due = review_targets(at + timedelta(seconds=position))
        takes_over = {DealRegistration.opportunity: deal} if other["opportunity"] is None and deal else {}
        updated = await DealRegistration.update({
            DealRegistration.status: Status.PENDING_MANAGER_REVIEW.value, DealRegistration.held_by: None,
            DealRegistration.review_due_at: decision_due, DealRegistration.decision_due_at: decision_due,
            **takes_over, **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == other["id"]) & (DealRegistration.status == Status.ON_HOLD.value)).returning(
            *DealRegistration.all_columns())
        if updated:
            await record(updated[0], "REOPENED", Status.ON_HOLD.value, principal, REOPENED_NOTE, at)


async def extend(principal: Principal, registration_id: int, days: int = EXTENSION_DAYS, note: str = "",
                 expected_version: int | None = None) -> dict:
    """P6: a channel manager extends once by up to 30 days; longer (or again) needs an admin."""
    require_roles(principal, *REVIEWERS)
    if days < 1 or days > MAX_ADMIN_EXTENSION_DAYS:
        raise DomainError.single("INVALID_EXTENSION", f"Extend by 1 to {MAX_ADMIN_EXTENSION_DAYS} days.", "days",
                                 rule="P6")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        require_reviewer(principal, row)
        violation = transition_violation(Status(row["status"]), "EXTENDED")
        if violation:
            raise DomainError([violation])
        if not principal.is_admin:
            if row["extension_count"] >= 1:
                raise DomainError.single("EXTENSION_USED", "A channel manager extends a registration once; "
                                         "ask an admin.", "id", rule="P6")
            if days > EXTENSION_DAYS:
                raise DomainError.single("EXTENSION_TOO_LONG", f"A channel manager extends by at most "
                                         f"{EXTENSION_DAYS} days; longer needs an admin.", "days", rule="P6")
        return await transition(row, "EXTENDED", principal, note or f"+{days} days", {
            DealRegistration.expires_at: row["expires_at"] + timedelta(days=days),
            DealRegistration.extension_count: row["extension_count"] + 1})
