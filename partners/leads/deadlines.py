"""The `lead-deadlines` job (P11): recall leads past a deadline, remind partners before.

Every instance runs it. Due leads are claimed with a lease (`partners.infra.leasing`:
`FOR UPDATE SKIP LOCKED` on PostgreSQL, IMMEDIATE transactions on SQLite), so instances
split the work; then one transaction per lead settles it with an UPDATE that holds only
while this worker's lease holds the lead *and* the lead is still in the state read (the
partner may have accepted or acted meanwhile). So a lead is recalled, recorded and
announced exactly once, however many instances run at the same time. Reminders carry an
outbox dedupe key of the lead, the share and the deadline: one email per deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw

from partners import business_days
from partners.infra import mail, versions
from partners.infra.db import transaction
from partners.infra.leasing import Lease, claim, release
from partners.infra.pacing import Pace
from partners.leads import rules
from partners.leads.enums import LeadRecallReason, LeadStatus as Status
from partners.leads.notices import partner_emails
from partners.leads.service import _record, released_values
from partners.leads.tables import Lead
from partners.people.tables import Partner

LEASE = timedelta(minutes=2)
BATCH = 100


def _status_is(status: Status) -> WhereRaw:
    """The status as SQL text, not a parameter: the partial indexes of the deadlines
    (`lead_accept_due` …) match only a constant, never a generic plan's `status = $1`."""
    return WhereRaw(f"lead.status = '{status.value}'")


def recall_due(at: datetime):
    """P11: shared and not accepted in time, or accepted and not acted on in time; a lead whose
    partner asked for more time in time waits for the channel manager's decision (issue 34)."""
    return ((_status_is(Status.SHARED) & (Lead.accept_due_at <= at))
            | (_status_is(Status.ACCEPTED) & (Lead.action_due_at <= at))) & (
        Lead.extension_pending == False)  # noqa: E712


def accept_reminder_due(at: datetime):
    return _status_is(Status.SHARED) & (Lead.accept_remind_at <= at) & (Lead.accept_due_at > at) & (
        Lead.accept_reminded != Lead.share_count)


def action_reminder_due(at: datetime):
    return ((_status_is(Status.SHARED) | _status_is(Status.ACCEPTED)) & (Lead.action_remind_at <= at)
            & (Lead.action_due_at > at) & (Lead.action_reminded != Lead.share_count))


async def _settle(row: dict, lease: Lease, values: dict[Any, Any], extra=None) -> dict | None:
    """Write `values` if this lease still holds the lead and it is still in the share read."""
    condition = (Lead.id == row["id"]) & (Lead.lease_owner == lease.token) & (Lead.status == row["status"]) & (
        Lead.share_count == row["share_count"])
    updated = await Lead.update({**values, Lead.leased_until: None, Lead.lease_owner: None,
                                 **versions.bumped(Lead)}).where(
        condition if extra is None else condition & extra).returning(*Lead.all_columns())
    return updated[0] if updated else None


@dataclass
class DeadlineReport:
    recalled: int = 0
    reminded: int = 0

    def __bool__(self) -> bool:
        return bool(self.recalled or self.reminded)


async def recall_due_leads(*, worker: str, at: datetime | None = None, should_stop=lambda: False,
                           lease_for: timedelta = LEASE, batch: int = BATCH) -> int:
    """Recall every lead past a P11 deadline once; returns how many this call recalled."""
    at = at or business_days.now()
    recalled = 0
    pace = Pace()
    while not should_stop():
        await pace.rest()
        lease, rows = await claim(Lead, due=recall_due(at), worker=worker, limit=batch, lease_for=lease_for,
                                  order_by=[Lead.id], now=at)
        if not rows:
            return recalled
        for index, row in enumerate(rows):
            if should_stop():
                await release(Lead, [r["id"] for r in rows[index:]], lease)
                return recalled
            reason = rules.recall_reason(row, at)
            if reason is None:  # cannot happen for a claimed row; let it go
                await release(Lead, [row["id"]], lease)
                continue
            async with transaction():
                updated = await _settle(row, lease, {**released_values(), Lead.recall_reason: reason.value,
                                                     Lead.recall_count: row["recall_count"] + 1,
                                                     Lead.reason: rules.RECALL_NOTES[reason]},
                                        # nor after a request for more time or a new deadline since the claim
                                        (Lead.extension_pending == False) & (  # noqa: E712
                                            Lead.accept_due_at <= at if reason is LeadRecallReason.NOT_ACCEPTED
                                            else Lead.action_due_at <= at))
                if updated is None:
                    continue
                await _record(updated, "RECALLED", None, f"{reason.value}: {rules.RECALL_NOTES[reason]}", at,
                              partner_id=row["partner"], links_of=row)
                recalled += 1
        await release(Lead, [r["id"] for r in rows], lease)  # any row left unsettled
        if len(rows) < batch:
            return recalled
    return recalled


def reminder_text(kind: str, row: dict, partner_name: str) -> tuple[str, str]:
    due = row["accept_due_at"] if kind == "accept" else row["action_due_at"]
    what = "accept or reject it" if kind == "accept" else "record what you did with it (contacted, meeting, " \
        "converted, disqualified)"
    subject = f"Lead {row['company']}: {'accept' if kind == 'accept' else 'act'} by {due:%Y-%m-%d %H:%M} UTC"
    text = (f"{partner_name}, the lead {row['company']} ({row['region']}) shared with you is due: {what} by "
            f"{due:%Y-%m-%d %H:%M} UTC, or it is recalled (P11).\n")
    return subject, text


async def send_reminders(*, worker: str, at: datetime | None = None, should_stop=lambda: False,
                         lease_for: timedelta = LEASE, batch: int = BATCH) -> int:
    """One email to the partner's users one business day before each deadline of a share."""
    at = at or business_days.now()
    sent = 0
    pace = Pace()
    for kind, due, column in (("accept", accept_reminder_due, Lead.accept_reminded),
                              ("action", action_reminder_due, Lead.action_reminded)):
        while not should_stop():
            await pace.rest()
            lease, rows = await claim(Lead, due=due(at), worker=worker, limit=batch, lease_for=lease_for,
                                      order_by=[Lead.id], now=at)
            if not rows:
                break
            names = {r["id"]: r["name"] for r in await Partner.select(Partner.id, Partner.name).where(
                Partner.id.is_in(sorted({r["partner"] for r in rows})))}
            for row in rows:
                async with transaction():
                    updated = await _settle(row, lease, {column: row["share_count"]})
                    if updated is None:
                        continue
                    recipients = await partner_emails(row["partner"])
                    if recipients:
                        subject, text = reminder_text(kind, row, names.get(row["partner"], "Partner"))
                        await mail.enqueue_email(recipients, subject, text,
                                                 dedupe_key=f"lead-reminder:{kind}:{row['id']}:{row['share_count']}:"
                                                 f"{(row['accept_due_at'] if kind == 'accept' else row['action_due_at']):%Y%m%d%H%M}")
                    sent += 1
            await release(Lead, [r["id"] for r in rows], lease)
            if len(rows) < batch:
                break
    return sent


async def run(*, worker: str, at: datetime | None = None, should_stop=lambda: False) -> DeadlineReport:
    at = at or business_days.now()
    report = DeadlineReport()
    report.recalled = await recall_due_leads(worker=worker, at=at, should_stop=should_stop)
    report.reminded = await send_reminders(worker=worker, at=at, should_stop=should_stop)
    return report


