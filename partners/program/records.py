"""Correcting the records behind P2 eligibility (issue 34): ending a partner agreement and
correcting or removing a training completion. Program managers of the partner's region
(P1) do it, as they record them (partners.program.lifecycle); each call is in the audit log
with the record and its partner as targets. Eligibility is computed from the records at
each check (partners.program.eligibility), so it follows at once; the partner's stored
directory copies (`agreement_signed_at`, `trained_employees`) are recomputed here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from typing import Any

from partners.infra.clock import now
from partners.infra.db import lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, Violation
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.tables import Partner
from partners.program.eligibility import agreement_in_force, trained_people
from partners.program.enums import TrainingCourse
from partners.program.lifecycle import open_for_write, text_violations, training_violations
from partners.program.scoping import agreement_scope, training_scope
from partners.program.tables import PartnerAgreement, PartnerTraining


def reason_violations(reason: str) -> list[Violation]:
    violations = text_violations({"reason": reason}, rule="P2")
    if not (reason or "").strip():
        violations.append(Violation("REASON_REQUIRED", "Say why.", ("reason",), "P2"))
    return violations


def end_violations(agreement: dict, ended_on: date) -> list[Violation]:
    """P2: an agreement ends once, not before it was signed."""
    if agreement["ended_on"] is not None:
        return [Violation("ALREADY_ENDED", f"This agreement ended on {agreement['ended_on'].isoformat()}.",
                          ("id",), "P2")]
    if ended_on < agreement["signed_on"]:
        return [Violation("ENDS_BEFORE_SIGNING", "An agreement cannot end before it was signed.", ("endedOn",), "P2")]
    return []


async def _visible(principal: Principal, table, scope, record_id: int, name: str) -> dict:
    row = await scoped(table.select(), scope(principal)).where(table.id == record_id).first()
    if row is None:
        raise NotFound.of(name, "id")
    return row


async def _refresh_partner(partner_id: int) -> None:
    """The directory copies of P2 facts: the latest agreement in force, the trained people."""
    today = now().date()
    agreements = await PartnerAgreement.select(PartnerAgreement.signed_on, PartnerAgreement.ended_on).where(
        PartnerAgreement.partner == partner_id)
    signed = max((a["signed_on"] for a in agreements if agreement_in_force(a["signed_on"], a["ended_on"], today)),
                 default=None)
    trainings = await PartnerTraining.select().where(PartnerTraining.partner == partner_id)
    await Partner.update({
        Partner.agreement_signed_at: datetime.combine(signed, time(), tzinfo=timezone.utc) if signed else None,
        Partner.trained_employees: trained_people(trainings, today),
    }).where(Partner.id == partner_id)


async def end_agreement(principal: Principal, agreement_id: int, *, ended_on: date | None, reason: str) -> dict:
    """P2: the agreement counts up to the day before `ended_on` (default today: at once). A
    date in the future schedules the end; one in the past records an end that happened."""
    violations = reason_violations(reason)
    if violations:
        raise DomainError(violations)
    async with transaction():
        row = await _visible(principal, PartnerAgreement, agreement_scope, agreement_id, "PartnerAgreement")
        await open_for_write(principal, row["partner"], "id")
        await lock_for_update(PartnerAgreement, agreement_id)
        row = await PartnerAgreement.select().where(PartnerAgreement.id == agreement_id).first()
        ended_on = ended_on or now().date()
        if violations := end_violations(row, ended_on):
            raise DomainError(violations)
        await PartnerAgreement.update({PartnerAgreement.ended_on: ended_on, PartnerAgreement.end_reason: reason.strip(),
                                       PartnerAgreement.ended_at: now()}).where(PartnerAgreement.id == agreement_id)
        await _refresh_partner(row["partner"])
        return await PartnerAgreement.select().where(PartnerAgreement.id == agreement_id).first()


CORRECTABLE = ("person_name", "person_email", "course", "completed_on", "expires_on")


async def correct_training(principal: Principal, training_id: int, changes: dict[str, Any]) -> dict:
    """P2: fix a completion's person, course or dates (only the given fields change;
    `expires_on` None clears the expiry)."""
    changes = {k: v for k, v in changes.items() if k in CORRECTABLE}
    async with transaction():
        row = await _visible(principal, PartnerTraining, training_scope, training_id, "TrainingCompletion")
        await open_for_write(principal, row["partner"], "id")
        await lock_for_update(PartnerTraining, training_id)
        row = await PartnerTraining.select().where(PartnerTraining.id == training_id).first()
        merged = {**row, **changes}
        violations = training_violations(merged["person_name"], merged["person_email"], merged["completed_on"],
                                         merged["expires_on"], now().date())
        if not changes:
            violations.append(Violation("NO_CHANGE", "Give the fields to correct.", (), "P2"))
        if violations:
            raise DomainError(violations)
        values = {getattr(PartnerTraining, k): (v.value if isinstance(v, TrainingCourse) else v)
                  for k, v in changes.items()}
        for column in (PartnerTraining.person_name, PartnerTraining.person_email):
            if column in values:
                values[column] = values[column].strip()
        if PartnerTraining.person_email in values:
            values[PartnerTraining.person_email] = values[PartnerTraining.person_email].lower()
        await PartnerTraining.update(values).where(PartnerTraining.id == training_id)
        await _refresh_partner(row["partner"])
        return await PartnerTraining.select().where(PartnerTraining.id == training_id).first()


async def remove_training(principal: Principal, training_id: int, reason: str) -> dict:
    """P2: a completion recorded by mistake goes (the audit log keeps the call and why);
    answers the removed record."""
    violations = reason_violations(reason)
    if violations:
        raise DomainError(violations)
    async with transaction():
        row = await _visible(principal, PartnerTraining, training_scope, training_id, "TrainingCompletion")
        await open_for_write(principal, row["partner"], "id")
        await PartnerTraining.delete().where(PartnerTraining.id == training_id)
        await _refresh_partner(row["partner"])
        return row
