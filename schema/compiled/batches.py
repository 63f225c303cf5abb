"""Batch resolvers: for a list of parents, the values a field resolver would return for
each, through the same request DataLoaders (one `load_many` per field and level, where
the generic executor calls `load` once per parent in the same tick). Each function
mirrors the resolver it is registered for in schema/*/types.py; scoping lives in the
loaders (schema/*/loaders.py, partners/*/scoping.py), never here."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from schema.accounts.loaders import load_accounts, load_contacts
from schema.accounts.types import AccountNode, ContactNode
from schema.core.connection import Connection
from schema.core.loaders import projected
from schema.cosell_plans.types import CoSellPlanNode
from schema.deal_registrations.loaders import load_deal_registrations, load_registration_conflicts
from schema.deal_registrations.types import DealRegistrationNode
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunity_contacts, load_opportunity_partners
from schema.opportunities.types import OpportunityContact, OpportunityNode, OpportunityPartner

Batch = Callable[[list[Any], Any], Awaitable[list[Any]]]


def _resolver(cls: type, name: str):
    return cls.__strawberry_definition__.get_field(name).base_resolver.wrapped_func  # type: ignore[attr-defined]


async def _rows(context, loader, keys: list) -> list:
    wanted = [k for k in keys if k is not None]
    found = dict(zip(wanted, await context.loaders(loader).load_many(wanted))) if wanted else {}
    return [found.get(k) if k is not None else None for k in keys]


async def _nodes(context, loader, node_type, keys: list) -> list:
    """`node_type.from_row` of each key's row, None where there is no key or no row."""
    return [node_type.from_row(r) if r else None for r in await _rows(context, loader, keys)]


async def connection_total_count(parents: list[Connection], context) -> list[int]:
    return [await p.count_fn() for p in parents]


async def connection_nodes(parents: list[Connection], context) -> list[list]:
    return [p.node_list for p in parents]


async def opportunity_account(parents: list[OpportunityNode], context) -> list:
    return await _nodes(context, load_accounts, AccountNode, [p.row["account"] for p in parents])


async def opportunity_contacts(parents: list[OpportunityNode], context) -> list:
    lists = await context.loaders(load_opportunity_contacts).load_many([p.id for p in parents])
    return [[OpportunityContact.from_link(link) for link in links] for links in lists]


async def opportunity_partners(parents: list[OpportunityNode], context) -> list:
    lists = await context.loaders(load_opportunity_partners).load_many([p.id for p in parents])
    return [[OpportunityPartner.from_link(link) for link in links] for links in lists]


async def contact_of(parents: list[OpportunityContact], context) -> list:
    return await _nodes(context, load_contacts, ContactNode, [p.contact_id for p in parents])


async def partner_of(parents: list[OpportunityPartner], context) -> list:
    return await _nodes(context, load_partners, PartnerNode, [p.partner_id for p in parents])


async def registration_partner(parents: list[DealRegistrationNode], context) -> list:
    return await _nodes(context, load_partners, PartnerNode, [p.row["partner"] for p in parents])


async def registration_registered_by(parents: list[DealRegistrationNode], context) -> list:
    return await _nodes(context, load_users, UserNode, [p.row["registered_by"] for p in parents])


async def registration_assigned_ae(parents: list[DealRegistrationNode], context) -> list:
    return await _nodes(context, load_users, UserNode, [p.row["assigned_ae"] for p in parents])


async def registration_account(parents: list[DealRegistrationNode], context) -> list:
    return await _nodes(context, load_accounts, AccountNode, [p.row["account"] for p in parents])


async def registration_held_by(parents: list[DealRegistrationNode], context) -> list:
    return await _nodes(context, load_deal_registrations, DealRegistrationNode, [p.row["held_by"] for p in parents])


async def registration_conflicts(parents: list[DealRegistrationNode], context) -> list:
    # D2: the conflicting ids the caller may see, then their rows through the same scoped loader.
    id_lists = await context.loaders(load_registration_conflicts).load_many([p.id for p in parents])
    wanted = list(dict.fromkeys(i for ids in id_lists for i in ids))
    rows = dict(zip(wanted, await context.loaders(load_deal_registrations).load_many(wanted))) if wanted else {}
    return [[DealRegistrationNode.from_row(rows[i]) for i in ids if rows[i]] for ids in id_lists]


async def plan_partner(parents: list[CoSellPlanNode], context) -> list:
    return await _nodes(context, load_partners, PartnerNode, [p.row["partner"] for p in parents])


async def plan_created_by(parents: list[CoSellPlanNode], context) -> list:
    return await _nodes(context, load_users, UserNode, [p.row["created_by"] for p in parents])


async def opportunity_account_rows(parents: list[OpportunityNode], context) -> list:
    return await _rows(context, load_accounts, [p.row["account"] for p in parents])


async def contact_rows(parents: list[OpportunityContact], context) -> list:
    return await _rows(context, load_contacts, [p.contact_id for p in parents])


async def partner_rows(parents: list[OpportunityPartner], context) -> list:
    return await _rows(context, load_partners, [p.partner_id for p in parents])


async def registration_partner_rows(parents: list[DealRegistrationNode], context) -> list:
    return await _rows(context, load_partners, [p.row["partner"] for p in parents])


async def registration_account_rows(parents: list[DealRegistrationNode], context) -> list:
    return await _rows(context, load_accounts, [p.row["account"] for p in parents])


async def plan_partner_rows(parents: list[CoSellPlanNode], context) -> list:
    return await _rows(context, load_partners, [p.row["partner"] for p in parents])


# The same fields as their node batches, giving the loader's rows (or None) instead of
# nodes: for an object whose selected fields are all in schema/compiled/row_fields.py.
ROW_BATCHES: dict[Batch, Batch] = {
    opportunity_account: opportunity_account_rows,
    contact_of: contact_rows,
    partner_of: partner_rows,
    registration_partner: registration_partner_rows,
    registration_account: registration_account_rows,
    plan_partner: plan_partner_rows,
}

def opportunity_account_columns(columns: tuple[str, ...]) -> Batch:
    """`opportunity_account_rows` cut to `columns`, through their own loader: the one an
    `opportunities` page primes when it joins only those columns of the account
    (schema/opportunities/queries.py); elsewhere it reads load_accounts' rows."""
    load = projected(load_accounts, columns)

    async def account_rows(parents: list[OpportunityNode], context) -> list:
        return await _rows(context, load, [p.row["account"] for p in parents])
    return account_rows


# Row batches whose rows a root's join can narrow to the columns a plan reads.
NARROWED: dict[Batch, Callable[[tuple[str, ...]], Batch]] = {opportunity_account_rows: opportunity_account_columns}

BATCHES: dict[Callable, Batch] = {
    _resolver(Connection, "total_count"): connection_total_count,
    _resolver(Connection, "nodes"): connection_nodes,
    _resolver(OpportunityNode, "account"): opportunity_account,
    _resolver(OpportunityNode, "contacts"): opportunity_contacts,
    _resolver(OpportunityNode, "partners"): opportunity_partners,
    _resolver(OpportunityContact, "contact"): contact_of,
    _resolver(OpportunityPartner, "partner"): partner_of,
    _resolver(DealRegistrationNode, "partner"): registration_partner,
    _resolver(DealRegistrationNode, "registered_by"): registration_registered_by,
    _resolver(DealRegistrationNode, "assigned_account_executive"): registration_assigned_ae,
    _resolver(DealRegistrationNode, "account"): registration_account,
    _resolver(DealRegistrationNode, "held_by"): registration_held_by,
    _resolver(DealRegistrationNode, "conflicts"): registration_conflicts,
    _resolver(CoSellPlanNode, "partner"): plan_partner,
    _resolver(CoSellPlanNode, "created_by"): plan_created_by,
}
