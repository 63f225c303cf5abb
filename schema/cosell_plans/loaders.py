"""Per-request loaders for co-sell plans and tasks; each applies its entity's scope."""

from __future__ import annotations

from partners.infra.prepared import PreparedQuery
from partners.infra.sql import any_of
from partners.people.scoping import scoped
from partners.plans import rules
from partners.plans.scoping import cosell_plan_scope, cosell_task_scope
from partners.plans.service import task_select
from partners.plans.tables import CoSellPlan, CoSellTask
from schema.core.loaders import aligned, grouped
from schema.core.rows import scoped_rows_by_ids


async def load_cosell_plans(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(CoSellPlan, cosell_plan_scope, context.principal, ids)


_TASKS = PreparedQuery(lambda who, ids: scoped(task_select(), cosell_task_scope(who)).where(
    any_of(CoSellTask.id, ids)))

_PLAN_TASKS = PreparedQuery(lambda who, ids: scoped(task_select(), cosell_task_scope(who)).where(
    any_of(CoSellTask.plan, ids)).order_by(CoSellTask.due_date, CoSellTask.id))


async def load_cosell_tasks(context, ids: list[int]) -> list[dict | None]:
    return aligned(ids, await _TASKS.run(context.principal, ids))


async def load_plan_tasks(context, plan_ids: list[int]) -> list[list[dict]]:
    """The tasks of each plan, soonest due first."""
    return grouped(plan_ids, await _PLAN_TASKS.run(context.principal, plan_ids), "plan")


# What `progress` counts: the same tasks, only the columns it reads (a dashboard's 50
# plans have hundreds of tasks; their titles, notes and assignees were most of its rows).
_PLAN_TASK_STATES = PreparedQuery(lambda who, ids: scoped(
    CoSellTask.select(CoSellTask.plan, CoSellTask.status, CoSellTask.due_date), cosell_task_scope(who)).where(
    any_of(CoSellTask.plan, ids)))


async def load_plan_progress(context, plan_ids: list[int]) -> list[rules.Progress]:
    """Done, total and overdue tasks of each plan, as of today (UTC)."""
    today = rules.today()
    return [rules.progress(tasks, today)
            for tasks in grouped(plan_ids, await _PLAN_TASK_STATES.run(context.principal, plan_ids), "plan")]
