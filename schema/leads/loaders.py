"""Per-request loaders for leads; every one applies `lead_scope` / `lead_event_scope`, so a
partner user reaches only the leads shared with its partner now, and only its own share's
history (P11)."""

from __future__ import annotations

from partners.leads.scoping import lead_event_scope, lead_scope
from partners.leads.tables import Lead, LeadEvent
from partners.people.scoping import scoped
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_leads(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Lead, lead_scope, context.principal, ids)


async def load_lead_history(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(LeadEvent.select().where(LeadEvent.lead.is_in(sorted(set(ids)))),
                        lead_event_scope(context.principal)).order_by(LeadEvent.occurred_at).order_by(LeadEvent.id)
    return grouped(ids, rows, "lead")
