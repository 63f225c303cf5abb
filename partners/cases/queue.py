"""The cases a caller may act on now (issue 36, D9–D14), and the deadline each waits for.

An OPEN case waits in the queue for any advocate to pick it up within 24 hours (D9, D10:
`pickUpCase` is the SMB_ADVOCATE role's); a held case (IN_PROGRESS, WAITING) waits for its
owner, who closes it within 15 days (D9, D14), or for an admin, who may write any held
case. Nobody else takes a step on a case, so nothing waits for them.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.cases.enums import HELD, CaseStatus as Status
from partners.cases.tables import PartnerCase
from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import NOTHING

_HELD = sorted(s.value for s in HELD)
# The due time of the step it waits for: pick-up while OPEN, the 15-day limit while held.
DUE_SQL = (f"CASE WHEN \"partner_case\".\"status\" = '{Status.OPEN.value}' THEN \"partner_case\".\"pickup_due_at\" "
           f"WHEN \"partner_case\".\"status\" IN ({', '.join(repr(s) for s in _HELD)}) "
           f"THEN \"partner_case\".\"close_due_at\" END")


def due_of(row: dict):
    if row["status"] == Status.OPEN.value:
        return row["pickup_due_at"]
    return row["close_due_at"] if row["status"] in _HELD else None


def actionable(principal: Principal | None) -> Where | WhereRaw:
    """D9, D10: the cases `principal` may take the next step on now."""
    if principal is None:
        return NOTHING
    waiting = PartnerCase.status == Status.OPEN.value
    held = PartnerCase.status.is_in(_HELD)
    if principal.is_admin:
        return waiting | held
    if principal.has_role(Role.SMB_ADVOCATE):
        return waiting | (held & (PartnerCase.advocate == principal.user_id))
    return NOTHING
