"""`cosell import --from salesforce DIR`: a Salesforce data export (the CSV files of its
standard objects, as Data Loader or the weekly Data Export write them) as native rows.

| Salesforce file | native entity |
|---|---|
| `User.csv` | users (partner users by `UserType` PowerPartner/Partner and `AccountId`) |
| `Account.csv` | accounts; those with `IsPartner` true or a partner `Type` are also partners |
| `Contact.csv` | contacts |
| `Opportunity.csv` + `OpportunityContactRole.csv` + `OpportunityPartner.csv` (or `Partner.csv`) | opportunities with their contacts and team |

Records keep their Salesforce `Id` as external id (source `salesforce`). What Salesforce has
no standard object for (deal registrations, co-sell plans and tasks) may sit beside them as
native files (`registrations.csv` …) whose references are Salesforce ids.
docs/import-export.md lists every field mapped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

from babel import Locale

from partners.money.currencies import currency_of_country
from partners.transfer.base import json_cell
from partners.transfer.feeds import Feed, ImportRefused
from partners.transfer.reading import Rejection, Row, read_rows

MAPPED = ("partners", "users", "accounts", "contacts", "opportunities")

STAGES = {
    "prospecting": "00-Pre Opportunity", "qualification": "0-Pending Acceptance",
    "needs analysis": "1-Discovery", "value proposition": "2-Scoping", "id. decision makers": "2-Scoping",
    "perception analysis": "3-Technical Evaluation", "proposal/price quote": "4-Proposal",
    "negotiation/review": "5-Negotiating", "closed won": "7-Closed Won", "closed lost": "8-Closed Lost",
}
OPPORTUNITY_TYPES = {
    "new customer": "NEW_BUSINESS", "new business": "NEW_BUSINESS", "existing customer - upgrade": "ADD_ON",
    "existing customer - replacement": "RENEWAL", "existing customer - downgrade": "RENEWAL", "renewal": "RENEWAL",
    "add-on": "ADD_ON", "professional services": "PROFESSIONAL_SERVICES",
}
ACCOUNT_TYPES = {
    "prospect": "PROSPECT", "customer - direct": "CUSTOMER", "customer - channel": "CUSTOMER", "customer": "CUSTOMER",
    "former customer": "FORMER_CUSTOMER", "channel partner / reseller": "RESELLER", "reseller": "RESELLER",
    "installation partner": "INTEGRATOR", "integrator": "INTEGRATOR", "technology partner": "PROSPECTIVE_RESELLER",
}
PARTNER_TYPES = {
    "channel partner / reseller": "RESELLER", "reseller": "RESELLER", "distributor": "DISTRIBUTOR",
    "installation partner": "SYSTEM_INTEGRATOR", "integrator": "SYSTEM_INTEGRATOR", "technology partner": "OEM",
}
TEAM_ROLES = {
    "reseller": "RESELLER", "var/reseller": "RESELLER", "distributor": "DISTRIBUTOR", "fulfillment": "FULFILLER",
    "fulfiller": "FULFILLER", "deal registrant": "DEAL_REGISTRANT", "influencer": "INFLUENCER",
    "consultant": "INFLUENCER", "system integrator": "INFLUENCER", "supplier": "FULFILLER",
}
CONTACT_ROLES = {
    "decision maker": "DECISION_MAKER", "economic buyer": "ECONOMIC_BUYER", "economic decision maker": "ECONOMIC_BUYER",
    "technical buyer": "TECHNICAL_BUYER", "evaluator": "EVALUATOR", "influencer": "INFLUENCER",
}
AMER = {"US", "CA"}
LATAM = {"MX", "BR", "AR", "CL", "CO", "PE", "UY", "PY", "BO", "EC", "VE", "CR", "PA", "GT", "DO", "PR"}
APJ = {"JP", "CN", "IN", "AU", "NZ", "SG", "KR", "HK", "TW", "MY", "TH", "ID", "PH", "VN", "PK", "BD", "LK"}
_COUNTRY_NAMES: dict[str, str] = {}


def country_code(text: str) -> str:
    """An ISO code from a code or an English country name ("" when unknown: the row is refused)."""
    text = (text or "").strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    if not _COUNTRY_NAMES:
        _COUNTRY_NAMES.update({name.lower(): code for code, name in Locale("en").territories.items()
                               if len(code) == 2})
        _COUNTRY_NAMES.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    return _COUNTRY_NAMES.get(text.lower(), text)


def region_of(country: str) -> str:
    return "AMER" if country in AMER else "LATAM" if country in LATAM else "APJ" if country in APJ else "EMEA"


def _true(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1", "yes")


def _name(row: dict) -> str:
    return row.get("Name") or " ".join(v for v in (row.get("FirstName"), row.get("LastName")) if v)


def _file(directory: Path, *names: str) -> Path | None:
    by_lower = {p.name.lower(): p for p in directory.glob("*.csv")}
    return next((by_lower[n.lower()] for n in names if n.lower() in by_lower), None)


def _mapped(path: Path, convert: Callable[[dict], dict | None], *, rejections: bool = True
            ) -> Iterator[Row | Rejection]:
    for item in read_rows(path, str(path)):
        if isinstance(item, Rejection):
            if rejections:
                yield item
            continue
        native = convert(item.values)
        if native is not None:
            yield Row(item.line, native, item.position)


def _is_partner(row: dict) -> bool:
    return _true(row.get("IsPartner")) or (row.get("Type") or "").strip().lower() in PARTNER_TYPES


def partner_row(row: dict) -> dict | None:
    if not _is_partner(row):
        return None
    country = country_code(row.get("BillingCountryCode") or row.get("BillingCountry") or "")
    name = row.get("Name", "")
    return {"external_id": row.get("Id", ""), "name": name,
            "nickname": row.get("Nickname__c") or (name.split()[0] if name.split() else "")[:40],
            "partner_type": PARTNER_TYPES.get((row.get("Type") or "").strip().lower(), "RESELLER"),
            "status": "AUTHORIZED", "region": row.get("Region__c") or region_of(country), "country": country,
            "city": row.get("BillingCity", ""), "website": row.get("Website", ""),
            "created_at": row.get("CreatedDate", "")}


def account_row(row: dict) -> dict:
    country = country_code(row.get("BillingCountryCode") or row.get("BillingCountry") or "")
    kind = (row.get("Type") or "").strip().lower()
    addresses = []
    for prefix, source in (("Shipping", "SHIPPING"), ("Billing", "BILLING")):
        if any(row.get(f"{prefix}{part}") for part in ("Street", "City", "Country")):
            addresses.append({"source": source, "street": row.get(f"{prefix}Street", ""),
                              "city": row.get(f"{prefix}City", ""), "state": row.get(f"{prefix}State", ""),
                              "postal_code": row.get(f"{prefix}PostalCode", ""),
                              "country": country_code(row.get(f"{prefix}CountryCode") or row.get(f"{prefix}Country")
                                                      or "")})
    return {
        "external_id": row.get("Id", ""), "name": row.get("Name", ""), "website": row.get("Website", ""),
        "account_type": ACCOUNT_TYPES.get(kind, "RESELLER" if _true(row.get("IsPartner")) else "PROSPECT"),
        "parent": row.get("ParentId", ""), "region": row.get("Region__c") or region_of(country), "country": country,
        "owner": row.get("OwnerId", ""),
        # A3: DataFox first, ZoomInfo when DataFox is blank; Salesforce's own count stands for DataFox.
        "employees_datafox": row.get("DataFox_Employees__c") or row.get("NumberOfEmployees", ""),
        "employees_zoominfo": row.get("ZoomInfo_Employees__c", ""),
        "currency": row.get("CurrencyIsoCode") or (currency_of_country(country) if len(country) == 2 else "USD"),
        "partner": row.get("Id", "") if _is_partner(row) else "",
        "created_at": row.get("CreatedDate", ""), "addresses": json_cell(addresses),
    }


def user_row(row: dict) -> dict:
    partner = (row.get("UserType") or "") in ("PowerPartner", "Partner") and row.get("AccountId")
    text = " ".join(row.get(k) or "" for k in ("UserRole.Name", "Profile.Name", "Title")).lower()
    role = ("PARTNER_USER" if partner else "ADMIN" if "admin" in text else "CHANNEL_MANAGER" if "channel" in text
            else "SDR" if ("sdr" in text or "bdr" in text) else "SALES_OPS" if "ops" in text else "ACCOUNT_EXECUTIVE")
    # D1: a channel manager covers regions: those its role names, else its country's.
    regions = [r for r in ("AMER", "EMEA", "APJ", "LATAM", "PUBSEC") if r.lower() in text.split()]
    if not regions and role == "CHANNEL_MANAGER" and row.get("Country"):
        regions = [region_of(country_code(row["Country"]))]
    return {"external_id": row.get("Id", ""), "email": row.get("Email", ""), "name": _name(row), "role": role,
            "regions": ";".join(regions),
            "partner": row.get("AccountId", "") if partner else "",
            "active": "true" if row.get("IsActive") in (None, "") else row["IsActive"],
            "created_at": row.get("CreatedDate", "")}


def contact_row(row: dict) -> dict:
    return {"external_id": row.get("Id", ""), "account": row.get("AccountId", ""), "name": _name(row),
            "email": row.get("Email", ""), "title": row.get("Title", ""), "created_at": row.get("CreatedDate", "")}


def opportunity_row(row: dict, contacts: dict[str, list[dict]], team: dict[str, list[dict]]) -> dict:
    stage_name = (row.get("StageName") or "").strip()
    stage = STAGES.get(stage_name.lower(), stage_name)
    closed = stage in ("7-Closed Won", "8-Closed Lost")
    created = row.get("CreatedDate", "")
    return {
        "external_id": row.get("Id", ""), "account": row.get("AccountId", ""), "name": row.get("Name", ""),
        "opportunity_type": OPPORTUNITY_TYPES.get((row.get("Type") or "").strip().lower(), "NEW_BUSINESS"),
        "stage": stage, "currency": row.get("CurrencyIsoCode") or "USD", "amount": row.get("Amount", ""),
        "net_arr": row.get("Amount", ""), "close_date": row.get("CloseDate", ""), "owner": row.get("OwnerId", ""),
        "closed_at": (row.get("CloseDate") + "T00:00:00+00:00") if closed and row.get("CloseDate") else "",
        "loss_reason": (row.get("Loss_Reason__c") or "OTHER") if stage == "8-Closed Lost" else "",
        "created_at": created,
        "team": json_cell(team.get(row.get("Id", ""), [])),
        "contacts": json_cell(contacts.get(row.get("Id", ""), [])),
        "stage_history": json_cell([{"from": None, "to": stage, "at": created or None}]),
    }


def _junctions(directory: Path) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """OpportunityContactRole and OpportunityPartner/Partner rows by opportunity (held in memory:
    a few per opportunity)."""
    contacts: dict[str, list[dict]] = {}
    team: dict[str, list[dict]] = {}
    path = _file(directory, "OpportunityContactRole.csv")
    for item in read_rows(path, str(path)) if path else ():
        if isinstance(item, Row):
            r = item.values
            contacts.setdefault(r.get("OpportunityId", ""), []).append({
                "contact": r.get("ContactId", ""), "role": CONTACT_ROLES.get((r.get("Role") or "").lower(), "OTHER"),
                "primary": _true(r.get("IsPrimary"))})
    for name in ("OpportunityPartner.csv", "Partner.csv"):
        path = _file(directory, name)
        for item in read_rows(path, str(path)) if path else ():
            if isinstance(item, Row) and item.values.get("OpportunityId"):
                r = item.values
                members = team.setdefault(r["OpportunityId"], [])
                if all(m["partner"] != r.get("AccountToId") for m in members):
                    members.append({"partner": r.get("AccountToId", ""),
                                    "role": TEAM_ROLES.get((r.get("Role") or "").lower(), "INFLUENCER"),
                                    "primary": _true(r.get("IsPrimary")), "at": r.get("CreatedDate") or None})
    return contacts, team


def feeds(directory: Path) -> list:
    out = []
    accounts = _file(directory, "Account.csv")
    if accounts:
        out.append(Feed("partners", str(accounts), lambda: _mapped(accounts, partner_row, rejections=False),
                        accounts.stat().st_size))
    for entity, name, convert in (("users", "User.csv", user_row), ("accounts", "Account.csv", account_row),
                                  ("contacts", "Contact.csv", contact_row)):
        path = _file(directory, name)
        if path:
            out.append(Feed(entity, str(path), (lambda p=path, c=convert: _mapped(p, c)), path.stat().st_size))
    path = _file(directory, "Opportunity.csv")
    if path:
        def opportunities() -> Iterator[Row | Rejection]:
            contacts, team = _junctions(directory)
            return _mapped(path, lambda r: opportunity_row(r, contacts, team))

        out.append(Feed("opportunities", str(path), opportunities, path.stat().st_size))
    if not out:
        raise ImportRefused(f"{directory} holds none of Account.csv, User.csv, Contact.csv, Opportunity.csv")
    return out
