"""P4 review-due reminders: a registration still waiting for its reviewer when its target
(`review_due_at`: the first review within 2 working hours, the decision within 1 business
day) has passed gets one reminder email to the channel managers of its region (D1; the
admins when the region has none).

Run by the `review-reminders` background job in every instance. Each registration is
claimed with a lease (`partners.infra.leasing`: `FOR UPDATE SKIP LOCKED` on PostgreSQL), then one
transaction records the target the reminder was sent for (`reminded_due_at`, only by the
holder of the lease) and enqueues the emails with a dedupe key of the registration and the
target. So each missed target is reminded once, however many instances run; a new target
(the registration advanced or was resubmitted) gets its own reminder when it is missed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from partners.infra import mail
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.leasing import claim, finish, release
from partners.infra.metrics import REVIEWS_OVERDUE
from partners.people.enums import Role
from partners.people.tables import Partner, User
from partners.registrations.rules import IN_REVIEW
from partners.registrations.tables import DealRegistration

LEASE = timedelta(minutes=2)
BATCH = 100
STEP = {
    "SUBMITTED": "first review (P4: within 2 working hours)",
    "PENDING_SALES_REVIEW": "sales review decision (P4: within 1 business day)",
    "PENDING_MANAGER_REVIEW": "manager decision (P4: within 1 business day)",
}


def due_for_reminder(at: datetime):
    """In review, past its target, and not yet reminded for this target."""
    return (
        DealRegistration.status.is_in([s.value for s in IN_REVIEW])
        & (DealRegistration.review_due_at <= at)
        & WhereRaw("(reminded_due_at IS NULL OR reminded_due_at <> review_due_at)")
    )


def dedupe_key(registration_id: int, due: datetime) -> str:
    return f"review-due:{registration_id}:{due.isoformat()}"


def reminder_text(row: dict, partner_name: str) -> tuple[str, str]:
    step = STEP.get(row["status"], "review")
    subject = f"Review overdue: deal registration #{row['id']} from {partner_name}"
    text = (
        f"Deal registration #{row['id']} from {partner_name} ({row['region']}) is waiting for its {step}.\n"
        f"It was due at {row['review_due_at']:%Y-%m-%d %H:%M} UTC.\n"
        "Advance, return, approve or deny it in cosell.\n"
    )
    return subject, text


async def _reviewers(region: str) -> list[str]:
    """D1: the channel managers of the region; the admins when it has none."""
    managers = await User.select(User.email, User.regions).where(
        (User.role == Role.CHANNEL_MANAGER.value) & (User.active == True)  # noqa: E712
    )
    emails = sorted(row["email"] for row in managers if region in (row["regions"] or []))
    if emails:
        return emails
    admins = await User.select(User.email).where((User.role == Role.ADMIN.value) & (User.active == True))  # noqa: E712
    return sorted(row["email"] for row in admins)


async def send_due(*, worker: str, at: datetime | None = None, should_stop=lambda: False,
                   lease_for: timedelta = LEASE, batch: int = BATCH) -> int:
    """Remind the reviewers of every registration past its P4 target once; returns how many
    registrations were reminded by this call."""
    at = at or now()
    reminded = 0
    while not should_stop():
        lease, rows = await claim(DealRegistration, due=due_for_reminder(at), worker=worker, limit=batch,
                                  lease_for=lease_for, order_by=[DealRegistration.review_due_at], now=at)
        if not rows:
            return reminded
        partners = {row["id"]: row["name"] for row in await Partner.select(Partner.id, Partner.name).where(
            Partner.id.is_in(sorted({row["partner"] for row in rows})))}
        reviewers: dict[str, list[str]] = {}
        for index, row in enumerate(rows):
            if should_stop():
                await release(DealRegistration, [r["id"] for r in rows[index:]], lease)
                return reminded
            async with transaction():
                # Only the holder of the latest lease records the reminder (and so sends it).
                if not await finish(DealRegistration, row["id"], lease,
                                    {DealRegistration.reminded_due_at: row["review_due_at"]}):
                    continue
                if row["region"] not in reviewers:
                    reviewers[row["region"]] = await _reviewers(row["region"])
                recipients = reviewers[row["region"]]
                if recipients:
                    subject, text = reminder_text(row, partners.get(row["partner"], "a partner"))
                    await mail.enqueue_email(recipients, subject, text,
                                             dedupe_key=dedupe_key(row["id"], row["review_due_at"]))
                reminded += 1
        if len(rows) < batch:
            return reminded
    return reminded


async def refresh_overdue_gauge(at: datetime | None = None) -> None:
    """P4 misses for the metrics: registrations in review whose current review target has
    passed, by region, in one statement (read at scrape time by server/metrics.py). Regions
    with none go back to 0."""
    at = at or now()
    rows = await DealRegistration.select(DealRegistration.region, Count(alias="n")).where(
        DealRegistration.status.is_in([s.value for s in IN_REVIEW])
        & DealRegistration.review_due_at.is_not_null() & (DealRegistration.review_due_at < at)
    ).group_by(DealRegistration.region)
    counts = {row["region"]: row["n"] for row in rows}
    for region in set(counts) | _overdue_regions:
        REVIEWS_OVERDUE.labels(region).set(counts.get(region, 0))
    _overdue_regions.update(counts)


_overdue_regions: set[str] = set()
