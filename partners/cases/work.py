"""Working a held case (D10, D11, D13, D14): Next Steps and the people on it, waiting on
another team, reassignment with a reason, "#advocate" escalation, converting the lead, and
the customer's admin contact on an account."""

from __future__ import annotations

from dataclasses import dataclass

from partners import business_days
from partners.accounts.tables import Account, Contact
from partners.cases import rules
from partners.cases.enums import CaseHistoryEvent, CaseStatus as Status, CaseType
from partners.cases.service import (
    CLOSERS, announce, check_contact, check_opportunity_link, email_user, high_value_violations, history,
    lock_advocate, open_for_write, opportunity_guard, refuse_at_capacity, require_held, require_owner, update,
)
from partners.cases.tables import CustomerAdminContact, PartnerCase
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, require_roles
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.tables import User

# D15: the SMB renewal managers are the ACCOUNT_EXECUTIVE role (the renewals team's AEs);
# they (and admins) escalate a case to the advocates with "#advocate".
RENEWAL_MANAGERS = (Role.ACCOUNT_EXECUTIVE,)
ESCALATORS = (*RENEWAL_MANAGERS, Role.ADMIN)
ADMIN_CONTACT_SETTERS = (Role.SMB_ADVOCATE, Role.ACCOUNT_EXECUTIVE, Role.SALES_OPS, Role.ADMIN)
UNSET = object()


@dataclass(frozen=True)
class CaseChanges:
    """What `update_case` changes; UNSET leaves a field as it is, None clears a link."""

    next_steps: object = UNSET
    next_steps_date: object = UNSET
    contact_id: object = UNSET
    account_id: object = UNSET
    opportunity_id: object = UNSET
    lead_name: object = UNSET
    lead_email: object = UNSET
    case_type: object = UNSET
    description: object = UNSET


async def update_case(principal: Principal, case_id: int, changes: CaseChanges,
                      expected_version: int | None = None) -> dict:
    """D11/D13/D14: the owner (or an admin) updates the working fields of a held case."""
    require_roles(principal, *CLOSERS)
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        require_held(row)
        require_owner(principal, row)
        values, after = {}, dict(row)
        for name in ("next_steps", "next_steps_date", "lead_name", "lead_email", "description"):
            value = getattr(changes, name)
            if value is not UNSET:
                after[name] = value.strip() if isinstance(value, str) else value
                values[getattr(PartnerCase, name)] = after[name]
        if changes.next_steps is not UNSET or changes.next_steps_date is not UNSET:
            violations = rules.next_steps_violations(after["next_steps"], after["next_steps_date"], principal.name)
            if changes.next_steps is UNSET:  # only the date moved: the text was checked when written
                violations = [v for v in violations if v.field == ("nextStepsDate",)]
            if violations:
                raise DomainError(violations)
        if after["lead_email"] and "@" not in after["lead_email"]:
            raise DomainError.single("INVALID_EMAIL", "Give the lead's email address.", "leadEmail", rule="D11")
        if changes.account_id is not UNSET:
            if changes.account_id is not None and not await Account.exists().where(Account.id == changes.account_id):
                raise NotFound.of("Account", "accountId")
            after["account"] = values[PartnerCase.account] = changes.account_id
        if changes.opportunity_id is not UNSET:
            if changes.opportunity_id is not None:
                opp = await check_opportunity_link(changes.opportunity_id, after["account"])
                after["account"] = values[PartnerCase.account] = opp["account"]
            after["opportunity"] = values[PartnerCase.opportunity] = changes.opportunity_id
        elif after["opportunity"] is not None and after["account"] != row["account"]:
            raise DomainError.single("OPPORTUNITY_NOT_ON_ACCOUNT", "Unlink the opportunity before moving the case to "
                                     "another account.", "accountId", rule="D13")
        if changes.contact_id is not UNSET:
            after["contact"] = values[PartnerCase.contact] = changes.contact_id
        if after["contact"] is not None and (changes.contact_id is not UNSET or after["account"] != row["account"]):
            await check_contact(after["contact"], after["account"])
        if changes.case_type is not UNSET:
            after["case_type"] = values[PartnerCase.case_type] = changes.case_type.value
        if after["case_type"] == CaseType.HIGH_VALUE_ACCOUNT.value and (
                row["case_type"] != after["case_type"] or row["account"] != after["account"]):
            violations = await high_value_violations(after["account"], exclude_case=row["id"])
            if violations:
                raise DomainError(violations)
        await opportunity_guard(after)
        if not values:
            return row
        updated = await update(row, values)
        await history(updated, CaseHistoryEvent.UPDATED, principal, before=row)
        await announce(updated, "UPDATED")
        return updated


async def set_waiting(principal: Principal, case_id: int, team: str, expected_version: int | None = None) -> dict:
    """D10: IN_PROGRESS → WAITING while the case depends on another business team."""
    team = " ".join((team or "").split())
    if not team:
        raise DomainError.single("TEAM_REQUIRED", "Name the business team the case waits for.", "waitingOn",
                                 rule="D10")
    return await _move(principal, case_id, Status.IN_PROGRESS, Status.WAITING, CaseHistoryEvent.WAITING,
                       {PartnerCase.waiting_on: team[:200]}, expected_version, reason=team)


async def resume(principal: Principal, case_id: int, expected_version: int | None = None) -> dict:
    """D10: WAITING → IN_PROGRESS once the other team has answered."""
    return await _move(principal, case_id, Status.WAITING, Status.IN_PROGRESS, CaseHistoryEvent.RESUMED,
                       {PartnerCase.waiting_on: ""}, expected_version)


async def _move(principal: Principal, case_id: int, source: Status, target: Status, event: CaseHistoryEvent,
                values: dict, expected_version: int | None, reason: str = "") -> dict:
    require_roles(principal, *CLOSERS)
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        if row["status"] != source.value:
            raise DomainError.single("WRONG_STATUS", f"The case is {row['status']}, not {source.value}.", "id",
                                     rule="D10")
        require_owner(principal, row)
        await opportunity_guard(row)
        updated = await update(row, {PartnerCase.status: target.value, **values})
        await history(updated, event, principal, before=row, reason=reason)
        await announce(updated, event.value)
        return updated


async def reassign(principal: Principal, case_id: int, advocate_id: int, reason: str,
                   expected_version: int | None = None) -> dict:
    """D10: the owner (or an admin) moves a held case to another active advocate, only with a
    reason (e.g. the customer's language); the new owner is told by email."""
    require_roles(principal, *CLOSERS)
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError.single("REASON_REQUIRED", "Say why the case moves to another advocate.", "reason",
                                 rule="D10")
    async with transaction():
        await lock_advocate(advocate_id)
        row = await open_for_write(principal, case_id, expected_version)
        require_held(row)
        require_owner(principal, row, "reassigns")
        target = await User.select(User.role, User.active, User.name).where(User.id == advocate_id).first()
        if target is None or not target["active"] or target["role"] != Role.SMB_ADVOCATE.value:
            raise DomainError.single("NOT_AN_ADVOCATE", "Reassign to an active SMB advocate.", "advocateId",
                                     rule="D10")
        if advocate_id == row["advocate"]:
            raise DomainError.single("SAME_ADVOCATE", "The advocate already holds the case.", "advocateId", rule="D10")
        await refuse_at_capacity(advocate_id, "advocateId", "The advocate already holds")
        updated = await update(row, {PartnerCase.advocate: advocate_id})
        await history(updated, CaseHistoryEvent.REASSIGNED, principal, before=row, reason=reason)
        await announce(updated, "REASSIGNED", {"from_advocate_id": row["advocate"], "reason": reason})
        await email_user(advocate_id, f"Case assigned to you: {row['subject']}",
                         f"{principal.name} moved case #{row['id']} \"{row['subject']}\" to you.\n\nReason: {reason}\n",
                         f"case-reassigned:{row['id']}:{updated['version']}")
        return updated


async def escalate(principal: Principal, case_id: int, note: str = "", expected_version: int | None = None) -> dict:
    """D15: a renewal manager escalates a case to the advocates by adding "#advocate" to its
    subject; its owner (or, in the queue, every active advocate) is told by email."""
    require_roles(principal, *ESCALATORS)
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        if rules.is_closed(row["status"]):
            raise DomainError.single("CASE_CLOSED", "The case is closed.", "id", rule="D10")
        if rules.is_escalated(row["subject"]):
            raise DomainError.single("ALREADY_ESCALATED", 'The subject already says "#advocate".', "id", rule="D15")
        subject = f"{row['subject']} {rules.ESCALATION_TAG}"
        if len(subject) > 300:
            subject = row["subject"][:300 - len(rules.ESCALATION_TAG) - 1] + " " + rules.ESCALATION_TAG
        updated = await update(row, {PartnerCase.subject: subject, PartnerCase.escalated_at: business_days.now()})
        note = " ".join((note or "").split())
        await history(updated, CaseHistoryEvent.ESCALATED, principal, before=row, reason=note)
        await announce(updated, "ESCALATED")
        text = f"{principal.name} escalated case #{row['id']} \"{row['subject']}\" to the SMB advocates.\n" + (
            f"\n{note}\n" if note else "")
        if row["advocate"] is not None:
            await email_user(row["advocate"], f"Case escalated: {row['subject']}", text,
                             f"case-escalated:{row['id']}:{updated['version']}")
        else:
            advocates = await User.select(User.id).where(
                (User.role == Role.SMB_ADVOCATE.value) & (User.active == True))  # noqa: E712 (SQL comparison)
            for advocate in advocates:
                await email_user(advocate["id"], f"Case escalated: {row['subject']}", text,
                                 f"case-escalated:{row['id']}:{updated['version']}:{advocate['id']}")
        return updated


async def convert_lead(principal: Principal, case_id: int, title: str = "",
                       expected_version: int | None = None) -> tuple[dict, dict]:
    """D11: the lead on the case becomes a contact of the case's account and its main contact."""
    require_roles(principal, *CLOSERS)
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        require_held(row)
        require_owner(principal, row)
        if not row["lead_name"] and not row["lead_email"]:
            raise DomainError.single("NO_LEAD", "The case has no lead to convert.", "id", rule="D11")
        if row["account"] is None:
            raise DomainError.single("ACCOUNT_REQUIRED", "Link the case to the account the lead works at first.",
                                     "id", rule="D11")
        contact = Contact(account=row["account"], name=row["lead_name"] or row["lead_email"], email=row["lead_email"],
                          title=(title or "").strip()[:200], created_at=business_days.now())
        await contact.save()
        updated = await update(row, {PartnerCase.contact: contact.id, PartnerCase.lead_name: "",
                                     PartnerCase.lead_email: ""})
        await history(updated, CaseHistoryEvent.LEAD_CONVERTED, principal, before=row,
                      reason=f"{row['lead_name']} <{row['lead_email']}>")
        await announce(updated, "LEAD_CONVERTED")
        return updated, await Contact.select().where(Contact.id == contact.id).first()


async def set_customer_admin(principal: Principal, account_id: int, contact_id: int | None) -> dict | None:
    """D13: mark (or, with None, unmark) the customer's admin contact on an account."""
    require_roles(principal, *ADMIN_CONTACT_SETTERS)
    async with transaction():
        if not await Account.exists().where(Account.id == account_id):
            raise NotFound.of("Account", "accountId")
        await CustomerAdminContact.delete().where(CustomerAdminContact.account == account_id)
        if contact_id is None:
            return None
        contact = await Contact.select(Contact.account).where(Contact.id == contact_id).first()
        if contact is None:
            raise NotFound.of("Contact", "contactId")
        if contact["account"] != account_id:
            raise DomainError.single("CONTACT_NOT_ON_ACCOUNT", "The admin contact must be a contact of the account.",
                                     "contactId", rule="D13")
        await CustomerAdminContact.insert(CustomerAdminContact(
            account=account_id, contact=contact_id, set_by=principal.user_id, set_at=business_days.now())).run()
        return await Contact.select().where(Contact.id == contact_id).first()

