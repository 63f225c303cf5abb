"""Per-request loaders for leads; every one applies `lead_scope` / `lead_event_scope` /
`lead_extension_scope`, so a partner user reaches only the leads shared with its partner now,
and only its own share's history and requests (P11)."""

from __future__ import annotations

from partners.accounts.tables import Account
from partners.leads.duplicates import duplicates_of
from partners.leads.scoping import lead_event_scope, lead_extension_scope, lead_scope
from partners.leads.tables import Lead, LeadEvent, LeadExtension
from partners.people.scoping import scoped
from schema.core.loaders import grouped
from schema.core.rows import scoped_rows_by_ids


async def load_leads(context, ids: list[int]) -> list[dict | None]:
    return await scoped_rows_by_ids(Lead, lead_scope, context.principal, ids)


async def load_lead_history(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(LeadEvent.select().where(LeadEvent.lead.is_in(sorted(set(ids)))),
                        lead_event_scope(context.principal)).order_by(LeadEvent.occurred_at).order_by(LeadEvent.id)
    return grouped(ids, rows, "lead")


async def load_lead_extensions(context, ids: list[int]) -> list[list[dict]]:
    rows = await scoped(LeadExtension.select().where(LeadExtension.lead.is_in(sorted(set(ids)))),
                        lead_extension_scope(context.principal)).order_by(LeadExtension.id)
    return grouped(ids, rows, "lead")


async def load_lead_duplicates(context, ids: list[int]) -> list[list]:
    """The open leads like each lead, among those the reader sees (one query for the page)."""
    rows = await scoped(Lead.select(Lead.id, Lead.contact_email, Lead.contact_name, Lead.company_key).where(
        Lead.id.is_in(sorted(set(ids)))), lead_scope(context.principal))
    found = await duplicates_of(rows, lead_scope(context.principal))
    return [found.get(i, []) for i in ids]


async def load_account_names(context, ids: list[int]) -> list[str | None]:
    """Only the names of the end customers' accounts of leads the reader already sees: partner
    users read `Lead.accountName`, never the account (as for opportunities)."""
    rows = await Account.select(Account.id, Account.name).where(Account.id.is_in(sorted(set(ids))))
    names = {row["id"]: row["name"] for row in rows}
    return [names.get(i) for i in ids]
