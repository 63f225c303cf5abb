"""Staff moves on a lead (issue 34): edit, archive, take back early, reassign, and the named
person at the partner. Each runs in one transaction with a `LeadEvent` row and a
`lead_event` outbox message, like the P11 moves in partners.leads.service."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from partners import business_days
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.infra.db import transaction
from partners.leads import rules
from partners.leads.duplicates import company_key
from partners.leads.enums import LeadPriority, LeadRecallReason, LeadStatus as Status
from partners.leads.links import KEEP, DealSize, Keep, account_values
from partners.leads.notices import notify_partner_contact, notify_shared
from partners.leads.service import (
    CREATORS,
    NewLead,
    _record,
    _require_region_manager,
    _update,
    new_lead_violations,
    open_for_write,
    refuse_if_archived,
    released_values,
    share_values,
)
from partners.leads.tables import Lead
from partners.people.enums import Region, Role
from partners.people.principal import Principal
from partners.people.scoping import scoped, user_scope
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import User

TEXT_FIELDS = ("company", "contact_name", "contact_email", "country", "product_interest", "notes", "source")


@dataclass(frozen=True)
class LeadEdit:
    """What an edit changes; KEEP leaves a field as it is, None clears the account or deal size."""

    company: str | Keep = KEEP
    contact_name: str | Keep = KEEP
    contact_email: str | Keep = KEEP
    country: str | Keep = KEEP
    product_interest: str | Keep = KEEP
    notes: str | Keep = KEEP
    source: str | Keep = KEEP
    region: Region | Keep = KEEP
    priority: LeadPriority | Keep = KEEP
    account_id: int | None | Keep = KEEP
    deal_size: DealSize | None | Keep = KEEP


def _reason(reason: str, what: str) -> str:
    cleaned = (reason or "").strip()
    if not cleaned:
        raise DomainError.single("REASON_REQUIRED", f"{what} needs a reason.", "reason", rule="P11")
    return cleaned


def _require_held(row: dict, what: str) -> Status:
    status = Status(row["status"])
    if status not in rules.HELD:
        raise DomainError.single("LEAD_NOT_HELD", f"Only a lead a partner holds (shared, accepted or being worked "
                                 f"on) can be {what}; this one is {status.value}.", "id", rule="P11")
    return status


async def update_lead(principal: Principal, lead_id: int, edit: LeadEdit, expected_version: int | None = None) -> dict:
    """Staff correct a lead's details; its share and P11 deadlines are unchanged. The region
    decides whose holidays and which channel managers count, so it changes only while the
    lead is NEW (REGION_LOCKED)."""
    require_roles(principal, *CREATORS)
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        refuse_if_archived(row)
        merged = NewLead(company=row["company"], region=Region(row["region"]), country=row["country"],
                         contact_name=row["contact_name"], contact_email=row["contact_email"],
                         product_interest=row["product_interest"], notes=row["notes"], source=row["source"])
        merged = replace(merged, **{f: getattr(edit, f) for f in (*TEXT_FIELDS, "region")
                                    if getattr(edit, f) is not KEEP})
        violations = new_lead_violations(merged)
        if edit.region is not KEEP and edit.region.value != row["region"] and Status(row["status"]) is not Status.NEW:
            violations.append(Violation("REGION_LOCKED", "The region of a lead a partner holds cannot change (its "
                                        "deadlines count that region's holidays); take it back first.",
                                        ("region",), "P11"))
        if violations:
            raise DomainError(violations)
        values: dict[Any, Any] = {
            Lead.company: merged.company.strip()[:255], Lead.company_key: company_key(merged.company),
            Lead.contact_name: merged.contact_name.strip()[:200],
            Lead.contact_email: merged.contact_email.strip().lower()[:254], Lead.country: merged.country.strip().upper(),
            Lead.product_interest: merged.product_interest.strip()[:200], Lead.notes: merged.notes.strip(),
            Lead.source: merged.source.strip()[:100] or row["source"], Lead.region: merged.region.value,
        }
        if edit.priority is not KEEP:
            values[Lead.priority] = edit.priority.value
        values.update(await account_values(principal, edit.account_id, edit.deal_size, merged.country.strip().upper(),
                                           current=row))
        changed = sorted(column._meta.name for column, value in values.items()
                         if column is not Lead.company_key and row[column._meta.name] != value)
        updated = await _update(row, values)
        await _record(updated, "UPDATED", principal, "changed: " + (", ".join(changed) or "nothing"),
                      business_days.now())
        return updated


async def archive_lead(principal: Principal, lead_id: int, archive: bool, note: str = "",
                       expected_version: int | None = None) -> dict:
    """Staff archive a lead nobody holds (NEW, CONVERTED, DISQUALIFIED): it leaves the lists
    and cannot be shared or edited until unarchived. A held lead is taken back first."""
    require_roles(principal, *CREATORS)
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        if archive:
            refuse_if_archived(row)
            if Status(row["status"]) in rules.HELD:
                raise DomainError.single("LEAD_HELD", "A partner holds this lead; take it back before archiving it.",
                                         "id", rule="P11")
        elif row["archived_at"] is None:
            raise DomainError.single("LEAD_NOT_ARCHIVED", "The lead is not archived.", "id", rule="P11")
        at = business_days.now()
        updated = await _update(row, {Lead.archived_at: at if archive else None,
                                      Lead.archived_by: principal.user_id if archive else None})
        await _record(updated, "ARCHIVED" if archive else "UNARCHIVED", principal, note, at)
        return updated


async def take_back_lead(principal: Principal, lead_id: int, reason: str, expected_version: int | None = None) -> dict:
    """A channel manager of the region takes a lead back from its partner before a deadline
    recalls it (P11): shareable again, as after a recall (`recallReason: TAKEN_BACK`)."""
    _require_region_manager_role(principal)
    reason = _reason(reason, "Taking a lead back")
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        _require_region_manager(principal, row)
        _require_held(row, "taken back")
        at = business_days.now()
        updated = await _update(row, {**released_values(), Lead.recall_reason: LeadRecallReason.TAKEN_BACK.value,
                                      Lead.recall_count: row["recall_count"] + 1, Lead.reason: reason})
        await _record(updated, "TAKEN_BACK", principal, reason, at, partner_id=row["partner"], links_of=row)
        return updated


async def reassign_lead(principal: Principal, lead_id: int, partner_id: int, reason: str,
                        expected_version: int | None = None) -> dict:
    """A channel manager of the region gives a held lead to another AUTHORIZED partner (P1).
    For the new partner it is a new share: its 5 and 10 business-day clocks start now (P11),
    its links and named contact are cleared; the former partner hears REASSIGNED."""
    _require_region_manager_role(principal)
    reason = _reason(reason, "Reassigning a lead")
    async with transaction():
        row = await open_for_write(principal, lead_id, expected_version)
        _require_region_manager(principal, row)
        _require_held(row, "reassigned")
        if partner_id == row["partner"]:
            raise DomainError.single("SAME_PARTNER", "The lead is already shared with this partner.", "partnerId",
                                     rule="P11")
        at = business_days.now()
        values = await share_values(principal, row, partner_id, at)
        updated = await _update(row, {**values, Lead.recall_reason: LeadRecallReason.REASSIGNED.value,
                                      Lead.recall_count: row["recall_count"] + 1, Lead.reason: reason})
        await _record(updated, "REASSIGNED", principal, reason, at, partner_id=row["partner"], links_of=row)
        await _record(updated, "SHARED", principal, f"reassigned: {reason}", at)
        await notify_shared(updated)
        return updated


def _require_region_manager_role(principal: Principal) -> None:
    require_roles(principal, Role.CHANNEL_MANAGER, Role.ADMIN)


async def set_partner_contact(principal: Principal, lead_id: int, user_id: int | None,
                              expected_version: int | None = None) -> dict:
    """The named person at the partner holding the lead: chosen by that partner's admin or by
    a channel manager of the region (or an admin); one of the partner's active users. The
    person is emailed. It goes with the share (a release or a new share clears it)."""
    require_roles(principal, Role.PARTNER_ADMIN, Role.CHANNEL_MANAGER, Role.ADMIN)
    async with transaction():
        if principal.is_partner_user:
            await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, lead_id, expected_version)
        if not principal.is_partner_user:
            _require_region_manager(principal, row)
        _require_held(row, "given a contact at the partner")
        if user_id is not None:
            user = await scoped(User.select(User.id, User.partner, User.active), user_scope(principal)).where(
                User.id == user_id).first()
            if user is None:
                raise NotFound.of("User", "userId")
            if user["partner"] != row["partner"] or not user["active"]:
                raise DomainError.single("NOT_A_PARTNER_USER", "The contact is an active user of the partner the "
                                         "lead is shared with.", "userId", rule="P11")
        at = business_days.now()
        updated = await _update(row, {Lead.partner_contact: user_id})
        await _record(updated, "PARTNER_CONTACT_SET", principal, "" if user_id else "cleared", at)
        if user_id is not None and user_id != row["partner_contact"]:
            await notify_partner_contact(updated, user_id)
        return updated
