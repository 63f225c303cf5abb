from __future__ import annotations

from datetime import datetime

import strawberry

from partners import business_days
from partners.business_days.holidays import list_holidays
from partners.leads.enums import LeadStatus as StatusEnum
from partners.leads.scoping import lead_scope
from partners.leads.tables import Lead
from partners.people.scoping import scoped
from schema.core.access import AUTHENTICATED, STAFF, access
from schema.core.connection import Connection, paginate
from schema.core.context import Info
from schema.core.enums import LeadStatus, Region
from schema.core.filters import all_of, name_contains
from schema.leads.enums import LeadPriority
from schema.core.node import decode_node_id
from schema.identity.types import PartnerNode
from schema.leads.types import LeadNode, RegionHoliday


@strawberry.input(description="A time range: since (inclusive) until (exclusive); either may be omitted.")
class TimeRange:
    since: datetime | None = None
    until: datetime | None = None


@strawberry.input(description="All given criteria must match.")
class LeadFilter:
    status: LeadStatus | None = None
    region: Region | None = None
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
                      "first.", extensions=[access(AUTHENTICATED)])
    async def leads(self, info: Info, first: int | None = None, after: str | None = None,
                    filter: LeadFilter | None = None) -> Connection[LeadNode]:
        condition = all_of([lead_scope(info.context.principal), _filter_condition(info, filter)])
        query = scoped(Lead.select(), condition).order_by(Lead.created_at, ascending=False).order_by(
            Lead.id, ascending=False)
        return await paginate(info, query, scoped(Lead.count(), condition), first=first, after=after,
                              to_node=LeadNode.from_row)

    @strawberry.field(description="The regions' holiday calendars (P11 business days), by day.",
                      extensions=[access(STAFF)])
    async def region_holidays(self, info: Info, region: Region | None = None) -> list[RegionHoliday]:
        rows = await list_holidays(region)
        return [RegionHoliday(region=Region(r["region"]), day=r["day"], name=r["name"]) for r in rows]
