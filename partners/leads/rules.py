"""Pure rules of leads (P11): deadlines in business days, which change is allowed when,
what an action needs, and the plain data plugins receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from partners.business_days import add_business_days
from partners.infra.errors import Violation
from partners.leads.enums import LeadAction, LeadDeadline, LeadRecallReason, LeadStatus as Status

ACCEPT_DAYS = 5  # P11: accepted (or rejected) within 5 business days of sharing
ACTION_DAYS = 10  # P11: acted on within 10 business days of sharing
REMIND_DAYS_BEFORE = 1  # a reminder one business day before each deadline

EVENT_KIND = "lead_event"

SHAREABLE = (Status.NEW,)
ACTIONABLE = (Status.ACCEPTED, Status.CONTACTED, Status.MEETING)
FINAL = (Status.CONVERTED, Status.DISQUALIFIED)
HELD = (Status.SHARED, *ACTIONABLE)  # the partner holds the lead

# Issue 34: a partner may ask once per deadline of a share for at most this many more
# business days; a channel manager grants 1 to this many (or denies).
MAX_EXTENSION_DAYS = 5
# Events after which a pending request for more time has no deadline left to extend.
LEAVES_DEADLINE = frozenset({"ACCEPTED", "REJECTED", "RECALLED", "TAKEN_BACK", "REASSIGNED",
                             *(action.value for action in LeadAction)})


@dataclass(frozen=True)
class Deadlines:
    accept_due: datetime
    action_due: datetime
    accept_remind: datetime
    action_remind: datetime


def deadlines(shared_at: datetime, holidays: Iterable[date] = ()) -> Deadlines:
    """P11 deadlines of a share at `shared_at`, in business days of the lead's region."""
    off = set(holidays)
    return Deadlines(
        accept_due=add_business_days(shared_at, ACCEPT_DAYS, off),
        action_due=add_business_days(shared_at, ACTION_DAYS, off),
        accept_remind=add_business_days(shared_at, ACCEPT_DAYS - REMIND_DAYS_BEFORE, off),
        action_remind=add_business_days(shared_at, ACTION_DAYS - REMIND_DAYS_BEFORE, off),
    )


# event -> the statuses it may start from
ALLOWED_FROM: dict[str, tuple[Status, ...]] = {
    "SHARED": SHAREABLE,
    "ACCEPTED": (Status.SHARED,),
    "REJECTED": (Status.SHARED,),
    **{action.value: ACTIONABLE for action in LeadAction},
}


def transition_violation(current: Status, event: str) -> Violation | None:
    allowed = ALLOWED_FROM[event]
    if current in allowed:
        return None
    names = ", ".join(s.value for s in allowed)
    return Violation("INVALID_TRANSITION", f"A lead that is {current.value} cannot be {event.lower()} "
                     f"(only from {names}).", ("id",), "P11")


def deadline_violation(status: Status, row: dict, at: datetime) -> Violation | None:
    """P11: a share not accepted in time, or an accepted lead not acted on in time, is past
    its deadline even before the recall job has taken it back."""
    if status is Status.SHARED and row["accept_due_at"] is not None and row["accept_due_at"] <= at:
        return Violation("ACCEPT_DEADLINE_PASSED", "The lead was not accepted within 5 business days; "
                         "it is being recalled.", ("id",), "P11")
    if status is Status.ACCEPTED and row["action_due_at"] is not None and row["action_due_at"] <= at:
        return Violation("ACTION_DEADLINE_PASSED", "No action was recorded within 10 business days of sharing; "
                         "the lead is being recalled.", ("id",), "P11")
    return None


def action_violations(action: LeadAction, reason: str, linked: bool) -> list[Violation]:
    violations = []
    if action is LeadAction.CONVERTED and not linked:
        violations.append(Violation("CONVERSION_NEEDS_LINK", "Name the deal registration or opportunity the lead "
                                    "became.", ("dealRegistrationId",), "P11"))
    if action is LeadAction.DISQUALIFIED and not reason.strip():
        violations.append(Violation("REASON_REQUIRED", "Disqualifying a lead needs a reason.", ("reason",), "P11"))
    return violations


def recall_reason(row: dict, at: datetime) -> LeadRecallReason | None:
    """Why the lead is recalled at `at`, or None while its share is within its deadlines."""
    status = Status(row["status"])
    if status is Status.SHARED and row["accept_due_at"] is not None and row["accept_due_at"] <= at:
        return LeadRecallReason.NOT_ACCEPTED
    if status is Status.ACCEPTED and row["action_due_at"] is not None and row["action_due_at"] <= at:
        return LeadRecallReason.NO_ACTION
    return None


RECALL_NOTES = {
    LeadRecallReason.NOT_ACCEPTED: "Not accepted within 5 business days (P11).",
    LeadRecallReason.NO_ACTION: "No action within 10 business days of sharing (P11).",
    LeadRecallReason.PARTNER_DENIED: "The partner was denied (P1); leads are shared with AUTHORIZED partners only (P11).",
}


def snapshot(row: dict) -> dict:
    """The plain data a plugin receives with a lead event (JSON-safe)."""
    def iso(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    keys = ("id", "company", "contact_name", "contact_email", "region", "country", "product_interest", "notes",
            "source", "status", "share_count", "action", "reason", "recall_reason", "recall_count", "priority",
            "deal_size_currency", "extension_pending")
    data = {key: row[key] for key in keys}
    data.update({
        "partner_id": row["partner"], "created_by_id": row["created_by"], "shared_by_id": row["shared_by"],
        "deal_registration_id": row["deal_registration"], "opportunity_id": row["opportunity"],
        "account_id": row["account"], "partner_contact_id": row["partner_contact"],
        "deal_size": None if row["deal_size"] is None else format(row["deal_size"], "f"),
        **{key: iso(row[key]) for key in ("shared_at", "accept_due_at", "action_due_at", "accepted_at", "acted_at",
                                           "created_at", "archived_at")},
    })
    return data


def extension_target(status: Status) -> LeadDeadline | None:
    """The P11 deadline a partner holding a lead in `status` may ask more time for."""
    return {Status.SHARED: LeadDeadline.ACCEPT, Status.ACCEPTED: LeadDeadline.ACTION}.get(status)


def extension_days_violation(days: int, field: str = "days") -> Violation | None:
    if 1 <= days <= MAX_EXTENSION_DAYS:
        return None
    return Violation("EXTENSION_TOO_LONG", f"An extension is 1 to {MAX_EXTENSION_DAYS} business days.", (field,),
                     "P11")
