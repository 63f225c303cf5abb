"""Importing deal registrations (status, dates, products, history; P5) and co-sell plans
and tasks (D3). Imported as they stand: the review flow's transitions are history, not
replayed, so no review email, reminder or webhook goes out for them."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from partners.infra.clock import now
from partners.leads.duplicates import company_key
from partners.plans.tables import CoSellPlan
from partners.registrations.enums import DealRegistrationStatus, DealRegistrationType
from partners.registrations.tables import DealRegistration
from partners.transfer.base import EntityImport, child_list, child_ref, child_value, json_cell, resolve
from partners.transfer.children import REGISTRATION_KEYS, replace_registration_children
from partners.transfer.formats import BadValue, Field, encode

STATUSES = tuple(s.value for s in DealRegistrationStatus)
AT = Field("at", "datetime")
APPROVED = DealRegistrationStatus.APPROVED.value
SERVICES_ATTACH = DealRegistrationType.SERVICES_ATTACH.value


class RegistrationImport(EntityImport):
    def parse_children(self, p, run) -> None:
        products = [v.lower() for v in p.extra.get("products") or []]
        if any(len(v) > 60 for v in products):
            p.refuse("FIELD_TOO_LONG", "each product code has at most 60 characters.", "products")
        history = []
        try:
            for i, h in enumerate(child_list(p, "history")):
                history.append({
                    "event": child_value(p, f"history.{i}.event", "text", h.get("event"), nullable=False, max_length=32),
                    "from": child_value(p, f"history.{i}.from", "text", h.get("from"), choices=STATUSES),
                    "to": child_value(p, f"history.{i}.to", "text", h.get("to"), choices=STATUSES, nullable=False),
                    "by": child_ref(p, f"history.{i}.by", "users", h.get("by"), required=False),
                    "note": child_value(p, f"history.{i}.note", "text", h.get("note")) or "",
                    "at": child_value(p, f"history.{i}.at", "datetime", h.get("at")) or _when(p)})
        except BadValue as exc:
            p.refuse(exc.code, exc.message, exc.message.split(" ")[0].rstrip(":"), "P4")
            return
        p.extra.update(products=products, history=history)
        if not p.keep_cells:
            return
        p.cells["products"] = encode(Field("products", "list"), products)
        p.cells["history"] = json_cell([{k: encode(AT, v) if isinstance(v, datetime) else v for k, v in h.items()}
                                        for h in history])

    async def check(self, batch, run) -> None:
        """P5: one approved partner-sourced registration per opportunity, in the database and in the file.
        An approval of an earlier batch is in the database by now (written, or refused and
        so not counted); only this batch's are remembered here: memory flat in file size."""
        approved: dict[int, int] = {}  # opportunity -> line, this batch's
        opportunities = sorted({run.id_of("opportunities", p.refs["opportunity"]) for p in batch
                                if "opportunity" in p.refs and _sourced_approval(p)})
        in_db = {}
        if opportunities:
            in_db = {r["opportunity"]: r["id"] for r in await DealRegistration.select(
                DealRegistration.id, DealRegistration.opportunity).where(
                DealRegistration.opportunity.is_in(opportunities)
                & (DealRegistration.status == APPROVED)
                & (DealRegistration.registration_type != SERVICES_ATTACH))}
        for p in batch:
            if p.violations or "opportunity" not in p.refs or not _sourced_approval(p):
                continue
            opportunity = run.id_of("opportunities", p.refs["opportunity"])
            other = in_db.get(opportunity)
            if (other is not None and other != p.existing) or approved.get(opportunity, p.line) != p.line:
                p.refuse("ALREADY_APPROVED", "Another partner-sourced registration of this opportunity is approved; "
                                             "only one is (the partner that sourced it).", "status", "P5")
                continue
            approved[opportunity] = p.line

    async def write_children(self, batch, run) -> None:
        await replace_registration_children({
            p.id: {"products": p.extra["products"],
                   "history": [{**h, "by": resolve(run, "users", h["by"], p.source)} for h in p.extra["history"]],
                   "keys": _keys(p)}
            for p in batch}, existing=[p.id for p in batch if p.existing is not None])


def _keys(p) -> dict | None:
    """The registration's partner, region and type as its row holds them after the write
    (issue 36 item 2's copies in its history rows), or None when the file leaves one out."""
    if all(k in p.values for k in REGISTRATION_KEYS):
        return {k: _plain(p.values[k]) for k in REGISTRATION_KEYS}
    return None


def _plain(value):
    return value.value if isinstance(value, Enum) else value


def _when(p) -> datetime:
    """A history entry's time when the file gives none: the registration's creation, else its submission."""
    return p.values.get("created_at") or p.values.get("submitted_at") or now()


def _sourced_approval(p) -> bool:
    return p.values.get("status") == APPROVED and p.values.get("registration_type") != SERVICES_ATTACH


class PlanImport(EntityImport):
    async def check(self, batch, run) -> None:
        """D3: one plan per (opportunity, partner)."""
        seen: dict[tuple[int, int], int] = run.state.setdefault("plans", {})
        pairs = {(run.id_of("opportunities", p.refs.get("opportunity")), run.id_of("partners", p.refs.get("partner")))
                 for p in batch}
        opportunities = sorted({o for o, _ in pairs if o is not None}) or [0]
        in_db = {(r["opportunity"], r["partner"]): r["id"] for r in await CoSellPlan.select(
            CoSellPlan.id, CoSellPlan.opportunity, CoSellPlan.partner).where(CoSellPlan.opportunity.is_in(opportunities))}
        for p in batch:
            pair = (run.id_of("opportunities", p.refs.get("opportunity")), run.id_of("partners", p.refs.get("partner")))
            other = in_db.get(pair)
            if (other is not None and other != p.existing) or seen.get(pair, p.line) != p.line:
                p.refuse("PLAN_EXISTS", "This partner already has a co-sell plan on this opportunity.", "partner", "D3")
                continue
            seen[pair] = p.line


class LeadImport(EntityImport):
    def finish_values(self, p, run) -> None:
        super().finish_values(p, run)
        # What the duplicate check (partners.leads.duplicates) compares, as the service stores it.
        p.values["company_key"] = company_key(p.values.get("company") or "")
