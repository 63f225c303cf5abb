"""P2 eligibility to register: a signed partner agreement in force (signed, and not ended)
and at least one person who has completed the partner foundations training (and it has not
expired); P1: the partner is AUTHORIZED. Computed from the agreement and training records at
each check, never stored: ending an agreement or correcting a training applies at once."""

from __future__ import annotations

from datetime import date
from typing import Iterable

from partners.infra.errors import Violation
from partners.people.enums import PartnerStatus
from partners.program.enums import TrainingCourse
from partners.program.tables import PartnerAgreement, PartnerTraining

FOUNDATIONS = TrainingCourse.PARTNER_FOUNDATIONS


def is_current(expires_on: date | None, today: date) -> bool:
    """A completion counts until (and on) its expiry date; without one, for good."""
    return expires_on is None or expires_on >= today


def agreement_in_force(signed_on: date, ended_on: date | None, today: date) -> bool:
    """P2: an agreement counts from its signing day up to the day before it ends."""
    return signed_on <= today and (ended_on is None or today < ended_on)


def trained_people(trainings: Iterable[dict], today: date) -> int:
    """P2: distinct people (by email) with a current foundations completion."""
    return len({t["person_email"].lower() for t in trainings
                if t["course"] == FOUNDATIONS.value and is_current(t["expires_on"], today)})


def eligibility_violations(partner: dict, field: str = "partnerId") -> list[Violation]:
    """Why `partner` may not register deals (empty: it may). `partner` has `status`,
    `agreement_signed_at` (an agreement in force: its signed date, or None) and `trained_employees` (a count)."""
    violations = []
    if partner["status"] != PartnerStatus.AUTHORIZED.value:
        violations.append(Violation("PARTNER_NOT_AUTHORIZED",
                                    f"Only AUTHORIZED partners register deals (this one is {partner['status']}).",
                                    (field,), "P1"))
    if partner["agreement_signed_at"] is None:
        violations.append(Violation("AGREEMENT_NOT_SIGNED", "A signed partner agreement in force is needed (none is signed, or it has ended).",
                                    (field,), "P2"))
    if (partner["trained_employees"] or 0) < 1:
        violations.append(Violation("NO_TRAINED_EMPLOYEE",
                                    "At least one employee must have completed the partner foundations training.",
                                    (field,), "P2"))
    return violations


async def eligibility_inputs(partner_ids: list[int], today: date) -> dict[int, dict]:
    """For each partner: the signed date of its latest agreement in force (or None) and its
    count of currently trained people — two statements whatever the number of partners."""
    result = {pid: {"agreement_signed_at": None, "trained_employees": 0} for pid in partner_ids}
    if not partner_ids:
        return result
    ids = sorted(set(partner_ids))
    for row in await PartnerAgreement.select(
            PartnerAgreement.partner, PartnerAgreement.signed_on, PartnerAgreement.ended_on).where(
            PartnerAgreement.partner.is_in(ids) & (PartnerAgreement.signed_on <= today)):
        if not agreement_in_force(row["signed_on"], row["ended_on"], today):
            continue
        signed = result[row["partner"]]["agreement_signed_at"]
        if signed is None or row["signed_on"] > signed:
            result[row["partner"]]["agreement_signed_at"] = row["signed_on"]
    trainings = await PartnerTraining.select(
        PartnerTraining.partner, PartnerTraining.person_email, PartnerTraining.course, PartnerTraining.expires_on,
    ).where(PartnerTraining.partner.is_in(ids) & (PartnerTraining.course == FOUNDATIONS.value))
    by_partner: dict[int, list[dict]] = {}
    for row in trainings:
        by_partner.setdefault(row["partner"], []).append(row)
    for pid, rows in by_partner.items():
        result[pid]["trained_employees"] = trained_people(rows, today)
    return result


async def partner_violations(partner: dict, today: date, field: str = "partnerId") -> list[Violation]:
    """`eligibility_violations` of a partner row, from its current records."""
    inputs = (await eligibility_inputs([partner["id"]], today))[partner["id"]]
    return eligibility_violations({**partner, **inputs}, field)
