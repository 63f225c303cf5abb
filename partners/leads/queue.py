"""The leads a caller may act on now (issue 36, P11), and the deadline each waits for.

A partner user acts on the leads shared with its partner: accept or reject a SHARED one
within 5 business days, record an action on an ACCEPTED one within 10 (`service`,
`_require_lead_partner`). Staff act on a partner's request for more time: a channel manager
of the lead's region, or an admin, approves or denies it (`extensions`,
`_require_region_manager`); the lead then waits for that decision before its deadline.
NEW leads have no deadline: they are shareable (`filter: {shareable: true}`), not due.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.leads.enums import LeadStatus as Status
from partners.leads.tables import Lead
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import NOTHING

# The deadline the partner must meet next: acceptDueAt while SHARED, actionDueAt while ACCEPTED.
DUE_SQL = (f"CASE WHEN \"lead\".\"status\" = '{Status.SHARED.value}' THEN \"lead\".\"accept_due_at\" "
           f"WHEN \"lead\".\"status\" = '{Status.ACCEPTED.value}' THEN \"lead\".\"action_due_at\" END")


def due_of(row: dict):
    if row["status"] == Status.SHARED.value:
        return row["accept_due_at"]
    return row["action_due_at"] if row["status"] == Status.ACCEPTED.value else None


def actionable(principal: Principal | None) -> Where | WhereRaw:
    """P11: the leads `principal` may act on now."""
    if principal is None:
        return NOTHING
    waiting = Lead.status.is_in([Status.SHARED.value, Status.ACCEPTED.value])
    if principal.is_partner_user:
        return waiting & (Lead.partner == principal.partner_id)
    asked = waiting & (Lead.extension_pending == True)  # noqa: E712 (SQL)
    if principal.is_admin:
        return asked
    if principal.has_role(Role.CHANNEL_MANAGER) and principal.regions:
        return asked & Lead.region.is_in([r.value for r in principal.regions])
    return NOTHING
