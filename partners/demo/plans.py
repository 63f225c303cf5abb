"""Co-sell plans (D3, D4, D8): written through partners.plans.service, so the demo's partner
assignments queue their confirmation emails like real ones (`cosell outbox send --once`)."""

from __future__ import annotations

from datetime import timedelta

from partners.infra.clock import now
from partners.opportunities.tables import OpportunityPartner
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.tables import User
from partners.plans import service as cosell_plans
from partners.plans.enums import CoSellTaskSide, CoSellTaskStatus

DEMO_TASKS = [
    # (title, side, days from kickoff to due date, status)
    ("Kickoff call with the customer's platform team", "VENDOR", 2, "DONE"),
    ("Technical demo for the evaluation group", "PARTNER", 10, "IN_PROGRESS"),
    ("Proof of concept on the customer's cluster", "PARTNER", 30, "OPEN"),
    ("Joint proposal with partner pricing", "VENDOR", 45, "OPEN"),
]


async def create_cosell_plans(count: int = 8) -> None:
    """Plans on open demo opportunities whose partner has a portal user, some with overdue tasks."""
    admin = await User.select().where(User.role == Role.ADMIN.value).first()
    principal = Principal(user_id=admin["id"], email=admin["email"], name=admin["name"], role=Role.ADMIN)
    portal_users = {u["partner"]: u["id"] for u in await User.select(User.id, User.partner).where(
        User.role == Role.PARTNER_USER.value).order_by(User.id)}
    team = await OpportunityPartner.select(
        OpportunityPartner.opportunity, OpportunityPartner.partner, OpportunityPartner.opportunity.owner.as_alias("owner"),
        OpportunityPartner.opportunity.stage.as_alias("stage"),
    ).where(OpportunityPartner.partner.is_in(list(portal_users) or [-1])).order_by(OpportunityPartner.id)
    made = 0
    ended = {s.value for s in cosell_plans.ENDED_STAGES}
    for row in (r for r in team if r["stage"] not in ended):
        if made >= count:
            break
        kickoff = now().date() - timedelta(days=5 + 7 * made)
        plan = await cosell_plans.create_plan(
            principal, opportunity_id=row["opportunity"], partner_id=row["partner"], kickoff_date=kickoff,
            goals="Who will do what, when: demo, proof of concept, then a joint proposal.")
        for title, side, due_in, status in DEMO_TASKS:
            assignee = portal_users[row["partner"]] if side == "PARTNER" else row["owner"]
            task = await cosell_plans.add_task(
                principal, plan["id"], title=title, owner_side=CoSellTaskSide(side), assignee_id=assignee,
                due_date=kickoff + timedelta(days=due_in))
            if status != "OPEN":
                await cosell_plans.update_task(principal, task["id"], {"status": CoSellTaskStatus(status)})
        made += 1

