"""Co-sell plan writes (D3, D4, D8). Roles and rules are checked in partners.plans.service."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from partners.plans import service as cosell_plans
from schema.core.access import access
from schema.core.context import Info
from schema.core.domain import call_domain
from schema.core.enums import CoSellMotion, CoSellTaskSide, CoSellTaskStatus
from schema.core.errors import UserError
from schema.core.node import decode_node_id
from schema.core.permissions import require_principal
from schema.cosell_plans.access import PLAN_MANAGERS, TASK_UPDATERS_RULE
from schema.cosell_plans.types import CoSellPlanNode, CoSellTaskNode
from schema.identity.types import PartnerNode, UserNode
from schema.opportunities.types import OpportunityNode

UNSET: Any = strawberry.UNSET


@strawberry.input(description="D3: a plan for an opportunity and a partner on its team.")
class CreateCoSellPlanInput:
    opportunity_id: strawberry.ID
    partner_id: strawberry.ID
    kickoff_date: date
    goals: str = ""
    motion: CoSellMotion | None = strawberry.field(
        default=None, description="D8: defaults from the account's ranking; a contradicting motion is refused.")


@strawberry.input(description="D3: only the given fields change; the opportunity and partner stay.")
class UpdateCoSellPlanInput:
    id: strawberry.ID
    kickoff_date: date | None = strawberry.field(
        default=UNSET, description="D3: on or before the due date of every task of the plan.")
    goals: str | None = UNSET
    motion: CoSellMotion | None = strawberry.field(
        default=UNSET, description="D8: a motion contradicting the account's ranking is refused.")


@strawberry.input(description="D3: a task; D4: a partner-side assignee gets a confirmation email.")
class AddCoSellTaskInput:
    plan_id: strawberry.ID
    title: str
    owner_side: CoSellTaskSide
    assignee_id: strawberry.ID = strawberry.field(
        description="PARTNER side: a user of the plan's partner; VENDOR side: vendor staff.")
    due_date: date = strawberry.field(description="On or after the plan's kickoff.")
    notes: str = ""


@strawberry.input(description="Only the given fields change. Partner users may give only status and notes.")
class UpdateCoSellTaskInput:
    id: strawberry.ID
    title: str | None = UNSET
    owner_side: CoSellTaskSide | None = UNSET
    assignee_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="D4: a new partner assignee gets a confirmation.")
    due_date: date | None = strawberry.field(
        default=UNSET, description="D4: a new due date of a partner-assigned task asks for a new confirmation.")
    status: CoSellTaskStatus | None = UNSET
    notes: str | None = UNSET


@strawberry.input
class CompleteCoSellTaskInput:
    id: strawberry.ID
    notes: str | None = strawberry.field(default=None, description="Replaces the notes, if given.")


@strawberry.type
class CoSellPlanPayload:
    plan: CoSellPlanNode | None
    errors: list[UserError]


@strawberry.type
class CoSellTaskPayload:
    task: CoSellTaskNode | None
    errors: list[UserError]


def _task_payload(row: dict | None, errors: list[UserError]) -> CoSellTaskPayload:
    return CoSellTaskPayload(task=CoSellTaskNode.from_row(row) if row else None, errors=errors)


@strawberry.type
class CoSellPlanMutation:
    @strawberry.mutation(description="D3, D8. A channel manager of the account's region, the opportunity's owner, "
                         "SALES_OPS or ADMIN.", extensions=[access(PLAN_MANAGERS)])
    async def create_co_sell_plan(self, info: Info, input: CreateCoSellPlanInput) -> CoSellPlanPayload:
        principal = require_principal(info)
        row, errors = await call_domain(cosell_plans.create_plan(
            principal, opportunity_id=decode_node_id(info, input.opportunity_id, OpportunityNode, "opportunityId"),
            partner_id=decode_node_id(info, input.partner_id, PartnerNode, "partnerId"),
            kickoff_date=input.kickoff_date, goals=input.goals, motion=input.motion,
        ))
        return CoSellPlanPayload(plan=CoSellPlanNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="D3, D8. The same people as createCoSellPlan.",
                         extensions=[access(PLAN_MANAGERS)])
    async def update_co_sell_plan(self, info: Info, input: UpdateCoSellPlanInput) -> CoSellPlanPayload:
        principal = require_principal(info)
        changes = {key: getattr(input, key) for key in ("kickoff_date", "goals", "motion")
                   if getattr(input, key) is not UNSET}
        row, errors = await call_domain(cosell_plans.update_plan(
            principal, decode_node_id(info, input.id, CoSellPlanNode), changes))
        return CoSellPlanPayload(plan=CoSellPlanNode.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(description="D3, D4. The plan's managers.", extensions=[access(PLAN_MANAGERS)])
    async def add_co_sell_task(self, info: Info, input: AddCoSellTaskInput) -> CoSellTaskPayload:
        principal = require_principal(info)
        row, errors = await call_domain(cosell_plans.add_task(
            principal, decode_node_id(info, input.plan_id, CoSellPlanNode, "planId"), title=input.title,
            owner_side=input.owner_side, assignee_id=decode_node_id(info, input.assignee_id, UserNode, "assigneeId"),
            due_date=input.due_date, notes=input.notes,
        ))
        return _task_payload(row, errors)

    @strawberry.mutation(description="D3, D4. The plan's managers; partner users of the plan's partner change "
                         "status and notes of partner-side tasks.", extensions=[access(TASK_UPDATERS_RULE)])
    async def update_co_sell_task(self, info: Info, input: UpdateCoSellTaskInput) -> CoSellTaskPayload:
        principal = require_principal(info)
        changes: dict[str, Any] = {}
        for attr, key in (("title", "title"), ("owner_side", "owner_side"), ("due_date", "due_date"),
                          ("status", "status"), ("notes", "notes")):
            value = getattr(input, attr)
            if value is not UNSET:
                changes[key] = value
        if input.assignee_id is not UNSET:
            changes["assignee"] = (decode_node_id(info, input.assignee_id, UserNode, "assigneeId")
                                   if input.assignee_id else None)
        row, errors = await call_domain(cosell_plans.update_task(
            principal, decode_node_id(info, input.id, CoSellTaskNode), changes))
        return _task_payload(row, errors)

    @strawberry.mutation(description="D3. Sets the status to DONE; the same people as updateCoSellTask.",
                         extensions=[access(TASK_UPDATERS_RULE)])
    async def complete_co_sell_task(self, info: Info, input: CompleteCoSellTaskInput) -> CoSellTaskPayload:
        principal = require_principal(info)
        row, errors = await call_domain(cosell_plans.complete_task(
            principal, decode_node_id(info, input.id, CoSellTaskNode), notes=input.notes))
        return _task_payload(row, errors)
