from __future__ import annotations

from datetime import timedelta
from operator import itemgetter

import strawberry
from piccolo.columns.combination import WhereRaw

from partners.infra.clock import now
from partners.people.scoping import NOTHING, partner_scope, scoped
from partners.registrations.enums import DealRegistrationStatus as StatusEnum
from partners.registrations.queue import actionable, due_column
from partners.registrations.rules import IN_REVIEW, LIVE, conflicting_condition_sql
from partners.registrations.scoping import deal_registration_scope
from partners.registrations.tables import DealRegistration
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import Connection, PreparedPage, paginate
from schema.core.context import Info
from schema.core.due_order import DueOrder, due_page
from schema.core.enums import DealRegistrationStatus, DealRegistrationType, Region
from schema.core.errors import InvalidArgument
from schema.core.filters import all_of
from schema.core.loaders import joined_rows, read_joined
from schema.core.node import decode_node_id
from schema.core.selection import prefetch_page, prefetch_selected, selected_node_fields, selected_under_node_field
from schema.deal_registrations.loaders import (
    load_deal_registrations,
    load_registration_conflicts,
    load_registration_products,
)
from schema.deal_registrations.types import (
    PAGE_CONFLICTS,
    PAGE_CUSTOMER_NAME,
    PAGE_OPPORTUNITY,
    PAGE_PARTNER,
    PAGE_PRODUCTS,
    PAGE_QUOTE,
    DealRegistrationNode,
)
from schema.discounts.loaders import load_standard_quotes
from schema.identity.loaders import load_partners
from schema.identity.types import PartnerNode
from schema.opportunities.loaders import load_opportunities


@strawberry.input(description="All given criteria must match.")
class DealRegistrationFilter:
    status: DealRegistrationStatus | None = None
    type: DealRegistrationType | None = None
    partner_id: strawberry.ID | None = None
    region: Region | None = strawberry.field(
        default=None, description="The end customer's region.", deprecation_reason="Use `regions` (issue 36).")
    regions: list[Region] | None = strawberry.field(
        default=None, description="The end customer's region is one of these (an empty list matches nothing).")
    actionable_by_me: bool | None = strawberry.field(
        default=None, description="Issue 36: the registrations you may take the next step on now (true), in "
                                  "due order (`dueAt`, soonest first): a channel manager's are those waiting for a "
                                  "review step (P4) in their regions (D1), an admin's every one in review, a partner "
                                  "user's their partner's RETURNED ones (resubmit or withdraw). false: the others, in "
                                  "submission order.")
    conflicting: bool | None = strawberry.field(
        default=None, description="D2: live registrations with (true) or without (false) a conflict.")
    due_for_review: bool | None = strawberry.field(
        default=None, description="P4: waiting for a review step (SUBMITTED, PENDING_SALES_REVIEW, "
                                  "PENDING_MANAGER_REVIEW), in any region.",
        deprecation_reason="Use `actionableByMe`: the review steps you take, in your regions, soonest due first "
                           "(issue 36).")
    overdue: bool | None = strawberry.field(default=None, description="P4: past its reviewDueAt (true).")
    expiring_within_days: int | None = strawberry.field(
        default=None, description="P6: approved registrations expiring within this many days.")


# P4 "waiting for a review step" as literals, not bound parameters: SQLite uses the partial
# index of the review queue (migration 2026-11-23T16:40) only when the query spells out
# its condition; with `status IN (?, ?, ?)` it scans the region (70 ms instead of 2).
_IN_REVIEW_SQL = '"deal_registration"."status" IN (' + ", ".join(f"'{s.value}'" for s in IN_REVIEW) + ")"


def _filter_condition(info: Info | None, f: DealRegistrationFilter | None, principal=None):
    if f is None:
        return None
    # An approved registration lives 90 days plus extensions (P6): a horizon of ten years
    # covers every real question and keeps date arithmetic in range.
    if f.expiring_within_days is not None and not 0 <= f.expiring_within_days <= 3650:
        raise InvalidArgument(
            "expiringWithinDays must be between 0 and 3650.", field="filter.expiringWithinDays", rule="P6"
        )
    at = now()
    review = [s.value for s in IN_REVIEW]
    principal = info.context.principal if info is not None else principal
    # R9: a partner user's view of its own registrations: the region it typed, and only
    # conflicts with its own partner's registrations (as `region` and `conflicts` show them).
    own = principal.partner_id if principal is not None and principal.is_partner_user else None
    return all_of([
        DealRegistration.status == f.status.value if f.status else None,
        DealRegistration.registration_type == f.type.value if f.type else None,
        DealRegistration.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId")
        if f.partner_id else None,
        None if not f.region else (DealRegistration.region == f.region.value) if own is None else WhereRaw(
            'COALESCE("deal_registration"."prospect_region", "deal_registration"."region") = {}', f.region.value),
        None if f.regions is None else _regions_condition(f.regions, own),
        None if f.actionable_by_me is None else (
            actionable(principal) if f.actionable_by_me
            else DealRegistration.id.not_in(DealRegistration.select(DealRegistration.id).where(actionable(principal)))),
        None if f.conflicting is None else (
            WhereRaw(conflicting_condition_sql(partner_id=own)) if f.conflicting
            else DealRegistration.status.is_in([s.value for s in LIVE])
            & WhereRaw(conflicting_condition_sql(True, partner_id=own))),
        None if f.due_for_review is None else (
            WhereRaw(_IN_REVIEW_SQL) if f.due_for_review else DealRegistration.status.not_in(review)),
        None if f.overdue is None else (
            (DealRegistration.review_due_at <= at) if f.overdue
            else (DealRegistration.review_due_at.is_null() | (DealRegistration.review_due_at > at))),
        None if f.expiring_within_days is None else (
            (DealRegistration.status == StatusEnum.APPROVED.value)
            & (DealRegistration.expires_at <= at + timedelta(days=f.expiring_within_days))),
    ])


def _regions_condition(regions, own):
    """`regions`: the end customer's region as staff see it; for a partner user the region it
    typed (as `region` shows it to them, R9)."""
    if not regions:
        return NOTHING
    values = sorted({r.value for r in regions})
    if own is None:
        return DealRegistration.region.is_in(values)
    placeholders = ", ".join("{}" for _ in values)
    return WhereRaw(f'COALESCE("deal_registration"."prospect_region", "deal_registration"."region") IN ({placeholders})',
                    *values)


# Filters whose values only pick among a few SQL texts (enums, booleans): a page with only
# these is prepared once per combination (schema/core/connection.py PreparedPage).
_SHAPE_FIELDS = ("status", "type", "region", "conflicting", "due_for_review")


def _ordered_page(condition):
    # The customer's name comes with the page (one LEFT JOIN), so `customerName` needs no loader.
    return scoped(DealRegistration.select(
        *DealRegistration.all_columns(), DealRegistration.account.name.as_alias(PAGE_CUSTOMER_NAME)),
        condition).order_by(DealRegistration.submitted_at).order_by(DealRegistration.id)


def _shape_condition(who, shape):
    return all_of([deal_registration_scope(who), _filter_condition(None, _filter_of(shape), who)])


def _page_select(who, shape):
    """`shape`: (the filter's shape, whether the nodes are asked for their partner). With
    the partner's every column (`partner.id`, …) when they are and the caller may read
    every partner (staff): the page then primes the partners' loader."""
    filter_shape, with_partner = shape
    query = _ordered_page(_shape_condition(who, filter_shape))
    return query.columns(*DealRegistration.partner.all_columns()) if with_partner and partner_scope(who) is None \
        else query


def _page_count(who, shape):
    return scoped(DealRegistration.count(), _shape_condition(who, shape[0]))


def _filter_of(shape) -> DealRegistrationFilter | None:
    return None if shape is None else DealRegistrationFilter(**dict(shape))


def _shape_of(f: DealRegistrationFilter | None):
    """The filter as a page shape, or False when it has values of their own (dates, ids)."""
    if f is None:
        return None
    given = {name: value for name, value in vars(f).items() if value is not None}
    return tuple(sorted(given.items())) if set(given) <= set(_SHAPE_FIELDS) else False


_PAGE = PreparedPage(_page_select, _page_count)


@strawberry.type
class DealRegistrationQuery:
    @strawberry.field(description="Deal registrations you may see (partner users: their own partner's), in "
                      "submission order; with `filter: {actionableByMe: true}` your review queue, soonest due "
                      "first.", extensions=[access(AUTHENTICATED)])
    async def deal_registrations(
        self, info: Info, first: int | None = None, after: str | None = None,
        filter: DealRegistrationFilter | None = None,
    ) -> Connection[DealRegistrationNode]:
        if filter is not None and filter.actionable_by_me:
            page = await _actionable_page(info, filter, first, after)
            await _prefetch(info, [node.row for node in page.node_list])
            return page
        shape = _shape_of(filter)
        page = None
        if shape is not False:  # enums and booleans only: nothing in them to refuse
            page = await read_joined(lambda with_partner: _PAGE.page(
                info, (shape, with_partner), first=first, after=after, to_node=DealRegistrationNode.from_row),
                "partner" in selected_node_fields(info))
            if page is not None:
                info.context.loaders(load_partners).prime_many(joined_rows([n.row for n in page.node_list], "partner"))
        if page is None:
            condition = all_of([deal_registration_scope(info.context.principal), _filter_condition(info, filter)])
            page = await paginate(info, _ordered_page(condition), scoped(DealRegistration.count(), condition),
                                  first=first, after=after, to_node=DealRegistrationNode.from_row)
        await _prefetch(info, [node.row for node in page.node_list])
        return page


async def _actionable_page(info: Info, f: DealRegistrationFilter, first: int | None, after: str | None):
    """Issue 36: the caller's queue, soonest due first (P4 targets; a partner's reply date)."""
    principal = info.context.principal
    condition = all_of([deal_registration_scope(principal), _filter_condition(info, f)])
    column = due_column(principal)
    order = DueOrder(column, f'"deal_registration"."{column}"', itemgetter(column))
    select = scoped(DealRegistration.select(
        *DealRegistration.all_columns(), DealRegistration.account.name.as_alias(PAGE_CUSTOMER_NAME)), condition)
    return await due_page(info, DealRegistration, select, scoped(DealRegistration.count(), condition), order,
                          first=first, after=after, to_node=DealRegistrationNode.from_row)


def _quote_key(row: dict) -> tuple[int, int] | None:
    return None if row["opportunity"] is None else (row["opportunity"], row["partner"])


async def _prefetch(info: Info, rows: list[dict]) -> None:
    """What the page's nodes are asked for, loaded for the whole page through the same
    scoped DataLoaders the fields use (one batch each), so that those fields are plain
    values instead of one awaited field per row (issue 11)."""
    if rows and "conflicts" in selected_node_fields(info):
        # D2 reads each page registration's status through the registrations loader: the
        # page's rows are those rows (the same scope, every column), so it need not read them.
        info.context.loaders(load_deal_registrations).prime_many({row["id"]: row for row in rows})
    await prefetch_selected(info, rows, [
        ("products", itemgetter("id"), PAGE_PRODUCTS, load_registration_products),
        ("opportunity", itemgetter("opportunity"), PAGE_OPPORTUNITY, load_opportunities),
        ("discountQuote", _quote_key, PAGE_QUOTE, load_standard_quotes),
        ("partner", itemgetter("partner"), PAGE_PARTNER, load_partners),
    ])
    if rows and "conflicts" in selected_node_fields(info):
        await _prefetch_conflicts(info, rows)


async def _prefetch_conflicts(info: Info, rows: list[dict]) -> None:
    """D2 for the whole page, as `conflicts` reads it (the conflicting ids, then their rows
    through the registrations loader), stored under PAGE_CONFLICTS; and the partner of each
    conflicting row when `conflicts { partner }` is asked. On a failure nothing is stored:
    each field then loads as before and meets it at its own path."""
    loaders = info.context.loaders
    try:
        id_lists = await loaders(load_registration_conflicts).load_many([row["id"] for row in rows])
        wanted = list(dict.fromkeys(i for ids in id_lists for i in ids))
        found = dict(zip(wanted, await loaders(load_deal_registrations).load_many(wanted))) if wanted else {}
    except Exception:  # noqa: BLE001 - reported by the fields, at their own paths
        return
    if "partner" in selected_under_node_field(info, "conflicts"):
        await prefetch_page([r for r in found.values() if r], itemgetter("partner"), PAGE_PARTNER,
                            loaders(load_partners).load_many)
    for row, ids in zip(rows, id_lists):
        row[PAGE_CONFLICTS] = [found[i] for i in ids if found[i]]
