"""Per-request loaders of the partner program's records, keyed by partner (or user) id."""

from __future__ import annotations

from partners.infra.clock import now
from partners.people.scoping import partner_child_scope, scoped
from partners.people.tables import PartnerCountryServed, PartnerLanguage, PartnerRegionServed, PartnerSpecialization
from partners.program.eligibility import eligibility_inputs
from partners.program.invitations import expiry_of
from partners.program.members import pending_invitations
from partners.program.scoping import agreement_scope, training_scope
from partners.program.tables import PartnerAgreement, PartnerChange, PartnerTraining
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


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


async def load_invitation_expiry(context, user_ids: list[int]) -> list:
    expiries = await expiry_of(user_ids)
    return [expiries.get(uid) for uid in user_ids]


async def load_agreements_by_id(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(PartnerAgreement, agreement_scope, context.principal, ids)


async def load_trainings_by_id(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(PartnerTraining, training_scope, context.principal, ids)


async def _values(context, table, partner_ids: list[int]) -> list[list[str]]:
    """A directory list of each partner (D7), in stored order: one statement for a page."""
    ids = _visible(context, partner_ids)
    rows = await table.select(table.partner, table.value).where(table.partner.is_in(sorted(set(ids)))).order_by(
        table.id) if ids else []
    return [[r["value"] for r in group] for group in grouped(partner_ids, rows, "partner")]


async def load_specializations(context, partner_ids: list[int]) -> list[list[str]]:
    return await _values(context, PartnerSpecialization, partner_ids)


async def load_languages(context, partner_ids: list[int]) -> list[list[str]]:
    return await _values(context, PartnerLanguage, partner_ids)


async def load_regions_served(context, partner_ids: list[int]) -> list[list[str]]:
    return await _values(context, PartnerRegionServed, partner_ids)


async def load_countries_served(context, partner_ids: list[int]) -> list[list[str]]:
    return await _values(context, PartnerCountryServed, partner_ids)
