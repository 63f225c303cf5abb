"""Which outbox messages become webhook events, and whose they are (issue 20).

Every source is an outbox kind the domain already enqueues after a change, with a function
that turns its payload into an `Event` for ONE partner (or None: nothing to tell). That
partner's endpoints subscribed to the event's category, and only those, get it. Adding a
source is one category value and one function here (see `_lead` and `_case` below). An
event carries only what the partner's users may read through the API.

`server/background.py` wraps the handler of every source kind so that the event fans out
to the endpoints after commit (`delivery.fan_out`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from partners.cases.service import EVENT_KIND as CASE_EVENT_KIND
from partners.leads.rules import EVENT_KIND as LEAD_EVENT_KIND
from partners.plans.service import TASK_EVENT_KIND
from partners.registrations.rules import EVENT_KIND as REGISTRATION_EVENT_KIND


class EventCategory(str, Enum):
    """What an endpoint subscribes to."""

    DEAL_REGISTRATION = "DEAL_REGISTRATION"
    COSELL_TASK = "COSELL_TASK"
    LEAD = "LEAD"
    CASE = "CASE"


@dataclass(frozen=True)
class Event:
    partner_id: int | None
    category: EventCategory
    type: str  # e.g. "deal_registration.approved"
    data: dict[str, Any]


Source = Callable[[dict], "Event | None"]
SOURCES: dict[str, Source] = {}


def source(kind: str) -> Callable[[Source], Source]:
    def register(fn: Source) -> Source:
        SOURCES[kind] = fn
        return fn

    return register


def global_id(type_name: str, pk: int | None) -> str | None:
    """The API's Relay id of a row (base64 of "Type:pk"), so a receiver can ask `node(id:)`."""
    if pk is None:
        return None
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


@source(REGISTRATION_EVENT_KIND)
def _registration(payload: dict) -> Event | None:
    reg = payload["registration"]
    event = payload["event"]
    return Event(reg["partner_id"], EventCategory.DEAL_REGISTRATION, f"deal_registration.{event.lower()}", {
        "event": event,
        "registration": {
            "id": global_id("DealRegistration", reg["id"]),
            "status": reg["status"],
            "registrationType": reg["type"],
            "opportunityId": global_id("Opportunity", reg["opportunity_id"]),
            "expiresAt": reg["expires_at"],
            "reason": reg["reason"],
            # The partner's own estimate, exact, as the API's Money (issue 40); null in messages
            # enqueued before amounts had a currency.
            "estimatedAmount": _money(reg.get("estimated_amount"), reg.get("currency")),
        },
    })


def _money(amount: str | None, currency: str | None) -> dict | None:
    return None if amount is None or currency is None else {"amount": str(amount), "currency": currency}


@source(TASK_EVENT_KIND)
def _task(payload: dict) -> Event | None:
    task = payload["task"]
    event = payload["event"]
    return Event(payload["partner_id"], EventCategory.COSELL_TASK, f"cosell_task.{event.lower()}", {
        "event": event,
        "task": {
            "id": global_id("CoSellTask", task["id"]),
            "planId": global_id("CoSellPlan", task["plan_id"]),
            "title": task["title"],
            "ownerSide": task["owner_side"],
            "status": task["status"],
            "dueDate": task["due_date"],
        },
    })


@source(LEAD_EVENT_KIND)
def _lead(payload: dict) -> Event | None:
    """P11: the partner a lead is shared with hears of its share, answers, actions and recall
    (a rejected or recalled lead's event still goes to the partner it was taken from). The
    link to a deal registration is told only to the partner holding the lead: its own (a
    release or a new share clears the links, issue 33; this holds for events queued before)."""
    lead = payload["lead"]
    event = payload["event"]
    partner_id = payload.get("partner_id", lead["partner_id"])
    if partner_id is None:  # created, not shared yet: nobody's
        return None
    holds = lead["partner_id"] == partner_id
    return Event(partner_id, EventCategory.LEAD, f"lead.{event.lower()}", {
        "event": event,
        "lead": {
            "id": global_id("Lead", lead["id"]),
            "status": lead["status"],
            "company": lead["company"],
            "action": lead["action"],
            "acceptDueAt": lead["accept_due_at"],
            "actionDueAt": lead["action_due_at"],
            "recallReason": lead["recall_reason"],
            "dealRegistrationId": global_id("DealRegistration", lead["deal_registration_id"]) if holds else None,
        },
    })


@source(CASE_EVENT_KIND)
def _case(payload: dict) -> Event | None:
    """D9: a partner's own cases; an internal comment or file is never told to the partner."""
    case = payload["case"]
    event = payload["event"]
    if case.get("partner_id") is None:  # a vendor employee's or an email's case (issue 34): no partner's
        return None
    comment = payload.get("comment")
    for private in (comment, payload.get("attachment"), payload.get("message")):  # D15: a staff email too
        if private is not None and private.get("internal"):
            return None
    data = {
        "event": event,
        "case": {
            "id": global_id("Case", case["id"]),
            "subject": case["subject"],
            "status": case["status"],
            "pickupDueAt": case["pickup_due_at"],
            "closeDueAt": case["close_due_at"],
            "resolution": case["resolution"],
        },
    }
    if comment is not None:
        data["comment"] = {"body": comment["body"]}
    return Event(case["partner_id"], EventCategory.CASE, f"case.{event.lower()}", data)
