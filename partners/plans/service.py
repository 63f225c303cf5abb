"""Co-sell plans (D3, D4, D8): "who will do what, when", and task confirmations.

A plan joins an opportunity and one partner of its team, with the kickoff date, the goals
and the partner motion (D8). Its tasks have an owner side (VENDOR or PARTNER), an assignee,
a due date and a status. Every task assigned to a partner user enqueues a confirmation
email through the outbox in the same transaction (D4), so it exists exactly when the
assignment committed and is delivered after commit, once. Every task created or changed
also enqueues a `cosell_task_event` (the plan's partner's webhooks hear of it, issue 20).

Who writes: the channel manager of the account's region, the opportunity's owner,
SALES_OPS and ADMIN write plans and tasks. Partner users of the plan's partner change the
status and notes of the plan's PARTNER-side tasks, and nothing else.

The pure rules (D3, D8) are in `partners.plans.rules`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from partners.accounts.enums import Ranking
from partners.accounts.tables import Account
from partners.infra import mail, outbox
from partners.infra.clock import now
from partners.infra.db import is_unique_violation, lock_for_update, transaction
from partners.infra.errors import DomainError, NotFound, Violation, require_roles
from partners.opportunities.enums import OpportunityStage as Stage
from partners.opportunities.service import get_visible
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.enums import Region, Role
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import refuse_if_partner_denied
from partners.people.tables import Partner, User
from partners.plans.enums import CoSellMotion as Motion, CoSellTaskSide as Side, CoSellTaskStatus as Status
from partners.plans.rules import (
    assignee_violations,
    due_date_violations,
    kickoff_violations,
    motion_for,
    text_violations,
)
from partners.plans.scoping import cosell_plan_scope, cosell_task_scope
from partners.plans.tables import CoSellPlan, CoSellTask

# Roles that may write plans and tasks; which opportunities is decided by `_may_manage`.
PLAN_WRITERS = (Role.ADMIN, Role.SALES_OPS, Role.CHANNEL_MANAGER, Role.ACCOUNT_EXECUTIVE)
MANAGERS = (Role.ADMIN, Role.SALES_OPS)
TASK_UPDATERS = (*PLAN_WRITERS, Role.PARTNER_USER, Role.PARTNER_ADMIN)
# What a partner user may change on a PARTNER-side task of their partner's plan.
PARTNER_EDITABLE = frozenset({"status", "notes"})
# No new plan on an opportunity that ended without a deal (closed won keeps services work).
ENDED_STAGES = frozenset({Stage.CLOSED_LOST, Stage.UNQUALIFIED, Stage.DUPLICATE})
CONFIRMATION_KEY = "cosell-task-assigned:{task_id}:{user_id}:{number}"
TASK_EVENT_KIND = "cosell_task_event"


# ---------------------------------------------------------------- reads


def task_select():
    """Task rows with the assignee's name, readable by everyone who sees the task (a partner
    user does not see vendor users themselves, but needs to know who does the vendor work)."""
    return CoSellTask.select(*CoSellTask.all_columns(), CoSellTask.assignee.name.as_alias("assignee_name"))


def overdue_condition(on: date):
    """`partners.plans.rules.is_overdue` as a Piccolo condition on CoSellTask (for filters)."""
    return (CoSellTask.due_date < on) & (CoSellTask.status != Status.DONE.value)


async def get_plan(principal: Principal, plan_id: int, field: str = "id") -> dict:
    row = await scoped(CoSellPlan.select(), cosell_plan_scope(principal)).where(CoSellPlan.id == plan_id).first()
    if row is None:
        raise NotFound.of("Co-sell plan", field)
    return row


async def get_task(principal: Principal, task_id: int, field: str = "id") -> dict:
    row = await scoped(task_select(), cosell_task_scope(principal)).where(CoSellTask.id == task_id).first()
    if row is None:
        raise NotFound.of("Co-sell task", field)
    return row


async def _user(user_id: int | None, field: str) -> dict:
    if user_id is None:
        raise DomainError.single("ASSIGNEE_REQUIRED", "A task has an assignee.", field, rule="D3")
    row = await User.select(User.id, User.email, User.name, User.role, User.partner, User.active).where(
        User.id == user_id).first()
    if row is None:
        raise NotFound.of("User", field)
    return row


async def _may_manage(principal: Principal, opportunity: dict, field: str) -> dict:
    """The account behind the opportunity, if the principal may write its plans (D3):
    SALES_OPS, ADMIN, the opportunity's owner, or a channel manager of the account's region."""
    require_roles(principal, *PLAN_WRITERS)
    account = await Account.select(Account.id, Account.region, Account.ranking).where(
        Account.id == opportunity["account"]).first()
    region = Region(account["region"])
    if principal.role in MANAGERS or opportunity["owner"] == principal.user_id:
        return account
    if principal.role is Role.CHANNEL_MANAGER and region in principal.regions:
        return account
    raise DomainError.single(
        "NOT_PLAN_MANAGER",
        f"Co-sell plans of this opportunity are written by a channel manager of {region.value}, "
        "the opportunity's owner, SALES_OPS or ADMIN.",
        field, rule="D3",
    )


# ---------------------------------------------------------------- confirmations (D4)


async def _confirm(task: dict, assignee: dict, plan: dict, *, rescheduled: bool) -> None:
    """Enqueue the assignee's confirmation in the caller's transaction (D4). The dedupe key
    names the task, the user and the confirmation number, so a replayed write enqueues
    nothing more, while a new assignee or a new due date asks for a new confirmation."""
    opportunity = await Opportunity.select(Opportunity.name).where(Opportunity.id == plan["opportunity"]).first()
    partner = await Partner.select(Partner.name).where(Partner.id == plan["partner"]).first()
    due = task["due_date"].isoformat()
    subject = (f"Co-sell task rescheduled to {due}: {task['title']}" if rescheduled
               else f"Co-sell task assigned to you: {task['title']}")
    lines = [
        f"Hello {assignee['name']},",
        "",
        ("The due date of your co-sell task changed." if rescheduled
         else "You have been assigned a co-sell task for " + partner["name"] + "."),
        "",
        f"Task:        {task['title']}",
        f"Due:         {due}",
        f"Opportunity: {opportunity['name']}",
        f"Kickoff:     {plan['kickoff_date'].isoformat()}",
    ]
    if task["notes"]:
        lines += ["", "Notes:", task["notes"]]
    lines += ["", "Please confirm by setting the task to IN_PROGRESS in the partner portal, or mark it",
              "BLOCKED with a note if you cannot do it by then."]
    await mail.enqueue_email(
        assignee["email"], subject, "\n".join(lines),
        dedupe_key=CONFIRMATION_KEY.format(task_id=task["id"], user_id=assignee["id"], number=task["confirmation_no"]),
    )


async def _task_event(event: str, task: dict, plan: dict) -> None:
    """CREATED / UPDATED / COMPLETED, for the plan's partner (D3), in the caller's transaction."""
    await outbox.enqueue(TASK_EVENT_KIND, {"event": event, "partner_id": plan["partner"], "task": {
        "id": task["id"], "plan_id": task["plan"], "title": task["title"], "owner_side": task["owner_side"],
        "status": task["status"], "due_date": task["due_date"].isoformat()}})


# ---------------------------------------------------------------- writes


async def create_plan(
    principal: Principal, *, opportunity_id: int, partner_id: int, kickoff_date: date, goals: str = "",
    motion: Motion | None = None,
) -> dict:
    """D3: a plan for an opportunity and a partner of its team; D8: the motion."""
    require_roles(principal, *PLAN_WRITERS)
    goals = (goals or "").strip()
    violations = text_violations({"goals": goals})
    if violations:
        raise DomainError(violations)
    async with transaction():
        opportunity = await get_visible(principal, opportunity_id, "opportunityId")
        account = await _may_manage(principal, opportunity, "opportunityId")
        if Stage(opportunity["stage"]) in ENDED_STAGES:
            raise DomainError.single("OPPORTUNITY_ENDED",
                                     f"The opportunity is {opportunity['stage']}: no new co-sell plan.",
                                     "opportunityId", rule="D3")
        if await Partner.select(Partner.id).where(Partner.id == partner_id).first() is None:
            raise NotFound.of("Partner", "partnerId")
        # Issue 5 seam: a partner with an approved registration of this opportunity (D1, D3)
        # qualifies too; until then the partner must be on the team (R5, P7 co-sell).
        on_team = await OpportunityPartner.exists().where(
            (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id))
        if not on_team:
            raise DomainError.single("PARTNER_NOT_ON_TEAM",
                                     "A co-sell plan is written with a partner on the opportunity's team.",
                                     "partnerId", rule="D3")
        plan_exists = DomainError.single(
            "PLAN_EXISTS", "This partner already has a co-sell plan for this opportunity.", "partnerId", rule="D3")
        if await CoSellPlan.exists().where(
                (CoSellPlan.opportunity == opportunity_id) & (CoSellPlan.partner == partner_id)):
            raise plan_exists
        chosen = motion_for(Ranking(account["ranking"]) if account["ranking"] else None, motion)
        plan = CoSellPlan(opportunity=opportunity_id, partner=partner_id, kickoff_date=kickoff_date, goals=goals,
                          motion=chosen.value, created_by=principal.user_id, created_at=now())
        try:
            await plan.save()
        except Exception as exc:
            if is_unique_violation(exc):  # a concurrent twin won the race
                raise plan_exists from exc
            raise
        return await get_plan(principal, plan.id)


async def add_task(
    principal: Principal, plan_id: int, *, title: str, owner_side: Side, assignee_id: int | None, due_date: date,
    notes: str = "",
) -> dict:
    """D3: a task of a plan; D4: a partner assignee gets a confirmation."""
    require_roles(principal, *PLAN_WRITERS)
    title, notes = (title or "").strip(), (notes or "").strip()
    violations = text_violations({"title": title, "notes": notes})
    if violations:
        raise DomainError(violations)
    async with transaction():
        plan = await get_plan(principal, plan_id, "planId")
        await _may_manage(principal, await get_visible(principal, plan["opportunity"], "planId"), "planId")
        assignee = await _user(assignee_id, "assigneeId")
        violations = due_date_violations(due_date, plan["kickoff_date"]) + assignee_violations(
            owner_side, assignee, plan["partner"])
        if violations:
            raise DomainError(violations)
        at = now()
        task = CoSellTask(plan=plan_id, title=title, owner_side=owner_side.value, assignee=assignee["id"],
                          due_date=due_date, status=Status.OPEN.value, notes=notes,
                          confirmation_no=1 if owner_side is Side.PARTNER else 0, created_at=at, updated_at=at)
        await task.save()
        row = await get_task(principal, task.id)
        if owner_side is Side.PARTNER:
            await _confirm(row, assignee, plan, rescheduled=False)
        await _task_event("CREATED", row, plan)
        return row


PLAN_UPDATABLE = ("kickoff_date", "goals", "motion")
PLAN_FIELD_NAMES = {"kickoff_date": "kickoffDate", "goals": "goals", "motion": "motion"}


async def update_plan(principal: Principal, plan_id: int, changes: dict[str, Any]) -> dict:
    """Change a plan's kickoff date, goals or motion (D3, D8); only the given keys change.
    The plan's managers, as for `create_plan`. The opportunity and partner stay: a plan with
    another partner is another plan. Plans have no version: the row lock makes concurrent
    updates queue (each applies its own fields to the plan as the previous one left it)."""
    require_roles(principal, *PLAN_WRITERS)
    changes = {k: v for k, v in changes.items() if k in PLAN_UPDATABLE}
    if "goals" in changes:
        changes["goals"] = (changes["goals"] or "").strip()
    for key, code in (("kickoff_date", "KICKOFF_DATE_REQUIRED"), ("motion", "MOTION_REQUIRED")):
        if key in changes and changes[key] is None:
            raise DomainError.single(code, "This field cannot be cleared.", PLAN_FIELD_NAMES[key], rule="D3")
    violations = text_violations(changes)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await lock_for_update(CoSellPlan, plan_id)
        plan = await get_plan(principal, plan_id)
        account = await _may_manage(principal, await get_visible(principal, plan["opportunity"], "id"), "id")
        if "motion" in changes:
            ranking = Ranking(account["ranking"]) if account["ranking"] else None
            changes["motion"] = motion_for(ranking, changes["motion"])
        if "kickoff_date" in changes:
            earliest = await CoSellTask.select(CoSellTask.due_date).where(CoSellTask.plan == plan_id).order_by(
                CoSellTask.due_date).first()
            violations = kickoff_violations(changes["kickoff_date"], earliest["due_date"] if earliest else None)
            if violations:
                raise DomainError(violations)
        if changes:
            await CoSellPlan.update({
                getattr(CoSellPlan, key): (value.value if hasattr(value, "value") else value)
                for key, value in changes.items()
            }).where(CoSellPlan.id == plan_id)
        return await get_plan(principal, plan_id)


UPDATABLE = ("title", "owner_side", "assignee", "due_date", "status", "notes")
FIELD_NAMES = {"title": "title", "owner_side": "ownerSide", "assignee": "assigneeId", "due_date": "dueDate",
               "status": "status", "notes": "notes"}


async def update_task(principal: Principal, task_id: int, changes: dict[str, Any]) -> dict:
    """Change a task. Staff who manage the plan change anything; partner users of the plan's
    partner change `status` and `notes` of PARTNER-side tasks (D3). A new partner assignee,
    or a new due date of a partner-assigned task, asks for a new confirmation (D4)."""
    require_roles(principal, *TASK_UPDATERS)
    changes = {k: v for k, v in changes.items() if k in UPDATABLE}
    for key in ("title", "notes"):
        if key in changes:
            changes[key] = (changes[key] or "").strip()
    for key, code in (("owner_side", "OWNER_SIDE_REQUIRED"), ("due_date", "DUE_DATE_REQUIRED"),
                      ("status", "STATUS_REQUIRED")):
        if key in changes and changes[key] is None:
            raise DomainError.single(code, "This field cannot be cleared.", FIELD_NAMES[key], rule="D3")
    violations = text_violations(changes)
    if violations:
        raise DomainError(violations)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1: a DENIED partner's users do not act
        # The confirmation number is read, then written +1 (D4): no lost update across instances.
        await lock_for_update(CoSellTask, task_id)
        task = await get_task(principal, task_id)
        plan = await get_plan(principal, task["plan"])
        if principal.is_partner_user:
            refused = [Violation("PARTNER_MAY_NOT_CHANGE", "Partner users change only the status and notes of a task.",
                                 (FIELD_NAMES[key],), "D3") for key in changes if key not in PARTNER_EDITABLE]
            if refused:
                raise DomainError(refused)
            if task["owner_side"] != Side.PARTNER.value:
                raise DomainError.single("VENDOR_SIDE_TASK", "A vendor-side task is updated by the vendor.", "id",
                                         rule="D3")
        else:
            await _may_manage(principal, await get_visible(principal, plan["opportunity"], "id"), "id")
        side = Side(changes.get("owner_side", task["owner_side"]))
        assignee_id = changes.get("assignee", task["assignee"])
        due = changes.get("due_date", task["due_date"])
        violations = due_date_violations(due, plan["kickoff_date"]) if "due_date" in changes else []
        assignee = await _user(assignee_id, "assigneeId")
        if "assignee" in changes or "owner_side" in changes:
            violations += assignee_violations(side, assignee, plan["partner"])
        if violations:
            raise DomainError(violations)
        values: dict[Any, Any] = {getattr(CoSellTask, key): (value.value if hasattr(value, "value") else value)
                                  for key, value in changes.items()}
        if "status" in changes:
            done = changes["status"] is Status.DONE
            if not done:
                values[CoSellTask.completed_at] = None
            elif task["status"] != Status.DONE.value:
                values[CoSellTask.completed_at] = now()
        new_assignee = assignee["id"] != task["assignee"] or side.value != task["owner_side"]
        rescheduled = due != task["due_date"]
        confirm = side is Side.PARTNER and (new_assignee or rescheduled)
        if confirm:
            values[CoSellTask.confirmation_no] = task["confirmation_no"] + 1
        values[CoSellTask.updated_at] = now()
        await CoSellTask.update(values).where(CoSellTask.id == task_id)
        row = await get_task(principal, task_id)
        if confirm:
            await _confirm(row, assignee, plan, rescheduled=not new_assignee)
        completed = row["status"] == Status.DONE.value and task["status"] != Status.DONE.value
        await _task_event("COMPLETED" if completed else "UPDATED", row, plan)
        return row


async def complete_task(principal: Principal, task_id: int, notes: str | None = None) -> dict:
    """Mark a task DONE (with an optional closing note); the same rules as `update_task`."""
    require_roles(principal, *TASK_UPDATERS)
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1, before TASK_ALREADY_DONE
        await lock_for_update(CoSellTask, task_id)
        task = await get_task(principal, task_id)
        if task["status"] == Status.DONE.value:
            raise DomainError.single("TASK_ALREADY_DONE", "The task is already done.", "id", rule="D3")
        changes: dict[str, Any] = {"status": Status.DONE}
        if notes is not None:
            changes["notes"] = notes
        return await update_task(principal, task_id, changes)
