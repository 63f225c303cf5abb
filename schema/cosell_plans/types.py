"""Co-sell plans and tasks as GraphQL types (D3, D8). Progress and overdue come from
partners.plans.rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import Iterable

import strawberry
from strawberry import relay

from partners.plans import rules
from partners.plans.scoping import cosell_plan_scope, cosell_task_scope
from partners.plans.tables import CoSellPlan, CoSellTask
from schema.core.access import node_access
from schema.core.context import Info
from schema.core.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus, member
from schema.core.rows import int_ids
from schema.cosell_plans.loaders import load_cosell_plans, load_cosell_tasks, load_plan_progress, load_plan_tasks
from schema.identity.loaders import load_partners, load_users
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.loaders import load_opportunities
from schema.opportunities.types import OpportunityNode

# Key of the progress a `coSellPlans` page prefetches for `progress` (load_plan_progress).
PAGE_PROGRESS = "page_progress"
# Key of the opportunity row a `coSellPlans` page prefetches (load_opportunities).
PAGE_OPPORTUNITY = "page_opportunity"


async def _user(info: Info, user_id: int | None) -> UserNode | None:
    if user_id is None:
        return None
    row = await info.context.loaders(load_users).load(user_id)
    return UserNode.from_row(row) if row else None


@strawberry.type(name="CoSellPlanProgress", description="D3: how far the plan's tasks are.")
class CoSellPlanProgress:
    done: int = strawberry.field(description="Tasks with status DONE.")
    total: int = strawberry.field(description="All tasks of the plan.")
    overdue: int = strawberry.field(description="Tasks not DONE whose due date (UTC) has passed.")

    @classmethod
    def of(cls, progress: rules.Progress) -> "CoSellPlanProgress":
        return cls(done=progress.done, total=progress.total, overdue=progress.overdue)


@strawberry.type(name="CoSellTask", description="D3: one thing one side will do by a date. "
                 "D4: assigning it to a partner user sends them a confirmation.")
class CoSellTaskNode(relay.Node):
    id: relay.NodeID[int]
    title: str
    owner_side: CoSellTaskSide = strawberry.field(description="VENDOR or PARTNER (D3).")
    status: CoSellTaskStatus
    due_date: date
    notes: str
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assignee_name: str = strawberry.field(description="Readable by all who see the task, partner users included.")
    row: strawberry.Private[dict]

    @strawberry.field(description="Not DONE and past its due date (UTC).")
    def overdue(self) -> bool:
        return rules.is_overdue(self.due_date, self.status.value, rules.today())

    @strawberry.field(description="The assigned user (null for partner users when a vendor user is assigned; "
                      "see assigneeName).")
    async def assignee(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["assignee"])

    @strawberry.field
    async def plan(self, info: Info) -> "CoSellPlanNode | None":
        row = await info.context.loaders(load_cosell_plans).load(self.row["plan"])
        return CoSellPlanNode.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: dict) -> "CoSellTaskNode":
        return cls(
            id=row["id"], title=row["title"], owner_side=member(CoSellTaskSide, row["owner_side"]),
            status=member(CoSellTaskStatus, row["status"]), due_date=row["due_date"], notes=row["notes"],
            completed_at=row["completed_at"], created_at=row["created_at"], updated_at=row["updated_at"],
            assignee_name=row["assignee_name"], row=row,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_cosell_tasks).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


@strawberry.type(name="CoSellPlan", description="D3: who will do what, when — written with one partner of the "
                 "opportunity's team at the kickoff.")
class CoSellPlanNode(relay.Node):
    id: relay.NodeID[int]
    kickoff_date: date
    goals: str
    motion: CoSellMotion = strawberry.field(description="D8: from the account's ranking.")
    created_at: datetime
    row: strawberry.Private[dict]

    @strawberry.field(description="Null for partner users whose partner is on the team in a role that does not "
                      "show them the opportunity (R9).")
    def opportunity(self, info: Info) -> OpportunityNode | None:
        if PAGE_OPPORTUNITY in self.row:  # prefetched by the page, through the same scoped loader
            row = self.row[PAGE_OPPORTUNITY]
            return OpportunityNode.from_row(row) if row else None
        return self._load_opportunity(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_opportunity(self, info: Info) -> OpportunityNode | None:
        row = await info.context.loaders(load_opportunities).load(self.row["opportunity"])
        return OpportunityNode.from_row(row) if row else None

    @strawberry.field
    async def partner(self, info: Info) -> PartnerNode | None:
        row = await info.context.loaders(load_partners).load(self.row["partner"])
        return PartnerNode.from_row(row) if row else None

    @strawberry.field
    async def created_by(self, info: Info) -> UserNode | None:
        return await _user(info, self.row["created_by"])

    @strawberry.field(description="Soonest due first.")
    async def tasks(self, info: Info) -> list[CoSellTaskNode]:
        rows = await info.context.loaders(load_plan_tasks).load(self.id)
        return [CoSellTaskNode.from_row(r) for r in rows]

    @strawberry.field(description="Done, total and overdue tasks.")
    def progress(self, info: Info) -> CoSellPlanProgress:
        # Prefetched for a `coSellPlans` page that asks for it (PAGE_PROGRESS), else loaded.
        if PAGE_PROGRESS in self.row:
            return CoSellPlanProgress.of(self.row[PAGE_PROGRESS])
        return self._load_progress(info)  # type: ignore[return-value]  # graphql-core awaits it

    async def _load_progress(self, info: Info) -> CoSellPlanProgress:
        return CoSellPlanProgress.of(await info.context.loaders(load_plan_progress).load(self.id))

    @classmethod
    def from_row(cls, row: dict) -> "CoSellPlanNode":
        return cls(id=row["id"], kickoff_date=row["kickoff_date"], goals=row["goals"],
                   motion=member(CoSellMotion, row["motion"]), created_at=row["created_at"], row=row)

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False):
        rows = await info.context.loaders(load_cosell_plans).load_many(int_ids(node_ids))
        return [cls.from_row(row) if row else None for row in rows]


node_access(CoSellPlanNode, CoSellPlan, cosell_plan_scope,
            "staff: every plan; partner users: the plans of their own partner (D3)")
node_access(CoSellTaskNode, CoSellTask, cosell_task_scope,
            "staff: every task; partner users: the tasks of their own partner's plans (D3)")
