from __future__ import annotations

import asyncio
from datetime import date
from operator import itemgetter

import strawberry

from partners.accounts.scoping import account_scope
from partners.accounts.tables import Account
from partners.infra.errors import DomainError
from partners.opportunities.rules import OPEN_STAGES, opportunity_name
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.service import opportunity_select
from partners.opportunities.tables import Opportunity
from partners.people.scoping import scoped
from schema.accounts.loaders import load_accounts, load_contacts
from schema.accounts.types import AccountNode
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import Connection, PreparedPage, paginate
from schema.core.context import Info
from schema.core.enums import OpportunityStage, OpportunityType, Region, Segment
from schema.core.errors import InvalidArgument
from schema.core.filters import all_of, name_contains
from schema.core.loaders import joined_rows, projected, read_joined
from schema.core.node import decode_node_id
from schema.core.selection import (
    plan_columns,
    prefetch_page,
    prefetch_selected,
    selected_node_fields,
    selected_under_node_field,
)
from schema.identity.loaders import load_partners
from schema.identity.types import UserNode
from schema.opportunities.loaders import load_opportunity_contacts, load_opportunity_partners
from schema.opportunities.types import (
    PAGE_ACCOUNT,
    PAGE_CONTACTS,
    PAGE_LINKED,
    PAGE_PARTNERS,
    OpportunityNode,
)


@strawberry.input(description="All given criteria must match. Account criteria (segment, region, accountId) "
                  "go through the account's own visibility, so they match nothing for partner users.")
class OpportunityFilter:
    type: OpportunityType | None = None
    stage: OpportunityStage | None = None
    is_open: bool | None = strawberry.field(default=None, description="Stages 00 to 6 (true) or closed (false).")
    owner_id: strawberry.ID | None = None
    search: str | None = strawberry.field(default=None, description="Case-insensitive text in the name.")
    segment: Segment | None = strawberry.field(default=None, description="The account's segment.")
    region: Region | None = strawberry.field(default=None, description="The account's region.")
    account_id: strawberry.ID | None = None


def _filter_condition(info: Info, f: OpportunityFilter | None):
    if f is None:
        return None
    open_values = [s.value for s in OPEN_STAGES]
    account_criteria = all_of([
        Account.segment == f.segment.value if f.segment else None,
        Account.region == f.region.value if f.region else None,
        Account.id == decode_node_id(info, f.account_id, AccountNode, "filter.accountId") if f.account_id else None,
    ])
    account_condition = None
    if account_criteria is not None:
        visible = all_of([account_scope(info.context.principal), account_criteria])
        account_condition = Opportunity.account.is_in(Account.select(Account.id).where(visible))
    return all_of([
        Opportunity.opportunity_type == f.type.value if f.type else None,
        Opportunity.stage == f.stage.value if f.stage else None,
        None if f.is_open is None else (
            Opportunity.stage.is_in(open_values) if f.is_open else Opportunity.stage.not_in(open_values)),
        Opportunity.owner == decode_node_id(info, f.owner_id, UserNode, "filter.ownerId") if f.owner_id else None,
        name_contains(Opportunity.name, f.search) if f.search else None,
        account_condition,
    ])


@strawberry.input(description="O10: the parts of a conventional opportunity name.")
class OpportunityNameInput:
    account_name: str
    type: OpportunityType
    seats: int | None = None
    product: str = ""
    close_date: date | None = strawberry.field(default=None, description="Dates renewals and services (MM/YY).")


def _ordered_page(condition):
    return scoped(opportunity_select(), condition).order_by(Opportunity.id, ascending=False)


def _unfiltered_page(who, with_account):
    """With the account's every column (`account.id`, …) when the nodes are asked for
    their account and the caller may read every account (staff): the page then primes
    the accounts' loader, and `account` costs no statement of its own. `with_account`
    may instead name the columns a compiled plan reads (issue 38 item 3): only those."""
    query = _ordered_page(opportunity_scope(who))
    if not with_account or account_scope(who) is not None:
        return query
    if with_account is True:
        return query.columns(*Opportunity.account.all_columns())
    return query.columns(*(getattr(Opportunity.account, column) for column in with_account))


# Unfiltered, the list is prepared once per scope shape (schema/core/connection.py).
_PAGE = PreparedPage(_unfiltered_page, lambda who, shape: scoped(Opportunity.count(), opportunity_scope(who)))


async def _prefetch(info: Info, rows: list[dict], account: bool = True) -> None:
    """What the page's nodes are asked for (account, team, contacts, and the partner or
    contact of each link), loaded for the whole page through the same scoped DataLoaders
    the fields use, one batch per field and level (issues 11, 17). Not the account when
    a compiled plan reads it from its own rows (`account` False)."""
    await prefetch_selected(info, rows, [
        ("contacts", itemgetter("id"), PAGE_CONTACTS, load_opportunity_contacts),
        ("partners", itemgetter("id"), PAGE_PARTNERS, load_opportunity_partners),
    ] + ([("account", itemgetter("account"), PAGE_ACCOUNT, load_accounts)] if account else []))
    loaders = info.context.loaders
    linked = []
    for field, links_key, linked_field, key, load in (
            ("contacts", PAGE_CONTACTS, "contact", "contact", load_contacts),
            ("partners", PAGE_PARTNERS, "partner", "partner", load_partners)):
        if linked_field in selected_under_node_field(info, field):
            links = [link for row in rows for link in row.get(links_key, ())]
            linked.append(prefetch_page(links, itemgetter(key), PAGE_LINKED, loaders(load).load_many))
    await asyncio.gather(*linked)


@strawberry.type
class OpportunityQuery:
    @strawberry.field(description="Opportunities you may see (R9 for partner users), newest first.",
                      extensions=[access(AUTHENTICATED)])
    async def opportunities(
        self, info: Info, first: int | None = None, after: str | None = None, filter: OpportunityFilter | None = None
    ) -> Connection[OpportunityNode]:
        page = None
        narrowed = plan_columns(info, "account")  # a compiled plan's account columns, or None
        if filter is None:
            page = await read_joined(lambda with_account: _PAGE.page(
                info, with_account and (narrowed or True), first=first, after=after, to_node=OpportunityNode.from_row),
                "account" in selected_node_fields(info))
            if page is not None:
                load = load_accounts if narrowed is None else projected(load_accounts, narrowed)
                info.context.loaders(load).prime_many(joined_rows([n.row for n in page.node_list], "account"))
        if page is None:
            condition = all_of([opportunity_scope(info.context.principal), _filter_condition(info, filter)])
            page = await paginate(info, _ordered_page(condition), scoped(Opportunity.count(), condition),
                                  first=first, after=after, to_node=OpportunityNode.from_row)
        await _prefetch(info, [node.row for node in page.node_list], account=narrowed is None)
        return page

    @strawberry.field(description="O10: the conventional name for an opportunity.",
                      extensions=[access(AUTHENTICATED)])
    def suggest_opportunity_name(self, input: OpportunityNameInput) -> str:
        try:
            return opportunity_name(input.account_name, input.type, seats=input.seats, product=input.product,
                                    on=input.close_date)
        except DomainError as exc:
            raise InvalidArgument(str(exc), field="input.seats", rule="O10") from exc
