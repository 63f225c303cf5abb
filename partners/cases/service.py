"""Partner Opp cases (D9): open, pick up (at most 50 in progress per advocate), comment,
close. Each write runs in one `transaction()`, claims the case (version + 1, row lock on
PostgreSQL) and enqueues a `case_event` outbox message (plugins hear of it after commit)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from partners import business_days
from partners.cases.enums import CaseStatus as Status
from partners.cases.scoping import case_scope
from partners.cases.tables import CaseComment, PartnerCase
from partners.infra import outbox, versions
from partners.infra.db import transaction
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation, require_roles
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import User

EVENT_KIND = "case_event"
SUBJECT_PREFIX = "Partner Opp"
PICKUP_HOURS = 24  # D9: picked up within 24 hours
CLOSE_DAYS = 15  # D9: closed within 15 days
MAX_IN_PROGRESS = 50  # D9: an advocate holds at most 50 cases in progress
ADVOCATES = (Role.SMB_ADVOCATE,)
CLOSERS = (Role.SMB_ADVOCATE, Role.ADMIN)
STAFF_COMMENTERS = (Role.SMB_ADVOCATE, Role.ADMIN)


# ---------------------------------------------------------------- pure rules


def subject_with_prefix(subject: str) -> str:
    """D9: every case from the partner organisation is titled "Partner Opp …"."""
    text = " ".join(subject.split())
    if text.lower().startswith(SUBJECT_PREFIX.lower()):
        return SUBJECT_PREFIX + text[len(SUBJECT_PREFIX):]
    return f"{SUBJECT_PREFIX}: {text}"


def due_times(opened_at: datetime) -> tuple[datetime, datetime]:
    """D9: (pick-up due, close due)."""
    return opened_at + timedelta(hours=PICKUP_HOURS), opened_at + timedelta(days=CLOSE_DAYS)


def pickup_overdue(row: dict, at: datetime) -> bool:
    return row["status"] == Status.OPEN.value and row["pickup_due_at"] <= at


def close_overdue(row: dict, at: datetime) -> bool:
    return row["status"] != Status.CLOSED.value and row["close_due_at"] <= at


def open_violations(subject: str, description: str, opportunity_id: int | None, account_name: str) -> list[Violation]:
    violations = []
    if not subject.strip():
        violations.append(Violation("SUBJECT_REQUIRED", "Give the case a subject.", ("subject",), "D9"))
    if not description.strip():
        violations.append(Violation("DESCRIPTION_REQUIRED", "Describe what the SMB team should do.", ("description",),
                                    "D9"))
    if (opportunity_id is None) == (not account_name.strip()):
        violations.append(Violation("ONE_CONCERN", "Name either the opportunity or the account the case concerns.",
                                    ("opportunityId",), "D9"))
    return violations


def snapshot(row: dict) -> dict:
    def iso(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    return {
        "id": row["id"], "partner_id": row["partner"], "opened_by_id": row["opened_by"], "subject": row["subject"],
        "opportunity_id": row["opportunity"], "account_name": row["account_name"], "status": row["status"],
        "advocate_id": row["advocate"], "resolution": row["resolution"],
        **{key: iso(row[key]) for key in ("opened_at", "pickup_due_at", "close_due_at", "picked_up_at", "closed_at")},
    }


# ---------------------------------------------------------------- writes


async def _announce(row: dict, event: str, extra: dict | None = None) -> None:
    await outbox.enqueue(EVENT_KIND, {"event": event, "case": snapshot(row), **(extra or {})},
                         dedupe_key=f"case-event:{row['id']}:{row['version']}:{event}")


async def open_case(principal: Principal, subject: str, description: str, opportunity_id: int | None = None,
                    account_name: str = "") -> dict:
    """D9: a partner user opens a case into the SMB queue."""
    if not principal.is_partner_user:
        raise PermissionDenied("Partner users open Partner Opp cases.")
    violations = open_violations(subject, description, opportunity_id, account_name)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal)  # P1: a DENIED partner's users do not act
        if opportunity_id is not None and not await scoped(Opportunity.exists(), opportunity_scope(principal)).where(
                Opportunity.id == opportunity_id):
            raise NotFound.of("Opportunity", "opportunityId")
        at = business_days.now()
        pickup_due, close_due = due_times(at)
        row = PartnerCase(partner=principal.partner_id, opened_by=principal.user_id,
                          subject=subject_with_prefix(subject)[:300], opportunity=opportunity_id,
                          account_name=account_name.strip()[:255], description=description.strip(),
                          status=Status.OPEN.value, opened_at=at, pickup_due_at=pickup_due, close_due_at=close_due)
        await row.save()
        saved = await PartnerCase.select().where(PartnerCase.id == row.id).first()
        await _announce(saved, "OPENED")
        return saved


async def open_for_write(principal: Principal, case_id: int, expected_version: int | None = None) -> dict:
    if not await scoped(PartnerCase.exists(), case_scope(principal)).where(PartnerCase.id == case_id):
        raise NotFound.of("Case")
    return await versions.claim(PartnerCase, case_id, expected_version, "case")


async def _lock_advocate(user_id: int) -> None:
    """Serialise one advocate's pick-ups (D9's count of 50): on PostgreSQL a row lock on the
    advocate, taken before the case; SQLite's IMMEDIATE transactions serialise every write."""
    if User._meta.db.engine_type == "postgres":
        await User.raw('SELECT id FROM "cosell_user" WHERE id = {} FOR UPDATE', user_id)


async def in_progress_count(advocate_id: int) -> int:
    return await PartnerCase.count().where(
        (PartnerCase.advocate == advocate_id) & (PartnerCase.status == Status.IN_PROGRESS.value))


async def _update(row: dict, values: dict[Any, Any]) -> dict:
    updated = await PartnerCase.update(values).where(
        (PartnerCase.id == row["id"]) & (PartnerCase.status == row["status"])).returning(*PartnerCase.all_columns())
    if not updated:
        raise DomainError.single("CHANGED_MEANWHILE", "The case changed meanwhile; reload it and retry.", "id",
                                 rule="D9")
    return updated[0]


async def pick_up(principal: Principal, case_id: int, expected_version: int | None = None) -> dict:
    """D9: an advocate takes an OPEN case, refused when they already hold 50 in progress."""
    require_roles(principal, *ADVOCATES)
    async with transaction():
        await _lock_advocate(principal.user_id)
        row = await open_for_write(principal, case_id, expected_version)
        if row["status"] != Status.OPEN.value:
            raise DomainError.single("CASE_NOT_OPEN", f"The case is {row['status']}: an advocate already has it.",
                                     "id", rule="D9")
        if await in_progress_count(principal.user_id) >= MAX_IN_PROGRESS:
            raise DomainError.single("ADVOCATE_AT_CAPACITY", f"You already hold {MAX_IN_PROGRESS} cases in progress; "
                                     "close one first.", "id", rule="D9")
        at = business_days.now()
        updated = await _update(row, {PartnerCase.status: Status.IN_PROGRESS.value,
                                      PartnerCase.advocate: principal.user_id, PartnerCase.picked_up_at: at})
        await _announce(updated, "PICKED_UP")
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
        if row["status"] == Status.CLOSED.value:
            raise DomainError.single("CASE_CLOSED", "The case is closed.", "id", rule="D9")
        at = business_days.now()
        saved = CaseComment(case=case_id, author=principal.user_id, body=body, internal=internal, created_at=at)
        await saved.save()
        note = await CaseComment.select().where(CaseComment.id == saved.id).first()
        await _announce(row, "COMMENTED", {"comment": {"id": note["id"], "author_id": principal.user_id,
                                                        "internal": internal, "body": body}})
        return row, note


async def close(principal: Principal, case_id: int, resolution: str, expected_version: int | None = None) -> dict:
    """D9: the advocate holding the case (or an admin) closes it with a resolution."""
    require_roles(principal, *CLOSERS)
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError.single("RESOLUTION_REQUIRED", "Closing a case needs a resolution.", "resolution", rule="D9")
    async with transaction():
        row = await open_for_write(principal, case_id, expected_version)
        if row["status"] != Status.IN_PROGRESS.value:
            raise DomainError.single("CASE_NOT_IN_PROGRESS", f"The case is {row['status']}: pick it up first.", "id",
                                     rule="D9")
        if not principal.is_admin and row["advocate"] != principal.user_id:
            raise DomainError.single("NOT_THE_ADVOCATE", "Only the advocate holding the case (or an admin) closes it.",
                                     "id", rule="D9")
        at = business_days.now()
        updated = await _update(row, {PartnerCase.status: Status.CLOSED.value, PartnerCase.closed_at: at,
                                      PartnerCase.resolution: resolution})
        await _announce(updated, "CLOSED")
        return updated


async def release_cases_of(principal: Principal | None, advocate_id: int, reason: str) -> list[dict]:
    """D9: an advocate who can no longer work cases (deactivated, or no longer an SMB
    advocate) gives their cases in progress back to the SMB queue, inside the caller's
    transaction: OPEN again with no advocate, version + 1, one `RELEASED` event each (with
    the former advocate and why). The D9 clocks keep counting from the opening (the partner
    has waited that long), so a released case past its pick-up time is at once pickup-overdue
    and first in the queue. (The audit row is the deactivating mutation's own.)"""
    released = await PartnerCase.update({
        PartnerCase.status: Status.OPEN.value, PartnerCase.advocate: None, PartnerCase.picked_up_at: None,
        **versions.bumped(PartnerCase),
    }).where((PartnerCase.advocate == advocate_id) & (PartnerCase.status == Status.IN_PROGRESS.value)
             ).returning(*PartnerCase.all_columns())
    for row in released:
        await _announce(row, "RELEASED", {"released_from_id": advocate_id, "reason": reason,
                                          "released_by_id": principal.user_id if principal else None})
    return released
