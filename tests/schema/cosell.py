"""Helpers for co-sell plan tests (D3, D4, D8): write plans and tasks through GraphQL as a
real client would."""

from __future__ import annotations

from datetime import date, timedelta

from tests.schema.sales import ERRORS, gid

PLAN_FIELDS = "id kickoffDate goals motion partner { name } opportunity { id name } progress { done total overdue }"
TASK_FIELDS = ("id title ownerSide status dueDate notes overdue completedAt assigneeName assignee { id email } "
               "plan { id }")

CREATE_PLAN = f"""
mutation($input: CreateCoSellPlanInput!) {{
  createCoSellPlan(input: $input) {{ plan {{ {PLAN_FIELDS} }} {ERRORS} }}
}}"""

UPDATE_PLAN = f"""
mutation($input: UpdateCoSellPlanInput!) {{
  updateCoSellPlan(input: $input) {{ plan {{ {PLAN_FIELDS} }} {ERRORS} }}
}}"""

ADD_TASK = f"""
mutation($input: AddCoSellTaskInput!) {{
  addCoSellTask(input: $input) {{ task {{ {TASK_FIELDS} }} {ERRORS} }}
}}"""

UPDATE_TASK = f"""
mutation($input: UpdateCoSellTaskInput!) {{
  updateCoSellTask(input: $input) {{ task {{ {TASK_FIELDS} }} {ERRORS} }}
}}"""

COMPLETE_TASK = f"""
mutation($input: CompleteCoSellTaskInput!) {{
  completeCoSellTask(input: $input) {{ task {{ {TASK_FIELDS} }} {ERRORS} }}
}}"""


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


async def create_plan_payload(gql, world, opportunity_id: str, partner: str, *, token: str = "sales_ops",
                              **fields) -> dict:
    values = {"opportunityId": opportunity_id, "partnerId": gid("Partner", world.partners[partner]),
              "kickoffDate": days(0), "goals": "Win the platform deal together.", **fields}
    body = await gql(CREATE_PLAN, {"input": values}, token=world.tokens[token])
    return body["data"]["createCoSellPlan"]


async def create_plan(gql, world, opportunity_id: str, partner: str, **kwargs) -> dict:
    payload = await create_plan_payload(gql, world, opportunity_id, partner, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["plan"]


async def update_plan(gql, world, plan_id: str, *, token: str = "sales_ops", **fields) -> dict:
    body = await gql(UPDATE_PLAN, {"input": {"id": plan_id, **fields}}, token=world.tokens[token])
    return body["data"]["updateCoSellPlan"]


async def add_task_payload(gql, world, plan_id: str, assignee: str, *, token: str = "sales_ops",
                           side: str | None = None, **fields) -> dict:
    if side is None:
        side = "PARTNER" if assignee.endswith("_user") else "VENDOR"
    values = {"planId": plan_id, "title": "Run the technical demo", "ownerSide": side,
              "assigneeId": gid("User", world.user_ids[assignee]), "dueDate": days(14), **fields}
    body = await gql(ADD_TASK, {"input": values}, token=world.tokens[token])
    return body["data"]["addCoSellTask"]


async def add_task(gql, world, plan_id: str, assignee: str, **kwargs) -> dict:
    payload = await add_task_payload(gql, world, plan_id, assignee, **kwargs)
    assert payload["errors"] == [], payload["errors"]
    return payload["task"]


async def update_task(gql, world, task_id: str, *, token: str = "sales_ops", **fields) -> dict:
    body = await gql(UPDATE_TASK, {"input": {"id": task_id, **fields}}, token=world.tokens[token])
    return body["data"]["updateCoSellTask"]


async def complete_task(gql, world, task_id: str, *, token: str = "sales_ops", **fields) -> dict:
    body = await gql(COMPLETE_TASK, {"input": {"id": task_id, **fields}}, token=world.tokens[token])
    return body["data"]["completeCoSellTask"]
