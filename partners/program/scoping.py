"""Who sees the partner program's records: agreements and trainings whoever sees their
partner (staff; the partner's own users); invitations staff and the partner's admins."""

from __future__ import annotations

from partners.people.scoping import partner_child_scope
from partners.program.invitations import invitation_scope
from partners.program.tables import PartnerAgreement, PartnerTraining

__all__ = ["agreement_scope", "invitation_scope", "training_scope"]


def agreement_scope(principal):
    return partner_child_scope(principal, PartnerAgreement.partner)


def training_scope(principal):
    return partner_child_scope(principal, PartnerTraining.partner)
