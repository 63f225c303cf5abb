"""The SMB case queue (D9–D11, D13, D14): open (partner users, vendor staff, or an email
for D15), pick up (at most 50 held per advocate), comment; the shared write plumbing of the
other case modules (`work`, `closing`, `attachments`).

Each write runs in one `transaction()`, claims the case (version + 1, row lock on
PostgreSQL), writes a `case_history` row and enqueues a `case_event` outbox message (plugins
and webhooks hear of it after commit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from partners import business_days
from partners.accounts.tables import Account, Contact
from partners.cases import rules
from partners.cases.enums import HELD, CaseHistoryEvent, CaseOrigin, CaseStatus as Status, CaseType
from partners.cases.scoping import case_scope
from partners.cases.tables import CaseComment, CaseHistory, PartnerCase
from partners.infra import mail, outbox, versions
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation, require_roles
from partners.opportunities.enums import OpportunityStage
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.enums import Role
from partners.people.principal import STAFF_ROLES, Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import User

EVENT_KIND = "case_event"
SUBJECT_PREFIX = rules.SUBJECT_PREFIX
PICKUP_HOURS = rules.PICKUP_HOURS
CLOSE_DAYS = rules.CLOSE_DAYS
MAX_IN_PROGRESS = rules.MAX_HELD
ADVOCATES = (Role.SMB_ADVOCATE,)
# The owner (an advocate) or an admin works, closes and reassigns a held case (D10).
CLOSERS = (Role.SMB_ADVOCATE, Role.ADMIN)
STAFF_COMMENTERS = (Role.SMB_ADVOCATE, Role.ADMIN)
# Any vendor employee loops the SMB team in with a case (004, "Working with the … team").
STAFF_OPENERS = tuple(sorted(STAFF_ROLES, key=lambda r: r.value))
OPEN_STAGES = frozenset(s.value for s in OpportunityStage) - {
    OpportunityStage.CLOSED_WON.value, OpportunityStage.CLOSED_LOST.value, OpportunityStage.UNQUALIFIED.value,
    OpportunityStage.DUPLICATE.value}

subject_with_prefix = rules.subject_with_prefix
pickup_overdue = rules.pickup_overdue
close_overdue = rules.close_overdue


@dataclass(frozen=True)
class NewCase:
    """What a case is opened with. `contact_id`/`lead_*`: the person (D11); from an email
    (D15) the contact matched by sender, or the sender as the lead, or neither."""

    subject: str
    description: str
    case_type: CaseType = CaseType.GENERAL
    opportunity_id: int | None = None
    account_id: int | None = None
    account_name: str = ""
    contact_id: int | None = None
    lead_name: str = ""
    lead_email: str = ""


def open_violations(subject: str, description: str, opportunity_id: int | None, account_name: str) -> list[Violation]:
    """D9: a partner's case names its opportunity or the account (by name)."""
    violations = _text_violations(subject, description)
    if (opportunity_id is None) == (not account_name.strip()):
        violations.append(Violation("ONE_CONCERN", "Name either the opportunity or the account the case concerns.",
                                    ("opportunityId",), "D9"))
    return violations


def _text_violations(subject: str, description: str) -> list[Violation]:
    violations = []
    if not subject.strip():
        violations.append(Violation("SUBJECT_REQUIRED", "Give the case a subject.", ("subject",), "D9"))
    if not description.strip():
        violations.append(Violation("DESCRIPTION_REQUIRED", "Describe what the SMB team should do.", ("description",),
                                    "D9"))
    return violations


def snapshot(row: dict) -> dict:
    def iso(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    return {
        "id": row["id"], "partner_id": row["partner"], "opened_by_id": row["opened_by"], "subject": row["subject"],
        "origin": row["origin"], "case_type": row["case_type"], "opportunity_id": row["opportunity"],
        "account_id": row["account"], "account_name": row["account_name"], "contact_id": row["contact"],
        "status": row["status"], "advocate_id": row["advocate"], "resolution": row["resolution"],
        "resolution_action": row["resolution_action"], "duplicate_of_id": row["duplicate_of"],
        "next_steps": row["next_steps"], "waiting_on": row["waiting_on"],
        **{key: iso(row[key]) for key in ("opened_at", "pickup_due_at", "target_due_at", "close_due_at",
                                          "picked_up_at", "closed_at", "next_steps_date", "escalated_at")},
    }


# ---------------------------------------------------------------- plumbing for every case write


async def announce(row: dict, event: str, extra: dict | None = None) -> None:
    await outbox.enqueue(EVENT_KIND, {"event": event, "case": snapshot(row), **(extra or {})},
                         dedupe_key=f"case-event:{row['id']}:{row['version']}:{event}")


async def history(row: dict, event: CaseHistoryEvent, actor: Principal | None, *, before: dict | None = None,
                  reason: str = "") -> None:
    before = before or row
    await CaseHistory.insert(CaseHistory(
        case=row["id"], event=event.value, actor=actor.user_id if actor else None, from_status=before["status"],
        to_status=row["status"], from_owner=before["advocate"], to_owner=row["advocate"], reason=reason,
        at=business_days.now())).run()


async def email_user(user_id: int | None, subject: str, text: str, dedupe_key: str) -> None:
    """Tell a person (the owner, after commit, through the outbox)."""
    if user_id is None:
        return
    user = await User.select(User.email, User.active).where(User.id == user_id).first()
    if user and user["active"]:
        await mail.enqueue_email(user["email"], subject, text, dedupe_key=dedupe_key)


async def open_for_write(principal: Principal, case_id: int, expected_version: int | None = None) -> dict:
    if not await scoped(PartnerCase.exists(), case_scope(principal)).where(PartnerCase.id == case_id):
        raise NotFound.of("Case")
    return await versions.claim(PartnerCase, case_id, expected_version, "case")


async def update(row: dict, values: dict[Any, Any]) -> dict:
    updated = await PartnerCase.update(values).where(
        (PartnerCase.id == row["id"]) & (PartnerCase.status == row["status"])).returning(*PartnerCase.all_columns())
    if not updated:
        raise DomainError.single("CHANGED_MEANWHILE", "The case changed meanwhile; reload it and retry.", "id",
                                 rule="D9")
    return updated[0]


def require_owner(principal: Principal, row: dict, action: str = "works") -> None:
    """D10: a held case moves only by its owner (or an admin)."""
    if not principal.is_admin and row["advocate"] != principal.user_id:
        raise DomainError.single("NOT_THE_ADVOCATE", f"Only the advocate holding the case (or an admin) {action} it.",
                                 "id", rule="D10")


def require_held(row: dict) -> None:
    if Status(row["status"]) not in HELD:
        raise DomainError.single("CASE_NOT_IN_PROGRESS", f"The case is {row['status']}: pick it up first.", "id",
                                 rule="D10")


async def lock_advocate(user_id: int) -> None:
    """Serialise one advocate's case count (D9's 50): on PostgreSQL a row lock on the
    advocate, taken before the case; SQLite's IMMEDIATE transactions serialise every write."""
    if User._meta.db.engine_type == "postgres":
        await User.raw('SELECT id FROM "cosell_user" WHERE id = {} FOR UPDATE', user_id)


async def in_progress_count(advocate_id: int) -> int:
    """D9: the cases an advocate holds (IN_PROGRESS and WAITING: a waiting case is still theirs)."""
    return await PartnerCase.count().where(
        (PartnerCase.advocate == advocate_id) & PartnerCase.status.is_in([s.value for s in HELD]))


async def refuse_at_capacity(advocate_id: int, field: str = "id", whom: str = "You already hold") -> None:
    if await in_progress_count(advocate_id) >= MAX_IN_PROGRESS:
        raise DomainError.single("ADVOCATE_AT_CAPACITY", f"{whom} {MAX_IN_PROGRESS} cases in progress; close one "
                                 "first.", field, rule="D9")


async def opportunity_guard(row: dict, today: date | None = None) -> None:
    """D13: while a case is open and linked to an open opportunity, that opportunity's close
    date may not be in the past: the case write is refused until it is moved."""
    if row["opportunity"] is None or rules.is_closed(row["status"]):
        return
    opp = await Opportunity.select(Opportunity.stage, Opportunity.close_date).where(
        Opportunity.id == row["opportunity"]).first()
    today = today or business_days.now().date()
    if opp and opp["stage"] in OPEN_STAGES and opp["close_date"] is not None and opp["close_date"] < today:
        raise DomainError.single("OPPORTUNITY_CLOSE_DATE_PAST", f"The linked opportunity's close date "
                                 f"({opp['close_date'].isoformat()}) is in the past: move it first.", "opportunityId",
                                 rule="D13")


async def check_opportunity_link(opportunity_id: int, account_id: int | None, field: str = "opportunityId") -> dict:
    """D13: a case links an open opportunity (of its account, when it has one)."""
    opp = await Opportunity.select(Opportunity.id, Opportunity.account, Opportunity.stage).where(
        Opportunity.id == opportunity_id).first()
    if opp is None:
        raise NotFound.of("Opportunity", field)
    if opp["stage"] not in OPEN_STAGES:
        raise DomainError.single("OPPORTUNITY_NOT_OPEN", "Link an open opportunity.", field, rule="D13")
    if account_id is not None and opp["account"] != account_id:
        raise DomainError.single("OPPORTUNITY_NOT_ON_ACCOUNT", "The opportunity is on another account.", field,
                                 rule="D13")
    return opp


async def check_contact(contact_id: int, account_id: int | None, field: str = "contactId") -> None:
    """D11: the main contact is one of the case's account's contacts."""
    contact = await Contact.select(Contact.account).where(Contact.id == contact_id).first()
    if contact is None:
        raise NotFound.of("Contact", field)
    if account_id is None or contact["account"] != account_id:
        raise DomainError.single("CONTACT_NOT_ON_ACCOUNT", "The main contact must be a contact of the case's account.",
                                 field, rule="D11")


async def high_value_violations(account_id: int | None, exclude_case: int | None = None) -> list[Violation]:
    """D14: a High Value Account case needs the account, one open at a time, and none after
    one closed as Request Not Possible (the customer churns)."""
    if account_id is None:
        return [Violation("ACCOUNT_REQUIRED", "A High Value Account case names its account.", ("accountId",), "D14")]
    same = (PartnerCase.account == account_id) & (PartnerCase.case_type == CaseType.HIGH_VALUE_ACCOUNT.value)
    if exclude_case is not None:
        same &= PartnerCase.id != exclude_case
    if await PartnerCase.exists().where(same & (PartnerCase.resolution_action == rules.REQUEST_NOT_POSSIBLE)):
        return [Violation("HIGH_VALUE_STOPPED", "This account's High Value Account case closed as Request Not "
                          "Possible: no new one is opened.", ("caseType",), "D14")]
    if await PartnerCase.exists().where(same & (PartnerCase.closed_at.is_null())):
        return [Violation("HIGH_VALUE_CASE_EXISTS", "The account already has an open High Value Account case.",
                          ("caseType",), "D14")]
    return []


# ---------------------------------------------------------------- open, pick up, comment


async def open_case(principal: Principal, subject: str, description: str, opportunity_id: int | None = None,
                    account_name: str = "", **staff_fields: Any) -> dict:
    """D9: a partner user opens a Partner Opp case; vendor staff open any type of case on an
    account (`staff_fields`: case_type, account_id, contact_id, lead_name, lead_email)."""
    if principal.is_partner_user:
        if any(staff_fields.get(k) is not None for k in ("account_id", "contact_id")) or staff_fields.get(
                "case_type", CaseType.PARTNER_OPP) is not CaseType.PARTNER_OPP:
            raise DomainError.single("STAFF_ONLY_FIELD", "Partner users name the account by name; the SMB team links "
                                     "accounts, contacts and case types.", "accountId", rule="D9")
        violations = open_violations(subject, description, opportunity_id, account_name)
        if violations:
            raise DomainError(violations)
        new = NewCase(subject=subject_with_prefix(subject), description=description, case_type=CaseType.PARTNER_OPP,
                      opportunity_id=opportunity_id, account_name=account_name,
                      lead_name=staff_fields.get("lead_name") or "", lead_email=staff_fields.get("lead_email") or "")
        return await create_case(principal, new, CaseOrigin.PARTNER)
    if principal.role not in STAFF_OPENERS:
        raise PermissionDenied("Vendor staff or partner users open cases.")
    new = NewCase(subject=" ".join(subject.split()), description=description, opportunity_id=opportunity_id,
                  account_name=account_name,
                  **{k: v for k, v in staff_fields.items() if v is not None})
    return await create_case(principal, new, CaseOrigin.STAFF)


async def create_case(opener: Principal | None, new: NewCase, origin: CaseOrigin) -> dict:
    """Every way a case comes in (D9, D15): `opener` None for an email."""
    violations = _text_violations(new.subject, new.description)
    if origin is CaseOrigin.STAFF and new.account_id is None and new.opportunity_id is None:
        violations.append(Violation("ACCOUNT_REQUIRED", "Open the case on an account (or an opportunity).",
                                    ("accountId",), "D11"))
    if bool(new.lead_email.strip()) and "@" not in new.lead_email:
        violations.append(Violation("INVALID_EMAIL", "Give the lead's email address.", ("leadEmail",), "D11"))
    if violations:
        raise DomainError(violations)
    async with transaction():
        if opener is not None:
            await refuse_if_partner_denied(opener)  # P1: a DENIED partner's users do not act
        account_id = new.account_id
        if account_id is not None and not await Account.exists().where(Account.id == account_id):
            raise NotFound.of("Account", "accountId")
        if new.opportunity_id is not None:
            if opener is not None and opener.is_partner_user and not await scoped(
                    Opportunity.exists(), opportunity_scope(opener)).where(Opportunity.id == new.opportunity_id):
                raise NotFound.of("Opportunity", "opportunityId")
            opp = await check_opportunity_link(new.opportunity_id, account_id)
            account_id = opp["account"]
        if new.contact_id is not None:
            await check_contact(new.contact_id, account_id)
        if new.case_type is CaseType.HIGH_VALUE_ACCOUNT:
            violations = await high_value_violations(account_id)
            if violations:
                raise DomainError(violations)
        at = business_days.now()
        pickup_due, target_due, close_due = rules.due_times(at)
        row = PartnerCase(
            partner=opener.partner_id if opener is not None and opener.is_partner_user else None,
            opened_by=opener.user_id if opener else None, origin=origin.value, case_type=new.case_type.value,
            subject=new.subject[:300], opportunity=new.opportunity_id, account=account_id,
            account_name=new.account_name.strip()[:255], description=new.description.strip(),
            contact=new.contact_id, lead_name=new.lead_name.strip()[:200], lead_email=new.lead_email.strip()[:254],
            status=Status.OPEN.value, opened_at=at, pickup_due_at=pickup_due, target_due_at=target_due,
            close_due_at=close_due, escalated_at=at if rules.is_escalated(new.subject) else None)
        await row.save()
        saved = await PartnerCase.select().where(PartnerCase.id == row.id).first()
        await history(saved, CaseHistoryEvent.OPENED, opener)
        await announce(saved, "OPENED")
        return saved


async def pick_up(principal: Principal, case_id: int, expected_version: int | None = None,
                  next_steps: str | None = None, next_steps_date: date | None = None) -> dict:
    """D9/D10: an advocate takes an OPEN case and becomes its owner (refused at 50 held).
    D11: Next Steps from then on; without any, the cadence's day 1 in the advocate's name."""
    require_roles(principal, *ADVOCATES)
    today = business_days.now().date()
    if next_steps is None and next_steps_date is None:
        next_steps, next_steps_date = rules.default_next_steps(today, principal.name), today
    violations = rules.next_steps_violations(next_steps or "", next_steps_date, principal.name)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await lock_advocate(principal.user_id)
        row = await open_for_write(principal, case_id, expected_version)
        if row["status"] != Status.OPEN.value:
            raise DomainError.single("CASE_NOT_OPEN", f"The case is {row['status']}: an advocate already has it.",
                                     "id", rule="D9")
        await refuse_at_capacity(principal.user_id)
        await opportunity_guard(row, today)
        at = business_days.now()
        updated = await update(row, {
            PartnerCase.status: Status.IN_PROGRESS.value, PartnerCase.advocate: principal.user_id,
            PartnerCase.picked_up_at: at, PartnerCase.next_steps: (next_steps or "").strip(),
            PartnerCase.next_steps_date: next_steps_date,
            PartnerCase.contact_attempts_since: row["contact_attempts_since"] or at})
        await history(updated, CaseHistoryEvent.PICKED_UP, principal, before=row)
        await announce(updated, "PICKED_UP")
        return updated


async def comment(principal: Principal, case_id: int, body: str, internal: bool = False,
                  expected_version: int | None = None) -> tuple[dict, dict]:
    """D9: the partner comments publicly on its own cases; advocates and admins publicly or
    internally (internal comments are never shown to partner users)."""
    body = (body or "").strip()
    if not body:
        raise DomainError.single("BODY_REQUIRED", "Write the comment.", "body", rule="D9")
    if principal.is_partner_user:
        if internal:
            raise DomainError.single("INTERNAL_NOT_ALLOWED", "Partner users write public comments only.",
                                     "internal", rule="D9")
    else:
        require_roles(principal, *STAFF_COMMENTERS)
    async with transaction():
        await refuse_if_partner_denied(principal)  # P1: a DENIED partner's users do not act
        row = await open_for_write(principal, case_id, expected_version)
        if rules.is_closed(row["status"]):
            raise DomainError.single("CASE_CLOSED", "The case is closed.", "id", rule="D10")
        at = business_days.now()
        saved = CaseComment(case=case_id, author=principal.user_id, body=body, internal=internal, created_at=at)
        await saved.save()
        note = await CaseComment.select().where(CaseComment.id == saved.id).first()
        await announce(row, "COMMENTED", {"comment": {"id": note["id"], "author_id": principal.user_id,
                                                       "internal": internal, "body": body}})
        return row, note


async def release_cases_of(principal: Principal | None, advocate_id: int, reason: str) -> list[dict]:
    """D9: an advocate who can no longer work cases (deactivated, or no longer an SMB
    advocate) gives the cases they hold back to the SMB queue, inside the caller's
    transaction: OPEN again with no owner, version + 1, a history row and one `RELEASED`
    event each (with the former advocate and why). The D9 clocks keep counting from the
    opening (the partner has waited that long), so a released case past its pick-up time is
    at once pickup-overdue and first in the queue."""
    held = [s.value for s in HELD]
    before = {r["id"]: r for r in await PartnerCase.select().where(
        (PartnerCase.advocate == advocate_id) & PartnerCase.status.is_in(held))}
    released = await PartnerCase.update({
        PartnerCase.status: Status.OPEN.value, PartnerCase.advocate: None, PartnerCase.picked_up_at: None,
        PartnerCase.waiting_on: "", **versions.bumped(PartnerCase),
    }).where((PartnerCase.advocate == advocate_id) & PartnerCase.status.is_in(held)
             ).returning(*PartnerCase.all_columns())
    for row in released:
        await history(row, CaseHistoryEvent.RELEASED, principal, before=before.get(row["id"]), reason=reason)
        await announce(row, "RELEASED", {"released_from_id": advocate_id, "reason": reason,
                                         "released_by_id": principal.user_id if principal else None})
    return released
