"""Opportunity events for plugins (issue 39): `opportunity_event` outbox messages enqueued in
the transaction of a stage move or of an update that changes the amount or the close date;
after commit the outbox calls `cosell_opportunity_event(event, opportunity, envelope)`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from partners.infra import outbox
from partners.opportunities.tables import Opportunity

EVENT_KIND = "opportunity_event"
STAGE_CHANGED = "STAGE_CHANGED"
UPDATED = "UPDATED"
# What an UPDATED event is about: the fields a co-selling system mirrors.
WATCHED = ("amount", "close_date")


def _json(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(row: dict) -> dict:
    """The plain dict hooks receive: JSON values only."""
    keys = ("id", "name", "stage", "opportunity_type", "currency", "amount", "net_arr", "close_date", "account",
            "owner", "version")
    return {key: _json(row.get(key)) for key in keys}


async def enqueue(event: str, opportunity_id: int, *, changed: tuple[str, ...] = (), previous_stage: str | None = None
                  ) -> None:
    """Inside the write's transaction, after its statements."""
    row = await Opportunity.select().where(Opportunity.id == opportunity_id).first()
    payload = {"event": event, "opportunity": snapshot(row), "changed": list(changed)}
    if previous_stage is not None:
        payload["previous_stage"] = previous_stage
    await outbox.enqueue(EVENT_KIND, payload)


def changed_fields(before: dict, fields: dict) -> tuple[str, ...]:
    return tuple(key for key in WATCHED if key in fields and _json(fields[key]) != _json(before.get(key)))
