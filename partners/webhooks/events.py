"""Which outbox messages become webhook events, and whose they are (issue 20).

Every source is an outbox kind the domain already enqueues after a change, with a function
that turns its payload into an `Event` for ONE partner (or None: nothing to tell). That
partner's endpoints subscribed to the event's category, and only those, get it. Adding a
source (the `lead_event` / `case_event` kinds of issue 19, say) is one category value and
one function here:

    class EventCategory: ... LEAD = "LEAD"

    @source("lead_event")
    def _lead(payload: dict) -> Event | None:
        lead = payload["lead"]
        return Event(lead["partner_id"], EventCategory.LEAD, f"lead.{payload['event'].lower()}",
                     {"lead": {"id": global_id("Lead", lead["id"]), "status": lead["status"]}})

`server/background.py` wraps the handler of every source kind so that the event fans out
to the endpoints after commit (`delivery.fan_out`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable

from partners.cosell_plans import TASK_EVENT_KIND
from partners.deal_registrations import EVENT_KIND as REGISTRATION_EVENT_KIND


class EventCategory(str, Enum):
    """What an endpoint subscribes to."""

    DEAL_REGISTRATION = "DEAL_REGISTRATION"
    COSELL_TASK = "COSELL_TASK"


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
        },
    })


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
