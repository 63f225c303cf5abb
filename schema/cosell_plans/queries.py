from __future__ import annotations

from operator import itemgetter

import strawberry

from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.scoping import scoped
from partners.plans.rules import today
from partners.plans.scoping import cosell_plan_scope, cosell_task_scope
from partners.plans.service import overdue_condition
from partners.plans.tables import CoSellPlan, CoSellTask
from schema.core.access import AUTHENTICATED, access
from schema.core.connection import Connection, PreparedPage, paginate
from schema.core.context import Info
from schema.core.filters import all_of
from schema.core.node import decode_node_id
from schema.core.selection import prefetch_selected
from schema.cosell_plans.loaders import load_plan_progress
from schema.cosell_plans.types import PAGE_OPPORTUNITY, PAGE_PROGRESS, CoSellPlanNode
from schema.identity.types import PartnerNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode


@strawberry.input(description="All given criteria must match.")
class CoSellPlanFilter:
    partner_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = strawberry.field(
        default=None, description="Goes through the opportunity's own visibility (R9).")
    has_overdue_tasks: bool | None = strawberry.field(
        default=None, description="Plans with (true) or without (false) a task not DONE past its due date (UTC).")


def _filter_condition(info: Info, f: CoSellPlanFilter | None):
    if f is None:
        return None
    principal = info.context.principal
    opportunity_condition = None
    if f.opportunity_id:
        opportunity_id = decode_node_id(info, f.opportunity_id, OpportunityNode, "filter.opportunityId")
        visible = all_of([opportunity_scope(principal), Opportunity.id == opportunity_id])
        opportunity_condition = CoSellPlan.opportunity.is_in(Opportunity.select(Opportunity.id).where(visible))
    overdue_condition_ = None
    if f.has_overdue_tasks is not None:
        overdue = CoSellTask.select(CoSellTask.plan).where(
            all_of([cosell_task_scope(principal), overdue_condition(today())]))
        overdue_condition_ = CoSellPlan.id.is_in(overdue) if f.has_overdue_tasks else CoSellPlan.id.not_in(overdue)
    return all_of([
        CoSellPlan.partner == decode_node_id(info, f.partner_id, PartnerNode, "filter.partnerId")
        if f.partner_id else None,
        opportunity_condition,
        overdue_condition_,
    ])


def _ordered_page(condition):
    return scoped(CoSellPlan.select(), condition).order_by(CoSellPlan.id, ascending=False)


# Unfiltered, the list is prepared once per scope shape (schema/core/connection.py).
_PAGE = PreparedPage(lambda who, shape: _ordered_page(cosell_plan_scope(who)),
                     lambda who, shape: scoped(CoSellPlan.count(), cosell_plan_scope(who)))


@strawberry.type
class CoSellPlanQuery:
    @strawberry.field(description="Co-sell plans you may see (partner users: their own partner's), newest first.",
                      extensions=[access(AUTHENTICATED)])
    async def co_sell_plans(
        self, info: Info, first: int | None = None, after: str | None = None, filter: CoSellPlanFilter | None = None
    ) -> Connection[CoSellPlanNode]:
        page = None
        if filter is None:
            page = await _PAGE.page(info, None, first=first, after=after, to_node=CoSellPlanNode.from_row)
        if page is None:
            condition = all_of([cosell_plan_scope(info.context.principal), _filter_condition(info, filter)])
            page = await paginate(info, _ordered_page(condition), scoped(CoSellPlan.count(), condition),
                                  first=first, after=after, to_node=CoSellPlanNode.from_row)
        await _prefetch(info, [node.row for node in page.node_list])
        return page


async def _prefetch(info: Info, rows: list[dict]) -> None:
    """What the page's plans are asked for, loaded for the whole page through the same
    scoped DataLoaders the fields use (one batch each), so that those fields are plain
    values instead of one awaited field per plan (issue 11)."""
    await prefetch_selected(info, rows, [
        ("progress", itemgetter("id"), PAGE_PROGRESS, load_plan_progress),
        ("opportunity", itemgetter("opportunity"), PAGE_OPPORTUNITY, load_opportunities),
    ])
