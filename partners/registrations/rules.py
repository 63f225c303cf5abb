"""Deal registrations: the pure rules (no database access), so they are tested directly.

Constants and status groups, P4 working-hour targets and the review transitions, D1 account
matching of a prospect, the input checks of a submission (P3, P9, O10) and of its customer
(R1), R2 naming, the D2 conflict SQL text, and the plain-data snapshot plugins receive.
The writes that apply them: `submit` (P1–P4), `approve` (P5, P6, R2, R8), `expire` (P1, P4,
P6); what they share: `records`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable

from partners.accounts.enums import AccountType
from partners.infra.errors import Violation
from partners.money.currencies import currency_violation
from partners.money.given import GivenAmount
from partners.opportunities import reseller
from partners.opportunities.enums import OpportunityType
from partners.opportunities.rules import opportunity_name
from partners.people.enums import PartnerType, Region, Role
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType

EVENT_KIND = "deal_registration_event"

REGISTRANTS = (Role.PARTNER_USER, Role.PARTNER_ADMIN, Role.CHANNEL_MANAGER, Role.ADMIN)
REVIEWERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
# Channel managers (and admins) register on behalf of alliance partners (issue 5).
ALLIANCE_TYPES = frozenset({PartnerType.CLOUD_ALLIANCE})

IN_REVIEW = (Status.SUBMITTED, Status.PENDING_SALES_REVIEW, Status.PENDING_MANAGER_REVIEW)
PENDING = (*IN_REVIEW, Status.RETURNED)  # "pending" in D2/P5
CONFLICTS_WITH = (*PENDING, Status.APPROVED)  # D2: the others that make a conflict
LIVE = (*PENDING, Status.ON_HOLD, Status.APPROVED)  # = ACTIVE_STATUSES of the P9 index

APPROVAL_DAYS = 90  # P6
EXTENSION_DAYS = 30  # P6: once, by a channel manager
# P4 is silent on how long a partner may take to answer a return: 14 days, then the
# registration is closed (`close_unanswered_returns`), so it no longer blocks a conflict (D2).
RETURN_REPLY_DAYS = 14
MAX_ADMIN_EXTENSION_DAYS = 365
FIRST_REVIEW_HOURS = 2  # P4: first review within 2 working hours
DECISION_HOURS = 8  # P4: decision within 1 business day = 8 working hours

# History notes of P5 holds, read by the held registration's partner: they name no other
# registration (R9; migration 2026-12-02T16:22 rewrote the older ones).
HELD_NOTE = "Another registration was approved for the same scope (P5)."
REOPENED_NOTE = "The registration that held this scope ended (P5)."

# P4 targets count working time: Monday to Friday, 09:00–17:00 UTC (no holidays).
WORK_START_HOUR = 9
WORK_END_HOUR = 17


_WORK_DAY_SECONDS = (WORK_END_HOUR - WORK_START_HOUR) * 3600
_MONDAY = datetime(2000, 1, 3, tzinfo=timezone.utc)


def _working_seconds_since_anchor(at: datetime) -> int:
    """Working seconds from a fixed Monday 00:00 UTC to `at` (Mon–Fri 09:00–17:00 UTC)."""
    at = at.astimezone(timezone.utc)
    days = (at.date() - _MONDAY.date()).days
    weeks, weekday = divmod(days, 7)
    seconds = weeks * 5 * _WORK_DAY_SECONDS + min(weekday, 5) * _WORK_DAY_SECONDS
    if weekday < 5:
        into_day = at.hour * 3600 + at.minute * 60 + at.second - WORK_START_HOUR * 3600
        seconds += max(0, min(into_day, _WORK_DAY_SECONDS))
    return seconds


def working_seconds_between(start: datetime, end: datetime) -> int:
    """P4: the working time (Mon–Fri 09:00–17:00 UTC, whole seconds) from `start` to `end`,
    the measure `add_working_hours` counts in: a review is late exactly when this exceeds
    FIRST_REVIEW_HOURS (DECISION_HOURS for a decision) hours. 0 when `end` is not after `start`."""
    return max(0, _working_seconds_since_anchor(end) - _working_seconds_since_anchor(start))


def review_durations(event: str, from_status: str | None, clock_start: datetime | None,
                     at: datetime) -> tuple[int | None, int | None]:
    """P4, as stored on a history row for the channel metrics (issue 36): (working seconds to
    the first review, working seconds to the decision) since the (re)submission that started
    the clock, or None where this change is not that. The first review is the first reviewer
    step out of SUBMITTED (advance, return or denial); the decision is an approval or denial."""
    if clock_start is None:
        return None, None
    elapsed = working_seconds_between(clock_start, at)
    first = elapsed if from_status == Status.SUBMITTED.value and event in FIRST_REVIEW_EVENTS else None
    decision = elapsed if event in DECISION_EVENTS else None
    return first, decision


FIRST_REVIEW_EVENTS = frozenset({"PENDING_SALES_REVIEW", "RETURNED", "DENIED"})
DECISION_EVENTS = frozenset({"APPROVED", "DENIED"})


def add_working_hours(start: datetime, hours: float) -> datetime:
    """`start` plus `hours` of working time (Mon–Fri 09:00–17:00 UTC). Time outside
    working hours does not count: a Friday 16:00 submission is due Monday 10:00 for 2 hours."""
    at = start.astimezone(timezone.utc)
    remaining = timedelta(hours=hours)
    while True:
        day_start = at.replace(hour=WORK_START_HOUR, minute=0, second=0, microsecond=0)
        day_end = at.replace(hour=WORK_END_HOUR, minute=0, second=0, microsecond=0)
        if at.weekday() >= 5 or at >= day_end:
            at = (at + timedelta(days=1)).replace(hour=WORK_START_HOUR, minute=0, second=0, microsecond=0)
            continue
        at = max(at, day_start)
        if at + remaining <= day_end:
            return at + remaining
        remaining -= day_end - at
        at = day_end


def working_hours_between(start: datetime, end: datetime) -> float:
    """P4's clock read back: the working time (Mon–Fri 09:00–17:00 UTC) from `start` to
    `end`, in hours; negative when `end` is before `start`. The inverse of
    `add_working_hours`: `working_hours_between(t, add_working_hours(t, h)) == h`."""
    if end < start:
        return -working_hours_between(end, start)
    at, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    total = timedelta()
    while at < end:
        day_start = at.replace(hour=WORK_START_HOUR, minute=0, second=0, microsecond=0)
        day_end = at.replace(hour=WORK_END_HOUR, minute=0, second=0, microsecond=0)
        if at.weekday() < 5 and at < day_end:
            total += max(timedelta(), min(end, day_end) - max(at, day_start))
        at = (at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return total.total_seconds() / 3600


def normalize_domain(website: str) -> str:
    """D1 (matching a prospect): `https://www.Acme.com/about` → `acme.com`."""
    value = (website or "").strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return value[4:] if value.startswith("www.") else value


COMPANY_SUFFIXES = {"inc", "incorporated", "ltd", "limited", "gmbh", "corp", "corporation", "llc", "sa", "kk",
                    "pty", "plc", "ag", "bv", "co", "company", "srl", "oy", "ab"}


def normalize_company_name(name: str) -> str:
    """D1 (matching a prospect): `Acme, Inc.` and `ACME Inc` → `acme`: lower case, punctuation
    and legal suffixes dropped."""
    words = re.sub(r"[^\w\s]", " ", (name or "").lower()).split()
    while len(words) > 1 and words[-1] in COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalize_products(products: Iterable[str]) -> list[str]:
    """Lower-case product codes, once each, in order (the scope D2 compares)."""
    seen: list[str] = []
    for product in products:
        code = product.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen


def match_account(prospect_name: str, prospect_website: str, accounts: Iterable[dict]) -> dict | None:
    """D1: the existing account a prospect is: same website domain first, else the same
    normalised name; the oldest such account when several match."""
    domain, key = normalize_domain(prospect_website), normalize_company_name(prospect_name)
    ordered = sorted(accounts, key=lambda a: a["id"])
    if domain:
        for account in ordered:
            if normalize_domain(account["website"]) == domain:
                return account
    for account in ordered:
        if key and normalize_company_name(account["name"]) == key:
            return account
    return None


# What each review event does: from which statuses, to which status (P4, P5, P6).
TRANSITIONS: dict[str, tuple[tuple[Status, ...], Status]] = {
    "PENDING_SALES_REVIEW": ((Status.SUBMITTED,), Status.PENDING_SALES_REVIEW),
    "PENDING_MANAGER_REVIEW": ((Status.PENDING_SALES_REVIEW,), Status.PENDING_MANAGER_REVIEW),
    "RETURNED": (IN_REVIEW, Status.RETURNED),
    "RESUBMITTED": ((Status.RETURNED,), Status.SUBMITTED),
    "WITHDRAWN": ((*PENDING, Status.ON_HOLD), Status.WITHDRAWN),
    "APPROVED": ((Status.PENDING_MANAGER_REVIEW,), Status.APPROVED),
    "DENIED": ((*IN_REVIEW, Status.RETURNED), Status.DENIED),  # a returned one too (issue 16)
    "DISSOLVED": ((Status.APPROVED,), Status.DISSOLVED),
    "EXTENDED": ((Status.APPROVED,), Status.APPROVED),
}
ADVANCE = {Status.SUBMITTED: "PENDING_SALES_REVIEW", Status.PENDING_SALES_REVIEW: "PENDING_MANAGER_REVIEW"}


def transition_violation(current: Status, event: str) -> Violation | None:
    """P4 (P5, P6): why `event` may not move a registration that is `current` (`TRANSITIONS`), or None."""
    allowed, _ = TRANSITIONS[event]
    if current in allowed:
        return None
    names = ", ".join(s.value for s in allowed)
    return Violation("INVALID_TRANSITION",
                     f"A registration that is {current.value} cannot be {event.lower().replace('_', ' ')} "
                     f"(only from {names}).", ("id",), "P4")


def review_targets(submitted: datetime) -> tuple[datetime, datetime]:
    """P4: (first review due, decision due) for a (re)submission at `submitted`."""
    return add_working_hours(submitted, FIRST_REVIEW_HOURS), add_working_hours(submitted, DECISION_HOURS)


def registered_opportunity_name(nickname: str, account_name: str, seats: int, edition: str, on: date) -> str:
    """R2 + O10: `ALPHA - Acme, Inc- 50 Premium`."""
    return f"{nickname} - {opportunity_name(account_name, OpportunityType.NEW_BUSINESS, seats=seats, product=edition, on=on)}"


def snapshot(row: dict, products: list[str]) -> dict:
    """The plain data a plugin receives with an event (JSON-safe; `records.record` sends it)."""
    def iso(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    return {
        "id": row["id"], "partner_id": row["partner"], "registered_by_id": row["registered_by"],
        "type": row["registration_type"], "status": row["status"], "account_id": row["account"],
        "region": row["region"], "opportunity_id": row["opportunity"], "products": products,
        "edition": row["edition"], "seats": row["seats"],
        # Issue 40: an exact amount travels as a string, with its currency.
        "estimated_amount": None if row["estimated_amount"] is None else format(row["estimated_amount"], "f"),
        "currency": row["currency"],
        "expected_close_date": iso(row["expected_close_date"]), "submitted_at": iso(row["submitted_at"]),
        "assigned_ae_id": row["assigned_ae"], "approved_at": iso(row["approved_at"]),
        "expires_at": iso(row["expires_at"]), "extension_count": row["extension_count"], "reason": row["reason"],
    }


@dataclass(frozen=True)
class Prospect:
    """A new end customer, matched against existing accounts before one is created."""

    name: str
    website: str = ""
    country: str = "US"
    region: Region = Region.AMER


@dataclass(frozen=True)
class Registration:
    registration_type: RegType
    products: list[str]
    edition: str
    seats: int
    estimated_amount: GivenAmount | None = None
    # ISO 4217; None: the estimated amount's MoneyInput currency, else the opportunity's, else the
    # customer account's (for a new prospect, its country's). A partner may register in its local
    # currency, unlike the opportunity's (D5); an approval creating the opportunity keeps it.
    currency: str | None = None
    expected_close_date: date | None = None
    notes: str = ""
    account_id: int | None = None
    prospect: Prospect | None = None
    opportunity_id: int | None = None
    partner_id: int | None = None  # channel managers and admins: the alliance partner


def input_violations(reg: Registration) -> list[Violation]:
    """What a submission lacks before anything is read: products (D2), seats and edition (O10),
    one customer (P3), a services attach's opportunity (P9)."""
    violations = []
    if not normalize_products(reg.products):
        violations.append(Violation("PRODUCTS_REQUIRED", "Name at least one product.", ("products",), "D2"))
    if reg.seats < 1:
        violations.append(Violation("SEATS_REQUIRED", "Seats must be at least 1.", ("seats",), "O10"))
    if not reg.edition.strip():
        violations.append(Violation("EDITION_REQUIRED", "Name the edition (e.g. Premium).", ("edition",), "O10"))
    if reg.currency is not None:
        bad = currency_violation(reg.currency, "currency")
        if bad is not None:
            violations.append(bad)
    customers = (reg.account_id is not None) + (reg.prospect is not None)
    if customers > 1 or (customers == 0 and reg.opportunity_id is None):
        violations.append(Violation("ONE_CUSTOMER", "Give either an existing account, the prospect's details, or "
                                    "the opportunity (whose account is the customer).", ("customer",), "P3"))
    if reg.prospect is not None and not reg.prospect.name.strip():
        violations.append(Violation("NAME_REQUIRED", "The prospect needs a name.", ("customer", "prospect", "name")))
    if reg.registration_type is RegType.SERVICES_ATTACH and reg.opportunity_id is None:
        violations.append(Violation("SERVICES_ATTACH_NEEDS_OPPORTUNITY",
                                    "A services attach names its closed-won opportunity.", ("opportunityId",), "P9"))
    return violations


def customer_account_violation(account: dict, field: tuple[str, ...]) -> Violation | None:
    """R1 at submission: the end customer is never a reseller, integrator or partner
    organisation account (the registrant's own included). The message names no account:
    a partner user may not read it."""
    if AccountType(account["account_type"]) in reseller.CHANNEL_ACCOUNT_TYPES or account["partner"] is not None:
        return Violation("RESELLER_ACCOUNT", "The end customer of a registration cannot be a reseller or partner "
                         "organisation account: register the end customer the deal is for.", field, "R1")
    return None


@dataclass(frozen=True)
class Resubmission:
    """P4: what the partner changes when resubmitting a returned registration (None: unchanged)."""

    notes: str | None = None
    seats: int | None = None
    estimated_amount: GivenAmount | None = None  # in the registration's currency
    expected_close_date: date | None = None


def _status_list(statuses: Iterable[Status]) -> str:
    return ", ".join(f"'{s.value}'" for s in statuses)  # enum values: safe literals


def conflicts_sql(key_count: int, other_statuses: Iterable[Status] = CONFLICTS_WITH) -> str:
    """D2: (id, other) pairs: for each of `key_count` registrations, the others of the same end
    customer with an overlapping product whose status is one of `other_statuses`, in
    submission order."""
    placeholders = ", ".join("{}" for _ in range(key_count))
    return (
        "SELECT DISTINCT a.registration AS id, b.registration AS other, rb.submitted_at, rb.id AS other_id "
        "FROM deal_registration_product a "
        "JOIN deal_registration_product b ON b.product = a.product AND b.registration <> a.registration "
        "JOIN deal_registration ra ON ra.id = a.registration "
        "JOIN deal_registration rb ON rb.id = b.registration AND rb.account = ra.account "
        f"WHERE a.registration IN ({placeholders}) AND rb.status IN ({_status_list(other_statuses)}) "
        "ORDER BY rb.submitted_at, rb.id"
    )


def conflicting_condition_sql(negate: bool = False, partner_id: int | None = None) -> str:
    """D2 as a filter: live registrations with at least one conflict (or, negated, without).
    With `partner_id` (a partner user's), only conflicts with that partner's own registrations
    count, as in `conflicts`: a competitor's registration is never revealed (R9)."""
    own = "" if partner_id is None else f" AND rb.partner = {int(partner_id)}"
    return (
        f'"deal_registration"."id" {"NOT IN" if negate else "IN"} (SELECT a.registration FROM deal_registration_product a '
        "JOIN deal_registration_product b ON b.product = a.product AND b.registration <> a.registration "
        "JOIN deal_registration ra ON ra.id = a.registration "
        "JOIN deal_registration rb ON rb.id = b.registration AND rb.account = ra.account "
        f"WHERE ra.status IN ({_status_list(LIVE)}) AND rb.status IN ({_status_list(CONFLICTS_WITH)}){own})"
    )
