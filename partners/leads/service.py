"""Lead writes (P11). Each runs in one `transaction()`: it claims the lead (version + 1,
row lock on PostgreSQL), checks roles and rules, writes, adds a `LeadEvent` row and
enqueues a `lead_event` outbox message (plugins hear of it after commit)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partners import business_days
from partners.business_days.holidays import holidays_of
from partners.infra import outbox, versions
from partners.infra.db import lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.leads import rules
from partners.leads.choice import PartnerChoice, load_candidates
from partners.leads.duplicates import company_key
from partners.leads.enums import ExtensionStatus, LeadAction, LeadPriority, LeadRecallReason, LeadStatus as Status
from partners.leads.links import DealSize, account_values
from partners.leads.notices import notify_shared
from partners.leads.scoping import lead_scope
from partners.leads.tables import Lead, LeadEvent, LeadExtension
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.enums import PartnerStatus, Region, Role
from partners.people.principal import STAFF_ROLES, Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import Partner
from partners.registrations.scoping import deal_registration_scope
from partners.registrations.tables import DealRegistration

CREATORS = tuple(sorted(STAFF_ROLES - {Role.SMB_ADVOCATE}, key=lambda r: r.value))
SHARERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewLead:
    company: str
    region: Region
    country: str = "US"
    contact_name: str = ""
    contact_email: str = ""
    product_interest: str = ""
    notes: str = ""
    source: str = ""
    priority: LeadPriority = LeadPriority.NORMAL
    account_id: int | None = None
    deal_size: DealSize | None = None


def new_lead_violations(lead: NewLead) -> list[Violation]:
    violations = []
    if not lead.company.strip():
        violations.append(Violation("COMPANY_REQUIRED", "Name the lead's company.", ("company",), "P11"))
    if not re.fullmatch(r"[A-Za-z]{2}", lead.country.strip()):
        violations.append(Violation("INVALID_COUNTRY", "Give the ISO 3166-1 alpha-2 country code, e.g. DE.",
                                    ("country",), "P11"))
    if lead.contact_email.strip() and not EMAIL.match(lead.contact_email.strip()):
        violations.append(Violation("INVALID_EMAIL", "The contact's email address is not valid.", ("contactEmail",),
                                    "P11"))
    return violations


async def _record(row: dict, event: str, actor: Principal | None, note: str, at: datetime,
                  partner_id: int | None = None, links_of: dict | None = None) -> None:
    """History row + outbox event, in the caller's transaction; the version names the change.
    `links_of`: the lead as it was linked at this change (for a release, before it)."""
    links = links_of or {}
    await LeadEvent(lead=row["id"], event=event, partner=partner_id if partner_id is not None else row["partner"],
                    actor=actor.user_id if actor else None, note=note.strip()[:2000], occurred_at=at,
                    deal_registration=links.get("deal_registration"), opportunity=links.get("opportunity")).save()
    if event in rules.LEAVES_DEADLINE:
        # The deadline a pending request for more time was about is gone (answered, acted
        # on, released): the request lapses undecided.
        await LeadExtension.update({LeadExtension.status: ExtensionStatus.LAPSED.value}).where(
            (LeadExtension.lead == row["id"]) & (LeadExtension.status == ExtensionStatus.PENDING.value))
    # `partner_id`: whose event it is (the partner a rejection or a recall took the lead from, too).
    partner = partner_id if partner_id is not None else row["partner"]
    await outbox.enqueue(rules.EVENT_KIND, {"event": event, "lead": rules.snapshot(row), "partner_id": partner},
                         dedupe_key=f"lead-event:{row['id']}:{row['version']}:{event}")


async def create_lead(principal: Principal | None, lead: NewLead) -> dict:
    """Staff create leads; `principal=None` is a plugin or an integration (its `source` says which)."""
    if principal is not None:
        require_roles(principal, *CREATORS)
    violations = new_lead_violations(lead)
    if violations:
        raise DomainError(violations)
    async with transaction():
        at = business_days.now()
        extra = await account_values(principal, lead.account_id, lead.deal_size, lead.country.strip().upper())
        row = Lead(**{column._meta.name: value for column, value in extra.items()},
                   company=lead.company.strip()[:255], company_key=company_key(lead.company),
                   priority=lead.priority.value, contact_name=lead.contact_name.strip()[:200],
                   contact_email=lead.contact_email.strip().lower()[:254], region=lead.region.value,
                   country=lead.country.strip().upper(), product_interest=lead.product_interest.strip()[:200],
                   notes=lead.notes.strip(), source=lead.source.strip()[:100] or ("staff" if principal else "plugin"),
                   created_by=principal.user_id if principal else None, status=Status.NEW.value, created_at=at)
        await row.save()
        saved = await Lead.select().where(Lead.id == row.id).first()
        await _record(saved, "CREATED", principal, "", at)
        return saved


async def open_for_write(principal: Principal, lead_id: int, expected_version: int | None = None) -> dict:
    """The lead as this write changes it: visible (else NOT_FOUND), then claimed."""
    if not await scoped(Lead.exists(), lead_scope(principal)).where(Lead.id == lead_id):
        raise NotFound.of("Lead")
    return await versions.claim(Lead, lead_id, expected_version, "lead")


def _check(status: Status, event: str) -> None:
    violation = rules.transition_violation(status, event)
    if violation:
        raise DomainError([violation])


async def _update(row: dict, values: dict[Any, Any]) -> dict:
    """Compare-and-set on the status read (the claim already moved the version)."""
    updated = await Lead.update(values).where((Lead.id == row["id"]) & (Lead.status == row["status"])).returning(
        *Lead.all_columns())
    if not updated:
        raise DomainError.single("CHANGED_MEANWHILE", "The lead changed meanwhile; reload it and retry.", "id",
                                 rule="P11")
    return updated[0]


def _require_region_manager(principal: Principal, row: dict) -> None:
    require_roles(principal, *SHARERS)
    if principal.is_admin or Region(row["region"]) in principal.regions:
        return
    raise DomainError.single("NOT_REGION_MANAGER", f"Only channel managers of {row['region']} (or admins) share "
                             "this lead.", "id", rule="P11")


def _require_lead_partner(principal: Principal, row: dict) -> None:
    if principal.is_partner_user and principal.partner_id == row["partner"]:
        return
    raise DomainError.single("NOT_THE_PARTNER", "Only the partner the lead is shared with answers it.", "id",
                             rule="P11")


async def _choose_partner(plugins, row: dict) -> PartnerChoice:
    candidates = await load_candidates(row)
    # An `async def` implementation is awaited (issue 41).
    choice = await plugins.acall("cosell_lead_partner", lead=rules.snapshot(row), candidates=candidates) \
        if candidates else None
    if choice is None:
        raise DomainError.single("NO_PARTNER_FOUND", f"No AUTHORIZED partner serves {row['region']}; name one.",
                                 "partnerId", rule="P11")
    return choice


async def share_lead(principal: Principal, plugins, lead_id: int, partner_id: int | None = None,
                     expected_version: int | None = None) -> dict:
    """P11: a channel manager of the lead's region (or an admin) shares a NEW lead with one
    AUTHORIZED partner (P1), named or chosen by `cosell_lead_partner`; the 5 and 10
    business-day clocks start."""
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        _require_region_manager(principal, row)
        refuse_if_archived(row)
        _check(Status(row["status"]), "SHARED")
        reason = ""
        if partner_id is None:
            choice = await _choose_partner(plugins, row)
            partner_id, reason = choice.partner_id, choice.reason
        at = business_days.now()
        updated = await _update(row, await share_values(principal, row, partner_id, at))
        await _record(updated, "SHARED", principal, reason, at)
        await notify_shared(updated)
        return updated


def refuse_if_archived(row: dict) -> None:
    if row["archived_at"] is not None:
        raise DomainError.single("LEAD_ARCHIVED", "The lead is archived; unarchive it first.", "id", rule="P11")


async def share_values(principal: Principal, row: dict, partner_id: int, at: datetime) -> dict[Any, Any]:
    """A new share with an AUTHORIZED partner (P1) at `at`: the 5 and 10 business-day clocks
    start from `at` (P11), whatever an earlier share of the lead had used."""
    # The partner's row lock orders this share after a denial in progress (which holds it
    # and recalls the partner's leads, P1): the share then reads DENIED and refuses.
    await lock_for_update(Partner, partner_id)
    partner = await Partner.select(Partner.id, Partner.status).where(Partner.id == partner_id).first()
    if partner is None:
        raise NotFound.of("Partner", "partnerId")
    if partner["status"] != PartnerStatus.AUTHORIZED.value:
        raise DomainError.single("PARTNER_NOT_AUTHORIZED", "Leads are shared with AUTHORIZED partners only "
                                 f"(this one is {partner['status']}).", "partnerId", rule="P1")
    due = rules.deadlines(at, await holidays_of(row["region"], at.date()))
    return {
        Lead.status: Status.SHARED.value, Lead.partner: partner_id, Lead.share_count: row["share_count"] + 1,
        Lead.shared_by: principal.user_id, Lead.shared_at: at, Lead.accept_due_at: due.accept_due,
        Lead.action_due_at: due.action_due, Lead.accept_remind_at: due.accept_remind,
        Lead.action_remind_at: due.action_remind, Lead.accepted_at: None, Lead.action: None,
        Lead.acted_at: None, Lead.reason: "", Lead.recall_reason: None, Lead.partner_contact: None,
        Lead.extension_pending: False, Lead.accept_reminded: 0, Lead.action_reminded: 0, **unlinked_values(),
    }


async def _linked(principal: Principal, registration_id: int | None, opportunity_id: int | None) -> dict[Any, Any]:
    """What the lead became, if the caller may see it (else NOT_FOUND, as for any hidden record)."""
    values: dict[Any, Any] = {}
    if registration_id is not None:
        found = await scoped(DealRegistration.select(DealRegistration.id, DealRegistration.opportunity),
                             deal_registration_scope(principal)).where(DealRegistration.id == registration_id).first()
        if found is None:
            raise NotFound.of("Deal registration", "dealRegistrationId")
        values[Lead.deal_registration] = registration_id
        if opportunity_id is None and found["opportunity"] is not None:
            if await scoped(Opportunity.exists(), opportunity_scope(principal)).where(
                    Opportunity.id == found["opportunity"]):
                values[Lead.opportunity] = found["opportunity"]
    if opportunity_id is not None:
        if not await scoped(Opportunity.exists(), opportunity_scope(principal)).where(Opportunity.id == opportunity_id):
            raise NotFound.of("Opportunity", "opportunityId")
        values[Lead.opportunity] = opportunity_id
    return values


async def accept_lead(principal: Principal, lead_id: int, registration_id: int | None = None,
                      opportunity_id: int | None = None, note: str = "", expected_version: int | None = None) -> dict:
    """P11: the partner accepts within 5 business days; it may link what the lead already is."""
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's users do not act
        row = await open_for_write(principal, lead_id, expected_version)
        _require_lead_partner(principal, row)
        status = Status(row["status"])
        _check(status, "ACCEPTED")
        at = business_days.now()
        violation = rules.deadline_violation(status, row, at)
        if violation:
            raise DomainError([violation])
        links = await _linked(principal, registration_id, opportunity_id)
        updated = await _update(row, {Lead.status: Status.ACCEPTED.value, Lead.accepted_at: at,
                                      Lead.extension_pending: False, **links})
        await _record(updated, "ACCEPTED", principal, note, at, links_of=updated)
        return updated


async def reject_lead(principal: Principal, lead_id: int, reason: str, expected_version: int | None = None) -> dict:
    """P11: the partner rejects (reason required); the lead is shareable again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("REASON_REQUIRED", "Rejecting a lead needs a reason.", "reason", rule="P11")
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's users do not act
        row = await open_for_write(principal, lead_id, expected_version)
        _require_lead_partner(principal, row)
        status = Status(row["status"])
        _check(status, "REJECTED")
        at = business_days.now()
        violation = rules.deadline_violation(status, row, at)
        if violation:
            raise DomainError([violation])
        updated = await _update(row, {**released_values(), Lead.reason: reason})
        await _record(updated, "REJECTED", principal, reason, at, partner_id=row["partner"], links_of=row)
        return updated


def unlinked_values() -> dict[Any, Any]:
    """What a partner linked the lead to goes with its share (issue 33): the next partner, its
    webhook events and staff see the lead without a former partner's registration or
    opportunity; the history keeps them (`LeadEvent` links)."""
    return {Lead.deal_registration: None, Lead.opportunity: None}


def released_values() -> dict[Any, Any]:
    """Back to NEW without a partner or its links: shareable again (rejection, recall)."""
    return {Lead.status: Status.NEW.value, Lead.partner: None, Lead.accept_due_at: None, Lead.action_due_at: None,
            Lead.accept_remind_at: None, Lead.action_remind_at: None, Lead.partner_contact: None,
            Lead.extension_pending: False, **unlinked_values()}


async def recall_for_denied_partner(principal: Principal, partner_id: int) -> int:
    """P1 + P11: leads go to AUTHORIZED partners only, so denying a partner recalls every lead
    it still holds (shared, accepted or being worked on), in the denial's transaction; each is
    shareable again, with the recall (and the links it clears) recorded and announced like a
    deadline recall. One lead at a time in id order, each locked before it is read, so the
    history keeps the links a concurrent answer made. New shares with the partner wait for
    the partner's row, which the denial holds."""
    reason, at = LeadRecallReason.PARTNER_DENIED, business_days.now()
    held = await Lead.select(Lead.id).where(
        (Lead.partner == partner_id) & Lead.status.is_in([s.value for s in rules.HELD])).order_by(Lead.id)
    recalled = 0
    for lead in held:
        await lock_for_update(Lead, lead["id"])
        row = await Lead.select().where(Lead.id == lead["id"]).first()
        if row is None or row["partner"] != partner_id or Status(row["status"]) not in rules.HELD:
            continue
        updated = await Lead.update({**released_values(), Lead.recall_reason: reason.value,
                                     Lead.recall_count: row["recall_count"] + 1,
                                     Lead.reason: rules.RECALL_NOTES[reason], **versions.bumped(Lead)}).where(
            Lead.id == row["id"]).returning(*Lead.all_columns())
        await _record(updated[0], "RECALLED", principal, f"{reason.value}: {rules.RECALL_NOTES[reason]}", at,
                      partner_id=partner_id, links_of=row)
        recalled += 1
    return recalled


async def record_action(principal: Principal, lead_id: int, action: LeadAction, note: str = "", reason: str = "",
                        registration_id: int | None = None, opportunity_id: int | None = None,
                        expected_version: int | None = None) -> dict:
    """P11: contacted, meeting, converted (linked to the registration or opportunity it
    became) or disqualified (reason required); the first action stops the 10-day clock."""
    violations = rules.action_violations(action, reason or "", registration_id is not None or opportunity_id is not None)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's users do not act
        row = await open_for_write(principal, lead_id, expected_version)
        _require_lead_partner(principal, row)
        status = Status(row["status"])
        _check(status, action.value)
        at = business_days.now()
        violation = rules.deadline_violation(status, row, at)
        if violation:
            raise DomainError([violation])
        links = await _linked(principal, registration_id, opportunity_id)
        values: dict[Any, Any] = {Lead.status: Status(action.value).value, Lead.action: action.value,
                                  Lead.acted_at: at, Lead.action_due_at: None, Lead.action_remind_at: None,
                                  Lead.extension_pending: False, **links}
        if action is LeadAction.DISQUALIFIED:
            values[Lead.reason] = reason.strip()
        updated = await _update(row, values)
        await _record(updated, action.value, principal, reason.strip() or note, at, links_of=updated)
        return updated
