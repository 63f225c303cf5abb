from __future__ import annotations

from datetime import datetime

import strawberry

from partners import business_days
from partners.business_days.holidays import list_holidays
from partners.leads.enums import LeadStatus as StatusEnum
from partners.leads.queue import DUE_SQL, actionable, due_of
from partners.leads.scoping import lead_scope
from partners.leads.tables import Lead
from partners.people.scoping import NOTHING, scoped
from schema.core.access import AUTHENTICATED, STAFF, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.due_order import DueOrder, due_page
from schema.core.enums import LeadStatus, Region
from schema.core.filters import all_of, name_contains
from schema.leads.enums import LeadPriority
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode
from schema.leads.types import LeadNode, RegionHoliday


_DUE = DueOrder("p11", DUE_SQL, due_of)


@strawberry.input(description="A time range: since (inclusive) until (exclusive); either may be omitted.")
class TimeRange:
    since: datetime | None = None
    until: datetime | None = None


@strawberry.input(description="All given criteria must match.")
class LeadFilter:
    status: LeadStatus | None = None
    region: Region | None = None
    regions: list[Region] | None = strawberry.field(
        default=None, description="The lead's region is one of these (an empty list matches nothing).")
    actionable_by_me: bool | None = strawberry.field(
        default=None, description="Issue 36, P11: the leads you may act on now (true), the next deadline first "
                                  "(`dueAt`): a partner user's the SHARED (accept or reject) and ACCEPTED (record an "
                                  "action) leads of their partner; a channel manager's those of their regions whose "
                                  "partner asked for more time (an admin's in every region). false: the others.")
    partner_id: strawberry.ID | None = strawberry.field(default=None, description="Shared with this partner now.")
    shareable: bool | None = strawberry.field(default=None, description="P11: NEW leads (true) or the others.")
    accept_overdue: bool | None = strawberry.field(default=None, description="P11: SHARED past acceptDueAt.")
    action_overdue: bool | None = strawberry.field(default=None, description="P11: ACCEPTED past actionDueAt.")
    search: str | None = strawberry.field(default=None, description="Text in the company, the contact's name or "
                                          "the contact's email (case-insensitive; % and _ match themselves).")
    source: str | None = strawberry.field(default=None, description="Exactly this source (e.g. \"web form\").")
    priority: LeadPriority | None = None
    created: TimeRange | None = None
    shared: TimeRange | None = strawberry.field(default=None, description="When it was last shared.")
    due: TimeRange | None = strawberry.field(default=None, description="P11: the deadline the partner must meet "
                                             "next (acceptDueAt while SHARED, actionDueAt while ACCEPTED).")
    archived: bool | None = strawberry.field(default=None, description="true: archived leads only. Not given or "
                                             "false: leads that are not archived.")
    extension_pending: bool | None = strawberry.field(default=None, description="A request for more time waits "
                                                      "for a decision.")


def _in_range(column, r: TimeRange | None):
    if r is None:
        return None
    return all_of([column >= r.since if r.since else None, column < r.until if r.until else None])


def _due_condition(r: TimeRange | None):
    if r is None:
        return None
    accept, action = _in_range(Lead.accept_due_at, r), _in_range(Lead.action_due_at, r)
    shared = Lead.status == StatusEnum.SHARED.value
    accepted = Lead.status == StatusEnum.ACCEPTED.value
    return ((shared & accept) if accept is not None else shared) | ((accepted & action) if action is not None
                                                                     else accepted)


def _search(text: str | None):
    if not text or not text.strip():
        return None
    conditions = [name_contains(c, text) for c in (Lead.company, Lead.contact_name, Lead.contact_email)]
    return conditions[0] | conditions[1] | conditions[2]


def _filter_condition(info: Info, f: LeadFilter | None):
    if f is None or not f.archived:
        archived = Lead.archived_at.is_null()
    else:
        archived = Lead.archived_at.is_not_null()
    if f is None:
        return archived
    at = business_days.now()
    accept_overdue = (Lead.status == StatusEnum.SHARED.value) & (Lead.accept_due_at <= at)
    action_overdue = (Lead.status == StatusEnum.ACCEPTED.value) & (Lead.action_due_at <= at)
    return all_of([
        Lead.status == f.status.value if f.status else None,
        Lead.region == f.region.value if f.region else None,
        None if f.regions is None else Lead.region.is_in(sorted({r.value for r in f.regions})) if f.regions
        else NOTHING,
        None if f.actionable_by_me is None else (
            actionable(info.context.principal) if f.actionable_by_me
            else Lead.id.not_in(Lead.select(Lead.id).where(actionable(info.context.principal)))),
        Lead.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId") if f.partner_id else None,
        None if f.shareable is None else (
            (Lead.status == StatusEnum.NEW.value) if f.shareable else (Lead.status != StatusEnum.NEW.value)),
        None if f.accept_overdue is None else (
            accept_overdue if f.accept_overdue else Lead.id.not_in(Lead.select(Lead.id).where(accept_overdue))),
        None if f.action_overdue is None else (
            action_overdue if f.action_overdue else Lead.id.not_in(Lead.select(Lead.id).where(action_overdue))),
        archived, _search(f.search),
        Lead.source == f.source.strip() if f.source is not None and f.source.strip() else None,
        Lead.priority == f.priority.value if f.priority else None,
        _in_range(Lead.created_at, f.created), _in_range(Lead.shared_at, f.shared), _due_condition(f.due),
        None if f.extension_pending is None else Lead.extension_pending == f.extension_pending,
    ])


@strawberry.type
class LeadQuery:
    @strawberry.field(description="Leads you may see (partner users: those shared with their partner now), newest "
                      "first; with `filter: {actionableByMe: true}` the next deadline first.", extensions=[access(AUTHENTICATED)])
    async def leads(self, info: Info, first: int | None = None, after: str | None = None,
                    filter: LeadFilter | None = None) -> Connection[LeadNode]:
        condition = all_of([lead_scope(info.context.principal), _filter_condition(info, filter)])
        if filter is not None and filter.actionable_by_me:
            return await due_page(info, Lead, scoped(Lead.select(), condition), scoped(Lead.count(), condition),
                                  _DUE, first=first, after=after, to_node=LeadNode.from_row)
        query = scoped(Lead.select(), condition).order_by(Lead.created_at, ascending=False).order_by(
            Lead.id, ascending=False)
        return await paginate(info, query, scoped(Lead.count(), condition), first=first, after=after,
                              to_node=LeadNode.from_row)

    @strawberry.field(description="The regions' holiday calendars (P11 business days), by day.",
                      extensions=[access(STAFF)])
    async def region_holidays(self, info: Info, region: Region | None = None) -> list[RegionHoliday]:
        rows = await list_holidays(region)
        return [RegionHoliday(region=Region(r["region"]), day=r["day"], name=r["name"]) for r in rows]
