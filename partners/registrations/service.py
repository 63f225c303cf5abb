"""Deal registrations (issue 5): submit, review, approve, expire, convert.

Rules: D1 (a channel manager of the customer's region decides), D2 (conflicts), P1/P2
(eligibility), P3 (types, one opportunity), P4 (review flow and targets), P5 (one approved
partner-sourced registration per opportunity, reconsideration in submission order), P6
(expiry, extension, closing), P9 (one services attach per closed-won opportunity), R2/R8
(conversion into an opportunity with the registrant as primary DEAL_REGISTRANT).

Every change runs in one `transaction()`, writes a `DealRegistrationChange` row (who, when,
from, to) and enqueues a `deal_registration_event` outbox message carrying a plain-data
snapshot; plugins hear of it after commit (`server/background.py`).

Every write first claims the registration (`open_for_write`, `partners.infra.versions`): its
version moves by one, a stale `expectedVersion` is refused, and on PostgreSQL the row
stays locked until commit, so concurrent writes of one registration run one after the
other and none is lost. Statuses move only through `_transition`, which also compares
the status read (compare-and-set). P5 and P9 are also
partial unique indexes (migration `cosell_2026_11_23t14_42_14_721225`); a write refused by
them becomes the same UserError as the check that normally catches it first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable

from partners.infra import leasing, outbox
from partners.infra.db import is_unique_violation, transaction
from partners.accounts.enums import AccountType
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.people.enums import PartnerStatus, PartnerType, Region, Role
from partners.infra.errors import DomainError, NotFound, PermissionDenied, Violation, require_roles
from partners.people.principal import Principal
from partners.infra.clock import now
from partners.opportunities import team as opportunity_team, reseller
from partners.infra import versions
from partners.opportunities.rules import CLOSED_STAGES, opportunity_name
from partners.opportunities.service import insert_opportunity
from partners.program.eligibility import partner_violations
from partners.people.standing import refuse_if_partner_denied
from partners.accounts.scoping import account_scope
from partners.registrations.scoping import deal_registration_scope
from partners.opportunities.scoping import opportunity_scope
from partners.people.scoping import scoped
from partners.accounts.tables import Account
from partners.registrations.tables import DealRegistration, DealRegistrationChange, DealRegistrationProduct
from partners.opportunities.tables import Opportunity, OpportunityPartner
from partners.people.tables import Partner, User

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


# ---------------------------------------------------------------- pure rules


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


def normalize_domain(website: str) -> str:
    """`https://www.Acme.com/about` → `acme.com`."""
    value = (website or "").strip().lower()
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split(":", 1)[0]
    return value[4:] if value.startswith("www.") else value


COMPANY_SUFFIXES = {"inc", "incorporated", "ltd", "limited", "gmbh", "corp", "corporation", "llc", "sa", "kk",
                    "pty", "plc", "ag", "bv", "co", "company", "srl", "oy", "ab"}


def normalize_company_name(name: str) -> str:
    """`Acme, Inc.` and `ACME Inc` → `acme`: lower case, punctuation and legal suffixes dropped."""
    words = re.sub(r"[^\w\s]", " ", (name or "").lower()).split()
    while len(words) > 1 and words[-1] in COMPANY_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalize_products(products: Iterable[str]) -> list[str]:
    """Lower-case product codes, once each, in order."""
    seen: list[str] = []
    for product in products:
        code = product.strip().lower()
        if code and code not in seen:
            seen.append(code)
    return seen


def match_account(prospect_name: str, prospect_website: str, accounts: Iterable[dict]) -> dict | None:
    """The existing account a prospect is: same website domain first, else the same
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
    """The plain data a plugin receives with an event (JSON-safe)."""
    def iso(value):
        return value.isoformat() if isinstance(value, (datetime, date)) else value

    return {
        "id": row["id"], "partner_id": row["partner"], "registered_by_id": row["registered_by"],
        "type": row["registration_type"], "status": row["status"], "account_id": row["account"],
        "region": row["region"], "opportunity_id": row["opportunity"], "products": products,
        "edition": row["edition"], "seats": row["seats"], "estimated_amount": row["estimated_amount"],
        "expected_close_date": iso(row["expected_close_date"]), "submitted_at": iso(row["submitted_at"]),
        "assigned_ae_id": row["assigned_ae"], "approved_at": iso(row["approved_at"]),
        "expires_at": iso(row["expires_at"]), "extension_count": row["extension_count"], "reason": row["reason"],
    }


# ---------------------------------------------------------------- reads used by writes


async def get_visible(principal: Principal, registration_id: int, field: str = "id") -> dict:
    row = await scoped(DealRegistration.select(), deal_registration_scope(principal)).where(
        DealRegistration.id == registration_id).first()
    if row is None:
        raise NotFound.of("Deal registration", field)
    return row


async def open_for_write(principal: Principal, registration_id: int, expected_version: int | None = None) -> dict:
    """The registration as this write will change it: visible to the caller (else NOT_FOUND,
    before any version check), then claimed (version + 1, row lock on PostgreSQL;
    STALE_VERSION when `expected_version` is no longer current)."""
    await get_visible(principal, registration_id)
    return await versions.claim(DealRegistration, registration_id, expected_version, "deal registration")


async def _products(registration_id: int) -> list[str]:
    rows = await DealRegistrationProduct.select(DealRegistrationProduct.product).where(
        DealRegistrationProduct.registration == registration_id).order_by(DealRegistrationProduct.id)
    return [r["product"] for r in rows]


async def _record(row: dict, event: str, from_status: str | None, principal: Principal | None, note: str,
                  at: datetime) -> None:
    """History row + outbox event, in the caller's transaction."""
    await DealRegistrationChange(
        registration=row["id"], event=event, from_status=from_status, to_status=row["status"],
        changed_by=principal.user_id if principal else None, note=note.strip()[:2000], changed_at=at,
    ).save()
    await outbox.enqueue(EVENT_KIND, {"event": event, "registration": snapshot(row, await _products(row["id"]))})


async def _transition(row: dict, event: str, principal: Principal | None, note: str = "",
                      changes: dict | None = None, at: datetime | None = None) -> dict:
    """Move `row` by `event` if its status is still the one read (compare-and-set). The
    caller claimed `row` (`open_for_write`), which already moved its version."""
    violation = transition_violation(Status(row["status"]), event)
    if violation:
        raise DomainError([violation])
    at = at or now()
    target = TRANSITIONS[event][1]
    values = {DealRegistration.status: target.value, **(changes or {})}
    updated = await DealRegistration.update(values).where(
        (DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])
    ).returning(*DealRegistration.all_columns())
    if not updated:
        raise DomainError.single("CHANGED_MEANWHILE", "The registration changed meanwhile; reload it and retry.",
                                 "id", rule="P4")
    await _record(updated[0], event, row["status"], principal, note, at)
    return updated[0]


def _require_reviewer(principal: Principal, row: dict) -> None:
    """D1: a channel manager of the customer's region, or an admin."""
    require_roles(principal, *REVIEWERS)
    if principal.is_admin or Region(row["region"]) in principal.regions:
        return
    raise DomainError.single("NOT_REGION_REVIEWER",
                             f"Only channel managers of {row['region']} (or admins) review this registration.",
                             "id", rule="D1")


def _require_registrant_side(principal: Principal, row: dict) -> None:
    """P4: the partner (its users, or who registered on its behalf) or an admin."""
    if principal.is_admin or row["registered_by"] == principal.user_id:
        return
    if principal.is_partner_user and principal.partner_id == row["partner"]:
        return
    raise DomainError.single("NOT_THE_REGISTRANT", "Only the registering partner (or an admin) may do this.",
                             "id", rule="P4")


def _required_text(value: str, field: str, rule: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError.single("REASON_REQUIRED", f"{what} needs a reason.", field, rule=rule)
    return text


# ---------------------------------------------------------------- register


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
    estimated_amount: float | None = None
    expected_close_date: date | None = None
    notes: str = ""
    account_id: int | None = None
    prospect: Prospect | None = None
    opportunity_id: int | None = None
    partner_id: int | None = None  # channel managers and admins: the alliance partner


def input_violations(reg: Registration) -> list[Violation]:
    violations = []
    if not normalize_products(reg.products):
        violations.append(Violation("PRODUCTS_REQUIRED", "Name at least one product.", ("products",), "D2"))
    if reg.seats < 1:
        violations.append(Violation("SEATS_REQUIRED", "Seats must be at least 1.", ("seats",), "O10"))
    if not reg.edition.strip():
        violations.append(Violation("EDITION_REQUIRED", "Name the edition (e.g. Premium).", ("edition",), "O10"))
    if reg.estimated_amount is not None and reg.estimated_amount < 0:
        violations.append(Violation("NEGATIVE_AMOUNT", "Amounts cannot be negative.", ("estimatedAmount",)))
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


def _like_any_case(column, text: str):
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    return column.ilike(pattern) if column._meta.engine_type in ("postgres", "cockroach") else column.like(pattern)


async def _match_or_create_account(prospect: Prospect, at: datetime) -> tuple[dict, bool]:
    domain, key = normalize_domain(prospect.website), normalize_company_name(prospect.name)
    conditions = []
    if domain:
        conditions.append(_like_any_case(Account.website, domain))
    if key:
        conditions.append(_like_any_case(Account.name, key.split()[0]))
    candidates = []
    if conditions:
        condition = conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]
        candidates = await Account.select(Account.id, Account.name, Account.website, Account.region,
                                          Account.account_type, Account.partner).where(condition)
    found = match_account(prospect.name, prospect.website, candidates)
    if found is not None:
        return found, True
    account = Account(name=prospect.name.strip(), website=prospect.website.strip(),
                      account_type=AccountType.PROSPECT.value, region=prospect.region.value,
                      country=(prospect.country or "US").upper()[:2], created_at=at)
    await account.save()
    await Account.update({Account.ultimate_parent: account.id}).where(Account.id == account.id)
    return {"id": account.id, "name": account.name, "website": account.website, "region": account.region,
            "account_type": account.account_type, "partner": None}, False


async def _registering_partner(principal: Principal, reg: Registration) -> dict:
    if principal.is_partner_user:
        if reg.partner_id is not None and reg.partner_id != principal.partner_id:
            raise NotFound.of("Partner", "partnerId")
        partner_id = principal.partner_id
    else:
        if reg.partner_id is None:
            raise DomainError.single("PARTNER_REQUIRED", "Name the alliance partner you register for.", "partnerId",
                                     rule="D1")
        partner_id = reg.partner_id
    partner = await Partner.select().where(Partner.id == partner_id).first()
    if partner is None:
        raise NotFound.of("Partner", "partnerId")
    if not principal.is_partner_user and PartnerType(partner["partner_type"]) not in ALLIANCE_TYPES:
        raise DomainError.single("NOT_AN_ALLIANCE_PARTNER",
                                 "Channel managers register only on behalf of alliance partners; "
                                 "other partners register through the portal.", "partnerId", rule="D1")
    violations = await partner_violations(partner, now().date())
    if violations:
        raise DomainError(violations)
    return partner


async def _opportunity_account(principal: Principal, opportunity_id: int) -> dict:
    opp = await scoped(Opportunity.select(Opportunity.account.id.as_alias("id"),
                                          Opportunity.account.region.as_alias("region"),
                                          Opportunity.account.account_type.as_alias("account_type"),
                                          Opportunity.account.partner.as_alias("partner")),
                       opportunity_scope(principal)).where(Opportunity.id == opportunity_id).first()
    if opp is None:
        raise NotFound.of("Opportunity", "opportunityId")
    return opp


async def _lock_customer(account_id: int) -> None:
    """Serialise the approvals, dissolutions and holds of one end customer (P5): on
    PostgreSQL a row lock on the account, taken first, so two concurrent approvals wait
    for each other instead of deadlocking on each other's registrations (SQLite's
    IMMEDIATE transactions already serialise every write)."""
    if Account._meta.db.engine_type == "postgres":
        await Account.raw('SELECT id FROM "account" WHERE id = {} FOR UPDATE', account_id)


async def _claim_customer(row: dict) -> None:
    """Before approving or dissolving `row`: the customer's lock (P5), then the claim of the
    opportunity whose team the decision changes (R8) — the same order as every other writer
    of that opportunity (opportunity, then its registrations), so they queue, not deadlock."""
    await _lock_customer(row["account"])
    if row["opportunity"] is not None and row["registration_type"] != RegType.SERVICES_ATTACH.value:
        await versions.claim(Opportunity, row["opportunity"], None, "opportunity")


async def _check_opportunity(principal: Principal, reg: Registration, account_id: int) -> None:
    """P3: one opportunity of the end customer; P9: services attach on a closed-won one, first come first served."""
    opp = await scoped(Opportunity.select(Opportunity.id, Opportunity.account, Opportunity.stage),
                       opportunity_scope(principal)).where(Opportunity.id == reg.opportunity_id).first()
    if opp is None:
        raise NotFound.of("Opportunity", "opportunityId")
    if opp["account"] != account_id:
        raise DomainError.single("OPPORTUNITY_NOT_ON_CUSTOMER",
                                 "The opportunity belongs to another account than the end customer.",
                                 "opportunityId", rule="R1")
    stage = OpportunityStage(opp["stage"])
    if reg.registration_type is RegType.SERVICES_ATTACH:
        if stage is not OpportunityStage.CLOSED_WON:
            raise DomainError.single("SERVICES_ATTACH_NEEDS_CLOSED_WON",
                                     "Services attach only on a closed-won opportunity.", "opportunityId", rule="P3")
        taken = await DealRegistration.exists().where(
            (DealRegistration.opportunity == reg.opportunity_id)
            & (DealRegistration.registration_type == RegType.SERVICES_ATTACH.value)
            & DealRegistration.status.is_in([s.value for s in LIVE]))
        if taken:
            raise _services_attach_taken()
    elif stage in CLOSED_STAGES:
        raise DomainError.single("OPPORTUNITY_CLOSED", "Register deals on open opportunities only.",
                                 "opportunityId", rule="P3")


def _services_attach_taken() -> DomainError:
    return DomainError.single("SERVICES_ATTACH_TAKEN",
                              "This opportunity already has a services-attach registration (first come, first served).",
                              "opportunityId", rule="P9")


async def register(principal: Principal, reg: Registration, disabled_rules: frozenset[str] = frozenset()) -> dict:
    """Submit (P1–P3). The customer is found (or, for a prospect, matched or created) and
    refused when it is a channel account (R1; unless R1 is switched off, as for the rule
    plugin). What the partner typed is kept: partner users are shown it, never the matched
    account's data (R9)."""
    require_roles(principal, *REGISTRANTS)
    violations = input_violations(reg)
    if violations:
        raise DomainError(violations)
    try:
        async with transaction():
            await refuse_if_partner_denied(principal, "partnerId")  # P1: a DENIED partner's users do not act
            at = now()
            partner = await _registering_partner(principal, reg)
            matched = False
            if reg.account_id is not None:
                account = await scoped(Account.select(Account.id, Account.region, Account.account_type,
                                                      Account.partner), account_scope(principal)).where(
                    Account.id == reg.account_id).first()
                if account is None:
                    raise NotFound.of("Account", "customer.accountId")
                field: tuple[str, ...] = ("customer", "accountId")
            elif reg.prospect is None:  # the opportunity's account is the customer (R1)
                account = await _opportunity_account(principal, reg.opportunity_id)
                field = ("opportunityId",)
            else:
                account, matched = await _match_or_create_account(reg.prospect, at)
                field = ("customer", "prospect")
            violation = None if "R1" in disabled_rules else customer_account_violation(account, field)
            if violation:
                raise DomainError([violation])
            if reg.opportunity_id is not None:
                await _check_opportunity(principal, reg, account["id"])
            review_due, decision_due = review_targets(at)
            row = DealRegistration(
                partner=partner["id"], registered_by=principal.user_id, registration_type=reg.registration_type.value,
                status=Status.SUBMITTED.value, account=account["id"], customer_matched=matched,
                region=account["region"], opportunity=reg.opportunity_id, edition=reg.edition.strip(),
                seats=reg.seats, estimated_amount=reg.estimated_amount, expected_close_date=reg.expected_close_date,
                notes=reg.notes.strip(), submitted_at=at, last_submitted_at=at, review_due_at=review_due,
                decision_due_at=decision_due, created_at=at,
                prospect_name=reg.prospect.name.strip() if reg.prospect else "",
                prospect_region=reg.prospect.region.value if reg.prospect else None,
            )
            await row.save()
            await DealRegistrationProduct.insert(*[
                DealRegistrationProduct(registration=row.id, product=p) for p in normalize_products(reg.products)])
            saved = await DealRegistration.select().where(DealRegistration.id == row.id).first()
            await _record(saved, "SUBMITTED", None, principal, "", at)
            return saved
    except Exception as exc:
        if is_unique_violation(exc):
            raise _services_attach_taken() from exc
        raise


# ---------------------------------------------------------------- review (P4)


async def advance_review(principal: Principal, registration_id: int, note: str = "",
                         expected_version: int | None = None) -> dict:
    """SUBMITTED → PENDING_SALES_REVIEW (the first review) → PENDING_MANAGER_REVIEW."""
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        _require_reviewer(principal, row)
        event = ADVANCE.get(Status(row["status"]), "PENDING_SALES_REVIEW")
        changes = {DealRegistration.review_due_at: row["decision_due_at"]}
        return await _transition(row, event, principal, note, changes)


async def return_to_partner(principal: Principal, registration_id: int, reason: str,
                            expected_version: int | None = None) -> dict:
    reason = _required_text(reason, "reason", "P4", "Returning a registration")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        _require_reviewer(principal, row)
        at = now()
        return await _transition(row, "RETURNED", principal, reason, {
            DealRegistration.reason: reason, DealRegistration.review_due_at: None,
            DealRegistration.decision_due_at: None,
            DealRegistration.reply_due_at: at + timedelta(days=RETURN_REPLY_DAYS)}, at)


@dataclass(frozen=True)
class Resubmission:
    notes: str | None = None
    seats: int | None = None
    estimated_amount: float | None = None
    expected_close_date: date | None = None


async def resubmit(principal: Principal, registration_id: int, changes: Resubmission,
                   expected_version: int | None = None) -> dict:
    """RETURNED → SUBMITTED with the information asked for; the P4 clocks restart."""
    if changes.seats is not None and changes.seats < 1:
        raise DomainError.single("SEATS_REQUIRED", "Seats must be at least 1.", "seats", rule="O10")
    if changes.estimated_amount is not None and changes.estimated_amount < 0:
        raise DomainError.single("NEGATIVE_AMOUNT", "Amounts cannot be negative.", "estimatedAmount")
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, registration_id, expected_version)
        _require_registrant_side(principal, row)
        at = now()
        review_due, decision_due = review_targets(at)
        values: dict[Any, Any] = {DealRegistration.last_submitted_at: at, DealRegistration.review_due_at: review_due,
                                  DealRegistration.decision_due_at: decision_due, DealRegistration.reason: "",
                                  DealRegistration.reply_due_at: None}
        for column, value in ((DealRegistration.notes, changes.notes), (DealRegistration.seats, changes.seats),
                              (DealRegistration.estimated_amount, changes.estimated_amount),
                              (DealRegistration.expected_close_date, changes.expected_close_date)):
            if value is not None:
                values[column] = value.strip() if isinstance(value, str) else value
        return await _transition(row, "RESUBMITTED", principal, changes.notes or "", values, at)


async def withdraw(principal: Principal, registration_id: int, note: str = "",
                   expected_version: int | None = None) -> dict:
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, registration_id, expected_version)
        _require_registrant_side(principal, row)
        return await _transition(row, "WITHDRAWN", principal, note, _closed_values())


def _closed_values() -> dict:
    return {DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
            DealRegistration.held_by: None, DealRegistration.reply_due_at: None}


async def deny(principal: Principal, registration_id: int, reason: str, expected_version: int | None = None) -> dict:
    reason = _required_text(reason, "reason", "P4", "Denying a registration")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        _require_reviewer(principal, row)
        at = now()
        return await _transition(row, "DENIED", principal, reason, {
            **_closed_values(), DealRegistration.reason: reason, DealRegistration.decided_by: principal.user_id,
            DealRegistration.decided_at: at}, at)


# ---------------------------------------------------------------- approval and conversion (P5, R2, R8)


def _already_approved() -> DomainError:
    return DomainError.single("OPPORTUNITY_ALREADY_REGISTERED",
                              "Another registration is already approved for this opportunity; "
                              "only one partner sourced it.", "id", rule="P5")


async def _assign_ae(ae_id: int | None, opportunity: dict | None) -> int:
    if ae_id is None:
        if opportunity is None:
            raise DomainError.single("ACCOUNT_EXECUTIVE_REQUIRED",
                                     "Assign the account executive who takes the new opportunity.",
                                     "accountExecutiveId", rule="D1")
        return opportunity["owner"]
    ae = await User.select(User.id, User.role, User.active).where(User.id == ae_id).first()
    if ae is None or not ae["active"]:
        raise NotFound.of("User", "accountExecutiveId")
    if ae["role"] != Role.ACCOUNT_EXECUTIVE.value:
        raise DomainError.single("NOT_AN_ACCOUNT_EXECUTIVE", "Assign a user with the ACCOUNT_EXECUTIVE role.",
                                 "accountExecutiveId", rule="D1")
    return ae_id


async def put_registrant_on_team(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                                 partner_id: int, at: datetime) -> None:
    """R8: the registrant joins the team as DEAL_REGISTRANT; any explicit primary choice
    gives way, the precedence hook picks the primary (the registrant, with the built-in),
    the name follows it (R2) and the reseller rules check the result (R1–R7)."""
    existing = await OpportunityPartner.select(OpportunityPartner.id).where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)).first()
    if existing:
        await OpportunityPartner.update({OpportunityPartner.role: OpportunityPartnerRole.DEAL_REGISTRANT.value}).where(
            OpportunityPartner.id == existing["id"])
    else:
        await OpportunityPartner(opportunity=opportunity_id, partner=partner_id,
                                 role=OpportunityPartnerRole.DEAL_REGISTRANT.value, created_at=at).save()
    await opportunity_team.clear_choices(opportunity_id)
    await opportunity_team.settle(principal, rules, opportunity_id, "approveDealRegistration",
                                  align_name_from=await _former_registrant_prefixes(opportunity_id, partner_id))


async def _former_registrant_prefixes(opportunity_id: int, partner_id: int) -> list[str]:
    """R2 prefixes of the other partners registered on this opportunity: a reconsidered
    registration taking the deal over (P5) puts its nickname in place of theirs."""
    rows = await DealRegistration.select(DealRegistration.partner.name.as_alias("name"),
                                         DealRegistration.partner.nickname.as_alias("nickname")).where(
        (DealRegistration.opportunity == opportunity_id) & (DealRegistration.partner != partner_id))
    return list(dict.fromkeys(f"{r['nickname'] or r['name']} - " for r in rows))


async def remove_registrant_from_team(principal: Principal | None, rules: reseller.RuleSet, opportunity_id: int,
                                      partner_id: int, operation: str = "dissolveDealRegistration",
                                      validate: bool = True) -> None:
    """P5 dissolution, P6 expiry and closing: the partner's registrant place on the team goes
    (so, R9, the partner no longer sees the deal); the precedence picks the next primary and
    the name follows it (R2, R8)."""
    partner = await Partner.select(Partner.name, Partner.nickname).where(Partner.id == partner_id).first()
    await OpportunityPartner.delete().where(
        (OpportunityPartner.opportunity == opportunity_id) & (OpportunityPartner.partner == partner_id)
        & (OpportunityPartner.role == OpportunityPartnerRole.DEAL_REGISTRANT.value))
    former = [f"{partner['nickname'] or partner['name']} - "] if partner else []
    await opportunity_team.settle(principal, rules, opportunity_id, operation, align_name_from=former,
                                  validate=validate)


async def _conflicting_ids(registration_ids: list[int], other_statuses: Iterable[Status]) -> dict[int, list[int]]:
    """D2: for each registration, the other registrations of the same end customer with an
    overlapping product whose status is one of `other_statuses`, in submission order."""
    if not registration_ids:
        return {}
    rows = await DealRegistration.raw(conflicts_sql(len(registration_ids), other_statuses), *registration_ids)
    out: dict[int, list[int]] = {}
    for row in rows:
        out.setdefault(row["id"], []).append(row["other"])
    return out


def _status_list(statuses: Iterable[Status]) -> str:
    return ", ".join(f"'{s.value}'" for s in statuses)  # enum values: safe literals


def conflicts_sql(key_count: int, other_statuses: Iterable[Status] = CONFLICTS_WITH) -> str:
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


async def approve(principal: Principal, rules: reseller.RuleSet, registration_id: int, ae_id: int | None = None,
                  note: str = "", expected_version: int | None = None) -> dict:
    """P4 decision: link the opportunity (or create one per R2/O10 for the assigned AE),
    put the registrant on it as primary DEAL_REGISTRANT (R8), start the 90 days (P6), and
    hold the other pending registrations of the same scope (P5)."""
    try:
        async with transaction():
            row = await get_visible(principal, registration_id)
            await _claim_customer(row)
            row = await open_for_write(principal, registration_id, expected_version)  # as it is now we hold it
            _require_reviewer(principal, row)
            if row["status"] == Status.ON_HOLD.value:
                raise _already_approved()
            violation = transition_violation(Status(row["status"]), "APPROVED")
            if violation:
                raise DomainError([violation])
            services = row["registration_type"] == RegType.SERVICES_ATTACH.value
            at = now()
            opportunity = None
            if row["opportunity"] is not None:
                opportunity = await Opportunity.select(Opportunity.id, Opportunity.owner).where(
                    Opportunity.id == row["opportunity"]).first()
                if not services and await DealRegistration.exists().where(
                    (DealRegistration.opportunity == row["opportunity"])
                    & (DealRegistration.status == Status.APPROVED.value)
                    & (DealRegistration.registration_type != RegType.SERVICES_ATTACH.value)
                ):
                    raise _already_approved()
            ae_id = await _assign_ae(ae_id, opportunity)
            opportunity_id = row["opportunity"]
            if opportunity_id is None:
                opportunity_id = await _convert(principal, rules, row, ae_id, at)
            updated = await _transition(row, "APPROVED", principal, note, {
                DealRegistration.opportunity: opportunity_id, DealRegistration.assigned_ae: ae_id,
                DealRegistration.decided_by: principal.user_id, DealRegistration.decided_at: at,
                DealRegistration.approved_at: at, DealRegistration.expires_at: at + timedelta(days=APPROVAL_DAYS),
                DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
                DealRegistration.reason: "",
            }, at)
            if not services:
                await put_registrant_on_team(principal, rules, opportunity_id, row["partner"], at)
                await _adjust_counters({row["partner"]: 1})
                await _hold_conflicting(principal, updated, at)
            return updated
    except Exception as exc:
        if is_unique_violation(exc):
            raise _already_approved() from exc
        raise


async def _convert(principal: Principal, rules: reseller.RuleSet, row: dict, ae_id: int, at: datetime) -> int:
    """A new opportunity on the end customer's account (R1), named per R2 + O10, owned by the AE."""
    account = await Account.select(Account.name).where(Account.id == row["account"]).first()
    partner = await Partner.select(Partner.nickname).where(Partner.id == row["partner"]).first()
    name = registered_opportunity_name(partner["nickname"], account["name"], row["seats"], row["edition"],
                                       row["expected_close_date"] or at.date())
    opp = await insert_opportunity(
        principal, rules, account_id=row["account"], opp_type=OpportunityType.NEW_BUSINESS, name=name,
        amount=row["estimated_amount"], close_date=row["expected_close_date"], owner_id=ae_id)
    return opp["id"]


async def _hold_conflicting(principal: Principal, approved: dict, at: datetime) -> None:
    """P5: the other pending registrations of the same scope wait ON_HOLD behind this one."""
    others = (await _conflicting_ids([approved["id"]], PENDING)).get(approved["id"], [])
    same_opportunity = [r["id"] for r in await DealRegistration.select(DealRegistration.id).where(
        (DealRegistration.opportunity == approved["opportunity"]) & (DealRegistration.id != approved["id"])
        & DealRegistration.status.is_in([s.value for s in PENDING])
        & (DealRegistration.registration_type != RegType.SERVICES_ATTACH.value))]
    ids = list(dict.fromkeys([*others, *same_opportunity]))
    if not ids:
        return
    rows = await DealRegistration.select().where(DealRegistration.id.is_in(ids)).order_by(
        DealRegistration.submitted_at).order_by(DealRegistration.id)
    for other in rows:
        updated = await DealRegistration.update({
            DealRegistration.status: Status.ON_HOLD.value, DealRegistration.held_by: approved["id"],
            DealRegistration.review_due_at: None, DealRegistration.decision_due_at: None,
            **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == other["id"]) & (DealRegistration.status == other["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            # The note is shown to the held registration's partner: never the other's id (R9).
            await _record(updated[0], "ON_HOLD", other["status"], principal, HELD_NOTE, at)


async def _adjust_counters(deltas: dict[int, int]) -> None:
    """`Partner.approved_registrations` counts the partner's registrations APPROVED now."""
    for partner_id, delta in deltas.items():
        if delta:
            await Partner.update({Partner.approved_registrations: Partner.approved_registrations + delta}).where(
                Partner.id == partner_id)


async def dissolve(principal: Principal, rules: reseller.RuleSet, registration_id: int, reason: str,
                   expected_version: int | None = None) -> dict:
    """P5: the approved engagement ends; the registrations it held are reconsidered in
    order of submission (back to PENDING_MANAGER_REVIEW, with fresh P4 targets)."""
    reason = _required_text(reason, "reason", "P5", "Dissolving a registration")
    async with transaction():
        row = await get_visible(principal, registration_id)
        await _claim_customer(row)
        row = await open_for_write(principal, registration_id, expected_version)
        _require_reviewer(principal, row)
        at = now()
        updated = await _transition(row, "DISSOLVED", principal, reason, {
            DealRegistration.reason: reason, DealRegistration.expires_at: None}, at)
        if row["registration_type"] != RegType.SERVICES_ATTACH.value:
            await remove_registrant_from_team(principal, rules, row["opportunity"], row["partner"])
            await _adjust_counters({row["partner"]: -1})
        await _release_held(principal, updated, at)
        return updated


async def _release_held(principal: Principal | None, approved: dict, at: datetime) -> None:
    """P5: the registrations `approved` held are reconsidered in submission order. They are
    for the same deal, so those without an opportunity take over the one `approved` had
    (while it is open): approving one then renames that opportunity (R2, O10) and makes its
    partner the primary registrant (R8) instead of creating a second opportunity."""
    held = await DealRegistration.select().where(
        (DealRegistration.held_by == approved["id"]) & (DealRegistration.status == Status.ON_HOLD.value)
    ).order_by(DealRegistration.submitted_at).order_by(DealRegistration.id)
    deal = None
    if approved["opportunity"] is not None and held:
        stage = await Opportunity.select(Opportunity.stage).where(Opportunity.id == approved["opportunity"]).first()
        if stage and OpportunityStage(stage["stage"]) not in CLOSED_STAGES:
            deal = approved["opportunity"]
    for position, other in enumerate(held):
        # Fresh P4 targets, staggered by a second so the review queue keeps submission order.
        review_due, decision_due = review_targets(at + timedelta(seconds=position))
        takes_over = {DealRegistration.opportunity: deal} if other["opportunity"] is None and deal else {}
        updated = await DealRegistration.update({
            DealRegistration.status: Status.PENDING_MANAGER_REVIEW.value, DealRegistration.held_by: None,
            DealRegistration.review_due_at: decision_due, DealRegistration.decision_due_at: decision_due,
            **takes_over, **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == other["id"]) & (DealRegistration.status == Status.ON_HOLD.value)).returning(
            *DealRegistration.all_columns())
        if updated:
            await _record(updated[0], "REOPENED", Status.ON_HOLD.value, principal, REOPENED_NOTE, at)


# ---------------------------------------------------------------- expiry and closing (P6)


async def extend(principal: Principal, registration_id: int, days: int = EXTENSION_DAYS, note: str = "",
                 expected_version: int | None = None) -> dict:
    """P6: a channel manager extends once by up to 30 days; longer (or again) needs an admin."""
    require_roles(principal, *REVIEWERS)
    if days < 1 or days > MAX_ADMIN_EXTENSION_DAYS:
        raise DomainError.single("INVALID_EXTENSION", f"Extend by 1 to {MAX_ADMIN_EXTENSION_DAYS} days.", "days",
                                 rule="P6")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        _require_reviewer(principal, row)
        violation = transition_violation(Status(row["status"]), "EXTENDED")
        if violation:
            raise DomainError([violation])
        if not principal.is_admin:
            if row["extension_count"] >= 1:
                raise DomainError.single("EXTENSION_USED", "A channel manager extends a registration once; "
                                         "ask an admin.", "id", rule="P6")
            if days > EXTENSION_DAYS:
                raise DomainError.single("EXTENSION_TOO_LONG", f"A channel manager extends by at most "
                                         f"{EXTENSION_DAYS} days; longer needs an admin.", "days", rule="P6")
        return await _transition(row, "EXTENDED", principal, note or f"+{days} days", {
            DealRegistration.expires_at: row["expires_at"] + timedelta(days=days),
            DealRegistration.extension_count: row["extension_count"] + 1})


async def _end_approved(rows: list[dict], event: str, principal: Principal | None, note: str, at: datetime,
                        rules: reseller.RuleSet, validate: bool) -> None:
    """History, events and counters for registrations that just left APPROVED (or any live
    status). An engagement that ends by expiry or closing loses its DEAL_REGISTRANT place as
    by dissolution (P5, P6), so the partner no longer sees the deal (R9); `validate=False`
    when the caller checks the opportunity itself (a stage move) or nobody could act on a
    refusal (the expiry job: a rule broken before must not stop every expiry)."""
    deltas: dict[int, int] = {}
    for previous, updated in rows:
        await _record(updated, event, previous, principal, note, at)
        if previous == Status.APPROVED.value and updated["registration_type"] != RegType.SERVICES_ATTACH.value:
            deltas[updated["partner"]] = deltas.get(updated["partner"], 0) - 1
            if updated["opportunity"] is not None:
                await remove_registrant_from_team(principal, rules, updated["opportunity"], updated["partner"],
                                                  f"registration {event.lower()}", validate=validate)
            await _release_held(principal, updated, at)
    await _adjust_counters(deltas)


async def expire_due(rules: reseller.RuleSet, at: datetime | None = None, limit: int = 500) -> int:
    """P6: approved registrations past `expires_at` become EXPIRED and leave the team (R9).
    One conditional UPDATE per batch decides which rows this caller expires, so any number
    of instances (the background job, `cosell registrations expire`) may run it at once: a
    row is expired, recorded and announced once. Returns how many were expired."""
    at = at or now()
    total = 0
    while True:
        async with transaction():
            due = await DealRegistration.select(DealRegistration.id).where(
                (DealRegistration.status == Status.APPROVED.value) & (DealRegistration.expires_at <= at)
            ).order_by(DealRegistration.expires_at).limit(limit)
            if not due:
                return total
            updated = await DealRegistration.update({
                DealRegistration.status: Status.EXPIRED.value, **versions.bumped(DealRegistration)}).where(
                DealRegistration.id.is_in([r["id"] for r in due]) & (DealRegistration.status == Status.APPROVED.value)
                & (DealRegistration.expires_at <= at)
            ).returning(*DealRegistration.all_columns())
            await _end_approved([(Status.APPROVED.value, row) for row in updated], "EXPIRED", None,
                                "90 days after approval (P6).", at, rules, validate=False)
            total += len(updated)
            if len(due) < limit:
                return total


RETURN_LEASE = timedelta(minutes=2)
UNANSWERED_NOTE = f"Not resubmitted within {RETURN_REPLY_DAYS} days of its return (P4)."


def unanswered_return(at: datetime):
    """RETURNED and past its `reply_due_at` (P4)."""
    return (DealRegistration.status == Status.RETURNED.value) & (DealRegistration.reply_due_at <= at)


async def close_unanswered_returns(*, worker: str, at: datetime | None = None, should_stop=lambda: False,
                                   batch: int = 100, lease_for: timedelta = RETURN_LEASE) -> int:
    """P4: RETURNED registrations past `reply_due_at` become CLOSED (event CLOSED). Each row is
    leased (`partners.infra.leasing`: SKIP LOCKED on PostgreSQL), then closed in one transaction by
    the holder of the lease only, and only if it is still unanswered (compare-and-set): a
    row is closed, recorded and announced once however many instances run. Returns how many
    this call closed."""
    at = at or now()
    closed = 0
    while not should_stop():
        lease, rows = await leasing.claim(DealRegistration, due=unanswered_return(at), worker=worker, limit=batch,
                                          lease_for=lease_for, order_by=[DealRegistration.reply_due_at], now=at)
        if not rows:
            return closed
        for index, row in enumerate(rows):
            if should_stop():
                await leasing.release(DealRegistration, [r["id"] for r in rows[index:]], lease)
                return closed
            async with transaction():
                if not await leasing.finish(DealRegistration, row["id"], lease, {}):
                    continue  # our lease expired and another worker took the row over
                updated = await DealRegistration.update({
                    DealRegistration.status: Status.CLOSED.value, **_closed_values(),
                    **versions.bumped(DealRegistration)}).where(
                    (DealRegistration.id == row["id"]) & unanswered_return(at)).returning(
                    *DealRegistration.all_columns())
                if updated:
                    await _record(updated[0], "CLOSED", Status.RETURNED.value, None, UNANSWERED_NOTE, at)
                    closed += 1
        if len(rows) < batch:
            return closed
    return closed


async def close_for_lost_opportunity(principal: Principal, rules: reseller.RuleSet, opportunity_id: int,
                                     at: datetime) -> None:
    """P6: an opportunity closed lost closes its live registrations (in the stage move's
    transaction, which validates the opportunity afterwards)."""
    live = await DealRegistration.select(DealRegistration.id, DealRegistration.status).where(
        (DealRegistration.opportunity == opportunity_id) & DealRegistration.status.is_in([s.value for s in LIVE]))
    closed = []
    for row in live:
        updated = await DealRegistration.update({
            DealRegistration.status: Status.CLOSED.value, **_closed_values(), **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            closed.append((row["status"], updated[0]))
    await _end_approved(closed, "CLOSED", principal, "The opportunity was closed lost (P6).", at, rules,
                        validate=False)


async def close_for_denied_partner(principal: Principal, rules: reseller.RuleSet, partner_id: int, reason: str,
                                   at: datetime) -> None:
    """P1: a partner denied from the program keeps no live registration (in the denial's
    transaction). An approved one is dissolved as P5 says (the registrant leaves the team,
    the registrations it held are reconsidered in order of submission); the others close (P6)."""
    live = await DealRegistration.select().where(
        (DealRegistration.partner == partner_id) & DealRegistration.status.is_in([s.value for s in LIVE])
    ).order_by(DealRegistration.id)
    note = f"The partner was denied (P1): {reason}"
    closed = []
    for row in live:
        if row["status"] == Status.APPROVED.value:
            await _claim_customer(row)
            row = await versions.claim(DealRegistration, row["id"], None, "deal registration")
            if row["status"] != Status.APPROVED.value:
                continue
            updated = await _transition(row, "DISSOLVED", principal, note, {
                DealRegistration.reason: note[:2000], DealRegistration.expires_at: None}, at)
            if row["registration_type"] != RegType.SERVICES_ATTACH.value:
                # Not validated: the denial must not wait on the deal's other rules (as a lost deal's closing).
                await remove_registrant_from_team(principal, rules, row["opportunity"], row["partner"], "denyPartner",
                                                  validate=False)
                await _adjust_counters({row["partner"]: -1})
            await _release_held(principal, updated, at)
            continue
        updated = await DealRegistration.update({
            DealRegistration.status: Status.CLOSED.value, **_closed_values(), **versions.bumped(DealRegistration),
        }).where((DealRegistration.id == row["id"]) & (DealRegistration.status == row["status"])).returning(
            *DealRegistration.all_columns())
        if updated:
            closed.append((row["status"], updated[0]))
    await _end_approved(closed, "CLOSED", principal, note, at, rules, validate=False)
