"""Emails about leads (issue 34), through the outbox in the write's transaction, each with a
dedupe key naming the lead, the share and what it is about, so a retried write or a replayed
job never sends one twice. The `lead.*` webhook events are separate (partners/webhooks)."""

from __future__ import annotations

from partners.infra import mail
from partners.people.tables import Partner, User


async def partner_emails(partner_id: int) -> list[str]:
    rows = await User.select(User.email).where((User.partner == partner_id) & (User.active == True))  # noqa: E712
    return sorted(row["email"] for row in rows)


def _due(row: dict) -> str:
    return f"{row['accept_due_at']:%Y-%m-%d %H:%M} UTC" if row["accept_due_at"] else "-"


async def notify_shared(row: dict) -> None:
    """P11: the partner's active users hear that a lead is theirs to accept by its deadline."""
    recipients = await partner_emails(row["partner"])
    if not recipients:
        return
    partner = await Partner.select(Partner.name).where(Partner.id == row["partner"]).first()
    subject = f"New lead: {row['company']} (accept by {_due(row)})"
    text = (f"A lead has been shared with {partner['name']}: {row['company']} ({row['region']}, {row['country']}).\n"
            f"Product interest: {row['product_interest'] or '-'}\n"
            f"Accept or reject it by {_due(row)}, and record what you did with it by "
            f"{row['action_due_at']:%Y-%m-%d %H:%M} UTC, or it is recalled (P11).\n")
    await mail.enqueue_email(recipients, subject, text, dedupe_key=f"lead-shared:{row['id']}:{row['share_count']}")


async def notify_partner_contact(row: dict, user_id: int) -> None:
    """The person named at the partner hears that the lead is theirs."""
    user = await User.select(User.email, User.name).where(User.id == user_id).first()
    if user is None:
        return
    subject = f"Lead {row['company']}: you are the contact"
    text = (f"{user['name']}, you are now the named contact at your company for the lead {row['company']} "
            f"({row['region']}). Status: {row['status']}.\n")
    await mail.enqueue_email(user["email"], subject, text,
                             dedupe_key=f"lead-contact:{row['id']}:{row['share_count']}:{user_id}")


async def notify_extension_decision(row: dict, extension: dict) -> None:
    """The partner user who asked for more time hears the decision."""
    if extension["requested_by"] is None:
        return
    user = await User.select(User.email).where(User.id == extension["requested_by"]).first()
    if user is None:
        return
    if extension["status"] == "APPROVED":
        what = f"approved: the new deadline is {extension['new_due_at']:%Y-%m-%d %H:%M} UTC"
    else:
        what = "denied: the deadline stays as it was"
    note = f"\nNote: {extension['note']}" if extension["note"] else ""
    await mail.enqueue_email(user["email"], f"Lead {row['company']}: extension {extension['status'].lower()}",
                             f"Your request for more time on the lead {row['company']} was {what} (P11).{note}\n",
                             dedupe_key=f"lead-extension:{extension['id']}:{extension['status']}")
