"""Deal registrations: submitting (P1–P3) and the review steps before a decision to
approve (P4): register, advance_review, return_to_partner, resubmit, withdraw, deny.

A prospect is matched against the existing accounts (D1) before one is created; the end
customer is never a channel account (R1); P9 allows one services attach per closed-won
opportunity (also a partial unique index). Approval is in `approve`, expiry and closing
in `expire`; the shared writes (`open_for_write`, `transition`, `record`) in `records`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from partners.accounts.enums import AccountType
from partners.accounts.scoping import account_scope
from partners.accounts.tables import Account
from partners.infra.clock import now
from partners.infra.db import is_unique_violation, transaction
from partners.infra.errors import DomainError, NotFound, require_roles
from partners.infra.prepared import PreparedQuery, PreparedStatement
from partners.money.currencies import currency_of_country
from partners.money.given import check_amounts
from partners.opportunities.enums import OpportunityStage
from partners.opportunities.rules import CLOSED_STAGES
from partners.opportunities.scoping import opportunity_scope
from partners.opportunities.tables import Opportunity
from partners.people.enums import PartnerStatus, PartnerType
from partners.people.principal import Principal
from partners.people.scoping import scoped
from partners.people.standing import denied_error, refuse_if_partner_denied
from partners.people.tables import Partner
from partners.program.eligibility import partner_violations
from partners.registrations.enums import DealRegistrationStatus as Status, DealRegistrationType as RegType
from partners.registrations.records import (
    closed_values,
    open_for_write,
    record,
    require_registrant_side,
    require_reviewer,
    required_text,
    transition,
)
from partners.registrations.rules import (
    ADVANCE,
    ALLIANCE_TYPES,
    LIVE,
    REGISTRANTS,
    RETURN_REPLY_DAYS,
    Prospect,
    Registration,
    Resubmission,
    customer_account_violation,
    input_violations,
    match_account,
    normalize_company_name,
    normalize_domain,
    normalize_products,
    review_targets,
)
from partners.registrations.tables import DealRegistration, DealRegistrationProduct

# ---------------------------------------------------------------- register (P1–P3)


def _substring_term(text: str) -> str:
    return text.replace("%", "").replace("_", "")


# The D1 prefilter, by shape (engine, columns, which terms an index serves), compiled once.
_PREFILTERS: dict[tuple, PreparedStatement] = {}


def _prefilter(engine_type: str, shape: tuple[tuple[str, bool], ...]) -> PreparedStatement:
    """Accounts whose website or name contains a term, in any case, in a form an index
    serves. PostgreSQL: ILIKE, served by pg_trgm's GIN indexes (migration 2026-11-23T18:10).
    SQLite: LIKE (case-insensitive there) on the FTS5 trigram table `account_match`
    (migration 2026-12-07T20:30) for terms of three characters or more, the same rows as a
    LIKE on `account`; a shorter term has no trigram, so its LIKE reads the accounts."""
    statement = _PREFILTERS.get((engine_type, shape))
    if statement is None:
        if engine_type == "postgres":
            conditions = [f'"{column}" ILIKE {{}}' for column, _ in shape]
        else:
            indexed = [f"SELECT rowid FROM account_match WHERE {column} LIKE {{}}" for column, fts in shape if fts]
            conditions = [f"id IN ({' UNION '.join(indexed)})"] if indexed else []
            conditions += [f'"{column}" LIKE {{}}' for column, fts in shape if not fts]
        statement = _PREFILTERS[(engine_type, shape)] = PreparedStatement(
            'SELECT id, name, website, region, account_type, partner, currency FROM "account" WHERE '
            + " OR ".join(conditions), Account)
    return statement


async def _match_or_create_account(prospect: Prospect, at: datetime) -> tuple[dict, bool]:
    """D1: the existing account the prospect is (`match_account`, after a substring prefilter
    the trigram indexes serve, `_prefilter`), else a new PROSPECT account; (account, matched)."""
    domain, key = normalize_domain(prospect.website), normalize_company_name(prospect.name)
    terms = ([("website", _substring_term(domain))] if domain else []) + (
        [("name", _substring_term(key.split()[0]))] if key else [])
    candidates = []
    if terms:
        engine_type = Account._meta.db.engine_type
        shape = tuple((column, engine_type != "postgres" and len(term) >= 3) for column, term in terms)
        # Values in the statement's order: the indexed terms first (SQLite).
        ordered = sorted(zip(terms, shape), key=lambda pair: not pair[1][1])
        candidates = await _prefilter(engine_type, shape).run(*[f"%{term}%" for (_, term), _ in ordered])
    found = match_account(prospect.name, prospect.website, candidates)
    if found is not None:
        return found, True
    country = (prospect.country or "US").upper()[:2]
    account = Account(name=prospect.name.strip(), website=prospect.website.strip(),
                      account_type=AccountType.PROSPECT.value, region=prospect.region.value,
                      country=country, currency=currency_of_country(country, at.date()), created_at=at)
    await account.save()
    await Account.update({Account.ultimate_parent: account.id}).where(Account.id == account.id)
    return {"id": account.id, "name": account.name, "website": account.website, "region": account.region,
            "account_type": account.account_type, "partner": None, "currency": account.currency}, False


_PARTNER = PreparedQuery(lambda who, partner_id: Partner.select().where(Partner.id == partner_id))


async def _partner(partner_id: int) -> dict | None:
    rows = await _PARTNER.run(None, partner_id)
    return rows[0] if rows else None


async def _registering_partner(principal: Principal, reg: Registration) -> dict:
    """The partner registering: a partner user's own, or the alliance partner a channel
    manager registers for (D1); eligible to register (P1, P2). A partner user's own row
    is read once: it answers P1's PARTNER_DENIED first (`refuse_if_partner_denied`'s
    check and order, partners/people/standing.py) and is the registrant."""
    if principal.is_partner_user:
        partner = await _partner(principal.partner_id)
        if partner is not None and partner["status"] == PartnerStatus.DENIED.value:
            raise denied_error("partnerId")
        if reg.partner_id is not None and reg.partner_id != principal.partner_id:
            raise NotFound.of("Partner", "partnerId")
    else:
        if reg.partner_id is None:
            raise DomainError.single("PARTNER_REQUIRED", "Name the alliance partner you register for.", "partnerId",
                                     rule="D1")
        partner = await _partner(reg.partner_id)
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
    """R1: the end customer of a registration that names only its opportunity."""
    opp = await scoped(Opportunity.select(Opportunity.account.id.as_alias("id"),
                                          Opportunity.account.region.as_alias("region"),
                                          Opportunity.account.account_type.as_alias("account_type"),
                                          Opportunity.account.partner.as_alias("partner"),
                                          Opportunity.account.currency.as_alias("currency")),
                       opportunity_scope(principal)).where(Opportunity.id == opportunity_id).first()
    if opp is None:
        raise NotFound.of("Opportunity", "opportunityId")
    return opp


async def _check_opportunity(principal: Principal, reg: Registration, account_id: int) -> str:
    """P3: one opportunity of the end customer; P9: services attach on a closed-won one, first
    come first served. Returns the opportunity's currency."""
    opp = await scoped(Opportunity.select(Opportunity.id, Opportunity.account, Opportunity.stage, Opportunity.currency),
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
    return opp["currency"]


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
            at = now()
            partner = await _registering_partner(principal, reg)  # P1 first: a DENIED partner's users do not act
            matched = False
            if reg.account_id is not None:
                account = await scoped(Account.select(Account.id, Account.region, Account.account_type,
                                                      Account.partner, Account.currency),
                                       account_scope(principal)).where(
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
            currency = account["currency"]
            if reg.opportunity_id is not None:
                currency = await _check_opportunity(principal, reg, account["id"])
            given = reg.estimated_amount.currency if reg.estimated_amount and reg.estimated_amount.exact else None
            currency = reg.currency or given or currency
            (estimate,) = check_amounts([reg.estimated_amount], currency)
            review_due, decision_due = review_targets(at)
            row = DealRegistration(
                partner=partner["id"], registered_by=principal.user_id, registration_type=reg.registration_type.value,
                status=Status.SUBMITTED.value, account=account["id"], customer_matched=matched,
                region=account["region"], opportunity=reg.opportunity_id, edition=reg.edition.strip(),
                seats=reg.seats, currency=currency,
                estimated_amount=estimate,
                expected_close_date=reg.expected_close_date,
                notes=reg.notes.strip(), submitted_at=at, last_submitted_at=at, review_due_at=review_due,
                decision_due_at=decision_due, created_at=at,
                prospect_name=reg.prospect.name.strip() if reg.prospect else "",
                prospect_region=reg.prospect.region.value if reg.prospect else None,
            )
            # The row as stored, from the INSERT itself; the products as inserted (in order).
            (saved,) = await DealRegistration.insert(row).returning(*DealRegistration.all_columns())
            products = normalize_products(reg.products)
            await DealRegistrationProduct.insert(*[
                DealRegistrationProduct(registration=saved["id"], product=p) for p in products])
            await record(saved, "SUBMITTED", None, principal, "", at, products)
            return saved
    except Exception as exc:
        if is_unique_violation(exc):
            raise _services_attach_taken() from exc
        raise


# ---------------------------------------------------------------- review (P4)


async def advance_review(principal: Principal, registration_id: int, note: str = "",
                         expected_version: int | None = None) -> dict:
    """P4: SUBMITTED → PENDING_SALES_REVIEW (the first review) → PENDING_MANAGER_REVIEW."""
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        require_reviewer(principal, row)
        event = ADVANCE.get(Status(row["status"]), "PENDING_SALES_REVIEW")
        changes = {DealRegistration.review_due_at: row["decision_due_at"]}
        return await transition(row, event, principal, note, changes)


async def return_to_partner(principal: Principal, registration_id: int, reason: str,
                            expected_version: int | None = None) -> dict:
    """P4: back to the partner for more information, who has RETURN_REPLY_DAYS to resubmit."""
    reason = required_text(reason, "reason", "P4", "Returning a registration")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        require_reviewer(principal, row)
        at = now()
        return await transition(row, "RETURNED", principal, reason, {
            DealRegistration.reason: reason, DealRegistration.review_due_at: None,
            DealRegistration.decision_due_at: None,
            DealRegistration.reply_due_at: at + timedelta(days=RETURN_REPLY_DAYS)}, at)


async def resubmit(principal: Principal, registration_id: int, changes: Resubmission,
                   expected_version: int | None = None) -> dict:
    """RETURNED → SUBMITTED with the information asked for; the P4 clocks restart."""
    if changes.seats is not None and changes.seats < 1:
        raise DomainError.single("SEATS_REQUIRED", "Seats must be at least 1.", "seats", rule="O10")
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, registration_id, expected_version)
        require_registrant_side(principal, row)
        (estimate,) = check_amounts([changes.estimated_amount], row["currency"])
        at = now()
        review_due, decision_due = review_targets(at)
        values: dict[Any, Any] = {DealRegistration.last_submitted_at: at, DealRegistration.review_due_at: review_due,
                                  DealRegistration.decision_due_at: decision_due, DealRegistration.reason: "",
                                  DealRegistration.reply_due_at: None}
        for column, value in ((DealRegistration.notes, changes.notes), (DealRegistration.seats, changes.seats),
                              (DealRegistration.estimated_amount, estimate),
                              (DealRegistration.expected_close_date, changes.expected_close_date)):
            if value is not None:
                values[column] = value.strip() if isinstance(value, str) else value
        return await transition(row, "RESUBMITTED", principal, changes.notes or "", values, at)


async def withdraw(principal: Principal, registration_id: int, note: str = "",
                   expected_version: int | None = None) -> dict:
    """P4: the partner withdraws a pending or held registration."""
    async with transaction():
        await refuse_if_partner_denied(principal, "id")  # P1
        row = await open_for_write(principal, registration_id, expected_version)
        require_registrant_side(principal, row)
        return await transition(row, "WITHDRAWN", principal, note, closed_values())


async def deny(principal: Principal, registration_id: int, reason: str, expected_version: int | None = None) -> dict:
    """P4: the decision to deny (a returned registration too), with the reason."""
    reason = required_text(reason, "reason", "P4", "Denying a registration")
    async with transaction():
        row = await open_for_write(principal, registration_id, expected_version)
        require_reviewer(principal, row)
        at = now()
        return await transition(row, "DENIED", principal, reason, {
            **closed_values(), DealRegistration.reason: reason, DealRegistration.decided_by: principal.user_id,
            DealRegistration.decided_at: at}, at)
