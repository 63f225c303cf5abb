"""Per-request loaders for co-sell plans and tasks; each applies its entity's scope."""

from __future__ import annotations

from partners.cosell_plans import task_select
from partners.scoping import cosell_plan_scope, cosell_task_scope, scoped
from partners.tables import CoSellPlan, CoSellTask
from partners.infra.prepared import PreparedQuery
from schema.core.loaders import aligned, grouped
from schema.core.rows import scoped_rows_by_ids
from schema.core.sql import any_of


async def load_cosell_plans(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(CoSellPlan, cosell_plan_scope, context.principal, ids)


_TASKS = PreparedQuery(lambda who, ids: scoped(task_select(), cosell_task_scope(who)).where(
    any_of(CoSellTask.id, ids)))

_PLAN_TASKS = PreparedQuery(lambda who, ids: scoped(task_select(), cosell_task_scope(who)).where(
    any_of(CoSellTask.plan, ids)).order_by(CoSellTask.due_date, CoSellTask.id))


async def load_cosell_tasks(context, ids: list[int]) -> list[dict | None]:
    return aligned(ids, await _TASKS.run(context.principal, ids))


async def load_plan_tasks(context, plan_ids: list[int]) -> list[list[dict]]:
    """The tasks of each plan, soonest due first (also what `progress` counts)."""
    return grouped(plan_ids, await _PLAN_TASKS.run(context.principal, plan_ids), "plan")
