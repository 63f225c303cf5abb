"""Per-request loaders for opportunities and what hangs off them; each applies the scope
of what it returns (R9 for opportunities and their team, contacts' own scope)."""

from __future__ import annotations

from partners.accounts.scoping import contact_scope
from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.opportunities.scoping import (
    holdover_extension_scope,
    opportunity_child_scope,
    opportunity_partner_scope,
    opportunity_scope,
)
from partners.opportunities.service import opportunity_select
from partners.opportunities.tables import (
    HoldoverExtension,
    Opportunity,
    OpportunityContact,
    OpportunityPartner,
    OpportunityStageChange,
)
from partners.people.scoping import partner_scope, scoped
from schema.accounts.loaders import load_contacts
from schema.core.loaders import aligned, grouped, joined_rows, read_joined
from schema.identity.loaders import load_partners

# Each statement is built once per scope shape (partners/infra/prepared.py).
_OPPORTUNITIES = PreparedQuery(lambda who, ids: scoped(opportunity_select(), opportunity_scope(who)).where(
    any_of(Opportunity.id, ids)))


def _links(table, linked, linked_scope, who, joined: bool):
    """The link rows; with the linked contact's or partner's every column (`contact.id`,
    …, one join) when the caller may read every such row (staff: `linked_scope` is
    None), which then primes that row's loader: a link's `contact` or `partner` costs
    no statement of its own."""
    if not joined or linked_scope(who) is not None:
        return table.select()
    return table.select(*table.all_columns(), *linked.all_columns())


_OPPORTUNITY_CONTACTS = PreparedQuery(lambda who, joined, ids: scoped(
    scoped(_links(OpportunityContact, OpportunityContact.contact, contact_scope, who, joined),
           contact_scope(who, OpportunityContact.contact)),
    opportunity_child_scope(who, OpportunityContact.opportunity)).where(
    any_of(OpportunityContact.opportunity, ids)).order_by(
    OpportunityContact.is_primary, ascending=False).order_by(OpportunityContact.id), takes_shape=True)

_OPPORTUNITY_PARTNERS = PreparedQuery(lambda who, joined, ids: scoped(
    _links(OpportunityPartner, OpportunityPartner.partner, partner_scope, who, joined),
    opportunity_partner_scope(who)).where(
    any_of(OpportunityPartner.opportunity, ids)).order_by(OpportunityPartner.id), takes_shape=True)


async def _run_links(query: PreparedQuery, principal, ids: list[int]) -> list[dict]:
    return await read_joined(lambda joined: query.run(principal, ids, shape=joined), True)


_STAGE_HISTORY = PreparedQuery(lambda who, ids: scoped(
    OpportunityStageChange.select(), opportunity_child_scope(who, OpportunityStageChange.opportunity)).where(
    any_of(OpportunityStageChange.opportunity, ids)).order_by(
    OpportunityStageChange.changed_at, OpportunityStageChange.id))

_HOLDOVER_EXTENSIONS = PreparedQuery(lambda who, ids: scoped(
    HoldoverExtension.select(), holdover_extension_scope(who)).where(
    any_of(HoldoverExtension.opportunity, ids)).order_by(HoldoverExtension.id))


async def load_opportunities(context, ids: list[int]) -> list[dict | None]:
    return aligned(ids, await _OPPORTUNITIES.run(context.principal, ids))


async def load_opportunity_contacts(context, opportunity_ids: list[int]) -> list[list[dict]]:
    links = await _run_links(_OPPORTUNITY_CONTACTS, context.principal, opportunity_ids)
    context.loaders(load_contacts).prime_many(joined_rows(links, "contact"))
    return grouped(opportunity_ids, links, "opportunity")


async def load_opportunity_partners(context, opportunity_ids: list[int]) -> list[list[dict]]:
    links = await _run_links(_OPPORTUNITY_PARTNERS, context.principal, opportunity_ids)
    context.loaders(load_partners).prime_many(joined_rows(links, "partner"))
    return grouped(opportunity_ids, links, "opportunity")


async def load_stage_history(context, opportunity_ids: list[int]) -> list[list[dict]]:
    return grouped(opportunity_ids, await _STAGE_HISTORY.run(context.principal, opportunity_ids), "opportunity")


async def load_holdover_extensions(context, opportunity_ids: list[int]) -> list[list[dict]]:
    return grouped(opportunity_ids, await _HOLDOVER_EXTENSIONS.run(context.principal, opportunity_ids),
                   "opportunity")
