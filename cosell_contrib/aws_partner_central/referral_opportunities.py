"""AWS referrals that become opportunities (issue 39, REFERRALS_AS=opportunity; the default
`lead` is referrals.py). The import keeps the invitation's customer and project
(`details_of`, the invitation row's `details`); accepting it in cosell makes, in the one
transaction that also enqueues AWS's answer, with cosell's own services:

- the end customer's account (R1): the account D1's matching finds (same website domain,
  else the same normalised name), else a new PROSPECT account (A5) in REFERRAL_REGION with
  the invitation's country (its currency from it) and website; A6 screening starts PENDING,
  A9 unranked; or the account the caller names;
- the opportunity (O2: at 0-Pending Acceptance; O8: new business; O10: "<company>- <project
  title>"), its amount the expected monthly AWS spend x 12, in its currency, its close date
  the project's target completion date, owned by the caller's choice, else the account's
  owner, else the caller (O9 follows the owner);
- AWS (the CLOUD_ALLIANCE partner AWS_PARTNER) on its team as INFLUENCER (R5; it sourced the
  deal, but DEAL_REGISTRANT is only an approved registration's, P5), and a co-sell plan with
  AWS (D3) whose goals are the customer's business problem and whose motion is D8's for the
  account: services and support (co-selling with cloud providers) on rank 1-2 accounts.

The account and the team are written by cosell's account and opportunity managers, so
accepting as an opportunity is for sales ops and admins (channel managers answer lead
referrals). Rejecting creates nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

from partners.accounts.enums import AccountType, Ranking
from partners.accounts.service import create_account, require_staff_user
from partners.accounts.tables import Account
from partners.infra.clock import now
from partners.infra.errors import DomainError, NotFound, Violation
from partners.money.given import GivenAmount
from partners.opportunities.enums import OpportunityPartnerRole, OpportunityType
from partners.opportunities.reseller import RuleSet
from partners.opportunities.service import insert_opportunity
from partners.opportunities.team import add_partner
from partners.people.enums import PartnerType, Region, Role
from partners.people.principal import Principal
from partners.people.tables import Partner
from partners.plans.enums import CoSellMotion
from partners.plans.rules import d8_motions
from partners.plans.service import create_plan
from partners.registrations.rules import customer_account_violation, match_account, normalize_company_name, \
    normalize_domain
from cosell_contrib.aws_partner_central import plugin_settings

ACCEPTERS = (Role.ADMIN, Role.SALES_OPS)


def details_of(invitation: dict) -> dict:
    """What the opportunity is made of, from GetEngagementInvitation (kept as JSON)."""
    payload = invitation.get("Payload") or {}
    body = payload.get("OpportunityInvitation") or payload.get("LeadInvitation") or {}
    customer, project = body.get("Customer") or {}, body.get("Project") or {}
    spend = next((line for line in project.get("ExpectedCustomerSpend") or [] if line.get("Amount")), None)
    return {
        "company": (customer.get("CompanyName") or invitation.get("EngagementTitle") or invitation["Id"])[:255],
        "website": (customer.get("WebsiteUrl") or "")[:255], "country": (customer.get("CountryCode") or "US")[:2],
        "industry": customer.get("Industry") or "", "title": project.get("Title") or "",
        "problem": project.get("BusinessProblem") or "", "target_date": project.get("TargetCompletionDate") or "",
        "monthly_spend": spend.get("Amount") if spend else None,
        "currency": (spend.get("CurrencyCode") if spend else None) or "USD",
    }


def yearly_amount(details: dict) -> Decimal | None:
    """ACE's expected spend is monthly (Frequency: Monthly); our amount is yearly."""
    try:
        return Decimal(str(details["monthly_spend"])) * 12 if details.get("monthly_spend") else None
    except InvalidOperation:
        return None


def close_date(details: dict) -> date | None:
    try:
        return date.fromisoformat(details["target_date"][:10]) if details.get("target_date") else None
    except ValueError:
        return None


def opportunity_name(details: dict) -> str:
    """O10's "<account>- <what>", the what being the project's title."""
    return f"{details['company']}- {details['title'] or 'AWS referral'}"[:255]


def _contains(column, text: str):
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    return column.ilike(pattern) if column._meta.engine_type in ("postgres", "cockroach") else column.like(pattern)


async def _find_or_create_account(principal: Principal, details: dict) -> dict:
    domain, key = normalize_domain(details["website"]), normalize_company_name(details["company"])
    condition = None
    if domain:
        condition = _contains(Account.website, domain)
    if key:
        by_name = _contains(Account.name, key.split()[0])
        condition = by_name if condition is None else condition | by_name
    candidates = [] if condition is None else await Account.select(
        Account.id, Account.name, Account.website, Account.account_type, Account.partner).where(condition)
    found = match_account(details["company"], details["website"], candidates)
    if found is not None:
        return found
    return await create_account(principal, fields={
        "name": details["company"], "website": details["website"], "account_type": AccountType.PROSPECT,
        "region": Region(plugin_settings["referral_region"]), "country": details["country"].upper()})


async def _account(principal: Principal, details: dict, account_id: int | None) -> dict:
    if account_id is None:
        found = await _find_or_create_account(principal, details)
    else:
        found = await Account.select(Account.id, Account.account_type, Account.partner).where(
            Account.id == account_id).first()
        if found is None:
            raise NotFound.of("Account", "accountId")
    if violation := customer_account_violation(found, ("accountId",)):
        raise DomainError([violation])
    return await Account.select(Account.id, Account.owner, Account.ranking).where(Account.id == found["id"]).first()


async def aws_partner_id() -> int:
    partner = await Partner.select(Partner.id).where(
        (Partner.partner_type == PartnerType.CLOUD_ALLIANCE.value)
        & (Partner.nickname == plugin_settings["aws_partner"])).first()
    if partner is None:
        raise DomainError([Violation("NO_AWS_PARTNER", f"No CLOUD_ALLIANCE partner is nicknamed "
                                     f"{plugin_settings['aws_partner']} (AWS_PARTNER): AWS cannot join the team.",
                                     ("invitationId",), "D8")])
    return partner["id"]


async def accept_as_opportunity(principal: Principal, rules: RuleSet, invitation: dict, *,
                                owner_id: int | None = None, account_id: int | None = None) -> int:
    """The referral's opportunity (see the module docstring), in the caller's transaction."""
    if principal.role not in ACCEPTERS:
        raise DomainError([Violation("NOT_ALLOWED_TO_ACCEPT", "Accepting an AWS referral as an opportunity "
                                     "creates its account and team: sales ops or an admin.", ("invitationId",),
                                     "D8")])
    details = json.loads(invitation["details"] or "{}") or {"company": invitation["engagement_title"],
                                                            "website": "", "country": "US", "title": ""}
    aws = await aws_partner_id()
    account = await _account(principal, details, account_id)
    if owner_id is not None:
        await require_staff_user(owner_id, "ownerId")
    amount = yearly_amount(details)
    currency = details.get("currency") or "USD"
    opportunity = await insert_opportunity(
        principal, rules, account_id=account["id"], opp_type=OpportunityType.NEW_BUSINESS,
        name=opportunity_name(details), currency=currency,
        amount=GivenAmount(amount, currency, ("invitationId",)) if amount is not None else None,
        close_date=close_date(details), owner_id=owner_id or account["owner"] or principal.user_id)
    await add_partner(principal, rules, opportunity["id"], aws, OpportunityPartnerRole.INFLUENCER)
    ranking = Ranking(account["ranking"]) if account["ranking"] else None
    motion = CoSellMotion.SERVICES_AND_SUPPORT if CoSellMotion.SERVICES_AND_SUPPORT in d8_motions(ranking)[1] \
        else None
    await create_plan(principal, opportunity_id=opportunity["id"], partner_id=aws, kickoff_date=now().date(),
                      goals=(details.get("problem") or "")[:2000], motion=motion)
    return opportunity["id"]
