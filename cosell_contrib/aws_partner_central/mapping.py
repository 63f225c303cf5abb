"""Our opportunity -> an ACE opportunity (CreateOpportunity / UpdateOpportunity), field by
field (docs/aws-partner-central.md, "Field mapping"). Pure functions of plain rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# O1 stages -> ACE LifeCycle.Stage.
STAGES = {
    "00-Pre Opportunity": "Prospect",
    "0-Pending Acceptance": "Prospect",
    "1-Discovery": "Prospect",
    "2-Scoping": "Qualified",
    "3-Technical Evaluation": "Technical Validation",
    "4-Proposal": "Business Validation",
    "5-Negotiating": "Business Validation",
    "6-Awaiting Signature": "Committed",
    "7-Closed Won": "Launched",
    "8-Closed Lost": "Closed Lost",
    "9-Unqualified": "Closed Lost",
    "10-Duplicate": "Closed Lost",
}
# O8 opportunity types -> ACE OpportunityType.
TYPES = {
    "NEW_BUSINESS": "Net New Business",
    "PROFESSIONAL_SERVICES": "Net New Business",
    "ADD_ON": "Expansion",
    "UPSIDE_IACV": "Expansion",
    "RENEWAL": "Flat Renewal",
}
# D8: what the services-and-support motion asks of the cloud provider.
PRIMARY_NEEDS = ["Co-Sell - Architectural Validation", "Co-Sell - Deal Support"]
DELIVERY_MODELS = ["SaaS or PaaS"]
CENTS = Decimal("0.01")


def client_token(opportunity: dict) -> str:
    """Stable for one opportunity, different for every other (and after a database reset,
    whose ids repeat: the creation time is part of it). ACE answers a retried
    CreateOpportunity with this token with the opportunity it already created."""
    created = opportunity["created_at"]
    stamp = created.strftime("%Y%m%dT%H%M%S%f") if isinstance(created, datetime) else str(created)
    return f"cosell-opportunity-{opportunity['id']}-{stamp}"


def monthly_spend(amount: Any) -> str | None:
    """Our amount is a yearly figure; ACE asks for the expected monthly AWS spend."""
    if amount is None:
        return None
    return str((Decimal(str(amount)) / 12).quantize(CENTS, rounding=ROUND_HALF_UP))


def _iso(day: Any) -> str | None:
    if day is None:
        return None
    return day.isoformat() if isinstance(day, (date, datetime)) else str(day)[:10]


def lifecycle(opportunity: dict) -> dict:
    life = {"Stage": STAGES[opportunity["stage"]]}
    if (close := _iso(opportunity.get("close_date"))) is not None:
        life["TargetCloseDate"] = close
    if life["Stage"] == "Closed Lost":
        lost_to_competitor = opportunity["stage"] == "8-Closed Lost" and opportunity.get("competitor")
        life["ClosedLostReason"] = "Lost to Competitor - Other" if lost_to_competitor else "No Opportunity"
    return life


def project(opportunity: dict, plan: dict) -> dict:
    out = {
        "Title": opportunity["name"][:255],
        "DeliveryModels": DELIVERY_MODELS,
        "CustomerBusinessProblem": (plan.get("goals") or opportunity["name"])[:2000],
    }
    spend = monthly_spend(opportunity.get("amount"))
    if spend is not None:
        out["ExpectedCustomerSpend"] = [{"Amount": spend, "CurrencyCode": opportunity.get("currency") or "USD",
                                         "Frequency": "Monthly", "TargetCompany": "AWS"}]
    return out


def create_request(opportunity: dict, account: dict, plan: dict) -> dict:
    """CreateOpportunity's parameters (without Catalog, which the client adds)."""
    company = {"CompanyName": account["name"][:120], "Address": {"CountryCode": account.get("country") or "US"}}
    if account.get("website"):
        website = account["website"]
        company["WebsiteUrl"] = website if website.startswith("http") else f"https://{website}"
    return {
        "ClientToken": client_token(opportunity),
        "PartnerOpportunityIdentifier": str(opportunity["id"]),
        "Origin": "Partner Referral",
        "OpportunityType": TYPES[opportunity["opportunity_type"]],
        "PrimaryNeedsFromAws": PRIMARY_NEEDS,
        "NationalSecurity": "No",
        "Customer": {"Account": company},
        "Project": project(opportunity, plan),
        "LifeCycle": lifecycle(opportunity),
    }


def update_request(opportunity: dict, account: dict, plan: dict, ace_id: str, last_modified: str) -> dict:
    """UpdateOpportunity's parameters: the same fields, with ACE's concurrency check."""
    body = create_request(opportunity, account, plan)
    for key in ("ClientToken", "Origin"):
        body.pop(key)
    return {**body, "Identifier": ace_id, "LastModifiedDate": last_modified}
