"""Who sees which co-sell plans and tasks (D3)."""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.people.principal import Principal
from partners.people.scoping import NOTHING
from partners.plans.tables import CoSellPlan, CoSellTask


def _partner_plan_ids(partner_id: int | None):
    return CoSellPlan.select(CoSellPlan.id).where(CoSellPlan.partner == partner_id)


def cosell_plan_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every co-sell plan; a partner user reads the plans of their own partner
    (D3: they work its tasks), whatever their partner's role on the opportunity. The plan's
    `opportunity` link still follows R9."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return CoSellPlan.partner == principal.partner_id
    return None


def cosell_task_scope(principal: Principal | None) -> Where | WhereRaw | None:
    """Staff read every task; a partner user reads the tasks (vendor and partner side) of
    their own partner's plans."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return CoSellTask.plan.is_in(_partner_plan_ids(principal.partner_id))
