"""Importing opportunities with their team, contacts and stage history, through the
reseller rules (R1–R9) of the plugins the caller hands in (`run.rules`, a RuleSet)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from partners.accounts.enums import AccountType
from partners.accounts.tables import Account, Contact
from partners.infra.clock import now
from partners.opportunities import reseller
from partners.opportunities.enums import ContactRole, OpportunityPartnerRole, OpportunityStage, OpportunityType
from partners.opportunities.team import aligned_name
from partners.people.enums import PartnerStatus
from partners.people.tables import Partner
from partners.transfer.base import EntityImport, child_list, child_ref, child_value, json_cell, resolve
from partners.transfer.children import replace_opportunity_children
from partners.transfer.formats import BadValue, Field, encode

AT = Field("at", "datetime")

STAGES = tuple(s.value for s in OpportunityStage)
TEAM_ROLES = tuple(r.value for r in OpportunityPartnerRole)
CONTACT_ROLES = tuple(r.value for r in ContactRole)
# The snapshot's GraphQL field names, as the file names them.
FILE_FIELDS = {"accountId": "account", "partnerId": "team", "contacts": "contacts", "name": "name"}
CONTEXT = reseller.ValidationContext(operation="import")


class OpportunityImport(EntityImport):
    def parse_children(self, p, run) -> None:
        try:
            team, contacts, history = [], [], []
            for i, t in enumerate(child_list(p, "team")):
                team.append({
                    "partner": child_ref(p, f"team.{i}.partner", "partners", t.get("partner")),
                    "role": child_value(p, f"team.{i}.role", "text", t.get("role"), choices=TEAM_ROLES, nullable=False),
                    "primary": bool(child_value(p, f"team.{i}.primary", "bool", t.get("primary"))),
                    "primary_chosen_by": child_value(p, f"team.{i}.primary_chosen_by", "text",
                                                     t.get("primary_chosen_by"), max_length=254) or "",
                    "at": _at(p, f"team.{i}.at", t.get("at"))})
            for i, c in enumerate(child_list(p, "contacts")):
                contacts.append({
                    "contact": child_ref(p, f"contacts.{i}.contact", "contacts", c.get("contact")),
                    "role": child_value(p, f"contacts.{i}.role", "text", c.get("role") or "OTHER",
                                        choices=CONTACT_ROLES),
                    "primary": bool(child_value(p, f"contacts.{i}.primary", "bool", c.get("primary")))})
            for i, h in enumerate(child_list(p, "stage_history")):
                history.append({
                    "from": child_value(p, f"stage_history.{i}.from", "text", h.get("from"), choices=STAGES),
                    "to": child_value(p, f"stage_history.{i}.to", "text", h.get("to"), choices=STAGES, nullable=False),
                    "by": child_ref(p, f"stage_history.{i}.by", "users", h.get("by"), required=False),
                    "note": child_value(p, f"stage_history.{i}.note", "text", h.get("note"), max_length=500) or "",
                    "at": _at(p, f"stage_history.{i}.at", h.get("at"))})
        except BadValue as exc:
            p.refuse(exc.code, exc.message, _field_of(exc))
            return
        if sum(1 for t in team if t["primary"]) > 1 or len({t["partner"] for t in team}) != len(team):
            p.refuse("TEAM_INVALID", "A partner is on the team once (R5); at most one is primary (R7).", "team", "R5")
        p.extra.update(team=team, contacts=contacts, stage_history=history)
        if p.keep_cells:
            for name in ("team", "contacts", "stage_history"):
                p.cells[name] = _cell(p.extra[name])

    async def check(self, batch, run) -> None:
        """R1–R9 on each row's opportunity as it will be (a snapshot of the row, not of the database)."""
        accounts = {r["id"]: r for r in await Account.select(
            Account.id, Account.name, Account.account_type, Account.partner).where(
            Account.id.is_in(sorted({run.id_of("accounts", p.refs["account"]) for p in batch}) or [0]))}
        partner_ids = {resolve(run, "partners", t["partner"], p.source) for p in batch for t in p.extra["team"]}
        partners = {r["id"]: r for r in await Partner.select(Partner.id, Partner.name, Partner.nickname,
                                                             Partner.status).where(
            Partner.id.is_in(sorted(partner_ids) or [0]))}
        contact_ids = {resolve(run, "contacts", c["contact"], p.source) for p in batch for c in p.extra["contacts"]}
        contacts = {r["id"]: r for r in await Contact.select(
            Contact.id, Contact.name, Contact.account, Contact.account.partner.as_alias("partner")).where(
            Contact.id.is_in(sorted(contact_ids) or [0]))}
        for p in batch:
            if p.violations:
                continue
            account = accounts[run.id_of("accounts", p.refs["account"])]
            team = tuple(
                reseller.TeamPartner(
                    partner_id=pid, name=partners[pid]["name"], nickname=partners[pid]["nickname"] or "",
                    status=PartnerStatus(partners[pid]["status"]), role=OpportunityPartnerRole(t["role"]),
                    is_primary=t["primary"], chosen_by=t["primary_chosen_by"], added_at=t["at"])
                for t in p.extra["team"] for pid in [resolve(run, "partners", t["partner"], p.source)])
            snapshot = reseller.OpportunitySnapshot(
                id=p.existing or 0, name=p.values.get("name") or "",
                opportunity_type=OpportunityType(p.values.get("opportunity_type") or OpportunityType.NEW_BUSINESS),
                stage=OpportunityStage(p.values.get("stage") or OpportunityStage.PENDING_ACCEPTANCE),
                account_id=account["id"], account_name=account["name"],
                account_type=AccountType(account["account_type"]), account_partner_id=account["partner"],
                partners=team,
                contacts=tuple(
                    reseller.TeamContact(contact_id=cid, name=contacts[cid]["name"], account_id=contacts[cid]["account"],
                                         partner_id=contacts[cid]["partner"], role=ContactRole(c["role"]),
                                         is_primary=c["primary"])
                    for c in p.extra["contacts"] for cid in [resolve(run, "contacts", c["contact"], p.source)]))
            snapshot = self._settle(p, run, snapshot)
            for v in await reseller.violations_of(run.rules, snapshot, CONTEXT):
                p.refuse(v.code, v.message, ".".join(FILE_FIELDS.get(f, f) for f in v.field), v.rule)

    def _settle(self, p, run, snapshot):
        """As a system write does (partners.opportunities.team.settle): with nobody marked
        primary, `cosell_primary_partner` chooses (R8) and the name follows an authorized
        primary (R2). The row's cells follow, so a second run finds it unchanged."""
        if not snapshot.partners or snapshot.primary_partners:
            return snapshot
        choice = reseller.choose_primary(run.rules, snapshot)
        if choice is None:
            return snapshot
        chosen = choice.partner.partner_id
        partners = tuple(replace(t, is_primary=t.partner_id == chosen) for t in snapshot.partners)
        for t, member in zip(p.extra["team"], partners):
            t["primary"] = member.is_primary
        name = snapshot.name
        if choice.partner.authorized:
            name = aligned_name(name, choice.partner, [m.name_prefix for m in partners])
        p.values["name"], p.cells["name"] = name, name
        if not p.values.get("primary_reason"):
            p.values["primary_reason"] = p.cells["primary_reason"] = choice.reason
        if p.keep_cells:
            p.cells["team"] = _cell(p.extra["team"])
        return replace(snapshot, partners=partners, name=name)

    async def write_children(self, batch, run) -> None:
        values = {}
        for p in batch:
            values[p.id] = {
                "team": [{**t, "partner": resolve(run, "partners", t["partner"], p.source)} for t in p.extra["team"]],
                "contacts": [{**c, "contact": resolve(run, "contacts", c["contact"], p.source)}
                             for c in p.extra["contacts"]],
                "stage_history": [{**h, "by": resolve(run, "users", h["by"], p.source)}
                                  for h in p.extra["stage_history"]],
            }
        await replace_opportunity_children(values, existing=[p.id for p in batch if p.existing is not None])


def _at(p, label, text):
    """A child row's time; the opportunity's creation when the file gives none."""
    value = child_value(p, label, "datetime", text)
    return value if value is not None else (p.values.get("created_at") or now())


def _cell(items: list[dict]) -> str:
    """The JSON cell as an export writes it (times in UTC ISO 8601)."""
    return json_cell([{k: encode(AT, v) if isinstance(v, datetime) else v for k, v in item.items()} for item in items])


def _field_of(exc: BadValue) -> str:
    return exc.message.split(" ")[0].rstrip(":")
