"""P1/P2 program records behind each demo partner (program domain)."""

from __future__ import annotations

from datetime import timedelta

from partners.demo.vocabulary import FIRST_NAMES, LAST_NAMES
from partners.infra.clock import now
from partners.people.enums import PartnerStatus, PartnerTrack
from partners.people.tables import Partner
from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining


async def create_program_records() -> None:
    """P1/P2 records behind each partner (#18): its status and track history, the signed
    agreement of those that signed, and foundations completions of their trained people
    (one expired, which does not count); `trained_employees` is the count that counts."""
    at = now()
    today = at.date()
    agreements, trainings, changes = [], [], []
    partners = await Partner.select().order_by(Partner.id)
    for i, p in enumerate(partners):
        pid, slug = p["id"], p["name"].lower().replace(" ", "")
        changes.append(PartnerChange(partner=pid, kind="STATUS", from_value="", to_value="PROSPECT",
                                     reason="Applied through the partner portal.", changed_at=at - timedelta(days=400)))
        if p["status"] != PartnerStatus.PROSPECT.value:
            reason = "Agreement breach" if p["status"] == PartnerStatus.DENIED.value else "Vetted by the channel team"
            changes.append(PartnerChange(partner=pid, kind="STATUS", from_value="PROSPECT", to_value=p["status"],
                                         reason=reason, changed_at=at - timedelta(days=380)))
        if p["track"] != PartnerTrack.OPEN.value:
            changes.append(PartnerChange(partner=pid, kind="TRACK", from_value="OPEN", to_value=p["track"],
                                         reason="Invited at the annual partner review", changed_at=at - timedelta(days=200)))
        if p["agreement_signed_at"] is not None:
            agreements.append(PartnerAgreement(partner=pid, version="2026.1", signed_on=today - timedelta(days=30 + i),
                                               signer_name=f"{p['name']} Managing Director",
                                               signer_email=f"legal@{slug}.example", recorded_at=at))
            if i % 5 == 3:  # issue 34: an earlier agreement, ended when the current one was signed (P2)
                agreements.append(PartnerAgreement(
                    partner=pid, version="2024.1", signed_on=today - timedelta(days=800), signer_name="Former Director",
                    signer_email=f"legal@{slug}.example", recorded_at=at, ended_on=today - timedelta(days=30 + i),
                    end_reason="Replaced by the 2026.1 agreement.", ended_at=at))
        people = min(p["trained_employees"] or 0, 3)
        for n in range(people):
            trainings.append(PartnerTraining(partner=pid, person_name=f"{FIRST_NAMES[(i + n) % len(FIRST_NAMES)]} "
                                             f"{LAST_NAMES[(i * 3 + n) % len(LAST_NAMES)]}",
                                             person_email=f"person{n + 1}@{slug}.example", course="PARTNER_FOUNDATIONS",
                                             completed_on=today - timedelta(days=60 + n), recorded_at=at,
                                             expires_on=today + timedelta(days=300) if n == 0 else None))
        if people and i % 7 == 0:
            trainings.append(PartnerTraining(partner=pid, person_name="Former Employee",
                                             person_email=f"former@{slug}.example", course="PARTNER_FOUNDATIONS",
                                             completed_on=today - timedelta(days=800),
                                             expires_on=today - timedelta(days=70), recorded_at=at))
        if people > 1:
            trainings.append(PartnerTraining(partner=pid, person_name="Sales Lead", person_email=f"sales@{slug}.example",
                                             course="SALES_ACCREDITATION", completed_on=today - timedelta(days=20),
                                             recorded_at=at))
        if people != (p["trained_employees"] or 0):
            await Partner.update({Partner.trained_employees: people}).where(Partner.id == pid)
    for table, rows in ((PartnerChange, changes), (PartnerAgreement, agreements), (PartnerTraining, trainings)):
        if rows:
            await table.insert(*rows)

