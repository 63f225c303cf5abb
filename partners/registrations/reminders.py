"""P4 review-due digests: once per business day, each reviewer with registrations past their
review target (`review_due_at`: the first review within 2 working hours, the decision within
1 business day) gets ONE email listing them, most overdue first (D1: the channel managers of
a registration's region; the admins for a region that has none).

One email per reviewer per day, not one per registration: after an outage, or on a large
database, a backlog of thousands of overdue registrations is a handful of digests, not
thousands of emails. A registration that becomes overdue after today's digest went out is
in tomorrow's. The day is the UTC date; a day counts when it is a business day (Mon–Fri, not
a holiday) in at least one of the reviewer's regions.

Run by the `review-reminders` background job in every instance. Exactly once without leases:
each digest is enqueued with the dedupe key `review-digest:<day>:<user id>`, and the outbox
keeps one message per key whichever instance enqueues it first. Each tick costs three small
statements once today's digests are out (reviewers, today's holidays, today's keys), plus one
indexed read per reviewer still waiting for theirs (`deal_registration_review_due`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from partners.business_days import is_business_day
from partners.business_days.tables import RegionHoliday
from partners.infra import mail
from partners.infra.clock import now
from partners.infra.db import transaction
from partners.infra.metrics import REVIEWS_OVERDUE
from partners.infra.sql import any_of
from partners.infra.tables import OutboxMessage
from partners.people.enums import Region, Role
from partners.people.tables import Partner, User
from partners.registrations.rules import IN_REVIEW
from partners.registrations.tables import DealRegistration

LISTED = 50  # registrations listed in one digest; the rest are counted
STEP = {
    "SUBMITTED": "first review (P4: within 2 working hours)",
    "PENDING_SALES_REVIEW": "sales review decision (P4: within 1 business day)",
    "PENDING_MANAGER_REVIEW": "manager decision (P4: within 1 business day)",
}


@dataclass(frozen=True)
class Reviewer:
    user_id: int
    email: str
    regions: tuple[str, ...]


def dedupe_key(day: date, user_id: int) -> str:
    return f"review-digest:{day.isoformat()}:{user_id}"


# The statuses as SQL text, not parameters: `deal_registration_review_due`'s predicate then
# matches in every plan (a prepared statement's generic plan cannot match `status IN ($1, …)`).
IN_REVIEW_SQL = WhereRaw("deal_registration.status IN (" + ", ".join(f"'{s.value}'" for s in IN_REVIEW) + ")")


def overdue_in(regions, at: datetime):
    """In review and past its current P4 target, in one of `regions`."""
    return IN_REVIEW_SQL & (DealRegistration.review_due_at <= at) & any_of(DealRegistration.region, regions)


async def reviewers() -> list[Reviewer]:
    """D1: every active channel manager for their regions; the active admins for the regions
    no active channel manager covers."""
    rows = await User.select(User.id, User.email, User.role, User.regions).where(
        User.role.is_in([Role.CHANNEL_MANAGER.value, Role.ADMIN.value]) & (User.active == True)  # noqa: E712
    ).order_by(User.id)
    managers = [r for r in rows if r["role"] == Role.CHANNEL_MANAGER.value]
    covered = {region for r in managers for region in (r["regions"] or [])}
    uncovered = tuple(region.value for region in Region if region.value not in covered)
    found = [Reviewer(r["id"], r["email"], tuple(sorted(r["regions"] or []))) for r in managers if r["regions"]]
    if uncovered:
        found += [Reviewer(r["id"], r["email"], uncovered) for r in rows if r["role"] == Role.ADMIN.value]
    return found


def digest_text(day: date, at: datetime, rows: list[dict], total: int,
                partners: dict[int, str]) -> tuple[str, str]:
    noun = "registration" if total == 1 else "registrations"
    subject = f"Reviews overdue: {total} deal {noun} ({day.isoformat()})"
    lines = [f"{total} deal {noun} in your regions {'is' if total == 1 else 'are'} past the review target, "
             "most overdue first:", ""]
    for row in rows:
        late = at - row["review_due_at"]
        hours = int(late.total_seconds() // 3600)
        lines.append(f"- #{row['id']} from {partners.get(row['partner'], 'a partner')} ({row['region']}): "
                     f"{STEP.get(row['status'], 'review')}, due {row['review_due_at']:%Y-%m-%d %H:%M} UTC, "
                     f"{hours} h late")
    if total > len(rows):
        lines.append(f"- and {total - len(rows)} more: see your review queue in cosell")
    lines += ["", "Advance, return, approve or deny them in cosell."]
    return subject, "\n".join(lines) + "\n"


async def _business_regions(day: date) -> set[str]:
    """The regions for which `day` is a business day (P11's calendars)."""
    off = {row["region"] for row in await RegionHoliday.select(RegionHoliday.region).where(RegionHoliday.day == day)}
    return {region.value for region in Region if is_business_day(day) and region.value not in off}


async def send_due(*, worker: str = "", at: datetime | None = None, should_stop=lambda: False) -> int:
    """Enqueue today's digest for every reviewer who has overdue registrations and has not had
    one today; returns how many digests this call enqueued. `worker` is accepted for the
    job runner's signature: no lease is needed (the dedupe key makes each digest once)."""
    at = at or now()
    day = at.date()
    working = await _business_regions(day)
    waiting = [r for r in await reviewers() if working.intersection(r.regions)]
    if not waiting:
        return 0
    keys = {dedupe_key(day, r.user_id): r for r in waiting}
    sent = {row["dedupe_key"] for row in await OutboxMessage.select(OutboxMessage.dedupe_key).where(
        any_of(OutboxMessage.dedupe_key, keys))}
    enqueued = 0
    for key, reviewer in keys.items():
        if key in sent or should_stop():
            continue
        overdue = overdue_in(reviewer.regions, at)
        rows = await DealRegistration.select(
            DealRegistration.id, DealRegistration.partner, DealRegistration.region, DealRegistration.status,
            DealRegistration.review_due_at,
        ).where(overdue).order_by(DealRegistration.review_due_at).order_by(DealRegistration.id).limit(LISTED)
        if not rows:
            continue
        total = len(rows) if len(rows) < LISTED else await DealRegistration.count().where(overdue)
        partners = {row["id"]: row["name"] for row in await Partner.select(Partner.id, Partner.name).where(
            any_of(Partner.id, {row["partner"] for row in rows}))}
        subject, text = digest_text(day, at, rows, total, partners)
        async with transaction():
            await mail.enqueue_email([reviewer.email], subject, text, dedupe_key=key)
        enqueued += 1
    return enqueued


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
