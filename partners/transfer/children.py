"""The child rows a native row carries in a list or JSON cell: a partner's directory lists,
an account's addresses, an opportunity's team, contacts and stage history, a
registration's products and history.

`load` gives them as the file holds them (references as external ids), for export and for
telling an unchanged row on import; `replace` writes a batch's children anew.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from partners.accounts.tables import AccountAddress
from partners.opportunities.tables import OpportunityContact, OpportunityPartner, OpportunityStageChange
from partners.people.tables import (
    PartnerCertification,
    PartnerCountryServed,
    PartnerLanguage,
    PartnerRegionServed,
    PartnerSpecialization,
)
from partners.program.tables import PartnerAgreement, PartnerTraining
from partners.registrations.records import copy_registration_keys
from partners.registrations.tables import DealRegistrationChange, DealRegistrationProduct
from partners.transfer import bulk, keys
from partners.transfer.formats import encode, Field, reference_cell

DIRECTORY = {
    "regions_served": PartnerRegionServed,
    "countries_served": PartnerCountryServed,
    "specializations": PartnerSpecialization,
    "certifications": PartnerCertification,
    "languages": PartnerLanguage,
}
ADDRESS_FIELDS = ("source", "street", "city", "state", "postal_code", "country")
# P2's records behind a partner's eligibility, as JSON cells of partners.csv.
AGREEMENT_FIELDS = ("version", "signed_on", "signer_name", "signer_email", "ended_on", "end_reason")
TRAINING_FIELDS = ("person_name", "person_email", "course", "completed_on", "expires_on")
_DATE = Field("on", "date")
_DATETIME = Field("at", "datetime")

# A reference inside a JSON cell: (JSON key, the child row's column, the entity it names).
TEAM_REFS = (("partner", "partner", "partners"),)
CONTACT_REFS = (("contact", "contact", "contacts"),)
BY_REFS = (("by", "changed_by", "users"),)


def _at(value) -> str:
    return encode(_DATETIME, value)


async def _ref_cells(rows: list[dict], refs, owner_source: dict[int, str], owner_column: str) -> list[dict]:
    """Each child row's references as the cells the file holds."""
    out = [dict(r) for r in rows]
    for json_key, column, entity in refs:
        known = await keys.keys_of(entity, [r[column] for r in rows if r[column] is not None])
        for r, o in zip(rows, out):
            value = r[column]
            if value is None:
                o[json_key] = None
            else:
                source, key = known[value]
                o[json_key] = reference_cell(source, key, owner_source[r[owner_column]])
    return out


def _old(values: dict[int, Any], existing: list[int] | None) -> list[int]:
    """The records whose child rows may exist (to delete first): those given as `existing`,
    else all. A record the batch has just created has none: no DELETE for it (on
    PostgreSQL, before its statistics exist, such a DELETE scans the whole child table)."""
    return list(values) if existing is None else existing


def _cell(value) -> Any:
    """A child row's value as the file holds it (dates as YYYY-MM-DD)."""
    return encode(_DATE, value) if hasattr(value, "isoformat") else value


async def load_partner_lists(ids: list[int], sources: dict[int, str]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {**{name: [] for name in DIRECTORY}, "agreements": [], "trainings": []}
                                      for i in ids}
    for name, table in DIRECTORY.items():
        for r in await table.select(table.partner, table.value).where(table.partner.is_in(ids)).order_by(table.id):
            out[r["partner"]][name].append(r["value"])
    for name, table, fields in (("agreements", PartnerAgreement, AGREEMENT_FIELDS),
                                ("trainings", PartnerTraining, TRAINING_FIELDS)):
        for r in await table.select().where(table.partner.is_in(ids)).order_by(table.id):
            out[r["partner"]][name].append({k: _cell(r[k]) for k in fields})
    return out


async def replace_partner_lists(values: dict[int, dict[str, Any]], at=None, existing: list[int] | None = None) -> None:
    """The directory lists, and the agreement and training records (recorded at `at`, the
    import's time: the file does not carry who recorded them)."""
    ids = _old(values, existing)
    for name, table in DIRECTORY.items():
        if ids:
            await table.delete().where(table.partner.is_in(ids))
        await bulk.insert(table, [{"partner": pid, "value": v} for pid, v_ in values.items() for v in v_[name]],
                          returning=False)
    for name, table in (("agreements", PartnerAgreement), ("trainings", PartnerTraining)):
        if ids:
            await table.delete().where(table.partner.is_in(ids))
        await bulk.insert(table, [{"partner": pid, **item, "recorded_at": at} for pid, v in values.items()
                                  for item in v.get(name) or []], returning=False)


async def load_addresses(ids: list[int], sources: dict[int, str]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {"addresses": []} for i in ids}
    for r in await AccountAddress.select().where(AccountAddress.account.is_in(ids)).order_by(AccountAddress.id):
        out[r["account"]]["addresses"].append({k: r[k] for k in ADDRESS_FIELDS})
    return out


async def replace_addresses(values: dict[int, dict[str, Any]], existing: list[int] | None = None) -> None:
    if ids := _old(values, existing):
        await AccountAddress.delete().where(AccountAddress.account.is_in(ids))
    await bulk.insert(AccountAddress, [{"account": aid, **{k: a.get(k) or "" for k in ADDRESS_FIELDS}}
                                       for aid, v in values.items() for a in v["addresses"]], returning=False)


async def load_opportunity_children(ids: list[int], sources: dict[int, str]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {"team": [], "contacts": [], "stage_history": []} for i in ids}
    team = await OpportunityPartner.select().where(OpportunityPartner.opportunity.is_in(ids)).order_by(
        OpportunityPartner.id)
    for r in await _ref_cells(team, TEAM_REFS, sources, "opportunity"):
        out[r["opportunity"]]["team"].append({"partner": r["partner"], "role": r["role"],
                                              "primary": bool(r["is_primary"]),
                                              "primary_chosen_by": r["primary_chosen_by"], "at": _at(r["created_at"])})
    contacts = await OpportunityContact.select().where(OpportunityContact.opportunity.is_in(ids)).order_by(
        OpportunityContact.id)
    for r in await _ref_cells(contacts, CONTACT_REFS, sources, "opportunity"):
        out[r["opportunity"]]["contacts"].append({"contact": r["contact"], "role": r["role"],
                                                  "primary": bool(r["is_primary"])})
    history = await OpportunityStageChange.select().where(OpportunityStageChange.opportunity.is_in(ids)).order_by(
        OpportunityStageChange.id)
    for r in await _ref_cells(history, BY_REFS, sources, "opportunity"):
        out[r["opportunity"]]["stage_history"].append({"from": r["from_stage"], "to": r["to_stage"], "by": r["by"],
                                                       "note": r["note"], "at": _at(r["changed_at"])})
    return out


async def replace_opportunity_children(values: dict[int, dict[str, Any]], existing: list[int] | None = None) -> None:
    """`values` hold resolved ids (the importer resolved the references)."""
    ids = _old(values, existing)
    for table in (OpportunityPartner, OpportunityContact, OpportunityStageChange):
        if ids:
            await table.delete().where(table.opportunity.is_in(ids))
    team = [dict(opportunity=oid, partner=t["partner"], role=t["role"], is_primary=t["primary"],
                 primary_chosen_by=t.get("primary_chosen_by") or "", created_at=t["at"])
            for oid, v in values.items() for t in v["team"]]
    contacts = [dict(opportunity=oid, contact=c["contact"], role=c["role"], is_primary=c["primary"])
                for oid, v in values.items() for c in v["contacts"]]
    history = [dict(opportunity=oid, from_stage=h.get("from"), to_stage=h["to"], changed_by=h.get("by"),
                    note=h.get("note") or "", changed_at=h["at"])
               for oid, v in values.items() for h in v["stage_history"]]
    for table, rows in ((OpportunityPartner, team), (OpportunityContact, contacts),
                        (OpportunityStageChange, history)):
        await bulk.insert(table, rows, returning=False)


async def load_registration_children(ids: list[int], sources: dict[int, str]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {i: {"products": [], "history": []} for i in ids}
    for r in await DealRegistrationProduct.select().where(DealRegistrationProduct.registration.is_in(ids)).order_by(
            DealRegistrationProduct.id):
        out[r["registration"]]["products"].append(r["product"])
    history = await DealRegistrationChange.select().where(DealRegistrationChange.registration.is_in(ids)).order_by(
        DealRegistrationChange.id)
    for r in await _ref_cells(history, BY_REFS, sources, "registration"):
        out[r["registration"]]["history"].append({"event": r["event"], "from": r["from_status"], "to": r["to_status"],
                                                  "by": r["by"], "note": r["note"], "at": _at(r["changed_at"])})
    return out


REGISTRATION_KEYS = ("partner", "region", "registration_type")


async def replace_registration_children(values: dict[int, dict[str, Any]], existing: list[int] | None = None
                                        ) -> None:
    """Each value may carry "keys": the registration's partner, region and type as written,
    copied into its history rows as they are inserted (issue 36 item 2); without them, one
    UPDATE copies them from the registration rows afterwards (copy_registration_keys)."""
    if ids := _old(values, existing):
        await DealRegistrationProduct.delete().where(DealRegistrationProduct.registration.is_in(ids))
        await DealRegistrationChange.delete().where(DealRegistrationChange.registration.is_in(ids))
    products = [dict(registration=rid, product=p) for rid, v in values.items() for p in v["products"]]
    unknown = [rid for rid, v in values.items() if v["history"] and v.get("keys") is None]
    history = [dict(registration=rid, event=h["event"], from_status=h.get("from"), to_status=h["to"],
                    changed_by=h.get("by"), note=h.get("note") or "", changed_at=h["at"], **(v.get("keys") or {}))
               for rid, v in values.items() for h in v["history"]]
    for table, rows in ((DealRegistrationProduct, products), (DealRegistrationChange, history)):
        await bulk.insert(table, rows, returning=False)
    await copy_registration_keys(unknown)  # the history's partner, region, type (issue 36 item 2)


Loader = Callable[[list[int], dict[int, str]], Awaitable[dict[int, dict[str, Any]]]]
Replacer = Callable[[dict[int, dict[str, Any]]], Awaitable[None]]

# The child tables of each entity (the import refreshes their statistics: partners.transfer.importing).
CHILD_TABLES = {
    "partners": (*DIRECTORY.values(), PartnerAgreement, PartnerTraining),
    "accounts": (AccountAddress,),
    "opportunities": (OpportunityPartner, OpportunityContact, OpportunityStageChange),
    "registrations": (DealRegistrationProduct, DealRegistrationChange),
}

CHILDREN: dict[str, tuple[Loader, Replacer]] = {
    "partners": (load_partner_lists, replace_partner_lists),
    "accounts": (load_addresses, replace_addresses),
    "opportunities": (load_opportunity_children, replace_opportunity_children),
    "registrations": (load_registration_children, replace_registration_children),
}
