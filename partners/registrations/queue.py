"""The deal registrations a caller may act on now (issue 36): the review queue of D1/P4.

Every review step (SUBMITTED → PENDING_SALES_REVIEW → PENDING_MANAGER_REVIEW → a decision)
is taken by a channel manager of the end customer's region or an admin
(`records.require_reviewer`); a RETURNED registration waits for its partner, who resubmits
or withdraws it (`records.require_registrant_side`). Account executives, SDRs, sales ops
and advocates take no step, so nothing waits for them.
"""

from __future__ import annotations

from piccolo.columns.combination import Where, WhereRaw

from partners.people.enums import Role
from partners.people.principal import Principal
from partners.people.scoping import NOTHING
from partners.registrations.enums import DealRegistrationStatus as Status
from partners.registrations.rules import IN_REVIEW
from partners.registrations.tables import DealRegistration

# The due time of each side's step, as the rows carry it: P4's target of the current review
# step (first review within 2 working hours, then the decision within 1 business day), or the
# date a returned registration is closed by unless the partner answers.
REVIEW_DUE = "review_due_at"
REPLY_DUE = "reply_due_at"
_IN_REVIEW_VALUES = frozenset(s.value for s in IN_REVIEW)


def actionable(principal: Principal | None) -> Where | WhereRaw:
    """D1, P4: the registrations `principal` may take the next step on now."""
    if principal is None:
        return NOTHING
    if principal.is_partner_user:
        return (DealRegistration.partner == principal.partner_id) & (DealRegistration.status == Status.RETURNED.value)
    # Literals, as the partial index of the queue (migration 2026-12-07T17:30) spells them.
    in_review = WhereRaw('"deal_registration"."status" IN (' + ", ".join(f"'{s.value}'" for s in IN_REVIEW) + ")")
    if principal.is_admin:
        return in_review
    if principal.has_role(Role.CHANNEL_MANAGER) and principal.regions:
        return in_review & DealRegistration.region.is_in([r.value for r in principal.regions])
    return NOTHING


def due_of(row: dict):
    """The deadline of the step `row` waits for now, whoever takes it (null when none)."""
    if row["status"] == Status.RETURNED.value:
        return row[REPLY_DUE]
    return row[REVIEW_DUE] if row["status"] in _IN_REVIEW_VALUES else None


def due_column(principal: Principal | None) -> str:
    """Which due time the caller's queue is ordered by."""
    return REPLY_DUE if principal is not None and principal.is_partner_user else REVIEW_DUE
