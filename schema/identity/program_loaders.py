"""Per-request loaders of the partner program's records, keyed by partner (or user) id."""

from __future__ import annotations

from partners.infra.clock import now
from partners.people.scoping import partner_child_scope, scoped
from partners.program.eligibility import eligibility_inputs
from partners.program.members import pending_invitations
from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining
from schema.core.loaders import grouped


def _visible(context, partner_ids: list[int]) -> list[int]:
    principal = context.principal
    if principal is None:
        return []
    if principal.is_partner_user:
        return [pid for pid in partner_ids if pid == principal.partner_id]
    return list(partner_ids)


async def load_eligibility_inputs(context, partner_ids: list[int]) -> list[dict]:
    inputs = await eligibility_inputs(_visible(context, partner_ids), now().date())
    empty = {"agreement_signed_at": None, "trained_employees": 0}
    return [inputs.get(pid, empty) for pid in partner_ids]


async def _children(context, table, partner_ids: list[int], *order) -> list[list[dict]]:
    ids = _visible(context, partner_ids)
    if not ids:
        return [[] for _ in partner_ids]
    query = scoped(table.select(), partner_child_scope(context.principal, table.partner)).where(
        table.partner.is_in(sorted(set(ids))))
    for column in order:
        query = query.order_by(column, ascending=False)
    return grouped(partner_ids, await query, "partner")


async def load_agreements(context, partner_ids: list[int]) -> list[list[dict]]:
    return await _children(context, PartnerAgreement, partner_ids, PartnerAgreement.signed_on, PartnerAgreement.id)


async def load_trainings(context, partner_ids: list[int]) -> list[list[dict]]:
    return await _children(context, PartnerTraining, partner_ids, PartnerTraining.completed_on, PartnerTraining.id)


async def load_partner_changes(context, partner_ids: list[int]) -> list[list[dict]]:
    return await _children(context, PartnerChange, partner_ids, PartnerChange.changed_at, PartnerChange.id)


async def load_invitation_pending(context, user_ids: list[int]) -> list[bool]:
    pending = await pending_invitations(user_ids)
    return [uid in pending for uid in user_ids]
