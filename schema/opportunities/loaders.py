"""Per-request loaders for opportunities and what hangs off them; each applies the scope
of what it returns (R9 for opportunities and their team, contacts' own scope)."""

from __future__ import annotations

from partners.opportunities import opportunity_select
from partners.scoping import (
    account_scope,
    contact_scope,
    holdover_extension_scope,
    opportunity_child_scope,
    opportunity_partner_scope,
    opportunity_scope,
    scoped,
)
from partners.tables import (
    HoldoverExtension,
    Opportunity,
    OpportunityContact,
    OpportunityPartner,
    OpportunityStageChange,
)
from schema.core.loaders import aligned, grouped
from schema.core.sql import any_of


async def load_opportunities(context, ids: list[int]) -> list[dict | None]:
    rows = await scoped(opportunity_select(), opportunity_scope(context.principal)).where(
        any_of(Opportunity.id, ids)
    )
    return aligned(ids, rows)


async def load_account_opportunities(context, account_ids: list[int]) -> list[list[dict]]:
    principal = context.principal
    query = scoped(scoped(opportunity_select(), opportunity_scope(principal)), account_scope(principal))
    rows = await query.where(any_of(Opportunity.account, account_ids)).order_by(Opportunity.id)
    return grouped(account_ids, rows, "account")


async def load_opportunity_contacts(context, opportunity_ids: list[int]) -> list[list[dict]]:
    principal = context.principal
    query = scoped(scoped(OpportunityContact.select(), contact_scope(principal, OpportunityContact.contact)),
                   opportunity_child_scope(principal, OpportunityContact.opportunity))
    rows = await query.where(any_of(OpportunityContact.opportunity, opportunity_ids)).order_by(
        OpportunityContact.is_primary, ascending=False
    ).order_by(OpportunityContact.id)
    return grouped(opportunity_ids, rows, "opportunity")


async def load_opportunity_partners(context, opportunity_ids: list[int]) -> list[list[dict]]:
    query = scoped(OpportunityPartner.select(), opportunity_partner_scope(context.principal))
    rows = await query.where(any_of(OpportunityPartner.opportunity, opportunity_ids)).order_by(
        OpportunityPartner.id
    )
    return grouped(opportunity_ids, rows, "opportunity")


async def load_stage_history(context, opportunity_ids: list[int]) -> list[list[dict]]:
    query = scoped(OpportunityStageChange.select(),
                   opportunity_child_scope(context.principal, OpportunityStageChange.opportunity))
    rows = await query.where(any_of(OpportunityStageChange.opportunity, opportunity_ids)).order_by(
        OpportunityStageChange.changed_at, OpportunityStageChange.id
    )
    return grouped(opportunity_ids, rows, "opportunity")


async def load_holdover_extensions(context, opportunity_ids: list[int]) -> list[list[dict]]:
    query = scoped(HoldoverExtension.select(), holdover_extension_scope(context.principal))
    rows = await query.where(any_of(HoldoverExtension.opportunity, opportunity_ids)).order_by(
        HoldoverExtension.id)
    return grouped(opportunity_ids, rows, "opportunity")
